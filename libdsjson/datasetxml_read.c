/*
 * Dataset-XML 1.0 reader (issue 4): streams an ODM 1.3.2 Dataset-XML file
 * with the libxml2 SAX2 push parser and delivers one row per ItemGroupData,
 * typed by the Define-XML given in the reader options.  docs/datasetxml.md
 * describes the mapping, the findings (DXML-*) and the limits.
 *
 * Flow: open counts the ItemGroupData elements by a byte scan when the source
 * can seek (records), then feeds the parser until the first ItemGroupData
 * start tag, where the metadata is built from the define.  next() feeds the
 * parser one slice (64 KiB) at a time until a row is complete.  SAX callbacks
 * append finished rows to a batch (cells + one text arena), which holds at
 * most the rows of one slice plus the row in progress: memory stays bounded.
 *
 * Security: XML_PARSE_NONET, never NOENT or DTDLOAD; a DOCTYPE stops the parse
 * (no entity can be declared, so none is expanded and no external file is read).
 */
#include "backend_internal.h"
#include "datasetxml_read_internal.h"

#include <inttypes.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define ODM_NS "http://www.cdisc.org/ns/odm/v1.3"
#define DATA_NS "http://www.cdisc.org/ns/Dataset-XML/v1.0"
#define DXR_CHUNK (256u * 1024u) /* bytes read from the source at a time */
#define DXR_SLICE (64u * 1024u)  /* bytes given to xmlParseChunk at a time */
#define VAL_SHOW 60              /* value bytes quoted in messages */

typedef struct dxr_col {
    char *oid;      /* [owned] ItemOID */
    size_t oid_len;
    char *name;     /* [owned] column name */
    dsj_dxml_coltype_t t;
} dxr_col_t;

typedef struct dxr {
    dsj_source_t *src;      /* [owned] */
    char *file;             /* [owned] name in messages */
    xmlParserCtxtPtr ctxt;  /* [owned] */
    unsigned char *chunk;   /* [owned] DXR_CHUNK bytes */
    size_t chunk_len, chunk_pos;
    uint64_t bytes;         /* bytes given to the parser */
    int src_eof, finished;  /* source at end; parser told to terminate */
    dsj_finding_cb cb;
    void *cbctx;
    const dsj_define_t *def; /* [borrowed] */
    /* interned names (ctxt->dict) [borrowed] */
    const xmlChar *n_odm, *n_clin, *n_ref, *n_igd, *n_id;
    const xmlChar *a_itemoid, *a_value, *a_isnull; /* attribute names, compared by pointer first */
    /* element nesting */
    unsigned depth, data_depth, row_depth, item_depth;
    int ndata;              /* ClinicalData/ReferenceData elements seen */
    int fatal;              /* ferr holds the first fatal error */
    dsj_error_t ferr;
    /* prolog values [owned] */
    char *file_oid, *as_of, *originator, *ss_name, *ss_version, *prior_file_oid;
    char *study_oid, *mdv_oid, *ig_oid;
    int reference_data;
    uint64_t ig_line;
    /* metadata: built at the first ItemGroupData, or at the end of an empty file */
    dsj_meta_t *meta;       /* [owned] until handed to the reader */
    int meta_ready;
    int have_records;
    int64_t records;
    /* columns */
    dxr_col_t *cols;        /* [owned] */
    size_t ncols;
    uint32_t *hash;         /* [owned] open addressing: column index + 1, 0 = empty */
    size_t hmask;
    size_t next_col;        /* guess for the next ItemData: the column after the last one */
    /* batch of finished rows (plus the row in progress at the end) */
    dsj_cell_t *cells;      /* [owned] rows_cap * ncols */
    size_t *toff;           /* [owned] text offset of each cell in text */
    uint64_t *seen_line;    /* [owned] line of each cell's ItemData in the row in progress (0 = none) */
    size_t rows_cap;
    dsj_row_t *rows;        /* [owned] */
    size_t nrows_b, ndelivered;
    dsj_buf_t text;
    /* row in progress */
    int in_row, row_foreign;
    size_t row_text0;
    dsj_row_t cur;
    uint64_t nrows;         /* ItemGroupData started */
    int64_t expect_seq;
    dsj_buf_t val;          /* decoded attribute value */
    int ended;              /* at_end ran */
} dxr_t;

/* ------------------------------------------------------------------ helpers */

static uint64_t cur_line(const dxr_t *x)
{
    return x->ctxt && x->ctxt->input && x->ctxt->input->line > 0 ? (uint64_t)x->ctxt->input->line : 0;
}

/* Position of the start tag whose '>' the parser is at: line, column, offset of its '<'. */
static void tag_pos(const dxr_t *x, uint64_t *line, uint64_t *col, uint64_t *off)
{
    xmlParserInputPtr in = x->ctxt->input;
    const xmlChar *cur = in->cur, *p;
    uint64_t l = (uint64_t)(in->line > 0 ? in->line : 0);
    size_t nl = 0;
    *line = l;
    *col = in->col > 0 ? (uint64_t)in->col : 0;
    *off = (uint64_t)in->consumed + (uint64_t)(cur - in->base);
    if (!in->base || cur <= in->base) return;
    p = memrchr(in->base, '<', (size_t)(cur - in->base));
    if (!p) return;
    for (const xmlChar *q = p; (q = memchr(q, '\n', (size_t)(cur - q))) != NULL; q++) nl++;
    *off = (uint64_t)in->consumed + (uint64_t)(p - in->base);
    if (nl == 0) {
        *col = *col > (uint64_t)(cur - p) ? *col - (uint64_t)(cur - p) : 1;
    } else {
        const xmlChar *ls = p;
        *line = l > nl ? l - nl : 1;
        while (ls > in->base && ls[-1] != '\n') ls--;
        *col = ls > in->base || in->consumed == 0 ? (uint64_t)(p - ls) + 1 : 0;
    }
}

