/*
 * Streaming Dataset-JSON writer: JSON (compact or pretty), NDJSON and DSJC,
 * versions 1.0 and 1.1, converting between them on the fly (convert.c).
 *
 * Output goes into one dsj_buf_t that is flushed to the sink in big chunks,
 * only at row boundaries, so that a rejected row (wrong width, bad value) is
 * simply cut off the buffer and the writer stays usable.
 *
 * When the metadata given to dsj_writer_begin has no records count, the rows
 * are spooled to an anonymous temporary file (tmpfile()) and the metadata is
 * written at dsj_writer_end, with the true count; memory stays bounded.
 */
#include "backend_internal.h"
#include "convert_internal.h"

#include <errno.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>

#define FLUSH_AT ((size_t)1 << 20)
#define MAX_DEPTH 8

enum { ST_NEW, ST_BEGUN, ST_ROW, ST_ENDED, ST_FAILED };

/* Tiny JSON emitter for the metadata (keys, nesting, optional indentation). */
typedef struct jw {
    dsj_buf_t *b;
    int pretty;
    int depth;
    int count[MAX_DEPTH + 1];
    int bad;
} jw_t;

struct dsj_writer {
    dsj_sink_t *sink;       /* top sink [owned]: the caller's, or a deflate sink wrapping it */
    dsj_sink_t *user_sink;  /* the caller's sink (owned through sink) */
    dsj_writer_options_t o;
    int state;
    dsj_meta_t *meta;       /* output metadata (converted) */
    dsj_conv_plan_t plan;
    int converting;
    size_t in_ncols;
    int has_records;
    int64_t records;
    int has_rows_meta;
    int v10, json;
    uint64_t nrows;
    size_t cell_i;          /* input cells given in the current row */
    size_t out_cells;       /* cells written in the current row */
    size_t row_mark;        /* out.len when the row began */
    dsj_buf_t out;
    dsj_buf_t scratch;
    FILE *spool;
    jw_t jw;
    char rows_open[96], rows_sep[48], rows_close[48], rows_empty[96];
    const char *cell_sep;
    size_t cell_sep_len, rows_sep_len;
    /* formats other than Dataset-JSON (backend_internal.h) */
    const dsj_writer_backend_t *backend;
    void *bctx;               /* [owned] */
    dsj_cell_t *bcells;       /* the current row's converted cells */
    size_t *boff;             /* arena offset of each cell's text ((size_t)-1: none) */
    size_t bcap;
    dsj_buf_t barena;
};

/* ---------------------------------------------------------------- options */

void dsj_writer_options_init(dsj_writer_options_t *o)
{
    if (!o) return;
    memset(o, 0, sizeof *o);
    o->format = DSJ_FORMAT_JSON;
    o->version = DSJ_VERSION_UNKNOWN;
    o->compression_level = 6;
}

/* ---------------------------------------------------------------- life cycle */

dsj_writer_t *dsj_writer_new(dsj_sink_t *sink, const dsj_writer_options_t *opts, dsj_error_t *err)
{
    dsj_writer_t *w;
    if (!sink) {
        dsj_err(err, DSJ_E_ARG, "dsj_writer_new: no sink");
        return NULL;
    }
    w = dsj_calloc(1, sizeof *w);
    if (!w) {
        dsj_sink_free(sink);
        dsj_err(err, DSJ_E_NOMEM, "out of memory");
        return NULL;
    }
    if (opts) w->o = *opts;
    else dsj_writer_options_init(&w->o);
    if (w->o.format == DSJ_FORMAT_AUTO) w->o.format = DSJ_FORMAT_JSON;
    if (w->o.format == DSJ_FORMAT_DATASETXML || w->o.format == DSJ_FORMAT_XPT) {
        dsj_status_t st = w->o.format == DSJ_FORMAT_DATASETXML
                              ? dsj_datasetxml_writer_new(&w->o, &w->backend, &w->bctx, err)
                              : dsj_xpt_writer_new(&w->o, &w->backend, &w->bctx, err);
        if (st != DSJ_OK) {
            dsj_sink_free(sink);
            dsj_free(w);
            return NULL;
        }
    } else if (!dsj_format_is_dataset_json(w->o.format)) {
        int f = (int)w->o.format;
        dsj_sink_free(sink);
        dsj_free(w);
        dsj_err(err, DSJ_E_ARG, "unknown output format %d", f);
        return NULL;
    }
    w->user_sink = sink;
    w->sink = sink;
    if (w->o.format == DSJ_FORMAT_DSJC) {
        /* 0 = default 6; -1 = level 0 (stored); otherwise 1..9 */
        int level = w->o.compression_level;
        if (level == 0) level = 6;
        else if (level < 0) level = 0;
        else if (level > 9) level = 9;
        w->sink = dsj_sink_new_deflate(sink, level, w->o.dsjc_zlib ? 1 : 0, err);
        if (!w->sink) { /* the deflate sink took (and freed) the caller's sink */
            dsj_free(w);
            return NULL;
        }
    }
    dsj_buf_init(&w->out);
    dsj_buf_init(&w->scratch);
    w->state = ST_NEW;
    return w;
}

void dsj_writer_free(dsj_writer_t *w)
{
    if (!w) return;
    if (w->backend && w->bctx) w->backend->free(w->bctx);
    dsj_free(w->bcells);
    dsj_free(w->boff);
    dsj_buf_free(&w->barena);
    dsj_sink_free(w->sink); /* without a successful commit the output is abandoned */
    if (w->spool) fclose(w->spool);
    dsj_meta_free(w->meta);
    dsj_conv_plan_free(&w->plan);
    dsj_buf_free(&w->out);
    dsj_buf_free(&w->scratch);
    dsj_free(w);
}

dsj_sink_t *dsj_writer_sink(dsj_writer_t *w) { return w ? w->user_sink : NULL; }

/* ---------------------------------------------------------------- helpers */

