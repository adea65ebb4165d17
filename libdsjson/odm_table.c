/*
 * ODM schema tables: the per-element facts (child sequence and repetition,
 * attribute types, text/mixed content) that drive the XML <-> JSON mapping.
 * The tables are JSON (schemas/odm/NAME.json, compiled into odm_tables.gen.c);
 * this file parses them into sorted arrays for lookup.  Also: namespace
 * registry, a JSON emitter that indents at any depth, warnings.
 */
#include "odm_internal.h"

#include <pthread.h>
#include <stdio.h>

/* ------------------------------------------------------------------ namespaces */

static const struct { const char *uri, *prefix; } known_ns[] = {
    {ODM_NS_DEF20, "def"}, {ODM_NS_DEF21, "def"}, {ODM_NS_DATA, "data"},
    {ODM_NS_XLINK, "xlink"}, {ODM_NS_ARM, "arm"}, {ODM_NS_XML, "xml"},
};

const char *odm_known_prefix(const char *uri)
{
    size_t i;
    if (!uri) return NULL;
    for (i = 0; i < sizeof known_ns / sizeof known_ns[0]; i++)
        if (!strcmp(uri, known_ns[i].uri)) return known_ns[i].prefix;
    return NULL;
}

const char *odm_known_uri(const char *prefix, const char *schema)
{
    if (!prefix) return NULL;
    if (!strcmp(prefix, "def"))
        return schema && !strcmp(schema, "define-2.0") ? ODM_NS_DEF20 : ODM_NS_DEF21;
    if (!strcmp(prefix, "data")) return ODM_NS_DATA;
    if (!strcmp(prefix, "xlink")) return ODM_NS_XLINK;
    if (!strcmp(prefix, "arm")) return ODM_NS_ARM;
    if (!strcmp(prefix, "xml")) return ODM_NS_XML;
    return NULL;
}

/* ------------------------------------------------------------------ parsing */

/* Split "{uri}Local" (or "Local") into fresh strings. */
static int split_name(const char *name, char **uri, char **local)
{
    *uri = NULL;
    *local = NULL;
    if (name[0] == '{') {
        const char *close = strchr(name, '}');
        if (!close || !close[1]) return -1;
        *uri = dsj_strndup(name + 1, (size_t)(close - name - 1));
        *local = dsj_strdup(close + 1);
    } else {
        *local = dsj_strdup(name);
    }
    return *local ? 0 : -1;
}

static int type_of(const char *t)
{
    if (!t) return ODM_T_STRING;
    if (!strcmp(t, "integer")) return ODM_T_INTEGER;
    if (!strcmp(t, "decimal")) return ODM_T_DECIMAL;
    if (!strcmp(t, "float")) return ODM_T_FLOAT;
    if (!strcmp(t, "boolean")) return ODM_T_BOOLEAN;
    return ODM_T_STRING;
}

const char *odm_table_prefix(const odm_table_t *t, const char *uri)
{
    const char *k = odm_known_prefix(uri);
    if (k) return k;
    if (t && t->namespaces && uri) {
        json_object_object_foreach(t->namespaces, p, v) {
            if (json_object_is_type(v, json_type_string) && !strcmp(json_object_get_string(v), uri)) return p;
        }
    }
    if (uri && !strcmp(uri, "http://www.w3.org/2000/09/xmldsig#")) return "ds";
    if (uri && !strcmp(uri, "http://www.w3.org/1999/xhtml")) return "xhtml";
    if (uri && !strcmp(uri, "http://hl7.org/fhir")) return "fhir";
    if (uri && !strcmp(uri, "http://www.w3.org/2001/XMLSchema-instance")) return "xsi";
    return NULL;
}

/* JSON key for a name in element context: CDISC namespaces lose their prefix. */
static char *make_key(const odm_table_t *t, const char *uri, const char *local, int force_prefix)
{
    const char *p;
    char *k;
    size_t n;
    if (!uri || (!force_prefix && ((t->odm_uri && !strcmp(uri, t->odm_uri)) || odm_known_prefix(uri))))
        return dsj_strdup(local);
    p = odm_table_prefix(t, uri);
    if (!p) p = "ns";
    n = strlen(p) + strlen(local) + 2;
    k = dsj_malloc(n);
    if (k) snprintf(k, n, "%s:%s", p, local);
    return k;
}

static int elem_cmp(const void *a, const void *b)
{
    return strcmp(((const odm_elem_t *)a)->name, ((const odm_elem_t *)b)->name);
}

