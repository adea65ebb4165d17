/* libFuzzer harness: Dataset-JSON as NDJSON (reader, validator, writer to JSON). */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_dataset_json(data, size, DSJ_FORMAT_NDJSON, DSJ_FORMAT_JSON);
    return 0;
}
