/*
 * Streaming JSON lexer (see lexer_internal.h).  Hand-written for speed: the
 * hot loops scan the read buffer with byte-class tables and copy whole runs
 * of plain string bytes at once.
 */
#include "lexer_internal.h"

#include <errno.h>

/* Byte classes inside a string: 1 = stop the fast scan ('"' 0x22, '\\' 0x5C, control
   characters, and with UTF-8 checking every byte >= 0x80).  Constant tables, so
   readers in several threads share them safely. */
#define X16(v) v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v
#define ASCII_STOPS                                      \
    X16(1), X16(1),                                      \
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,      \
    X16(0), X16(0),                                      \
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,      \
    X16(0), X16(0)
static const unsigned char str_stop_utf8[256] = {ASCII_STOPS, X16(1), X16(1), X16(1), X16(1),
                                                 X16(1), X16(1), X16(1), X16(1)};
static const unsigned char str_stop_raw[256] = {ASCII_STOPS, X16(0), X16(0), X16(0), X16(0),
                                                X16(0), X16(0), X16(0), X16(0)};
#undef ASCII_STOPS
#undef X16

const unsigned char *dsj_lex_string_stops(unsigned flags)
{
    return (flags & DSJ_READ_NO_UTF8_CHECK) ? str_stop_raw : str_stop_utf8;
}

int dsj_lex_init(dsj_lexer_t *lx, dsj_source_t *src, const char *name, size_t bufsize)
{
    memset(lx, 0, sizeof *lx);
    lx->src = src;
    lx->name = dsj_strdup(name ? name : "");
    lx->cap = bufsize ? bufsize : DSJ_LEX_BUFSIZE;
    if (lx->cap < 64) lx->cap = 64;
    lx->buf = dsj_malloc(lx->cap);
    lx->line = 1;
    lx->max_depth = 64;
    lx->max_string = (size_t)64 << 20;
    lx->max_number = 4096;
    lx->max_ws = (uint64_t)256 << 20;
    dsj_buf_init(&lx->scratch);
    dsj_buf_init(&lx->ptrtmp);
    if (!lx->buf || !lx->name) {
        dsj_lex_free(lx);
        return -1;
    }
    return 0;
}

void dsj_lex_free(dsj_lexer_t *lx)
{
    if (!lx) return;
    dsj_free(lx->buf);
    dsj_free(lx->name);
    dsj_buf_free(&lx->scratch);
    dsj_buf_free(&lx->ptrtmp);
    lx->buf = NULL;
    lx->name = NULL;
}

void dsj_lex_restart(dsj_lexer_t *lx, dsj_source_t *src, uint64_t base, uint64_t line, uint64_t line_start)
{
    lx->src = src;
    lx->pos = lx->end = 0;
    lx->eof = 0;
    lx->base = base;
    lx->line = line;
    lx->line_start = line_start;
    lx->cap_on = 0;
}

/* ---------------------------------------------------------------- errors */

static const char *lex_pointer(dsj_lexer_t *lx)
{
    dsj_buf_reset(&lx->ptrtmp);
    if (lx->pointer_fn) lx->pointer_fn(lx, &lx->ptrtmp, lx->pointer_ctx);
    return lx->ptrtmp.data ? lx->ptrtmp.data : "";
}

dsj_status_t dsj_lex_fail(dsj_lexer_t *lx, dsj_status_t code, uint64_t off, const char *fmt, ...)
{
    char text[512];
    va_list ap;
    uint64_t col = off >= lx->line_start ? off - lx->line_start + 1 : 0;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    dsj_error_clear(&lx->error);
    dsj_error_set(&lx->error, code, lx->name, col ? lx->line : 0, col, off, "%s", text);
    dsj_error_set_pointer(&lx->error, lex_pointer(lx));
    return code;
}

dsj_status_t dsj_lex_finding(dsj_lexer_t *lx, const char *rule, dsj_severity_t sev, uint64_t off,
                             const char *fmt, ...)
{
    char text[512];
    va_list ap;
    uint64_t col = off >= lx->line_start ? off - lx->line_start + 1 : 0;
    if (lx->quiet || !lx->on_finding) return DSJ_OK;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (dsj_emit(lx->on_finding, lx->finding_ctx, rule, sev, lx->name, col ? lx->line : 0, col, off,
                 lex_pointer(lx), lx->row, NULL, "%s", text) != 0)
        return dsj_lex_fail(lx, DSJ_E_ABORTED, off, "stopped by the finding callback");
    return DSJ_OK;
}