static dsj_status_t fail(dsj_writer_t *w, dsj_error_t *err, dsj_status_t code, const char *fmt, const char *a)
{
    if (w) w->state = ST_FAILED;
    return dsj_err(err, code, fmt, a ? a : "");
}

static dsj_status_t state_error(dsj_writer_t *w, dsj_error_t *err, const char *call)
{
    static const char *const names[] = {"before dsj_writer_begin", "between rows", "inside a row",
                                        "after dsj_writer_end", "after an earlier failure"};
    return dsj_err(err, DSJ_E_STATE, "%s called %s", call, names[w->state]);
}

static dsj_status_t flush_out(dsj_writer_t *w, dsj_error_t *err)
{
    if (!w->out.len) return DSJ_OK;
    if (w->spool) {
        if (fwrite(w->out.data, 1, w->out.len, w->spool) != w->out.len)
            return fail(w, err, DSJ_E_IO, "writing the row spool file failed: %s", strerror(errno));
    } else {
        dsj_status_t st = dsj_sink_write(w->sink, w->out.data, w->out.len, err);
        if (st != DSJ_OK) { w->state = ST_FAILED; return st; }
    }
    dsj_buf_reset(&w->out);
    return DSJ_OK;
}

static void jw_indent(jw_t *j, int depth)
{
    int i;
    if (!j->pretty) return;
    j->bad |= dsj_buf_putc(j->b, '\n');
    for (i = 0; i < depth; i++) j->bad |= dsj_buf_append(j->b, "  ", 2);
}

static void jw_sep(jw_t *j)
{
    if (j->count[j->depth]++) j->bad |= dsj_buf_putc(j->b, ',');
    jw_indent(j, j->depth);
}

static void jw_key(jw_t *j, const char *key)
{
    jw_sep(j);
    j->bad |= dsj_buf_json_string(j->b, key, strlen(key));
    j->bad |= j->pretty ? dsj_buf_append(j->b, ": ", 2) : dsj_buf_putc(j->b, ':');
}

static void jw_open(jw_t *j, char c)
{
    j->bad |= dsj_buf_putc(j->b, c);
    if (j->depth < MAX_DEPTH) j->depth++;
    j->count[j->depth] = 0;
}

static void jw_close(jw_t *j, char c)
{
    if (j->count[j->depth]) jw_indent(j, j->depth - 1);
    if (j->depth > 0) j->depth--;
    j->bad |= dsj_buf_putc(j->b, c);
}

static void jw_str(jw_t *j, const char *key, const char *val)
{
    if (!val) return;
    jw_key(j, key);
    j->bad |= dsj_buf_json_string(j->b, val, strlen(val));
}

static void jw_int(jw_t *j, const char *key, int64_t v)
{
    jw_key(j, key);
    j->bad |= dsj_buf_printf(j->b, "%lld", (long long)v);
}

/* One column object on one line ("key": value, ...). */
static void jw_column(jw_t *j, const dsj_column_t *c, int v10)
{
    const char *ks = j->pretty ? "\": " : "\":";
    const char *sep = j->pretty ? ", " : ",";
    int n = 0;
    dsj_buf_t *b = j->b;
#define COLKEY(k) do { if (n++) j->bad |= dsj_buf_puts(b, sep); \
                       j->bad |= dsj_buf_putc(b, '"') | dsj_buf_puts(b, k) | dsj_buf_puts(b, ks); } while (0)
    jw_sep(j);
    j->bad |= dsj_buf_putc(b, '{');
    if (c->item_oid) { COLKEY(v10 ? "OID" : "itemOID"); j->bad |= dsj_buf_json_string(b, c->item_oid, strlen(c->item_oid)); }
    if (c->name) { COLKEY("name"); j->bad |= dsj_buf_json_string(b, c->name, strlen(c->name)); }
    if (c->label) { COLKEY("label"); j->bad |= dsj_buf_json_string(b, c->label, strlen(c->label)); }
    if (c->data_type != DSJ_TYPE_NONE) {
        const char *t = c->data_type == DSJ_TYPE_UNKNOWN && c->data_type_text ? c->data_type_text
                                                                               : dsj_datatype_name(c->data_type);
        COLKEY(v10 ? "type" : "dataType");
        j->bad |= dsj_buf_json_string(b, t, strlen(t));
    }
    if (!v10 && c->target_data_type != DSJ_TYPE_NONE && c->target_data_type != DSJ_TYPE_UNKNOWN) {
        const char *t = dsj_datatype_name(c->target_data_type);
        COLKEY("targetDataType");
        j->bad |= dsj_buf_json_string(b, t, strlen(t));
    }
    if (c->length) { COLKEY("length"); j->bad |= dsj_buf_printf(b, "%lld", (long long)c->length); }
    if (c->display_format) { COLKEY("displayFormat"); j->bad |= dsj_buf_json_string(b, c->display_format, strlen(c->display_format)); }
    if (c->key_sequence) { COLKEY("keySequence"); j->bad |= dsj_buf_printf(b, "%lld", (long long)c->key_sequence); }
    j->bad |= dsj_buf_putc(b, '}');
#undef COLKEY
}

static void jw_columns(jw_t *j, const dsj_meta_t *m, int v10)
{
    size_t i, n = dsj_meta_ncolumns(m);
    jw_key(j, v10 ? "items" : "columns");
    jw_open(j, '[');
    for (i = 0; i < n; i++) jw_column(j, dsj_meta_column(m, i), v10);
    jw_close(j, ']');
}

static int in_list(const char *k, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(k, *list) == 0) return 1;
    return 0;
}

static const char *const keys11[] = {
    "datasetJSONCreationDateTime", "datasetJSONVersion", "fileOID", "dbLastModifiedDateTime", "originator",
    "sourceSystem", "studyOID", "metaDataVersionOID", "metaDataRef", "itemGroupOID", "records", "name", "label",
    "columns", "rows", NULL};
