/* Dataset-XML 1.0 reader: placeholder until the module lands (issue 4). */
#include "backend_internal.h"

dsj_status_t dsj_datasetxml_reader_open(dsj_source_t *src, const dsj_reader_options_t *opts,
                                        dsj_reader_opened_t *out, dsj_error_t *err)
{
    const char *name = dsj_source_name(src);
    dsj_status_t st = dsj_error_set(err, DSJ_E_UNSUPPORTED, name, 0, 0, 0, "reading Dataset-XML is not available yet");
    (void)opts;
    (void)out;
    dsj_source_free(src);
    return st;
}