/* Error for an unexpected byte c (or end of input) where `what` was expected. */
static dsj_status_t unexpected(dsj_lexer_t *lx, int c, const char *what)
{
    uint64_t off = dsj_lex_offset(lx);
    if (c == DSJ_LEX_ERR) return lx->error.code ? lx->error.code : DSJ_E_IO;
    if (c == DSJ_LEX_EOF) return dsj_lex_fail(lx, DSJ_E_SYNTAX, off, "unexpected end of input, expected %s", what);
    if (c > 0x20 && c < 0x7f)
        return dsj_lex_fail(lx, DSJ_E_SYNTAX, off, "unexpected character '%c', expected %s", c, what);
    return dsj_lex_fail(lx, DSJ_E_SYNTAX, off, "unexpected byte 0x%02x, expected %s", (unsigned)c, what);
}

/* ---------------------------------------------------------------- buffer */

static int capture_flush(dsj_lexer_t *lx)
{
    size_t n;
    if (!lx->cap_on || lx->pos <= lx->cap_from) { lx->cap_from = lx->pos; return 0; }
    n = lx->pos - lx->cap_from;
    if (lx->cap_buf) {
        if (dsj_lex_arena_put(lx->cap_buf, lx->buf + lx->cap_from, n) != 0) {
            dsj_lex_fail(lx, DSJ_E_NOMEM, dsj_lex_offset(lx), "out of memory");
            return -1;
        }
    }
    if (lx->cap_fp && fwrite(lx->buf + lx->cap_from, 1, n, lx->cap_fp) != n) {
        dsj_lex_fail(lx, DSJ_E_IO, dsj_lex_offset(lx), "cannot write the temporary spool file: %s", strerror(errno));
        return -1;
    }
    lx->cap_from = lx->pos;
    return 0;
}

int dsj_lex_fill(dsj_lexer_t *lx, size_t need)
{
    if (lx->end - lx->pos >= need || lx->eof) return 0;
    if (lx->cap_on && capture_flush(lx) != 0) return -1;
    if (lx->pos > 0) {
        size_t keep = lx->end - lx->pos;
        if (keep) memmove(lx->buf, lx->buf + lx->pos, keep);
        lx->base += lx->pos;
        lx->end = keep;
        lx->pos = 0;
        lx->cap_from = 0;
    }
    while (lx->end - lx->pos < need && !lx->eof) {
        long n;
        dsj_error_t e;
        dsj_error_clear(&e);
        n = dsj_source_read(lx->src, lx->buf + lx->end, lx->cap - lx->end, &e);
        if (n < 0) {
            if (!e.code) e.code = DSJ_E_IO;
            if (!e.text[0]) snprintf(e.text, sizeof e.text, "read error");
            if (!e.file[0] && lx->name) snprintf(e.file, sizeof e.file, "%s", lx->name);
            lx->error = e;
            return -1;
        }
        if (n == 0) lx->eof = 1;
        lx->end += (size_t)n;
    }
    return 0;
}

int dsj_lex_ws_slow(dsj_lexer_t *lx)
{
    uint64_t start = dsj_lex_offset(lx);
    for (;;) {
        unsigned char c;
        if (lx->pos >= lx->end) {
            if (lx->eof) return DSJ_LEX_EOF;
            /* Checked once per buffer refill: a gigabyte of blanks (a zip bomb) ends early. */
            if (DSJ_UNLIKELY(dsj_lex_offset(lx) - start > lx->max_ws)) {
                (void)dsj_lex_fail(lx, DSJ_E_LIMIT, start, "white space longer than the limit of %llu bytes",
                                   (unsigned long long)lx->max_ws);
                return DSJ_LEX_ERR;
            }
            if (dsj_lex_fill(lx, 1) != 0) return DSJ_LEX_ERR;
            if (lx->pos >= lx->end) return DSJ_LEX_EOF;
        }
        c = lx->buf[lx->pos];
        if (c == ' ' || c == '\t' || c == '\r') {
            lx->pos++;
        } else if (c == '\n') {
            if (lx->ndjson_row) return '\n';
            lx->pos++;
            lx->line++;
            lx->line_start = lx->base + lx->pos;
        } else {
            return c;
        }
    }
}

