/* Dataset-against-define checks: metadata checks at dsj_define_checker_new,
 * value checks streamed row by row (including value-level metadata), key
 * uniqueness by a hash table of per-row key fingerprints.  Rule IDs DXC-*
 * are listed in docs/rules-define-check.md. */
#include "define_check_internal.h"

#include <stdarg.h>
#include <sys/mman.h>

/* ------------------------------------------------------------------ state */

/* What one value is checked against (a column's ItemDef or a value-level ItemDef). */
typedef struct vcheck {
    const dsj_define_itemdef_t *it;
    dsj_dc_vtype_t vtype;
    int64_t length;                        /* 0 = none */
    int64_t sigdig;                        /* 0 = none */
    const dsj_define_codelist_t *cl;       /* non-external list with items, or NULL */
    int mandatory;
} vcheck_t;

typedef struct rc_value {
    const char *text;
    size_t len;
    double num;
    int is_num;
} rc_value_t;

typedef struct rcheck {
    long col;                              /* dataset column index, -1 when not in this dataset */
    dsj_define_comparator_t cmp;
    rc_value_t *vals;
    size_t nvals;
} rcheck_t;

typedef struct clause {
    const dsj_define_whereclause_t *wc;
    rcheck_t *checks;
    size_t nchecks;
} clause_t;

typedef struct vitem {
    vcheck_t chk;
    clause_t *clauses;                     /* OR of clauses, each an AND of checks */
    size_t nclauses;
} vitem_t;

typedef struct col_state {
    const dsj_column_t *col;
    const dsj_define_itemref_t *ref;       /* NULL: not checked */
    vcheck_t chk;
    vitem_t *vitems;                       /* value-level metadata */
    size_t nvitems;
    /* Per-column plan, by cell kind: a cell whose length is within [triv_lo, triv_hi] cannot give a
       column-level finding (see value_trivial), so the row loop skips it without a call. */
    size_t triv_lo[DSJ_CELL_INVALID + 1], triv_hi[DSJ_CELL_INVALID + 1];
} col_state_t;

/* Key table entry: 64-bit hash, and the row number (40 bits) with a 24-bit second hash. */
typedef struct key_ent {
    uint64_t h;
    uint64_t row_h2;
} key_ent_t;

struct dsj_define_checker {
    const dsj_define_t *def;
    const dsj_meta_t *meta;
    const dsj_reader_t *reader;
    char *file;
    dsj_finding_cb cb;
    void *ctx;
    dsj_version_t version;
    const dsj_define_itemgroup_t *ig;      /* NULL: the dataset is not in the define; no value checks */
    char *prefix;                          /* JSON pointer of the dataset object ("" for 1.1) */
    const char *rows_member;               /* "rows" (1.1) or "itemData" (1.0) */
    size_t ncols;
    col_state_t *cols;
    dsj_dc_grammar_t *gram;
    size_t *keys;                          /* key column indexes by KeySequence */
    size_t nkeys;
    key_ent_t *tab;
    size_t tab_cap, tab_n;
    uint64_t kh1, kh2;                     /* hashes of the current row's key (key_prepare) */
    dsj_buf_t key, prev_key;
    uint64_t prev_row;
    int study_checked, mdv_checked, name_checked, label_checked;        /* see check_late_attrs */
    int aborted;
    dsj_status_t failed;                   /* sticky DSJ_E_NOMEM */
};

static void tab_mem_free(key_ent_t *t, size_t cap);

/* ------------------------------------------------------------- emitting */

static int str_eq(const char *a, const char *b)
{
    if (!a || !b) return a == b;
    return strcmp(a, b) == 0;
}

static const char *nz(const char *s) { return s ? s : ""; }

/* Metadata finding at a JSON pointer; the position is that of the nearest existing ancestor. */
static void DSJ_PRINTF(6, 7) emit_meta(dsj_define_checker_t *c, const char *rule, dsj_severity_t sev,
                                       const char *pointer, const char *colname, const char *fmt, ...)
{
    char msg[1024], p[512];
    uint64_t line = 0, column = 0, offset = 0;
    va_list ap;
    if (c->aborted) return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (c->reader && pointer) {
        snprintf(p, sizeof p, "%s", pointer);
        while (!dsj_reader_meta_position(c->reader, p, &line, &column, &offset)) {
            char *slash = strrchr(p, '/');
            if (!slash || slash == p) {
                line = column = offset = 0;
                if (!dsj_reader_meta_position(c->reader, "", &line, &column, &offset)) line = column = offset = 0;
                break;
            }
            *slash = '\0';
        }
    }
    if (dsj_emit(c->cb, c->ctx, rule, sev, c->file, line, column, offset, pointer, 0, colname, "%s", msg))
        c->aborted = 1;
}

/* Value finding at a cell. */
static void DSJ_PRINTF(7, 8) emit_cell(dsj_define_checker_t *c, const char *rule, dsj_severity_t sev,
                                       const dsj_row_t *row, size_t ci, const char *colname, const char *fmt, ...)
{
    char msg[1024], p[600];
    const dsj_cell_t *cell = ci < row->ncells ? &row->cells[ci] : NULL;
    va_list ap;
    if (c->aborted) return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(p, sizeof p, "%s/%s/%llu/%zu", c->prefix, c->rows_member,
             (unsigned long long)(row->index ? row->index - 1 : 0), ci);
    if (dsj_emit(c->cb, c->ctx, rule, sev, c->file, cell ? cell->line : row->line, cell ? cell->column : row->column,
                 cell ? cell->offset : row->offset, p, row->index, colname, "%s", msg))
        c->aborted = 1;
}

/* A value shortened for messages: at most 60 bytes, cut on a UTF-8 boundary. */
static void shorten(char *out, size_t size, const char *s, size_t n)
{
    size_t k = n;
    if (k > 60) {
        k = 60;
        while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80) k--;
    }
    if (k >= size) k = size - 1;
    memcpy(out, s, k);
    out[k] = '\0';
    if (k < n && k + 4 < size) strcat(out, "...");
}

/* -------------------------------------------------------- JSON pointers */

static void ds_pointer(const dsj_define_checker_t *c, char *out, size_t size, const char *member)
{
    if (c->version == DSJ_V1_0) {
        const char *data = dsj_meta_is_reference_data(c->meta) ? "referenceData" : "clinicalData";
        if (strcmp(member, "studyOID") == 0 || strcmp(member, "metaDataVersionOID") == 0 ||
            strcmp(member, "metaDataRef") == 0)
            snprintf(out, size, "/%s/%s", data, member);
        else if (strcmp(member, "itemGroupOID") == 0 || strcmp(member, "referenceData") == 0)
            snprintf(out, size, "%s", c->prefix);
        else
            snprintf(out, size, "%s/%s", c->prefix, member);
    } else {
        snprintf(out, size, "/%s", member);
    }
}

