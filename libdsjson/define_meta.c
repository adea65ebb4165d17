/* Dataset-JSON metadata from a Define-XML ItemGroupDef, the DataType
 * compatibility table shared with the checker, and the metaDataRef resolver. */
#include "define_check_internal.h"

#include <ctype.h>
#include <errno.h>
#include <sys/stat.h>

/* ------------------------------------------------------------ SAS formats */

static int name_in(const char *name, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(name, *list) == 0) return 1;
    return 0;
}

static int name_prefix_in(const char *name, const char *const *list)
{
    for (; *list; list++)
        if (strncmp(name, *list, strlen(*list)) == 0) return 1;
    return 0;
}

dsj_datatype_t dsj_dc_sas_format_kind(const char *df)
{
    static const char *const dates[] = {"DATE", "E8601DA", "B8601DA", "IS8601DA", "E8601DN", "B8601DN", "WORDDATE",
                                        "WORDDATX", "WEEKDATE", "WEEKDATX", "MONYY", "YYMON", "YYQ", "JULIAN",
                                        "NLDATE", "MMYY", "YYMM", NULL};
    static const char *const date_prefixes[] = {"DDMMYY", "MMDDYY", "YYMMDD", "MMYY", "YYMM", NULL};
    static const char *const datetimes[] = {"DATETIME", "DATEAMPM", "E8601DT", "B8601DT", "IS8601DT", "E8601DZ",
                                            "B8601DZ", "IS8601DZ", "MDYAMPM", "NLDATM", NULL};
    static const char *const times[] = {"TIME", "TIMEAMPM", "TOD", "HHMM", "HOUR", "MMSS", "E8601TM", "B8601TM",
                                        "IS8601TM", "E8601TZ", "B8601TZ", "IS8601TZ", "NLTIME", NULL};
    char name[40];
    size_t n = 0, i;
    if (!df) return DSJ_TYPE_NONE;
    /* Format name: up to the '.', minus the trailing width digits. */
    for (i = 0; df[i] && df[i] != '.' && n + 1 < sizeof name; i++) name[n++] = (char)toupper((unsigned char)df[i]);
    while (n > 0 && isdigit((unsigned char)name[n - 1])) n--;
    name[n] = '\0';
    if (n == 0 || name[0] == '$') return DSJ_TYPE_NONE;
    if (name_in(name, datetimes)) return DSJ_TYPE_DATETIME;
    if (name_in(name, times)) return DSJ_TYPE_TIME;
    if (name_in(name, dates) || name_prefix_in(name, date_prefixes)) return DSJ_TYPE_DATE;
    return DSJ_TYPE_NONE;
}

/* ------------------------------------------------- DataType compatibility */

typedef enum { DT_UNKNOWN, DT_STRINGISH, DT_TEXT, DT_INTEGER, DT_FLOAT, DT_DATE, DT_DATETIME, DT_TIME,
               DT_URI, DT_BOOLEAN } dt_class_t;

static dt_class_t classify(const char *t)
{
    static const char *const stringish[] = {"partialDate", "partialTime", "partialDatetime", "durationDatetime",
                                            "intervalDatetime", "incompleteDatetime", "incompleteDate",
                                            "incompleteTime", "hexBinary", "base64Binary", "hexFloat",
                                            "base64Float", NULL};
    if (!t) return DT_UNKNOWN;
    if (strcmp(t, "text") == 0 || strcmp(t, "string") == 0) return DT_TEXT;
    if (strcmp(t, "integer") == 0) return DT_INTEGER;
    if (strcmp(t, "float") == 0 || strcmp(t, "double") == 0) return DT_FLOAT;
    if (strcmp(t, "date") == 0) return DT_DATE;
    if (strcmp(t, "datetime") == 0) return DT_DATETIME;
    if (strcmp(t, "time") == 0) return DT_TIME;
    if (strcmp(t, "URI") == 0) return DT_URI;
    if (strcmp(t, "boolean") == 0) return DT_BOOLEAN;
    if (name_in(t, stringish)) return DT_STRINGISH;
    return DT_UNKNOWN;
}