static const char *const keys10[] = {
    "creationDateTime", "datasetJSONVersion", "fileOID", "asOfDateTime", "originator", "sourceSystem",
    "sourceSystemVersion", NULL};
static const char *const keys10_data[] = {"studyOID", "metaDataVersionOID", "metaDataRef", "itemGroupData", NULL};

/* Write the extras of one level.  level: 0 = 1.1 root, 1 = 1.0 root, 2 = 1.0 data level. */
static void jw_extras(jw_t *j, const dsj_meta_t *m, int level, const char *data_key)
{
    struct json_object *ex = dsj_meta_extra(m);
    if (!ex || !json_object_is_type(ex, json_type_object)) return;
    {
        json_object_object_foreach(ex, k, v) {
            const char *key = k, *text;
            int is_data = strncmp(k, "data:", 5) == 0;
            if (level == 2) {
                if (!is_data) continue;
                key = k + 5;
                if (in_list(key, keys10_data)) continue;
            } else if (level == 1) {
                if (is_data || in_list(key, keys10) || strcmp(key, data_key) == 0) continue;
            } else if (in_list(key, keys11)) {
                continue;
            }
            jw_key(j, key);
            text = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
            j->bad |= dsj_buf_puts(j->b, text ? text : "null");
        }
    }
}

/* The metadata, leaving the innermost object open (JSON) or closed with a newline (NDJSON). */
static dsj_status_t emit_meta(dsj_writer_t *w, int64_t records, dsj_error_t *err)
{
    const dsj_meta_t *m = w->meta;
    jw_t *j = &w->jw;
    const char *ssn = dsj_meta_get(m, DSJ_META_SOURCE_SYSTEM_NAME);
    const char *ssv = dsj_meta_get(m, DSJ_META_SOURCE_SYSTEM_VERSION);
    memset(j, 0, sizeof *j);
    j->b = &w->out;
    j->pretty = w->o.pretty && w->json;
    jw_open(j, '{');
    if (!w->v10) {
        jw_str(j, "datasetJSONCreationDateTime", dsj_meta_get(m, DSJ_META_CREATION_DATETIME));
        jw_str(j, "datasetJSONVersion", dsj_meta_get(m, DSJ_META_DATASET_JSON_VERSION));
        jw_str(j, "fileOID", dsj_meta_get(m, DSJ_META_FILE_OID));
        jw_str(j, "dbLastModifiedDateTime", dsj_meta_get(m, DSJ_META_DB_LAST_MODIFIED_DATETIME));
        jw_str(j, "originator", dsj_meta_get(m, DSJ_META_ORIGINATOR));
        if (ssn || ssv) {
            jw_key(j, "sourceSystem");
            jw_open(j, '{');
            jw_str(j, "name", ssn);
            jw_str(j, "version", ssv);
            jw_close(j, '}');
        }
        jw_str(j, "studyOID", dsj_meta_get(m, DSJ_META_STUDY_OID));
        jw_str(j, "metaDataVersionOID", dsj_meta_get(m, DSJ_META_METADATA_VERSION_OID));
        jw_str(j, "metaDataRef", dsj_meta_get(m, DSJ_META_METADATA_REF));
        jw_str(j, "itemGroupOID", dsj_meta_get(m, DSJ_META_ITEMGROUP_OID));
        jw_int(j, "records", records);
        jw_str(j, "name", dsj_meta_get(m, DSJ_META_NAME));
        jw_str(j, "label", dsj_meta_get(m, DSJ_META_LABEL));
        jw_columns(j, m, 0);
        jw_extras(j, m, 0, NULL);
    } else {
        const char *data_key = dsj_meta_is_reference_data(m) ? "referenceData" : "clinicalData";
        const char *ig = dsj_meta_get(m, DSJ_META_ITEMGROUP_OID);
        jw_str(j, "creationDateTime", dsj_meta_get(m, DSJ_META_CREATION_DATETIME));
        jw_str(j, "datasetJSONVersion", dsj_meta_get(m, DSJ_META_DATASET_JSON_VERSION));
        jw_str(j, "fileOID", dsj_meta_get(m, DSJ_META_FILE_OID));
        jw_str(j, "asOfDateTime", dsj_meta_get(m, DSJ_META_AS_OF_DATETIME));
        jw_str(j, "originator", dsj_meta_get(m, DSJ_META_ORIGINATOR));
        jw_str(j, "sourceSystem", ssn);
        jw_str(j, "sourceSystemVersion", ssv);
        jw_extras(j, m, 1, data_key);
        jw_key(j, data_key);
        jw_open(j, '{');
        jw_str(j, "studyOID", dsj_meta_get(m, DSJ_META_STUDY_OID));
        jw_str(j, "metaDataVersionOID", dsj_meta_get(m, DSJ_META_METADATA_VERSION_OID));
        jw_str(j, "metaDataRef", dsj_meta_get(m, DSJ_META_METADATA_REF));
        jw_extras(j, m, 2, NULL);
        jw_key(j, "itemGroupData");
        jw_open(j, '{');
        jw_key(j, ig);
        jw_open(j, '{');
        jw_int(j, "records", records);
        jw_str(j, "name", dsj_meta_get(m, DSJ_META_NAME));
        jw_str(j, "label", dsj_meta_get(m, DSJ_META_LABEL));
        jw_columns(j, m, 1);
    }
    if (!w->json) {
        jw_close(j, '}');
        j->bad |= dsj_buf_putc(j->b, '\n');
    }
    if (j->bad) return fail(w, err, DSJ_E_NOMEM, "out of memory writing the metadata%s", NULL);
    return DSJ_OK;
}