static void set_fatal(dxr_t *x, dsj_status_t code, uint64_t line, uint64_t col, uint64_t off, const char *fmt, ...)
    DSJ_PRINTF(6, 7);
static void set_fatal(dxr_t *x, dsj_status_t code, uint64_t line, uint64_t col, uint64_t off, const char *fmt, ...)
{
    va_list ap;
    char text[480];
    if (x->fatal) return;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    x->fatal = 1;
    dsj_error_set(&x->ferr, code, x->file, line, col, off, "%s", text);
    if (x->ctxt) xmlStopParser(x->ctxt);
}

/* Report a finding; a callback asking to stop becomes a fatal DSJ_E_ABORTED. */
static void finding(dxr_t *x, const char *rule, dsj_severity_t sev, uint64_t line, uint64_t col, uint64_t off,
                    uint64_t row, const char *colname, const char *fmt, ...) DSJ_PRINTF(9, 10);
static void finding(dxr_t *x, const char *rule, dsj_severity_t sev, uint64_t line, uint64_t col, uint64_t off,
                    uint64_t row, const char *colname, const char *fmt, ...)
{
    va_list ap;
    char text[1024];
    char ptr[64];
    if (!x->cb || x->fatal) return;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    ptr[0] = '\0';
    if (row) snprintf(ptr, sizeof ptr, "/ODM/%s/ItemGroupData[%" PRIu64 "]",
                      x->reference_data ? "ReferenceData" : "ClinicalData", row);
    if (dsj_emit(x->cb, x->cbctx, rule, sev, x->file, line, col, off, ptr[0] ? ptr : NULL, row, colname, "%s", text))
        set_fatal(x, DSJ_E_ABORTED, line, col, off, "reading stopped by the finding callback");
}

static int is_ns(const xmlChar *uri, const char *ns)
{
    return uri && strcmp((const char *)uri, ns) == 0;
}

/* Decode an attribute value into x->val: libxml2 leaves '&' as "&#38;" when entities are not
   replaced (the only reference that can remain, as no entity can be declared). */
static int attr_value(dxr_t *x, const xmlChar *v, const xmlChar *end, const char **s, size_t *n)
{
    size_t len = (size_t)(end - v);
    const char *p = (const char *)v, *amp = memchr(p, '&', len);
    if (DSJ_LIKELY(!amp)) {
        *s = p;
        *n = len;
        return 0;
    }
    dsj_buf_reset(&x->val);
    while (amp) {
        if (dsj_buf_append(&x->val, p, (size_t)(amp - p))) return -1;
        if ((size_t)(p + len - amp) >= 5 && memcmp(amp, "&#38;", 5) == 0) {
            if (dsj_buf_putc(&x->val, '&')) return -1;
            len -= (size_t)(amp - p) + 5;
            p = amp + 5;
        } else {
            if (dsj_buf_putc(&x->val, '&')) return -1;
            len -= (size_t)(amp - p) + 1;
            p = amp + 1;
        }
        amp = memchr(p, '&', len);
    }
    if (dsj_buf_append(&x->val, p, len) || dsj_buf_putc(&x->val, '\0')) return -1;
    *s = x->val.data;
    *n = x->val.len - 1;
    return 0;
}

static char *attr_dup(const xmlChar *v, const xmlChar *end)
{
    return dsj_strndup((const char *)v, (size_t)(end - v));
}

/* Value shown in messages: at most VAL_SHOW bytes, cut on a UTF-8 boundary. */
static int show_len(const char *s, size_t n)
{
    if (n <= VAL_SHOW) return (int)n;
    n = VAL_SHOW;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) n--;
    return (int)n;
}

static uint32_t hash_bytes(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

static long find_col(dxr_t *x, const char *s, size_t n)
{
    size_t i;
    if (x->next_col < x->ncols) {
        const dxr_col_t *c = &x->cols[x->next_col];
        if (c->oid_len == n && memcmp(c->oid, s, n) == 0) return (long)x->next_col;
    }
    if (!x->hash) return -1;
    for (i = hash_bytes(s, n) & x->hmask; x->hash[i]; i = (i + 1) & x->hmask) {
        const dxr_col_t *c = &x->cols[x->hash[i] - 1];
        if (c->oid_len == n && memcmp(c->oid, s, n) == 0) return (long)(x->hash[i] - 1);
    }
    return -1;
}

/* ------------------------------------------------------------------ metadata */

static const char *now_iso(char *buf, size_t n)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, n, "%Y-%m-%dT%H:%M:%S", &tm);
    return buf;
}

static const char *base_name(const char *p)
{
    const char *s = p ? strrchr(p, '/') : NULL;
    return s ? s + 1 : p;
}

/* Columns, hash and batch arrays from the metadata. */
static int setup_columns(dxr_t *x)
{
    size_t i, hcap = 16;
    x->ncols = dsj_meta_ncolumns(x->meta);
    x->cols = dsj_calloc(x->ncols ? x->ncols : 1, sizeof *x->cols);
    x->seen_line = dsj_calloc(x->ncols ? x->ncols : 1, sizeof *x->seen_line);
    if (!x->cols || !x->seen_line) return -1;
    for (i = 0; i < x->ncols; i++) {
        const dsj_column_t *c = dsj_meta_column(x->meta, i);
        x->cols[i].oid = dsj_strdup(c->item_oid ? c->item_oid : "");
        x->cols[i].name = dsj_strdup(c->name ? c->name : "");
        if (!x->cols[i].oid || !x->cols[i].name) return -1;
        x->cols[i].oid_len = strlen(x->cols[i].oid);
        x->cols[i].t.type = c->data_type;
        x->cols[i].t.target = c->target_data_type;
    }
    while (hcap < x->ncols * 2 + 2) hcap *= 2;
    x->hash = dsj_calloc(hcap, sizeof *x->hash);
    if (!x->hash) return -1;
    x->hmask = hcap - 1;
    for (i = 0; i < x->ncols; i++) {
        size_t h = hash_bytes(x->cols[i].oid, x->cols[i].oid_len) & x->hmask;
        while (x->hash[h]) h = (h + 1) & x->hmask;
        x->hash[h] = (uint32_t)(i + 1);
    }
    return 0;
}

