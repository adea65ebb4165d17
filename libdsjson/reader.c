/*
 * Streaming Dataset-JSON reader: JSON (1.0 and 1.1), NDJSON and DSJC.
 *
 * Metadata (everything but the rows) is parsed by our lexer into a json-c
 * tree, recording the position of every node by JSON pointer and reporting
 * duplicate keys (the first value is kept).  The model (dsj_meta_t) is then
 * filled from that tree (reader_meta.c).
 *
 * Rows are never kept: dsj_reader_next parses one row into a reusable cells
 * array and a reusable text arena.
 *
 * Where the rows are (a "path" of objects leads to them):
 *   1.1  root -> "rows"                                  (level 0)
 *   1.0  root -> clinicalData|referenceData (level 1) -> itemGroupData
 *        (level 2) -> "<OID>" (level 3) -> "itemData"
 * The metadata parser keeps one frame per path object, so when it meets the
 * rows member it can stop, hand the rows to dsj_reader_next, and resume the
 * remaining members of each frame once the rows array is closed (members
 * after the rows are merged into the tree and the model at that point).
 *
 * Rows before columns: when the rows member comes before "columns" (1.1) or
 * "items" (1.0), or before another required attribute (records, name, label,
 * itemGroupOID, datasetJSONVersion, the creation date-time), the reader skips
 * the rows value (checking its syntax) without keeping it, reads the rest of
 * the metadata, then comes back, so the metadata is complete before any row:
 *   - seekable source (memory, regular file): dsj_source_seek back to the
 *     rows offset and read them again;
 *   - otherwise (callback, FILE*, compressed): the raw rows bytes are copied
 *     to an anonymous tmpfile() while skipping, and rows are read from it.
 * Memory stays bounded either way.
 */
#include "reader_internal.h"

#include <errno.h>
#include <inttypes.h>

/* ---------------------------------------------------------------- small helpers */

static void ptr_truncate(dsj_buf_t *b, size_t len)
{
    b->len = len;
    if (b->data) b->data[len] = '\0';
}

static const char *ptr_text(const dsj_buf_t *b) { return b->data ? b->data : ""; }

/* Lexer pointer callback: metadata pointer, or rows pointer + row/cell indexes. */
static void reader_pointer(const dsj_lexer_t *lx, dsj_buf_t *b, void *ctx)
{
    dsj_reader_t *r = ctx;
    (void)lx;
    if (r->in_rows) {
        dsj_buf_puts(b, ptr_text(&r->rows_ptr));
        if (r->nrows) {
            dsj_buf_printf(b, "/%" PRIu64, r->nrows - 1);
            if (r->cur_cell != (size_t)-1) dsj_buf_printf(b, "/%zu", r->cur_cell);
        }
    } else {
        dsj_buf_puts(b, ptr_text(&r->ptr));
    }
}

static dsj_status_t reader_unexpected(dsj_reader_t *r, int c, const char *what)
{
    dsj_lexer_t *lx = &r->lx;
    uint64_t off = dsj_lex_offset(lx);
    if (c == DSJ_LEX_ERR) return lx->error.code ? lx->error.code : DSJ_E_IO;
    if (c == DSJ_LEX_EOF) return dsj_lex_fail(lx, DSJ_E_SYNTAX, off, "unexpected end of input, expected %s", what);
    if (c > 0x20 && c < 0x7f) return dsj_lex_fail(lx, DSJ_E_SYNTAX, off, "unexpected character '%c', expected %s", c, what);
    return dsj_lex_fail(lx, DSJ_E_SYNTAX, off, "unexpected byte 0x%02x, expected %s", (unsigned)c, what);
}

/* ---------------------------------------------------------------- positions by pointer */

static uint64_t pos_hash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    size_t i;
    for (i = 0; i < n; i++) { h ^= (unsigned char)s[i]; h *= 1099511628211ULL; }
    return h;
}

static long pos_lookup(const dsj_reader_t *r, const char *p, size_t n, size_t *slot)
{
    size_t mask, i;
    if (!r->hashcap) return -1;
    mask = r->hashcap - 1;
    for (i = (size_t)pos_hash(p, n) & mask;; i = (i + 1) & mask) {
        size_t e = r->hash[i];
        if (e == 0) { if (slot) *slot = i; return -1; }
        e--;
        if (r->pos[e].keylen == n && memcmp(r->poskeys.data + r->pos[e].key, p, n) == 0) return (long)e;
    }
}

static int pos_add(dsj_reader_t *r, const char *p, size_t n, uint64_t line, uint64_t col, uint64_t off)
{
    size_t slot = 0;
    if ((r->npos + 1) * 2 > r->hashcap) {
        size_t ncap = r->hashcap ? r->hashcap * 2 : 256, i;
        size_t *nh = dsj_calloc(ncap, sizeof *nh);
        if (!nh) return -1;
        for (i = 0; i < r->npos; i++) {
            size_t j = (size_t)pos_hash(r->poskeys.data + r->pos[i].key, r->pos[i].keylen) & (ncap - 1);
            while (nh[j]) j = (j + 1) & (ncap - 1);
            nh[j] = i + 1;
        }
        dsj_free(r->hash);
        r->hash = nh;
        r->hashcap = ncap;
    }
    if (pos_lookup(r, p, n, &slot) >= 0) return 0; /* first occurrence wins */
    if (r->npos == r->poscap) {
        size_t ncap = r->poscap ? r->poscap * 2 : 256;
        dsj_pos_entry_t *np = dsj_realloc(r->pos, ncap * sizeof *np);
        if (!np) return -1;
        r->pos = np;
        r->poscap = ncap;
    }
    r->pos[r->npos].key = r->poskeys.len;
    r->pos[r->npos].keylen = n;
    r->pos[r->npos].line = line;
    r->pos[r->npos].column = col;
    r->pos[r->npos].offset = off;
    if (dsj_buf_append(&r->poskeys, p, n) != 0 || dsj_buf_putc(&r->poskeys, '\0') != 0) return -1;
    r->hash[slot] = ++r->npos;
    return 0;
}

/* Record the current lexer position under the current metadata pointer. */
static dsj_status_t pos_here(dsj_reader_t *r)
{
    dsj_lexer_t *lx = &r->lx;
    uint64_t off = dsj_lex_offset(lx);
    if (pos_add(r, ptr_text(&r->ptr), r->ptr.len, lx->line, dsj_lex_column_of(lx, off), off) != 0)
        return dsj_lex_fail(lx, DSJ_E_NOMEM, off, "out of memory");
    return DSJ_OK;
}

