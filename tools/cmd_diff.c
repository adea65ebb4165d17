/* dsjson diff: compare two datasets (metadata and every cell), streaming both. */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cli.h"

static const char diff_help[] =
    "usage: dsjson diff [--format text|json] [--max-diffs N] A B\n"
    "\n"
    "Compare two datasets in any supported format (.json, .ndjson, .dsjc) and\n"
    "version, reading both files row by row in lockstep (never whole files).\n"
    "Compared: every dataset attribute, every column property (matched by column\n"
    "name), the column order, the row count and every cell of the columns both\n"
    "have.  Numbers compare by exact value (1.50 == 1.5, 1e2 == 100), strings by\n"
    "bytes, and the JSON kind matters (\"1\" != 1, \"\" != null).\n"
    "\n"
    "When A and B have different versions (1.0 and 1.1) they are compared after\n"
    "the normalisation the 1.0<->1.1 conversion implies (printed as a note): the\n"
    "1.0 ITEMGROUPDATASEQ column, datasetJSONVersion, dbLastModifiedDateTime,\n"
    "asOfDateTime, the clinicalData/referenceData choice and extension attributes\n"
    "are not compared; dataType is compared as its 1.0 type and targetDataType is\n"
    "not compared; a 1.1 decimal string equals a 1.0 number of the same value; a\n"
    "1.1 date/datetime/time string equals the 1.0 SAS number (days or seconds\n"
    "since 1960-01-01, seconds since midnight) that denotes it.\n"
    "\n"
    "options:\n"
    "  --format text|json  one line per difference (default) or one JSON document\n"
    "  --max-diffs N       show at most N differences (default 100, 0 = no limit);\n"
    "                      the rest are counted\n"
    "  -h, --help          show this help\n"
    "\n"
    "Exit status: 0 equal, 1 different, 2 usage error or unreadable input.\n";

enum { OPT_HELP = 1, OPT_FORMAT, OPT_MAX };

static const cli_option_t diff_opts[] = {
    {"help", 'h', 0, OPT_HELP},
    {"format", 0, 1, OPT_FORMAT},
    {"max-diffs", 0, 1, OPT_MAX},
    {NULL, 0, 0, 0},
};

#define SEQ_COLUMN "ITEMGROUPDATASEQ"

typedef struct diff_ctx {
    cli_report_format_t fmt;
    cli_json_t j;
    uint64_t max_shown;       /* 0 = no limit */
    uint64_t shown;
    uint64_t n_meta, n_cells, n_rows;
    uint64_t rows_with_diffs, last_row;
    int cross;                /* versions differ */
    dsj_version_t va, vb;
    /* column mapping for cells: pairs (index in A, index in B) */
    size_t npairs;
    size_t *ia, *ib;
} diff_ctx_t;

/* ---------------------------------------------------------------- rendering */

/* Render a C string (or NULL) as a JSON token into a malloc'd string. */
static char *token_string(const char *s, size_t n)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f;
    if (!s) return strdup("null");
    f = open_memstream(&buf, &len);
    if (!f) return NULL;
    cli_write_json_string(f, s, n);
    fclose(f);
    return buf;
}

static char *token_cstr(const char *s) { return token_string(s, s ? strlen(s) : 0); }

static char *token_int(int64_t v, int present)
{
    char tmp[32];
    if (!present) return strdup("null");
    snprintf(tmp, sizeof tmp, "%lld", (long long)v);
    return strdup(tmp);
}

/* A cell as a JSON token; NULL cell pointer = absent (row too short). */
static char *token_cell(const dsj_cell_t *c)
{
    if (!c) return strdup("(absent)");
    switch (c->kind) {
    case DSJ_CELL_NULL: return strdup("null");
    case DSJ_CELL_STRING: return token_string(c->text, c->len);
    default: return c->text ? strndup(c->text, c->len) : strdup("null");
    }
}

/* ---------------------------------------------------------------- emitting */

static int may_show(diff_ctx_t *d)
{
    if (d->max_shown && d->shown >= d->max_shown) return 0;
    d->shown++;
    return 1;
}

