/* Validator glue to the streaming reader: dsj_validator_meta and dsj_validate_source. */
#include "validate_internal.h"

static int reader_pos(const void *reader, const char *pointer, uint64_t *line, uint64_t *column, uint64_t *offset)
{
    return dsj_reader_meta_position((const dsj_reader_t *)reader, pointer, line, column, offset);
}

static int reader_refresh(const void *reader, const dsj_meta_t **meta, struct json_object **json)
{
    const dsj_reader_t *r = reader;
    *meta = dsj_reader_meta(r);
    *json = dsj_reader_meta_json(r);
    return *meta != NULL;
}

dsj_status_t dsj_validator_meta(dsj_validator_t *v, const dsj_reader_t *r)
{
    const dsj_meta_t *m;
    if (!v || !r) return DSJ_E_ARG;
    m = dsj_reader_meta(r);
    if (!m) return DSJ_E_STATE;
    /* A JSON document may have metadata members after the rows; the reader
       merges them in when the rows end, so the metadata findings wait for
       dsj_validator_end.  An NDJSON/DSJC metadata line is complete now. */
    return dsj_validator_check_meta(v, m, dsj_reader_meta_json(r), r, reader_pos,
                                    dsj_reader_format(r) == DSJ_FORMAT_JSON ? reader_refresh : NULL);
}

/* Reader findings go to the caller's reader callback (if any) and to cb. */
typedef struct chain {
    dsj_finding_cb first;
    void *first_ctx;
    dsj_finding_cb cb;
    void *ctx;
} chain_t;

static int chain_cb(const dsj_finding_t *f, void *ctx)
{
    chain_t *c = ctx;
    int r = 0;
    if (c->first) r = c->first(f, c->first_ctx);
    if (!r && c->cb) r = c->cb(f, c->ctx);
    return r;
}

dsj_status_t dsj_validate_source(dsj_source_t *src, const dsj_reader_options_t *ropts,
                                 const dsj_validate_options_t *vopts,
                                 dsj_finding_cb cb, void *ctx, dsj_error_t *err)
{
    dsj_reader_options_t ro;
    dsj_validate_options_t vo;
    dsj_reader_t *r;
    dsj_validator_t *v;
    chain_t chain;
    dsj_status_t st;
    const dsj_row_t *row;
    const char *name;

    if (!src) return dsj_error_set(err, DSJ_E_ARG, NULL, 0, 0, 0, "no input source");
    if (ropts) ro = *ropts;
    else dsj_reader_options_init(&ro);
    if (vopts) vo = *vopts;
    else dsj_validate_options_init(&vo);
    chain.first = ro.on_finding;
    chain.first_ctx = ro.finding_ctx;
    chain.cb = cb;
    chain.ctx = ctx;
    ro.on_finding = chain_cb;
    ro.finding_ctx = &chain;
    name = dsj_source_name(src);
    if (!vo.file) vo.file = name;

    v = dsj_validator_new(&vo, cb, ctx);
    if (!v) {
        dsj_source_free(src);
        return dsj_error_set(err, DSJ_E_NOMEM, vo.file, 0, 0, 0, "out of memory");
    }
    r = dsj_reader_new(src, &ro, err);
    if (!r) {
        dsj_validator_free(v);
        return err && err->code != DSJ_OK ? err->code : DSJ_E_FORMAT;
    }
    st = dsj_validator_meta(v, r);
    while (st == DSJ_OK) {
        st = dsj_reader_next(r, &row, err);
        if (st == DSJ_ROW) st = dsj_validator_row(v, row);
        else if (st == DSJ_DONE) { st = DSJ_OK; break; }
    }
    if (st == DSJ_OK) st = dsj_validator_end(v);
    if (st == DSJ_E_ABORTED && err && err->code == DSJ_OK)
        dsj_error_set(err, DSJ_E_ABORTED, vo.file, 0, 0, 0, "validation stopped by the finding callback");
    else if (st == DSJ_E_NOMEM && err && err->code == DSJ_OK)
        dsj_error_set(err, DSJ_E_NOMEM, vo.file, 0, 0, 0, "out of memory");
    dsj_reader_free(r);
    dsj_validator_free(v);
    return st;
}
