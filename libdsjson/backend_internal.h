/*
 * Private: how readers and writers of formats other than Dataset-JSON plug
 * into dsj_reader_t and dsj_writer_t.  Never installed.
 *
 * Reader: dsj_reader_new sees the format (given or sniffed) and calls the
 * format's open function, which takes src, builds the metadata (1.1, records
 * filled in) and returns its backend context.  dsj_reader_next, _free,
 * _bytes_read then go to the backend.
 *
 * Writer: dsj_writer_begin converts the metadata to Dataset-JSON 1.1 (the
 * usual conversion plan, so a 1.0 input arrives with ISO dates and decimal
 * strings) and calls the backend's begin with it; each finished row (after
 * cell conversion, widths checked) goes to row; dsj_writer_end calls end,
 * which must write everything and commit the sink (atomic rename).  free is
 * called from dsj_writer_free whether or not end succeeded; the writer frees
 * the sink itself after free returns.
 */
#ifndef DSJ_BACKEND_INTERNAL_H
#define DSJ_BACKEND_INTERNAL_H

#include "dsj_internal.h"

typedef struct dsj_reader_backend {
    const char *name; /* "dataset-xml", "xpt"... */
    /* Next row: DSJ_ROW with *row [borrowed until the next call], DSJ_DONE, or an error (err filled). */
    dsj_status_t (*next)(void *ctx, const dsj_row_t **row, dsj_error_t *err);
    uint64_t (*bytes_read)(void *ctx);
    void (*free)(void *ctx);
} dsj_reader_backend_t;

/* What a format's open function fills. */
typedef struct dsj_reader_opened {
    const dsj_reader_backend_t *backend;
    void *ctx;           /* [owned by the reader: backend->free] */
    dsj_meta_t *meta;    /* [owned by the reader] */
    int had_bom;
} dsj_reader_opened_t;

/* Format open functions: take src (even on failure), return DSJ_OK and fill out,
   or an error with err filled (file name and position where known). */
dsj_status_t dsj_datasetxml_reader_open(dsj_source_t *src, const dsj_reader_options_t *opts,
                                        dsj_reader_opened_t *out, dsj_error_t *err);
dsj_status_t dsj_xpt_reader_open(dsj_source_t *src, dsj_format_t format, const dsj_reader_options_t *opts,
                                 dsj_reader_opened_t *out, dsj_error_t *err);

typedef struct dsj_writer_backend {
    const char *name;
    /* meta is 1.1 [borrowed for the writer's life]; the sink is [borrowed] (the writer owns it). */
    dsj_status_t (*begin)(void *ctx, const dsj_meta_t *meta, dsj_sink_t *sink, dsj_error_t *err);
    /* One row of meta's width, cells converted; [borrowed for the call]. */
    dsj_status_t (*row)(void *ctx, const dsj_row_t *row, dsj_error_t *err);
    /* Finish and commit the sink. */
    dsj_status_t (*end)(void *ctx, dsj_error_t *err);
    void (*free)(void *ctx);
} dsj_writer_backend_t;

/* Format writer constructors: return DSJ_OK with *backend and *ctx [owned by the writer]. */
dsj_status_t dsj_datasetxml_writer_new(const dsj_writer_options_t *opts, const dsj_writer_backend_t **backend,
                                       void **ctx, dsj_error_t *err);
dsj_status_t dsj_xpt_writer_new(const dsj_writer_options_t *opts, const dsj_writer_backend_t **backend,
                                void **ctx, dsj_error_t *err);

#endif /* DSJ_BACKEND_INTERNAL_H */