static void col_pointer(const dsj_define_checker_t *c, char *out, size_t size, size_t i, const char *field)
{
    const char *arr = c->version == DSJ_V1_0 ? "items" : "columns";
    if (field) snprintf(out, size, "%s/%s/%zu/%s", c->prefix, arr, i, field);
    else snprintf(out, size, "%s/%s/%zu", c->prefix, arr, i);
}

static int build_prefix(dsj_define_checker_t *c)
{
    dsj_buf_t b;
    const char *ig = dsj_meta_get(c->meta, DSJ_META_ITEMGROUP_OID);
    dsj_buf_init(&b);
    if (c->version == DSJ_V1_0) {
        if (dsj_buf_pointer_token(&b, dsj_meta_is_reference_data(c->meta) ? "referenceData" : "clinicalData") ||
            dsj_buf_pointer_token(&b, "itemGroupData") || dsj_buf_pointer_token(&b, ig ? ig : "")) {
            dsj_buf_free(&b);
            return -1;
        }
        c->rows_member = "itemData";
    } else {
        c->rows_member = "rows";
        if (dsj_buf_puts(&b, "")) return -1;
    }
    c->prefix = dsj_buf_steal(&b);
    return 0;
}

/* ----------------------------------------------------- metadata checks */

static int is_seq_column(const dsj_define_checker_t *c, const dsj_column_t *col)
{
    return c->version == DSJ_V1_0 &&
           (str_eq(col->item_oid, "ITEMGROUPDATASEQ") || (!col->item_oid && str_eq(col->name, "ITEMGROUPDATASEQ")));
}

/* Dataset attributes may follow the rows in a JSON file (the reader adds them at the end), so each is
   checked once, as soon as it is known: at new() or at end(). */
static void check_late_attrs(dsj_define_checker_t *c)
{
    const dsj_meta_t *m = c->meta;
    const dsj_define_itemgroup_t *g = c->ig;
    const char *v, *d;
    char p[600];
    if (!c->study_checked && (v = dsj_meta_get(m, DSJ_META_STUDY_OID))) {
        c->study_checked = 1;
        if ((d = dsj_define_study_oid(c->def)) && strcmp(v, d) != 0) {
            ds_pointer(c, p, sizeof p, "studyOID");
            emit_meta(c, "DXC-STUDY-OID", DSJ_SEV_ERROR, p, NULL,
                      "studyOID '%s' differs from the define's Study OID '%s'", v, d);
        }
    }
    if (!c->mdv_checked && (v = dsj_meta_get(m, DSJ_META_METADATA_VERSION_OID))) {
        c->mdv_checked = 1;
        if ((d = dsj_define_mdv_oid(c->def)) && strcmp(v, d) != 0) {
            ds_pointer(c, p, sizeof p, "metaDataVersionOID");
            emit_meta(c, "DXC-MDV-OID", DSJ_SEV_ERROR, p, NULL,
                      "metaDataVersionOID '%s' differs from the define's MetaDataVersion OID '%s'", v, d);
        }
    }
    if (!c->name_checked && (v = dsj_meta_get(m, DSJ_META_NAME))) {
        c->name_checked = 1;
        if (g->name && strcmp(v, g->name) != 0) {
            ds_pointer(c, p, sizeof p, "name");
            emit_meta(c, "DXC-DS-NAME", DSJ_SEV_ERROR, p, NULL,
                      "dataset name '%s' differs from ItemGroupDef %s Name '%s'", v, nz(g->oid), g->name);
        }
    }
    if (!c->label_checked && (v = dsj_meta_get(m, DSJ_META_LABEL))) {
        c->label_checked = 1;
        if (g->description && strcmp(v, g->description) != 0) {
            ds_pointer(c, p, sizeof p, "label");
            emit_meta(c, "DXC-DS-LABEL", DSJ_SEV_WARNING, p, NULL,
                      "dataset label '%s' differs from ItemGroupDef %s Description '%s'", v, nz(g->oid),
                      g->description);
        }
    }
}

static void check_dataset(dsj_define_checker_t *c)
{
    const dsj_meta_t *m = c->meta;
    const dsj_define_itemgroup_t *g = c->ig;
    char p[600];
    check_late_attrs(c);
    if (c->version == DSJ_V1_0 && dsj_meta_is_reference_data(m) != g->is_reference_data) {
        ds_pointer(c, p, sizeof p, "referenceData");
        emit_meta(c, "DXC-REFERENCE-DATA", DSJ_SEV_WARNING, p, NULL,
                  "the dataset is under %s but ItemGroupDef %s has IsReferenceData='%s'",
                  dsj_meta_is_reference_data(m) ? "referenceData" : "clinicalData", nz(g->oid),
                  g->is_reference_data_text ? g->is_reference_data_text : "(absent: No)");
    }
}