/* Build the metadata for ItemGroupDef oid (NULL: an empty file, found from the file name or FileOID). */
static void build_meta(dxr_t *x, const char *oid, uint64_t line, uint64_t col, uint64_t off)
{
    dsj_error_t e;
    char now[32];
    const dsj_define_itemgroup_t *g = NULL;
    const char *key = oid;
    int fail = 0;
    dsj_error_clear(&e);
    if (!key) {
        /* No ItemGroupData: the define's def:leaf naming this file, else the FileOID's last part. */
        const char *bn = base_name(x->file);
        for (size_t i = 0; i < dsj_define_itemgroup_count(x->def) && !key; i++) {
            const dsj_define_itemgroup_t *ig = dsj_define_itemgroup_at(x->def, i);
            if (ig->leaf && ig->leaf->href && bn && strcasecmp(base_name(ig->leaf->href), bn) == 0) key = ig->oid;
        }
        if (!key && x->file_oid && strrchr(x->file_oid, '.')) key = strrchr(x->file_oid, '.') + 1;
        if (!key) {
            set_fatal(x, DSJ_E_FORMAT, line, col, off,
                      "the file has no ItemGroupData and neither a def:leaf of the define nor the FileOID "
                      "says which dataset it is");
            return;
        }
    }
    x->meta = dsj_define_dataset_meta(x->def, key, DSJ_V1_1, &e);
    if (!x->meta) {
        if (e.code == DSJ_E_NOTFOUND)
            set_fatal(x, DSJ_E_DEFINE, line, col, off,
                      "ItemGroupOID \"%s\" is not an ItemGroupDef of the define %s: the dataset has no column "
                      "metadata (rule DXML-ITEMGROUP-UNKNOWN)", key, dsj_define_file(x->def));
        else
            set_fatal(x, e.code ? e.code : DSJ_E_DEFINE, line, col, off, "define %s: %s", dsj_define_file(x->def),
                      e.text);
        return;
    }
    g = dsj_define_itemgroup_find(x->def, dsj_meta_get(x->meta, DSJ_META_ITEMGROUP_OID));
    fail |= dsj_meta_set(x->meta, DSJ_META_DATASET_JSON_VERSION, "1.1.0") != DSJ_OK;
    fail |= dsj_meta_set(x->meta, DSJ_META_CREATION_DATETIME, now_iso(now, sizeof now)) != DSJ_OK;
    if (x->file_oid) fail |= dsj_meta_set(x->meta, DSJ_META_FILE_OID, x->file_oid) != DSJ_OK;
    if (x->as_of) fail |= dsj_meta_set(x->meta, DSJ_META_DB_LAST_MODIFIED_DATETIME, x->as_of) != DSJ_OK;
    if (x->originator) fail |= dsj_meta_set(x->meta, DSJ_META_ORIGINATOR, x->originator) != DSJ_OK;
    if (x->ss_name) fail |= dsj_meta_set(x->meta, DSJ_META_SOURCE_SYSTEM_NAME, x->ss_name) != DSJ_OK;
    if (x->ss_version) fail |= dsj_meta_set(x->meta, DSJ_META_SOURCE_SYSTEM_VERSION, x->ss_version) != DSJ_OK;
    if (x->study_oid) fail |= dsj_meta_set(x->meta, DSJ_META_STUDY_OID, x->study_oid) != DSJ_OK;
    if (x->mdv_oid) fail |= dsj_meta_set(x->meta, DSJ_META_METADATA_VERSION_OID, x->mdv_oid) != DSJ_OK;
    fail |= dsj_meta_set(x->meta, DSJ_META_METADATA_REF, base_name(dsj_define_file(x->def))) != DSJ_OK;
    dsj_meta_set_reference_data(x->meta, x->ndata ? x->reference_data : (g && g->is_reference_data));
    if (x->have_records) dsj_meta_set_records(x->meta, x->records);
    dsj_meta_set_has_rows(x->meta, 1);
    if (fail || setup_columns(x)) {
        set_fatal(x, DSJ_E_NOMEM, line, col, off, "out of memory");
        return;
    }
    x->meta_ready = 1;
    /* Cross-checks with the define: warnings, the file's values are kept. */
    if (x->study_oid && dsj_define_study_oid(x->def) && strcmp(x->study_oid, dsj_define_study_oid(x->def)) != 0)
        finding(x, "DXML-DEFINE-MISMATCH", DSJ_SEV_WARNING, x->ig_line, 0, 0, 0, NULL,
                "StudyOID \"%s\" differs from the define's Study OID \"%s\"; the file's value is kept", x->study_oid,
                dsj_define_study_oid(x->def));
    if (x->mdv_oid && dsj_define_mdv_oid(x->def) && strcmp(x->mdv_oid, dsj_define_mdv_oid(x->def)) != 0)
        finding(x, "DXML-DEFINE-MISMATCH", DSJ_SEV_WARNING, x->ig_line, 0, 0, 0, NULL,
                "MetaDataVersionOID \"%s\" differs from the define's MetaDataVersion OID \"%s\"; the file's "
                "value is kept", x->mdv_oid, dsj_define_mdv_oid(x->def));
    if (g && x->ndata && g->is_reference_data != x->reference_data)
        finding(x, "DXML-DEFINE-MISMATCH", DSJ_SEV_WARNING, x->ig_line, 0, 0, 0, NULL,
                "the records are in %s but ItemGroupDef %s has IsReferenceData=\"%s\"",
                x->reference_data ? "ReferenceData" : "ClinicalData", g->oid,
                g->is_reference_data_text ? g->is_reference_data_text : "");
}