int dsj_reader_meta_position(const dsj_reader_t *r, const char *pointer,
                             uint64_t *line, uint64_t *column, uint64_t *offset)
{
    long e;
    if (!r || !pointer) return 0;
    e = pos_lookup(r, pointer, strlen(pointer), NULL);
    if (e < 0) return 0;
    if (line) *line = r->pos[e].line;
    if (column) *column = r->pos[e].column;
    if (offset) *offset = r->pos[e].offset;
    return 1;
}

/* ---------------------------------------------------------------- metadata values */

static dsj_status_t meta_value(dsj_reader_t *r, size_t depth, struct json_object **out);

static dsj_status_t nomem(dsj_reader_t *r)
{
    return dsj_lex_fail(&r->lx, DSJ_E_NOMEM, dsj_lex_offset(&r->lx), "out of memory");
}

static struct json_object *number_object(const char *text, int is_int)
{
    if (is_int && strcmp(text, "-0") != 0) {
        char *end;
        long long v;
        errno = 0;
        v = strtoll(text, &end, 10);
        if (errno == 0 && *end == '\0') return json_object_new_int64((int64_t)v);
    }
    return json_object_new_double_s(strtod(text, NULL), text);
}

static dsj_status_t meta_array(dsj_reader_t *r, size_t depth, struct json_object *arr)
{
    dsj_lexer_t *lx = &r->lx;
    size_t plen = r->ptr.len, idx = 0;
    dsj_status_t st;
    int c;
    lx->pos++; /* '[' */
    c = dsj_lex_ws(lx);
    if (c == ']') { lx->pos++; return DSJ_OK; }
    for (;;) {
        struct json_object *v = NULL;
        if (dsj_buf_printf(&r->ptr, "/%zu", idx) != 0) return nomem(r);
        if (c == ',') {
            uint64_t off = dsj_lex_offset(lx);
            if (!(r->opts.flags & DSJ_READ_LENIENT))
                return dsj_lex_fail(lx, DSJ_E_SYNTAX, off, "missing value before ',' (elided array elements are accepted only in lenient mode)");
            if ((st = pos_here(r)) != DSJ_OK) return st;
            if ((st = dsj_lex_finding(lx, "DSJ-JSON-ELISION", DSJ_SEV_WARNING, off, "elided array element read as null")) != DSJ_OK)
                return st;
        } else if ((st = meta_value(r, depth, &v)) != DSJ_OK) {
            json_object_put(v); /* partial container */
            return st;
        }
        if (json_object_array_add(arr, v) != 0) { json_object_put(v); return nomem(r); }
        ptr_truncate(&r->ptr, plen);
        idx++;
        c = dsj_lex_ws(lx);
        if (c == ',') {
            lx->pos++;
            c = dsj_lex_ws(lx);
            if (c == ']') {
                uint64_t off = dsj_lex_offset(lx);
                if (!(r->opts.flags & DSJ_READ_LENIENT))
                    return dsj_lex_fail(lx, DSJ_E_SYNTAX, off, "expected a value after ',' (trailing comma)");
                if ((st = dsj_lex_finding(lx, "DSJ-JSON-ELISION", DSJ_SEV_WARNING, off, "trailing comma in an array")) != DSJ_OK)
                    return st;
                lx->pos++;
                return DSJ_OK;
            }
            continue;
        }
        if (c == ']') { lx->pos++; return DSJ_OK; }
        return reader_unexpected(r, c, "',' or ']' in an array");
    }
}

/* Which member of a path object holds the rows / leads towards them. */
static int is_rows_key(int level, const char *key)
{
    return (level == 0 && strcmp(key, "rows") == 0) || (level == 3 && strcmp(key, "itemData") == 0);
}

static int is_path_key(int level, const char *key)
{
    if (level == 0) return strcmp(key, "clinicalData") == 0 || strcmp(key, "referenceData") == 0;
    if (level == 1) return strcmp(key, "itemGroupData") == 0;
    return level == 2;
}

/* 1 when the metadata needed before the rows has been read (see the top of this file). */
static int meta_ready(const dsj_reader_t *r, int level)
{
    static const char *const req11[] = {"columns", "records", "name", "label", "itemGroupOID", "datasetJSONVersion",
                                        "datasetJSONCreationDateTime", NULL};
    static const char *const req10[] = {"items", "records", "name", "label", NULL};
    static const char *const req10_root[] = {"datasetJSONVersion", "creationDateTime", NULL};
    const char *const *k;
    for (k = level == 0 ? req11 : req10; *k; k++)
        if (!json_object_object_get_ex(r->frames[level].obj, *k, NULL)) return 0;
    if (level == 3)
        for (k = req10_root; *k; k++)
            if (!json_object_object_get_ex(r->root, *k, NULL)) return 0;
    return 1;
}

/* The rows member's value is next.  Returns DSJ_ROW to stream it now, DSJ_OK when it
   was skipped (deferred or a second rows member), or an error. */
static dsj_status_t rows_member(dsj_reader_t *r, int level, size_t depth, const char *key)
{
    dsj_lexer_t *lx = &r->lx;
    dsj_status_t st;
    uint64_t off;
    int c = dsj_lex_ws(lx);
    if (c < 0) return reader_unexpected(r, c, "a value");
    off = dsj_lex_offset(lx);
    if (r->rows_seen) {
        if (level == 0 &&
            (st = dsj_lex_finding(lx, "DSJ-JSON-DUPKEY", DSJ_SEV_ERROR, off,
                                  "duplicate key \"%s\" (the first value is kept)", key)) != DSJ_OK)
            return st;
        lx->quiet++;
        st = dsj_lex_skip_value(lx, depth);
        lx->quiet--;
        return st;
    }
    r->rows_seen = 1;
    r->rows_level = level;
    r->row_depth = (size_t)level + 3;
    if ((st = pos_here(r)) != DSJ_OK) return st;
    dsj_buf_reset(&r->rows_ptr);
    if (dsj_buf_append(&r->rows_ptr, ptr_text(&r->ptr), r->ptr.len) != 0) return nomem(r);
    if (level == 3) {
        r->rows_data_key = dsj_strdup(r->frame_key[1]);
        r->rows_ig_key = dsj_strdup(r->frame_key[3]);
        if (!r->rows_data_key || !r->rows_ig_key) return nomem(r);
    }
    if (meta_ready(r, level)) return DSJ_ROW;
    /* Rows before columns: skip now, come back later (see the top of this file). */
    r->deferred = 1;
    r->def_off = off;
    r->def_line = lx->line;
    r->def_line_start = lx->line_start;
    if (dsj_source_seekable(lx->src)) {
        lx->quiet++;
        st = dsj_lex_skip_value(lx, depth);
        lx->quiet--;
        return st;
    }
    r->spool = tmpfile();
    if (!r->spool)
        return dsj_lex_fail(lx, DSJ_E_IO, off, "cannot create a temporary file to hold the rows that come before the columns: %s",
                            strerror(errno));
    r->def_spooled = 1;
    dsj_lex_capture_start(lx, NULL, r->spool);
    lx->quiet++;
    st = dsj_lex_skip_value(lx, depth);
    lx->quiet--;
    if (dsj_lex_capture_stop(lx) != 0 && st == DSJ_OK) st = lx->error.code;
    return st;
}