static void check_column(dsj_define_checker_t *c, size_t i)
{
    col_state_t *s = &c->cols[i];
    const dsj_column_t *col = s->col;
    const dsj_define_itemref_t *ref = s->ref;
    const dsj_define_itemdef_t *it = ref->itemdef;
    const char *cn = col->name ? col->name : it->name;
    char p[600];
    dsj_dc_compat_t compat;
    if (col->name && it->name && strcmp(col->name, it->name) != 0) {
        col_pointer(c, p, sizeof p, i, "name");
        emit_meta(c, "DXC-COL-NAME", DSJ_SEV_ERROR, p, cn, "column name '%s' differs from ItemDef %s Name '%s'",
                  col->name, nz(it->oid), it->name);
    }
    if (col->label && it->description && strcmp(col->label, it->description) != 0) {
        col_pointer(c, p, sizeof p, i, "label");
        emit_meta(c, "DXC-COL-LABEL", DSJ_SEV_WARNING, p, cn, "column label '%s' differs from ItemDef %s Description '%s'",
                  col->label, nz(it->oid), it->description);
    }
    if (col->length > 0 && it->length > 0 && col->length != it->length) {
        col_pointer(c, p, sizeof p, i, "length");
        emit_meta(c, "DXC-COL-LENGTH", DSJ_SEV_WARNING, p, cn, "column length %lld differs from ItemDef %s Length %lld",
                  (long long)col->length, nz(it->oid), (long long)it->length);
    } else if (col->length == 0 && it->length > 0 && col->data_type == DSJ_TYPE_STRING) {
        col_pointer(c, p, sizeof p, i, NULL);
        emit_meta(c, "DXC-COL-LENGTH-ABSENT", DSJ_SEV_INFO, p, cn, "column has no length; ItemDef %s has Length %lld",
                  nz(it->oid), (long long)it->length);
    }
    if (col->key_sequence != ref->key_sequence) {
        col_pointer(c, p, sizeof p, i, col->key_sequence ? "keySequence" : NULL);
        if (ref->key_sequence)
            emit_meta(c, "DXC-COL-KEYSEQ", DSJ_SEV_WARNING, p, cn,
                      "column keySequence %lld differs from ItemRef KeySequence %lld in ItemGroupDef %s",
                      (long long)col->key_sequence, (long long)ref->key_sequence, nz(c->ig->oid));
        else
            emit_meta(c, "DXC-COL-KEYSEQ", DSJ_SEV_WARNING, p, cn,
                      "column keySequence %lld but the ItemRef in ItemGroupDef %s has no KeySequence",
                      (long long)col->key_sequence, nz(c->ig->oid));
    }
    if (col->display_format && !str_eq(col->display_format, it->display_format)) {
        col_pointer(c, p, sizeof p, i, "displayFormat");
        if (it->display_format)
            emit_meta(c, "DXC-COL-DISPLAYFORMAT", DSJ_SEV_WARNING, p, cn,
                      "column displayFormat '%s' differs from ItemDef %s def:DisplayFormat '%s'", col->display_format,
                      nz(it->oid), it->display_format);
        else
            emit_meta(c, "DXC-COL-DISPLAYFORMAT", DSJ_SEV_WARNING, p, cn,
                      "column displayFormat '%s' but ItemDef %s has no def:DisplayFormat", col->display_format,
                      nz(it->oid));
    } else if (!col->display_format && it->display_format) {
        col_pointer(c, p, sizeof p, i, NULL);
        emit_meta(c, "DXC-COL-DISPLAYFORMAT-ABSENT", DSJ_SEV_INFO, p, cn,
                  "column has no displayFormat; ItemDef %s has def:DisplayFormat '%s'", nz(it->oid), it->display_format);
    }
    if (col->data_type != DSJ_TYPE_NONE && col->data_type != DSJ_TYPE_UNKNOWN) {
        compat = dsj_dc_type_compat(it->data_type, it->display_format, col->data_type, col->target_data_type,
                                    c->version);
        col_pointer(c, p, sizeof p, i, c->version == DSJ_V1_0 ? "type" : "dataType");
        if (compat == DSJ_DC_INCOMPATIBLE)
            emit_meta(c, "DXC-COL-DATATYPE", DSJ_SEV_ERROR, p, cn,
                      "column %s %s%s%s is not compatible with ItemDef %s DataType '%s'%s%s",
                      c->version == DSJ_V1_0 ? "type" : "dataType", dsj_datatype_name(col->data_type),
                      col->target_data_type ? " with targetDataType " : "",
                      col->target_data_type ? dsj_datatype_name(col->target_data_type) : "", nz(it->oid),
                      it->data_type, it->display_format ? " and def:DisplayFormat " : "", nz(it->display_format));
        else if (compat == DSJ_DC_LOOSE)
            emit_meta(c, "DXC-COL-DATATYPE-LOOSE", DSJ_SEV_INFO, p, cn,
                      "column dataType %s for ItemDef %s DataType '%s': '%s' would keep the type",
                      dsj_datatype_name(col->data_type), nz(it->oid), it->data_type, it->data_type);
    }
}

/* ----------------------------------------------------- value-check setup */

static void vcheck_init(vcheck_t *v, const dsj_define_itemdef_t *it, int mandatory)
{
    memset(v, 0, sizeof *v);
    v->it = it;
    v->mandatory = mandatory;
    if (!it) return;
    v->vtype = dsj_dc_vtype_from_define(it->data_type);
    v->length = it->length > 0 ? it->length : 0;
    if (v->vtype == DSJ_DC_V_FLOAT && it->significant_digits > 0) v->sigdig = it->significant_digits;
    if (it->codelist && !it->codelist->is_external && it->codelist->n_items > 0) v->cl = it->codelist;
}

static long column_of_item(const dsj_define_checker_t *c, const char *oid)
{
    size_t i;
    if (!oid) return -1;
    for (i = 0; i < c->ncols; i++)
        if (c->cols[i].col->item_oid && strcmp(c->cols[i].col->item_oid, oid) == 0) return (long)i;
    /* Columns without itemOID: match through the ItemRef they were paired with. */
    for (i = 0; i < c->ncols; i++)
        if (c->cols[i].ref && str_eq(c->cols[i].ref->item_oid, oid)) return (long)i;
    return -1;
}

static int setup_clause(dsj_define_checker_t *c, clause_t *cl, const dsj_define_whereclause_t *wc)
{
    size_t k, j;
    cl->wc = wc;
    cl->nchecks = wc->n_checks;
    if (!(cl->checks = dsj_calloc(wc->n_checks, sizeof *cl->checks))) return -1;
    for (k = 0; k < wc->n_checks; k++) {
        const dsj_define_rangecheck_t *rc = &wc->checks[k];
        rcheck_t *r = &cl->checks[k];
        r->col = column_of_item(c, rc->item_oid);
        r->cmp = rc->comparator;
        r->nvals = rc->n_values;
        if (!(r->vals = dsj_calloc(rc->n_values, sizeof *r->vals))) return -1;
        for (j = 0; j < rc->n_values; j++) {
            rc_value_t *v = &r->vals[j];
            v->text = rc->values[j] ? rc->values[j] : "";
            v->len = strlen(v->text);
            v->is_num = dsj_dc_parse_number(v->text, v->len, &v->num);
        }
    }
    return 0;
}

static int setup_vlm(dsj_define_checker_t *c, col_state_t *s)
{
    const dsj_define_valuelist_t *vl = s->chk.it ? s->chk.it->valuelist : NULL;
    size_t k, w;
    if (!vl || vl->n_itemrefs == 0) return 0;
    if (!(s->vitems = dsj_calloc(vl->n_itemrefs, sizeof *s->vitems))) return -1;
    s->nvitems = vl->n_itemrefs;
    for (k = 0; k < vl->n_itemrefs; k++) {
        const dsj_define_itemref_t *r = &vl->itemrefs[k];
        vitem_t *vi = &s->vitems[k];
        vcheck_init(&vi->chk, r->itemdef, r->mandatory);
        /* A value-level ItemDef without a DataType of its own keeps the column's grammar. */
        if (!r->itemdef || !r->itemdef->data_type) vi->chk.vtype = s->chk.vtype;
        if (!(vi->clauses = dsj_calloc(r->n_where_clauses, sizeof *vi->clauses))) return -1;
        for (w = 0; w < r->n_where_clauses; w++) {
            if (!r->where_clauses[w]) continue;
            if (setup_clause(c, &vi->clauses[vi->nclauses], r->where_clauses[w])) return -1;
            vi->nclauses++;
        }
    }
    return 0;
}

