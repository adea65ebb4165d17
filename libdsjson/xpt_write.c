/* XPT writer: placeholder until the module lands (issue 7). */
#include "backend_internal.h"

dsj_status_t dsj_xpt_writer_new(const dsj_writer_options_t *opts, const dsj_writer_backend_t **backend,
                                void **ctx, dsj_error_t *err)
{
    (void)opts;
    (void)backend;
    (void)ctx;
    return dsj_error_set(err, DSJ_E_UNSUPPORTED, NULL, 0, 0, 0, "writing XPT is not available yet");
}
