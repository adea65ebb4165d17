/*
 * libdsjson: Define-XML 2.0/2.1 model, standalone validation and
 * dataset-to-define checks.  Included by dsjson.h; do not include directly.
 * (Owned by the define module; see docs/api.md.)
 */
#ifndef DSJSON_DEFINE_H
#define DSJSON_DEFINE_H

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dsj_define dsj_define_t;

#ifdef __cplusplus
}
#endif

#endif /* DSJSON_DEFINE_H */