static void elem_free(odm_elem_t *e)
{
    size_t i;
    for (i = 0; i < e->nattrs; i++) {
        dsj_free(e->attrs[i].uri); dsj_free(e->attrs[i].local); dsj_free(e->attrs[i].key);
    }
    for (i = 0; i < e->nkids; i++) {
        dsj_free(e->kids[i].uri); dsj_free(e->kids[i].local); dsj_free(e->kids[i].key);
    }
    dsj_free(e->attrs);
    dsj_free(e->kids);
    dsj_free(e->name);
}

void odm_table_free(odm_table_t *t)
{
    size_t i;
    if (!t) return;
    for (i = 0; i < t->nelems; i++) elem_free(&t->elems[i]);
    dsj_free(t->elems);
    dsj_free(t->schema);
    dsj_free(t->root);
    dsj_free(t->odm_uri);
    if (t->namespaces) json_object_put(t->namespaces);
    dsj_free(t);
}

static int get_bool(json_object *o, const char *k)
{
    json_object *v;
    return json_object_object_get_ex(o, k, &v) && json_object_get_boolean(v);
}

static int parse_elem(odm_table_t *t, odm_elem_t *e, const char *name, json_object *spec)
{
    json_object *arr;
    size_t i, j, n;
    e->name = dsj_strdup(name);
    if (!e->name) return -1;
    e->text = get_bool(spec, "text");
    e->mixed = get_bool(spec, "mixed");
    e->any = get_bool(spec, "any");
    if (json_object_object_get_ex(spec, "attributes", &arr) && json_object_is_type(arr, json_type_array)) {
        n = json_object_array_length(arr);
        e->attrs = dsj_calloc(n ? n : 1, sizeof *e->attrs);
        if (!e->attrs) return -1;
        for (i = 0; i < n; i++) {
            json_object *a = json_object_array_get_idx(arr, i), *v;
            odm_attr_t *at = &e->attrs[e->nattrs];
            if (!json_object_object_get_ex(a, "name", &v) || !json_object_is_type(v, json_type_string)) return -1;
            if (split_name(json_object_get_string(v), &at->uri, &at->local)) return -1;
            at->type = type_of(json_object_object_get_ex(a, "type", &v) ? json_object_get_string(v) : NULL);
            e->nattrs++;
        }
    }
    if (json_object_object_get_ex(spec, "children", &arr) && json_object_is_type(arr, json_type_array)) {
        n = json_object_array_length(arr);
        e->kids = dsj_calloc(n ? n : 1, sizeof *e->kids);
        if (!e->kids) return -1;
        for (i = 0; i < n; i++) {
            json_object *c = json_object_array_get_idx(arr, i), *v;
            odm_child_t *k = &e->kids[e->nkids];
            if (!json_object_object_get_ex(c, "name", &v) || !json_object_is_type(v, json_type_string)) return -1;
            if (split_name(json_object_get_string(v), &k->uri, &k->local)) return -1;
            k->repeat = get_bool(c, "repeat");
            k->seq = (int)i;
            e->nkids++;
        }
    }
    /* keys; a collision keeps the namespace prefix of the namespaced one */
    for (i = 0; i < e->nattrs; i++) {
        odm_attr_t *a = &e->attrs[i];
        int clash = 0;
        if (a->uri)
            for (j = 0; j < e->nattrs; j++)
                if (j != i && !strcmp(e->attrs[j].local, a->local) && (!e->attrs[j].uri || j < i)) clash = 1;
        a->key = make_key(t, a->uri, a->local, clash);
        if (!a->key) return -1;
    }
    for (i = 0; i < e->nkids; i++) {
        odm_child_t *k = &e->kids[i];
        int clash = 0;
        for (j = 0; j < i; j++)
            if (!strcmp(e->kids[j].local, k->local)) clash = 1;
        k->key = make_key(t, k->uri, k->local, clash);
        if (!k->key) return -1;
    }
    return 0;
}