/*
 * Members of an object whose '{' has been consumed.  level >= 0 for the path
 * objects (their frames are kept for resuming), -1 otherwise.  With resume
 * set, the object is continued after a member value (after the rows).
 * Returns DSJ_OK at the closing '}', DSJ_ROW when the rows are next, or an error.
 */
static dsj_status_t meta_members(dsj_reader_t *r, struct json_object *obj, size_t depth, int level, int resume)
{
    dsj_lexer_t *lx = &r->lx;
    size_t plen = r->ptr.len;
    dsj_status_t st;
    int c = dsj_lex_ws(lx);
    if (resume) goto after_value;
    if (c == '}') { lx->pos++; return DSJ_OK; }
    for (;;) {
        char *key;
        uint64_t koff;
        if (c != '"') return reader_unexpected(r, c, "a string key");
        koff = dsj_lex_offset(lx);
        dsj_buf_reset(&r->key);
        if ((st = dsj_lex_string(lx, &r->key)) != DSJ_OK) return st;
        if (dsj_buf_putc(&r->key, '\0') != 0) return nomem(r);
        key = dsj_strdup(r->key.data);
        if (!key) return nomem(r);
        c = dsj_lex_ws(lx);
        if (c != ':') { dsj_free(key); return reader_unexpected(r, c, "':' after an object key"); }
        lx->pos++;
        if (dsj_buf_pointer_token(&r->ptr, key) != 0) { dsj_free(key); return nomem(r); }
        if (level >= 0 && is_rows_key(level, key)) {
            st = rows_member(r, level, depth, key);
            dsj_free(key);
            if (st != DSJ_OK) return st; /* DSJ_ROW included: the rows are next */
        } else if (json_object_object_get_ex(obj, key, NULL)) {
            st = dsj_lex_finding(lx, "DSJ-JSON-DUPKEY", DSJ_SEV_ERROR, koff,
                                 "duplicate key \"%s\" (the first value is kept)", key);
            dsj_free(key);
            if (st != DSJ_OK) return st;
            if ((st = dsj_lex_skip_value(lx, depth)) != DSJ_OK) return st;
        } else if (level >= 0 && level < 3 && is_path_key(level, key) && dsj_lex_ws(lx) == '{') {
            struct json_object *child;
            if (depth + 1 > r->lx.max_depth) {
                dsj_free(key);
                return dsj_lex_fail(lx, DSJ_E_LIMIT, dsj_lex_offset(lx), "nesting deeper than the limit of %zu", r->lx.max_depth);
            }
            if ((st = pos_here(r)) != DSJ_OK) { dsj_free(key); return st; }
            child = json_object_new_object();
            if (!child || json_object_object_add(obj, key, child) != 0) {
                json_object_put(child);
                dsj_free(key);
                return nomem(r);
            }
            dsj_free(r->frame_key[level + 1]);
            r->frame_key[level + 1] = key;
            r->frames[level + 1].obj = child;
            r->frames[level + 1].ptrlen = r->ptr.len;
            lx->pos++;
            st = meta_members(r, child, depth + 1, level + 1, 0);
            if (st != DSJ_OK) return st;
        } else {
            struct json_object *v = NULL;
            st = meta_value(r, depth, &v);
            if (st != DSJ_OK) { json_object_put(v); dsj_free(key); return st; }
            if (json_object_object_add(obj, key, v) != 0) { json_object_put(v); dsj_free(key); return nomem(r); }
            dsj_free(key);
        }
        ptr_truncate(&r->ptr, plen);
    after_value:
        c = dsj_lex_ws(lx);
        if (c == ',') {
            lx->pos++;
            c = dsj_lex_ws(lx);
            continue;
        }
        if (c == '}') { lx->pos++; return DSJ_OK; }
        return reader_unexpected(r, c, "',' or '}' after an object member");
    }
}

/* One value at the current position (depth = nesting of its container). *out may be
   NULL for JSON null. */
static dsj_status_t meta_value(dsj_reader_t *r, size_t depth, struct json_object **out)
{
    dsj_lexer_t *lx = &r->lx;
    dsj_status_t st;
    int c = dsj_lex_ws(lx), which, is_int;
    *out = NULL;
    if (c < 0) return reader_unexpected(r, c, "a value");
    if ((st = pos_here(r)) != DSJ_OK) return st;
    switch (c) {
    case '{':
    case '[':
        if (depth + 1 > lx->max_depth)
            return dsj_lex_fail(lx, DSJ_E_LIMIT, dsj_lex_offset(lx), "nesting deeper than the limit of %zu", lx->max_depth);
        *out = c == '{' ? json_object_new_object() : json_object_new_array();
        if (!*out) return nomem(r);
        if (c == '[') return meta_array(r, depth + 1, *out);
        lx->pos++;
        return meta_members(r, *out, depth + 1, -1, 0);
    case '"':
        dsj_buf_reset(&r->key);
        if ((st = dsj_lex_string(lx, &r->key)) != DSJ_OK) return st;
        if (r->key.len > INT32_MAX) return dsj_lex_fail(lx, DSJ_E_LIMIT, dsj_lex_offset(lx), "metadata string too long");
        *out = json_object_new_string_len(r->key.data ? r->key.data : "", (int)r->key.len);
        return *out ? DSJ_OK : nomem(r);
    case 't': case 'f': case 'n':
        if ((st = dsj_lex_literal(lx, &which)) != DSJ_OK) return st;
        if (which == 'n') return DSJ_OK;
        *out = json_object_new_boolean(which == 't');
        return *out ? DSJ_OK : nomem(r);
    default:
        if (c == '-' || (c >= '0' && c <= '9')) {
            dsj_buf_reset(&r->key);
            if ((st = dsj_lex_number(lx, &r->key, &is_int)) != DSJ_OK) return st;
            if (dsj_buf_putc(&r->key, '\0') != 0) return nomem(r);
            *out = number_object(r->key.data, is_int);
            return *out ? DSJ_OK : nomem(r);
        }
        return reader_unexpected(r, c, "a value");
    }
}