/* Pair dataset columns with the ItemGroupDef's ItemRefs, report the set, order and per-column findings. */
static int check_columns(dsj_define_checker_t *c)
{
    const dsj_define_itemgroup_t *g = c->ig;
    unsigned char *used = dsj_calloc(g->n_itemrefs, 1);
    size_t i, k;
    char p[600];
    if (!used) return -1;
    for (i = 0; i < c->ncols; i++) {
        col_state_t *s = &c->cols[i];
        const dsj_column_t *col = s->col;
        const char *cn = col->name;
        long hit = -1;
        if (is_seq_column(c, col)) continue;
        for (k = 0; k < g->n_itemrefs && hit < 0; k++) {
            const dsj_define_itemref_t *r = &g->itemrefs[k];
            if (col->item_oid ? str_eq(r->item_oid, col->item_oid)
                              : (r->itemdef && col->name && str_eq(r->itemdef->name, col->name)))
                hit = (long)k;
        }
        col_pointer(c, p, sizeof p, i, col->item_oid ? (c->version == DSJ_V1_0 ? "OID" : "itemOID") : NULL);
        if (hit < 0) {
            if (col->item_oid && dsj_define_itemdef_find(c->def, col->item_oid))
                emit_meta(c, "DXC-COL-EXTRA", DSJ_SEV_ERROR, p, cn,
                          "column %s (itemOID %s) is not an ItemRef of ItemGroupDef %s", nz(cn), col->item_oid,
                          nz(g->oid));
            else if (col->item_oid)
                emit_meta(c, "DXC-COL-ITEMDEF", DSJ_SEV_ERROR, p, cn,
                          "column %s: itemOID %s is not an ItemDef of the define (nor an ItemRef of ItemGroupDef %s)",
                          nz(cn), col->item_oid, nz(g->oid));
            else
                emit_meta(c, "DXC-COL-EXTRA", DSJ_SEV_ERROR, p, cn,
                          "column %s has no itemOID and no ItemRef of ItemGroupDef %s has that name", nz(cn),
                          nz(g->oid));
            continue;
        }
        if (used[hit]) {
            emit_meta(c, "DXC-COL-EXTRA", DSJ_SEV_ERROR, p, cn, "column %s repeats ItemRef %s of ItemGroupDef %s",
                      nz(cn), nz(g->itemrefs[hit].item_oid), nz(g->oid));
            continue;
        }
        used[hit] = 1;
        if (!g->itemrefs[hit].itemdef) {
            emit_meta(c, "DXC-COL-ITEMDEF", DSJ_SEV_ERROR, p, cn,
                      "column %s: ItemRef %s of ItemGroupDef %s has no ItemDef in the define", nz(cn),
                      nz(g->itemrefs[hit].item_oid), nz(g->oid));
            continue;
        }
        s->ref = &g->itemrefs[hit];
    }
    for (k = 0; k < g->n_itemrefs; k++) {
        const dsj_define_itemref_t *r = &g->itemrefs[k];
        size_t j;
        int dup = 0;
        if (used[k]) continue;
        /* A repeated ItemRef (a define defect reported by dsj_define_validate) is not a missing column. */
        for (j = 0; j < g->n_itemrefs && !dup; j++)
            dup = j != k && used[j] && str_eq(g->itemrefs[j].item_oid, r->item_oid);
        if (dup) continue;
        ds_pointer(c, p, sizeof p, c->version == DSJ_V1_0 ? "items" : "columns");
        emit_meta(c, "DXC-COL-MISSING", DSJ_SEV_ERROR, p, r->itemdef ? r->itemdef->name : NULL,
                  "ItemGroupDef %s has ItemRef %s (%s, OrderNumber %s) but the dataset has no such column", nz(g->oid),
                  nz(r->item_oid), r->itemdef && r->itemdef->name ? r->itemdef->name : "no ItemDef",
                  r->order_number_text ? r->order_number_text : "absent");
    }
    dsj_free(used);
    for (i = 0; i < c->ncols; i++)
        if (c->cols[i].ref) check_column(c, i);
    return 0;
}

/* Column order: the paired columns, in file order, must follow OrderNumber (skipped when any is absent). */
static int check_order(dsj_define_checker_t *c)
{
    size_t i, j, n = 0;
    size_t *slots;
    const dsj_define_itemref_t **want;
    char p[600];
    for (i = 0; i < c->ncols; i++) {
        if (!c->cols[i].ref) continue;
        if (c->cols[i].ref->order_number <= 0) return 0;
        n++;
    }
    if (n < 2) return 0;
    slots = dsj_malloc(n * sizeof *slots);
    want = dsj_malloc(n * sizeof *want);
    if (!slots || !want) {
        dsj_free(slots);
        dsj_free((void *)want);
        return -1;
    }
    for (i = 0, j = 0; i < c->ncols; i++)
        if (c->cols[i].ref) { slots[j] = i; want[j] = c->cols[i].ref; j++; }
    for (i = 1; i < n; i++) { /* insertion sort by OrderNumber (stable) */
        const dsj_define_itemref_t *x = want[i];
        for (j = i; j > 0 && want[j - 1]->order_number > x->order_number; j--) want[j] = want[j - 1];
        want[j] = x;
    }
    for (i = 0; i < n; i++) {
        const col_state_t *s = &c->cols[slots[i]];
        if (s->ref == want[i]) continue;
        col_pointer(c, p, sizeof p, slots[i], NULL);
        emit_meta(c, "DXC-COL-ORDER", DSJ_SEV_ERROR, p, s->col->name,
                  "column %s (OrderNumber %lld) is at position %zu, where OrderNumber order puts %s (OrderNumber %lld)",
                  nz(s->col->name), (long long)s->ref->order_number, slots[i] + 1,
                  want[i]->itemdef && want[i]->itemdef->name ? want[i]->itemdef->name : nz(want[i]->item_oid),
                  (long long)want[i]->order_number);
    }
    dsj_free(slots);
    dsj_free((void *)want);
    return 0;
}

static void set_triv(col_state_t *s, dsj_cell_kind_t k, size_t lo, size_t hi)
{
    s->triv_lo[k] = lo;
    s->triv_hi[k] = hi;
}

/* The skip ranges of col_state_t, the same decisions as value_trivial. */
static void setup_plan(col_state_t *s)
{
    const vcheck_t *v = &s->chk;
    int text_only = v->vtype == DSJ_DC_V_NONE && !v->sigdig && !v->cl;
    int int_ok = !v->cl && (v->vtype == DSJ_DC_V_NONE || v->vtype == DSJ_DC_V_INTEGER || v->vtype == DSJ_DC_V_FLOAT ||
                            v->vtype == DSJ_DC_V_BOOLEAN);
    size_t k;
    for (k = 0; k <= DSJ_CELL_INVALID; k++) set_triv(s, (dsj_cell_kind_t)k, 0, SIZE_MAX); /* always */
    if (!s->ref) return;
    if (v->mandatory) set_triv(s, DSJ_CELL_NULL, 1, 0);                                    /* never */
    set_triv(s, DSJ_CELL_STRING, v->mandatory ? 1 : 0,
             !text_only ? 0 : v->length > 0 ? (size_t)v->length : SIZE_MAX);
    if (!int_ok) set_triv(s, DSJ_CELL_INTEGER, 1, 0);
    set_triv(s, DSJ_CELL_NUMBER, 1, 0);
}