odm_table_t *odm_table_parse(const char *json, const char *what, dsj_error_t *err)
{
    json_object *doc, *v, *els;
    odm_table_t *t;
    size_t n;
    doc = json_tokener_parse(json);
    if (!doc || !json_object_is_type(doc, json_type_object)) {
        if (doc) json_object_put(doc);
        dsj_error_set(err, DSJ_E_FORMAT, what, 0, 0, 0, "ODM schema table is not a JSON object");
        return NULL;
    }
    t = dsj_calloc(1, sizeof *t);
    if (!t) { json_object_put(doc); dsj_error_set(err, DSJ_E_NOMEM, what, 0, 0, 0, "out of memory"); return NULL; }
    if (json_object_object_get_ex(doc, "schema", &v)) t->schema = dsj_strdup(json_object_get_string(v));
    if (json_object_object_get_ex(doc, "root", &v)) t->root = dsj_strdup(json_object_get_string(v));
    if (!t->schema || !t->root || t->root[0] != '{' || !strchr(t->root, '}')) {
        dsj_error_set(err, DSJ_E_FORMAT, what, 0, 0, 0, "ODM schema table needs \"schema\" and \"root\" ({uri}ODM)");
        goto fail;
    }
    t->odm_uri = dsj_strndup(t->root + 1, (size_t)(strchr(t->root, '}') - t->root - 1));
    if (json_object_object_get_ex(doc, "namespaces", &v) && json_object_is_type(v, json_type_object))
        t->namespaces = json_object_get(v);
    if (!json_object_object_get_ex(doc, "elements", &els) || !json_object_is_type(els, json_type_object)) {
        dsj_error_set(err, DSJ_E_FORMAT, what, 0, 0, 0, "ODM schema table has no \"elements\" object");
        goto fail;
    }
    n = (size_t)json_object_object_length(els);
    t->elems = dsj_calloc(n ? n : 1, sizeof *t->elems);
    if (!t->elems) goto nomem;
    {
        json_object_object_foreach(els, name, spec) {
            if (!json_object_is_type(spec, json_type_object) ||
                parse_elem(t, &t->elems[t->nelems++], name, spec)) {
                dsj_error_set(err, DSJ_E_FORMAT, what, 0, 0, 0, "ODM schema table: bad entry for element %s", name);
                goto fail;
            }
        }
    }
    qsort(t->elems, t->nelems, sizeof *t->elems, elem_cmp);
    json_object_put(doc);
    return t;
nomem:
    dsj_error_set(err, DSJ_E_NOMEM, what, 0, 0, 0, "out of memory");
fail:
    json_object_put(doc);
    odm_table_free(t);
    return NULL;
}

/* ------------------------------------------------------------------ lookup */

const odm_elem_t *odm_table_elem(const odm_table_t *t, const char *uri, const char *local)
{
    char stack[512], *name = stack;
    size_t n = (uri ? strlen(uri) + 2 : 0) + strlen(local) + 1;
    odm_elem_t key;
    const odm_elem_t *hit;
    if (!t) return NULL;
    if (n > sizeof stack && !(name = dsj_malloc(n))) return NULL;
    if (uri) snprintf(name, n, "{%s}%s", uri, local);
    else snprintf(name, n, "%s", local);
    key.name = name;
    hit = bsearch(&key, t->elems, t->nelems, sizeof *t->elems, elem_cmp);
    if (name != stack) dsj_free(name);
    return hit;
}

static int same_uri(const char *a, const char *b)
{
    if (!a || !b) return !a && !b;
    return !strcmp(a, b);
}

const odm_attr_t *odm_elem_attr(const odm_elem_t *e, const char *uri, const char *local)
{
    size_t i;
    if (!e) return NULL;
    for (i = 0; i < e->nattrs; i++)
        if (!strcmp(e->attrs[i].local, local) && same_uri(e->attrs[i].uri, uri)) return &e->attrs[i];
    return NULL;
}

const odm_attr_t *odm_elem_attr_key(const odm_elem_t *e, const char *key)
{
    size_t i;
    if (!e) return NULL;
    for (i = 0; i < e->nattrs; i++)
        if (!strcmp(e->attrs[i].key, key)) return &e->attrs[i];
    return NULL;
}

const odm_child_t *odm_elem_child(const odm_elem_t *e, const char *uri, const char *local)
{
    size_t i;
    if (!e) return NULL;
    for (i = 0; i < e->nkids; i++)
        if (!strcmp(e->kids[i].local, local) && same_uri(e->kids[i].uri, uri)) return &e->kids[i];
    return NULL;
}

const odm_child_t *odm_elem_child_key(const odm_elem_t *e, const char *key)
{
    size_t i;
    if (!e) return NULL;
    for (i = 0; i < e->nkids; i++)
        if (!strcmp(e->kids[i].key, key)) return &e->kids[i];
    return NULL;
}

/* ------------------------------------------------------------------ built-in tables */

#define MAX_BUILTIN 32
/* Each built-in table is parsed the first time it is asked for (a conversion needs one of them;
   parsing all of them cost a quarter of converting a 600 KB define). */