/* A metadata difference: attribute of the dataset (column NULL) or of a column. a/b: JSON tokens. */
static void emit_meta(diff_ctx_t *d, const char *attr, const char *column, const char *a, const char *b)
{
    d->n_meta++;
    if (!may_show(d)) return;
    if (d->fmt == CLI_REPORT_JSON) {
        cli_json_begin_object(&d->j);
        cli_json_key(&d->j, "kind"); cli_json_string(&d->j, "metadata");
        cli_json_key(&d->j, "attribute"); cli_json_string(&d->j, attr);
        cli_json_key(&d->j, "column"); cli_json_string(&d->j, column);
        cli_json_key(&d->j, "a"); cli_json_raw(&d->j, a, strlen(a));
        cli_json_key(&d->j, "b"); cli_json_raw(&d->j, b, strlen(b));
        cli_json_end_object(&d->j);
    } else {
        /* In text, an absent value reads better as "(absent)" than as null. */
        const char *ta = strcmp(a, "null") ? a : "(absent)", *tb = strcmp(b, "null") ? b : "(absent)";
        if (column) printf("column %s %s: %s != %s\n", column, attr, ta, tb);
        else printf("metadata %s: %s != %s\n", attr, ta, tb);
    }
}

static void meta_str(diff_ctx_t *d, const char *attr, const char *column, const char *a, const char *b)
{
    char *ta, *tb;
    if ((!a && !b) || (a && b && !strcmp(a, b))) return;
    ta = token_cstr(a);
    tb = token_cstr(b);
    emit_meta(d, attr, column, ta ? ta : "null", tb ? tb : "null");
    free(ta);
    free(tb);
}

static void meta_int(diff_ctx_t *d, const char *attr, const char *column, int64_t a, int pa, int64_t b, int pb)
{
    char *ta, *tb;
    if (pa == pb && (!pa || a == b)) return;
    ta = token_int(a, pa);
    tb = token_int(b, pb);
    emit_meta(d, attr, column, ta ? ta : "null", tb ? tb : "null");
    free(ta);
    free(tb);
}

static void emit_cell(diff_ctx_t *d, uint64_t row, const char *column, const dsj_cell_t *a, const dsj_cell_t *b)
{
    char *ta, *tb;
    d->n_cells++;
    if (d->last_row != row) {
        d->rows_with_diffs++;
        d->last_row = row;
    }
    if (!may_show(d)) return;
    ta = token_cell(a);
    tb = token_cell(b);
    if (d->fmt == CLI_REPORT_JSON) {
        cli_json_begin_object(&d->j);
        cli_json_key(&d->j, "kind"); cli_json_string(&d->j, "cell");
        cli_json_key(&d->j, "row"); cli_json_uint(&d->j, row);
        cli_json_key(&d->j, "column"); cli_json_string(&d->j, column);
        cli_json_key(&d->j, "a");
        if (a && ta) cli_json_raw(&d->j, ta, strlen(ta)); else cli_json_null(&d->j);
        cli_json_key(&d->j, "b");
        if (b && tb) cli_json_raw(&d->j, tb, strlen(tb)); else cli_json_null(&d->j);
        cli_json_end_object(&d->j);
    } else {
        printf("row %llu, %s: %s != %s\n", (unsigned long long)row, column, ta ? ta : "?", tb ? tb : "?");
    }
    free(ta);
    free(tb);
}

static void note(diff_ctx_t *d, const char *text)
{
    if (d->fmt == CLI_REPORT_JSON) cli_json_string(&d->j, text);
    else printf("note: %s\n", text);
}

/* ---------------------------------------------------------------- metadata */

typedef struct attr_desc {
    dsj_meta_attr_t attr;
    const char *label;
    int version_specific;     /* skipped when the versions differ */
} attr_desc_t;

static const attr_desc_t attrs[] = {
    {DSJ_META_DATASET_JSON_VERSION, "datasetJSONVersion", 1},
    {DSJ_META_CREATION_DATETIME, "creationDateTime", 0},
    {DSJ_META_FILE_OID, "fileOID", 0},
    {DSJ_META_DB_LAST_MODIFIED_DATETIME, "dbLastModifiedDateTime", 1},
    {DSJ_META_AS_OF_DATETIME, "asOfDateTime", 1},
    {DSJ_META_ORIGINATOR, "originator", 0},
    {DSJ_META_SOURCE_SYSTEM_NAME, "sourceSystem.name", 0},
    {DSJ_META_SOURCE_SYSTEM_VERSION, "sourceSystem.version", 0},
    {DSJ_META_STUDY_OID, "studyOID", 0},
    {DSJ_META_METADATA_VERSION_OID, "metaDataVersionOID", 0},
    {DSJ_META_METADATA_REF, "metaDataRef", 0},
    {DSJ_META_ITEMGROUP_OID, "itemGroupOID", 0},
    {DSJ_META_NAME, "name", 0},
    {DSJ_META_LABEL, "label", 0},
};