static int is_float_family(dsj_datatype_t t)
{
    return t == DSJ_TYPE_FLOAT || t == DSJ_TYPE_DOUBLE || t == DSJ_TYPE_DECIMAL;
}

dsj_dc_compat_t dsj_dc_type_compat(const char *define_type, const char *display_format,
                                   dsj_datatype_t jt, dsj_datatype_t target, dsj_version_t v)
{
    int v10 = v == DSJ_V1_0;
    switch (classify(define_type)) {
    case DT_UNKNOWN:
        return DSJ_DC_UNKNOWN;
    case DT_TEXT:
    case DT_STRINGISH:
        return jt == DSJ_TYPE_STRING ? DSJ_DC_COMPATIBLE : DSJ_DC_INCOMPATIBLE;
    case DT_INTEGER:
        if (jt == DSJ_TYPE_INTEGER) return DSJ_DC_COMPATIBLE;
        /* 1.1: a SAS date/time number shown as ISO 8601 with targetDataType integer. */
        if (!v10 && (jt == DSJ_TYPE_DATE || jt == DSJ_TYPE_DATETIME || jt == DSJ_TYPE_TIME) &&
            target == DSJ_TYPE_INTEGER && dsj_dc_sas_format_kind(display_format) == jt)
            return DSJ_DC_COMPATIBLE;
        return DSJ_DC_INCOMPATIBLE;
    case DT_FLOAT:
        return is_float_family(jt) ? DSJ_DC_COMPATIBLE : DSJ_DC_INCOMPATIBLE;
    case DT_DATE:
    case DT_DATETIME:
    case DT_TIME: {
        dsj_datatype_t want = strcmp(define_type, "date") == 0 ? DSJ_TYPE_DATE
                            : strcmp(define_type, "time") == 0 ? DSJ_TYPE_TIME : DSJ_TYPE_DATETIME;
        if (v10) return jt == DSJ_TYPE_STRING ? DSJ_DC_COMPATIBLE : DSJ_DC_INCOMPATIBLE;
        if (jt == want) return DSJ_DC_COMPATIBLE;
        return jt == DSJ_TYPE_STRING ? DSJ_DC_LOOSE : DSJ_DC_INCOMPATIBLE;
    }
    case DT_URI:
        if (v10) return jt == DSJ_TYPE_STRING ? DSJ_DC_COMPATIBLE : DSJ_DC_INCOMPATIBLE;
        if (jt == DSJ_TYPE_URI) return DSJ_DC_COMPATIBLE;
        return jt == DSJ_TYPE_STRING ? DSJ_DC_LOOSE : DSJ_DC_INCOMPATIBLE;
    case DT_BOOLEAN:
        return jt == DSJ_TYPE_BOOLEAN ? DSJ_DC_COMPATIBLE : DSJ_DC_INCOMPATIBLE;
    }
    return DSJ_DC_UNKNOWN;
}

void dsj_dc_preferred_type(const char *define_type, const char *display_format, dsj_version_t v,
                           dsj_datatype_t *jt, dsj_datatype_t *target)
{
    int v10 = v == DSJ_V1_0;
    *target = DSJ_TYPE_NONE;
    switch (classify(define_type)) {
    case DT_INTEGER: {
        dsj_datatype_t k = dsj_dc_sas_format_kind(display_format);
        if (!v10 && k != DSJ_TYPE_NONE) {
            *jt = k;
            *target = DSJ_TYPE_INTEGER;
        } else {
            *jt = DSJ_TYPE_INTEGER;
        }
        return;
    }
    case DT_FLOAT:
        *jt = strcmp(define_type, "double") == 0 ? DSJ_TYPE_DOUBLE : DSJ_TYPE_FLOAT;
        return;
    case DT_DATE: *jt = v10 ? DSJ_TYPE_STRING : DSJ_TYPE_DATE; return;
    case DT_DATETIME: *jt = v10 ? DSJ_TYPE_STRING : DSJ_TYPE_DATETIME; return;
    case DT_TIME: *jt = v10 ? DSJ_TYPE_STRING : DSJ_TYPE_TIME; return;
    case DT_URI: *jt = v10 ? DSJ_TYPE_STRING : DSJ_TYPE_URI; return;
    case DT_BOOLEAN: *jt = DSJ_TYPE_BOOLEAN; return;
    case DT_TEXT:
    case DT_STRINGISH:
    case DT_UNKNOWN:
        break;
    }
    *jt = DSJ_TYPE_STRING;
}

