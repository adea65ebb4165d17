/*
 * Duplicate keys in a well-formed JSON text (see json_dupkey_internal.h).
 *
 * One pass over the text.  The keys of the objects that are open at a point
 * are kept, decoded, in one buffer; when an object closes its keys are sorted
 * and neighbours compared, then dropped.  Memory is bounded by the keys of the
 * open objects, time is O(n log n).
 */
#include "json_dupkey_internal.h"
#include "dsj_internal.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    size_t at, len;  /* decoded key: bytes [at, at+len) of the key buffer */
    size_t src;      /* offset of the key's opening quote in the text */
} key_t_;

typedef struct {
    key_t_ *keys;    /* [owned] */
    size_t n, cap;
    size_t *starts;  /* [owned] first key index of each open container; SIZE_MAX for an array */
    size_t depth, dcap;
    dsj_buf_t names; /* decoded key bytes */
} scan_t;

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return 0;
}

static unsigned hex4(const char *p) { return (unsigned)(hexval(p[0]) << 12 | hexval(p[1]) << 8 | hexval(p[2]) << 4 | hexval(p[3])); }

/* Decode the string starting at text[i] == '"' into b; returns the index after the closing quote. */
static size_t decode_string(const char *text, size_t len, size_t i, dsj_buf_t *b, int *nomem)
{
    char u[4];
    for (i++; i < len && text[i] != '"'; i++) {
        unsigned cp;
        size_t n = 0;
        if (text[i] != '\\') {
            if (dsj_buf_putc(b, text[i])) *nomem = 1;
            continue;
        }
        if (++i >= len) break;
        switch (text[i]) {
        case 'b': cp = '\b'; break;
        case 'f': cp = '\f'; break;
        case 'n': cp = '\n'; break;
        case 'r': cp = '\r'; break;
        case 't': cp = '\t'; break;
        case 'u':
            if (i + 4 >= len) return len;
            cp = hex4(text + i + 1);
            i += 4;
            if (cp >= 0xD800 && cp < 0xDC00 && i + 6 < len && text[i + 1] == '\\' && text[i + 2] == 'u') {
                unsigned lo = hex4(text + i + 3);
                if (lo >= 0xDC00 && lo < 0xE000) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    i += 6;
                }
            }
            break;
        default: cp = (unsigned char)text[i]; break; /* \" \\ \/ */
        }
        if (cp < 0x80) u[n++] = (char)cp;
        else if (cp < 0x800) { u[n++] = (char)(0xC0 | cp >> 6); u[n++] = (char)(0x80 | (cp & 0x3F)); }
        else if (cp < 0x10000) {
            u[n++] = (char)(0xE0 | cp >> 12); u[n++] = (char)(0x80 | (cp >> 6 & 0x3F)); u[n++] = (char)(0x80 | (cp & 0x3F));
        } else {
            u[n++] = (char)(0xF0 | cp >> 18); u[n++] = (char)(0x80 | (cp >> 12 & 0x3F));
            u[n++] = (char)(0x80 | (cp >> 6 & 0x3F)); u[n++] = (char)(0x80 | (cp & 0x3F));
        }
        if (dsj_buf_append(b, u, n)) *nomem = 1;
    }
    return i < len ? i + 1 : len;
}

static int key_cmp(const void *a, const void *b, void *ctx)
{
    const key_t_ *x = a, *y = b;
    const char *base = ctx;
    int c;
    if (x->len != y->len) return x->len < y->len ? -1 : 1;
    c = memcmp(base + x->at, base + y->at, x->len);
    if (c) return c;
    return x->src < y->src ? -1 : x->src > y->src;
}

/* Sort the keys of the object that closes; 1 with *dup = index of the later copy of a repeated key
   (the earliest such copy in the text). */
static int close_object(scan_t *s, size_t start, size_t *dup)
{
    size_t i;
    int found = 0;
    if (s->n - start < 2) return 0;
    qsort_r(s->keys + start, s->n - start, sizeof *s->keys, key_cmp, s->names.data);
    for (i = start + 1; i < s->n; i++) {
        const key_t_ *a = &s->keys[i - 1], *b = &s->keys[i];
        if (a->len == b->len && !memcmp(s->names.data + a->at, s->names.data + b->at, a->len) &&
            (!found || b->src < s->keys[*dup].src)) {
            *dup = i;
            found = 1;
        }
    }
    return found;
}

static int push(scan_t *s, size_t start)
{
    if (s->depth == s->dcap) {
        size_t cap = s->dcap ? s->dcap * 2 : 64;
        size_t *p = dsj_realloc(s->starts, cap * sizeof *p);
        if (!p) return -1;
        s->starts = p;
        s->dcap = cap;
    }
    s->starts[s->depth++] = start;
    return 0;
}

static int add_key(scan_t *s, size_t at, size_t klen, size_t src)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        key_t_ *p = dsj_realloc(s->keys, cap * sizeof *p);
        if (!p) return -1;
        s->keys = p;
        s->cap = cap;
    }
    s->keys[s->n].at = at;
    s->keys[s->n].len = klen;
    s->keys[s->n].src = src;
    s->n++;
    return 0;
}

int dsj_json_find_dupkey(const char *text, size_t len, dsj_dupkey_t *out)
{
    scan_t s;
    size_t i = 0, dup = 0;
    int rc = 0, nomem = 0;
    memset(&s, 0, sizeof s);
    dsj_buf_init(&s.names);
    while (i < len && !rc) {
        char c = text[i];
        if (c == '{' || c == '[') {
            if (push(&s, c == '{' ? s.n : SIZE_MAX)) { rc = -1; break; }
            i++;
        } else if (c == '}' || c == ']') {
            if (s.depth) {
                size_t start = s.starts[--s.depth];
                if (start != SIZE_MAX) {
                    if (close_object(&s, start, &dup)) { rc = 1; break; }
                    if (s.n > start) {
                        size_t j, lo = s.keys[start].at;
                        for (j = start; j < s.n; j++) if (s.keys[j].at < lo) lo = s.keys[j].at;
                        s.names.len = lo;
                    }
                    s.n = start;
                }
            }
            i++;
        } else if (c == '"') {
            size_t src = i, at = s.names.len, j;
            i = decode_string(text, len, i, &s.names, &nomem);
            if (nomem) { rc = -1; break; }
            for (j = i; j < len && (text[j] == ' ' || text[j] == '\t' || text[j] == '\n' || text[j] == '\r'); j++) {}
            if (j < len && text[j] == ':' && s.depth && s.starts[s.depth - 1] != SIZE_MAX) {
                if (add_key(&s, at, s.names.len - at, src)) { rc = -1; break; }
            } else {
                s.names.len = at; /* a value, not a key */
            }
        } else {
            i++;
        }
    }
    if (rc == 1 && out) {
        const key_t_ *k = &s.keys[dup];
        size_t n = k->len < sizeof out->key - 1 ? k->len : sizeof out->key - 1, j;
        memcpy(out->key, s.names.data + k->at, n);
        out->key[n] = '\0';
        out->offset = k->src;
        out->line = 1;
        out->column = 1;
        for (j = 0; j < k->src; j++) {
            if (text[j] == '\n') { out->line++; out->column = 1; }
            else out->column++;
        }
    }
    dsj_free(s.keys);
    dsj_free(s.starts);
    dsj_buf_free(&s.names);
    return rc;
}