/* ---------------------------------------------------------------- rows */

static dsj_status_t grow_cells(dsj_reader_t *r)
{
    size_t ncap = r->cellcap ? r->cellcap * 2 : 64;
    dsj_cell_t *nc = dsj_realloc(r->cells, ncap * sizeof *nc);
    size_t *no;
    if (!nc) return nomem(r);
    r->cells = nc;
    no = dsj_realloc(r->cell_text, ncap * sizeof *no);
    if (!no) return nomem(r);
    r->cell_text = no;
    r->cellcap = ncap;
    return DSJ_OK;
}

#define TEXT_NONE ((size_t)-1)
#define TEXT_TRUE ((size_t)-2)
#define TEXT_FALSE ((size_t)-3)

static dsj_status_t row_error(dsj_reader_t *r, int c, const char *what)
{
    dsj_lexer_t *lx = &r->lx;
    if (c == DSJ_LEX_EOF)
        return dsj_lex_fail(lx, DSJ_E_SYNTAX, dsj_lex_offset(lx), "unexpected end of input inside rows (row %" PRIu64 ")", r->nrows);
    if (c == '\n' && r->format_ndjson)
        return dsj_lex_fail(lx, DSJ_E_SYNTAX, dsj_lex_offset(lx),
                            "row %" PRIu64 " is not complete at the end of its line (NDJSON rows must be on one line)", r->nrows);
    if (c == DSJ_LEX_ERR) return lx->error.code ? lx->error.code : DSJ_E_IO;
    if (c > 0x20 && c < 0x7f)
        return dsj_lex_fail(lx, DSJ_E_SYNTAX, dsj_lex_offset(lx), "unexpected character '%c', expected %s in row %" PRIu64, c, what, r->nrows);
    return dsj_lex_fail(lx, DSJ_E_SYNTAX, dsj_lex_offset(lx), "unexpected byte 0x%02x, expected %s in row %" PRIu64,
                        (unsigned)c, what, r->nrows);
}

/* Parse one row whose '[' is the next byte. */
static dsj_status_t parse_row(dsj_reader_t *r)
{
    dsj_lexer_t *lx = &r->lx;
    dsj_buf_t *arena = &r->arena;
    const unsigned char *stop = r->str_stop;
    dsj_status_t st;
    size_t n = 0, i;
    uint64_t off = dsj_lex_offset(lx);
    int c;

    r->nrows++;
    lx->row = r->nrows;
    r->cur_cell = (size_t)-1;
    r->row.index = r->nrows;
    r->row.line = lx->line;
    r->row.column = dsj_lex_column_of(lx, off);
    r->row.offset = off;
    arena->len = 0;
    lx->pos++; /* '[' */
    c = dsj_lex_ws(lx);
    if (c == ']') {
        lx->pos++;
        goto done;
    }
    for (;;) {
        dsj_cell_t *cell;
        int which, is_int;
        size_t start;
        r->cur_cell = n;
        if (DSJ_UNLIKELY(n == r->cellcap)) {
            if (n >= r->opts.max_columns)
                return dsj_lex_fail(lx, DSJ_E_LIMIT, dsj_lex_offset(lx), "row %" PRIu64 " has more than the limit of %zu values",
                                    r->nrows, r->opts.max_columns);
            if ((st = grow_cells(r)) != DSJ_OK) return st;
        }
        if (DSJ_UNLIKELY(n >= r->opts.max_columns))
            return dsj_lex_fail(lx, DSJ_E_LIMIT, dsj_lex_offset(lx), "row %" PRIu64 " has more than the limit of %zu values",
                                r->nrows, r->opts.max_columns);
        cell = &r->cells[n];
        cell->offset = off = dsj_lex_offset(lx);
        cell->line = lx->line;
        cell->column = dsj_lex_column_of(lx, off);
        start = arena->len;
        switch (c) {
        case '"':
            if ((st = dsj_lex_string_fast(lx, arena, stop)) != DSJ_OK) return st;
            cell->kind = DSJ_CELL_STRING;
            cell->len = arena->len - start;
            r->cell_text[n] = start;
            if (dsj_lex_arena_put(arena, "", 1) != 0) return nomem(r);
            break;
        case 'n':
        case 't':
        case 'f':
            if ((st = dsj_lex_literal(lx, &which)) != DSJ_OK) return st;
            if (which == 'n') {
                cell->kind = DSJ_CELL_NULL;
                cell->len = 0;
                r->cell_text[n] = TEXT_NONE;
            } else {
                cell->kind = DSJ_CELL_BOOLEAN;
                cell->len = which == 't' ? 4 : 5;
                r->cell_text[n] = which == 't' ? TEXT_TRUE : TEXT_FALSE;
            }
            break;
        case '[':
        case '{':
            dsj_lex_capture_start(lx, arena, NULL);
            st = dsj_lex_skip_value(lx, r->row_depth);
            if (dsj_lex_capture_stop(lx) != 0 && st == DSJ_OK) st = lx->error.code;
            if (st != DSJ_OK) return st;
            cell->kind = DSJ_CELL_INVALID;
            cell->len = arena->len - start;
            r->cell_text[n] = start;
            if (dsj_lex_arena_put(arena, "", 1) != 0) return nomem(r);
            break;
        case ',':
            if (!(r->opts.flags & DSJ_READ_LENIENT))
                return dsj_lex_fail(lx, DSJ_E_SYNTAX, off, "missing value before ',' in row %" PRIu64
                                    " (elided array elements are accepted only in lenient mode)", r->nrows);
            if ((st = dsj_lex_finding(lx, "DSJ-JSON-ELISION", DSJ_SEV_WARNING, off, "elided array element read as null")) != DSJ_OK)
                return st;
            cell->kind = DSJ_CELL_NULL;
            cell->len = 0;
            r->cell_text[n] = TEXT_NONE;
            break;
        default:
            if (c == '-' || (c >= '0' && c <= '9')) {
                if ((st = dsj_lex_number_fast(lx, arena, &is_int)) != DSJ_OK) return st;
                cell->kind = is_int ? DSJ_CELL_INTEGER : DSJ_CELL_NUMBER;
                cell->len = arena->len - start;
                r->cell_text[n] = start;
                if (dsj_lex_arena_put(arena, "", 1) != 0) return nomem(r);
                break;
            }
            return row_error(r, c, "a value");
        }
        n++;
        if (DSJ_UNLIKELY(arena->len > r->opts.max_row_bytes))
            return dsj_lex_fail(lx, DSJ_E_LIMIT, off, "row %" PRIu64 " is larger than the limit of %zu bytes",
                                r->nrows, r->opts.max_row_bytes);
        if (DSJ_UNLIKELY(r->format_ndjson) && dsj_lex_offset(lx) - lx->line_start > r->opts.max_line)
            return dsj_lex_fail(lx, DSJ_E_LIMIT, dsj_lex_offset(lx), "NDJSON line longer than the limit of %zu bytes",
                                r->opts.max_line);
        c = dsj_lex_ws(lx);
        if (c == ',') {
            lx->pos++;
            c = dsj_lex_ws(lx);
            if (c == ']') {
                off = dsj_lex_offset(lx);
                if (!(r->opts.flags & DSJ_READ_LENIENT))
                    return dsj_lex_fail(lx, DSJ_E_SYNTAX, off, "expected a value after ',' in row %" PRIu64 " (trailing comma)", r->nrows);
                r->cur_cell = (size_t)-1;
                if ((st = dsj_lex_finding(lx, "DSJ-JSON-ELISION", DSJ_SEV_WARNING, off, "trailing comma in a row")) != DSJ_OK)
                    return st;
                lx->pos++;
                break;
            }
            continue;
        }
        if (c == ']') {
            lx->pos++;
            break;
        }
        r->cur_cell = (size_t)-1;
        return row_error(r, c, "',' or ']' after a value");
    }
done:
    for (i = 0; i < n; i++) {
        size_t t = r->cell_text[i];
        if (t == TEXT_NONE) r->cells[i].text = NULL;
        else if (t == TEXT_TRUE) r->cells[i].text = "true";
        else if (t == TEXT_FALSE) r->cells[i].text = "false";
        else r->cells[i].text = arena->data + t;
    }
    r->cur_cell = (size_t)-1;
    r->row.ncells = n;
    r->row.cells = r->cells;
    return DSJ_OK;
}

