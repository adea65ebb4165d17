/*
 * In-memory datasets: a metadata copy plus rows whose cells live in an arena
 * of large blocks (one allocation per ~256 KiB, not per cell).  Meant for
 * small data, tests and tools; streaming code uses the reader and writer.
 */
#include "convert_internal.h"

#include <json-c/json.h>

#define BLOCK_SIZE ((size_t)256 * 1024)

typedef struct block {
    struct block *next;
    size_t used, cap;
    /* data follows, aligned for dsj_cell_t */
    max_align_t data[];
} block_t;

struct dsj_dataset {
    dsj_meta_t *meta;
    dsj_row_t *rows;
    size_t nrows, caprows;
    block_t *blocks;
};

static void *arena_alloc(dsj_dataset_t *ds, size_t n)
{
    block_t *b = ds->blocks;
    size_t align = sizeof(max_align_t);
    n = (n + align - 1) / align * align;
    if (!n) n = align;
    if (!b || b->cap - b->used < n) {
        size_t cap = n > BLOCK_SIZE ? n : BLOCK_SIZE;
        b = dsj_malloc(sizeof *b + cap);
        if (!b) return NULL;
        b->next = ds->blocks;
        b->used = 0;
        b->cap = cap;
        ds->blocks = b;
    }
    b->used += n;
    return (char *)b->data + b->used - n;
}

dsj_dataset_t *dsj_dataset_new(const dsj_meta_t *meta)
{
    dsj_dataset_t *ds;
    if (!meta) return NULL;
    ds = dsj_calloc(1, sizeof *ds);
    if (!ds) return NULL;
    ds->meta = dsj_meta_clone(meta);
    if (!ds->meta) {
        dsj_free(ds);
        return NULL;
    }
    return ds;
}

void dsj_dataset_free(dsj_dataset_t *ds)
{
    block_t *b, *next;
    if (!ds) return;
    for (b = ds->blocks; b; b = next) {
        next = b->next;
        dsj_free(b);
    }
    dsj_free(ds->rows);
    dsj_meta_free(ds->meta);
    dsj_free(ds);
}

const dsj_meta_t *dsj_dataset_meta(const dsj_dataset_t *ds) { return ds ? ds->meta : NULL; }
dsj_meta_t *dsj_dataset_meta_mut(dsj_dataset_t *ds) { return ds ? ds->meta : NULL; }
size_t dsj_dataset_nrows(const dsj_dataset_t *ds) { return ds ? ds->nrows : 0; }

const dsj_row_t *dsj_dataset_row(const dsj_dataset_t *ds, size_t i)
{
    return (ds && i < ds->nrows) ? &ds->rows[i] : NULL;
}

dsj_status_t dsj_dataset_add_row(dsj_dataset_t *ds, const dsj_row_t *row)
{
    dsj_cell_t *cells = NULL;
    dsj_row_t *r;
    size_t i, text = 0;
    char *p;
    if (!ds || !row || (row->ncells && !row->cells)) return DSJ_E_ARG;
    if (ds->nrows == ds->caprows) {
        size_t cap = ds->caprows ? ds->caprows * 2 : 64;
        dsj_row_t *nr = dsj_realloc(ds->rows, cap * sizeof *nr);
        if (!nr) return DSJ_E_NOMEM;
        ds->rows = nr;
        ds->caprows = cap;
    }
    for (i = 0; i < row->ncells; i++)
        if (row->cells[i].text) text += row->cells[i].len + 1;
    if (row->ncells) {
        cells = arena_alloc(ds, row->ncells * sizeof *cells + text);
        if (!cells) return DSJ_E_NOMEM;
        p = (char *)(cells + row->ncells);
        for (i = 0; i < row->ncells; i++) {
            const dsj_cell_t *c = &row->cells[i];
            cells[i] = *c;
            if (c->text) {
                memcpy(p, c->text, c->len);
                p[c->len] = '\0';
                cells[i].text = p;
                p += c->len + 1;
            }
        }
    }
    r = &ds->rows[ds->nrows++];
    *r = *row;
    r->cells = cells;
    r->index = ds->nrows;
    return DSJ_OK;
}

dsj_dataset_t *dsj_dataset_read(dsj_reader_t *r, dsj_error_t *err)
{
    dsj_dataset_t *ds;
    const dsj_row_t *row;
    dsj_status_t st;
    if (!r) {
        dsj_err(err, DSJ_E_ARG, "dsj_dataset_read: no reader");
        return NULL;
    }
    ds = dsj_dataset_new(dsj_reader_meta(r));
    if (!ds) {
        dsj_err(err, DSJ_E_NOMEM, "out of memory");
        return NULL;
    }
    while ((st = dsj_reader_next(r, &row, err)) == DSJ_ROW) {
        if (dsj_dataset_add_row(ds, row) != DSJ_OK) {
            dsj_err(err, DSJ_E_NOMEM, "out of memory holding row %llu",
                          (unsigned long long)row->index);
            dsj_dataset_free(ds);
            return NULL;
        }
    }
    if (st != DSJ_DONE) {
        dsj_dataset_free(ds);
        return NULL;
    }
    return ds;
}