void dsj_lex_capture_start(dsj_lexer_t *lx, dsj_buf_t *b, FILE *fp)
{
    lx->cap_on = 1;
    lx->cap_from = lx->pos;
    lx->cap_buf = b;
    lx->cap_fp = fp;
}

int dsj_lex_capture_stop(dsj_lexer_t *lx)
{
    int rc = capture_flush(lx);
    lx->cap_on = 0;
    lx->cap_buf = NULL;
    lx->cap_fp = NULL;
    return rc;
}

/* ---------------------------------------------------------------- strings */

/* Length of the valid UTF-8 sequence at p (avail bytes), or 0 when invalid. */
static size_t utf8_seq(const unsigned char *p, size_t avail)
{
    unsigned char c = p[0];
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        if (avail >= 2 && (p[1] & 0xC0) == 0x80) return 2;
        return 0;
    }
    if (c >= 0xE0 && c <= 0xEF) {
        unsigned char lo = 0x80, hi = 0xBF;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;
        if (avail >= 3 && p[1] >= lo && p[1] <= hi && (p[2] & 0xC0) == 0x80) return 3;
        return 0;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        unsigned char lo = 0x80, hi = 0xBF;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
        if (avail >= 4 && p[1] >= lo && p[1] <= hi && (p[2] & 0xC0) == 0x80 && (p[3] & 0xC0) == 0x80) return 4;
        return 0;
    }
    return 0;
}

/* Length of the maximal ill-formed subpart at p (at least 1): a valid lead byte
   and the continuation bytes that still fit it count as one error. */
static size_t utf8_bad_len(const unsigned char *p, size_t avail)
{
    unsigned char c = p[0], lo = 0x80, hi = 0xBF;
    size_t need, i;
    if (c >= 0xC2 && c <= 0xDF) need = 2;
    else if (c >= 0xE0 && c <= 0xEF) need = 3;
    else if (c >= 0xF0 && c <= 0xF4) need = 4;
    else return 1;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
    for (i = 1; i < need && i < avail; i++) {
        if (p[i] < lo || p[i] > hi) break;
        lo = 0x80;
        hi = 0xBF;
    }
    return i;
}

static int hex4(const unsigned char *p, unsigned *out)
{
    unsigned v = 0;
    int i;
    for (i = 0; i < 4; i++) {
        unsigned char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
        else return -1;
    }
    *out = v;
    return 0;
}

static size_t utf8_encode(unsigned cp, unsigned char *o)
{
    if (cp < 0x80) { o[0] = (unsigned char)cp; return 1; }
    if (cp < 0x800) { o[0] = (unsigned char)(0xC0 | (cp >> 6)); o[1] = (unsigned char)(0x80 | (cp & 0x3F)); return 2; }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | (cp >> 12));
        o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | (cp >> 18));
    o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Backslash at buf[pos]: decode one escape (two for a surrogate pair) into out. */