/* ------------------------------------------------------------------ rows */

static int batch_reserve_row(dxr_t *x)
{
    if (x->nrows_b + 1 >= x->rows_cap) {
        size_t cap = x->rows_cap ? x->rows_cap * 2 : 64;
        size_t w = x->ncols ? x->ncols : 1;
        dsj_cell_t *c = dsj_realloc(x->cells, cap * w * sizeof *c);
        if (!c) return -1;
        x->cells = c;
        size_t *t = dsj_realloc(x->toff, cap * w * sizeof *t);
        if (!t) return -1;
        x->toff = t;
        dsj_row_t *r = dsj_realloc(x->rows, cap * sizeof *r);
        if (!r) return -1;
        x->rows = r;
        x->rows_cap = cap;
    }
    return 0;
}

static void row_start(dxr_t *x, const xmlChar **attrs, int nattrs)
{
    const char *oid = NULL, *seq = NULL;
    size_t oid_n = 0, seq_n = 0;
    uint64_t line, col, off;
    int i;
    tag_pos(x, &line, &col, &off);
    for (i = 0; i < nattrs; i++) {
        const xmlChar **a = attrs + 5 * i;
        if (!a[2] && strcmp((const char *)a[0], "ItemGroupOID") == 0) {
            oid = (const char *)a[3];
            oid_n = (size_t)(a[4] - a[3]);
        } else if (strcmp((const char *)a[0], "ItemGroupDataSeq") == 0 && is_ns(a[2], DATA_NS)) {
            seq = (const char *)a[3];
            seq_n = (size_t)(a[4] - a[3]);
        }
    }
    x->nrows++;
    if (!x->meta_ready) {
        char *o = oid ? dsj_strndup(oid, oid_n) : NULL;
        x->ig_line = line;
        if (!o) {
            set_fatal(x, oid ? DSJ_E_NOMEM : DSJ_E_FORMAT, line, col, off,
                      oid ? "out of memory" : "the first ItemGroupData has no ItemGroupOID");
            return;
        }
        x->ig_oid = o;
        build_meta(x, o, line, col, off);
        if (x->fatal) return;
    }
    if (batch_reserve_row(x)) {
        set_fatal(x, DSJ_E_NOMEM, line, col, off, "out of memory");
        return;
    }
    x->in_row = 1;
    x->row_foreign = 0;
    x->row_text0 = x->text.len;
    x->next_col = 0;
    memset(&x->cur, 0, sizeof x->cur);
    x->cur.index = x->nrows;
    x->cur.ncells = x->ncols;
    x->cur.line = line;
    x->cur.column = col;
    x->cur.offset = off;
    {
        dsj_cell_t *c = x->cells + x->nrows_b * x->ncols;
        memset(c, 0, x->ncols * sizeof *c);
        memset(x->seen_line, 0, x->ncols * sizeof *x->seen_line);
    }
    if (!oid) {
        finding(x, "DXML-STRUCTURE", DSJ_SEV_ERROR, line, col, off, x->nrows, NULL,
                "ItemGroupData has no ItemGroupOID attribute");
    } else if (oid_n != strlen(x->ig_oid) || memcmp(oid, x->ig_oid, oid_n) != 0) {
        x->row_foreign = 1;
        finding(x, "DXML-ITEMGROUP-MIXED", DSJ_SEV_ERROR, line, col, off, x->nrows, NULL,
                "ItemGroupOID \"%.*s\" differs from the file's first one, \"%s\" (line %" PRIu64 "): one "
                "Dataset-XML file holds one dataset; its ItemData are placed by ItemOID in the columns of %s and "
                "the others are not in the output", show_len(oid, oid_n), oid, x->ig_oid, x->ig_line, x->ig_oid);
    }
    if (!seq) {
        finding(x, "DXML-SEQ", DSJ_SEV_ERROR, line, col, off, x->nrows, NULL,
                "ItemGroupData has no data:ItemGroupDataSeq attribute (expected %" PRId64 ")", x->expect_seq);
        x->expect_seq++;
    } else {
        int64_t v;
        if (!dsj_int64_parse(seq, seq_n, &v)) {
            finding(x, "DXML-SEQ", DSJ_SEV_ERROR, line, col, off, x->nrows, NULL,
                    "data:ItemGroupDataSeq \"%.*s\" is not an integer (expected %" PRId64 ")", show_len(seq, seq_n),
                    seq, x->expect_seq);
            x->expect_seq++;
        } else {
            if (v != x->expect_seq)
                finding(x, "DXML-SEQ", DSJ_SEV_ERROR, line, col, off, x->nrows, NULL,
                        "data:ItemGroupDataSeq is %" PRId64 " where %" PRId64 " was expected: records must be "
                        "numbered 1..n in order (%s)", v, x->expect_seq,
                        v < x->expect_seq ? "a number repeated or going back" : "a gap");
            x->expect_seq = v + 1;
        }
    }
}

static void row_end(dxr_t *x)
{
    x->rows[x->nrows_b] = x->cur;
    x->nrows_b++;
    x->in_row = 0;
}