/* Closing text: the rows array (or its absence) and the open objects. */
static dsj_status_t emit_trailer(dsj_writer_t *w, dsj_error_t *err)
{
    jw_t *j = &w->jw;
    int bad = 0;
    if (!w->json) return DSJ_OK;
    j->b = &w->out;
    if (w->nrows) bad |= dsj_buf_puts(&w->out, w->rows_close);
    else if (w->has_rows_meta || w->v10) bad |= dsj_buf_puts(&w->out, w->rows_empty);
    while (j->depth > 0) jw_close(j, '}');
    if (j->pretty) bad |= dsj_buf_putc(&w->out, '\n');
    if (bad || j->bad) return fail(w, err, DSJ_E_NOMEM, "out of memory%s", NULL);
    return DSJ_OK;
}

static void make_row_strings(dsj_writer_t *w)
{
    const char *key = w->v10 ? "itemData" : "rows";
    int d = w->v10 ? 4 : 1; /* depth of the object holding the rows */
    char ind[32], ind1[32];
    int pretty = w->o.pretty && w->json;
    memset(ind, ' ', sizeof ind);
    memset(ind1, ' ', sizeof ind1);
    ind[d * 2] = '\0';
    ind1[(d + 1) * 2] = '\0';
    if (!w->json) {
        w->rows_open[0] = w->rows_sep[0] = w->rows_close[0] = w->rows_empty[0] = '\0';
    } else if (pretty) {
        snprintf(w->rows_open, sizeof w->rows_open, ",\n%s\"%s\": [\n%s", ind, key, ind1);
        snprintf(w->rows_sep, sizeof w->rows_sep, ",\n%s", ind1);
        snprintf(w->rows_close, sizeof w->rows_close, "\n%s]", ind);
        snprintf(w->rows_empty, sizeof w->rows_empty, ",\n%s\"%s\": []", ind, key);
    } else {
        snprintf(w->rows_open, sizeof w->rows_open, ",\"%s\":[", key);
        snprintf(w->rows_sep, sizeof w->rows_sep, ",");
        snprintf(w->rows_close, sizeof w->rows_close, "]");
        snprintf(w->rows_empty, sizeof w->rows_empty, ",\"%s\":[]", key);
    }
    w->rows_sep_len = strlen(w->rows_sep);
    w->cell_sep = pretty ? ", " : ",";
    w->cell_sep_len = strlen(w->cell_sep);
}

/* ---------------------------------------------------------------- begin */

static int utf8_ok(const char *s) { return !s || dsj_utf8_check(s, strlen(s)) == strlen(s); }

/* The writer never produces invalid UTF-8: metadata texts are checked once here. */
static dsj_status_t check_meta_utf8(const dsj_meta_t *m, dsj_error_t *err)
{
    size_t i;
    int a;
    for (a = 0; a < DSJ_META__COUNT; a++)
        if (!utf8_ok(dsj_meta_get(m, (dsj_meta_attr_t)a)))
            return dsj_err(err, DSJ_E_ENCODING, "metadata attribute %s is not valid UTF-8",
                           dsj_meta_attr_name((dsj_meta_attr_t)a, dsj_meta_version(m)));
    for (i = 0; i < dsj_meta_ncolumns(m); i++) {
        const dsj_column_t *c = dsj_meta_column(m, i);
        if (!utf8_ok(c->item_oid) || !utf8_ok(c->name) || !utf8_ok(c->label) || !utf8_ok(c->display_format) ||
            (c->data_type == DSJ_TYPE_UNKNOWN && !utf8_ok(c->data_type_text)))
            return dsj_err(err, DSJ_E_ENCODING, "column %zu metadata is not valid UTF-8", i + 1);
    }
    return DSJ_OK;
}

static dsj_status_t backend_begin(dsj_writer_t *w, const dsj_meta_t *meta, dsj_error_t *err);

dsj_status_t dsj_writer_begin(dsj_writer_t *w, const dsj_meta_t *meta, dsj_error_t *err)
{
    dsj_version_t in_v, out_v;
    dsj_status_t st;
    if (!w || !meta) return dsj_err(err, DSJ_E_ARG, "dsj_writer_begin: no writer or metadata");
    if (w->state != ST_NEW) return state_error(w, err, "dsj_writer_begin");
    in_v = dsj_meta_version(meta);
    out_v = w->o.version != DSJ_VERSION_UNKNOWN ? w->o.version : in_v;
    if (w->backend) {
        if (w->o.version == DSJ_V1_0)
            return fail(w, err, DSJ_E_UNSUPPORTED, "a Dataset-JSON version applies to Dataset-JSON output only%s", NULL);
        return backend_begin(w, meta, err);
    }
    if (in_v != DSJ_V1_0 && in_v != DSJ_V1_1)
        return fail(w, err, DSJ_E_ARG, "the metadata has no Dataset-JSON version (1.0 or 1.1)%s", NULL);
    if (out_v != DSJ_V1_0 && out_v != DSJ_V1_1)
        return fail(w, err, DSJ_E_UNSUPPORTED, "output version must be 1.0 or 1.1%s", NULL);
    if (out_v == DSJ_V1_0 && w->o.format != DSJ_FORMAT_JSON)
        return fail(w, err, DSJ_E_UNSUPPORTED, "%s exists only for Dataset-JSON 1.1; write JSON for 1.0",
                    w->o.format == DSJ_FORMAT_NDJSON ? "NDJSON" : "DSJC");
    st = dsj_convert_meta(meta, out_v, &w->meta, &w->plan, w->o.on_finding, w->o.finding_ctx, err);
    if (st != DSJ_OK) { w->state = ST_FAILED; return st; }
    w->converting = in_v != out_v;
    w->in_ncols = dsj_meta_ncolumns(meta);
    w->v10 = out_v == DSJ_V1_0;
    w->json = w->o.format == DSJ_FORMAT_JSON;
    w->has_records = dsj_meta_records(meta, &w->records);
    w->has_rows_meta = dsj_meta_has_rows(meta);
    if ((st = check_meta_utf8(w->meta, err)) != DSJ_OK) { w->state = ST_FAILED; return st; }
    if (w->v10 && !dsj_meta_get(w->meta, DSJ_META_ITEMGROUP_OID))
        return fail(w, err, DSJ_E_ARG, "Dataset-JSON 1.0 output needs an itemGroupOID (the itemGroupData key)%s", NULL);
    make_row_strings(w);
    if (w->has_records) {
        st = emit_meta(w, w->records, err);
        if (st != DSJ_OK) return st;
    } else if (!(w->spool = tmpfile())) {
        return fail(w, err, DSJ_E_IO, "cannot create a temporary file to spool the rows: %s", strerror(errno));
    }
    w->state = ST_BEGUN;
    return DSJ_OK;
}