static int setup_values(dsj_define_checker_t *c)
{
    size_t i, j, nk = 0;
    for (i = 0; i < c->ncols; i++) {
        col_state_t *s = &c->cols[i];
        const dsj_column_t *col = s->col;
        if (!s->ref) continue;
        vcheck_init(&s->chk, s->ref->itemdef, s->ref->mandatory);
        /* 1.1 SAS dates: ISO 8601 text stands for the integer; check the text as what it claims to be. */
        if (s->chk.vtype == DSJ_DC_V_INTEGER && col->target_data_type == DSJ_TYPE_INTEGER &&
            dsj_dc_type_compat(s->ref->itemdef->data_type, s->ref->itemdef->display_format, col->data_type,
                               col->target_data_type, c->version) == DSJ_DC_COMPATIBLE) {
            s->chk.vtype = col->data_type == DSJ_TYPE_DATE ? DSJ_DC_V_DATE
                         : col->data_type == DSJ_TYPE_TIME ? DSJ_DC_V_TIME : DSJ_DC_V_DATETIME;
            s->chk.length = 0;
        }
        if (s->ref->key_sequence > 0) nk++;
    }
    for (i = 0; i < c->ncols; i++) {
        if (c->cols[i].ref && setup_vlm(c, &c->cols[i])) return -1;
        setup_plan(&c->cols[i]);
    }
    if (nk) {
        if (!(c->keys = dsj_malloc(nk * sizeof *c->keys))) return -1;
        for (i = 0; i < c->ncols; i++) {
            if (!c->cols[i].ref || c->cols[i].ref->key_sequence <= 0) continue;
            for (j = c->nkeys; j > 0 && c->cols[c->keys[j - 1]].ref->key_sequence > c->cols[i].ref->key_sequence; j--)
                c->keys[j] = c->keys[j - 1];
            c->keys[j] = i;
            c->nkeys++;
        }
    }
    return 0;
}

/* ------------------------------------------------------------- new/free */

static void free_vitems(col_state_t *s)
{
    size_t k, w, r;
    for (k = 0; k < s->nvitems; k++) {
        vitem_t *vi = &s->vitems[k];
        for (w = 0; w < vi->nclauses; w++) {
            for (r = 0; r < vi->clauses[w].nchecks; r++) dsj_free(vi->clauses[w].checks[r].vals);
            dsj_free(vi->clauses[w].checks);
        }
        dsj_free(vi->clauses);
    }
    dsj_free(s->vitems);
}

void dsj_define_checker_free(dsj_define_checker_t *c)
{
    size_t i;
    if (!c) return;
    for (i = 0; i < c->ncols; i++) free_vitems(&c->cols[i]);
    dsj_free(c->cols);
    dsj_free(c->keys);
    tab_mem_free(c->tab, c->tab_cap);
    dsj_buf_free(&c->key);
    dsj_buf_free(&c->prev_key);
    dsj_dc_grammar_free(c->gram);
    dsj_free(c->prefix);
    dsj_free(c->file);
    dsj_free(c);
}

dsj_define_checker_t *dsj_define_checker_new(const dsj_define_t *def, const dsj_meta_t *meta,
                                             const struct dsj_reader *reader, const char *file,
                                             dsj_finding_cb cb, void *ctx, dsj_error_t *err)
{
    dsj_define_checker_t *c;
    const char *igoid, *name;
    size_t i;
    char p[600];
    if (!def || !meta) {
        dsj_error_set(err, DSJ_E_ARG, file, 0, 0, 0, "dsj_define_checker_new: define and metadata are required");
        return NULL;
    }
    if (!(c = dsj_calloc(1, sizeof *c))) goto nomem;
    c->def = def;
    c->meta = meta;
    c->reader = reader;
    c->cb = cb;
    c->ctx = ctx;
    c->version = dsj_meta_version(meta) == DSJ_V1_0 ? DSJ_V1_0 : DSJ_V1_1;
    dsj_buf_init(&c->key);
    dsj_buf_init(&c->prev_key);
    if ((file && !(c->file = dsj_strdup(file))) || build_prefix(c)) goto nomem;
    c->ncols = dsj_meta_ncolumns(meta);
    if (!(c->cols = dsj_calloc(c->ncols, sizeof *c->cols))) goto nomem;
    for (i = 0; i < c->ncols; i++) c->cols[i].col = dsj_meta_column(meta, i);
    if (!(c->gram = dsj_dc_grammar_new(err))) {
        dsj_define_checker_free(c);
        return NULL;
    }

    igoid = dsj_meta_get(meta, DSJ_META_ITEMGROUP_OID);
    name = dsj_meta_get(meta, DSJ_META_NAME);
    ds_pointer(c, p, sizeof p, "itemGroupOID");
    if (igoid) {
        c->ig = dsj_define_itemgroup_find(def, igoid);
        if (!c->ig) {
            const dsj_define_itemgroup_t *byname = name ? dsj_define_itemgroup_find_by_name(def, name) : NULL;
            emit_meta(c, "DXC-IG-NOTFOUND", DSJ_SEV_ERROR, p, NULL,
                      "itemGroupOID '%s' is not an ItemGroupDef of the define%s%s%s", igoid,
                      byname ? " (ItemGroupDef " : "", byname ? nz(byname->oid) : "", byname ? " has that name)" : "");
        }
    } else if (name) {
        c->ig = dsj_define_itemgroup_find_by_name(def, name);
        if (!c->ig)
            emit_meta(c, "DXC-IG-NOTFOUND", DSJ_SEV_ERROR, p, NULL,
                      "the dataset has no itemGroupOID and no ItemGroupDef is named '%s'", name);
    } else {
        emit_meta(c, "DXC-IG-NOTFOUND", DSJ_SEV_ERROR, p, NULL,
                  "the dataset has neither itemGroupOID nor name: no ItemGroupDef to check against");
    }
    if (c->ig) {
        check_dataset(c);
        if (check_columns(c) || check_order(c) || setup_values(c)) goto nomem;
    }
    if (c->aborted) {
        dsj_error_set(err, DSJ_E_ABORTED, file, 0, 0, 0, "the finding callback asked to stop");
        dsj_define_checker_free(c);
        return NULL;
    }
    return c;
nomem:
    dsj_define_checker_free(c);
    dsj_error_set(err, DSJ_E_NOMEM, file, 0, 0, 0, "out of memory");
    return NULL;
}

/* ------------------------------------------------------------ row checks */

static int cell_missing(const dsj_cell_t *cell)
{
    return cell->kind == DSJ_CELL_NULL || (cell->kind == DSJ_CELL_STRING && cell->len == 0);
}

static int cell_is_number(const dsj_cell_t *cell)
{
    return cell->kind == DSJ_CELL_INTEGER || cell->kind == DSJ_CELL_NUMBER;
}

static int value_eq(const dsj_cell_t *cell, const rc_value_t *v)
{
    const char *t = cell->kind == DSJ_CELL_NULL ? "" : cell->text;
    size_t n = cell->kind == DSJ_CELL_NULL ? 0 : cell->len;
    double d;
    if (n == v->len && memcmp(t, v->text, n) == 0) return 1;
    return v->is_num && (cell_is_number(cell) || cell->kind == DSJ_CELL_STRING) &&
           dsj_dc_parse_number(t, n, &d) && d == v->num;
}