static void item_data(dxr_t *x, const xmlChar **attrs, int nattrs)
{
    const xmlChar *oid = NULL, *oid_end = NULL, *val = NULL, *val_end = NULL, *isnull = NULL, *isnull_end = NULL;
    uint64_t line, col, off;
    const char *s;
    size_t n, len;
    long ci;
    int i;
    for (i = 0; i < nattrs; i++) {
        const xmlChar **a = attrs + 5 * i;
        if (a[2]) continue;
        if (a[0] == x->a_itemoid) { /* names are interned in ctxt->dict */
            oid = a[3];
            oid_end = a[4];
        } else if (a[0] == x->a_value) {
            val = a[3];
            val_end = a[4];
        } else if (a[0] == x->a_isnull) {
            isnull = a[3];
            isnull_end = a[4];
        }
    }
    tag_pos(x, &line, &col, &off);
    if (!oid) {
        finding(x, "DXML-STRUCTURE", DSJ_SEV_ERROR, line, col, off, x->nrows, NULL,
                "ItemData has no ItemOID attribute%s: the value cannot be placed and is not in the output",
                val ? "" : " (and no Value)");
        return;
    }
    ci = find_col(x, (const char *)oid, (size_t)(oid_end - oid));
    if (ci < 0) {
        int vl = val ? show_len((const char *)val, (size_t)(val_end - val)) : 0;
        if (!x->row_foreign)
            finding(x, "DXML-UNKNOWN-ITEM", DSJ_SEV_ERROR, line, col, off, x->nrows, NULL,
                    "ItemOID \"%.*s\" is not an ItemRef of ItemGroupDef %s in the define: its value%s%.*s%s cannot "
                    "be placed in a column and is not in the output", show_len((const char *)oid, (size_t)(oid_end - oid)),
                    (const char *)oid, x->ig_oid, val ? " \"" : "", vl, val ? (const char *)val : "", val ? "\"" : "");
        return;
    }
    x->next_col = (size_t)ci + 1;
    if (x->seen_line[ci]) {
        int vl = val ? show_len((const char *)val, (size_t)(val_end - val)) : 0;
        finding(x, "DXML-ITEM-REPEAT", DSJ_SEV_ERROR, line, col, off, x->nrows, x->cols[ci].name,
                "ItemData ItemOID=\"%s\" appears again in this record (first at line %" PRIu64 "): the repeated "
                "value%s%.*s%s is not in the output", x->cols[ci].oid, x->seen_line[ci], val ? " \"" : "", vl,
                val ? (const char *)val : "", val ? "\"" : "");
        return;
    }
    x->seen_line[ci] = line ? line : 1;
    dsj_cell_t *c = x->cells + x->nrows_b * x->ncols + ci;
    c->line = line;
    c->column = col;
    c->offset = off;
    if (isnull && (size_t)(isnull_end - isnull) == 3 && memcmp(isnull, "Yes", 3) == 0) {
        if (val && val_end > val)
            finding(x, "DXML-STRUCTURE", DSJ_SEV_ERROR, line, col, off, x->nrows, x->cols[ci].name,
                    "ItemData ItemOID=\"%s\" has IsNull=\"Yes\" and a Value: the Value is kept", x->cols[ci].oid);
        else
            return; /* null */
    }
    if (!val) {
        finding(x, "DXML-STRUCTURE", DSJ_SEV_WARNING, line, col, off, x->nrows, x->cols[ci].name,
                "ItemData ItemOID=\"%s\" has neither a Value nor IsNull=\"Yes\": read as null", x->cols[ci].oid);
        return;
    }
    if (attr_value(x, val, val_end, &s, &n)) {
        set_fatal(x, DSJ_E_NOMEM, line, col, off, "out of memory");
        return;
    }
    x->toff[x->nrows_b * x->ncols + ci] = x->text.len;
    const char *bad = dsj_dxml_type_value(&x->cols[ci].t, s, n, &x->text, &c->kind, &len);
    c->len = len;
    if (bad && !*bad) {
        set_fatal(x, DSJ_E_NOMEM, line, col, off, "out of memory");
        return;
    }
    if (bad)
        finding(x, "DXML-VALUE-TYPE", DSJ_SEV_ERROR, line, col, off, x->nrows, x->cols[ci].name,
                "value \"%.*s\" of %s (ItemOID %s, dataType %s) is not %s: kept as the string found", show_len(s, n), s,
                x->cols[ci].name, x->cols[ci].oid, dsj_datatype_name(x->cols[ci].t.type), bad);
}

/* ------------------------------------------------------------------ SAX callbacks */

static void odm_start(dxr_t *x, const xmlChar **attrs, int nattrs)
{
    const char *ver = NULL;
    size_t ver_n = 0;
    uint64_t line, col, off;
    int i, fail = 0;
    tag_pos(x, &line, &col, &off);
    for (i = 0; i < nattrs; i++) {
        const xmlChar **a = attrs + 5 * i;
        const char *ln = (const char *)a[0];
        char **dst = NULL;
        if (is_ns(a[2], DATA_NS) && strcmp(ln, "DatasetXMLVersion") == 0) {
            ver = (const char *)a[3];
            ver_n = (size_t)(a[4] - a[3]);
            continue;
        }
        if (a[2]) continue;
        if (strcmp(ln, "FileOID") == 0) dst = &x->file_oid;
        else if (strcmp(ln, "AsOfDateTime") == 0) dst = &x->as_of;
        else if (strcmp(ln, "Originator") == 0) dst = &x->originator;
        else if (strcmp(ln, "SourceSystem") == 0) dst = &x->ss_name;
        else if (strcmp(ln, "SourceSystemVersion") == 0) dst = &x->ss_version;
        else if (strcmp(ln, "PriorFileOID") == 0) dst = &x->prior_file_oid;
        if (dst && !*dst) fail |= !(*dst = attr_dup(a[3], a[4]));
    }
    if (fail) {
        set_fatal(x, DSJ_E_NOMEM, line, col, off, "out of memory");
        return;
    }
    if (!ver)
        finding(x, "DXML-VERSION", DSJ_SEV_ERROR, line, col, off, 0, NULL,
                "the ODM element has no data:DatasetXMLVersion attribute (Dataset-XML 1.0 requires \"1.0.0\"); "
                "read as Dataset-XML 1.0");
    else if (!((ver_n == 5 && (memcmp(ver, "1.0.0", 5) == 0 || memcmp(ver, "1.0.1", 5) == 0))))
        finding(x, "DXML-VERSION", DSJ_SEV_ERROR, line, col, off, 0, NULL,
                "data:DatasetXMLVersion \"%.*s\" is not 1.0.0 (or 1.0.1); read as Dataset-XML 1.0",
                show_len(ver, ver_n), ver);
}

