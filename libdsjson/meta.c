/* Dataset metadata model (both versions). */
#include "dsj_internal.h"

#include <json-c/json.h>

struct dsj_meta {
    dsj_version_t version;
    char *attr[DSJ_META__COUNT];
    int reference_data;
    int has_records;
    int64_t records;
    int has_rows;
    dsj_column_t *cols;
    size_t ncols, capcols;
    struct json_object *extra;
};

dsj_meta_t *dsj_meta_new(dsj_version_t v)
{
    dsj_meta_t *m = dsj_calloc(1, sizeof *m);
    if (m) m->version = v;
    return m;
}

static void column_release(dsj_column_t *c)
{
    dsj_free((char *)c->item_oid);
    dsj_free((char *)c->name);
    dsj_free((char *)c->label);
    dsj_free((char *)c->data_type_text);
    dsj_free((char *)c->display_format);
    memset(c, 0, sizeof *c);
}

static int column_copy(dsj_column_t *d, const dsj_column_t *s)
{
    *d = *s;
    d->item_oid = dsj_strdup(s->item_oid);
    d->name = dsj_strdup(s->name);
    d->label = dsj_strdup(s->label);
    d->data_type_text = dsj_strdup(s->data_type_text);
    d->display_format = dsj_strdup(s->display_format);
    if ((s->item_oid && !d->item_oid) || (s->name && !d->name) || (s->label && !d->label) ||
        (s->data_type_text && !d->data_type_text) || (s->display_format && !d->display_format)) {
        column_release(d);
        return -1;
    }
    return 0;
}

void dsj_meta_free(dsj_meta_t *m)
{
    size_t i;
    if (!m) return;
    for (i = 0; i < DSJ_META__COUNT; i++) dsj_free(m->attr[i]);
    for (i = 0; i < m->ncols; i++) column_release(&m->cols[i]);
    dsj_free(m->cols);
    if (m->extra) json_object_put(m->extra);
    dsj_free(m);
}

dsj_meta_t *dsj_meta_clone(const dsj_meta_t *m)
{
    dsj_meta_t *c;
    size_t i;
    if (!m) return NULL;
    c = dsj_meta_new(m->version);
    if (!c) return NULL;
    c->reference_data = m->reference_data;
    c->has_records = m->has_records;
    c->records = m->records;
    c->has_rows = m->has_rows;
    for (i = 0; i < DSJ_META__COUNT; i++)
        if (m->attr[i] && dsj_meta_set(c, (dsj_meta_attr_t)i, m->attr[i]) != DSJ_OK) goto fail;
    for (i = 0; i < m->ncols; i++)
        if (dsj_meta_add_column(c, &m->cols[i]) != DSJ_OK) goto fail;
    if (m->extra && json_object_deep_copy(m->extra, &c->extra, NULL) != 0) goto fail;
    return c;
fail:
    dsj_meta_free(c);
    return NULL;
}

dsj_version_t dsj_meta_version(const dsj_meta_t *m) { return m ? m->version : DSJ_VERSION_UNKNOWN; }
void dsj_meta_set_version(dsj_meta_t *m, dsj_version_t v) { if (m) m->version = v; }

const char *dsj_meta_get(const dsj_meta_t *m, dsj_meta_attr_t a)
{
    if (!m || (unsigned)a >= DSJ_META__COUNT) return NULL;
    return m->attr[a];
}

dsj_status_t dsj_meta_set(dsj_meta_t *m, dsj_meta_attr_t a, const char *value)
{
    char *copy = NULL;
    if (!m || (unsigned)a >= DSJ_META__COUNT) return DSJ_E_ARG;
    if (value && !(copy = dsj_strdup(value))) return DSJ_E_NOMEM;
    dsj_free(m->attr[a]);
    m->attr[a] = copy;
    return DSJ_OK;
}

int dsj_meta_is_reference_data(const dsj_meta_t *m) { return m ? m->reference_data : 0; }
void dsj_meta_set_reference_data(dsj_meta_t *m, int yes) { if (m) m->reference_data = yes != 0; }

int dsj_meta_records(const dsj_meta_t *m, int64_t *n)
{
    if (!m || !m->has_records) return 0;
    if (n) *n = m->records;
    return 1;
}

void dsj_meta_set_records(dsj_meta_t *m, int64_t n)
{
    if (!m) return;
    m->has_records = 1;
    m->records = n;
}

