/*
 * Reader: version detection and the dsj_meta_t model built from the
 * metadata json-c tree.  Values of the wrong JSON type are left absent in
 * the model (the validator reports them from dsj_reader_meta_json); unknown
 * keys go to the model's "extra" object (1.0 data-level keys prefixed
 * "data:").
 */
#include "reader_internal.h"

static const char *jstr(struct json_object *o, const char *key)
{
    struct json_object *v;
    if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string)) return NULL;
    return json_object_get_string(v);
}

static int jint(struct json_object *o, const char *key, int64_t *out)
{
    struct json_object *v;
    if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int)) return 0;
    *out = json_object_get_int64(v);
    return 1;
}

static struct json_object *jobj(struct json_object *o, const char *key, json_type t)
{
    struct json_object *v;
    if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, t)) return NULL;
    return v;
}

static int in_list(const char *key, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(key, *list) == 0) return 1;
    return 0;
}

/* Error about the metadata, positioned at a pointer when known. */
static dsj_status_t meta_fail(dsj_reader_t *r, dsj_status_t code, const char *pointer, const char *fmt, const char *arg)
{
    uint64_t line = 0, col = 0, off = 0;
    char text[400];
    if (pointer) dsj_reader_meta_position(r, pointer, &line, &col, &off);
    snprintf(text, sizeof text, fmt, arg ? arg : "");
    dsj_error_clear(&r->lx.error);
    dsj_error_set(&r->lx.error, code, r->lx.name, line, col, off, "%s", text);
    if (pointer) dsj_error_set_pointer(&r->lx.error, pointer);
    return code;
}

static dsj_status_t detect_version(dsj_reader_t *r, dsj_version_t *out)
{
    struct json_object *root = r->root;
    const char *vs = jstr(root, "datasetJSONVersion");
    int has10 = json_object_object_get_ex(root, "clinicalData", NULL) || json_object_object_get_ex(root, "referenceData", NULL);
    int has11 = json_object_object_get_ex(root, "columns", NULL) || json_object_object_get_ex(root, "itemGroupOID", NULL);
    if (vs) {
        unsigned major = 0, minor = 0;
        int n = 0;
        if (sscanf(vs, "%u.%u%n", &major, &minor, &n) == 2 && (major != 1 || minor > 1))
            return meta_fail(r, DSJ_E_UNSUPPORTED, "/datasetJSONVersion",
                             "Dataset-JSON version \"%s\" is not supported (this library reads 1.0 and 1.1)", vs);
    }
    if (has10) *out = DSJ_V1_0;
    else if (has11) *out = DSJ_V1_1;
    else if (vs && strncmp(vs, "1.0", 3) == 0) *out = DSJ_V1_0;
    else if (vs && strncmp(vs, "1.1", 3) == 0) *out = DSJ_V1_1;
    else
        return meta_fail(r, DSJ_E_FORMAT, "",
                         "not a Dataset-JSON document: no columns, itemGroupOID, clinicalData or referenceData member%s", NULL);
    return DSJ_OK;
}

static int extra_add(dsj_meta_t *m, const char *prefix, const char *key, struct json_object *v)
{
    struct json_object *extra = dsj_meta_extra(m), *copy = NULL;
    char name[600];
    if (!extra) {
        extra = json_object_new_object();
        if (!extra) return -1;
        dsj_meta_set_extra(m, extra);
    }
    if (v && json_object_deep_copy(v, &copy, NULL) != 0) return -1;
    snprintf(name, sizeof name, "%s%s", prefix, key);
    if (json_object_object_add(extra, name, copy) != 0) { json_object_put(copy); return -1; }
    return 0;
}

static int set_attr(dsj_meta_t *m, dsj_meta_attr_t a, struct json_object *o, const char *key)
{
    const char *s = jstr(o, key);
    return s ? (dsj_meta_set(m, a, s) == DSJ_OK ? 0 : -1) : 0;
}

static dsj_status_t add_columns(dsj_reader_t *r, dsj_meta_t *m, struct json_object *arr, int v10, const char *pointer)
{
    size_t i, n;
    if (!arr) return DSJ_OK;
    n = json_object_array_length(arr);
    if (n > r->opts.max_columns) {
        char num[32];
        snprintf(num, sizeof num, "%zu", r->opts.max_columns);
        return meta_fail(r, DSJ_E_LIMIT, pointer, "more columns than the limit of %s", num);
    }
    for (i = 0; i < n; i++) {
        struct json_object *c = json_object_array_get_idx(arr, i);
        dsj_column_t col;
        const char *dt, *tdt;
        int64_t k;
        memset(&col, 0, sizeof col);
        if (c && json_object_is_type(c, json_type_object)) {
            col.item_oid = jstr(c, v10 ? "OID" : "itemOID");
            col.name = jstr(c, "name");
            col.label = jstr(c, "label");
            dt = jstr(c, v10 ? "type" : "dataType");
            col.data_type = dt ? dsj_datatype_from_name(dt) : DSJ_TYPE_NONE;
            col.data_type_text = dt;
            tdt = v10 ? NULL : jstr(c, "targetDataType");
            col.target_data_type = tdt ? dsj_datatype_from_name(tdt) : DSJ_TYPE_NONE;
            if (jint(c, "length", &k)) col.length = k;
            col.display_format = jstr(c, "displayFormat");
            if (jint(c, "keySequence", &k)) col.key_sequence = k;
        }
        if (dsj_meta_add_column(m, &col) != DSJ_OK) return meta_fail(r, DSJ_E_NOMEM, NULL, "out of memory%s", NULL);
    }
    return DSJ_OK;
}

