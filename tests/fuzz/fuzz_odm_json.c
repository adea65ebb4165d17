/* libFuzzer harness: ODM JSON -> ODM XML (dsj_odm_json_to_xml), then back to JSON. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dsj_odm_options_t o;
    dsj_error_t err;
    size_t nfind = 0, jlen = 0, xlen = 0;
    char *json, *xml;
    dsj_odm_options_init(&o);
    o.warn = fuzz_on_finding;
    o.warn_ctx = &nfind;
    o.pretty = size & 1;
    xml = dsj_odm_json_to_xml((const char *)data, size, "fuzz-odm.json", &o, &xlen, &err);
    if (!xml) return 0;
    json = dsj_odm_xml_to_json(xml, xlen, "fuzz-odm.xml", &o, &jlen, &err);
    free(json);
    free(xml);
    return 0;
}