/* ---------------------------------------------------------------- other formats */

/* Conversion findings for a backend: the 1.0 -> 1.1 "lost" warnings for referenceData and asOfDateTime are
   dropped, since both are carried past 1.1 to the backend (Dataset-XML has them). ctx: the writer. */
static int backend_conv_finding(const dsj_finding_t *f, void *ctx)
{
    dsj_writer_t *w = ctx;
    if (w->o.format == DSJ_FORMAT_DATASETXML && f->rule && strcmp(f->rule, "DSJ-CONVERT-LOSS") == 0 && f->pointer &&
        (strcmp(f->pointer, "/referenceData") == 0 || strcmp(f->pointer, "/asOfDateTime") == 0))
        return 0;
    return w->o.on_finding ? w->o.on_finding(f, w->o.finding_ctx) : 0;
}

/* Metadata converted to 1.1 (the plan turns 1.0 cells into 1.1 ones), then the backend's begin. */
static dsj_status_t backend_begin(dsj_writer_t *w, const dsj_meta_t *meta, dsj_error_t *err)
{
    dsj_version_t in_v = dsj_meta_version(meta);
    dsj_status_t st;
    if (in_v != DSJ_V1_0 && in_v != DSJ_V1_1)
        return fail(w, err, DSJ_E_ARG, "the metadata has no Dataset-JSON version (1.0 or 1.1)%s", NULL);
    st = dsj_convert_meta(meta, DSJ_V1_1, &w->meta, &w->plan, backend_conv_finding, w, err);
    if (st != DSJ_OK) { w->state = ST_FAILED; return st; }
    /* 1.0 referenceData and asOfDateTime have exact Dataset-XML counterparts: keep them for the backend. */
    dsj_meta_set_reference_data(w->meta, dsj_meta_is_reference_data(meta));
    if (in_v == DSJ_V1_0 && dsj_meta_get(meta, DSJ_META_AS_OF_DATETIME) &&
        dsj_meta_set(w->meta, DSJ_META_AS_OF_DATETIME, dsj_meta_get(meta, DSJ_META_AS_OF_DATETIME)) != DSJ_OK)
        return fail(w, err, DSJ_E_NOMEM, "out of memory%s", NULL);
    w->converting = in_v != DSJ_V1_1;
    w->in_ncols = dsj_meta_ncolumns(meta);
    w->has_records = dsj_meta_records(meta, &w->records);
    w->has_rows_meta = dsj_meta_has_rows(meta);
    if ((st = check_meta_utf8(w->meta, err)) != DSJ_OK) { w->state = ST_FAILED; return st; }
    w->bcap = w->in_ncols ? w->in_ncols : 1;
    w->bcells = dsj_calloc(w->bcap, sizeof *w->bcells);
    w->boff = dsj_calloc(w->bcap, sizeof *w->boff);
    if (!w->bcells || !w->boff) return fail(w, err, DSJ_E_NOMEM, "out of memory%s", NULL);
    dsj_buf_init(&w->barena);
    if ((st = w->backend->begin(w->bctx, w->meta, w->sink, err)) != DSJ_OK) { w->state = ST_FAILED; return st; }
    w->state = ST_BEGUN;
    return DSJ_OK;
}

/* Keep a converted copy of cell c of input column i for the backend's row. */
static dsj_status_t backend_cell(dsj_writer_t *w, const dsj_cell_t *c, size_t i, dsj_error_t *err)
{
    dsj_cell_t conv;
    size_t k = w->out_cells;
    if (w->converting) {
        dsj_conv_op_t op = w->plan.ops[i];
        if (op == DSJ_CONV_DROP) return DSJ_OK;
        if (op != DSJ_CONV_COPY) {
            int r = dsj_convert_cell(op, c, &conv, &w->scratch);
            if (r < 0) return fail(w, err, DSJ_E_NOMEM, "out of memory%s", NULL);
            c = &conv;
        }
    }
    if (k >= w->bcap) return fail(w, err, DSJ_E_MISMATCH, "too many cells in a row%s", NULL);
    w->bcells[k] = *c;
    w->boff[k] = (size_t)-1;
    if (c->text) {
        w->boff[k] = w->barena.len;
        if (dsj_buf_append(&w->barena, c->text, c->len) || dsj_buf_putc(&w->barena, '\0'))
            return fail(w, err, DSJ_E_NOMEM, "out of memory%s", NULL);
    }
    w->out_cells++;
    return DSJ_OK;
}

/* The row is complete: point the cells at the arena and hand the row to the backend. */
static dsj_status_t backend_row_end(dsj_writer_t *w, dsj_error_t *err)
{
    dsj_row_t row;
    dsj_status_t st;
    size_t k;
    for (k = 0; k < w->out_cells; k++)
        if (w->boff[k] != (size_t)-1) w->bcells[k].text = w->barena.data + w->boff[k];
    memset(&row, 0, sizeof row);
    row.index = w->nrows + 1;
    row.ncells = w->out_cells;
    row.cells = w->bcells;
    st = w->backend->row(w->bctx, &row, err);
    if (st != DSJ_OK) { w->state = ST_FAILED; return st; }
    w->nrows++;
    w->state = ST_BEGUN;
    return DSJ_OK;
}

