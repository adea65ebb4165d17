/*
 * Output sinks: an atomic path (temporary file + rename on commit), stdout,
 * a FILE *, a growing memory buffer, a write callback, and a compressing
 * wrapper (gzip or zlib) around another sink.
 *
 * Writes are buffered (DSJ_SINK_BUF bytes) and leave in large write(2)
 * calls; a write larger than the buffer bypasses it.  Errors are sticky:
 * after the first failure every later call fails with the same error.
 */
#include "io_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#define DSJ_SINK_BUF (256u * 1024u)
#define DSJ_WRITEBACK_STEP ((uint64_t)8 << 20)

typedef enum sink_kind { SINK_FD, SINK_FILE, SINK_MEMORY, SINK_CALLBACK, SINK_DEFLATE } sink_kind_t;

struct dsj_sink {
    sink_kind_t kind;
    char *name;            /* target name used in messages */
    int failed;
    int committed;
    dsj_error_t error;     /* sticky error */

    unsigned char *buf;    /* write buffer (not for memory sinks) */
    size_t len, cap;

    /* SINK_FD */
    int fd;
    int close_fd;
    char *tmp_path;        /* atomic: temporary file, NULL once renamed or removed */
    char *final_path;      /* atomic: destination */
    char *dir_path;        /* atomic: folder to fsync after rename */
    uint64_t written;      /* bytes written to fd */
    uint64_t synced;       /* bytes handed to early write-back */
    /* SINK_FILE */
    FILE *fp;
    /* SINK_MEMORY */
    dsj_buf_t mem;
    /* SINK_CALLBACK */
    dsj_write_fn fn;
    void *ctx;
    /* SINK_DEFLATE */
    dsj_sink_t *inner;
    z_stream zs;
    int zinit;
    unsigned char *zout;
};

/* ------------------------------------------------------------------ helpers */

static dsj_status_t sink_fail(dsj_sink_t *s, dsj_error_t *err, dsj_status_t code, const char *fmt, ...)
    DSJ_PRINTF(4, 5);

static void remove_temp(dsj_sink_t *s)
{
    if (s->kind == SINK_FD && s->tmp_path) {
        if (s->fd >= 0) close(s->fd);
        s->fd = -1;
        unlink(s->tmp_path);
        dsj_free(s->tmp_path);
        s->tmp_path = NULL;
    }
}

static dsj_status_t sink_fail(dsj_sink_t *s, dsj_error_t *err, dsj_status_t code, const char *fmt, ...)
{
    va_list ap;
    dsj_error_clear(&s->error);
    dsj_error_set(&s->error, code, s->name, 0, 0, 0, "%s", "");
    va_start(ap, fmt);
    vsnprintf(s->error.text, sizeof s->error.text, fmt, ap);
    va_end(ap);
    s->failed = 1;
    remove_temp(s); /* a failed atomic sink leaves nothing behind */
    if (err) *err = s->error;
    return code;
}

static dsj_status_t sink_fail_with(dsj_sink_t *s, dsj_error_t *err, const dsj_error_t *e)
{
    s->error = *e;
    if (s->error.code == DSJ_OK) s->error.code = DSJ_E_IO;
    s->failed = 1;
    remove_temp(s);
    if (err) *err = s->error;
    return s->error.code;
}

static dsj_sink_t *sink_alloc(sink_kind_t kind, const char *name, int buffered, dsj_error_t *err)
{
    dsj_sink_t *s = dsj_calloc(1, sizeof *s);
    if (!s) goto nomem;
    s->kind = kind;
    s->fd = -1;
    dsj_error_clear(&s->error);
    dsj_buf_init(&s->mem);
    s->name = dsj_strdup(name);
    if (!s->name) goto nomem;
    if (buffered) {
        s->cap = DSJ_SINK_BUF;
        s->buf = dsj_malloc(s->cap);
        if (!s->buf) goto nomem;
    }
    return s;
nomem:
    if (s) {
        dsj_free(s->name);
        dsj_free(s);
    }
    dsj_error_set(err, DSJ_E_NOMEM, name, 0, 0, 0, "out of memory");
    return NULL;
}