/* <0, 0, >0: numerically when both are numbers, else by bytes. */
static int value_cmp(const dsj_cell_t *cell, const rc_value_t *v)
{
    const char *t = cell->kind == DSJ_CELL_NULL ? "" : cell->text;
    size_t n = cell->kind == DSJ_CELL_NULL ? 0 : cell->len, m;
    double d;
    int r;
    if (v->is_num && dsj_dc_parse_number(t, n, &d)) return d < v->num ? -1 : d > v->num ? 1 : 0;
    m = n < v->len ? n : v->len;
    r = memcmp(t, v->text, m);
    return r ? r : (n < v->len ? -1 : n > v->len ? 1 : 0);
}

static int rcheck_holds(const rcheck_t *r, const dsj_row_t *row)
{
    const dsj_cell_t *cell;
    size_t k;
    if (r->col < 0 || (size_t)r->col >= row->ncells || r->nvals == 0) return 0;
    cell = &row->cells[r->col];
    switch (r->cmp) {
    case DSJ_DEFINE_CMP_EQ: return value_eq(cell, &r->vals[0]);
    case DSJ_DEFINE_CMP_NE: return !value_eq(cell, &r->vals[0]);
    case DSJ_DEFINE_CMP_LT: return value_cmp(cell, &r->vals[0]) < 0;
    case DSJ_DEFINE_CMP_LE: return value_cmp(cell, &r->vals[0]) <= 0;
    case DSJ_DEFINE_CMP_GT: return value_cmp(cell, &r->vals[0]) > 0;
    case DSJ_DEFINE_CMP_GE: return value_cmp(cell, &r->vals[0]) >= 0;
    case DSJ_DEFINE_CMP_IN:
        for (k = 0; k < r->nvals; k++)
            if (value_eq(cell, &r->vals[k])) return 1;
        return 0;
    case DSJ_DEFINE_CMP_NOTIN:
        for (k = 0; k < r->nvals; k++)
            if (value_eq(cell, &r->vals[k])) return 0;
        return 1;
    case DSJ_DEFINE_CMP_UNKNOWN:
        break;
    }
    return 0;
}

/* The first value-level ItemRef whose WhereClause (any of them; all RangeChecks) holds, or NULL. */
static const vitem_t *match_vlm(const col_state_t *s, const dsj_row_t *row, const clause_t **which)
{
    size_t k, w, r;
    for (k = 0; k < s->nvitems; k++) {
        const vitem_t *vi = &s->vitems[k];
        for (w = 0; w < vi->nclauses; w++) {
            const clause_t *cl = &vi->clauses[w];
            int ok = cl->nchecks > 0;
            for (r = 0; r < cl->nchecks && ok; r++) ok = rcheck_holds(&cl->checks[r], row);
            if (ok) {
                *which = cl;
                return vi;
            }
        }
    }
    return NULL;
}

static int codelist_has(const dsj_define_t *def, const dsj_define_codelist_t *cl, const dsj_cell_t *cell)
{
    size_t k;
    double d, e;
    if (dsj_define_codelist_item_find(def, cl, cell->text, cell->len)) return 1;
    if (!dsj_dc_parse_number(cell->text, cell->len, &d)) return 0;
    for (k = 0; k < cl->n_items; k++) {
        const char *cv = cl->items[k].coded_value;
        if (cv && dsj_dc_parse_number(cv, strlen(cv), &e) && d == e) return 1;
    }
    return 0;
}

/* Rule names for a column check [0] and a value-level check [1]. */
static const char *const R_MANDATORY[2] = {"DXC-VAL-MANDATORY", "DXC-VLM-MANDATORY"};
static const char *const R_DATATYPE[2] = {"DXC-VAL-DATATYPE", "DXC-VLM-DATATYPE"};
static const char *const R_PRECISION[2] = {"DXC-VAL-PRECISION", "DXC-VLM-PRECISION"};
static const char *const R_LENGTH[2] = {"DXC-VAL-LENGTH", "DXC-VLM-LENGTH"};
static const char *const R_SIGDIGITS[2] = {"DXC-VAL-SIGDIGITS", "DXC-VLM-SIGDIGITS"};
static const char *const R_CODELIST[2] = {"DXC-VAL-CODELIST", "DXC-VLM-CODELIST"};

/* "ItemDef X" or "value-level ItemDef X (WhereClause W)", built only when a finding is emitted. */
static const char *describe_item(char *buf, size_t size, const vcheck_t *v, const clause_t *where)
{
    const char *oid = v->it && v->it->oid ? v->it->oid : "?";
    if (where) snprintf(buf, size, "value-level ItemDef %s (WhereClause %s)", oid, nz(where->wc->oid));
    else snprintf(buf, size, "ItemDef %s", oid);
    return buf;
}

