/*
 * Private streaming JSON lexer used by the Dataset-JSON reader.
 *
 * The lexer owns a large read buffer refilled from a dsj_source_t and keeps
 * the absolute byte offset, the line number and the offset of the current
 * line's first byte, so every token has an exact position.  Tokens are
 * copied (strings unescaped) into a caller-supplied dsj_buf_t, so no memory
 * is allocated per token once the buffers have grown to the largest row.
 *
 * Newlines can only occur in whitespace (a raw control character inside a
 * string is a syntax error), so line counting lives in dsj_lex_ws alone.
 *
 * Errors: every function returning dsj_status_t fills lx->error (code, file,
 * line, column, offset, text) on failure; the caller adds the JSON pointer.
 */
#ifndef DSJ_LEXER_INTERNAL_H
#define DSJ_LEXER_INTERNAL_H

#include "dsj_internal.h"

#define DSJ_LEX_BUFSIZE (256u * 1024u)
#define DSJ_LEX_EOF (-1)
#define DSJ_LEX_ERR (-2)

typedef struct dsj_lexer dsj_lexer_t;

/* Builds the JSON pointer of the current lexer position into b (for findings/errors). */
typedef void (*dsj_lex_pointer_fn)(const dsj_lexer_t *lx, dsj_buf_t *b, void *ctx);

struct dsj_lexer {
    dsj_source_t *src;          /* [borrowed] current byte source */
    char *name;                 /* file name for messages [owned] */
    unsigned char *buf;
    size_t cap, pos, end;
    int eof;                    /* the source reported end of input */
    uint64_t base;              /* absolute offset of buf[0] */
    uint64_t line;              /* 1-based line of buf[pos] */
    uint64_t line_start;        /* absolute offset of the current line's first byte */
    int ndjson_row;             /* 1: dsj_lex_ws stops at '\n' (an NDJSON row must stay on its line) */

    /* raw capture: every consumed byte from cap_from on is copied to cap_buf or cap_fp */
    int cap_on;
    size_t cap_from;
    dsj_buf_t *cap_buf;
    FILE *cap_fp;

    /* options */
    unsigned flags;             /* DSJ_READ_* */
    size_t max_depth;
    size_t max_string;
    size_t max_number;          /* longest number token */
    uint64_t max_ws;            /* longest run of white space (DSJ_E_LIMIT beyond) */
    int quiet;                  /* >0: suppress findings (second pass over the same bytes) */
    dsj_finding_cb on_finding;
    void *finding_ctx;
    dsj_lex_pointer_fn pointer_fn;
    void *pointer_ctx;
    uint64_t row;               /* 1-based row being read, 0 outside rows (for findings) */

    dsj_buf_t scratch;          /* numbers/strings being skipped */
    dsj_buf_t ptrtmp;           /* pointer text for findings */
    dsj_error_t error;          /* last error */
};

/* Set up on src [borrowed]; name [copied] is used in messages. Returns 0 or -1 (no memory). */
int dsj_lex_init(dsj_lexer_t *lx, dsj_source_t *src, const char *name, size_t bufsize);
void dsj_lex_free(dsj_lexer_t *lx);
/* Restart on another source (or the same one after a seek) whose next byte is at
   absolute offset base, on the given line starting at line_start. Drops buffered bytes. */
void dsj_lex_restart(dsj_lexer_t *lx, dsj_source_t *src, uint64_t base, uint64_t line, uint64_t line_start);

/* Make at least `need` bytes available at buf[pos] if the input has them.
   Returns 0 (fewer only at end of input) or -1 on a read error (lx->error set). */
int dsj_lex_fill(dsj_lexer_t *lx, size_t need);

/* Fill lx->error with code at absolute offset off (which must be on the current line
   or be the current position). Returns code. */
dsj_status_t dsj_lex_fail(dsj_lexer_t *lx, dsj_status_t code, uint64_t off, const char *fmt, ...) DSJ_PRINTF(4, 5);
/* Deliver a finding at offset off (current line). Returns DSJ_OK or DSJ_E_ABORTED (error set). */
dsj_status_t dsj_lex_finding(dsj_lexer_t *lx, const char *rule, dsj_severity_t sev, uint64_t off,
                             const char *fmt, ...) DSJ_PRINTF(5, 6);

static inline uint64_t dsj_lex_offset(const dsj_lexer_t *lx) { return lx->base + lx->pos; }
static inline uint64_t dsj_lex_column_of(const dsj_lexer_t *lx, uint64_t off) { return off - lx->line_start + 1; }

/* Next byte without consuming it: 0..255, DSJ_LEX_EOF or DSJ_LEX_ERR. */
static inline int dsj_lex_peek(dsj_lexer_t *lx)
{
    if (DSJ_UNLIKELY(lx->pos >= lx->end)) {
        if (lx->eof) return DSJ_LEX_EOF;
        if (dsj_lex_fill(lx, 1) != 0) return DSJ_LEX_ERR;
        if (lx->pos >= lx->end) return DSJ_LEX_EOF;
    }
    return lx->buf[lx->pos];
}