/* The column type as 1.0 would carry it (for comparing across versions). */
static dsj_datatype_t type_as_v10(const dsj_column_t *c, dsj_version_t v)
{
    if (v != DSJ_V1_1) return c->data_type;
    switch (c->data_type) {
    case DSJ_TYPE_DATE:
    case DSJ_TYPE_DATETIME:
    case DSJ_TYPE_TIME:
        return c->target_data_type == DSJ_TYPE_INTEGER ? DSJ_TYPE_INTEGER : DSJ_TYPE_STRING;
    case DSJ_TYPE_URI:
        return DSJ_TYPE_STRING;
    default:
        return c->data_type;
    }
}

static const char *type_text(const dsj_column_t *c, dsj_datatype_t t)
{
    if (t == DSJ_TYPE_NONE) return NULL;
    if (t == DSJ_TYPE_UNKNOWN && c->data_type_text) return c->data_type_text;
    return dsj_datatype_name(t);
}

static int skipped_column(const diff_ctx_t *d, const dsj_column_t *c, dsj_version_t v)
{
    return d->cross && v == DSJ_V1_0 && c->name && !strcmp(c->name, SEQ_COLUMN);
}

static void compare_columns(diff_ctx_t *d, const dsj_meta_t *ma, const dsj_meta_t *mb)
{
    size_t na = dsj_meta_ncolumns(ma), nb = dsj_meta_ncolumns(mb), i;
    int order_reported = 0;

    for (i = 0; i < na; i++) {
        const dsj_column_t *a = dsj_meta_column(ma, i), *b;
        const char *name = a->name ? a->name : "";
        long k;
        if (skipped_column(d, a, d->va)) continue;
        k = dsj_meta_find_column(mb, name);
        if (k < 0) {
            emit_meta(d, "presence", name, "true", "false");
            continue;
        }
        b = dsj_meta_column(mb, (size_t)k);
        d->ia[d->npairs] = i;
        d->ib[d->npairs] = (size_t)k;
        d->npairs++;
        meta_str(d, "itemOID", name, a->item_oid, b->item_oid);
        meta_str(d, "label", name, a->label, b->label);
        if (d->cross) {
            meta_str(d, "dataType (as 1.0 type)", name, type_text(a, type_as_v10(a, d->va)),
                     type_text(b, type_as_v10(b, d->vb)));
        } else {
            meta_str(d, "dataType", name, type_text(a, a->data_type), type_text(b, b->data_type));
            meta_str(d, "targetDataType", name, type_text(a, a->target_data_type),
                     type_text(b, b->target_data_type));
        }
        meta_int(d, "length", name, a->length, a->length != 0, b->length, b->length != 0);
        meta_str(d, "displayFormat", name, a->display_format, b->display_format);
        meta_int(d, "keySequence", name, a->key_sequence, a->key_sequence != 0, b->key_sequence,
                 b->key_sequence != 0);
    }
    for (i = 0; i < nb; i++) {
        const dsj_column_t *b = dsj_meta_column(mb, i);
        if (skipped_column(d, b, d->vb)) continue;
        if (dsj_meta_find_column(ma, b->name ? b->name : "") < 0)
            emit_meta(d, "presence", b->name ? b->name : "", "false", "true");
    }
    /* Column order: the shared columns in A's order must also be increasing in B. */
    for (i = 0; i < d->npairs; i++) {
        if (i > 0 && d->ib[i] < d->ib[i - 1] && !order_reported) {
            char ta[32], tb[32];
            snprintf(ta, sizeof ta, "%zu", d->ia[i] + 1);
            snprintf(tb, sizeof tb, "%zu", d->ib[i] + 1);
            emit_meta(d, "position", dsj_meta_column(ma, d->ia[i])->name, ta, tb);
            order_reported = 1;
        }
    }
}

