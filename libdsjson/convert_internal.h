/* Private: Dataset-JSON 1.0 <-> 1.1 conversion and exact number-text helpers
 * (convert.c), used by the writer and the in-memory datasets.  Never installed.
 * The mapping is described in docs/conversion.md. */
#ifndef DSJ_CONVERT_INTERNAL_H
#define DSJ_CONVERT_INTERNAL_H

#include "dsj_internal.h"

/* Clear err (if non-NULL), then fill code and message (no position). Returns code. */
dsj_status_t dsj_err(dsj_error_t *err, dsj_status_t code, const char *fmt, ...) DSJ_PRINTF(3, 4);

/* What happens to the cells of one input column. */
typedef enum dsj_conv_op {
    DSJ_CONV_COPY = 0,        /* unchanged */
    DSJ_CONV_DROP,            /* 1.0 -> 1.1: ITEMGROUPDATASEQ */
    DSJ_CONV_NUM_TO_DECSTR,   /* 1.0 decimal number -> 1.1 decimal string */
    DSJ_CONV_SAS_TO_DATE,     /* 1.0 SAS day count -> 1.1 ISO date */
    DSJ_CONV_SAS_TO_DATETIME, /* 1.0 SAS seconds since 1960 -> 1.1 ISO datetime */
    DSJ_CONV_SAS_TO_TIME,     /* 1.0 SAS seconds since midnight -> 1.1 ISO time */
    DSJ_CONV_DECSTR_TO_NUM,   /* 1.1 decimal string -> 1.0 number */
    DSJ_CONV_DATE_TO_SAS,     /* 1.1 ISO date (targetDataType integer) -> 1.0 SAS day count */
    DSJ_CONV_DATETIME_TO_SAS,
    DSJ_CONV_TIME_TO_SAS
} dsj_conv_op_t;

/* The plan for converting rows, made together with the output metadata. */
typedef struct dsj_conv_plan {
    dsj_version_t from, to;
    size_t in_ncols;
    dsj_conv_op_t *ops;       /* one per input column */
    unsigned char *warned;    /* one per input column: a value warning was given */
    char **col_names;         /* input column names (for findings), may hold NULLs */
    int add_seq;              /* 1.1 -> 1.0: prepend ITEMGROUPDATASEQ 1..n */
} dsj_conv_plan_t;

/*
 * Convert metadata in to version `to`.  On success *out is the new metadata
 * [owned] and plan is filled (release with dsj_conv_plan_free).  Losses are
 * reported to cb as warnings.
 */
dsj_status_t dsj_convert_meta(const dsj_meta_t *in, dsj_version_t to, dsj_meta_t **out,
                              dsj_conv_plan_t *plan, dsj_finding_cb cb, void *ctx, dsj_error_t *err);
void dsj_conv_plan_free(dsj_conv_plan_t *plan);

/*
 * Convert one cell.  *out gets the result; its text may point into scratch
 * (reset by the call) or to in's text.  Returns 1 when converted or when
 * nothing needed doing (null, missing), 0 when the value could not be
 * converted (out is then a copy of in), -1 when out of memory.
 */
int dsj_convert_cell(dsj_conv_op_t op, const dsj_cell_t *in, dsj_cell_t *out, dsj_buf_t *scratch);

/* SAS display format kind: DSJ_TYPE_DATE, _DATETIME, _TIME, or DSJ_TYPE_NONE. */
dsj_datatype_t dsj_sas_format_kind(const char *display_format);

/* SAS values <-> ISO 8601 text (proleptic Gregorian, years 0000-9999).
 * Writers return the length written into buf (which must hold 32 bytes) or -1 when out of range. */
int dsj_sas_date_to_iso(int64_t days, char *buf);
int dsj_sas_datetime_to_iso(int64_t seconds, char *buf);
int dsj_sas_time_to_iso(int64_t seconds, char *buf);
/* Parsers return 1 and set *out on success, 0 when the text is not a full value. */
int dsj_iso_to_sas_date(const char *s, size_t n, int64_t *out);
int dsj_iso_to_sas_datetime(const char *s, size_t n, int64_t *out);
int dsj_iso_to_sas_time(const char *s, size_t n, int64_t *out);

/* 1 when s[0..n) is a JSON number token (RFC 8259 grammar). */
int dsj_json_number_valid(const char *s, size_t n);
/* Exact int64 of an integral JSON number text (1, 1.0, 1e2). 1 = ok. */
int dsj_number_text_int64(const char *s, size_t n, int64_t *out);

#endif
