/*
 * Define-XML model: load/free, arena, OID hash tables, reference resolution
 * and the read-only accessors declared in dsjson_define.h.  The XML walk is
 * in define_parse.c, the standalone rules in define_rules.c.
 */
#include "define_internal.h"

#include <errno.h>
#include <stdio.h>
#include <strings.h>

/* ------------------------------------------------------------------ arena */

#define ARENA_BLOCK 65536u
#define ARENA_ALIGN 16u

static size_t arena_header(void)
{
    return (sizeof(dsj_arena_block_t) + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
}

void *dsj_arena_alloc(dsj_arena_t *a, size_t n)
{
    dsj_arena_block_t *b = a->head;
    void *p;
    if (n == 0) n = 1;
    n = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    if (!b || b->cap - b->used < n) {
        size_t cap = n > ARENA_BLOCK / 4 ? n : ARENA_BLOCK;
        b = dsj_malloc(arena_header() + cap);
        if (!b) return NULL;
        b->cap = cap;
        b->used = 0;
        if (cap == n && a->head) { /* big request: own block, keep filling the current head */
            b->next = a->head->next;
            a->head->next = b;
        } else {
            b->next = a->head;
            a->head = b;
        }
        a->total += cap;
    }
    p = (char *)b + arena_header() + b->used;
    b->used += n;
    memset(p, 0, n);
    return p;
}

char *dsj_arena_strdup(dsj_arena_t *a, const char *s)
{
    size_t n;
    char *p;
    if (!s) return NULL;
    n = strlen(s);
    p = dsj_arena_alloc(a, n + 1);
    if (p) memcpy(p, s, n + 1);
    return p;
}

void dsj_arena_free(dsj_arena_t *a)
{
    dsj_arena_block_t *b = a->head;
    while (b) {
        dsj_arena_block_t *n = b->next;
        dsj_free(b);
        b = n;
    }
    a->head = NULL;
    a->total = 0;
}

/* ------------------------------------------------------------------ hash */

static uint64_t hash_bytes(const char *s, size_t n, uint64_t seed)
{
    uint64_t h = 1469598103934665603ull ^ seed;
    size_t i;
    for (i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    h ^= h >> 29;
    return h;
}

int dsj_oidmap_init(dsj_oidmap_t *m, size_t expected)
{
    size_t cap = 16;
    while (cap < expected * 2 + 1) cap <<= 1;
    m->keys = dsj_calloc(cap, sizeof *m->keys);
    m->vals = dsj_calloc(cap, sizeof *m->vals);
    m->cap = cap;
    m->n = 0;
    if (!m->keys || !m->vals) {
        dsj_oidmap_free(m);
        return -1;
    }
    return 0;
}

int dsj_oidmap_put(dsj_oidmap_t *m, const char *key, const void *val)
{
    size_t i, mask;
    if (!key || !m->cap) return 0;
    if ((m->n + 1) * 2 > m->cap) { /* grow */
        dsj_oidmap_t g;
        size_t j;
        if (dsj_oidmap_init(&g, m->n + 1) != 0) return -1;
        for (j = 0; j < m->cap; j++)
            if (m->keys[j]) dsj_oidmap_put(&g, m->keys[j], m->vals[j]);
        dsj_oidmap_free(m);
        *m = g;
    }
    mask = m->cap - 1;
    for (i = hash_bytes(key, strlen(key), 0) & mask; m->keys[i]; i = (i + 1) & mask)
        if (strcmp(m->keys[i], key) == 0) return 0;
    m->keys[i] = key;
    m->vals[i] = val;
    m->n++;
    return 1;
}

const void *dsj_oidmap_get(const dsj_oidmap_t *m, const char *key)
{
    size_t i, mask;
    if (!key || !m->cap) return NULL;
    mask = m->cap - 1;
    for (i = hash_bytes(key, strlen(key), 0) & mask; m->keys[i]; i = (i + 1) & mask)
        if (strcmp(m->keys[i], key) == 0) return m->vals[i];
    return NULL;
}

void dsj_oidmap_free(dsj_oidmap_t *m)
{
    dsj_free((void *)m->keys);
    dsj_free((void *)m->vals);
    memset(m, 0, sizeof *m);
}

/* ------------------------------------------------------------------ numbers */

int dsj_define_parse_int(const char *s, int64_t *out)
{
    int64_t v = 0;
    int neg = 0;
    const char *p = s;
    if (!s || !*s) return 0;
    if (*p == '+' || *p == '-') neg = *p++ == '-';
    if (!*p) return 0;
    for (; *p; p++) {
        if (*p < '0' || *p > '9') return 0;
        if (v > (INT64_MAX - (*p - '0')) / 10) return 0;
        v = v * 10 + (*p - '0');
    }
    *out = neg ? -v : v;
    return 1;
}

/* ------------------------------------------------------------------ index */

static int put_all(dsj_oidmap_t *m, size_t n, const void *base, size_t size, size_t key_off)
{
    size_t i;
    if (dsj_oidmap_init(m, n) != 0) return -1;
    for (i = 0; i < n; i++) {
        const char *elem = (const char *)base + i * size;
        const char *key = *(const char *const *)(elem + key_off);
        if (dsj_oidmap_put(m, key, elem) < 0) return -1;
    }
    return 0;
}

static void resolve_itemrefs(dsj_define_t *def, dsj_define_itemref_t *refs, size_t n)
{
    size_t i, j;
    for (i = 0; i < n; i++) {
        refs[i].itemdef = dsj_oidmap_get(&def->map_itemdef, refs[i].item_oid);
        for (j = 0; j < refs[i].n_where_clauses; j++)
            ((const dsj_define_whereclause_t **)refs[i].where_clauses)[j] =
                dsj_oidmap_get(&def->map_whereclause, refs[i].where_clause_oids[j]);
    }
}

static int codeidx_build(dsj_define_t *def)
{
    size_t total = 0, i, j, cap = 16;
    for (i = 0; i < def->n_codelists; i++) total += def->codelists[i].n_items;
    while (cap < total * 2 + 1) cap <<= 1;
    def->codeidx = dsj_calloc(cap, sizeof *def->codeidx);
    if (!def->codeidx) return -1;
    def->codeidx_cap = cap;
    for (i = 0; i < def->n_codelists; i++) {
        const dsj_define_codelist_t *cl = &def->codelists[i];
        for (j = 0; j < cl->n_items; j++) {
            const dsj_define_codeitem_t *it = &cl->items[j];
            const char *v = it->coded_value ? it->coded_value : "";
            uint64_t h = hash_bytes(v, strlen(v), (uint64_t)i * 0x9e3779b97f4a7c15ull);
            size_t k = h & (cap - 1);
            int dup = 0;
            for (; def->codeidx[k].item; k = (k + 1) & (cap - 1)) {
                const dsj_codeidx_ent_t *e = &def->codeidx[k];
                if (e->cl == i && e->hash == h && strcmp(e->item->coded_value ? e->item->coded_value : "", v) == 0) {
                    dup = 1;
                    break;
                }
            }
            if (dup) continue;
            def->codeidx[k].item = it;
            def->codeidx[k].cl = i;
            def->codeidx[k].hash = h;
        }
    }
    return 0;
}

dsj_status_t dsj_define_index(dsj_define_t *def, dsj_error_t *err)
{
    size_t i, j;
#define PUT(map, arr, n, type, field) \
    if (put_all(&def->map, def->n, def->arr, sizeof(type), offsetof(type, field)) != 0) goto nomem
    PUT(map_standard, standards, n_standards, dsj_define_standard_t, oid);
    PUT(map_itemgroup, itemgroups, n_itemgroups, dsj_define_itemgroup_t, oid);
    PUT(map_itemdef, itemdefs, n_itemdefs, dsj_define_itemdef_t, oid);
    PUT(map_codelist, codelists, n_codelists, dsj_define_codelist_t, oid);
    PUT(map_valuelist, valuelists, n_valuelists, dsj_define_valuelist_t, oid);
    PUT(map_whereclause, whereclauses, n_whereclauses, dsj_define_whereclause_t, oid);
    PUT(map_method, methods, n_methods, dsj_define_method_t, oid);
    PUT(map_comment, comments, n_comments, dsj_define_comment_t, oid);
    PUT(map_leaf, leaves, n_leaves, dsj_define_leaf_t, id);
#undef PUT
    for (i = 0; i < def->n_itemgroups; i++)
        resolve_itemrefs(def, (dsj_define_itemref_t *)def->itemgroups[i].itemrefs, def->itemgroups[i].n_itemrefs);
    for (i = 0; i < def->n_valuelists; i++)
        resolve_itemrefs(def, (dsj_define_itemref_t *)def->valuelists[i].itemrefs, def->valuelists[i].n_itemrefs);
    for (i = 0; i < def->n_itemdefs; i++) {
        dsj_define_itemdef_t *it = &def->itemdefs[i];
        it->codelist = dsj_oidmap_get(&def->map_codelist, it->codelist_oid);
        it->valuelist = dsj_oidmap_get(&def->map_valuelist, it->valuelist_oid);
    }
    for (i = 0; i < def->n_whereclauses; i++) {
        dsj_define_whereclause_t *w = &def->whereclauses[i];
        for (j = 0; j < w->n_checks; j++) {
            dsj_define_rangecheck_t *rc = (dsj_define_rangecheck_t *)&w->checks[j];
            rc->itemdef = dsj_oidmap_get(&def->map_itemdef, rc->item_oid);
        }
    }
    for (i = 0; i < def->n_codelists; i++) def->codelists[i].index = i;
    if (codeidx_build(def) != 0) goto nomem;
    return DSJ_OK;
nomem:
    return dsj_error_set(err, DSJ_E_NOMEM, def->file, 0, 0, 0, "out of memory indexing the define");
}

/* ------------------------------------------------------------------ load / free */

static dsj_define_t *define_new(const char *name)
{
    dsj_define_t *def = dsj_calloc(1, sizeof *def);
    if (!def) return NULL;
    def->file = dsj_strdup(name ? name : "<memory>");
    if (!def->file) {
        dsj_free(def);
        return NULL;
    }
    return def;
}

static dsj_define_t *define_finish(dsj_define_t *def, dsj_error_t *err)
{
    if (dsj_define_parse(def, err) != DSJ_OK || dsj_define_index(def, err) != DSJ_OK) {
        dsj_define_free(def);
        return NULL;
    }
    return def;
}

dsj_define_t *dsj_define_load_memory(const char *buf, size_t len, const char *name, dsj_error_t *err)
{
    dsj_define_t *def;
    if (!buf && len) {
        dsj_error_set(err, DSJ_E_ARG, name, 0, 0, 0, "dsj_define_load_memory: NULL buffer");
        return NULL;
    }
    def = define_new(name);
    if (!def || !(def->xml = dsj_malloc(len + 1))) {
        dsj_define_free(def);
        dsj_error_set(err, DSJ_E_NOMEM, name, 0, 0, 0, "out of memory");
        return NULL;
    }
    if (len) memcpy(def->xml, buf, len);
    def->xml[len] = '\0';
    def->xml_len = len;
    return define_finish(def, err);
}

dsj_define_t *dsj_define_load(const char *path, dsj_error_t *err)
{
    FILE *f;
    dsj_buf_t b;
    char chunk[65536];
    size_t n;
    dsj_define_t *def;
    if (!path) {
        dsj_error_set(err, DSJ_E_ARG, NULL, 0, 0, 0, "dsj_define_load: NULL path");
        return NULL;
    }
    f = fopen(path, "rb");
    if (!f) {
        dsj_error_set(err, DSJ_E_IO, path, 0, 0, 0, "cannot open: %s", strerror(errno));
        return NULL;
    }
    dsj_buf_init(&b);
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (dsj_buf_append(&b, chunk, n) != 0) {
            fclose(f);
            dsj_buf_free(&b);
            dsj_error_set(err, DSJ_E_NOMEM, path, 0, 0, 0, "out of memory reading the define");
            return NULL;
        }
    }
    if (ferror(f)) {
        int e = errno;
        fclose(f);
        dsj_buf_free(&b);
        dsj_error_set(err, DSJ_E_IO, path, 0, 0, 0, "read error: %s", strerror(e));
        return NULL;
    }
    fclose(f);
    def = define_new(path);
    if (!def) {
        dsj_buf_free(&b);
        dsj_error_set(err, DSJ_E_NOMEM, path, 0, 0, 0, "out of memory");
        return NULL;
    }
    def->xml_len = b.len;
    def->xml = dsj_buf_steal(&b);
    return define_finish(def, err);
}

void dsj_define_free(dsj_define_t *def)
{
    if (!def) return;
    dsj_oidmap_free(&def->map_standard);
    dsj_oidmap_free(&def->map_itemgroup);
    dsj_oidmap_free(&def->map_itemdef);
    dsj_oidmap_free(&def->map_codelist);
    dsj_oidmap_free(&def->map_valuelist);
    dsj_oidmap_free(&def->map_whereclause);
    dsj_oidmap_free(&def->map_method);
    dsj_oidmap_free(&def->map_comment);
    dsj_oidmap_free(&def->map_leaf);
    dsj_free(def->codeidx);
    dsj_arena_free(&def->arena);
    dsj_free(def->xml);
    dsj_free(def->file);
    dsj_free(def);
}

/* ------------------------------------------------------------------ accessors */

const char *dsj_define_file(const dsj_define_t *def) { return def ? def->file : NULL; }
dsj_define_version_t dsj_define_version_kind(const dsj_define_t *def) { return def ? def->kind : DSJ_DEFINE_V2_1; }
const char *dsj_define_version(const dsj_define_t *def) { return def ? def->define_version : NULL; }
const char *dsj_define_study_oid(const dsj_define_t *def) { return def ? def->study_oid : NULL; }
const char *dsj_define_study_name(const dsj_define_t *def) { return def ? def->study_name : NULL; }
const char *dsj_define_mdv_oid(const dsj_define_t *def) { return def ? def->mdv_oid : NULL; }
const char *dsj_define_mdv_name(const dsj_define_t *def) { return def ? def->mdv_name : NULL; }
const char *dsj_define_standard_name(const dsj_define_t *def) { return def ? def->standard_name : NULL; }
const char *dsj_define_standard_version(const dsj_define_t *def) { return def ? def->standard_version : NULL; }

#define ACCESSORS(noun, type, arr, n, map)                                                   \
    size_t dsj_define_##noun##_count(const dsj_define_t *def) { return def ? def->n : 0; }   \
    const type *dsj_define_##noun##_at(const dsj_define_t *def, size_t i)                    \
    {                                                                                        \
        return def && i < def->n ? &def->arr[i] : NULL;                                      \
    }                                                                                        \
    const type *dsj_define_##noun##_find(const dsj_define_t *def, const char *oid)           \
    {                                                                                        \
        return def ? (const type *)dsj_oidmap_get(&def->map, oid) : NULL;                     \
    }

ACCESSORS(standard, dsj_define_standard_t, standards, n_standards, map_standard)
ACCESSORS(itemgroup, dsj_define_itemgroup_t, itemgroups, n_itemgroups, map_itemgroup)
ACCESSORS(itemdef, dsj_define_itemdef_t, itemdefs, n_itemdefs, map_itemdef)
ACCESSORS(codelist, dsj_define_codelist_t, codelists, n_codelists, map_codelist)
ACCESSORS(valuelist, dsj_define_valuelist_t, valuelists, n_valuelists, map_valuelist)
ACCESSORS(whereclause, dsj_define_whereclause_t, whereclauses, n_whereclauses, map_whereclause)
ACCESSORS(method, dsj_define_method_t, methods, n_methods, map_method)
ACCESSORS(comment, dsj_define_comment_t, comments, n_comments, map_comment)
ACCESSORS(leaf, dsj_define_leaf_t, leaves, n_leaves, map_leaf)
#undef ACCESSORS

const dsj_define_itemgroup_t *dsj_define_itemgroup_find_by_name(const dsj_define_t *def, const char *name)
{
    size_t i;
    if (!def || !name) return NULL;
    for (i = 0; i < def->n_itemgroups; i++)
        if (def->itemgroups[i].name && strcmp(def->itemgroups[i].name, name) == 0) return &def->itemgroups[i];
    for (i = 0; i < def->n_itemgroups; i++)
        if (def->itemgroups[i].name && strcasecmp(def->itemgroups[i].name, name) == 0) return &def->itemgroups[i];
    for (i = 0; i < def->n_itemgroups; i++)
        if (def->itemgroups[i].sas_dataset_name && strcasecmp(def->itemgroups[i].sas_dataset_name, name) == 0)
            return &def->itemgroups[i];
    return NULL;
}

const dsj_define_codeitem_t *dsj_define_codelist_item_find(const dsj_define_t *def, const dsj_define_codelist_t *cl,
                                                          const char *value, size_t len)
{
    uint64_t h;
    size_t k, mask;
    if (!def || !cl || !def->codeidx_cap || cl->index >= def->n_codelists || &def->codelists[cl->index] != cl)
        return NULL;
    if (!value) value = "";
    h = hash_bytes(value, len, (uint64_t)cl->index * 0x9e3779b97f4a7c15ull);
    mask = def->codeidx_cap - 1;
    for (k = h & mask; def->codeidx[k].item; k = (k + 1) & mask) {
        const dsj_codeidx_ent_t *e = &def->codeidx[k];
        const char *cv = e->item->coded_value ? e->item->coded_value : "";
        if (e->cl == cl->index && e->hash == h && strlen(cv) == len && memcmp(cv, value, len) == 0) return e->item;
    }
    return NULL;
}