dsj_dataset_t *dsj_dataset_from_string(const char *text, size_t len, const dsj_reader_options_t *opts,
                                       dsj_error_t *err)
{
    dsj_source_t *src;
    dsj_reader_t *r;
    dsj_dataset_t *ds;
    if (!text) {
        dsj_err(err, DSJ_E_ARG, "dsj_dataset_from_string: no text");
        return NULL;
    }
    src = dsj_source_new_memory(text, len, "<string>", err);
    if (!src) return NULL;
    r = dsj_reader_new(src, opts, err);
    if (!r) return NULL;
    ds = dsj_dataset_read(r, err);
    dsj_reader_free(r);
    return ds;
}

dsj_dataset_t *dsj_dataset_from_json(struct json_object *root, dsj_error_t *err)
{
    const char *text;
    size_t len = 0;
    if (!root) {
        dsj_err(err, DSJ_E_ARG, "dsj_dataset_from_json: no JSON object");
        return NULL;
    }
    /* json-c serializes parsed doubles from their original text, so numbers stay exact. */
    text = json_object_to_json_string_length(root, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
    if (!text) {
        dsj_err(err, DSJ_E_NOMEM, "out of memory serializing the JSON tree");
        return NULL;
    }
    return dsj_dataset_from_string(text, len, NULL, err);
}

dsj_status_t dsj_dataset_write(const dsj_dataset_t *ds, dsj_writer_t *w, dsj_error_t *err)
{
    dsj_status_t st;
    size_t i;
    if (!ds || !w) return dsj_err(err, DSJ_E_ARG, "dsj_dataset_write: no dataset or writer");
    if ((st = dsj_writer_begin(w, ds->meta, err)) != DSJ_OK) return st;
    for (i = 0; i < ds->nrows; i++)
        if ((st = dsj_writer_write_row(w, &ds->rows[i], err)) != DSJ_OK) return st;
    return dsj_writer_end(w, err);
}

char *dsj_dataset_to_string(const dsj_dataset_t *ds, const dsj_writer_options_t *opts, size_t *len, dsj_error_t *err)
{
    dsj_sink_t *sink;
    dsj_writer_t *w;
    char *out = NULL;
    if (!ds) {
        dsj_err(err, DSJ_E_ARG, "dsj_dataset_to_string: no dataset");
        return NULL;
    }
    if (!(sink = dsj_sink_new_memory(err))) return NULL;
    if (!(w = dsj_writer_new(sink, opts, err))) return NULL;
    if (dsj_dataset_write(ds, w, err) == DSJ_OK) {
        out = dsj_sink_memory_steal(dsj_writer_sink(w), len);
        if (!out) dsj_err(err, DSJ_E_NOMEM, "out of memory");
    }
    dsj_writer_free(w);
    return out;
}

struct json_object *dsj_dataset_to_json(const dsj_dataset_t *ds, dsj_version_t version, dsj_error_t *err)
{
    dsj_writer_options_t o;
    struct json_object *root;
    enum json_tokener_error jerr;
    char *text;
    size_t len = 0;
    dsj_writer_options_init(&o);
    o.version = version;
    text = dsj_dataset_to_string(ds, &o, &len, err);
    if (!text) return NULL;
    root = json_tokener_parse_verbose(text, &jerr);
    if (!root) dsj_err(err, DSJ_E_SYNTAX, "json-c could not parse the written text: %s",
                             json_tokener_error_desc(jerr));
    dsj_free(text);
    return root;
}

static int cell_equal(const dsj_cell_t *a, const dsj_cell_t *b)
{
    int na = a->kind == DSJ_CELL_INTEGER || a->kind == DSJ_CELL_NUMBER;
    int nb = b->kind == DSJ_CELL_INTEGER || b->kind == DSJ_CELL_NUMBER;
    if (na && nb) return dsj_number_text_compare(a->text, a->len, b->text, b->len) == 0;
    if (a->kind != b->kind) return 0;
    if (a->kind == DSJ_CELL_NULL) return 1;
    if (a->len != b->len) return 0;
    return a->len == 0 || memcmp(a->text, b->text, a->len) == 0;
}

int dsj_dataset_equal(const dsj_dataset_t *a, const dsj_dataset_t *b)
{
    size_t i, k;
    if (!a || !b) return a == b;
    if (!dsj_meta_equal(a->meta, b->meta) || a->nrows != b->nrows) return 0;
    for (i = 0; i < a->nrows; i++) {
        const dsj_row_t *x = &a->rows[i], *y = &b->rows[i];
        if (x->ncells != y->ncells) return 0;
        for (k = 0; k < x->ncells; k++)
            if (!cell_equal(&x->cells[k], &y->cells[k])) return 0;
    }
    return 1;
}
