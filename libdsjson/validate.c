/*
 * Dataset-JSON validator (no define): metadata rules, per-row value rules,
 * end-of-data rules.  Every rule ID is listed in docs/rules.md.
 *
 * Cost per row: one switch per cell on a checker chosen at metadata time;
 * no allocation per row (messages are formatted on the stack, only when a
 * finding is emitted).
 */
#include "validate_internal.h"

#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>

#define SEQ_REPORT_CAP 10
#define VALUE_SHOWN 48 /* bytes of a value quoted in a message */

typedef enum chk {
    CHK_NONE = 0,     /* unknown dataType: only INVALID cells are reported */
    CHK_STRING,
    CHK_URI,
    CHK_INTEGER,
    CHK_NUMBER,       /* float, double */
    CHK_DECIMAL_STR,  /* 1.1 decimal: a decimal string */
    CHK_DECIMAL_NUM,  /* 1.0 decimal: a JSON number */
    CHK_BOOLEAN,
    CHK_DATE,
    CHK_DATETIME,
    CHK_TIME,
    CHK_SEQ           /* 1.0 ITEMGROUPDATASEQ */
} chk_t;

typedef struct vcol {
    chk_t chk;
    dsj_datatype_t type;
    char *name;
    int64_t length;           /* 0 = no length check */
    int full_needed;          /* targetDataType integer: date/datetime/time must be complete */
    uint64_t empty_count;     /* "" read as missing (date/time/decimal) */
    uint64_t empty_first_row;
    uint64_t intnum_count;    /* integral NUMBER tokens (3.0) in an integer column */
    uint64_t intnum_first_row;
    uint64_t bool10_count;    /* booleans in a 1.0 file */
    uint64_t bool10_first_row;
} vcol_t;

struct dsj_validator {
    char *file;
    int missing_empty_info;
    const struct dsj_define *define;
    dsj_finding_cb cb;
    void *ctx;
    int aborted;
    int have_meta;
    dsj_version_t version;
    const void *reader;
    dsj_meta_pos_fn pos;
    dsj_meta_refresh_fn refresh; /* metadata findings deferred to end */
    vcol_t *cols;
    size_t ncols;
    char *meta_prefix;   /* "" (1.1) or "/clinicalData/itemGroupData/<oid>" (1.0) */
    char *row_prefix;    /* "/rows" or ".../itemData" */
    const char *cols_key;/* "columns" or "items" */
    int has_records;
    int64_t records;
    int has_rows;
    uint64_t nrows;
    int check_seq;
    int64_t seq_expected;
    uint64_t seq_problems;
    dsj_define_checker_t *dchk;  /* dataset-against-define checks when options.define is set */
};

/* ---------------------------------------------------------------- emitting */

static int vemit_va(dsj_validator_t *v, const char *rule, dsj_severity_t sev,
                    uint64_t line, uint64_t column, uint64_t offset, const char *pointer,
                    uint64_t row, const char *column_name, const char *fmt, va_list ap)
{
    char msg[1024];
    vsnprintf(msg, sizeof msg, fmt, ap);
    if (v->aborted) return 1;
    if (dsj_emit(v->cb, v->ctx, rule, sev, v->file, line, column, offset, pointer, row,
                 column_name, "%s", msg))
        v->aborted = 1;
    return v->aborted;
}

/* A finding about a cell or row. */
static int vemit(dsj_validator_t *v, const char *rule, dsj_severity_t sev,
                 uint64_t line, uint64_t column, uint64_t offset, const char *pointer,
                 uint64_t row, const char *column_name, const char *fmt, ...) DSJ_PRINTF(10, 11);
static int vemit(dsj_validator_t *v, const char *rule, dsj_severity_t sev,
                 uint64_t line, uint64_t column, uint64_t offset, const char *pointer,
                 uint64_t row, const char *column_name, const char *fmt, ...)
{
    va_list ap;
    int r;
    va_start(ap, fmt);
    r = vemit_va(v, rule, sev, line, column, offset, pointer, row, column_name, fmt, ap);
    va_end(ap);
    return r;
}

/* A finding about the metadata at a JSON pointer (position looked up in the reader). */
static int memit(dsj_validator_t *v, const char *rule, dsj_severity_t sev, const char *pointer,
                 const char *column_name, const char *fmt, ...) DSJ_PRINTF(6, 7);
static int memit(dsj_validator_t *v, const char *rule, dsj_severity_t sev, const char *pointer,
                 const char *column_name, const char *fmt, ...)
{
    va_list ap;
    uint64_t line = 0, col = 0, off = 0;
    int r;
    if (v->pos && v->reader && pointer) {
        /* fall back to the parent object when the member itself is absent */
        char parent[512];
        if (!v->pos(v->reader, pointer, &line, &col, &off)) {
            const char *slash = strrchr(pointer, '/');
            size_t n = slash ? (size_t)(slash - pointer) : 0;
            if (n < sizeof parent) {
                memcpy(parent, pointer, n);
                parent[n] = '\0';
                if (!v->pos(v->reader, parent, &line, &col, &off)) line = col = off = 0;
            }
        }
    }
    va_start(ap, fmt);
    r = vemit_va(v, rule, sev, line, col, off, pointer && pointer[0] ? pointer : "/", 0,
                 column_name, fmt, ap);
    va_end(ap);
    return r;
}

/* Quote a value for a message: JSON-escaped, cut at VALUE_SHOWN bytes on a UTF-8 boundary. */
static const char *show_value(const dsj_cell_t *c, char *buf, size_t size)
{
    dsj_buf_t b;
    size_t n;
    if (c->kind == DSJ_CELL_NULL) return "null";
    n = c->len;
    if (n > VALUE_SHOWN) {
        n = VALUE_SHOWN;
        while (n > 0 && ((unsigned char)c->text[n] & 0xC0) == 0x80) n--;
    }
    dsj_buf_init(&b);
    if (c->kind == DSJ_CELL_STRING) {
        if (dsj_buf_json_string(&b, c->text, n)) { dsj_buf_free(&b); return "\"...\""; }
    } else {
        if (dsj_buf_append(&b, c->text ? c->text : "", n)) { dsj_buf_free(&b); return "?"; }
    }
    snprintf(buf, size, "%s%s", b.data ? b.data : "", n < c->len ? "..." : "");
    dsj_buf_free(&b);
    return buf;
}

static const char *kind_name(dsj_cell_kind_t k)
{
    switch (k) {
    case DSJ_CELL_NULL: return "null";
    case DSJ_CELL_STRING: return "a string";
    case DSJ_CELL_INTEGER: return "an integer number";
    case DSJ_CELL_NUMBER: return "a number";
    case DSJ_CELL_BOOLEAN: return "a boolean";
    case DSJ_CELL_INVALID: return "an object or array";
    }
    return "?";
}

/* ---------------------------------------------------------------- life cycle */

void dsj_validate_options_init(dsj_validate_options_t *o)
{
    if (!o) return;
    memset(o, 0, sizeof *o);
    o->missing_empty_info = 1;
}

dsj_validator_t *dsj_validator_new(const dsj_validate_options_t *opts, dsj_finding_cb cb, void *ctx)
{
    dsj_validator_t *v = dsj_calloc(1, sizeof *v);
    dsj_validate_options_t o;
    if (!v) return NULL;
    if (opts) o = *opts;
    else dsj_validate_options_init(&o);
    if (o.file && !(v->file = dsj_strdup(o.file))) { dsj_free(v); return NULL; }
    v->missing_empty_info = o.missing_empty_info;
    v->define = o.define;
    v->cb = cb;
    v->ctx = ctx;
    return v;
}

static void free_cols(dsj_validator_t *v)
{
    size_t i;
    for (i = 0; i < v->ncols; i++) dsj_free(v->cols[i].name);
    dsj_free(v->cols);
    v->cols = NULL;
    v->ncols = 0;
}

