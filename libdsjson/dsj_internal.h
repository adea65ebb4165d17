/* Private helpers shared by the library modules.  Never installed. */
#ifndef DSJ_INTERNAL_H
#define DSJ_INTERNAL_H

#include "dsjson.h"
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__)
#define DSJ_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define DSJ_LIKELY(x) __builtin_expect(!!(x), 1)
#define DSJ_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define DSJ_PRINTF(a, b)
#define DSJ_LIKELY(x) (x)
#define DSJ_UNLIKELY(x) (x)
#endif

/* ---- allocation (one place, so tests can inject failures later) ---- */
void *dsj_malloc(size_t n);
void *dsj_calloc(size_t count, size_t n);
void *dsj_realloc(void *p, size_t n);
char *dsj_strdup(const char *s);          /* NULL -> NULL */
char *dsj_strndup(const char *s, size_t n);
void dsj_free(void *p);

/* ---- growable byte buffer; data is always NUL-terminated when len>0 or after any append ---- */
typedef struct dsj_buf {
    char *data;
    size_t len;
    size_t cap;
} dsj_buf_t;

void dsj_buf_init(dsj_buf_t *b);
void dsj_buf_free(dsj_buf_t *b);
void dsj_buf_reset(dsj_buf_t *b);                     /* len = 0, keeps memory */
int dsj_buf_reserve(dsj_buf_t *b, size_t extra);      /* 0 ok, -1 nomem */
int dsj_buf_append(dsj_buf_t *b, const void *p, size_t n);
int dsj_buf_putc(dsj_buf_t *b, char c);
int dsj_buf_puts(dsj_buf_t *b, const char *s);
int dsj_buf_printf(dsj_buf_t *b, const char *fmt, ...) DSJ_PRINTF(2, 3);
/* Append s[0..n) as a JSON string literal with quotes (escapes ", \, control chars; UTF-8 kept raw). */
int dsj_buf_json_string(dsj_buf_t *b, const char *s, size_t n);
char *dsj_buf_steal(dsj_buf_t *b);                    /* returns data (never NULL), resets b */

/* ---- errors ---- */
/* Fill err (if non-NULL) and return code. file may be NULL. */
dsj_status_t dsj_error_set(dsj_error_t *err, dsj_status_t code, const char *file,
                           uint64_t line, uint64_t column, uint64_t offset,
                           const char *fmt, ...) DSJ_PRINTF(7, 8);
void dsj_error_set_pointer(dsj_error_t *err, const char *pointer);

/* ---- findings ---- */
/* Build a finding and deliver it; returns the callback's result (0 = continue). cb may be NULL. */
int dsj_emit(dsj_finding_cb cb, void *ctx, const char *rule, dsj_severity_t sev,
             const char *file, uint64_t line, uint64_t column, uint64_t offset,
             const char *pointer, uint64_t row, const char *column_name,
             const char *fmt, ...) DSJ_PRINTF(12, 13);

/* ---- sources (io.c): internal byte access ---- */
/* Read up to n bytes; returns count, 0 at end, -1 on error (err filled). */
long dsj_source_read(dsj_source_t *src, void *buf, size_t n, dsj_error_t *err);
/* 1 when the source can seek back (path on a regular file, memory). */
int dsj_source_seekable(const dsj_source_t *src);
/* The file descriptor of a seekable file source (a path, or stdin on a regular file), for
   positioned reads (pread at *base + offset) by libraries that need random access; -1 otherwise.
   [borrowed] the source keeps owning it. */
int dsj_source_fd(const dsj_source_t *src, uint64_t *base);
/* Seek to an absolute offset of the stream (only when seekable). */
dsj_status_t dsj_source_seek(dsj_source_t *src, uint64_t offset, dsj_error_t *err);
/* Look at up to n next bytes without consuming them (n <= 16); returns count available (< n only at end). */
long dsj_source_peek(dsj_source_t *src, void *buf, size_t n, dsj_error_t *err);
/* Wrap inner [takes] in a decompressing source (gzip or zlib, auto-detected;
   concatenated gzip members are read through).  Errors are DSJ_E_COMPRESSION
   with the compressed byte offset.  The result is not seekable. */
dsj_source_t *dsj_source_new_inflate(dsj_source_t *inner, dsj_error_t *err);
/* Compressing sink: wraps inner [takes]; gzip (zlib_format 0) or zlib (1) at level. Commit finishes the stream then commits inner. */
dsj_sink_t *dsj_sink_new_deflate(dsj_sink_t *inner, int level, int zlib_format, dsj_error_t *err);

/* ---- calendar (values.c) ---- */
/* Days since 1970-01-01 of a proleptic Gregorian civil date (month 1-12). */
int64_t dsj_days_from_civil(int64_t y, int m, int d);

/* ---- json helpers ---- */
/* Append a JSON pointer token (escaping ~ and /) to b. */
int dsj_buf_pointer_token(dsj_buf_t *b, const char *tok);

#endif /* DSJ_INTERNAL_H */