static odm_table_t *builtin[MAX_BUILTIN];
static unsigned char builtin_tried[MAX_BUILTIN];
static const char *builtin_names[MAX_BUILTIN + 1];
static size_t nbuiltin;
static pthread_mutex_t builtin_lock = PTHREAD_MUTEX_INITIALIZER;

static void list_builtin(void) /* with builtin_lock held */
{
    const dsj_odm_table_src_t *s;
    if (nbuiltin) return;
    for (s = dsj_odm_table_sources; s->schema && nbuiltin < MAX_BUILTIN; s++) builtin_names[nbuiltin++] = s->schema;
}

const odm_table_t *odm_table_builtin(const char *schema)
{
    const odm_table_t *t = NULL;
    size_t i;
    pthread_mutex_lock(&builtin_lock);
    list_builtin();
    for (i = 0; i < nbuiltin; i++) {
        if (strcmp(builtin_names[i], schema) != 0) continue;
        if (!builtin_tried[i]) {
            builtin[i] = odm_table_parse(dsj_odm_table_sources[i].json, builtin_names[i], NULL);
            builtin_tried[i] = 1;
        }
        t = builtin[i];
        break;
    }
    pthread_mutex_unlock(&builtin_lock);
    return t;
}

const char *const *dsj_odm_schema_names(void)
{
    pthread_mutex_lock(&builtin_lock);
    list_builtin();
    pthread_mutex_unlock(&builtin_lock);
    return builtin_names;
}

void dsj_odm_options_init(dsj_odm_options_t *opts)
{
    if (!opts) return;
    memset(opts, 0, sizeof *opts);
    opts->bulk_threshold = 1024;
}

/* ------------------------------------------------------------------ helpers */

int odm_json_int_text(const char *s, int64_t *out)
{
    const char *p = s;
    if (*p == '-') p++;
    if (*p < '0' || *p > '9') return 0;
    if (*p == '0' && p[1]) return 0;
    for (; *p; p++)
        if (*p < '0' || *p > '9') return 0;
    if (strlen(s) > 20) return 0;
    return dsj_int64_parse(s, strlen(s), out);
}

static int indent(dsj_buf_t *b, int level)
{
    if (dsj_buf_putc(b, '\n')) return -1;
    while (level-- > 0)
        if (dsj_buf_puts(b, "  ")) return -1;
    return 0;
}

int odm_json_emit(dsj_buf_t *b, json_object *v, int pretty, int level)
{
    size_t i, n;
    int first = 1;
    switch (json_object_get_type(v)) {
    case json_type_null: return dsj_buf_puts(b, "null");
    case json_type_boolean: return dsj_buf_puts(b, json_object_get_boolean(v) ? "true" : "false");
    case json_type_int: return dsj_buf_printf(b, "%lld", (long long)json_object_get_int64(v));
    case json_type_double: return dsj_buf_puts(b, json_object_to_json_string(v));
    case json_type_string: return dsj_buf_json_string(b, json_object_get_string(v), (size_t)json_object_get_string_len(v));
    case json_type_array:
        n = json_object_array_length(v);
        if (dsj_buf_putc(b, '[')) return -1;
        for (i = 0; i < n; i++) {
            if (i && dsj_buf_putc(b, ',')) return -1;
            if (pretty && indent(b, level + 1)) return -1;
            if (odm_json_emit(b, json_object_array_get_idx(v, i), pretty, level + 1)) return -1;
        }
        if (n && pretty && indent(b, level)) return -1;
        return dsj_buf_putc(b, ']');
    case json_type_object: {
        if (dsj_buf_putc(b, '{')) return -1;
        json_object_object_foreach(v, k, val) {
            if (!first && dsj_buf_putc(b, ',')) return -1;
            if (pretty && indent(b, level + 1)) return -1;
            if (dsj_buf_json_string(b, k, strlen(k)) || dsj_buf_puts(b, pretty ? ": " : ":")) return -1;
            if (odm_json_emit(b, val, pretty, level + 1)) return -1;
            first = 0;
        }
        if (!first && pretty && indent(b, level)) return -1;
        return dsj_buf_putc(b, '}');
    }
    }
    return 0;
}

void odm_warn(const dsj_odm_options_t *o, const char *rule, const char *file, uint64_t line,
              const char *pointer, const char *fmt, ...)
{
    char text[512];
    va_list ap;
    if (!o || !o->warn) return;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    dsj_emit(o->warn, o->warn_ctx, rule, DSJ_SEV_WARNING, file, line, 0, 0, pointer, 0, NULL, "%s", text);
}