void dsj_validator_free(dsj_validator_t *v)
{
    if (!v) return;
    dsj_define_checker_free(v->dchk);
    free_cols(v);
    dsj_free(v->meta_prefix);
    dsj_free(v->row_prefix);
    dsj_free(v->file);
    dsj_free(v);
}

/* ---------------------------------------------------------------- metadata: JSON structure */

typedef enum jt { JT_STRING, JT_INTEGER, JT_NUMBER, JT_NUMBER_OR_NULL, JT_OBJECT, JT_ARRAY } jt_t;

typedef struct attr_spec {
    const char *key;
    jt_t type;
    int required;
    int minlen1;       /* string must not be empty */
} attr_spec_t;

static const attr_spec_t root11[] = {
    {"datasetJSONCreationDateTime", JT_STRING, 1, 0},
    {"datasetJSONVersion", JT_STRING, 1, 0},
    {"fileOID", JT_STRING, 0, 1},
    {"dbLastModifiedDateTime", JT_STRING, 0, 0},
    {"originator", JT_STRING, 0, 0},
    {"sourceSystem", JT_OBJECT, 0, 0},
    {"studyOID", JT_STRING, 0, 1},
    {"metaDataVersionOID", JT_STRING, 0, 1},
    {"metaDataRef", JT_STRING, 0, 0},
    {"itemGroupOID", JT_STRING, 1, 1},
    {"records", JT_INTEGER, 1, 0},
    {"name", JT_STRING, 1, 1},
    {"label", JT_STRING, 1, 0},
    {"columns", JT_ARRAY, 1, 0},
    {"rows", JT_ARRAY, 0, 0},
    {NULL, JT_STRING, 0, 0}};

static const attr_spec_t source11[] = {
    {"name", JT_STRING, 1, 0}, {"version", JT_STRING, 1, 0}, {NULL, JT_STRING, 0, 0}};

static const attr_spec_t column11[] = {
    {"itemOID", JT_STRING, 1, 1},
    {"name", JT_STRING, 1, 1},
    {"label", JT_STRING, 1, 0},
    {"dataType", JT_STRING, 1, 0},
    {"targetDataType", JT_STRING, 0, 0},
    {"length", JT_INTEGER, 0, 0},
    {"displayFormat", JT_STRING, 0, 0},
    {"keySequence", JT_INTEGER, 0, 0},
    {NULL, JT_STRING, 0, 0}};

static const attr_spec_t root10[] = {
    {"creationDateTime", JT_STRING, 1, 0},
    {"datasetJSONVersion", JT_STRING, 1, 0},
    {"fileOID", JT_STRING, 0, 0},
    {"asOfDateTime", JT_STRING, 0, 0},
    {"originator", JT_STRING, 0, 0},
    {"sourceSystem", JT_STRING, 0, 0},
    {"sourceSystemVersion", JT_STRING, 0, 0},
    {"clinicalData", JT_OBJECT, 0, 0},
    {"referenceData", JT_OBJECT, 0, 0},
    {NULL, JT_STRING, 0, 0}};

static const attr_spec_t data10[] = {
    {"studyOID", JT_STRING, 0, 0},
    {"metaDataVersionOID", JT_STRING, 0, 0},
    {"metaDataRef", JT_STRING, 0, 0},
    {"itemGroupData", JT_OBJECT, 1, 0},
    {NULL, JT_STRING, 0, 0}};

static const attr_spec_t group10[] = {
    {"records", JT_NUMBER, 1, 0},
    {"name", JT_STRING, 1, 0},
    {"label", JT_STRING, 1, 0},
    {"items", JT_ARRAY, 1, 0},
    {"itemData", JT_ARRAY, 0, 0}, /* required, but removed from the tree by the reader: checked via has_rows */
    {NULL, JT_STRING, 0, 0}};

static const attr_spec_t item10[] = {
    {"OID", JT_STRING, 1, 0},
    {"name", JT_STRING, 1, 0},
    {"label", JT_STRING, 1, 0},
    {"type", JT_STRING, 1, 0},
    {"length", JT_NUMBER_OR_NULL, 0, 0},
    {"displayFormat", JT_STRING, 0, 0},
    {"keySequence", JT_NUMBER, 0, 0},
    {NULL, JT_STRING, 0, 0}};

static const char *jt_name(jt_t t)
{
    switch (t) {
    case JT_STRING: return "a string";
    case JT_INTEGER: return "an integer";
    case JT_NUMBER: return "a number";
    case JT_NUMBER_OR_NULL: return "a number or null";
    case JT_OBJECT: return "an object";
    case JT_ARRAY: return "an array";
    }
    return "?";
}

static const char *json_kind(struct json_object *o)
{
    switch (json_object_get_type(o)) {
    case json_type_null: return "null";
    case json_type_boolean: return "a boolean";
    case json_type_double: return "a number";
    case json_type_int: return "an integer";
    case json_type_object: return "an object";
    case json_type_array: return "an array";
    case json_type_string: return "a string";
    }
    return "?";
}

static int jt_match(struct json_object *o, jt_t t)
{
    enum json_type jt = json_object_get_type(o);
    switch (t) {
    case JT_STRING: return jt == json_type_string;
    case JT_INTEGER: return jt == json_type_int;
    case JT_NUMBER: return jt == json_type_int || jt == json_type_double;
    case JT_NUMBER_OR_NULL: return jt == json_type_int || jt == json_type_double || jt == json_type_null;
    case JT_OBJECT: return jt == json_type_object;
    case JT_ARRAY: return jt == json_type_array;
    }
    return 0;
}

/* Build "<prefix>/<key>" (key escaped) into out. */
static const char *ptr_join(char *out, size_t size, const char *prefix, const char *key)
{
    dsj_buf_t b;
    dsj_buf_init(&b);
    if (dsj_buf_puts(&b, prefix) || dsj_buf_pointer_token(&b, key)) {
        dsj_buf_free(&b);
        snprintf(out, size, "%s", prefix);
        return out;
    }
    snprintf(out, size, "%s", b.data);
    dsj_buf_free(&b);
    return out;
}

/*
 * Check an object against its attribute table: required members, JSON
 * types, non-empty strings, unknown members.  where: a phrase for messages
 * ("the dataset", "column 3 (AGE)"); colname for findings.
 */
static void check_object(dsj_validator_t *v, struct json_object *obj, const attr_spec_t *spec,
                         const char *prefix, const char *where, const char *colname)
{
    const attr_spec_t *s;
    char ptr[512];
    for (s = spec; s->key; s++) {
        struct json_object *m = NULL;
        ptr_join(ptr, sizeof ptr, prefix, s->key);
        if (!json_object_object_get_ex(obj, s->key, &m)) {
            if (s->required)
                memit(v, "DSJ-META-REQUIRED", DSJ_SEV_ERROR, ptr, colname,
                      "%s has no \"%s\" attribute, which is required", where, s->key);
            continue;
        }
        if (!jt_match(m, s->type)) {
            memit(v, "DSJ-META-TYPE", DSJ_SEV_ERROR, ptr, colname,
                  "%s: \"%s\" must be %s, found %s", where, s->key, jt_name(s->type), json_kind(m));
            continue;
        }
        if (s->minlen1 && s->type == JT_STRING && json_object_get_string_len(m) == 0)
            memit(v, "DSJ-META-EMPTY", DSJ_SEV_ERROR, ptr, colname,
                  "%s: \"%s\" is empty; it must have at least one character", where, s->key);
    }
    {
        json_object_object_foreach(obj, key, val) {
            int known = 0;
            (void)val;
            for (s = spec; s->key; s++)
                if (strcmp(s->key, key) == 0) { known = 1; break; }
            if (!known) {
                ptr_join(ptr, sizeof ptr, prefix, key);
                memit(v, "DSJ-META-UNKNOWN", DSJ_SEV_WARNING, ptr, colname,
                      "%s: attribute \"%s\" is not defined by Dataset-JSON %s (an extension?)",
                      where, key, v->version == DSJ_V1_0 ? "1.0" : "1.1");
            }
        }
    }
}