/* ---------------------------------------------------------------- rows */

static dsj_status_t row_reject(dsj_writer_t *w, dsj_error_t *err, dsj_status_t code, const char *fmt, ...)
    DSJ_PRINTF(4, 5);

static dsj_status_t row_reject(dsj_writer_t *w, dsj_error_t *err, dsj_status_t code, const char *fmt, ...)
{
    va_list ap;
    char msg[512];
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    w->out.len = w->row_mark;
    if (w->out.data) w->out.data[w->out.len] = '\0';
    w->state = ST_BEGUN;
    return dsj_err(err, code, "%s", msg);
}

/* ---- hot path helpers: the row text is built with direct stores; the
 * buffer is not kept NUL-terminated while rows are written (only len counts). */

/* Make room for n more bytes. */
static inline int out_room(dsj_buf_t *b, size_t n)
{
    return DSJ_LIKELY(b->cap - b->len > n) ? 0 : dsj_buf_reserve(b, n);
}

/* memcpy for the many short texts of a row: fixed-size (inlined) overlapping
 * copies up to 16 bytes, the library memcpy above. */
static inline void copy_text(char *d, const char *s, size_t n)
{
    if (n >= 8 && n <= 16) {
        memcpy(d, s, 8);
        memcpy(d + n - 8, s + n - 8, 8);
    } else if (n >= 4 && n < 8) {
        memcpy(d, s, 4);
        memcpy(d + n - 4, s + n - 4, 4);
    } else if (n < 4) {
        if (n) d[0] = s[0];
        if (n > 1) d[1] = s[1];
        if (n > 2) d[2] = s[2];
    } else {
        memcpy(d, s, n);
    }
}

static inline void out_put(dsj_buf_t *b, const char *s, size_t n)
{
    copy_text(b->data + b->len, s, n);
    b->len += n;
}

#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

/* Length of the prefix of s that needs no JSON escaping (8 bytes at a time:
 * a block is plain when it has no byte < 0x20, no '"' and no '\\').  *high
 * is set when the prefix holds bytes >= 0x80 (then UTF-8 must be checked). */
static inline size_t plain_run(const char *s, size_t n, int *high)
{
    size_t i = 0;
    uint64_t hi = 0;
    unsigned hb = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t x, q, bs;
        memcpy(&x, s + i, 8);
        q = x ^ (ONES * '"');
        bs = x ^ (ONES * '\\');
        if ((((x - ONES * 0x20) & ~x) | ((q - ONES) & ~q) | ((bs - ONES) & ~bs)) & HIGHS) break;
        hi |= x;
    }
    for (; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == '"' || c == '\\') break;
        hb |= c;
    }
    *high = ((hi & HIGHS) != 0) | ((hb & 0x80u) != 0);
    return i;
}

/* Decimal text of v into the buffer (room must exist for 20 bytes). */
static inline void out_u64(dsj_buf_t *b, uint64_t v)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[sizeof tmp - 1 - n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    out_put(b, tmp + sizeof tmp - n, (size_t)n);
}

dsj_status_t dsj_writer_row_begin(dsj_writer_t *w, dsj_error_t *err)
{
    dsj_buf_t *b;
    if (!w) return dsj_err(err, DSJ_E_ARG, "no writer");
    if (w->state != ST_BEGUN) return state_error(w, err, "dsj_writer_row_begin");
    if (w->backend) {
        w->cell_i = 0;
        w->out_cells = 0;
        dsj_buf_reset(&w->barena);
        w->state = ST_ROW;
        return DSJ_OK;
    }
    b = &w->out;
    w->row_mark = b->len;
    if (out_room(b, sizeof w->rows_open + 24)) return row_reject(w, err, DSJ_E_NOMEM, "out of memory");
    if (w->nrows) out_put(b, w->rows_sep, w->rows_sep_len);
    else out_put(b, w->rows_open, strlen(w->rows_open));
    b->data[b->len++] = '[';
    w->cell_i = 0;
    w->out_cells = 0;
    if (w->plan.add_seq) {
        out_u64(b, w->nrows + 1);
        w->out_cells = 1;
    }
    w->state = ST_ROW;
    return DSJ_OK;
}

static int bool_value(const dsj_cell_t *c)
{
    if (c->text && c->len == 4 && memcmp(c->text, "true", 4) == 0) return 1;
    if (c->text && c->len == 5 && memcmp(c->text, "false", 5) == 0) return 0;
    return -1;
}

static const char *col_name(const dsj_writer_t *w, size_t i)
{
    const char *n = i < w->plan.in_ncols && w->plan.col_names ? w->plan.col_names[i] : NULL;
    return n ? n : "?";
}

/* Returns the callback's answer (non-zero: stop). */
static int value_warning(dsj_writer_t *w, const dsj_cell_t *c, size_t i)
{
    char ptr[64];
    int q = c->kind == DSJ_CELL_STRING;
    w->plan.warned[i] = 1;
    snprintf(ptr, sizeof ptr, "/rows/%llu/%zu", (unsigned long long)w->nrows, i);
    return dsj_emit(w->o.on_finding, w->o.finding_ctx, "DSJ-CONVERT-VALUE", DSJ_SEV_WARNING, NULL, 0, 0, 0,
             ptr, w->nrows + 1, col_name(w, i),
             "value %s%.*s%s of column %s cannot be converted for Dataset-JSON %s: written unchanged "
             "(reported once per column)",
             q ? "\"" : "", (int)(c->len > 60 ? 60 : c->len), c->text ? c->text : "null", q ? "\"" : "",
             col_name(w, i), w->v10 ? "1.0" : "1.1");
}