static void data_start(dxr_t *x, const xmlChar *localname, const xmlChar **attrs, int nattrs)
{
    uint64_t line, col, off;
    char *study = NULL, *mdv = NULL;
    int i, ref = localname == x->n_ref;
    tag_pos(x, &line, &col, &off);
    for (i = 0; i < nattrs; i++) {
        const xmlChar **a = attrs + 5 * i;
        if (a[2]) continue;
        if (strcmp((const char *)a[0], "StudyOID") == 0 && !study) study = attr_dup(a[3], a[4]);
        else if (strcmp((const char *)a[0], "MetaDataVersionOID") == 0 && !mdv) mdv = attr_dup(a[3], a[4]);
    }
    if (x->ndata++ == 0) {
        x->study_oid = study;
        x->mdv_oid = mdv;
        x->reference_data = ref;
        return;
    }
    if (ref != x->reference_data || (study && x->study_oid && strcmp(study, x->study_oid) != 0) ||
        (mdv && x->mdv_oid && strcmp(mdv, x->mdv_oid) != 0))
        finding(x, "DXML-STRUCTURE", DSJ_SEV_ERROR, line, col, off, 0, NULL,
                "a second %s element with other attributes than the first (StudyOID \"%s\", MetaDataVersionOID "
                "\"%s\"): its records are read as part of the same dataset", (const char *)localname,
                study ? study : "", mdv ? mdv : "");
    dsj_free(study);
    dsj_free(mdv);
}

static void sax_start(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *URI,
                      int nb_namespaces, const xmlChar **namespaces, int nb_attributes, int nb_defaulted,
                      const xmlChar **attributes)
{
    dxr_t *x = ctx;
    unsigned d = ++x->depth;
    int odm = URI == NULL ? 0 : (URI == (const xmlChar *)x->n_odm || is_ns(URI, ODM_NS));
    (void)prefix;
    (void)nb_namespaces;
    (void)namespaces;
    (void)nb_defaulted;
    if (x->fatal) return;
    if (DSJ_LIKELY(x->row_depth && d == x->row_depth + 1)) {
        if (DSJ_LIKELY(localname == x->n_id && odm)) {
            item_data(x, attributes, nb_attributes);
        } else if (odm && strncmp((const char *)localname, "ItemData", 8) == 0) {
            uint64_t line, col, off;
            tag_pos(x, &line, &col, &off);
            finding(x, "DXML-STRUCTURE", DSJ_SEV_ERROR, line, col, off, x->nrows, NULL,
                    "typed ODM element %s is not Dataset-XML (only ItemData with a Value): its value is not in the "
                    "output", (const char *)localname);
        }
        return;
    }
    if (d == 1) {
        if (!odm || strcmp((const char *)localname, "ODM") != 0) {
            uint64_t line, col, off;
            tag_pos(x, &line, &col, &off);
            set_fatal(x, DSJ_E_FORMAT, line, col, off,
                      "not Dataset-XML: the root element is %s %s%s, expected ODM in the namespace " ODM_NS
                      " (rule DXML-NAMESPACE)", (const char *)localname, URI ? "in the namespace " : "with no namespace",
                      URI ? (const char *)URI : "");
            return;
        }
        odm_start(x, attributes, nb_attributes);
        return;
    }
    if (d == 2 && odm && (localname == x->n_clin || localname == x->n_ref)) {
        x->data_depth = d;
        data_start(x, localname, attributes, nb_attributes);
        return;
    }
    if (localname == x->n_igd && odm && x->data_depth && !x->row_depth) {
        if (d != x->data_depth + 1) {
            uint64_t line, col, off;
            tag_pos(x, &line, &col, &off);
            finding(x, "DXML-STRUCTURE", DSJ_SEV_ERROR, line, col, off, x->nrows + 1, NULL,
                    "ItemGroupData is not a direct child of ClinicalData or ReferenceData; read as a record");
        }
        x->row_depth = d;
        row_start(x, attributes, nb_attributes);
        if (!x->in_row) x->row_depth = 0;
    } else if (localname == x->n_igd) {
        uint64_t line, col, off;
        tag_pos(x, &line, &col, &off);
        finding(x, "DXML-STRUCTURE", DSJ_SEV_ERROR, line, col, off, 0, NULL,
                "ItemGroupData %s: not read as a record", !odm ? "in another namespace than ODM 1.3"
                : x->row_depth ? "inside another ItemGroupData" : "outside ClinicalData and ReferenceData");
    }
}

static void sax_end(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *URI)
{
    dxr_t *x = ctx;
    unsigned d = x->depth--;
    (void)localname;
    (void)prefix;
    (void)URI;
    if (x->fatal) return;
    if (d == x->row_depth) {
        x->row_depth = 0;
        if (x->in_row) row_end(x);
    } else if (d == x->data_depth) {
        x->data_depth = 0;
    }
}

static void sax_internal_subset(void *ctx, const xmlChar *name, const xmlChar *ext, const xmlChar *sys)
{
    dxr_t *x = ctx;
    (void)name;
    (void)ext;
    (void)sys;
    set_fatal(x, DSJ_E_FORMAT, cur_line(x), 0, 0,
              "a DOCTYPE declaration is not allowed in Dataset-XML: entities and external files are never "
              "read (rule DXML-DOCTYPE)");
}