/* Minimum checks on integer-valued attributes found in the tree (records, length, keySequence). */
static void check_min(dsj_validator_t *v, struct json_object *obj, const char *key, int64_t min,
                      const char *prefix, const char *where, const char *colname)
{
    struct json_object *m;
    char ptr[512];
    double d;
    if (!obj || !json_object_object_get_ex(obj, key, &m)) return;
    if (json_object_get_type(m) == json_type_int) d = (double)json_object_get_int64(m);
    else if (json_object_get_type(m) == json_type_double) {
        if (v->version != DSJ_V1_0) return; /* 1.1: already a DSJ-META-TYPE (must be an integer) */
        d = json_object_get_double(m);
        if (d != (double)(int64_t)d) {
            ptr_join(ptr, sizeof ptr, prefix, key);
            memit(v, "DSJ-META-TYPE", DSJ_SEV_ERROR, ptr, colname,
                  "%s: \"%s\" must be a whole number, found %s", where, key, json_object_get_string(m));
            return;
        }
    } else return;
    if (d < (double)min) {
        ptr_join(ptr, sizeof ptr, prefix, key);
        memit(v, "DSJ-META-RANGE", DSJ_SEV_ERROR, ptr, colname,
              "%s: \"%s\" is %s; it must be %" PRId64 " or more", where, key, json_object_get_string(m), min);
    }
}

static void check_json_11(dsj_validator_t *v, struct json_object *root)
{
    struct json_object *ss, *cols;
    check_object(v, root, root11, "", "the dataset", NULL);
    if (json_object_object_get_ex(root, "sourceSystem", &ss) && json_object_is_type(ss, json_type_object))
        check_object(v, ss, source11, "/sourceSystem", "sourceSystem", NULL);
    check_min(v, root, "records", 0, "", "the dataset", NULL);
    if (json_object_object_get_ex(root, "columns", &cols) && json_object_is_type(cols, json_type_array)) {
        size_t i, n = json_object_array_length(cols);
        for (i = 0; i < n; i++) {
            struct json_object *c = json_object_array_get_idx(cols, i), *nm;
            char prefix[64], where[256];
            const char *name = NULL;
            snprintf(prefix, sizeof prefix, "/columns/%zu", i);
            if (json_object_object_get_ex(c, "name", &nm) && json_object_is_type(nm, json_type_string))
                name = json_object_get_string(nm);
            if (name) snprintf(where, sizeof where, "column %zu (%s)", i + 1, name);
            else snprintf(where, sizeof where, "column %zu", i + 1);
            if (!json_object_is_type(c, json_type_object)) {
                memit(v, "DSJ-META-TYPE", DSJ_SEV_ERROR, prefix, NULL,
                      "%s must be an object, found %s", where, json_kind(c));
                continue;
            }
            check_object(v, c, column11, prefix, where, name);
            check_min(v, c, "length", 1, prefix, where, name);
            check_min(v, c, "keySequence", 1, prefix, where, name);
        }
    }
}

/* 1.0: also finds the dataset object and sets the metadata pointer prefix.
   Returns 0 when there is no dataset object to check further. */
static int check_json_10(dsj_validator_t *v, struct json_object *root, const dsj_meta_t *meta)
{
    struct json_object *cd = NULL, *rd = NULL, *data, *igd, *group = NULL, *items;
    const char *dkey, *gkey = NULL;
    char prefix[512], ptr[512];
    int hascd, hasrd;
    check_object(v, root, root10, "", "the dataset", NULL);
    hascd = json_object_object_get_ex(root, "clinicalData", &cd);
    hasrd = json_object_object_get_ex(root, "referenceData", &rd);
    if (!hascd && !hasrd) {
        memit(v, "DSJ-META-DATA-CHOICE", DSJ_SEV_ERROR, "", NULL,
              "the file has neither \"clinicalData\" nor \"referenceData\"; Dataset-JSON 1.0 requires one of them");
        return 0;
    }
    if (hascd && hasrd)
        memit(v, "DSJ-META-DATA-CHOICE", DSJ_SEV_ERROR, "/referenceData", NULL,
              "the file has both \"clinicalData\" and \"referenceData\"; a Dataset-JSON 1.0 file holds exactly one dataset");
    if (hascd && (!hasrd || !dsj_meta_is_reference_data(meta))) { data = cd; dkey = "clinicalData"; }
    else { data = rd; dkey = "referenceData"; }
    if (!json_object_is_type(data, json_type_object)) return 0;
    snprintf(prefix, sizeof prefix, "/%s", dkey);
    check_object(v, data, data10, prefix, dkey, NULL);
    if (!json_object_object_get_ex(data, "itemGroupData", &igd) || !json_object_is_type(igd, json_type_object))
        return 0;
    if (json_object_object_length(igd) != 1) {
        ptr_join(ptr, sizeof ptr, prefix, "itemGroupData");
        memit(v, "DSJ-META-ITEMGROUPDATA", DSJ_SEV_ERROR, ptr, NULL,
              "\"itemGroupData\" has %d entries; it must hold exactly one dataset",
              json_object_object_length(igd));
    }
    {
        json_object_object_foreach(igd, key, val) {
            if (!gkey) { gkey = key; group = val; }
        }
    }
    if (!group) return 0;
    {
        dsj_buf_t b;
        dsj_buf_init(&b);
        if (!dsj_buf_puts(&b, prefix) && !dsj_buf_pointer_token(&b, "itemGroupData") &&
            !dsj_buf_pointer_token(&b, gkey)) {
            dsj_free(v->meta_prefix);
            v->meta_prefix = dsj_buf_steal(&b);
            dsj_free(v->row_prefix);
            v->row_prefix = NULL;
            dsj_buf_init(&b);
            if (!dsj_buf_puts(&b, v->meta_prefix) && !dsj_buf_puts(&b, "/itemData"))
                v->row_prefix = dsj_buf_steal(&b);
        }
        dsj_buf_free(&b);
    }
    if (!json_object_is_type(group, json_type_object)) {
        memit(v, "DSJ-META-TYPE", DSJ_SEV_ERROR, v->meta_prefix, NULL,
              "the dataset entry \"%s\" must be an object, found %s", gkey, json_kind(group));
        return 0;
    }
    check_object(v, group, group10, v->meta_prefix, "the dataset", NULL);
    check_min(v, group, "records", 0, v->meta_prefix, "the dataset", NULL);
    if (json_object_object_get_ex(group, "items", &items) && json_object_is_type(items, json_type_array)) {
        size_t i, n = json_object_array_length(items);
        for (i = 0; i < n; i++) {
            struct json_object *c = json_object_array_get_idx(items, i), *nm;
            char ip[600], where[256];
            const char *name = NULL;
            snprintf(ip, sizeof ip, "%s/items/%zu", v->meta_prefix, i);
            if (json_object_object_get_ex(c, "name", &nm) && json_object_is_type(nm, json_type_string))
                name = json_object_get_string(nm);
            if (name) snprintf(where, sizeof where, "item %zu (%s)", i + 1, name);
            else snprintf(where, sizeof where, "item %zu", i + 1);
            if (!json_object_is_type(c, json_type_object)) {
                memit(v, "DSJ-META-TYPE", DSJ_SEV_ERROR, ip, NULL, "%s must be an object, found %s",
                      where, json_kind(c));
                continue;
            }
            check_object(v, c, item10, ip, where, name);
            check_min(v, c, "length", 1, ip, where, name);
        }
    }
    return 1;
}

/* ---------------------------------------------------------------- metadata: model */

static void meta_attr_ptr(dsj_validator_t *v, char *out, size_t size, const char *key)
{
    snprintf(out, size, "%s/%s", v->meta_prefix ? v->meta_prefix : "", key);
}

