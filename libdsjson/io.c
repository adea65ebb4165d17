/*
 * Input sources: a path (read(2) on a file descriptor), a FILE *, a memory
 * block, a read callback, or an implementation from another module (the
 * inflate source in inflate.c).
 *
 * Every source has a small look-ahead buffer for dsj_source_peek; reads
 * drain it first and otherwise go straight into the caller's buffer, so
 * there is no copy beyond what peek needs.  Errors are sticky: after a read
 * error every later read returns -1 with the same error.
 */
#include "io_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#define PEEK_MAX 16

typedef enum src_kind { SRC_FD, SRC_FILE, SRC_MEMORY, SRC_CALLBACK, SRC_OPS } src_kind_t;

struct dsj_source {
    src_kind_t kind;
    char *name;
    int seekable;
    int at_end;           /* the underlying stream reported end (peek only) */
    int failed;
    uint64_t base;        /* underlying offset of stream byte 0 (fd, FILE *) */

    unsigned char peek[PEEK_MAX];
    size_t peek_pos, peek_len;

    /* SRC_FD */
    int fd;
    int close_fd;
    /* SRC_FILE */
    FILE *fp;
    int close_fp;
    /* SRC_MEMORY */
    const unsigned char *mem;
    size_t mem_len, mem_pos;
    /* SRC_CALLBACK */
    dsj_read_fn fn;
    void *ctx;
    /* SRC_OPS */
    const dsj_source_ops_t *ops;
    void *impl;

    dsj_error_t error;    /* the sticky error once failed */
};

/* ------------------------------------------------------------------ */

static dsj_source_t *source_alloc(src_kind_t kind, const char *name, const char *fallback,
                                  dsj_error_t *err)
{
    dsj_source_t *s = dsj_calloc(1, sizeof *s);
    if (!s) {
        dsj_error_set(err, DSJ_E_NOMEM, name, 0, 0, 0, "out of memory");
        return NULL;
    }
    s->kind = kind;
    s->fd = -1;
    s->name = dsj_strdup(name && *name ? name : fallback);
    if (!s->name) {
        dsj_free(s);
        dsj_error_set(err, DSJ_E_NOMEM, name, 0, 0, 0, "out of memory");
        return NULL;
    }
    dsj_error_clear(&s->error);
    return s;
}

/* Record a sticky error from a printf-style message; returns -1. */
static long source_fail(dsj_source_t *s, dsj_error_t *err, dsj_status_t code, const char *fmt, ...)
    DSJ_PRINTF(4, 5);
static long source_fail(dsj_source_t *s, dsj_error_t *err, dsj_status_t code, const char *fmt, ...)
{
    va_list ap;
    dsj_error_clear(&s->error);
    dsj_error_set(&s->error, code, s->name, 0, 0, 0, "%s", "");
    va_start(ap, fmt);
    vsnprintf(s->error.text, sizeof s->error.text, fmt, ap);
    va_end(ap);
    s->failed = 1;
    if (err) *err = s->error;
    return -1;
}

/* Record an error already described in e (from an ops implementation). */
static long source_fail_with(dsj_source_t *s, dsj_error_t *err, const dsj_error_t *e)
{
    s->error = *e;
    if (s->error.code == DSJ_OK) s->error.code = DSJ_E_IO;
    if (!s->error.file[0]) snprintf(s->error.file, sizeof s->error.file, "%s", s->name);
    s->failed = 1;
    if (err) *err = s->error;
    return -1;
}

/* ------------------------------------------------------------------ constructors */

dsj_source_t *dsj_source_new_path(const char *path, dsj_error_t *err)
{
    dsj_source_t *s;
    struct stat st;
    int fd;
    if (!path || !*path) {
        dsj_error_set(err, DSJ_E_ARG, NULL, 0, 0, 0, "no input path given");
        return NULL;
    }
    if (strcmp(path, "-") == 0) {
        s = source_alloc(SRC_FD, "<stdin>", "<stdin>", err);
        if (!s) return NULL;
        s->fd = STDIN_FILENO;
        s->close_fd = 0;
        if (fstat(s->fd, &st) == 0 && S_ISREG(st.st_mode)) {
            off_t here = lseek(s->fd, 0, SEEK_CUR);
            if (here >= 0) {
                s->seekable = 1;
                s->base = (uint64_t)here;
            }
        }
        return s;
    }
    do {
        fd = open(path, O_RDONLY | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        int e = errno;
        dsj_error_set(err, DSJ_E_IO, path, 0, 0, 0, "cannot open '%s': %s", path, strerror(e));
        return NULL;
    }
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        dsj_error_set(err, DSJ_E_IO, path, 0, 0, 0, "cannot open '%s': %s", path, strerror(e));
        return NULL;
    }
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        dsj_error_set(err, DSJ_E_IO, path, 0, 0, 0, "cannot open '%s': %s", path, strerror(EISDIR));
        return NULL;
    }
    s = source_alloc(SRC_FD, path, path, err);
    if (!s) {
        close(fd);
        return NULL;
    }
    s->fd = fd;
    s->close_fd = 1;
    if (S_ISREG(st.st_mode)) {
        s->seekable = 1;
#ifdef POSIX_FADV_SEQUENTIAL
        (void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
    }
    return s;
}