static void compare_extras(diff_ctx_t *d, const dsj_meta_t *ma, const dsj_meta_t *mb)
{
    struct json_object *ea = dsj_meta_extra(ma), *eb = dsj_meta_extra(mb);
    int pass;
    const int flags = JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE;
    for (pass = 0; pass < 2; pass++) {
        struct json_object *from = pass ? eb : ea, *other = pass ? ea : eb;
        if (!from || !json_object_is_type(from, json_type_object)) continue;
        json_object_object_foreach(from, key, val) {
            struct json_object *ov = NULL;
            int has = other && json_object_is_type(other, json_type_object) &&
                      json_object_object_get_ex(other, key, &ov);
            if (pass == 1 && has) continue; /* already compared in pass 0 */
            if (has && json_object_equal(val, ov)) continue;
            {
                const char *tv = val ? json_object_to_json_string_ext(val, flags) : "null";
                const char *to = has ? (ov ? json_object_to_json_string_ext(ov, flags) : "null") : "(absent)";
                char *label = malloc(strlen(key) + 16);
                if (!label) continue;
                sprintf(label, "extension %s", key);
                if (pass == 0) {
                    if (has) emit_meta(d, label, NULL, tv, to);
                    else emit_meta(d, label, NULL, tv, "null");
                } else {
                    emit_meta(d, label, NULL, "null", tv);
                }
                free(label);
            }
        }
    }
}

static void compare_meta(diff_ctx_t *d, const dsj_meta_t *ma, const dsj_meta_t *mb)
{
    size_t i;
    int64_t ra = 0, rb = 0;
    int pa, pb;
    for (i = 0; i < sizeof attrs / sizeof attrs[0]; i++) {
        const char *na, *nb;
        char label[128];
        if (d->cross && attrs[i].version_specific) continue;
        /* Name the attribute as the files spell it ("datasetJSONCreationDateTime"). */
        na = dsj_meta_attr_name(attrs[i].attr, d->va);
        nb = dsj_meta_attr_name(attrs[i].attr, d->vb);
        if (!na || !*na) na = attrs[i].label;
        if (!nb || !*nb) nb = attrs[i].label;
        /* Across versions, the 1.1 name. */
        snprintf(label, sizeof label, "%s", d->vb == DSJ_V1_1 ? nb : na);
        meta_str(d, label, NULL, dsj_meta_get(ma, attrs[i].attr), dsj_meta_get(mb, attrs[i].attr));
    }
    if (!d->cross && d->va == DSJ_V1_0 && dsj_meta_is_reference_data(ma) != dsj_meta_is_reference_data(mb))
        emit_meta(d, "referenceData", NULL, dsj_meta_is_reference_data(ma) ? "true" : "false",
                  dsj_meta_is_reference_data(mb) ? "true" : "false");
    pa = dsj_meta_records(ma, &ra);
    pb = dsj_meta_records(mb, &rb);
    meta_int(d, "records", NULL, ra, pa, rb, pb);
    if (dsj_meta_has_rows(ma) != dsj_meta_has_rows(mb))
        emit_meta(d, "rows present", NULL, dsj_meta_has_rows(ma) ? "true" : "false",
                  dsj_meta_has_rows(mb) ? "true" : "false");
    if (!d->cross) compare_extras(d, ma, mb);
    compare_columns(d, ma, mb);
}

/* ---------------------------------------------------------------- cells */

static int is_num(const dsj_cell_t *c) { return c->kind == DSJ_CELL_INTEGER || c->kind == DSJ_CELL_NUMBER; }

/* Civil date from days since 1970-01-01 (proleptic Gregorian). */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *dd)
{
    int64_t era, yy;
    unsigned doe, yoe, doy, mp;
    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = (unsigned)(z - era * 146097);
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    yy = (int64_t)yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *dd = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yy + (*m <= 2);
}

#define SAS_EPOCH_DAYS (-3653) /* 1960-01-01 relative to 1970-01-01 */

/* ISO text of a SAS date/datetime/time number; 0 when it does not apply. */
static int sas_to_iso(dsj_datatype_t t, int64_t v, char *out, size_t size)
{
    int64_t y, days, secs;
    unsigned m, dd;
    if (v < -1000000000000LL || v > 1000000000000LL) return 0;
    switch (t) {
    case DSJ_TYPE_DATE:
        civil_from_days(v + SAS_EPOCH_DAYS, &y, &m, &dd);
        snprintf(out, size, "%04lld-%02u-%02u", (long long)y, m, dd);
        return 1;
    case DSJ_TYPE_DATETIME:
        days = v >= 0 ? v / 86400 : -((-v + 86399) / 86400);
        secs = v - days * 86400;
        civil_from_days(days + SAS_EPOCH_DAYS, &y, &m, &dd);
        snprintf(out, size, "%04lld-%02u-%02uT%02lld:%02lld:%02lld", (long long)y, m, dd,
                 (long long)(secs / 3600), (long long)(secs / 60 % 60), (long long)(secs % 60));
        return 1;
    case DSJ_TYPE_TIME:
        if (v < 0 || v >= 86400) return 0;
        snprintf(out, size, "%02lld:%02lld:%02lld", (long long)(v / 3600), (long long)(v / 60 % 60),
                 (long long)(v % 60));
        return 1;
    default:
        return 0;
    }
}