static dsj_status_t string_escape(dsj_lexer_t *lx, dsj_buf_t *out, uint64_t start, size_t *toklen)
{
    uint64_t off = dsj_lex_offset(lx);
    unsigned char tmp[4];
    const unsigned char *p;
    unsigned cp, lo;
    size_t n = 1, used = 2;
    if (dsj_lex_fill(lx, 12) != 0) return lx->error.code;
    if (lx->end - lx->pos < 2) return dsj_lex_fail(lx, DSJ_E_SYNTAX, start, "unterminated string");
    p = lx->buf + lx->pos;
    switch (p[1]) {
    case '"': tmp[0] = '"'; break;
    case '\\': tmp[0] = '\\'; break;
    case '/': tmp[0] = '/'; break;
    case 'b': tmp[0] = '\b'; break;
    case 'f': tmp[0] = '\f'; break;
    case 'n': tmp[0] = '\n'; break;
    case 'r': tmp[0] = '\r'; break;
    case 't': tmp[0] = '\t'; break;
    case 'u':
        if (lx->end - lx->pos < 6 || hex4(p + 2, &cp) != 0) {
            if (lx->end - lx->pos < 6 && lx->eof) return dsj_lex_fail(lx, DSJ_E_SYNTAX, start, "unterminated string");
            return dsj_lex_fail(lx, DSJ_E_SYNTAX, off, "invalid \\u escape (four hex digits expected)");
        }
        used = 6;
        if (cp >= 0xDC00 && cp <= 0xDFFF)
            return dsj_lex_fail(lx, DSJ_E_SYNTAX, off, "lone low surrogate \\u%04X in a string", cp);
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (lx->end - lx->pos < 12 || p[6] != '\\' || p[7] != 'u' || hex4(p + 8, &lo) != 0 ||
                lo < 0xDC00 || lo > 0xDFFF)
                return dsj_lex_fail(lx, DSJ_E_SYNTAX, off, "lone high surrogate \\u%04X in a string (no low surrogate follows)", cp);
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            used = 12;
        }
        n = utf8_encode(cp, tmp);
        break;
    default:
        if (p[1] > 0x20 && p[1] < 0x7f)
            return dsj_lex_fail(lx, DSJ_E_SYNTAX, off, "invalid escape '\\%c' in a string", p[1]);
        return dsj_lex_fail(lx, DSJ_E_SYNTAX, off, "invalid escape in a string");
    }
    if (out && dsj_lex_arena_put(out, tmp, n) != 0) return dsj_lex_fail(lx, DSJ_E_NOMEM, off, "out of memory");
    lx->pos += used;
    *toklen += used;
    return DSJ_OK;
}

dsj_status_t dsj_lex_string(dsj_lexer_t *lx, dsj_buf_t *out)
{
    const unsigned char *stop = (lx->flags & DSJ_READ_NO_UTF8_CHECK) ? str_stop_raw : str_stop_utf8;
    uint64_t start = dsj_lex_offset(lx);
    size_t toklen = 0;
    dsj_status_t st;
    lx->pos++; /* opening quote */
    for (;;) {
        const unsigned char *p = lx->buf + lx->pos, *e = lx->buf + lx->end, *q = p;
        unsigned char c;
        while (q + 4 <= e && !stop[q[0]] && !stop[q[1]] && !stop[q[2]] && !stop[q[3]]) q += 4;
        while (q < e && !stop[*q]) q++;
        if (q != p) {
            size_t n = (size_t)(q - p);
            toklen += n;
            if (DSJ_UNLIKELY(toklen > lx->max_string))
                return dsj_lex_fail(lx, DSJ_E_LIMIT, start, "string longer than the limit of %zu bytes", lx->max_string);
            if (out && dsj_lex_arena_put(out, p, n) != 0) return dsj_lex_fail(lx, DSJ_E_NOMEM, start, "out of memory");
            lx->pos += n;
        }
        if (q == e) {
            if (dsj_lex_fill(lx, 1) != 0) return lx->error.code;
            if (lx->pos >= lx->end) return dsj_lex_fail(lx, DSJ_E_SYNTAX, start, "unterminated string");
            continue;
        }
        c = *q;
        if (c == '"') {
            lx->pos++;
            return DSJ_OK;
        }
        if (c == '\\') {
            if ((st = string_escape(lx, out, start, &toklen)) != DSJ_OK) return st;
        } else if (c < 0x20) {
            if (c == '\n' || c == '\r')
                return dsj_lex_fail(lx, DSJ_E_SYNTAX, start, "unterminated string (raw line break inside a string)");
            return dsj_lex_fail(lx, DSJ_E_SYNTAX, dsj_lex_offset(lx),
                                "raw control character 0x%02x inside a string (must be escaped)", (unsigned)c);
        } else {
            size_t n;
            if (dsj_lex_fill(lx, 4) != 0) return lx->error.code;
            n = utf8_seq(lx->buf + lx->pos, lx->end - lx->pos);
            if (!n) {
                st = dsj_lex_finding(lx, "DSJ-ENC-UTF8", DSJ_SEV_ERROR, dsj_lex_offset(lx),
                                     "invalid UTF-8 byte 0x%02x in a string", (unsigned)lx->buf[lx->pos]);
                if (st != DSJ_OK) return st;
                n = utf8_bad_len(lx->buf + lx->pos, lx->end - lx->pos);
            }
            if (out && dsj_lex_arena_put(out, lx->buf + lx->pos, n) != 0)
                return dsj_lex_fail(lx, DSJ_E_NOMEM, start, "out of memory");
            lx->pos += n;
            toklen += n;
        }
    }
}