dsj_source_t *dsj_source_new_file(FILE *fp, int close_on_free, const char *name, dsj_error_t *err)
{
    dsj_source_t *s;
    off_t here;
    if (!fp) {
        dsj_error_set(err, DSJ_E_ARG, name, 0, 0, 0, "no FILE given");
        if (close_on_free && fp) fclose(fp);
        return NULL;
    }
    s = source_alloc(SRC_FILE, name, "<stream>", err);
    if (!s) {
        if (close_on_free) fclose(fp);
        return NULL;
    }
    s->fp = fp;
    s->close_fp = close_on_free;
    here = ftello(fp);
    if (here >= 0 && fseeko(fp, here, SEEK_SET) == 0) {
        s->seekable = 1;
        s->base = (uint64_t)here;
    }
    clearerr(fp);
    return s;
}

dsj_source_t *dsj_source_new_memory(const void *data, size_t len, const char *name, dsj_error_t *err)
{
    dsj_source_t *s;
    if (!data && len) {
        dsj_error_set(err, DSJ_E_ARG, name, 0, 0, 0, "memory source: NULL data with length %zu", len);
        return NULL;
    }
    s = source_alloc(SRC_MEMORY, name, "<memory>", err);
    if (!s) return NULL;
    s->mem = data;
    s->mem_len = len;
    s->seekable = 1;
    return s;
}

dsj_source_t *dsj_source_new_callback(dsj_read_fn fn, void *ctx, const char *name, dsj_error_t *err)
{
    dsj_source_t *s;
    if (!fn) {
        dsj_error_set(err, DSJ_E_ARG, name, 0, 0, 0, "no read callback given");
        return NULL;
    }
    s = source_alloc(SRC_CALLBACK, name, "<callback>", err);
    if (!s) return NULL;
    s->fn = fn;
    s->ctx = ctx;
    return s;
}

dsj_source_t *dsj_source_new_ops(const dsj_source_ops_t *ops, void *impl, const char *name,
                                 dsj_error_t *err)
{
    dsj_source_t *s = source_alloc(SRC_OPS, name, "<stream>", err);
    if (!s) {
        if (ops && ops->close) ops->close(impl);
        return NULL;
    }
    s->ops = ops;
    s->impl = impl;
    return s;
}

void *dsj_source_ops_impl(dsj_source_t *s, const dsj_source_ops_t *ops)
{
    return s && s->kind == SRC_OPS && s->ops == ops ? s->impl : NULL;
}

void dsj_source_free(dsj_source_t *s)
{
    if (!s) return;
    switch (s->kind) {
    case SRC_FD:
        if (s->close_fd && s->fd >= 0) close(s->fd);
        break;
    case SRC_FILE:
        if (s->close_fp && s->fp) fclose(s->fp);
        break;
    case SRC_OPS:
        if (s->ops && s->ops->close) s->ops->close(s->impl);
        break;
    case SRC_MEMORY:
    case SRC_CALLBACK:
        break;
    }
    dsj_free(s->name);
    dsj_free(s);
}

const char *dsj_source_name(const dsj_source_t *s)
{
    return s ? s->name : "";
}

/* ------------------------------------------------------------------ reading */

/* Read from the underlying stream, bypassing the peek buffer. */
static long raw_read(dsj_source_t *s, void *buf, size_t n, dsj_error_t *err)
{
    if (n == 0) return 0;
    if (n > (size_t)1 << 30) n = (size_t)1 << 30; /* keep within long and ssize_t comfortably */
    switch (s->kind) {
    case SRC_FD: {
        ssize_t k;
        do {
            k = read(s->fd, buf, n);
        } while (k < 0 && errno == EINTR);
        if (k < 0) return source_fail(s, err, DSJ_E_IO, "cannot read '%s': %s", s->name, strerror(errno));
        return (long)k;
    }
    case SRC_FILE: {
        size_t k = fread(buf, 1, n, s->fp);
        if (k == 0 && ferror(s->fp)) {
            int e = errno;
            return source_fail(s, err, DSJ_E_IO, "cannot read '%s': %s", s->name,
                               e ? strerror(e) : "stream error");
        }
        return (long)k;
    }
    case SRC_MEMORY: {
        size_t left = s->mem_len - s->mem_pos;
        if (n > left) n = left;
        if (n) memcpy(buf, s->mem + s->mem_pos, n);
        s->mem_pos += n;
        return (long)n;
    }
    case SRC_CALLBACK: {
        long k = s->fn(s->ctx, buf, n);
        if (k < 0) return source_fail(s, err, DSJ_E_IO, "cannot read '%s': read callback failed", s->name);
        if ((unsigned long)k > n)
            return source_fail(s, err, DSJ_E_IO, "cannot read '%s': read callback returned %ld for %zu bytes",
                               s->name, k, n);
        return k;
    }
    case SRC_OPS: {
        dsj_error_t e;
        long k;
        dsj_error_clear(&e);
        k = s->ops->read(s->impl, buf, n, &e);
        if (k < 0) return source_fail_with(s, err, &e);
        return k;
    }
    }
    return source_fail(s, err, DSJ_E_ARG, "bad source");
}