/* Root-level attribute pointer for 1.0 (root, not the dataset object). */
static void col_ptr(dsj_validator_t *v, char *out, size_t size, size_t i, const char *key)
{
    if (key) snprintf(out, size, "%s/%s/%zu/%s", v->meta_prefix ? v->meta_prefix : "", v->cols_key, i, key);
    else snprintf(out, size, "%s/%s/%zu", v->meta_prefix ? v->meta_prefix : "", v->cols_key, i);
}

static int version_ok(const char *s, const char *major_minor)
{
    size_t i;
    if (!s || strncmp(s, major_minor, 3) != 0) return 0;
    if (s[3] == '\0') return 1;
    if (s[3] != '.') return 0;
    i = 4;
    if (s[i] == '0') return s[i + 1] == '\0';
    if (s[i] < '1' || s[i] > '9') return 0;
    while (s[i] >= '0' && s[i] <= '9') i++;
    return s[i] == '\0';
}

static void check_model_required(dsj_validator_t *v, const dsj_meta_t *m)
{
    static const dsj_meta_attr_t req11[] = {DSJ_META_CREATION_DATETIME, DSJ_META_DATASET_JSON_VERSION,
                                            DSJ_META_ITEMGROUP_OID, DSJ_META_NAME, DSJ_META_LABEL};
    static const dsj_meta_attr_t req10[] = {DSJ_META_CREATION_DATETIME, DSJ_META_DATASET_JSON_VERSION,
                                            DSJ_META_NAME, DSJ_META_LABEL};
    const dsj_meta_attr_t *req = v->version == DSJ_V1_0 ? req10 : req11;
    size_t n = v->version == DSJ_V1_0 ? sizeof req10 / sizeof *req10 : sizeof req11 / sizeof *req11, i;
    char ptr[512];
    for (i = 0; i < n; i++) {
        const char *key = dsj_meta_attr_name(req[i], v->version);
        if (dsj_meta_get(m, req[i])) continue;
        if (req[i] == DSJ_META_CREATION_DATETIME || req[i] == DSJ_META_DATASET_JSON_VERSION)
            snprintf(ptr, sizeof ptr, "/%s", key);
        else meta_attr_ptr(v, ptr, sizeof ptr, key);
        memit(v, "DSJ-META-REQUIRED", DSJ_SEV_ERROR, ptr, NULL,
              "the dataset has no \"%s\" attribute, which is required", key);
    }
    if (!dsj_meta_records(m, NULL)) {
        meta_attr_ptr(v, ptr, sizeof ptr, "records");
        memit(v, "DSJ-META-REQUIRED", DSJ_SEV_ERROR, ptr, NULL,
              "the dataset has no \"records\" attribute, which is required");
    }
}

static void check_datetimes(dsj_validator_t *v, const dsj_meta_t *m)
{
    const char *cr = dsj_meta_get(m, DSJ_META_CREATION_DATETIME);
    const char *db = dsj_meta_get(m, DSJ_META_DB_LAST_MODIFIED_DATETIME);
    const char *ver = dsj_meta_get(m, DSJ_META_DATASET_JSON_VERSION);
    int cr_ok = 0, db_ok = 0;
    if (v->version == DSJ_V1_0) {
        const char *asof = dsj_meta_get(m, DSJ_META_AS_OF_DATETIME);
        if (ver && !version_ok(ver, "1.0"))
            memit(v, "DSJ-META-VERSION", DSJ_SEV_WARNING, "/datasetJSONVersion", NULL,
                  "datasetJSONVersion is \"%s\"; a Dataset-JSON 1.0 file should say \"1.0\" or \"1.0.x\"", ver);
        if (cr && !dsj_iso8601_datetime(cr, strlen(cr), 0))
            memit(v, "DSJ-META-DATETIME", DSJ_SEV_WARNING, "/creationDateTime", NULL,
                  "creationDateTime \"%s\" is not an ISO 8601 date and time (YYYY-MM-DDThh:mm:ss)", cr);
        if (asof && !dsj_iso8601_datetime(asof, strlen(asof), 0))
            memit(v, "DSJ-META-DATETIME", DSJ_SEV_WARNING, "/asOfDateTime", NULL,
                  "asOfDateTime \"%s\" is not an ISO 8601 date and time (YYYY-MM-DDThh:mm:ss)", asof);
        return;
    }
    if (ver && !version_ok(ver, "1.1"))
        memit(v, "DSJ-META-VERSION", DSJ_SEV_ERROR, "/datasetJSONVersion", NULL,
              "datasetJSONVersion is \"%s\"; Dataset-JSON 1.1 requires \"1.1\" or \"1.1.x\" (e.g. \"1.1.0\")", ver);
    if (cr) {
        cr_ok = dsj_iso8601_metadata_datetime(cr, strlen(cr));
        if (!cr_ok)
            memit(v, "DSJ-META-DATETIME", DSJ_SEV_ERROR, "/datasetJSONCreationDateTime", NULL,
                  "datasetJSONCreationDateTime \"%s\" is not of the form YYYY-MM-DDThh:mm:ss[.f][Z|+hh:mm] "
                  "(seconds are required)", cr);
    }
    if (db) {
        db_ok = dsj_iso8601_metadata_datetime(db, strlen(db));
        if (!db_ok)
            memit(v, "DSJ-META-DATETIME", DSJ_SEV_ERROR, "/dbLastModifiedDateTime", NULL,
                  "dbLastModifiedDateTime \"%s\" is not of the form YYYY-MM-DDThh:mm:ss[.f][Z|+hh:mm] "
                  "(seconds are required)", db);
    }
    if (cr_ok && db_ok) {
        int cmp = 0, mixed = 0;
        if (dsj_metadata_datetime_compare(db, strlen(db), cr, strlen(cr), &cmp, &mixed) && cmp > 0)
            memit(v, "DSJ-META-DATETIME-ORDER", DSJ_SEV_ERROR, "/dbLastModifiedDateTime", NULL,
                  "dbLastModifiedDateTime \"%s\" is after datasetJSONCreationDateTime \"%s\"; "
                  "the database cannot have changed after the file was created%s",
                  db, cr, mixed ? " (compared as local times: only one of them has a UTC offset)" : "");
    }
}

static int type_allowed_10(dsj_datatype_t t)
{
    return t == DSJ_TYPE_STRING || t == DSJ_TYPE_INTEGER || t == DSJ_TYPE_DECIMAL ||
           t == DSJ_TYPE_FLOAT || t == DSJ_TYPE_DOUBLE || t == DSJ_TYPE_BOOLEAN;
}

static chk_t checker_for(dsj_version_t ver, dsj_datatype_t t)
{
    switch (t) {
    case DSJ_TYPE_STRING: return CHK_STRING;
    case DSJ_TYPE_URI: return CHK_URI;
    case DSJ_TYPE_INTEGER: return CHK_INTEGER;
    case DSJ_TYPE_FLOAT:
    case DSJ_TYPE_DOUBLE: return CHK_NUMBER;
    case DSJ_TYPE_DECIMAL: return ver == DSJ_V1_0 ? CHK_DECIMAL_NUM : CHK_DECIMAL_STR;
    case DSJ_TYPE_BOOLEAN: return CHK_BOOLEAN;
    case DSJ_TYPE_DATE: return CHK_DATE;
    case DSJ_TYPE_DATETIME: return CHK_DATETIME;
    case DSJ_TYPE_TIME: return CHK_TIME;
    default: return CHK_NONE;
    }
}

static int cmp_int64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* (key, column index) pairs sorted by key, for duplicate detection without shared state. */
typedef struct keyed {
    const char *key;
    size_t idx;
} keyed_t;

static int cmp_keyed(const void *a, const void *b)
{
    const keyed_t *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    if (c) return c;
    return x->idx < y->idx ? -1 : 1;
}