/* The rows array of a JSON document is closed: finish the document. */
static dsj_status_t rows_finished(dsj_reader_t *r)
{
    dsj_lexer_t *lx = &r->lx;
    dsj_status_t st;
    int level, c;
    r->in_rows = 0;
    lx->row = 0;
    if (r->deferred) return DSJ_DONE; /* the rest of the document was read before */
    for (level = r->rows_level; level >= 0; level--) {
        ptr_truncate(&r->ptr, r->frames[level].ptrlen);
        st = meta_members(r, r->frames[level].obj, (size_t)level + 1, level, 1);
        if (st != DSJ_OK) return st;
    }
    ptr_truncate(&r->ptr, 0);
    c = dsj_lex_ws(lx);
    if (c != DSJ_LEX_EOF) return reader_unexpected(r, c, "the end of input after the root object");
    if ((st = dsj_reader_meta_update(r)) != DSJ_OK) return st;
    return DSJ_DONE;
}

static dsj_status_t next_json(dsj_reader_t *r)
{
    dsj_lexer_t *lx = &r->lx;
    dsj_status_t st;
    int c = dsj_lex_ws(lx);
    if (r->state == DSJ_RST_ROWS_START) {
        if (c != '[') {
            if (c < 0) return reader_unexpected(r, c, "the rows array");
            return dsj_lex_fail(lx, DSJ_E_FORMAT, dsj_lex_offset(lx), "the %s member is not an array of rows",
                                r->rows_level == 0 ? "rows" : "itemData");
        }
        r->in_rows = 1;
        r->state = DSJ_RST_ROWS;
        lx->pos++;
        c = dsj_lex_ws(lx);
        if (c == ']') { lx->pos++; return rows_finished(r); }
    } else {
        if (c == ']') { lx->pos++; return rows_finished(r); }
        if (c != ',') {
            r->cur_cell = (size_t)-1;
            if (c == DSJ_LEX_EOF)
                return dsj_lex_fail(lx, DSJ_E_SYNTAX, dsj_lex_offset(lx), "unexpected end of input inside rows (after row %" PRIu64 ")", r->nrows);
            return row_error(r, c, "',' or ']' after a row");
        }
        lx->pos++;
        c = dsj_lex_ws(lx);
    }
    if (c != '[') {
        r->nrows++;
        r->cur_cell = (size_t)-1;
        if (c == DSJ_LEX_EOF || c == DSJ_LEX_ERR) return row_error(r, c, "a row");
        if (c == ']' && (r->opts.flags & DSJ_READ_LENIENT) && r->state == DSJ_RST_ROWS && r->nrows > 1) {
            r->nrows--;
            r->in_rows = 0; /* the finding is about the rows array */
            st = dsj_lex_finding(lx, "DSJ-JSON-ELISION", DSJ_SEV_WARNING, dsj_lex_offset(lx), "trailing comma in the rows array");
            if (st != DSJ_OK) return st;
            lx->pos++;
            return rows_finished(r);
        }
        if (c == ']' || c == ',')
            return dsj_lex_fail(lx, DSJ_E_SYNTAX, dsj_lex_offset(lx), "expected a row after ',' (row %" PRIu64 ")", r->nrows);
        return dsj_lex_fail(lx, DSJ_E_FORMAT, dsj_lex_offset(lx), "row %" PRIu64 " is not an array", r->nrows);
    }
    if ((st = parse_row(r)) != DSJ_OK) return st;
    return DSJ_ROW;
}

