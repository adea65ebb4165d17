/*
 * libFuzzer harness: ODM XML -> ODM JSON (dsj_odm_xml_to_json), then the
 * JSON produced back to XML (dsj_odm_json_to_xml), as `dsjson odm2json`
 * and `dsjson json2odm` do.
 */
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
    json = dsj_odm_xml_to_json((const char *)data, size, "fuzz-odm.xml", &o, &jlen, &err);
    if (!json) return 0;
    xml = dsj_odm_json_to_xml(json, jlen, "fuzz-odm.json", &o, &xlen, &err);
    free(xml);
    free(json);
    return 0;
}