/* ---------------------------------------------------------------- numbers, literals */

int dsj_lex_number_valid(const char *s, size_t n, int *is_int)
{
    size_t i = 0;
    int integer = 1;
    if (i < n && s[i] == '-') i++;
    if (i >= n) return 0;
    if (s[i] == '0') {
        i++;
    } else if (s[i] >= '1' && s[i] <= '9') {
        while (i < n && s[i] >= '0' && s[i] <= '9') i++;
    } else {
        return 0;
    }
    if (i < n && s[i] == '.') {
        size_t d;
        i++;
        d = i;
        while (i < n && s[i] >= '0' && s[i] <= '9') i++;
        if (i == d) return 0;
        integer = 0;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        size_t d;
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) i++;
        d = i;
        while (i < n && s[i] >= '0' && s[i] <= '9') i++;
        if (i == d) return 0;
        integer = 0;
    }
    if (i != n) return 0;
    if (is_int) *is_int = integer;
    return 1;
}

dsj_status_t dsj_lex_number(dsj_lexer_t *lx, dsj_buf_t *out, int *is_int)
{
    uint64_t start = dsj_lex_offset(lx);
    dsj_buf_t *o = out;
    size_t from, len;
    int integer = 1;
    if (!o) {
        o = &lx->scratch;
        dsj_buf_reset(o);
    }
    from = o->len;
    for (;;) {
        const unsigned char *p = lx->buf + lx->pos, *e = lx->buf + lx->end, *q = p;
        while (q < e && dsj_lex_number_char(*q)) q++;
        if (q != p) {
            if (dsj_lex_arena_put(o, p, (size_t)(q - p)) != 0) return dsj_lex_fail(lx, DSJ_E_NOMEM, start, "out of memory");
            lx->pos += (size_t)(q - p);
            if (DSJ_UNLIKELY(o->len - from > lx->max_number))
                return dsj_lex_fail(lx, DSJ_E_LIMIT, start, "number longer than the limit of %zu bytes", lx->max_number);
        }
        if (q < e) break;
        if (dsj_lex_fill(lx, 1) != 0) return lx->error.code;
        if (lx->pos >= lx->end) break;
    }
    len = o->len - from;
    if (!dsj_lex_number_valid(o->data + from, len, &integer))
        return dsj_lex_fail(lx, DSJ_E_SYNTAX, start, "invalid number '%.*s'", (int)(len > 40 ? 40 : len), o->data + from);
    if (is_int) *is_int = integer;
    return DSJ_OK;
}

dsj_status_t dsj_lex_literal(dsj_lexer_t *lx, int *which)
{
    uint64_t off = dsj_lex_offset(lx);
    const char *word;
    size_t n, avail;
    if (dsj_lex_fill(lx, 5) != 0) return lx->error.code;
    avail = lx->end - lx->pos;
    switch (lx->buf[lx->pos]) {
    case 't': word = "true"; break;
    case 'f': word = "false"; break;
    default: word = "null"; break;
    }
    n = strlen(word);
    if (avail < n || memcmp(lx->buf + lx->pos, word, n) != 0) {
        size_t i = 0;
        while (i < avail && i < n && lx->buf[lx->pos + i] == (unsigned char)word[i]) i++;
        if (i == avail && lx->eof)
            return dsj_lex_fail(lx, DSJ_E_SYNTAX, off, "unexpected end of input inside the literal '%s'", word);
        return dsj_lex_fail(lx, DSJ_E_SYNTAX, off, "invalid literal (expected '%s')", word);
    }
    if (avail > n && ((lx->buf[lx->pos + n] >= 'a' && lx->buf[lx->pos + n] <= 'z') ||
                      (lx->buf[lx->pos + n] >= 'A' && lx->buf[lx->pos + n] <= 'Z') ||
                      (lx->buf[lx->pos + n] >= '0' && lx->buf[lx->pos + n] <= '9')))
        return dsj_lex_fail(lx, DSJ_E_SYNTAX, off, "invalid literal (expected '%s')", word);
    lx->pos += n;
    *which = word[0];
    return DSJ_OK;
}