int dsj_lex_ws_slow(dsj_lexer_t *lx);

/* Skip whitespace (counting lines); returns the next byte like dsj_lex_peek.
   With lx->ndjson_row set, stops at '\n' and returns it. */
static inline int dsj_lex_ws(dsj_lexer_t *lx)
{
    if (DSJ_LIKELY(lx->pos < lx->end)) {
        unsigned char c = lx->buf[lx->pos];
        if (c > ' ') return c;
        if (c == ' ' && lx->pos + 1 < lx->end && lx->buf[lx->pos + 1] > ' ') {
            lx->pos++;
            return lx->buf[lx->pos];
        }
    }
    return dsj_lex_ws_slow(lx);
}

/* Arena helpers on dsj_buf_t (no NUL maintenance; callers terminate). */
static inline int dsj_lex_arena_put(dsj_buf_t *b, const void *p, size_t n)
{
    if (DSJ_UNLIKELY(b->len + n + 1 > b->cap)) {
        if (dsj_buf_reserve(b, n + 1) != 0) return -1;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
    return 0;
}

/* Parse the string whose '"' is at the current position.  When out is non-NULL the
   unescaped UTF-8 text is appended to it (not NUL-terminated).  Checks escapes,
   control characters, surrogates, UTF-8 (finding DSJ-ENC-UTF8 unless
   DSJ_READ_NO_UTF8_CHECK) and max_string. */
dsj_status_t dsj_lex_string(dsj_lexer_t *lx, dsj_buf_t *out);
/* Byte classes that end the plain part of a string for these DSJ_READ_* flags
   ('"', '\\', controls, and bytes >= 0x80 unless UTF-8 checking is off). [static] */
const unsigned char *dsj_lex_string_stops(unsigned flags);

/* dsj_lex_string with an inline fast path for a plain string wholly in the buffer. */
static inline dsj_status_t dsj_lex_string_fast(dsj_lexer_t *lx, dsj_buf_t *out, const unsigned char *stop)
{
    const unsigned char *p = lx->buf + lx->pos + 1, *e = lx->buf + lx->end, *q = p;
    while (q < e && !stop[*q]) q++;
    if (DSJ_LIKELY(q < e && *q == '"' && (size_t)(q - p) <= lx->max_string) &&
        (!out || dsj_lex_arena_put(out, p, (size_t)(q - p)) == 0)) {
        lx->pos = (size_t)(q + 1 - lx->buf);
        return DSJ_OK;
    }
    return dsj_lex_string(lx, out);
}

/* Parse a number at the current position (strict JSON grammar), appending its text
   to out (or to scratch when out is NULL). *is_int = no fraction and no exponent. */
dsj_status_t dsj_lex_number(dsj_lexer_t *lx, dsj_buf_t *out, int *is_int);
static inline int dsj_lex_number_char(unsigned char c)
{
    return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

int dsj_lex_number_valid(const char *s, size_t n, int *is_int);

/* dsj_lex_number with an inline fast path for a number wholly in the buffer. */
static inline dsj_status_t dsj_lex_number_fast(dsj_lexer_t *lx, dsj_buf_t *out, int *is_int)
{
    const unsigned char *p = lx->buf + lx->pos, *e = lx->buf + lx->end, *q = p;
    while (q < e && dsj_lex_number_char(*q)) q++;
    if (DSJ_LIKELY(q < e && (size_t)(q - p) <= lx->max_number) &&
        dsj_lex_number_valid((const char *)p, (size_t)(q - p), is_int) &&
        dsj_lex_arena_put(out, p, (size_t)(q - p)) == 0) {
        lx->pos = (size_t)(q - lx->buf);
        return DSJ_OK;
    }
    return dsj_lex_number(lx, out, is_int);
}

/* Parse true/false/null at the current position; *which = 't', 'f' or 'n'. */
dsj_status_t dsj_lex_literal(dsj_lexer_t *lx, int *which);
/* Skip (and check) one complete value at the current position; depth = nesting of
   its container.  Elided array elements follow DSJ_READ_LENIENT. */
dsj_status_t dsj_lex_skip_value(dsj_lexer_t *lx, size_t depth);

/* Raw capture of consumed bytes (from the current position) into b or fp. */
void dsj_lex_capture_start(dsj_lexer_t *lx, dsj_buf_t *b, FILE *fp);
/* Stop capturing; returns 0, or -1 when writing the capture failed (error set). */
int dsj_lex_capture_stop(dsj_lexer_t *lx);

/* (dsj_lex_number_valid: strict JSON number grammar check of s[0..n); 1 if valid; *is_int
   set to "no fraction and no exponent".) */

#endif /* DSJ_LEXER_INTERNAL_H */