/* ------------------------------------------------------ dataset metadata */

static const dsj_define_itemgroup_t *find_group(const dsj_define_t *def, const char *oid_or_name)
{
    const dsj_define_itemgroup_t *g = dsj_define_itemgroup_find(def, oid_or_name);
    return g ? g : dsj_define_itemgroup_find_by_name(def, oid_or_name);
}

/* ItemRef indexes sorted by OrderNumber (stable; refs without one keep document order, after the others). */
static size_t *order_itemrefs(const dsj_define_itemgroup_t *g)
{
    size_t *ix = dsj_malloc((g->n_itemrefs ? g->n_itemrefs : 1) * sizeof *ix);
    size_t i, j;
    if (!ix) return NULL;
    for (i = 0; i < g->n_itemrefs; i++) {
        size_t cur = i;
        int64_t on = g->itemrefs[cur].order_number;
        for (j = i; j > 0; j--) {
            int64_t pn = g->itemrefs[ix[j - 1]].order_number;
            int before = on > 0 && (pn <= 0 || pn > on);
            if (!before) break;
            ix[j] = ix[j - 1];
        }
        ix[j] = cur;
    }
    return ix;
}

dsj_meta_t *dsj_define_dataset_meta(const dsj_define_t *def, const char *oid_or_name,
                                    dsj_version_t version, dsj_error_t *err)
{
    const dsj_define_itemgroup_t *g;
    dsj_meta_t *m;
    size_t *ix, i;
    int fail = 0;
    if (!def || !oid_or_name) {
        dsj_error_set(err, DSJ_E_ARG, NULL, 0, 0, 0, "dsj_define_dataset_meta: define and dataset name are required");
        return NULL;
    }
    if (version == DSJ_VERSION_UNKNOWN) version = DSJ_V1_1;
    if (version != DSJ_V1_0 && version != DSJ_V1_1) {
        dsj_error_set(err, DSJ_E_ARG, NULL, 0, 0, 0, "dsj_define_dataset_meta: unknown Dataset-JSON version %d", (int)version);
        return NULL;
    }
    if (!(g = find_group(def, oid_or_name))) {
        dsj_error_set(err, DSJ_E_NOTFOUND, dsj_define_file(def), 0, 0, 0,
                      "no ItemGroupDef with OID or Name '%s' in the define", oid_or_name);
        return NULL;
    }
    for (i = 0; i < g->n_itemrefs; i++) {
        if (!g->itemrefs[i].itemdef) {
            dsj_error_set(err, DSJ_E_DEFINE, dsj_define_file(def), g->itemrefs[i].line, 0, 0,
                          "ItemGroupDef %s: ItemRef ItemOID='%s' has no ItemDef", g->oid ? g->oid : "?",
                          g->itemrefs[i].item_oid ? g->itemrefs[i].item_oid : "");
            return NULL;
        }
    }
    if (!(m = dsj_meta_new(version)) || !(ix = order_itemrefs(g))) {
        dsj_meta_free(m);
        dsj_error_set(err, DSJ_E_NOMEM, NULL, 0, 0, 0, "out of memory");
        return NULL;
    }
    fail |= dsj_meta_set(m, DSJ_META_STUDY_OID, dsj_define_study_oid(def)) != DSJ_OK;
    fail |= dsj_meta_set(m, DSJ_META_METADATA_VERSION_OID, dsj_define_mdv_oid(def)) != DSJ_OK;
    fail |= dsj_meta_set(m, DSJ_META_ITEMGROUP_OID, g->oid) != DSJ_OK;
    fail |= dsj_meta_set(m, DSJ_META_NAME, g->name) != DSJ_OK;
    fail |= dsj_meta_set(m, DSJ_META_LABEL, g->description) != DSJ_OK;
    if (version == DSJ_V1_0) {
        dsj_column_t seq;
        memset(&seq, 0, sizeof seq);
        seq.item_oid = "ITEMGROUPDATASEQ";
        seq.name = "ITEMGROUPDATASEQ";
        seq.label = "Record Identifier";
        seq.data_type = DSJ_TYPE_INTEGER;
        dsj_meta_set_reference_data(m, g->is_reference_data);
        fail |= dsj_meta_add_column(m, &seq) != DSJ_OK;
    }
    for (i = 0; i < g->n_itemrefs && !fail; i++) {
        const dsj_define_itemref_t *ref = &g->itemrefs[ix[i]];
        const dsj_define_itemdef_t *it = ref->itemdef;
        dsj_column_t c;
        memset(&c, 0, sizeof c);
        c.item_oid = it->oid;
        c.name = it->name;
        c.label = it->description;
        dsj_dc_preferred_type(it->data_type, it->display_format, version, &c.data_type, &c.target_data_type);
        if (c.data_type == DSJ_TYPE_STRING && it->length > 0) c.length = it->length;
        c.display_format = it->display_format;
        c.key_sequence = ref->key_sequence;
        fail |= dsj_meta_add_column(m, &c) != DSJ_OK;
    }
    dsj_free(ix);
    if (fail) {
        dsj_meta_free(m);
        dsj_error_set(err, DSJ_E_NOMEM, NULL, 0, 0, 0, "out of memory");
        return NULL;
    }
    return m;
}