long dsj_source_read(dsj_source_t *s, void *buf, size_t n, dsj_error_t *err)
{
    size_t avail;
    if (!s || (!buf && n)) {
        dsj_error_set(err, DSJ_E_ARG, NULL, 0, 0, 0, "dsj_source_read: bad arguments");
        return -1;
    }
    if (DSJ_UNLIKELY(s->failed)) {
        if (err) *err = s->error;
        return -1;
    }
    avail = s->peek_len - s->peek_pos;
    if (avail) {
        /* Serve look-ahead bytes only: never block for more once some are ready. */
        if (n > avail) n = avail;
        memcpy(buf, s->peek + s->peek_pos, n);
        s->peek_pos += n;
        if (s->peek_pos == s->peek_len) s->peek_pos = s->peek_len = 0;
        return (long)n;
    }
    if (s->at_end) return 0;
    {
        long k = raw_read(s, buf, n, err);
        if (k == 0 && n) s->at_end = 1; /* end is sticky: never read a pipe or terminal again */
        return k;
    }
}

long dsj_source_peek(dsj_source_t *s, void *buf, size_t n, dsj_error_t *err)
{
    if (!s || (!buf && n) || n > PEEK_MAX) {
        dsj_error_set(err, DSJ_E_ARG, s ? s->name : NULL, 0, 0, 0,
                      "dsj_source_peek: bad arguments (at most %d bytes)", PEEK_MAX);
        return -1;
    }
    if (s->failed) {
        if (err) *err = s->error;
        return -1;
    }
    if (s->peek_pos) { /* compact */
        memmove(s->peek, s->peek + s->peek_pos, s->peek_len - s->peek_pos);
        s->peek_len -= s->peek_pos;
        s->peek_pos = 0;
    }
    while (s->peek_len < n && !s->at_end) {
        long k = raw_read(s, s->peek + s->peek_len, PEEK_MAX - s->peek_len, err);
        if (k < 0) return -1;
        if (k == 0) s->at_end = 1;
        s->peek_len += (size_t)k;
    }
    if (n > s->peek_len) n = s->peek_len;
    memcpy(buf, s->peek, n);
    return (long)n;
}

int dsj_source_seekable(const dsj_source_t *s)
{
    return s ? s->seekable : 0;
}

int dsj_source_fd(const dsj_source_t *s, uint64_t *base)
{
    if (!s || s->kind != SRC_FD || !s->seekable) return -1;
    if (base) *base = s->base;
    return s->fd;
}

dsj_status_t dsj_source_seek(dsj_source_t *s, uint64_t offset, dsj_error_t *err)
{
    if (!s) return dsj_error_set(err, DSJ_E_ARG, NULL, 0, 0, 0, "dsj_source_seek: NULL source");
    if (!s->seekable)
        return dsj_error_set(err, DSJ_E_STATE, s->name, 0, 0, 0, "'%s' is not seekable", s->name);
    if (s->failed) {
        if (err) *err = s->error;
        return s->error.code;
    }
    switch (s->kind) {
    case SRC_MEMORY:
        if (offset > s->mem_len)
            return dsj_error_set(err, DSJ_E_ARG, s->name, 0, 0, offset,
                                 "seek to %llu beyond the end of '%s' (%zu bytes)",
                                 (unsigned long long)offset, s->name, s->mem_len);
        s->mem_pos = (size_t)offset;
        break;
    case SRC_FD:
    case SRC_FILE: {
        int bad;
        errno = 0;
        if (offset > (uint64_t)INT64_MAX - s->base) {
            errno = EOVERFLOW;
            bad = 1;
        } else if (s->kind == SRC_FD) {
            bad = lseek(s->fd, (off_t)(s->base + offset), SEEK_SET) < 0;
        } else {
            bad = fseeko(s->fp, (off_t)(s->base + offset), SEEK_SET) != 0;
            clearerr(s->fp);
        }
        if (bad)
            return dsj_error_set(err, DSJ_E_IO, s->name, 0, 0, offset, "cannot seek in '%s': %s", s->name,
                                 strerror(errno ? errno : EINVAL));
        break;
    }
    case SRC_CALLBACK:
    case SRC_OPS:
        return dsj_error_set(err, DSJ_E_STATE, s->name, 0, 0, 0, "'%s' is not seekable", s->name);
    }
    s->peek_pos = s->peek_len = 0;
    s->at_end = 0;
    return DSJ_OK;
}