/* ---------------------------------------------------------------- skipping */

static dsj_status_t skip_array(dsj_lexer_t *lx, size_t depth)
{
    dsj_status_t st;
    int c;
    lx->pos++; /* '[' */
    c = dsj_lex_ws(lx);
    if (c == ']') { lx->pos++; return DSJ_OK; }
    for (;;) {
        if (c == ',') {
            uint64_t off = dsj_lex_offset(lx);
            if (!(lx->flags & DSJ_READ_LENIENT))
                return dsj_lex_fail(lx, DSJ_E_SYNTAX, off, "missing value before ',' (elided array elements are accepted only in lenient mode)");
            if ((st = dsj_lex_finding(lx, "DSJ-JSON-ELISION", DSJ_SEV_WARNING, off, "elided array element read as null")) != DSJ_OK)
                return st;
        } else if ((st = dsj_lex_skip_value(lx, depth)) != DSJ_OK) {
            return st;
        }
        c = dsj_lex_ws(lx);
        if (c == ',') {
            lx->pos++;
            c = dsj_lex_ws(lx);
            if (c == ']') {
                uint64_t off = dsj_lex_offset(lx);
                if (!(lx->flags & DSJ_READ_LENIENT))
                    return dsj_lex_fail(lx, DSJ_E_SYNTAX, off, "expected a value after ',' (trailing comma)");
                if ((st = dsj_lex_finding(lx, "DSJ-JSON-ELISION", DSJ_SEV_WARNING, off, "trailing comma in an array")) != DSJ_OK)
                    return st;
                lx->pos++;
                return DSJ_OK;
            }
            continue;
        }
        if (c == ']') { lx->pos++; return DSJ_OK; }
        return unexpected(lx, c, "',' or ']' in an array");
    }
}

static dsj_status_t skip_object(dsj_lexer_t *lx, size_t depth)
{
    dsj_status_t st;
    int c;
    lx->pos++; /* '{' */
    c = dsj_lex_ws(lx);
    if (c == '}') { lx->pos++; return DSJ_OK; }
    for (;;) {
        if (c != '"') return unexpected(lx, c, "a string key");
        if ((st = dsj_lex_string(lx, NULL)) != DSJ_OK) return st;
        c = dsj_lex_ws(lx);
        if (c != ':') return unexpected(lx, c, "':' after an object key");
        lx->pos++;
        if ((st = dsj_lex_skip_value(lx, depth)) != DSJ_OK) return st;
        c = dsj_lex_ws(lx);
        if (c == ',') {
            lx->pos++;
            c = dsj_lex_ws(lx);
            continue;
        }
        if (c == '}') { lx->pos++; return DSJ_OK; }
        return unexpected(lx, c, "',' or '}' in an object");
    }
}

dsj_status_t dsj_lex_skip_value(dsj_lexer_t *lx, size_t depth)
{
    int c = dsj_lex_ws(lx), which, is_int;
    switch (c) {
    case '"': return dsj_lex_string_fast(lx, NULL, dsj_lex_string_stops(lx->flags));
    case '[':
    case '{':
        if (depth + 1 > lx->max_depth)
            return dsj_lex_fail(lx, DSJ_E_LIMIT, dsj_lex_offset(lx), "nesting deeper than the limit of %zu", lx->max_depth);
        return c == '[' ? skip_array(lx, depth + 1) : skip_object(lx, depth + 1);
    case 't': case 'f': case 'n':
        return dsj_lex_literal(lx, &which);
    default:
        if (c == '-' || (c >= '0' && c <= '9')) {
            dsj_buf_reset(&lx->scratch);
            return dsj_lex_number_fast(lx, &lx->scratch, &is_int);
        }
        return unexpected(lx, c, "a value");
    }
}