/* ------------------------------------------------------ metaDataRef */

/* Length of a URI scheme ("https" in "https://..."), 0 when there is none.
   One letter followed by ':' is a Windows drive, not a scheme. */
static size_t uri_scheme_len(const char *uri)
{
    size_t i = 0;
    if (!isalpha((unsigned char)uri[0])) return 0;
    while (isalnum((unsigned char)uri[i]) || uri[i] == '+' || uri[i] == '-' || uri[i] == '.') i++;
    return (uri[i] == ':' && i >= 2) ? i : 0;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Percent-decode into a new string (NULL on nomem or %00). */
static char *percent_decode(const char *s)
{
    size_t n = strlen(s), i, o = 0;
    char *out = dsj_malloc(n + 1);
    if (!out) return NULL;
    for (i = 0; i < n; i++) {
        int hi, lo;
        if (s[i] == '%' && i + 2 < n + 1 && (hi = hexval((unsigned char)s[i + 1])) >= 0 &&
            (lo = hexval((unsigned char)s[i + 2])) >= 0) {
            if (hi == 0 && lo == 0) { dsj_free(out); return NULL; }
            out[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    return out;
}

char *dsj_uri_resolve_default(const char *uri, const char *base_path, void *ctx)
{
    const char *p = uri;
    char *path, *out;
    size_t sl;
    (void)ctx;
    if (!uri || !*uri) return NULL;
    sl = uri_scheme_len(uri);
    if (sl) {
        if (sl != 4 || strncasecmp(uri, "file", 4) != 0) return NULL; /* never the network */
        p = uri + 5;
        if (strncmp(p, "//", 2) == 0) {
            p += 2;
            if (strncasecmp(p, "localhost/", 10) == 0) p += 9;
            else if (*p != '/') return NULL;              /* file://host/... is remote */
        }
    }
    /* Strip a query or fragment, then decode. */
    {
        size_t n = strcspn(p, "?#");
        char *tmp = dsj_strndup(p, n);
        if (!tmp) return NULL;
        path = percent_decode(tmp);
        dsj_free(tmp);
        if (!path || !*path) { dsj_free(path); return NULL; }
    }
    if (path[0] == '/' || !base_path || !*base_path) return path;
    {
        const char *slash = strrchr(base_path, '/');
        size_t dl = slash ? (size_t)(slash - base_path) + 1 : 0;
        out = dsj_malloc(dl + strlen(path) + 1);
        if (out) {
            memcpy(out, base_path, dl);
            strcpy(out + dl, path);
        }
        dsj_free(path);
        return out;
    }
}

typedef struct simple_fn_ctx {
    dsj_uri_resolve_fn fn;
    void *ctx;
} simple_fn_ctx_t;

static char *call_simple(const dsj_uri_request_t *req, void *ctx)
{
    simple_fn_ctx_t *s = ctx;
    return s->fn(req->uri, req->base_path, s->ctx);
}

static char *call_default(const dsj_uri_request_t *req, void *ctx)
{
    return dsj_uri_resolve_default(req->uri, req->base_path, ctx);
}

char *dsj_define_resolve_metadataref_ex(const dsj_meta_t *meta, const char *dataset_path,
                                        dsj_uri_resolve_ex_fn fn, void *ctx, dsj_error_t *err)
{
    dsj_uri_request_t req;
    char *path;
    struct stat st;
    const char *uri = dsj_meta_get(meta, DSJ_META_METADATA_REF);
    if (!meta) {
        dsj_error_set(err, DSJ_E_ARG, NULL, 0, 0, 0, "dsj_define_resolve_metadataref: no metadata");
        return NULL;
    }
    if (!uri || !*uri) {
        dsj_error_set(err, DSJ_E_NOTFOUND, dataset_path, 0, 0, 0, "the dataset has no metaDataRef");
        return NULL;
    }
    memset(&req, 0, sizeof req);
    req.what = "define";
    req.uri = uri;
    req.base_path = dataset_path;
    req.itemgroup_oid = dsj_meta_get(meta, DSJ_META_ITEMGROUP_OID);
    req.study_oid = dsj_meta_get(meta, DSJ_META_STUDY_OID);
    req.metadata_version_oid = dsj_meta_get(meta, DSJ_META_METADATA_VERSION_OID);
    path = (fn ? fn : call_default)(&req, ctx);
    if (!path) {
        size_t sl = uri_scheme_len(uri);
        if (!fn && sl && !(sl == 4 && strncasecmp(uri, "file", 4) == 0))
            dsj_error_set(err, DSJ_E_UNSUPPORTED, dataset_path, 0, 0, 0,
                          "metaDataRef '%s': only local files are resolved (no %.*s: access)", uri, (int)sl, uri);
        else
            dsj_error_set(err, DSJ_E_NOTFOUND, dataset_path, 0, 0, 0, "metaDataRef '%s' could not be resolved", uri);
        return NULL;
    }
    if (!fn && stat(path, &st) != 0) {
        dsj_error_set(err, DSJ_E_NOTFOUND, dataset_path, 0, 0, 0, "metaDataRef '%s': %s: %s", uri, path,
                      strerror(errno));
        dsj_free(path);
        return NULL;
    }
    return path;
}

char *dsj_define_resolve_metadataref(const dsj_meta_t *meta, const char *dataset_path,
                                     dsj_uri_resolve_fn fn, void *ctx, dsj_error_t *err)
{
    simple_fn_ctx_t s;
    if (!fn) return dsj_define_resolve_metadataref_ex(meta, dataset_path, NULL, ctx, err);
    s.fn = fn;
    s.ctx = ctx;
    return dsj_define_resolve_metadataref_ex(meta, dataset_path, call_simple, &s, err);
}