static void sax_error(void *ctx, xmlErrorPtr e)
{
    dxr_t *x = ctx;
    char msg[400];
    size_t n;
    dsj_status_t code;
    if (!e || x->fatal || e->level == XML_ERR_WARNING || e->code == XML_ERR_USER_STOP) return;
    snprintf(msg, sizeof msg, "%s", e->message ? e->message : "XML error");
    n = strlen(msg);
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' ')) msg[--n] = '\0';
    if (e->level == XML_ERR_ERROR && e->domain == XML_FROM_NAMESPACE) {
        finding(x, "DXML-XML", DSJ_SEV_ERROR, (uint64_t)(e->line > 0 ? e->line : 0),
                (uint64_t)(e->int2 > 0 ? e->int2 : 0), 0, 0, NULL, "XML namespace error: %s", msg);
        return;
    }
    code = (e->code == XML_ERR_INVALID_CHAR || e->code == XML_ERR_INVALID_ENCODING ||
            e->code == XML_ERR_UNKNOWN_ENCODING || e->code == XML_ERR_UNSUPPORTED_ENCODING)
               ? DSJ_E_ENCODING : DSJ_E_SYNTAX;
    set_fatal(x, code, (uint64_t)(e->line > 0 ? e->line : 0), (uint64_t)(e->int2 > 0 ? e->int2 : 0), x->bytes,
              "%s XML: %s", code == DSJ_E_ENCODING ? "badly encoded" : "not well-formed (or truncated)", msg);
}

/* ------------------------------------------------------------------ feeding */

/* Give the parser one more slice (or the end). Returns 0, or -1 when the source failed (fatal set). */
static int feed(dxr_t *x)
{
    size_t n;
    if (x->chunk_pos == x->chunk_len && !x->src_eof) {
        dsj_error_t e;
        long got;
        dsj_error_clear(&e);
        got = dsj_source_read(x->src, x->chunk, DXR_CHUNK, &e);
        if (got < 0) {
            if (!x->fatal) {
                x->fatal = 1;
                x->ferr = e;
                if (!x->ferr.code) x->ferr.code = DSJ_E_IO;
            }
            return -1;
        }
        x->chunk_len = (size_t)got;
        x->chunk_pos = 0;
        if (got == 0) x->src_eof = 1;
    }
    if (x->chunk_pos < x->chunk_len) {
        n = x->chunk_len - x->chunk_pos;
        if (n > DXR_SLICE) n = DXR_SLICE;
        xmlParseChunk(x->ctxt, (const char *)x->chunk + x->chunk_pos, (int)n, 0);
        x->chunk_pos += n;
        x->bytes += n;
    } else {
        xmlParseChunk(x->ctxt, NULL, 0, 1);
        x->finished = 1;
    }
    if (!x->fatal && !x->ctxt->wellFormed && x->ctxt->errNo != XML_ERR_OK)
        set_fatal(x, DSJ_E_SYNTAX, cur_line(x), 0, x->bytes,
                  "not well-formed XML (libxml2 error %d)", x->ctxt->errNo);
    return 0;
}

/* At the end of the document: the checks that need all of it. */
static void at_end(dxr_t *x)
{
    if (x->fatal || x->ended) return;
    x->ended = 1;
    if (x->depth != 0 || !x->ctxt->wellFormed) {
        set_fatal(x, DSJ_E_SYNTAX, cur_line(x), 0, x->bytes,
                  "truncated XML: the document ends inside an element");
        return;
    }
    if (!x->ndata)
        finding(x, "DXML-STRUCTURE", DSJ_SEV_ERROR, cur_line(x), 0, 0, 0, NULL,
                "the ODM element has no ClinicalData or ReferenceData: the dataset is empty");
    if (x->have_records && (int64_t)x->nrows != x->records)
        set_fatal(x, DSJ_E_MISMATCH, cur_line(x), 0, x->bytes,
                  "%" PRIu64 " ItemGroupData records were read but the first pass counted %" PRId64
                  " (rule DXML-RECORDS: ItemGroupData not read as records, see DXML-STRUCTURE, or a file changed "
                  "while it was read)", x->nrows, x->records);
}

/* ------------------------------------------------------------------ backend */

static void dxr_free(void *ctx)
{
    dxr_t *x = ctx;
    size_t i;
    if (!x) return;
    if (x->ctxt) {
        xmlFreeParserCtxt(x->ctxt);
    }
    dsj_source_free(x->src);
    dsj_free(x->file);
    dsj_free(x->chunk);
    dsj_free(x->file_oid);
    dsj_free(x->as_of);
    dsj_free(x->originator);
    dsj_free(x->ss_name);
    dsj_free(x->ss_version);
    dsj_free(x->prior_file_oid);
    dsj_free(x->study_oid);
    dsj_free(x->mdv_oid);
    dsj_free(x->ig_oid);
    dsj_meta_free(x->meta);
    for (i = 0; x->cols && i < x->ncols; i++) {
        dsj_free(x->cols[i].oid);
        dsj_free(x->cols[i].name);
    }
    dsj_free(x->cols);
    dsj_free(x->hash);
    dsj_free(x->cells);
    dsj_free(x->toff);
    dsj_free(x->seen_line);
    dsj_free(x->rows);
    dsj_buf_free(&x->text);
    dsj_buf_free(&x->val);
    dsj_free(x);
}

/* All batch rows delivered: move the row in progress (if any) to the front. */
static void batch_compact(dxr_t *x)
{
    if (x->in_row && x->nrows_b > 0) {
        size_t w = x->ncols;
        memmove(x->cells, x->cells + x->nrows_b * w, w * sizeof *x->cells);
        memmove(x->toff, x->toff + x->nrows_b * w, w * sizeof *x->toff);
        for (size_t i = 0; i < w; i++)
            if (x->cells[i].kind != DSJ_CELL_NULL) x->toff[i] -= x->row_text0;
        memmove(x->text.data, x->text.data + x->row_text0, x->text.len - x->row_text0);
        x->text.len -= x->row_text0;
        x->row_text0 = 0;
    } else if (!x->in_row) {
        x->text.len = 0;
        x->row_text0 = 0;
    }
    x->nrows_b = 0;
    x->ndelivered = 0;
}