static void check_duplicates(dsj_validator_t *v, const dsj_meta_t *m, int by_name)
{
    size_t n = dsj_meta_ncolumns(m), i, k = 0;
    keyed_t *a;
    char ptr[600];
    if (n < 2) return;
    a = dsj_malloc(n * sizeof *a);
    if (!a) return;
    for (i = 0; i < n; i++) {
        const dsj_column_t *c = dsj_meta_column(m, i);
        const char *key = by_name ? c->name : c->item_oid;
        if (key && *key) { a[k].key = key; a[k].idx = i; k++; }
    }
    qsort(a, k, sizeof *a, cmp_keyed);
    for (i = 1; i < k; i++) {
        const dsj_column_t *b;
        if (strcmp(a[i - 1].key, a[i].key) != 0) continue;
        b = dsj_meta_column(m, a[i].idx);
        col_ptr(v, ptr, sizeof ptr, a[i].idx, by_name ? "name" : (v->version == DSJ_V1_0 ? "OID" : "itemOID"));
        memit(v, by_name ? "DSJ-META-DUP-NAME" : "DSJ-META-DUP-OID", DSJ_SEV_ERROR, ptr, b->name,
              "column %zu repeats the %s \"%s\" of column %zu; %s must be unique within a dataset",
              a[i].idx + 1, by_name ? "name" : "OID", a[i].key, a[i - 1].idx + 1,
              by_name ? "column names" : "item OIDs");
    }
    dsj_free(a);
}

static void check_keys(dsj_validator_t *v, const dsj_meta_t *m)
{
    size_t n = dsj_meta_ncolumns(m), i, k = 0;
    int64_t *keys;
    char ptr[600];
    keys = dsj_malloc((n ? n : 1) * sizeof *keys);
    if (!keys) return;
    for (i = 0; i < n; i++) {
        const dsj_column_t *c = dsj_meta_column(m, i);
        if (c->key_sequence > 0) keys[k++] = c->key_sequence;
    }
    if (k) {
        qsort(keys, k, sizeof *keys, cmp_int64);
        for (i = 0; i < k; i++) {
            if (i > 0 && keys[i] == keys[i - 1]) {
                size_t j;
                for (j = 0; j < n; j++) {
                    const dsj_column_t *c = dsj_meta_column(m, j);
                    if (c->key_sequence == keys[i]) break;
                }
                /* report the second column carrying this key */
                for (j = j + 1; j < n; j++) {
                    const dsj_column_t *c = dsj_meta_column(m, j);
                    if (c->key_sequence == keys[i]) {
                        col_ptr(v, ptr, sizeof ptr, j, "keySequence");
                        memit(v, "DSJ-META-KEYSEQ-DUP", DSJ_SEV_WARNING, ptr, c->name,
                              "column %s has keySequence %" PRId64 ", which another column already has; "
                              "key positions should be unique", c->name ? c->name : "?", keys[i]);
                        break;
                    }
                }
                while (i + 1 < k && keys[i + 1] == keys[i]) i++;
            }
        }
        {
            int64_t expect = 1;
            for (i = 0; i < k; i++) {
                if (i > 0 && keys[i] == keys[i - 1]) continue;
                if (keys[i] != expect) {
                    meta_attr_ptr(v, ptr, sizeof ptr, v->cols_key);
                    memit(v, "DSJ-META-KEYSEQ-GAP", DSJ_SEV_WARNING, ptr, NULL,
                          "keySequence values should run 1, 2, 3...; %" PRId64 " is missing", expect);
                    break;
                }
                expect++;
            }
        }
    }
    dsj_free(keys);
}

static void check_columns(dsj_validator_t *v, const dsj_meta_t *m, int have_json)
{
    size_t n = dsj_meta_ncolumns(m), i;
    char ptr[600];
    const char *tkey = v->version == DSJ_V1_0 ? "type" : "dataType";
    if (n == 0) {
        meta_attr_ptr(v, ptr, sizeof ptr, v->cols_key);
        memit(v, "DSJ-META-NO-COLUMNS", DSJ_SEV_WARNING, ptr, NULL,
              "the dataset describes no columns");
    }
    for (i = 0; i < n; i++) {
        const dsj_column_t *c = dsj_meta_column(m, i);
        const char *name = c->name ? c->name : "?";
        if (!have_json) {
            if (!c->item_oid || !c->name || !c->label || c->data_type == DSJ_TYPE_NONE) {
                const char *miss = !c->item_oid ? (v->version == DSJ_V1_0 ? "OID" : "itemOID")
                                   : !c->name ? "name" : !c->label ? "label" : tkey;
                col_ptr(v, ptr, sizeof ptr, i, miss);
                memit(v, "DSJ-META-REQUIRED", DSJ_SEV_ERROR, ptr, c->name,
                      "column %zu (%s) has no \"%s\" attribute, which is required", i + 1, name, miss);
            }
            if ((c->item_oid && !*c->item_oid && v->version != DSJ_V1_0) || (c->name && !*c->name)) {
                col_ptr(v, ptr, sizeof ptr, i, c->name && !*c->name ? "name" : "itemOID");
                memit(v, "DSJ-META-EMPTY", DSJ_SEV_ERROR, ptr, c->name,
                      "column %zu: \"%s\" is empty; it must have at least one character", i + 1,
                      c->name && !*c->name ? "name" : "itemOID");
            }
            if (c->length < 0 || c->key_sequence < 0) {
                col_ptr(v, ptr, sizeof ptr, i, c->length < 0 ? "length" : "keySequence");
                memit(v, "DSJ-META-RANGE", DSJ_SEV_ERROR, ptr, c->name,
                      "column %zu (%s): \"%s\" must be 1 or more", i + 1, name,
                      c->length < 0 ? "length" : "keySequence");
            }
        }
        if (c->data_type == DSJ_TYPE_UNKNOWN ||
            (v->version == DSJ_V1_0 && c->data_type != DSJ_TYPE_NONE && !type_allowed_10(c->data_type))) {
            col_ptr(v, ptr, sizeof ptr, i, tkey);
            memit(v, "DSJ-META-DATATYPE", DSJ_SEV_ERROR, ptr, c->name,
                  "column %s: %s \"%s\" is not one of %s", name, tkey,
                  c->data_type == DSJ_TYPE_UNKNOWN ? (c->data_type_text ? c->data_type_text : "?")
                                                   : dsj_datatype_name(c->data_type),
                  v->version == DSJ_V1_0 ? "string, integer, float, double, decimal, boolean"
                                         : "string, integer, decimal, float, double, boolean, datetime, date, time, URI");
        }
        if (c->target_data_type != DSJ_TYPE_NONE && v->version != DSJ_V1_0) {
            dsj_datatype_t t = c->target_data_type, d = c->data_type;
            col_ptr(v, ptr, sizeof ptr, i, "targetDataType");
            if (t != DSJ_TYPE_INTEGER && t != DSJ_TYPE_DECIMAL) {
                memit(v, "DSJ-META-TARGETTYPE", DSJ_SEV_ERROR, ptr, c->name,
                      "column %s: targetDataType \"%s\" is not one of integer, decimal", name,
                      t == DSJ_TYPE_UNKNOWN ? "?" : dsj_datatype_name(t));
            } else if (d != DSJ_TYPE_UNKNOWN && d != DSJ_TYPE_NONE &&
                       !((t == DSJ_TYPE_INTEGER && (d == DSJ_TYPE_DATE || d == DSJ_TYPE_DATETIME || d == DSJ_TYPE_TIME)) ||
                         (t == DSJ_TYPE_DECIMAL && d == DSJ_TYPE_DECIMAL))) {
                memit(v, "DSJ-META-TARGET-COMBO", DSJ_SEV_ERROR, ptr, c->name,
                      "column %s: dataType %s with targetDataType %s is not a supported combination "
                      "(integer goes with date, datetime or time; decimal with decimal)",
                      name, dsj_datatype_name(d), dsj_datatype_name(t));
            }
        }
    }
    check_duplicates(v, m, 0);
    check_duplicates(v, m, 1);
    check_keys(v, m);
    if (v->version == DSJ_V1_0) {
        const dsj_column_t *c = dsj_meta_column(m, 0);
        if (!c || !c->item_oid || strcmp(c->item_oid, "ITEMGROUPDATASEQ") != 0) {
            col_ptr(v, ptr, sizeof ptr, 0, "OID");
            memit(v, "DSJ-META-SEQ-ITEM", DSJ_SEV_ERROR, ptr, c ? c->name : NULL,
                  "the first item must be ITEMGROUPDATASEQ (the record identifier), found %s%s%s",
                  c && c->item_oid ? "\"" : "", c && c->item_oid ? c->item_oid : "none",
                  c && c->item_oid ? "\"" : "");
        } else {
            if (c->data_type != DSJ_TYPE_INTEGER) {
                col_ptr(v, ptr, sizeof ptr, 0, "type");
                memit(v, "DSJ-META-SEQ-ITEM", DSJ_SEV_ERROR, ptr, c->name,
                      "ITEMGROUPDATASEQ must have type integer, found \"%s\"",
                      c->data_type_text ? c->data_type_text : dsj_datatype_name(c->data_type));
            }
        }
    }
}