/* Across versions: a 1.0 number against a 1.1 string of column c11. */
static int cross_equal(const dsj_cell_t *num, const dsj_cell_t *str, const dsj_column_t *c11)
{
    int64_t v;
    char iso[64];
    if (dsj_decimal_valid(str->text, str->len))
        return dsj_number_text_compare(num->text, num->len, str->text, str->len) == 0;
    if (!c11) return 0;
    if (dsj_cell_to_int64(num, &v) != DSJ_OK) return 0;
    if (!sas_to_iso(c11->data_type, v, iso, sizeof iso)) return 0;
    return strlen(iso) == str->len && memcmp(iso, str->text, str->len) == 0;
}

static int cells_equal(const diff_ctx_t *d, const dsj_cell_t *a, const dsj_cell_t *b, const dsj_column_t *ca,
                       const dsj_column_t *cb)
{
    if (!a || !b) return !a && !b;
    if (is_num(a) && is_num(b)) return dsj_number_text_compare(a->text, a->len, b->text, b->len) == 0;
    if (a->kind == b->kind) {
        if (a->kind == DSJ_CELL_NULL) return 1;
        return a->len == b->len && (a->len == 0 || memcmp(a->text, b->text, a->len) == 0);
    }
    if (d->cross) {
        if (is_num(a) && b->kind == DSJ_CELL_STRING) return cross_equal(a, b, d->vb == DSJ_V1_1 ? cb : NULL);
        if (is_num(b) && a->kind == DSJ_CELL_STRING) return cross_equal(b, a, d->va == DSJ_V1_1 ? ca : NULL);
    }
    return 0;
}

static void compare_row(diff_ctx_t *d, uint64_t rowno, const dsj_row_t *ra, const dsj_row_t *rb,
                        const dsj_meta_t *ma, const dsj_meta_t *mb)
{
    size_t i;
    for (i = 0; i < d->npairs; i++) {
        size_t ia = d->ia[i], ib = d->ib[i];
        const dsj_cell_t *a = ia < ra->ncells ? &ra->cells[ia] : NULL;
        const dsj_cell_t *b = ib < rb->ncells ? &rb->cells[ib] : NULL;
        const dsj_column_t *ca = dsj_meta_column(ma, ia), *cb = dsj_meta_column(mb, ib);
        if (!cells_equal(d, a, b, ca, cb)) emit_cell(d, rowno, ca->name ? ca->name : "", a, b);
    }
}

/* ---------------------------------------------------------------- command */

static int open_reader(const char *path, dsj_reader_t **r)
{
    dsj_error_t err;
    dsj_reader_options_t ro;
    dsj_error_clear(&err);
    dsj_reader_options_init(&ro);
    ro.on_finding = cli_reader_finding_stderr; /* duplicate keys and bad UTF-8 are reported, not silently resolved */
    ro.finding_ctx = (void *)path;
    *r = dsj_reader_open(path, &ro, &err);
    if (!*r) {
        cli_print_error(stderr, "diff", &err, path);
        return -1;
    }
    return 0;
}

