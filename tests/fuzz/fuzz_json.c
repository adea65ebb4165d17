/* libFuzzer harness: Dataset-JSON as one JSON document (reader, validator, writer to NDJSON). */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_dataset_json(data, size, DSJ_FORMAT_JSON, DSJ_FORMAT_NDJSON);
    return 0;
}