static int build_checkers(dsj_validator_t *v, const dsj_meta_t *m)
{
    size_t n = dsj_meta_ncolumns(m), i;
    free_cols(v);
    v->cols = dsj_calloc(n ? n : 1, sizeof *v->cols);
    if (!v->cols) return -1;
    v->ncols = n;
    for (i = 0; i < n; i++) {
        const dsj_column_t *c = dsj_meta_column(m, i);
        vcol_t *vc = &v->cols[i];
        vc->type = c->data_type;
        vc->chk = checker_for(v->version, c->data_type);
        if (v->version == DSJ_V1_0 && !type_allowed_10(c->data_type)) vc->chk = CHK_NONE;
        if (i == 0 && v->check_seq) vc->chk = CHK_SEQ;
        vc->length = c->length > 0 ? c->length : 0;
        vc->full_needed = v->version != DSJ_V1_0 && c->target_data_type == DSJ_TYPE_INTEGER &&
                          (vc->chk == CHK_DATE || vc->chk == CHK_DATETIME || vc->chk == CHK_TIME);
        vc->name = dsj_strdup(c->name ? c->name : "");
        if (!vc->name) return -1;
    }
    return 0;
}

/* Metadata findings on the model and, when given, the JSON tree. */
static void meta_findings(dsj_validator_t *v, const dsj_meta_t *meta, struct json_object *json)
{
    int found = 1;
    if (json && json_object_is_type(json, json_type_object)) {
        if (v->version == DSJ_V1_0) found = check_json_10(v, json, meta);
        else check_json_11(v, json);
    } else {
        check_model_required(v, meta);
        if (v->has_records && v->records < 0) {
            char ptr[512];
            meta_attr_ptr(v, ptr, sizeof ptr, "records");
            memit(v, "DSJ-META-RANGE", DSJ_SEV_ERROR, ptr, NULL,
                  "the dataset: \"records\" is %" PRId64 "; it must be 0 or more", v->records);
        }
    }
    check_datetimes(v, meta);
    if (!found) return; /* 1.0 without a dataset: nothing more to say about it */
    if (v->version == DSJ_V1_0 && !v->has_rows) {
        char ptr[512];
        meta_attr_ptr(v, ptr, sizeof ptr, "itemData");
        memit(v, "DSJ-META-REQUIRED", DSJ_SEV_ERROR, ptr, NULL,
              "the dataset has no \"itemData\" attribute, which Dataset-JSON 1.0 requires "
              "(use [] for an empty dataset)");
    }
    check_columns(v, meta, json != NULL);
}

dsj_status_t dsj_validator_check_meta(dsj_validator_t *v, const dsj_meta_t *meta,
                                      struct json_object *json, const void *reader,
                                      dsj_meta_pos_fn pos, dsj_meta_refresh_fn refresh)
{
    const dsj_column_t *first;
    if (!v || !meta) return DSJ_E_ARG;
    if (v->have_meta) return DSJ_E_STATE;
    v->have_meta = 1;
    v->reader = reader;
    v->pos = pos;
    v->refresh = refresh;
    v->version = dsj_meta_version(meta);
    if (v->version != DSJ_V1_0) v->version = DSJ_V1_1;
    v->cols_key = v->version == DSJ_V1_0 ? "items" : "columns";
    v->has_records = dsj_meta_records(meta, &v->records);
    v->has_rows = dsj_meta_has_rows(meta);
    dsj_free(v->meta_prefix);
    dsj_free(v->row_prefix);
    v->meta_prefix = v->row_prefix = NULL;
    if (v->version == DSJ_V1_0) {
        /* default prefix from the model; check_json_10 replaces it with the one found */
        dsj_buf_t b;
        const char *oid = dsj_meta_get(meta, DSJ_META_ITEMGROUP_OID);
        dsj_buf_init(&b);
        if (dsj_buf_puts(&b, dsj_meta_is_reference_data(meta) ? "/referenceData" : "/clinicalData") ||
            dsj_buf_pointer_token(&b, "itemGroupData") || dsj_buf_pointer_token(&b, oid ? oid : "")) {
            dsj_buf_free(&b);
            return DSJ_E_NOMEM;
        }
        v->meta_prefix = dsj_buf_steal(&b);
        dsj_buf_init(&b);
        if (dsj_buf_puts(&b, v->meta_prefix) || dsj_buf_puts(&b, "/itemData")) {
            dsj_buf_free(&b);
            return DSJ_E_NOMEM;
        }
        v->row_prefix = dsj_buf_steal(&b);
        first = dsj_meta_column(meta, 0);
        v->check_seq = first && first->item_oid && strcmp(first->item_oid, "ITEMGROUPDATASEQ") == 0;
        v->seq_expected = 1;
    } else {
        v->meta_prefix = dsj_strdup("");
        v->row_prefix = dsj_strdup("/rows");
    }
    if (!v->meta_prefix || !v->row_prefix) return DSJ_E_NOMEM;
    if (build_checkers(v, meta)) return DSJ_E_NOMEM;
    if (v->define) {
        dsj_error_t err;
        dsj_error_clear(&err);
        v->dchk = dsj_define_checker_new(v->define, meta, (const struct dsj_reader *)reader, v->file,
                                         v->cb, v->ctx, &err);
        if (!v->dchk) {
            if (err.code == DSJ_E_ABORTED) v->aborted = 1;
            return err.code != DSJ_OK ? err.code : DSJ_E_DEFINE;
        }
    }
    /* With a refresh function the metadata may still grow (members after the
       rows), so its findings wait for dsj_validator_end. */
    if (!refresh) meta_findings(v, meta, json);
    return v->aborted ? DSJ_E_ABORTED : DSJ_OK;
}

/* ---------------------------------------------------------------- rows */

static const char *cell_ptr(const dsj_validator_t *v, char *buf, size_t size, uint64_t row, size_t col)
{
    snprintf(buf, size, "%s/%" PRIu64 "/%zu", v->row_prefix ? v->row_prefix : "/rows", row ? row - 1 : 0, col);
    return buf;
}

static int uri_ok(const char *s, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c == 0x7F || c == '"' || c == '<' || c == '>' || c == '\\' ||
            c == '^' || c == '`' || c == '{' || c == '|' || c == '}')
            return 0;
    }
    return n > 0;
}

/* "1,234,567.89": digits grouped by thousands with ',' (the spec's thousands separator). */
static int decimal_grouped(const char *s, size_t n)
{
    size_t i = 0, g;
    if (i < n && s[i] == '-') i++;
    g = i;
    while (i < n && s[i] >= '0' && s[i] <= '9') i++;
    if (i == g || i - g > 3 || s[g] == '0' || i >= n || s[i] != ',') return 0;
    while (i < n && s[i] == ',') {
        size_t k;
        for (k = 1; k <= 3; k++)
            if (i + k >= n || s[i + k] < '0' || s[i + k] > '9') return 0;
        i += 4;
    }
    if (i < n && s[i] == '.') {
        size_t f = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9') i++;
        if (i == f) return 0;
    }
    return i == n;
}

