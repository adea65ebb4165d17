/* Private interface of the Dataset-JSON validator (values.c, validate.c, validate_source.c). */
#ifndef DSJ_VALIDATE_INTERNAL_H
#define DSJ_VALIDATE_INTERNAL_H

#include "dsj_internal.h"

struct json_object;

/*
 * Compare two metadata datetimes (each must pass
 * dsj_iso8601_metadata_datetime).  Sets *cmp to -1/0/1 and *mixed to 1 when
 * exactly one of them has a UTC offset (both are then compared as local
 * times).  Returns 0 when either text is not a valid metadata datetime.
 */
int dsj_metadata_datetime_compare(const char *a, size_t an, const char *b, size_t bn, int *cmp, int *mixed);

/* Position look-up for a metadata JSON pointer (dsj_reader_meta_position's shape). */
typedef int (*dsj_meta_pos_fn)(const void *reader, const char *pointer,
                               uint64_t *line, uint64_t *column, uint64_t *offset);

/* The final metadata of a reader (after the last row): returns 1 and sets both, or 0. */
typedef int (*dsj_meta_refresh_fn)(const void *reader, const dsj_meta_t **meta, struct json_object **json);

/*
 * The metadata checks of dsj_validator_meta without a reader: meta is the
 * model [borrowed for the call], json the metadata tree as found (may be NULL:
 * then only the model is checked), reader/pos an optional position look-up.
 * Also prepares the per-column row checkers.  Call once, before rows.
 * refresh: NULL to report the metadata findings now; otherwise they are
 * reported by dsj_validator_end on the metadata refresh returns then (for JSON
 * documents with members after the rows).
 */
dsj_status_t dsj_validator_check_meta(dsj_validator_t *v, const dsj_meta_t *meta,
                                      struct json_object *json, const void *reader,
                                      dsj_meta_pos_fn pos, dsj_meta_refresh_fn refresh);

#endif /* DSJ_VALIDATE_INTERNAL_H */
