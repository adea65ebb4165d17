/*
 * Private: pieces of the Dataset-XML 1.0 reader (datasetxml_read.c) that
 * need no libxml2: the exact record count of the first pass and the typing
 * of one Value by its column dataType (datasetxml_read_values.c).  Never installed.
 */
#ifndef DSJ_DATASETXML_READ_INTERNAL_H
#define DSJ_DATASETXML_READ_INTERNAL_H

#include "dsj_internal.h"

/*
 * Count the ItemGroupData start tags of src from its current position to the
 * end, by a byte scan: '<' outside comments, CDATA sections and processing
 * instructions starts a tag, whose name (any prefix) ends in ":ItemGroupData"
 * or is "ItemGroupData", followed by white space, '/' or '>'.  Attribute values
 * cannot hold '<', so data:ItemGroupDataSeq attributes and text never count.
 * Returns DSJ_OK and *n, or an I/O error (err filled).
 */
dsj_status_t dsj_dxml_count_groups(dsj_source_t *src, int64_t *n, dsj_error_t *err);

/* Column typing info the reader keeps per column. */
typedef struct dsj_dxml_coltype {
    dsj_datatype_t type;     /* Dataset-JSON 1.1 dataType from the define */
    dsj_datatype_t target;   /* targetDataType (DSJ_TYPE_INTEGER for SAS numeric dates) */
} dsj_dxml_coltype_t;

/*
 * Type the value s[0..n) (decoded attribute text) for a column.  Appends the
 * cell text (NUL-terminated) to out and sets *kind and *len.  Returns NULL
 * when the value fits, else a static phrase saying what it should be ("a JSON
 * integer (digits with an optional leading '-', no leading zeros)") and the
 * cell is then DSJ_CELL_STRING with the text as found.  Returns "" (empty, not
 * NULL) on out of memory.
 */
const char *dsj_dxml_type_value(const dsj_dxml_coltype_t *t, const char *s, size_t n, dsj_buf_t *out,
                                dsj_cell_kind_t *kind, size_t *len);

#endif