static dsj_status_t dxr_next(void *ctx, const dsj_row_t **row, dsj_error_t *err)
{
    dxr_t *x = ctx;
    dsj_row_t *r;
    dsj_cell_t *c;
    size_t i;
    while (x->ndelivered == x->nrows_b) {
        if (x->fatal) {
            if (err) *err = x->ferr;
            return x->ferr.code;
        }
        if (x->finished) {
            at_end(x);
            if (x->fatal) continue;
            return DSJ_DONE;
        }
        batch_compact(x);
        feed(x);
    }
    r = &x->rows[x->ndelivered];
    c = x->cells + x->ndelivered * x->ncols;
    for (i = 0; i < x->ncols; i++)
        c[i].text = c[i].kind == DSJ_CELL_NULL ? NULL : x->text.data + x->toff[x->ndelivered * x->ncols + i];
    r->cells = c;
    x->ndelivered++;
    *row = r;
    return DSJ_ROW;
}

static uint64_t dxr_bytes_read(void *ctx)
{
    return ((dxr_t *)ctx)->bytes;
}

static const dsj_reader_backend_t dxr_backend = { "dataset-xml", dxr_next, dxr_bytes_read, dxr_free };

dsj_status_t dsj_datasetxml_reader_open(dsj_source_t *src, const dsj_reader_options_t *opts,
                                        dsj_reader_opened_t *out, dsj_error_t *err)
{
    const char *name = dsj_source_name(src);
    xmlSAXHandler sax;
    unsigned char bom[3];
    dxr_t *x;
    if (!opts || !opts->define) {
        dsj_status_t st = dsj_error_set(err, DSJ_E_ARG, name, 0, 0, 0,
                                        "Dataset-XML has no column types of its own; pass --define define.xml "
                                        "(the define.xml next to the file is used when present)");
        dsj_source_free(src);
        return st;
    }
    x = dsj_calloc(1, sizeof *x);
    if (!x || !(x->file = dsj_strdup(name ? name : "")) || !(x->chunk = dsj_malloc(DXR_CHUNK))) {
        if (x) x->src = src;
        else dsj_source_free(src);
        dxr_free(x);
        return dsj_error_set(err, DSJ_E_NOMEM, name, 0, 0, 0, "out of memory");
    }
    x->src = src;
    x->cb = opts->on_finding;
    x->cbctx = opts->finding_ctx;
    x->def = opts->define;
    x->expect_seq = 1;
    dsj_buf_init(&x->text);
    dsj_buf_init(&x->val);
    out->backend = &dxr_backend;
    out->ctx = x; /* freed by the caller on failure */
    if (dsj_source_peek(src, bom, 3, NULL) == 3 && bom[0] == 0xEF && bom[1] == 0xBB && bom[2] == 0xBF)
        out->had_bom = 1;
    if (dsj_source_seekable(src)) {
        dsj_status_t st = dsj_dxml_count_groups(src, &x->records, err);
        if (st == DSJ_OK) st = dsj_source_seek(src, 0, err);
        if (st != DSJ_OK) return st;
        x->have_records = 1;
    }
    xmlInitParser();
    memset(&sax, 0, sizeof sax);
    sax.initialized = XML_SAX2_MAGIC;
    sax.startElementNs = sax_start;
    sax.endElementNs = sax_end;
    sax.internalSubset = sax_internal_subset;
    sax.serror = sax_error;
    x->ctxt = xmlCreatePushParserCtxt(&sax, x, NULL, 0, x->file);
    if (!x->ctxt) return dsj_error_set(err, DSJ_E_NOMEM, name, 0, 0, 0, "out of memory (XML parser)");
    xmlCtxtUseOptions(x->ctxt, XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_BIG_LINES | XML_PARSE_NOERROR |
                                   XML_PARSE_NOWARNING);
    x->n_odm = xmlDictLookup(x->ctxt->dict, (const xmlChar *)ODM_NS, -1);
    x->n_clin = xmlDictLookup(x->ctxt->dict, (const xmlChar *)"ClinicalData", -1);
    x->n_ref = xmlDictLookup(x->ctxt->dict, (const xmlChar *)"ReferenceData", -1);
    x->n_igd = xmlDictLookup(x->ctxt->dict, (const xmlChar *)"ItemGroupData", -1);
    x->n_id = xmlDictLookup(x->ctxt->dict, (const xmlChar *)"ItemData", -1);
    x->a_itemoid = xmlDictLookup(x->ctxt->dict, (const xmlChar *)"ItemOID", -1);
    x->a_value = xmlDictLookup(x->ctxt->dict, (const xmlChar *)"Value", -1);
    x->a_isnull = xmlDictLookup(x->ctxt->dict, (const xmlChar *)"IsNull", -1);
    if (!x->n_odm || !x->n_clin || !x->n_ref || !x->n_igd || !x->n_id || !x->a_itemoid || !x->a_value ||
        !x->a_isnull)
        return dsj_error_set(err, DSJ_E_NOMEM, name, 0, 0, 0, "out of memory");
    /* The prolog, up to the first ItemGroupData (or the end of an empty file). */
    while (!x->meta_ready && !x->fatal && !x->finished) feed(x);
    if (!x->fatal && !x->meta_ready) {
        at_end(x);
        if (!x->fatal) build_meta(x, NULL, cur_line(x), 0, x->bytes);
    }
    if (x->fatal && !(x->meta_ready && x->ferr.code != DSJ_E_NOMEM && x->nrows > 0)) {
        if (err) *err = x->ferr;
        return x->ferr.code;
    }
    /* A fatal error after the metadata (a broken first record) is returned by next(). */
    out->meta = x->meta;
    x->meta = NULL;
    return DSJ_OK;
}