/* Write cell c of input column i (inside a row; state and width already checked). */
static dsj_status_t emit_cell(dsj_writer_t *w, const dsj_cell_t *c, size_t i, dsj_error_t *err)
{
    dsj_buf_t *b = &w->out;
    dsj_cell_t conv;
    size_t n;
    if (DSJ_UNLIKELY(w->backend != NULL)) return backend_cell(w, c, i, err);
    if (w->converting) {
        dsj_conv_op_t op = w->plan.ops[i];
        if (op == DSJ_CONV_DROP) return DSJ_OK;
        if (op != DSJ_CONV_COPY) {
            int r = dsj_convert_cell(op, c, &conv, &w->scratch);
            if (r < 0) return row_reject(w, err, DSJ_E_NOMEM, "out of memory");
            if (r == 0 && !w->plan.warned[i] && value_warning(w, c, i))
                return fail(w, err, DSJ_E_ABORTED, "writing stopped by the finding callback%s", NULL);
            c = &conv;
        }
    }
    n = c->text ? c->len : 0;
    if (DSJ_UNLIKELY(out_room(b, n + 8))) return row_reject(w, err, DSJ_E_NOMEM, "out of memory");
    if (w->out_cells++) out_put(b, w->cell_sep, w->cell_sep_len);
    switch (c->kind) {
    case DSJ_CELL_STRING: {
        int high;
        size_t plain = plain_run(c->text, n, &high);
        if (DSJ_UNLIKELY(high || plain != n)) {
            size_t bad = dsj_utf8_check(c->text, n);
            if (bad != n)
                return row_reject(w, err, DSJ_E_ENCODING, "row %llu, column %s: invalid UTF-8 at byte %zu of the string",
                                  (unsigned long long)(w->nrows + 1), col_name(w, i), bad);
        }
        if (DSJ_LIKELY(plain == n)) {
            char *p = b->data + b->len;
            p[0] = '"';
            copy_text(p + 1, c->text, n);
            p[n + 1] = '"';
            b->len += n + 2;
        } else if (dsj_buf_json_string(b, c->text, n)) {
            return row_reject(w, err, DSJ_E_NOMEM, "out of memory");
        }
        return DSJ_OK;
    }
    case DSJ_CELL_INTEGER:
    case DSJ_CELL_NUMBER:
        if (DSJ_UNLIKELY(!dsj_json_number_valid(c->text, n)))
            return row_reject(w, err, DSJ_E_TYPE, "row %llu, column %s: \"%.*s\" is not a JSON number",
                              (unsigned long long)(w->nrows + 1), col_name(w, i),
                              (int)(n > 60 ? 60 : n), c->text ? c->text : "");
        out_put(b, c->text, n);
        return DSJ_OK;
    case DSJ_CELL_NULL:
        out_put(b, "null", 4);
        return DSJ_OK;
    case DSJ_CELL_BOOLEAN: {
        int v = bool_value(c);
        if (v < 0)
            return row_reject(w, err, DSJ_E_TYPE, "row %llu, column %s: boolean cell text is not true/false",
                              (unsigned long long)(w->nrows + 1), col_name(w, i));
        if (v) out_put(b, "true", 4);
        else out_put(b, "false", 5);
        return DSJ_OK;
    }
    default:
        return row_reject(w, err, DSJ_E_TYPE, "row %llu, column %s: objects and arrays cannot be written as cells",
                          (unsigned long long)(w->nrows + 1), col_name(w, i));
    }
}

static dsj_status_t put_cell(dsj_writer_t *w, const dsj_cell_t *c, dsj_error_t *err)
{
    if (DSJ_UNLIKELY(w->state != ST_ROW)) return state_error(w, err, "dsj_writer_put_*");
    if (DSJ_UNLIKELY(w->cell_i >= w->in_ncols))
        return row_reject(w, err, DSJ_E_MISMATCH, "row %llu has more cells than the %zu columns of the metadata",
                          (unsigned long long)(w->nrows + 1), w->in_ncols);
    return emit_cell(w, c, w->cell_i++, err);
}

dsj_status_t dsj_writer_row_end(dsj_writer_t *w, dsj_error_t *err)
{
    dsj_buf_t *b;
    if (!w) return dsj_err(err, DSJ_E_ARG, "no writer");
    if (w->state != ST_ROW) return state_error(w, err, "dsj_writer_row_end");
    if (w->cell_i != w->in_ncols)
        return row_reject(w, err, DSJ_E_MISMATCH, "row %llu has %zu cells but the metadata has %zu columns",
                          (unsigned long long)(w->nrows + 1), w->cell_i, w->in_ncols);
    if (w->backend) return backend_row_end(w, err);
    b = &w->out;
    if (out_room(b, 2)) return row_reject(w, err, DSJ_E_NOMEM, "out of memory");
    b->data[b->len++] = ']';
    if (!w->json) b->data[b->len++] = '\n';
    w->nrows++;
    w->state = ST_BEGUN;
    if (b->len >= FLUSH_AT) return flush_out(w, err);
    return DSJ_OK;
}

dsj_status_t dsj_writer_write_row(dsj_writer_t *w, const dsj_row_t *row, dsj_error_t *err)
{
    dsj_status_t st;
    size_t i;
    if (!w || !row || (row->ncells && !row->cells))
        return dsj_err(err, DSJ_E_ARG, "dsj_writer_write_row: no writer or row");
    if (w->state != ST_BEGUN) return state_error(w, err, "dsj_writer_write_row");
    if (row->ncells != w->in_ncols)
        return dsj_err(err, DSJ_E_MISMATCH, "row %llu has %zu cells but the metadata has %zu columns",
                             (unsigned long long)(w->nrows + 1), row->ncells, w->in_ncols);
    if ((st = dsj_writer_row_begin(w, err)) != DSJ_OK) return st;
    for (i = 0; i < row->ncells; i++)
        if (DSJ_UNLIKELY((st = emit_cell(w, &row->cells[i], i, err)) != DSJ_OK)) return st;
    w->cell_i = row->ncells;
    return dsj_writer_row_end(w, err);
}