static const char *const keys11[] = {
    "datasetJSONCreationDateTime", "datasetJSONVersion", "fileOID", "dbLastModifiedDateTime", "originator",
    "sourceSystem", "studyOID", "metaDataVersionOID", "metaDataRef", "itemGroupOID", "records", "name", "label",
    "columns", "rows", NULL};
static const char *const keys10[] = {
    "creationDateTime", "datasetJSONVersion", "fileOID", "asOfDateTime", "originator", "sourceSystem",
    "sourceSystemVersion", NULL};
static const char *const keys10_data[] = {"studyOID", "metaDataVersionOID", "metaDataRef", "itemGroupData", NULL};

static dsj_status_t build11(dsj_reader_t *r, dsj_meta_t *m)
{
    struct json_object *root = r->root, *ss;
    int64_t rec;
    int fail = 0;
    fail |= set_attr(m, DSJ_META_CREATION_DATETIME, root, "datasetJSONCreationDateTime");
    fail |= set_attr(m, DSJ_META_DATASET_JSON_VERSION, root, "datasetJSONVersion");
    fail |= set_attr(m, DSJ_META_FILE_OID, root, "fileOID");
    fail |= set_attr(m, DSJ_META_DB_LAST_MODIFIED_DATETIME, root, "dbLastModifiedDateTime");
    fail |= set_attr(m, DSJ_META_ORIGINATOR, root, "originator");
    fail |= set_attr(m, DSJ_META_STUDY_OID, root, "studyOID");
    fail |= set_attr(m, DSJ_META_METADATA_VERSION_OID, root, "metaDataVersionOID");
    fail |= set_attr(m, DSJ_META_METADATA_REF, root, "metaDataRef");
    fail |= set_attr(m, DSJ_META_ITEMGROUP_OID, root, "itemGroupOID");
    fail |= set_attr(m, DSJ_META_NAME, root, "name");
    fail |= set_attr(m, DSJ_META_LABEL, root, "label");
    if ((ss = jobj(root, "sourceSystem", json_type_object))) {
        fail |= set_attr(m, DSJ_META_SOURCE_SYSTEM_NAME, ss, "name");
        fail |= set_attr(m, DSJ_META_SOURCE_SYSTEM_VERSION, ss, "version");
    }
    if (jint(root, "records", &rec)) dsj_meta_set_records(m, rec);
    {
        json_object_object_foreach(root, k, v) {
            if (!in_list(k, keys11)) fail |= extra_add(m, "", k, v);
        }
    }
    if (fail) return meta_fail(r, DSJ_E_NOMEM, NULL, "out of memory%s", NULL);
    return add_columns(r, m, jobj(root, "columns", json_type_array), 0, "/columns");
}