#define CELL_EMIT(rule, sev, ...) \
    vemit(v, rule, sev, c->line, c->column, c->offset, cell_ptr(v, ptr, sizeof ptr, row, ci), row, \
          vc->name, __VA_ARGS__)

static void type_error(dsj_validator_t *v, const vcol_t *vc, const dsj_cell_t *c, uint64_t row, size_t ci,
                       const char *expected)
{
    char ptr[600], val[160];
    CELL_EMIT("DSJ-VAL-TYPE", DSJ_SEV_ERROR, "row %" PRIu64 ", %s: value %s is %s, but dataType %s needs %s",
              row, vc->name, show_value(c, val, sizeof val), kind_name(c->kind),
              dsj_datatype_name(vc->type), expected);
}

static void partial_target(dsj_validator_t *v, const vcol_t *vc, const dsj_cell_t *c, uint64_t row, size_t ci,
                           const char *form)
{
    char ptr[600], val[160];
    CELL_EMIT("DSJ-VAL-PARTIAL-TARGET", DSJ_SEV_WARNING,
              "row %" PRIu64 ", %s: value %s has reduced precision, so it cannot be converted to targetDataType "
              "integer (needs %s)", row, vc->name, show_value(c, val, sizeof val), form);
}

static void check_length(dsj_validator_t *v, const vcol_t *vc, const dsj_cell_t *c, uint64_t row, size_t ci)
{
    size_t chars;
    char ptr[600], val[160];
    if ((int64_t)c->len <= vc->length) return; /* bytes >= characters */
    chars = dsj_utf8_length(c->text, c->len);
    if (chars == (size_t)-1 || (int64_t)chars <= vc->length) return;
    CELL_EMIT("DSJ-VAL-LENGTH", DSJ_SEV_WARNING,
              "row %" PRIu64 ", %s: value %s has %zu characters, more than the column length %" PRId64,
              row, vc->name, show_value(c, val, sizeof val), chars, vc->length);
}

static void check_seq(dsj_validator_t *v, const vcol_t *vc, const dsj_cell_t *c, uint64_t row, size_t ci)
{
    char ptr[600], val[160];
    int64_t x;
    int ok = (c->kind == DSJ_CELL_INTEGER || c->kind == DSJ_CELL_NUMBER) && dsj_cell_to_int64(c, &x) == DSJ_OK;
    if (!ok) {
        if (++v->seq_problems <= SEQ_REPORT_CAP)
            CELL_EMIT("DSJ-ROW-SEQ", DSJ_SEV_ERROR,
                      "row %" PRIu64 ": ITEMGROUPDATASEQ value %s is not a whole number; it must number the records 1..n",
                      row, show_value(c, val, sizeof val));
        v->seq_expected++;
        return;
    }
    if (x == v->seq_expected) { v->seq_expected++; return; }
    if (++v->seq_problems <= SEQ_REPORT_CAP)
        CELL_EMIT("DSJ-ROW-SEQ", DSJ_SEV_ERROR,
                  "row %" PRIu64 ": ITEMGROUPDATASEQ is %" PRId64 ", expected %" PRId64 " (%s); values must run 1..n",
                  row, x, v->seq_expected, x < v->seq_expected ? "a repeat or step back" : "a gap");
    v->seq_expected = x == INT64_MAX ? x : x + 1; /* resynchronise: one finding per broken run */
}

static void check_cell(dsj_validator_t *v, vcol_t *vc, const dsj_cell_t *c, uint64_t row, size_t ci)
{
    char ptr[600], val[160];
    if (vc->chk == CHK_SEQ) { check_seq(v, vc, c, row, ci); return; }
    if (c->kind == DSJ_CELL_NULL) return;
    if (c->kind == DSJ_CELL_INVALID) {
        CELL_EMIT("DSJ-VAL-INVALID", DSJ_SEV_ERROR,
                  "row %" PRIu64 ", %s: value %s is an object or array; a cell must be a string, number, boolean or null",
                  row, vc->name, show_value(c, val, sizeof val));
        return;
    }
    switch (vc->chk) {
    case CHK_NONE:
    case CHK_SEQ:
        return;
    case CHK_STRING:
        if (c->kind != DSJ_CELL_STRING) { type_error(v, vc, c, row, ci, "a string"); return; }
        if (vc->length && (int64_t)c->len > vc->length) check_length(v, vc, c, row, ci);
        return;
    case CHK_URI:
        if (c->kind != DSJ_CELL_STRING) { type_error(v, vc, c, row, ci, "a string"); return; }
        if (c->len && !uri_ok(c->text, c->len))
            CELL_EMIT("DSJ-VAL-URI", DSJ_SEV_WARNING,
                      "row %" PRIu64 ", %s: value %s contains characters a URI cannot hold (spaces, quotes, controls...)",
                      row, vc->name, show_value(c, val, sizeof val));
        if (vc->length && (int64_t)c->len > vc->length) check_length(v, vc, c, row, ci);
        return;
    case CHK_INTEGER:
        if (c->kind == DSJ_CELL_INTEGER) {
            if (DSJ_LIKELY(dsj_int64_parse(c->text, c->len, NULL))) return;
            CELL_EMIT("DSJ-VAL-INT-RANGE", DSJ_SEV_WARNING,
                      "row %" PRIu64 ", %s: integer %s is outside the 64-bit range; many readers cannot hold it exactly",
                      row, vc->name, show_value(c, val, sizeof val));
            return;
        }
        if (c->kind == DSJ_CELL_NUMBER) {
            int64_t x;
            dsj_status_t st = dsj_cell_to_int64(c, &x);
            if (st == DSJ_OK) {
                if (vc->intnum_count++ == 0) vc->intnum_first_row = row;
            } else if (st == DSJ_E_RANGE) {
                CELL_EMIT("DSJ-VAL-INT-RANGE", DSJ_SEV_WARNING,
                          "row %" PRIu64 ", %s: integer %s is outside the 64-bit range; many readers cannot hold it exactly",
                          row, vc->name, show_value(c, val, sizeof val));
            } else {
                CELL_EMIT("DSJ-VAL-INTEGER", DSJ_SEV_ERROR,
                          "row %" PRIu64 ", %s: value %s is not an integer (dataType integer)",
                          row, vc->name, show_value(c, val, sizeof val));
            }
            return;
        }
        type_error(v, vc, c, row, ci, "an integer number (or null when missing)");
        return;
    case CHK_NUMBER:
        if (c->kind == DSJ_CELL_INTEGER || c->kind == DSJ_CELL_NUMBER) return;
        type_error(v, vc, c, row, ci, "a number (or null when missing)");
        return;
    case CHK_DECIMAL_NUM:
        if (c->kind == DSJ_CELL_INTEGER || c->kind == DSJ_CELL_NUMBER) return;
        type_error(v, vc, c, row, ci, "a number in Dataset-JSON 1.0 (or null when missing)");
        return;
    case CHK_BOOLEAN:
        if (c->kind != DSJ_CELL_BOOLEAN) { type_error(v, vc, c, row, ci, "true or false (or null when missing)"); return; }
        if (v->version == DSJ_V1_0 && vc->bool10_count++ == 0) vc->bool10_first_row = row;
        return;
    case CHK_DECIMAL_STR:
    case CHK_DATE:
    case CHK_DATETIME:
    case CHK_TIME:
        break;
    }
    /* string-encoded kinds: decimal (1.1), date, datetime, time */
    if (c->kind != DSJ_CELL_STRING) {
        type_error(v, vc, c, row, ci, vc->chk == CHK_DECIMAL_STR
                   ? "a decimal string such as \"12.5\" (decimals are exchanged as strings)"
                   : "an ISO 8601 string");
        return;
    }
    if (c->len == 0) {
        if (vc->empty_count++ == 0) vc->empty_first_row = row;
        return;
    }
    switch (vc->chk) {
    case CHK_DECIMAL_STR:
        if (DSJ_LIKELY(dsj_decimal_valid(c->text, c->len))) break;
        if (decimal_grouped(c->text, c->len))
            CELL_EMIT("DSJ-VAL-DECIMAL-GROUPED", DSJ_SEV_WARNING,
                      "row %" PRIu64 ", %s: decimal %s uses ',' thousands separators; the spec allows them, "
                      "but most readers expect plain digits",
                      row, vc->name, show_value(c, val, sizeof val));
        else
            CELL_EMIT("DSJ-VAL-DECIMAL", DSJ_SEV_ERROR,
                      "row %" PRIu64 ", %s: value %s is not a decimal (digits with an optional '-' and '.', no exponent)",
                      row, vc->name, show_value(c, val, sizeof val));
        break;
    case CHK_DATE:
        if (!dsj_iso8601_date(c->text, c->len, 1))
            CELL_EMIT("DSJ-VAL-DATE", DSJ_SEV_ERROR,
                      "row %" PRIu64 ", %s: value %s is not a valid ISO 8601 date (YYYY, YYYY-MM or YYYY-MM-DD)",
                      row, vc->name, show_value(c, val, sizeof val));
        else if (vc->full_needed && !dsj_iso8601_date(c->text, c->len, 0))
            partial_target(v, vc, c, row, ci, "YYYY-MM-DD");
        break;
    case CHK_DATETIME:
        if (!dsj_iso8601_datetime(c->text, c->len, 1))
            CELL_EMIT("DSJ-VAL-DATETIME", DSJ_SEV_ERROR,
                      "row %" PRIu64 ", %s: value %s is not a valid ISO 8601 datetime (YYYY-MM-DDThh:mm:ss, "
                      "reduced precision allowed)",
                      row, vc->name, show_value(c, val, sizeof val));
        else if (vc->full_needed && !dsj_iso8601_datetime(c->text, c->len, 0))
            partial_target(v, vc, c, row, ci, "YYYY-MM-DDThh:mm:ss");
        break;
    case CHK_TIME:
        if (!dsj_iso8601_time(c->text, c->len, 1))
            CELL_EMIT("DSJ-VAL-TIME", DSJ_SEV_ERROR,
                      "row %" PRIu64 ", %s: value %s is not a valid ISO 8601 time (hh:mm:ss, reduced precision allowed)",
                      row, vc->name, show_value(c, val, sizeof val));
        else if (vc->full_needed && !dsj_iso8601_time(c->text, c->len, 0))
            partial_target(v, vc, c, row, ci, "hh:mm:ss");
        break;
    default:
        break;
    }
}