static dsj_status_t next_ndjson(dsj_reader_t *r)
{
    dsj_lexer_t *lx = &r->lx;
    dsj_status_t st;
    uint64_t line_start;
    int c;
    lx->ndjson_row = 1;
    c = dsj_lex_ws(lx);
    if (c == '\n') {
        uint64_t line = lx->line, ls = lx->line_start, off = dsj_lex_offset(lx);
        lx->ndjson_row = 0;
        c = dsj_lex_ws(lx);
        if (c == DSJ_LEX_EOF) return DSJ_DONE;
        if (c == DSJ_LEX_ERR) return lx->error.code;
        lx->line = line; /* report at the empty line */
        lx->line_start = ls;
        return dsj_lex_fail(lx, DSJ_E_SYNTAX, off, "empty line %" PRIu64 " before row %" PRIu64 " in NDJSON data", line, r->nrows + 1);
    }
    if (c == DSJ_LEX_EOF) return DSJ_DONE;
    if (c != '[') {
        r->nrows++;
        r->in_rows = 1;
        r->cur_cell = (size_t)-1;
        if (c == DSJ_LEX_ERR) return lx->error.code;
        return dsj_lex_fail(lx, DSJ_E_SYNTAX, dsj_lex_offset(lx), "expected '[' to start row %" PRIu64 " (NDJSON line %" PRIu64 ")",
                            r->nrows, lx->line);
    }
    r->in_rows = 1;
    line_start = lx->line_start;
    if ((st = parse_row(r)) != DSJ_OK) return st;
    c = dsj_lex_ws(lx);
    if (dsj_lex_offset(lx) - line_start > r->opts.max_line)
        return dsj_lex_fail(lx, DSJ_E_LIMIT, dsj_lex_offset(lx), "NDJSON line longer than the limit of %zu bytes", r->opts.max_line);
    if (c == '\n') {
        lx->pos++;
        lx->line++;
        lx->line_start = dsj_lex_offset(lx);
    } else if (c == DSJ_LEX_ERR) {
        return lx->error.code;
    } else if (c != DSJ_LEX_EOF) {
        return dsj_lex_fail(lx, DSJ_E_SYNTAX, dsj_lex_offset(lx), "unexpected content after row %" PRIu64 " on the same line",
                            r->nrows);
    }
    lx->ndjson_row = 0;
    return DSJ_ROW;
}

dsj_status_t dsj_reader_next(dsj_reader_t *r, const dsj_row_t **row, dsj_error_t *err)
{
    dsj_status_t st;
    if (row) *row = NULL;
    if (!r) return dsj_error_set(err, DSJ_E_ARG, NULL, 0, 0, 0, "dsj_reader_next: NULL reader");
    if (r->state == DSJ_RST_DONE) return DSJ_DONE;
    if (r->state == DSJ_RST_ERROR) {
        if (err) *err = r->final_err;
        return r->final_err.code;
    }
    if (r->backend) {
        dsj_error_t e;
        dsj_error_clear(&e);
        st = r->backend->next(r->bctx, row, &e);
        if (st == DSJ_ROW) return st;
        if (st == DSJ_DONE) {
            r->state = DSJ_RST_DONE;
            return st;
        }
        r->state = DSJ_RST_ERROR;
        r->final_err = e;
        if (!r->final_err.code) r->final_err.code = st;
        if (err) *err = r->final_err;
        return st;
    }
    st = r->format_ndjson ? next_ndjson(r) : next_json(r);
    if (st == DSJ_ROW) {
        if (row) *row = &r->row;
        return DSJ_ROW;
    }
    if (st == DSJ_DONE) {
        r->state = DSJ_RST_DONE;
        r->in_rows = 0;
        return DSJ_DONE;
    }
    r->state = DSJ_RST_ERROR;
    r->final_err = r->lx.error;
    if (!r->final_err.code) r->final_err.code = st;
    if (err) *err = r->final_err;
    return st;
}

/* ---------------------------------------------------------------- open */

void dsj_reader_options_init(dsj_reader_options_t *o)
{
    if (o) memset(o, 0, sizeof *o);
}

static void apply_defaults(dsj_reader_options_t *o)
{
    if (!o->max_depth) o->max_depth = 64;
    if (o->max_depth > 2000) o->max_depth = 2000; /* parsing recurses: keep the C stack safe */
    if (!o->max_string) o->max_string = (size_t)64 << 20;
    if (!o->max_columns) o->max_columns = 100000;
    if (!o->max_line) o->max_line = (size_t)256 << 20;
    if (!o->max_number) o->max_number = 4096;
    if (!o->max_row_bytes) o->max_row_bytes = (size_t)256 << 20;
}

/* After the root object of a document without a rows member: metadata-only JSON,
   or NDJSON when a row array follows on the next line. */
static dsj_status_t after_root(dsj_reader_t *r)
{
    dsj_lexer_t *lx = &r->lx;
    uint64_t end_line = lx->line, end_off = dsj_lex_offset(lx);
    int c = dsj_lex_ws(lx);
    if (r->deferred) {
        if (c != DSJ_LEX_EOF) return reader_unexpected(r, c, "the end of input after the root object");
        return DSJ_OK;
    }
    if (c == DSJ_LEX_EOF) {
        r->format = r->hint == DSJ_FORMAT_NDJSON ? DSJ_FORMAT_NDJSON : DSJ_FORMAT_JSON;
        r->format_ndjson = r->format == DSJ_FORMAT_NDJSON;
        r->state = DSJ_RST_DONE;
        return DSJ_OK;
    }
    if (c == '[' && r->hint != DSJ_FORMAT_JSON) {
        if (end_off - r->bom_len > r->opts.max_line)
            return dsj_lex_fail(lx, DSJ_E_LIMIT, dsj_lex_offset(lx), "NDJSON metadata line longer than the limit of %zu bytes",
                                r->opts.max_line);
        if (lx->line == end_line)
            return dsj_lex_fail(lx, DSJ_E_SYNTAX, dsj_lex_offset(lx), "NDJSON: row 1 must start on a new line after the metadata object");
        if (lx->line > end_line + 1) {
            r->nrows = 0;
            return dsj_lex_fail(lx, DSJ_E_SYNTAX, dsj_lex_offset(lx), "NDJSON: empty line(s) between the metadata object and row 1");
        }
        r->format = DSJ_FORMAT_NDJSON;
        r->format_ndjson = 1;
        r->rows_seen = 1;   /* data lines follow */
        r->row_depth = 1;   /* each row is the root value of its line */
        dsj_buf_reset(&r->rows_ptr);
        if (dsj_buf_puts(&r->rows_ptr, "/rows") != 0) return nomem(r); /* pointers as in the JSON form */
        r->state = DSJ_RST_NDJSON;
        return DSJ_OK;
    }
    if (c == '[')
        return dsj_lex_fail(lx, DSJ_E_SYNTAX, dsj_lex_offset(lx),
                            "unexpected content after the root object (this looks like NDJSON but was read as JSON)");
    return reader_unexpected(r, c, "the end of input after the root object");
}