int dsj_cmd_diff(int argc, char **argv)
{
    cli_parser_t p;
    const char *pa = NULL, *pb = NULL;
    dsj_reader_t *ra = NULL, *rb = NULL;
    const dsj_meta_t *ma, *mb;
    diff_ctx_t d;
    dsj_error_t err;
    dsj_status_t sa = DSJ_DONE, sb = DSJ_DONE;
    const dsj_row_t *rowa, *rowb;
    uint64_t rows_a = 0, rows_b = 0, max = 100;
    cli_progress_t prog;
    int id, nops = 0, rc = DSJ_EXIT_USAGE, equal;
    const char *fail_file = NULL;

    memset(&d, 0, sizeof d);
    cli_parser_init(&p, "diff", argc, argv, diff_opts);
    while ((id = cli_next_option(&p)) != CLI_END) {
        switch (id) {
        case CLI_ERROR: return DSJ_EXIT_USAGE;
        case OPT_HELP: fputs(diff_help, stdout); return DSJ_EXIT_OK;
        case OPT_FORMAT:
            if (cli_parse_report_format("diff", p.value, &d.fmt)) return DSJ_EXIT_USAGE;
            break;
        case OPT_MAX:
            if (cli_parse_count("diff", "max-diffs", p.value, UINT64_MAX / 2, &max)) return DSJ_EXIT_USAGE;
            break;
        case CLI_OPERAND:
            if (nops == 0) pa = p.operand;
            else if (nops == 1) pb = p.operand;
            nops++;
            break;
        default: break;
        }
    }
    if (nops != 2) return cli_usage_error("diff", "wants exactly two files, A and B (got %d)", nops);
    d.max_shown = max;

    if (open_reader(pa, &ra) || open_reader(pb, &rb)) goto done;
    ma = dsj_reader_meta(ra);
    mb = dsj_reader_meta(rb);
    d.va = dsj_meta_version(ma);
    d.vb = dsj_meta_version(mb);
    d.cross = d.va != d.vb;
    d.ia = calloc(dsj_meta_ncolumns(ma) + 1, sizeof *d.ia);
    d.ib = calloc(dsj_meta_ncolumns(ma) + 1, sizeof *d.ib);
    if (!d.ia || !d.ib) {
        fprintf(stderr, "dsjson diff: out of memory\n");
        goto done;
    }

    if (d.fmt == CLI_REPORT_JSON) {
        cli_json_init(&d.j, stdout);
        cli_json_begin_object(&d.j);
        cli_json_key(&d.j, "a"); cli_json_string(&d.j, pa);
        cli_json_key(&d.j, "b"); cli_json_string(&d.j, pb);
        cli_json_key(&d.j, "versions");
        cli_json_begin_object(&d.j);
        cli_json_key(&d.j, "a"); cli_json_string(&d.j, cli_version_name(d.va));
        cli_json_key(&d.j, "b"); cli_json_string(&d.j, cli_version_name(d.vb));
        cli_json_end_object(&d.j);
        cli_json_key(&d.j, "formats");
        cli_json_begin_object(&d.j);
        cli_json_key(&d.j, "a"); cli_json_string(&d.j, dsj_format_name(dsj_reader_format(ra)));
        cli_json_key(&d.j, "b"); cli_json_string(&d.j, dsj_format_name(dsj_reader_format(rb)));
        cli_json_end_object(&d.j);
        cli_json_key(&d.j, "notes");
        cli_json_begin_array(&d.j);
    }
    if (d.cross) {
        char text[200];
        snprintf(text, sizeof text, "A is Dataset-JSON %s and B is %s: compared after 1.0/1.1 normalisation",
                 cli_version_name(d.va), cli_version_name(d.vb));
        note(&d, text);
        note(&d, "not compared: the 1.0 ITEMGROUPDATASEQ column, datasetJSONVersion, dbLastModifiedDateTime, "
                 "asOfDateTime, clinicalData/referenceData, extension attributes, targetDataType");
        note(&d, "dataType is compared as the 1.0 type; decimal strings equal numbers of the same value; "
                 "ISO dates/times equal the SAS numbers that denote them");
    }
    if (d.fmt == CLI_REPORT_JSON) {
        cli_json_end_array(&d.j);
        cli_json_key(&d.j, "differences");
        cli_json_begin_array(&d.j);
    }

    compare_meta(&d, ma, mb);

    cli_progress_init(&prog, "diff");
    dsj_error_clear(&err);
    for (;;) {
        sa = dsj_reader_next(ra, &rowa, &err);
        if (sa != DSJ_ROW && sa != DSJ_DONE) { fail_file = pa; break; }
        sb = dsj_reader_next(rb, &rowb, &err);
        if (sb != DSJ_ROW && sb != DSJ_DONE) { fail_file = pb; break; }
        if (sa == DSJ_ROW) rows_a++;
        if (sb == DSJ_ROW) rows_b++;
        if (sa != DSJ_ROW || sb != DSJ_ROW) break;
        compare_row(&d, rows_a, rowa, rowb, ma, mb);
        cli_progress_update(&prog, rows_a, dsj_reader_bytes_read(ra));
    }
    /* Count what is left on the longer side. */
    while (!fail_file && sa == DSJ_ROW && (sa = dsj_reader_next(ra, &rowa, &err)) == DSJ_ROW) rows_a++;
    if (!fail_file && sa != DSJ_ROW && sa != DSJ_DONE) fail_file = pa;
    while (!fail_file && sb == DSJ_ROW && (sb = dsj_reader_next(rb, &rowb, &err)) == DSJ_ROW) rows_b++;
    if (!fail_file && sb != DSJ_ROW && sb != DSJ_DONE) fail_file = pb;
    cli_progress_end(&prog);

    if (fail_file) {
        if (!err.file[0]) snprintf(err.file, sizeof err.file, "%s", fail_file);
        if (d.fmt == CLI_REPORT_JSON) { /* still one complete document, ending with the error */
            cli_json_end_array(&d.j);
            cli_json_key(&d.j, "equal"); cli_json_null(&d.j);
            cli_json_key(&d.j, "error");
            cli_json_error(&d.j, &err);
            cli_json_key(&d.j, "error_file"); cli_json_string(&d.j, err.file);
            cli_json_end_object(&d.j);
            cli_json_finish(&d.j);
        }
        cli_print_error(stderr, "diff", &err, fail_file);
        goto done;
    }
    if (rows_a != rows_b) {
        d.n_rows = 1;
        if (may_show(&d)) {
            if (d.fmt == CLI_REPORT_JSON) {
                cli_json_begin_object(&d.j);
                cli_json_key(&d.j, "kind"); cli_json_string(&d.j, "rows");
                cli_json_key(&d.j, "a"); cli_json_uint(&d.j, rows_a);
                cli_json_key(&d.j, "b"); cli_json_uint(&d.j, rows_b);
                cli_json_end_object(&d.j);
            } else {
                printf("rows: %llu in A, %llu in B\n", (unsigned long long)rows_a, (unsigned long long)rows_b);
            }
        }
    }
    equal = d.n_meta == 0 && d.n_cells == 0 && d.n_rows == 0;
    {
        uint64_t total = d.n_meta + d.n_cells + d.n_rows;
        if (d.fmt == CLI_REPORT_JSON) {
            cli_json_end_array(&d.j);
            cli_json_key(&d.j, "equal"); cli_json_bool(&d.j, equal);
            cli_json_key(&d.j, "summary");
            cli_json_begin_object(&d.j);
            cli_json_key(&d.j, "metadata"); cli_json_uint(&d.j, d.n_meta);
            cli_json_key(&d.j, "cells"); cli_json_uint(&d.j, d.n_cells);
            cli_json_key(&d.j, "rows_with_differences"); cli_json_uint(&d.j, d.rows_with_diffs);
            cli_json_key(&d.j, "rows");
            cli_json_begin_object(&d.j);
            cli_json_key(&d.j, "a"); cli_json_uint(&d.j, rows_a);
            cli_json_key(&d.j, "b"); cli_json_uint(&d.j, rows_b);
            cli_json_end_object(&d.j);
            cli_json_key(&d.j, "total"); cli_json_uint(&d.j, total);
            cli_json_key(&d.j, "shown"); cli_json_uint(&d.j, d.shown);
            cli_json_end_object(&d.j);
            cli_json_end_object(&d.j);
            cli_json_finish(&d.j);
        } else {
            if (total > d.shown)
                printf("... and %llu more differences not shown\n", (unsigned long long)(total - d.shown));
            if (equal)
                printf("%s and %s are equal (%llu rows, %zu columns compared)\n", pa, pb,
                       (unsigned long long)rows_a, d.npairs);
            else {
                printf("%s and %s differ: %llu metadata difference%s, %llu cell difference%s in %llu row%s", pa, pb,
                       (unsigned long long)d.n_meta, d.n_meta == 1 ? "" : "s",
                       (unsigned long long)d.n_cells, d.n_cells == 1 ? "" : "s",
                       (unsigned long long)d.rows_with_diffs, d.rows_with_diffs == 1 ? "" : "s");
                if (d.n_rows)
                    printf(", row count %llu != %llu", (unsigned long long)rows_a, (unsigned long long)rows_b);
                fputc('\n', stdout);
            }
        }
    }
    rc = equal ? DSJ_EXIT_OK : DSJ_EXIT_INVALID;

done:
    free(d.ia);
    free(d.ib);
    dsj_reader_free(ra);
    dsj_reader_free(rb);
    if (fflush(stdout) != 0) rc = DSJ_EXIT_USAGE;
    return rc;
}