/* The define checker's row checks, after ours. */
static dsj_status_t define_row(dsj_validator_t *v, const dsj_row_t *row)
{
    if (v->dchk && !v->aborted) {
        dsj_status_t st = dsj_define_checker_row(v->dchk, row);
        if (st == DSJ_E_ABORTED) v->aborted = 1;
        else if (st != DSJ_OK) return st;
    }
    return v->aborted ? DSJ_E_ABORTED : DSJ_OK;
}

dsj_status_t dsj_validator_row(dsj_validator_t *v, const dsj_row_t *row)
{
    size_t i;
    uint64_t rn;
    if (!v || !row) return DSJ_E_ARG;
    if (!v->have_meta) return DSJ_E_STATE;
    if (v->aborted) return DSJ_E_ABORTED;
    v->nrows++;
    rn = row->index ? row->index : v->nrows;
    if (DSJ_UNLIKELY(row->ncells != v->ncols)) {
        char ptr[600];
        snprintf(ptr, sizeof ptr, "%s/%" PRIu64, v->row_prefix, rn - 1);
        vemit(v, "DSJ-ROW-WIDTH", DSJ_SEV_ERROR, row->line, row->column, row->offset, ptr, rn, NULL,
              "row %" PRIu64 " has %zu values, but the dataset has %zu columns; its values were not checked",
              rn, row->ncells, v->ncols);
        if (v->check_seq && row->ncells > 0) check_seq(v, &v->cols[0], &row->cells[0], rn, 0);
        return define_row(v, row);
    }
    for (i = 0; i < row->ncells; i++) check_cell(v, &v->cols[i], &row->cells[i], rn, i);
    return define_row(v, row);
}

/* ---------------------------------------------------------------- end */

dsj_status_t dsj_validator_end(dsj_validator_t *v)
{
    size_t i;
    char ptr[600];
    if (!v) return DSJ_E_ARG;
    if (!v->have_meta) return DSJ_E_STATE;
    if (v->refresh) {
        const dsj_meta_t *meta = NULL;
        struct json_object *json = NULL;
        if (v->refresh(v->reader, &meta, &json) && meta) {
            v->has_records = dsj_meta_records(meta, &v->records);
            v->has_rows = dsj_meta_has_rows(meta) || v->nrows > 0;
            meta_findings(v, meta, json);
        }
        v->refresh = NULL;
    }
    if (v->has_records && (v->has_rows || v->nrows > 0) && (uint64_t)v->records != v->nrows) {
        meta_attr_ptr(v, ptr, sizeof ptr, "records");
        memit(v, "DSJ-ROW-COUNT", DSJ_SEV_ERROR, ptr, NULL,
              "\"records\" says %" PRId64 " but the file has %" PRIu64 " rows", v->records, v->nrows);
    }
    if (v->seq_problems > SEQ_REPORT_CAP) {
        col_ptr(v, ptr, sizeof ptr, 0, NULL);
        memit(v, "DSJ-ROW-SEQ", DSJ_SEV_ERROR, ptr, "ITEMGROUPDATASEQ",
              "%" PRIu64 " more ITEMGROUPDATASEQ problems were not reported one by one",
              v->seq_problems - SEQ_REPORT_CAP);
    }
    for (i = 0; i < v->ncols; i++) {
        vcol_t *vc = &v->cols[i];
        if (vc->empty_count && v->missing_empty_info) {
            col_ptr(v, ptr, sizeof ptr, i, NULL);
            memit(v, "DSJ-VAL-EMPTY-AS-MISSING", DSJ_SEV_INFO, ptr, vc->name,
                  "column %s (dataType %s): %" PRIu64 " empty string%s (\"\") read as missing, first in row %" PRIu64
                  " (the spec uses null for missing values; the official examples use \"\")",
                  vc->name, dsj_datatype_name(vc->type), vc->empty_count, vc->empty_count == 1 ? "" : "s",
                  vc->empty_first_row);
        }
        if (vc->intnum_count) {
            col_ptr(v, ptr, sizeof ptr, i, NULL);
            memit(v, "DSJ-VAL-INTEGER-AS-NUMBER", DSJ_SEV_INFO, ptr, vc->name,
                  "column %s (dataType integer): %" PRIu64 " value%s written with a fraction or exponent but "
                  "integral (like 3.0), first in row %" PRIu64 "; accepted as integers",
                  vc->name, vc->intnum_count, vc->intnum_count == 1 ? "" : "s", vc->intnum_first_row);
        }
        if (vc->bool10_count) {
            col_ptr(v, ptr, sizeof ptr, i, NULL);
            memit(v, "DSJ-VAL-BOOLEAN-V10", DSJ_SEV_WARNING, ptr, vc->name,
                  "column %s: %" PRIu64 " boolean value%s, first in row %" PRIu64 "; the Dataset-JSON 1.0 schema "
                  "allows only strings, numbers and null in itemData",
                  vc->name, vc->bool10_count, vc->bool10_count == 1 ? "" : "s", vc->bool10_first_row);
        }
    }
    if (v->dchk && !v->aborted) {
        dsj_status_t st = dsj_define_checker_end(v->dchk);
        if (st == DSJ_E_ABORTED) v->aborted = 1;
        else if (st != DSJ_OK) return st;
    }
    return v->aborted ? DSJ_E_ABORTED : DSJ_OK;
}