/* Rows deferred (rows before columns): position the lexer on the rows again. */
static dsj_status_t start_deferred(dsj_reader_t *r)
{
    dsj_lexer_t *lx = &r->lx;
    dsj_error_t e;
    dsj_error_clear(&e);
    if (r->def_spooled) {
        if (fflush(r->spool) != 0 || fseek(r->spool, 0, SEEK_SET) != 0)
            return dsj_lex_fail(lx, DSJ_E_IO, r->def_off, "cannot read back the temporary rows spool: %s", strerror(errno));
        r->spool_src = dsj_source_new_file(r->spool, 1, lx->name, &e);
        if (!r->spool_src) {
            lx->error = e;
            return e.code ? e.code : DSJ_E_IO;
        }
        r->spool = NULL; /* the source closes it */
        dsj_lex_restart(lx, r->spool_src, r->def_off, r->def_line, r->def_line_start);
    } else {
        if (dsj_source_seek(r->src, r->def_off, &e) != DSJ_OK) {
            lx->error = e;
            return e.code ? e.code : DSJ_E_IO;
        }
        dsj_lex_restart(lx, r->src, r->def_off, r->def_line, r->def_line_start);
    }
    r->state = DSJ_RST_ROWS_START;
    return DSJ_OK;
}

static dsj_status_t reader_start(dsj_reader_t *r)
{
    dsj_lexer_t *lx = &r->lx;
    dsj_status_t st;
    int c;
    /* UTF-8 byte order mark: skipped, reported. */
    if (dsj_lex_fill(lx, 3) != 0) return lx->error.code;
    if (lx->end - lx->pos >= 3 && lx->buf[0] == 0xEF && lx->buf[1] == 0xBB && lx->buf[2] == 0xBF) {
        r->had_bom = 1;
        if ((st = dsj_lex_finding(lx, "DSJ-ENC-BOM", DSJ_SEV_WARNING, 0,
                                  "the input starts with a UTF-8 byte order mark (JSON text must not)")) != DSJ_OK)
            return st;
        lx->pos = 3;
        lx->line_start = 3;
        r->bom_len = 3;
    }
    if (lx->end - lx->pos >= 2 &&
        ((lx->buf[lx->pos] == 0xFF && lx->buf[lx->pos + 1] == 0xFE) ||
         (lx->buf[lx->pos] == 0xFE && lx->buf[lx->pos + 1] == 0xFF) ||
         (lx->buf[lx->pos] != 0 && lx->buf[lx->pos + 1] == 0) || (lx->buf[lx->pos] == 0 && lx->buf[lx->pos + 1] != 0)))
        return dsj_lex_fail(lx, DSJ_E_ENCODING, dsj_lex_offset(lx),
                            "the input looks like UTF-16 or UTF-32 (byte order mark or zero bytes); Dataset-JSON must be UTF-8");
    c = dsj_lex_ws(lx);
    if (c == DSJ_LEX_EOF) return dsj_lex_fail(lx, DSJ_E_SYNTAX, dsj_lex_offset(lx), "empty input: no JSON object");
    if (c != '{') {
        if (c == DSJ_LEX_ERR) return lx->error.code;
        return dsj_lex_fail(lx, DSJ_E_SYNTAX, dsj_lex_offset(lx), "expected '{' at the start of a Dataset-JSON document");
    }
    r->root = json_object_new_object();
    if (!r->root) return nomem(r);
    if ((st = pos_here(r)) != DSJ_OK) return st;
    r->frames[0].obj = r->root;
    r->frames[0].ptrlen = 0;
    lx->pos++;
    st = meta_members(r, r->root, 1, 0, 0);
    if (st == DSJ_ROW) {
        /* rows now, the rest of the document after them */
        r->format = DSJ_FORMAT_JSON;
        r->state = DSJ_RST_ROWS_START;
        return dsj_reader_meta_build(r); /* r->ptr stays the rows pointer for resuming */
    }
    if (st != DSJ_OK) return st;
    ptr_truncate(&r->ptr, 0);
    if ((st = after_root(r)) != DSJ_OK) return st;
    if (r->deferred) {
        r->format = DSJ_FORMAT_JSON;
        if ((st = dsj_reader_meta_build(r)) != DSJ_OK) return st;
        return start_deferred(r);
    }
    return dsj_reader_meta_build(r);
}

/* The format of a source whose caller gave none: Dataset-XML ('<' after an optional BOM and
   white space), XPORT (its banner), SAS7BDAT (its magic), else AUTO (Dataset-JSON sniffing). */