/* write(2) all of p[0..n) on fd; 0 or errno. */
static int write_all(int fd, const unsigned char *p, size_t n)
{
    while (n) {
        ssize_t k = write(fd, p, n > (size_t)1 << 30 ? (size_t)1 << 30 : n);
        if (k < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        if (k == 0) return EIO;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

static dsj_status_t deflate_feed(dsj_sink_t *s, const void *p, size_t n, int flush, dsj_error_t *err);

/* Send p[0..n) to the destination (below the buffer). */
static dsj_status_t sink_raw_write(dsj_sink_t *s, const void *p, size_t n, dsj_error_t *err)
{
    int e;
    if (n == 0 && s->kind != SINK_DEFLATE) return DSJ_OK;
    switch (s->kind) {
    case SINK_FD:
        e = write_all(s->fd, p, n);
        if (e) return sink_fail(s, err, DSJ_E_IO, "cannot write '%s': %s", s->name, strerror(e));
        s->written += n;
#ifdef SYNC_FILE_RANGE_WRITE
        /* Atomic file: start write-back of what is written so far, so that the
           fsync in commit has little left to do and the disk works meanwhile. */
        if (s->tmp_path && s->written - s->synced >= DSJ_WRITEBACK_STEP) {
            (void)sync_file_range(s->fd, (off64_t)s->synced, (off64_t)(s->written - s->synced),
                                  SYNC_FILE_RANGE_WRITE);
            s->synced = s->written;
        }
#endif
        return DSJ_OK;
    case SINK_FILE:
        if (fwrite(p, 1, n, s->fp) != n) {
            e = errno;
            return sink_fail(s, err, DSJ_E_IO, "cannot write '%s': %s", s->name, e ? strerror(e) : "stream error");
        }
        return DSJ_OK;
    case SINK_CALLBACK:
        if (s->fn(s->ctx, p, n) != 0)
            return sink_fail(s, err, DSJ_E_IO, "cannot write '%s': write callback failed", s->name);
        return DSJ_OK;
    case SINK_MEMORY:
        if (dsj_buf_append(&s->mem, p, n) != 0)
            return sink_fail(s, err, DSJ_E_NOMEM, "out of memory writing '%s'", s->name);
        return DSJ_OK;
    case SINK_DEFLATE:
        return deflate_feed(s, p, n, Z_NO_FLUSH, err);
    }
    return sink_fail(s, err, DSJ_E_ARG, "bad sink");
}

static dsj_status_t sink_flush_buffer(dsj_sink_t *s, dsj_error_t *err)
{
    dsj_status_t rc;
    if (!s->len) return DSJ_OK;
    rc = sink_raw_write(s, s->buf, s->len, err);
    s->len = 0;
    return rc;
}

/* ------------------------------------------------------------------ constructors */

/* Fill out[0..n) with random letters and digits (n <= 16) and terminate it. */
static void random_suffix(char *out, size_t n)
{
    static const char set[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    static _Atomic unsigned long counter; /* only when getrandom fails; atomic: sinks are opened from any thread */
    unsigned char rnd[16];
    size_t i;
    if (n > sizeof rnd) n = sizeof rnd;
    if (getrandom(rnd, n, GRND_NONBLOCK) != (ssize_t)n) {
        unsigned long long x = (unsigned long long)time(NULL) ^ ((unsigned long long)getpid() << 20) ^
                               (unsigned long long)(uintptr_t)out ^ (++counter * 0x9E3779B97F4A7C15ull);
        for (i = 0; i < n; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            rnd[i] = (unsigned char)x;
        }
    }
    for (i = 0; i < n; i++) out[i] = set[rnd[i] % (sizeof set - 1)];
    out[n] = '\0';
}

/* Split path into folder ("." when none) and base name. */
static int split_path(const char *path, char **dir, char **base)
{
    const char *slash = strrchr(path, '/');
    if (!slash) {
        *dir = dsj_strdup(".");
        *base = dsj_strdup(path);
    } else {
        *dir = slash == path ? dsj_strdup("/") : dsj_strndup(path, (size_t)(slash - path));
        *base = dsj_strdup(slash + 1);
    }
    if (!*dir || !*base) {
        dsj_free(*dir);
        dsj_free(*base);
        return -1;
    }
    return 0;
}

static dsj_sink_t *sink_open_direct(const char *path, dsj_error_t *err)
{
    /* An existing non-regular target (device, FIFO): write in place, not atomically. */
    dsj_sink_t *s;
    int fd;
    do {
        fd = open(path, O_WRONLY | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        dsj_error_set(err, DSJ_E_IO, path, 0, 0, 0, "cannot open '%s' for writing: %s", path, strerror(errno));
        return NULL;
    }
    s = sink_alloc(SINK_FD, path, 1, err);
    if (!s) {
        close(fd);
        return NULL;
    }
    s->fd = fd;
    s->close_fd = 1;
    return s;
}

dsj_sink_t *dsj_sink_new_path(const char *path, dsj_error_t *err)
{
    dsj_sink_t *s;
    struct stat st;
    char *resolved = NULL, *dir = NULL, *base = NULL, *tmp = NULL;
    const char *target;
    size_t tmplen;
    int fd = -1, tries;

    if (!path || !*path) {
        dsj_error_set(err, DSJ_E_ARG, NULL, 0, 0, 0, "no output path given");
        return NULL;
    }
    if (strcmp(path, "-") == 0) {
        s = sink_alloc(SINK_FD, "<stdout>", 1, err);
        if (!s) return NULL;
        s->fd = STDOUT_FILENO;
        return s;
    }
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            dsj_error_set(err, DSJ_E_IO, path, 0, 0, 0, "cannot write '%s': %s", path, strerror(EISDIR));
            return NULL;
        }
        if (!S_ISREG(st.st_mode)) return sink_open_direct(path, err);
        /* Replace the file a symbolic link points to, not the link. */
        resolved = realpath(path, NULL);
    }
    target = resolved ? resolved : path;
    if (split_path(target, &dir, &base) != 0) goto nomem;
    tmplen = strlen(dir) + strlen(base) + 32;
    tmp = dsj_malloc(tmplen);
    if (!tmp) goto nomem;
    for (tries = 0; tries < 100; tries++) {
        char suffix[8];
        random_suffix(suffix, 6);
        /* at most 200 bytes of the name, so that the temporary name fits NAME_MAX */
        snprintf(tmp, tmplen, "%s/.%.200s.%s.tmp", dir, base, suffix);
        /* mode 0666: the kernel applies the umask, exactly as for a new file. */
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0 || (errno != EEXIST && errno != EINTR)) break;
    }
    if (fd < 0) {
        int e = errno;
        dsj_error_set(err, DSJ_E_IO, path, 0, 0, 0, "cannot create '%s' (temporary file in '%s'): %s", path, dir,
                      strerror(e));
        goto fail;
    }
    s = sink_alloc(SINK_FD, path, 1, err);
    if (!s) {
        close(fd);
        unlink(tmp);
        goto fail;
    }
    s->fd = fd;
    s->close_fd = 1;
    s->tmp_path = tmp;
    s->final_path = resolved ? resolved : dsj_strdup(path);
    s->dir_path = dir;
    dsj_free(base);
    if (!s->final_path) {
        dsj_sink_free(s);
        dsj_error_set(err, DSJ_E_NOMEM, path, 0, 0, 0, "out of memory");
        return NULL;
    }
    return s;
nomem:
    dsj_error_set(err, DSJ_E_NOMEM, path, 0, 0, 0, "out of memory");
fail:
    free(resolved); /* from realpath: plain free */
    dsj_free(dir);
    dsj_free(base);
    dsj_free(tmp);
    return NULL;
}

dsj_sink_t *dsj_sink_new_file(FILE *fp, dsj_error_t *err)
{
    dsj_sink_t *s;
    if (!fp) {
        dsj_error_set(err, DSJ_E_ARG, NULL, 0, 0, 0, "no FILE given");
        return NULL;
    }
    s = sink_alloc(SINK_FILE, fp == stdout ? "<stdout>" : "<stream>", 1, err);
    if (s) s->fp = fp;
    return s;
}

dsj_sink_t *dsj_sink_new_memory(dsj_error_t *err)
{
    return sink_alloc(SINK_MEMORY, "<memory>", 0, err);
}

dsj_sink_t *dsj_sink_new_callback(dsj_write_fn fn, void *ctx, dsj_error_t *err)
{
    dsj_sink_t *s;
    if (!fn) {
        dsj_error_set(err, DSJ_E_ARG, NULL, 0, 0, 0, "no write callback given");
        return NULL;
    }
    s = sink_alloc(SINK_CALLBACK, "<callback>", 1, err);
    if (s) {
        s->fn = fn;
        s->ctx = ctx;
    }
    return s;
}

dsj_sink_t *dsj_sink_new_deflate(dsj_sink_t *inner, int level, int zlib_format, dsj_error_t *err)
{
    dsj_sink_t *s;
    int rc;
    if (!inner) {
        dsj_error_set(err, DSJ_E_ARG, NULL, 0, 0, 0, "dsj_sink_new_deflate: NULL sink");
        return NULL;
    }
    if (level < -1 || level > 9) {
        dsj_error_set(err, DSJ_E_ARG, inner->name, 0, 0, 0, "compression level %d is not in -1..9", level);
        dsj_sink_free(inner);
        return NULL;
    }
    s = sink_alloc(SINK_DEFLATE, inner->name, 1, err);
    if (!s) {
        dsj_sink_free(inner);
        return NULL;
    }
    s->inner = inner;
    s->zout = dsj_malloc(DSJ_SINK_BUF);
    if (!s->zout) {
        dsj_sink_free(s);
        dsj_error_set(err, DSJ_E_NOMEM, NULL, 0, 0, 0, "out of memory");
        return NULL;
    }
    /* gzip: windowBits 15+16 gives the standard 10-byte header (no name, mtime 0). */
    rc = deflateInit2(&s->zs, level, Z_DEFLATED, zlib_format ? 15 : 15 + 16, 8, Z_DEFAULT_STRATEGY);
    if (rc != Z_OK) {
        dsj_sink_free(s);
        dsj_error_set(err, rc == Z_MEM_ERROR ? DSJ_E_NOMEM : DSJ_E_ARG, NULL, 0, 0, 0,
                      "cannot initialise zlib compression");
        return NULL;
    }
    s->zinit = 1;
    return s;
}

/* ------------------------------------------------------------------ deflate */

static dsj_status_t deflate_feed(dsj_sink_t *s, const void *p, size_t n, int flush, dsj_error_t *err)
{
    const unsigned char *in = p;
    for (;;) {
        uInt chunk = n > UINT_MAX ? UINT_MAX : (uInt)n;
        int rc;
        s->zs.next_in = (Bytef *)(uintptr_t)in;
        s->zs.avail_in = chunk;
        do {
            s->zs.next_out = s->zout;
            s->zs.avail_out = DSJ_SINK_BUF;
            rc = deflate(&s->zs, (n > chunk) ? Z_NO_FLUSH : flush);
            if (rc == Z_STREAM_ERROR)
                return sink_fail(s, err, DSJ_E_COMPRESSION, "compression failed writing '%s'", s->name);
            if (s->zs.avail_out < DSJ_SINK_BUF) {
                dsj_error_t e;
                dsj_error_clear(&e);
                if (dsj_sink_write(s->inner, s->zout, DSJ_SINK_BUF - s->zs.avail_out, &e) != DSJ_OK)
                    return sink_fail_with(s, err, &e);
            }
        } while (s->zs.avail_out == 0 || (flush == Z_FINISH && n <= chunk && rc != Z_STREAM_END));
        in += chunk;
        n -= chunk;
        if (n == 0) break;
    }
    return DSJ_OK;
}

/* ------------------------------------------------------------------ writing */

dsj_status_t dsj_sink_write(dsj_sink_t *s, const void *p, size_t n, dsj_error_t *err)
{
    if (DSJ_UNLIKELY(!s || (!p && n)))
        return dsj_error_set(err, DSJ_E_ARG, NULL, 0, 0, 0, "dsj_sink_write: bad arguments");
    if (DSJ_UNLIKELY(s->failed)) {
        if (err) *err = s->error;
        return s->error.code;
    }
    if (DSJ_UNLIKELY(s->committed))
        return dsj_error_set(err, DSJ_E_STATE, s->name, 0, 0, 0, "write to '%s' after commit", s->name);
    if (s->kind == SINK_MEMORY) {
        if (dsj_buf_append(&s->mem, p, n) != 0)
            return sink_fail(s, err, DSJ_E_NOMEM, "out of memory writing '%s'", s->name);
        return DSJ_OK;
    }
    if (DSJ_LIKELY(n <= s->cap - s->len)) {
        memcpy(s->buf + s->len, p, n);
        s->len += n;
        return DSJ_OK;
    }
    if (sink_flush_buffer(s, err) != DSJ_OK) return s->error.code;
    if (n >= s->cap) return sink_raw_write(s, p, n, err);
    memcpy(s->buf, p, n);
    s->len = n;
    return DSJ_OK;
}

dsj_status_t dsj_sink_commit(dsj_sink_t *s, dsj_error_t *err)
{
    if (!s) return dsj_error_set(err, DSJ_E_ARG, NULL, 0, 0, 0, "dsj_sink_commit: NULL sink");
    if (s->failed) {
        if (err) *err = s->error;
        return s->error.code;
    }
    if (s->committed) return DSJ_OK;
    if (sink_flush_buffer(s, err) != DSJ_OK) return s->error.code;
    switch (s->kind) {
    case SINK_FD:
        if (s->tmp_path) {
            int dfd;
            if (fsync(s->fd) != 0)
                return sink_fail(s, err, DSJ_E_IO, "cannot write '%s': fsync: %s", s->name, strerror(errno));
            if (close(s->fd) != 0) {
                s->fd = -1;
                return sink_fail(s, err, DSJ_E_IO, "cannot write '%s': close: %s", s->name, strerror(errno));
            }
            s->fd = -1;
            if (rename(s->tmp_path, s->final_path) != 0)
                return sink_fail(s, err, DSJ_E_IO, "cannot rename temporary file to '%s': %s", s->name,
                                 strerror(errno));
            dsj_free(s->tmp_path);
            s->tmp_path = NULL;
            dfd = open(s->dir_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            if (dfd >= 0) { /* best effort: some file systems refuse fsync on folders */
                (void)fsync(dfd);
                close(dfd);
            }
        }
        break;
    case SINK_FILE:
        if (fflush(s->fp) != 0)
            return sink_fail(s, err, DSJ_E_IO, "cannot write '%s': %s", s->name, strerror(errno));
        break;
    case SINK_DEFLATE: {
        dsj_error_t e;
        if (deflate_feed(s, "", 0, Z_FINISH, err) != DSJ_OK) return s->error.code;
        dsj_error_clear(&e);
        if (dsj_sink_commit(s->inner, &e) != DSJ_OK) return sink_fail_with(s, err, &e);
        break;
    }
    case SINK_MEMORY:
    case SINK_CALLBACK:
        break;
    }
    s->committed = 1;
    return DSJ_OK;
}

const char *dsj_sink_memory_data(const dsj_sink_t *s, size_t *len)
{
    while (s && s->kind == SINK_DEFLATE) s = s->inner;
    if (!s || s->kind != SINK_MEMORY) {
        if (len) *len = 0;
        return NULL;
    }
    if (len) *len = s->mem.len;
    return s->mem.data ? s->mem.data : "";
}

char *dsj_sink_memory_steal(dsj_sink_t *s, size_t *len)
{
    while (s && s->kind == SINK_DEFLATE) s = s->inner;
    if (!s || s->kind != SINK_MEMORY) {
        if (len) *len = 0;
        return NULL;
    }
    if (len) *len = s->mem.len;
    return dsj_buf_steal(&s->mem);
}

void dsj_sink_free(dsj_sink_t *s)
{
    if (!s) return;
    switch (s->kind) {
    case SINK_FD:
        remove_temp(s); /* not committed: drop the temporary file */
        if (s->close_fd && s->fd >= 0) close(s->fd);
        dsj_free(s->final_path);
        dsj_free(s->dir_path);
        break;
    case SINK_FILE: /* never closed; bytes not committed are dropped */
        break;
    case SINK_MEMORY:
        dsj_buf_free(&s->mem);
        break;
    case SINK_CALLBACK:
        break;
    case SINK_DEFLATE:
        if (s->zinit) deflateEnd(&s->zs);
        dsj_free(s->zout);
        dsj_sink_free(s->inner);
        break;
    }
    dsj_free(s->buf);
    dsj_free(s->name);
    dsj_free(s);
}