static dsj_status_t build10(dsj_reader_t *r, dsj_meta_t *m)
{
    struct json_object *root = r->root, *data = NULL, *igd, *ig = NULL;
    const char *data_key = NULL, *ig_key = NULL;
    char pointer[600];
    int64_t rec;
    int fail = 0;
    fail |= set_attr(m, DSJ_META_CREATION_DATETIME, root, "creationDateTime");
    fail |= set_attr(m, DSJ_META_DATASET_JSON_VERSION, root, "datasetJSONVersion");
    fail |= set_attr(m, DSJ_META_FILE_OID, root, "fileOID");
    fail |= set_attr(m, DSJ_META_AS_OF_DATETIME, root, "asOfDateTime");
    fail |= set_attr(m, DSJ_META_ORIGINATOR, root, "originator");
    fail |= set_attr(m, DSJ_META_SOURCE_SYSTEM_NAME, root, "sourceSystem");
    fail |= set_attr(m, DSJ_META_SOURCE_SYSTEM_VERSION, root, "sourceSystemVersion");
    /* The dataset object: the one holding the rows, else clinicalData, else referenceData. */
    if (r->rows_data_key && (data = jobj(root, r->rows_data_key, json_type_object))) data_key = r->rows_data_key;
    else if ((data = jobj(root, "clinicalData", json_type_object))) data_key = "clinicalData";
    else if ((data = jobj(root, "referenceData", json_type_object))) data_key = "referenceData";
    dsj_meta_set_reference_data(m, data_key && strcmp(data_key, "referenceData") == 0);
    {
        json_object_object_foreach(root, k, v) {
            if (in_list(k, keys10)) continue;
            if ((strcmp(k, "clinicalData") == 0 || strcmp(k, "referenceData") == 0) && data_key && strcmp(k, data_key) == 0)
                continue;
            fail |= extra_add(m, "", k, v);
        }
    }
    if (data) {
        fail |= set_attr(m, DSJ_META_STUDY_OID, data, "studyOID");
        fail |= set_attr(m, DSJ_META_METADATA_VERSION_OID, data, "metaDataVersionOID");
        fail |= set_attr(m, DSJ_META_METADATA_REF, data, "metaDataRef");
        {
            json_object_object_foreach(data, k, v) {
                if (!in_list(k, keys10_data)) fail |= extra_add(m, "data:", k, v);
            }
        }
        if ((igd = jobj(data, "itemGroupData", json_type_object))) {
            if (r->rows_ig_key && (ig = jobj(igd, r->rows_ig_key, json_type_object))) {
                ig_key = r->rows_ig_key;
            } else {
                json_object_object_foreach(igd, k, v) {
                    if (v && json_object_is_type(v, json_type_object)) { ig_key = k; ig = v; break; }
                }
            }
        }
    }
    if (ig) {
        dsj_buf_t p;
        fail |= dsj_meta_set(m, DSJ_META_ITEMGROUP_OID, ig_key) != DSJ_OK;
        fail |= set_attr(m, DSJ_META_NAME, ig, "name");
        fail |= set_attr(m, DSJ_META_LABEL, ig, "label");
        if (jint(ig, "records", &rec)) dsj_meta_set_records(m, rec);
        dsj_buf_init(&p);
        if (dsj_buf_pointer_token(&p, data_key) || dsj_buf_pointer_token(&p, "itemGroupData") ||
            dsj_buf_pointer_token(&p, ig_key) || dsj_buf_pointer_token(&p, "items"))
            fail = 1;
        snprintf(pointer, sizeof pointer, "%s", p.data ? p.data : "");
        dsj_buf_free(&p);
    }
    if (fail) return meta_fail(r, DSJ_E_NOMEM, NULL, "out of memory%s", NULL);
    return ig ? add_columns(r, m, jobj(ig, "items", json_type_array), 1, pointer) : DSJ_OK;
}

static dsj_status_t build(dsj_reader_t *r, dsj_meta_t **out)
{
    dsj_version_t v;
    dsj_meta_t *m;
    dsj_status_t st;
    *out = NULL;
    if ((st = detect_version(r, &v)) != DSJ_OK) return st;
    m = dsj_meta_new(v);
    if (!m) return meta_fail(r, DSJ_E_NOMEM, NULL, "out of memory%s", NULL);
    st = v == DSJ_V1_0 ? build10(r, m) : build11(r, m);
    if (st != DSJ_OK) { dsj_meta_free(m); return st; }
    dsj_meta_set_has_rows(m, r->rows_seen);
    *out = m;
    return DSJ_OK;
}

dsj_status_t dsj_reader_meta_build(dsj_reader_t *r)
{
    dsj_meta_t *m;
    dsj_status_t st = build(r, &m);
    if (st != DSJ_OK) return st;
    dsj_meta_free(r->meta);
    r->meta = m;
    return DSJ_OK;
}

dsj_status_t dsj_reader_meta_update(dsj_reader_t *r)
{
    dsj_meta_t *m, *cur = r->meta;
    dsj_status_t st;
    int64_t rec;
    size_t i;
    struct json_object *extra;
    if (!cur) return dsj_reader_meta_build(r);
    if ((st = build(r, &m)) != DSJ_OK) return st;
    /* Only add what is missing: pointers already handed out stay valid. */
    for (i = 0; i < DSJ_META__COUNT; i++) {
        const char *v = dsj_meta_get(m, (dsj_meta_attr_t)i);
        if (v && !dsj_meta_get(cur, (dsj_meta_attr_t)i) && dsj_meta_set(cur, (dsj_meta_attr_t)i, v) != DSJ_OK) {
            dsj_meta_free(m);
            return meta_fail(r, DSJ_E_NOMEM, NULL, "out of memory%s", NULL);
        }
    }
    if (!dsj_meta_records(cur, NULL) && dsj_meta_records(m, &rec)) dsj_meta_set_records(cur, rec);
    if ((extra = dsj_meta_extra(m))) {
        json_object_object_foreach(extra, k, v) {
            struct json_object *ce = dsj_meta_extra(cur);
            if (ce && json_object_object_get_ex(ce, k, NULL)) continue;
            if (extra_add(cur, "", k, v) != 0) {
                dsj_meta_free(m);
                return meta_fail(r, DSJ_E_NOMEM, NULL, "out of memory%s", NULL);
            }
        }
    }
    dsj_meta_free(m);
    return DSJ_OK;
}