static dsj_format_t sniff_other(dsj_source_t *src)
{
    unsigned char b[16];
    long n = dsj_source_peek(src, b, sizeof b, NULL);
    long i = 0;
    if (n <= 0) return DSJ_FORMAT_AUTO;
    if (n == 16 && memcmp(b, "HEADER RECORD***", 16) == 0) return DSJ_FORMAT_XPT;
    if (n == 16 && b[12] == 0xc2 && b[13] == 0xea && b[14] == 0x81 && b[15] == 0x60) return DSJ_FORMAT_SAS7BDAT;
    if (n >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF) i = 3;
    while (i < n && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n')) i++;
    if (i < n && b[i] == '<') return DSJ_FORMAT_DATASETXML;
    return DSJ_FORMAT_AUTO;
}

/* Open a reader of another format: the backend fills the metadata and takes src. */
static dsj_reader_t *reader_new_backend(dsj_reader_t *r, dsj_source_t *src, dsj_format_t f, dsj_error_t *err)
{
    dsj_reader_opened_t o;
    dsj_status_t st;
    memset(&o, 0, sizeof o);
    if (f == DSJ_FORMAT_DATASETXML) st = dsj_datasetxml_reader_open(src, &r->opts, &o, err);
    else st = dsj_xpt_reader_open(src, f, &r->opts, &o, err);
    if (st != DSJ_OK) {
        if (o.backend && o.ctx) o.backend->free(o.ctx);
        dsj_meta_free(o.meta);
        dsj_free(r);
        return NULL;
    }
    r->backend = o.backend;
    r->bctx = o.ctx;
    r->meta = o.meta;
    r->had_bom = o.had_bom;
    r->format = f;
    r->state = 0;
    return r;
}

dsj_reader_t *dsj_reader_new(dsj_source_t *src, const dsj_reader_options_t *opts, dsj_error_t *err)
{
    dsj_reader_t *r;
    dsj_status_t st;
    unsigned char magic[2];
    long n;
    const char *name;
    if (!src) {
        dsj_error_set(err, DSJ_E_ARG, NULL, 0, 0, 0, "dsj_reader_new: NULL source");
        return NULL;
    }
    r = dsj_calloc(1, sizeof *r);
    if (!r) {
        dsj_source_free(src);
        dsj_error_set(err, DSJ_E_NOMEM, NULL, 0, 0, 0, "out of memory");
        return NULL;
    }
    if (opts) r->opts = *opts;
    apply_defaults(&r->opts);
    if (r->opts.format == DSJ_FORMAT_AUTO) {
        dsj_format_t f = sniff_other(src);
        if (f != DSJ_FORMAT_AUTO) r->opts.format = f;
    }
    if (!dsj_format_is_dataset_json(r->opts.format) && r->opts.format != DSJ_FORMAT_AUTO)
        return reader_new_backend(r, src, r->opts.format, err);
    r->hint = r->opts.format == DSJ_FORMAT_DSJC ? DSJ_FORMAT_AUTO : r->opts.format;
    r->src = src;
    r->cur_cell = (size_t)-1;
    dsj_buf_init(&r->ptr);
    dsj_buf_init(&r->rows_ptr);
    dsj_buf_init(&r->key);
    dsj_buf_init(&r->arena);
    dsj_buf_init(&r->poskeys);
    name = dsj_source_name(src);
    if (dsj_lex_init(&r->lx, src, name, DSJ_LEX_BUFSIZE) != 0) {
        dsj_error_set(err, DSJ_E_NOMEM, name, 0, 0, 0, "out of memory");
        dsj_reader_free(r);
        return NULL;
    }
    r->lx_ready = 1;
    r->lx.flags = r->opts.flags;
    r->str_stop = dsj_lex_string_stops(r->opts.flags);
    r->lx.max_depth = r->opts.max_depth;
    r->lx.max_string = r->opts.max_string;
    r->lx.max_number = r->opts.max_number;
    r->lx.max_ws = r->opts.max_line;
    r->lx.on_finding = r->opts.on_finding;
    r->lx.finding_ctx = r->opts.finding_ctx;
    r->lx.pointer_fn = reader_pointer;
    r->lx.pointer_ctx = r;

    /* gzip (1f 8b) or zlib (78 01/5e/9c/da) magic: compressed NDJSON (DSJC). */
    n = dsj_source_peek(src, magic, 2, &r->lx.error);
    if (n < 0) {
        st = r->lx.error.code ? r->lx.error.code : DSJ_E_IO;
        goto fail;
    }
    if (n == 2 && ((magic[0] == 0x1f && magic[1] == 0x8b) ||
                   (magic[0] == 0x78 && (magic[1] == 0x01 || magic[1] == 0x5e || magic[1] == 0x9c || magic[1] == 0xda)))) {
        dsj_source_t *inf;
        r->src = NULL; /* taken by the inflate source, even on failure */
        inf = dsj_source_new_inflate(src, &r->lx.error);
        if (!inf) {
            st = r->lx.error.code ? r->lx.error.code : DSJ_E_COMPRESSION;
            goto fail;
        }
        r->src = inf;
        r->lx.src = inf;
        r->compressed = 1;
    }
    st = reader_start(r);
    if (st != DSJ_OK) goto fail;
    if (r->compressed) r->format = DSJ_FORMAT_DSJC;
    return r;
fail:
    if (err) {
        *err = r->lx.error;
        if (!err->code) err->code = st;
    }
    dsj_reader_free(r);
    return NULL;
}

dsj_reader_t *dsj_reader_open(const char *path, const dsj_reader_options_t *opts, dsj_error_t *err)
{
    dsj_reader_options_t o;
    dsj_source_t *src;
    if (!path) {
        dsj_error_set(err, DSJ_E_ARG, NULL, 0, 0, 0, "dsj_reader_open: NULL path");
        return NULL;
    }
    src = dsj_source_new_path(path, err);
    if (!src) return NULL;
    if (opts) o = *opts;
    else dsj_reader_options_init(&o);
    if (o.format == DSJ_FORMAT_AUTO) o.format = dsj_format_from_path(path);
    return dsj_reader_new(src, &o, err);
}

void dsj_reader_free(dsj_reader_t *r)
{
    size_t i;
    if (!r) return;
    if (r->backend && r->bctx) r->backend->free(r->bctx);
    if (r->lx_ready) dsj_lex_free(&r->lx);
    dsj_source_free(r->spool_src);
    if (r->spool) fclose(r->spool);
    dsj_source_free(r->src);
    dsj_meta_free(r->meta);
    if (r->root) json_object_put(r->root);
    for (i = 0; i < 4; i++) dsj_free(r->frame_key[i]);
    dsj_free(r->rows_data_key);
    dsj_free(r->rows_ig_key);
    dsj_buf_free(&r->ptr);
    dsj_buf_free(&r->rows_ptr);
    dsj_buf_free(&r->key);
    dsj_buf_free(&r->arena);
    dsj_buf_free(&r->poskeys);
    dsj_free(r->cells);
    dsj_free(r->cell_text);
    dsj_free(r->pos);
    dsj_free(r->hash);
    dsj_free(r);
}

const dsj_meta_t *dsj_reader_meta(const dsj_reader_t *r) { return r ? r->meta : NULL; }
dsj_format_t dsj_reader_format(const dsj_reader_t *r) { return r ? r->format : DSJ_FORMAT_AUTO; }
int dsj_reader_had_bom(const dsj_reader_t *r) { return r ? r->had_bom : 0; }
struct json_object *dsj_reader_meta_json(const dsj_reader_t *r) { return r ? r->root : NULL; }
uint64_t dsj_reader_bytes_read(const dsj_reader_t *r)
{
    if (r && r->backend) return r->backend->bytes_read ? r->backend->bytes_read(r->bctx) : 0;
    return r && r->lx_ready ? dsj_lex_offset(&r->lx) : 0;
}