static void check_value(dsj_define_checker_t *c, const dsj_row_t *row, size_t ci, const char *cn,
                        const vcheck_t *v, const clause_t *where)
{
    const dsj_cell_t *cell = &row->cells[ci];
    int lv = where != NULL;
    char shown[80], ctx[200];
    ctx[0] = '\0';
#define CTX() describe_item(ctx, sizeof ctx, v, where)
#define SHOWN() (shorten(shown, sizeof shown, cell->text, cell->len), shown)
    if (cell_missing(cell)) {
        if (v->mandatory)
            emit_cell(c, R_MANDATORY[lv], DSJ_SEV_ERROR, row, ci, cn, "%s is Mandatory=\"Yes\" but the value is %s",
                      CTX(), cell->kind == DSJ_CELL_NULL ? "null" : "\"\"");
        return;
    }
    if (cell->kind != DSJ_CELL_STRING && !cell_is_number(cell)) return; /* booleans, invalid: the validator's */
    /* DataType grammar */
    if (cell->kind == DSJ_CELL_STRING) {
        dsj_dc_match_t m = dsj_dc_grammar_match(c->gram, v->vtype, cell->text, cell->len);
        if (m == DSJ_DC_MATCH_BAD)
            emit_cell(c, R_DATATYPE[lv], DSJ_SEV_ERROR, row, ci, cn, "value '%s' does not match DataType %s of %s",
                      SHOWN(), dsj_dc_vtype_name(v->vtype), CTX());
        else if (m == DSJ_DC_MATCH_REDUCED)
            emit_cell(c, R_PRECISION[lv], DSJ_SEV_WARNING, row, ci, cn,
                      "value '%s' is a reduced-precision ISO 8601 value, but %s has DataType %s (a complete value)",
                      SHOWN(), CTX(), dsj_dc_vtype_name(v->vtype));
    } else if (v->vtype == DSJ_DC_V_INTEGER) {
        if (cell->kind == DSJ_CELL_NUMBER && dsj_dc_fraction_digits(cell->text, cell->len) > 0) {
            size_t k, dot = cell->len;
            int nonzero = 0;
            for (k = 0; k < cell->len; k++) if (cell->text[k] == '.') { dot = k; break; }
            for (k = dot + 1; k < cell->len && cell->text[k] >= '0' && cell->text[k] <= '9'; k++)
                if (cell->text[k] != '0') nonzero = 1;
            if (nonzero || dot == cell->len)
                emit_cell(c, R_DATATYPE[lv], DSJ_SEV_ERROR, row, ci, cn, "value %s is not an integer (%s DataType integer)",
                          SHOWN(), CTX());
        }
    } else if (v->vtype != DSJ_DC_V_FLOAT && v->vtype != DSJ_DC_V_NONE && v->vtype != DSJ_DC_V_BOOLEAN) {
        emit_cell(c, R_DATATYPE[lv], DSJ_SEV_ERROR, row, ci, cn, "number %s where %s has DataType %s", SHOWN(), CTX(),
                  dsj_dc_vtype_name(v->vtype));
    }
    /* Length (characters) */
    /* (characters <= bytes: a value no longer in bytes than Length needs no counting) */
    if (v->length > 0 && cell->kind == DSJ_CELL_STRING && cell->len > (uint64_t)v->length) {
        size_t nch = dsj_dc_utf8_chars(cell->text, cell->len);
        if (nch != (size_t)-1 && nch > (size_t)v->length)
            emit_cell(c, R_LENGTH[lv], DSJ_SEV_WARNING, row, ci, cn, "value '%s' has %zu characters; %s has Length %lld",
                      SHOWN(), nch, CTX(), (long long)v->length);
    }
    /* SignificantDigits: digits after the decimal point */
    if (v->sigdig > 0) {
        int fd = dsj_dc_fraction_digits(cell->text, cell->len);
        if (fd > v->sigdig)
            emit_cell(c, R_SIGDIGITS[lv], DSJ_SEV_WARNING, row, ci, cn,
                      "value %s has %d digits after the decimal point; %s has SignificantDigits %lld", SHOWN(), fd, CTX(),
                      (long long)v->sigdig);
    }
    /* CodeList */
    if (v->cl && !codelist_has(c->def, v->cl, cell))
        emit_cell(c, R_CODELIST[lv], DSJ_SEV_ERROR, row, ci, cn, "value '%s' is not in CodeList %s (%s) of %s", SHOWN(),
                  nz(v->cl->oid), nz(v->cl->name), CTX());
}
#undef SHOWN
#undef CTX

/* ------------------------------------------------------- key uniqueness */

static uint64_t mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