void dsj_meta_unset_records(dsj_meta_t *m) { if (m) { m->has_records = 0; m->records = 0; } }
int dsj_meta_has_rows(const dsj_meta_t *m) { return m ? m->has_rows : 0; }
void dsj_meta_set_has_rows(dsj_meta_t *m, int yes) { if (m) m->has_rows = yes != 0; }
size_t dsj_meta_ncolumns(const dsj_meta_t *m) { return m ? m->ncols : 0; }

const dsj_column_t *dsj_meta_column(const dsj_meta_t *m, size_t i)
{
    return (m && i < m->ncols) ? &m->cols[i] : NULL;
}

dsj_status_t dsj_meta_add_column(dsj_meta_t *m, const dsj_column_t *c)
{
    if (!m || !c) return DSJ_E_ARG;
    if (m->ncols == m->capcols) {
        size_t cap = m->capcols ? m->capcols * 2 : 16;
        dsj_column_t *p = dsj_realloc(m->cols, cap * sizeof *p);
        if (!p) return DSJ_E_NOMEM;
        m->cols = p;
        m->capcols = cap;
    }
    if (column_copy(&m->cols[m->ncols], c)) return DSJ_E_NOMEM;
    m->ncols++;
    return DSJ_OK;
}

dsj_status_t dsj_meta_remove_column(dsj_meta_t *m, size_t i)
{
    if (!m || i >= m->ncols) return DSJ_E_ARG;
    column_release(&m->cols[i]);
    memmove(&m->cols[i], &m->cols[i + 1], (m->ncols - i - 1) * sizeof *m->cols);
    m->ncols--;
    return DSJ_OK;
}

dsj_status_t dsj_meta_set_column(dsj_meta_t *m, size_t i, const dsj_column_t *c)
{
    dsj_column_t tmp;
    if (!m || !c || i >= m->ncols) return DSJ_E_ARG;
    if (column_copy(&tmp, c)) return DSJ_E_NOMEM;
    column_release(&m->cols[i]);
    m->cols[i] = tmp;
    return DSJ_OK;
}

long dsj_meta_find_column(const dsj_meta_t *m, const char *name)
{
    size_t i;
    if (!m || !name) return -1;
    for (i = 0; i < m->ncols; i++)
        if (m->cols[i].name && strcmp(m->cols[i].name, name) == 0) return (long)i;
    return -1;
}

struct json_object *dsj_meta_extra(const dsj_meta_t *m) { return m ? m->extra : NULL; }

void dsj_meta_set_extra(dsj_meta_t *m, struct json_object *extra)
{
    if (!m) {
        if (extra) json_object_put(extra);
        return;
    }
    if (m->extra) json_object_put(m->extra);
    m->extra = extra;
}

static int str_eq(const char *a, const char *b)
{
    if (!a || !b) return a == b;
    return strcmp(a, b) == 0;
}

int dsj_meta_equal(const dsj_meta_t *a, const dsj_meta_t *b)
{
    size_t i;
    if (!a || !b) return a == b;
    if (a->version != b->version || a->reference_data != b->reference_data) return 0;
    if (a->has_records != b->has_records || (a->has_records && a->records != b->records)) return 0;
    for (i = 0; i < DSJ_META__COUNT; i++)
        if (!str_eq(a->attr[i], b->attr[i])) return 0;
    if (a->ncols != b->ncols) return 0;
    for (i = 0; i < a->ncols; i++) {
        const dsj_column_t *x = &a->cols[i], *y = &b->cols[i];
        if (!str_eq(x->item_oid, y->item_oid) || !str_eq(x->name, y->name) ||
            !str_eq(x->label, y->label) || x->data_type != y->data_type ||
            (x->data_type == DSJ_TYPE_UNKNOWN && !str_eq(x->data_type_text, y->data_type_text)) ||
            x->target_data_type != y->target_data_type || x->length != y->length ||
            !str_eq(x->display_format, y->display_format) || x->key_sequence != y->key_sequence)
            return 0;
    }
    if (!a->extra || !b->extra) {
        int ea = a->extra && json_object_object_length(a->extra) > 0;
        int eb = b->extra && json_object_object_length(b->extra) > 0;
        return ea == eb;
    }
    return json_object_equal(a->extra, b->extra);
}