dsj_status_t dsj_writer_put_cell(dsj_writer_t *w, const dsj_cell_t *c, dsj_error_t *err)
{
    if (!w || !c) return dsj_err(err, DSJ_E_ARG, "dsj_writer_put_cell: no writer or cell");
    return put_cell(w, c, err);
}

static dsj_status_t put_simple(dsj_writer_t *w, dsj_cell_kind_t kind, const char *text, size_t len, dsj_error_t *err)
{
    dsj_cell_t c;
    if (!w) return dsj_err(err, DSJ_E_ARG, "no writer");
    memset(&c, 0, sizeof c);
    c.kind = kind;
    c.text = text;
    c.len = len;
    return put_cell(w, &c, err);
}

dsj_status_t dsj_writer_put_null(dsj_writer_t *w, dsj_error_t *err)
{
    return put_simple(w, DSJ_CELL_NULL, NULL, 0, err);
}

dsj_status_t dsj_writer_put_string(dsj_writer_t *w, const char *s, size_t len, dsj_error_t *err)
{
    if (!s && len) return dsj_err(err, DSJ_E_ARG, "dsj_writer_put_string: NULL text");
    return put_simple(w, DSJ_CELL_STRING, s ? s : "", len, err);
}

dsj_status_t dsj_writer_put_int64(dsj_writer_t *w, int64_t v, dsj_error_t *err)
{
    char tmp[24];
    int n = snprintf(tmp, sizeof tmp, "%lld", (long long)v);
    return put_simple(w, DSJ_CELL_INTEGER, tmp, (size_t)n, err);
}

static dsj_cell_kind_t number_kind(const char *s, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (s[i] == '.' || s[i] == 'e' || s[i] == 'E') return DSJ_CELL_NUMBER;
    return DSJ_CELL_INTEGER;
}

dsj_status_t dsj_writer_put_number_text(dsj_writer_t *w, const char *text, size_t len, dsj_error_t *err)
{
    if (!text || !dsj_json_number_valid(text, len))
        return dsj_err(err, DSJ_E_ARG, "\"%.*s\" is not a JSON number",
                             (int)(len > 60 || !text ? 0 : len), text ? text : "");
    return put_simple(w, number_kind(text, len), text, len, err);
}

dsj_status_t dsj_writer_put_double(dsj_writer_t *w, double v, dsj_error_t *err)
{
    char tmp[40];
    int p, n = 0;
    if (!isfinite(v))
        return dsj_err(err, DSJ_E_RANGE, "JSON has no NaN or infinity");
    for (p = 15; p <= 17; p++) {
        n = snprintf(tmp, sizeof tmp, "%.*g", p, v);
        if (strtod(tmp, NULL) == v) break;
    }
    return put_simple(w, number_kind(tmp, (size_t)n), tmp, (size_t)n, err);
}

dsj_status_t dsj_writer_put_bool(dsj_writer_t *w, int v, dsj_error_t *err)
{
    return v ? put_simple(w, DSJ_CELL_BOOLEAN, "true", 4, err) : put_simple(w, DSJ_CELL_BOOLEAN, "false", 5, err);
}

/* ---------------------------------------------------------------- end */

static dsj_status_t copy_spool(dsj_writer_t *w, dsj_error_t *err)
{
    char *chunk;
    size_t n;
    dsj_status_t st = DSJ_OK;
    if (fflush(w->spool) != 0 || fseek(w->spool, 0, SEEK_SET) != 0)
        return fail(w, err, DSJ_E_IO, "rewinding the row spool file failed: %s", strerror(errno));
    chunk = dsj_malloc(FLUSH_AT);
    if (!chunk) return fail(w, err, DSJ_E_NOMEM, "out of memory%s", NULL);
    while ((n = fread(chunk, 1, FLUSH_AT, w->spool)) > 0)
        if ((st = dsj_sink_write(w->sink, chunk, n, err)) != DSJ_OK) break;
    if (st == DSJ_OK && ferror(w->spool)) st = fail(w, err, DSJ_E_IO, "reading the row spool file failed: %s", strerror(errno));
    dsj_free(chunk);
    if (st != DSJ_OK) w->state = ST_FAILED;
    return st;
}

dsj_status_t dsj_writer_end(dsj_writer_t *w, dsj_error_t *err)
{
    dsj_status_t st;
    if (!w) return dsj_err(err, DSJ_E_ARG, "no writer");
    if (w->state != ST_BEGUN) return state_error(w, err, "dsj_writer_end");
    if (w->has_records && (uint64_t)w->records != w->nrows && !(w->nrows == 0 && !w->has_rows_meta)) {
        char msg[128];
        snprintf(msg, sizeof msg, "records says %lld but %llu rows were written", (long long)w->records,
                 (unsigned long long)w->nrows);
        return fail(w, err, DSJ_E_MISMATCH, "%s", msg);
    }
    if (w->backend) {
        if ((st = w->backend->end(w->bctx, err)) != DSJ_OK) { w->state = ST_FAILED; return st; }
        w->state = ST_ENDED;
        return DSJ_OK;
    }
    if (w->spool) {
        if ((st = flush_out(w, err)) != DSJ_OK) return st;
        fflush(w->spool);
        {
            FILE *sp = w->spool;
            w->spool = NULL; /* metadata goes to the sink */
            st = emit_meta(w, (int64_t)w->nrows, err);
            if (st == DSJ_OK) st = flush_out(w, err);
            w->spool = sp;
        }
        if (st != DSJ_OK) return st;
        if ((st = copy_spool(w, err)) != DSJ_OK) return st;
        fclose(w->spool);
        w->spool = NULL;
    }
    if ((st = emit_trailer(w, err)) != DSJ_OK) return st;
    if ((st = flush_out(w, err)) != DSJ_OK) return st;
    if ((st = dsj_sink_commit(w->sink, err)) != DSJ_OK) { w->state = ST_FAILED; return st; }
    w->state = ST_ENDED;
    return DSJ_OK;
}