static uint64_t rotl64(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

/* Two 64-bit hashes of a key, eight bytes per step in two independent lanes (the key
   serialisation starts with lengths, so the zero-padded tail is unambiguous). */
static void hash_bytes(const char *s, size_t n, uint64_t *h1, uint64_t *h2)
{
    const unsigned char *p = (const unsigned char *)s;
    uint64_t a = 0xcbf29ce484222325ULL ^ n, b = 0x9e3779b97f4a7c15ULL + n, w;
    size_t len = n;
    for (; len >= 8; p += 8, len -= 8) {
        memcpy(&w, p, 8);
        a = rotl64(a ^ (w * 0x87c37b91114253d5ULL), 31) * 0x4cf5ad432745937fULL;
        b = rotl64(b + (w * 0x2127599bf4325c37ULL), 27) * 0x880355f21e6d1965ULL + 0x52dce729U;
    }
    if (len) {
        w = 0;
        memcpy(&w, p, len);
        a = rotl64(a ^ (w * 0x87c37b91114253d5ULL), 31) * 0x4cf5ad432745937fULL;
        b = rotl64(b + (w * 0x2127599bf4325c37ULL), 27) * 0x880355f21e6d1965ULL + 0x52dce729U;
    }
    *h1 = mix64(a ^ rotl64(b, 17));
    *h2 = mix64(b + rotl64(a, 41));
}

/* Key tables of 4 MiB and more are mapped directly and marked for transparent huge pages: a lookup
   is a random access into tens of MiB, and with 4 KiB pages nearly every one is a TLB miss (and, in
   a virtual machine, a two-level page walk).  Smaller ones come from the heap. */
#define TAB_MAP_MIN ((size_t)4 << 20)

static key_ent_t *tab_mem_new(size_t cap)
{
    size_t bytes = cap * sizeof(key_ent_t);
    void *p;
    if (bytes < TAB_MAP_MIN) return dsj_calloc(cap, sizeof(key_ent_t));
    p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return NULL;
#ifdef MADV_HUGEPAGE
    (void)madvise(p, bytes, MADV_HUGEPAGE); /* advice only: without THP the table still works */
#endif
    return p;
}

static void tab_mem_free(key_ent_t *t, size_t cap)
{
    if (!t) return;
    if (cap * sizeof(key_ent_t) < TAB_MAP_MIN) dsj_free(t);
    else munmap(t, cap * sizeof(key_ent_t));
}

static int tab_alloc(dsj_define_checker_t *c, size_t cap)
{
    key_ent_t *t = tab_mem_new(cap);
    size_t i;
    if (!t) return -1;
    for (i = 0; i < c->tab_cap; i++) {
        size_t j;
        if (!c->tab[i].h) continue;
        for (j = c->tab[i].h & (cap - 1); t[j].h; j = (j + 1) & (cap - 1)) {}
        t[j] = c->tab[i];
    }
    tab_mem_free(c->tab, c->tab_cap);
    c->tab = t;
    c->tab_cap = cap;
    return 0;
}

static int tab_grow(dsj_define_checker_t *c)
{
    return tab_alloc(c, c->tab_cap ? c->tab_cap * 2 : 1024);
}

/* Size the table once for the declared records (at most 2^25 slots; it still grows past that):
   no rehash while reading, and calloc'd pages cost memory only once a key lands in them. */
static int tab_presize(dsj_define_checker_t *c)
{
    int64_t n;
    size_t cap = 1024;
    if (!dsj_meta_records(c->meta, &n) || n <= 0) return 0;
    while (cap < ((size_t)1 << 25) && (uint64_t)cap * 3 < (uint64_t)n * 4 + 4) cap *= 2;
    return cap > c->tab_cap ? tab_alloc(c, cap) : 0;
}

/* Serialize the key cells (kind tag, length, bytes) into c->key. */
static int build_key(dsj_define_checker_t *c, const dsj_row_t *row)
{
    size_t k, need = 0;
    char *o;
    for (k = 0; k < c->nkeys; k++) {
        size_t ci = c->keys[k];
        need += 1 + sizeof(uint64_t) + (ci < row->ncells ? row->cells[ci].len : 0);
    }
    c->key.len = 0;
    if (dsj_buf_reserve(&c->key, need)) return -1;
    o = c->key.data;
    for (k = 0; k < c->nkeys; k++) {
        size_t ci = c->keys[k];
        const dsj_cell_t *cell = ci < row->ncells ? &row->cells[ci] : NULL;
        char tag = !cell || cell_missing(cell) ? 'm' : cell_is_number(cell) ? 'n' : 's';
        uint64_t len = tag == 'm' ? 0 : cell->len;
        *o++ = tag;
        memcpy(o, &len, sizeof len);
        o += sizeof len;
        if (len) memcpy(o, cell->text, len);
        o += len;
    }
    c->key.len = (size_t)(o - c->key.data);
    *o = '\0';
    return 0;
}

static void describe_key(const dsj_define_checker_t *c, const dsj_row_t *row, char *out, size_t size)
{
    size_t k, o = 0;
    out[0] = '\0';
    for (k = 0; k < c->nkeys && o + 4 < size; k++) {
        size_t ci = c->keys[k];
        const dsj_cell_t *cell = ci < row->ncells ? &row->cells[ci] : NULL;
        char shown[80];
        if (!cell || cell->kind == DSJ_CELL_NULL) snprintf(shown, sizeof shown, "null");
        else shorten(shown, sizeof shown, cell->text, cell->len);
        o += (size_t)snprintf(out + o, size - o, "%s%s=%s", k ? ", " : "", nz(c->cols[ci].col->name), shown);
    }
}

/* First half of the key check, before the row's value checks: the key and its hashes (a software
   prefetch of the slot here measured slower, not faster, on the benchmark machine). */
static int key_prepare(dsj_define_checker_t *c, const dsj_row_t *row)
{
    if (build_key(c, row)) return -1;
    hash_bytes(c->key.data, c->key.len, &c->kh1, &c->kh2);
    if (!c->kh1) c->kh1 = 1;
    if (!c->tab_cap && tab_presize(c)) return -1;
    if ((c->tab_n + 1) * 4 > c->tab_cap * 3 && tab_grow(c)) return -1;
    return 0;
}

/* Second half: look the prepared key up, report a duplicate, insert it. */
static void check_key(dsj_define_checker_t *c, const dsj_row_t *row)
{
    uint64_t h1 = c->kh1, tag = c->kh2 & 0xFFFFFFu;
    size_t j;
    for (j = h1 & (c->tab_cap - 1); c->tab[j].h; j = (j + 1) & (c->tab_cap - 1)) {
        if (c->tab[j].h == h1 && (c->tab[j].row_h2 & 0xFFFFFFu) == tag) {
            uint64_t first = c->tab[j].row_h2 >> 24;
            char keys[600], names[300];
            size_t k, o = 0;
            /* The previous row's key is kept: an adjacent duplicate is verified byte for byte. */
            if (first == c->prev_row && (c->prev_key.len != c->key.len ||
                                         memcmp(c->prev_key.data, c->key.data, c->key.len) != 0))
                goto keep;
            describe_key(c, row, keys, sizeof keys);
            names[0] = '\0';
            for (k = 0; k < c->nkeys && o + 2 < sizeof names; k++)
                o += (size_t)snprintf(names + o, sizeof names - o, "%s%s", k ? ", " : "",
                                      nz(c->cols[c->keys[k]].col->name));
            emit_cell(c, "DXC-KEY-DUPLICATE", DSJ_SEV_ERROR, row, c->keys[0], c->cols[c->keys[0]].col->name,
                      "rows %llu and %llu have the same key (%s) = (%s) (KeySequence of ItemGroupDef %s)",
                      (unsigned long long)first, (unsigned long long)row->index, names, keys, nz(c->ig->oid));
            goto keep;
        }
    }
    c->tab[j].h = h1;
    c->tab[j].row_h2 = ((uint64_t)row->index << 24) | tag;
    c->tab_n++;
keep:
    {
        dsj_buf_t t = c->prev_key;
        c->prev_key = c->key;
        c->key = t;
        c->prev_row = row->index;
    }
}

/* 1 when check_value could not report anything for this cell: the common case (an optional empty
   value, free text within its Length, an integer in a numeric column) decided without the call. */
static int value_trivial(const vcheck_t *v, const dsj_cell_t *cell)
{
    switch (cell->kind) {
    case DSJ_CELL_NULL: return !v->mandatory;
    case DSJ_CELL_STRING:
        if (cell->len == 0) return !v->mandatory;
        return v->vtype == DSJ_DC_V_NONE && !v->sigdig && !v->cl &&
               (v->length <= 0 || cell->len <= (uint64_t)v->length);
    case DSJ_CELL_INTEGER: /* no fraction digits: only the DataType and the CodeList could object */
        return !v->cl && (v->vtype == DSJ_DC_V_NONE || v->vtype == DSJ_DC_V_INTEGER || v->vtype == DSJ_DC_V_FLOAT ||
                          v->vtype == DSJ_DC_V_BOOLEAN);
    case DSJ_CELL_BOOLEAN:
    case DSJ_CELL_INVALID: return 1; /* the validator's findings */
    default: return 0;
    }
}

dsj_status_t dsj_define_checker_row(dsj_define_checker_t *c, const dsj_row_t *row)
{
    size_t i, n;
    if (!c || !row) return DSJ_E_ARG;
    if (c->failed) return c->failed;
    if (c->aborted) return DSJ_E_ABORTED;
    if (!c->ig) return DSJ_OK;
    if (c->nkeys && key_prepare(c, row)) {
        c->failed = DSJ_E_NOMEM;
        return DSJ_E_NOMEM;
    }
    n = row->ncells < c->ncols ? row->ncells : c->ncols;
    for (i = 0; i < n && !c->aborted; i++) {
        const col_state_t *s = &c->cols[i];
        const dsj_cell_t *cell = &row->cells[i];
        const char *cn;
        if (DSJ_LIKELY((unsigned)cell->kind <= DSJ_CELL_INVALID && cell->len >= s->triv_lo[cell->kind] &&
                       cell->len <= s->triv_hi[cell->kind] && !s->nvitems))
            continue;
        if (!s->ref) continue;
        cn = s->col->name ? s->col->name : s->ref->itemdef->name;
        if (!value_trivial(&s->chk, &row->cells[i])) check_value(c, row, i, cn, &s->chk, NULL);
        if (s->nvitems) {
            const clause_t *where = NULL;
            const vitem_t *vi = match_vlm(s, row, &where);
            if (vi) check_value(c, row, i, cn, &vi->chk, where);
        }
    }
    if (c->nkeys && !c->aborted) check_key(c, row);
    return c->aborted ? DSJ_E_ABORTED : DSJ_OK;
}

dsj_status_t dsj_define_checker_end(dsj_define_checker_t *c)
{
    if (!c) return DSJ_E_ARG;
    if (c->failed) return c->failed;
    if (c->aborted) return DSJ_E_ABORTED;
    if (c->ig) check_late_attrs(c);
    if (c->aborted) return DSJ_E_ABORTED;
    /* Duplicates are reported as they are met; the key table is no longer needed. */
    tab_mem_free(c->tab, c->tab_cap);
    c->tab = NULL;
    c->tab_cap = c->tab_n = 0;
    return DSJ_OK;
}
