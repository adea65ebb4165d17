/* Unit tests: sources (path, FILE *, memory, callback, inflate) and sinks (atomic path, memory, deflate). */
#include "test_util.h"
#include "dsj_internal.h"
#include "io_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>
#include <json-c/json.h>

/* ------------------------------------------------------------------ helpers */

static char tmpdir[256];

static void make_tmpdir(void)
{
    if (tmpdir[0]) return;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/dsj_test_io.XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        exit(2);
    }
}

static void rm_tmpdir(void)
{
    DIR *d;
    struct dirent *e;
    char p[600];
    if (!tmpdir[0]) return;
    d = opendir(tmpdir);
    if (d) {
        while ((e = readdir(d)) != NULL) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
            snprintf(p, sizeof p, "%s/%s", tmpdir, e->d_name);
            unlink(p);
        }
        closedir(d);
    }
    rmdir(tmpdir);
}

/* Path in the test folder (static buffer rotation of 4). */
static const char *tpath(const char *name)
{
    static char bufs[4][600];
    static int i;
    char *b = bufs[i++ & 3];
    make_tmpdir();
    snprintf(b, 600, "%s/%s", tmpdir, name);
    return b;
}

/* Number of entries in the test folder whose name contains needle. */
static int count_entries(const char *needle)
{
    DIR *d = opendir(tmpdir);
    struct dirent *e;
    int n = 0;
    if (!d) return -1;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && strstr(e->d_name, needle)) n++;
    closedir(d);
    return n;
}

static void write_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_EQUAL(fwrite(data, 1, n, f), n);
    fclose(f);
}

/* Deterministic test bytes: text-like with some binary. */
static unsigned char *make_data(size_t n, unsigned seed)
{
    unsigned char *d = malloc(n ? n : 1);
    size_t i;
    unsigned x = seed * 2654435761u + 1;
    for (i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        d[i] = (i % 61 == 60) ? '\n' : (unsigned char)((x >> 16) % 7 == 0 ? (x >> 8) : 'a' + (x >> 20) % 26);
    }
    return d;
}

/* Drain a source with a fixed chunk size into a malloc'd buffer; returns -1 on error. */
static long drain(dsj_source_t *src, size_t chunk, unsigned char **out, dsj_error_t *err)
{
    size_t cap = 1024, len = 0;
    unsigned char *buf = malloc(cap);
    for (;;) {
        long k;
        if (len + chunk > cap) {
            while (len + chunk > cap) cap *= 2;
            buf = realloc(buf, cap);
        }
        k = dsj_source_read(src, buf + len, chunk, err);
        if (k < 0) {
            free(buf);
            *out = NULL;
            return -1;
        }
        if (k == 0) break;
        len += (size_t)k;
    }
    *out = buf;
    return (long)len;
}

typedef struct mem_reader {
    const unsigned char *p;
    size_t len, pos, max_chunk;
    int fail_at; /* fail when pos >= fail_at (if > 0) */
} mem_reader_t;

static long cb_read(void *ctx, void *buf, size_t n)
{
    mem_reader_t *m = ctx;
    size_t k = m->len - m->pos;
    if (m->fail_at > 0 && m->pos >= (size_t)m->fail_at) return -1;
    if (k > n) k = n;
    if (k > m->max_chunk) k = m->max_chunk;
    memcpy(buf, m->p + m->pos, k);
    m->pos += k;
    return (long)k;
}

/* gzip-compress data with zlib (gzip wrapper) into a malloc'd buffer. */
static unsigned char *gzip_bytes(const unsigned char *d, size_t n, int wbits, size_t *out_len)
{
    z_stream zs;
    size_t cap = compressBound((uLong)n) + 64;
    unsigned char *out = malloc(cap);
    memset(&zs, 0, sizeof zs);
    if (deflateInit2(&zs, 6, Z_DEFLATED, wbits, 8, Z_DEFAULT_STRATEGY) != Z_OK) abort();
    zs.next_in = (Bytef *)d;
    zs.avail_in = (uInt)n;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    if (deflate(&zs, Z_FINISH) != Z_STREAM_END) abort();
    *out_len = zs.total_out;
    deflateEnd(&zs);
    return out;
}

/* ------------------------------------------------------------------ sources */

static void test_sources_same_bytes(void)
{
    static const size_t chunks[] = { 1, 2, 3, 7, 16, 17, 4095, 4096, 65537, 1 << 20 };
    size_t n = 300007, i;
    unsigned char *data = make_data(n, 1), *got;
    const char *p = tpath("same.bin");
    dsj_error_t e;
    write_file(p, data, n);
    for (i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
        dsj_source_t *s[4];
        mem_reader_t m = { data, n, 0, 999, 0 };
        FILE *fp = fopen(p, "rb");
        int k;
        s[0] = dsj_source_new_path(p, &e);
        s[1] = dsj_source_new_file(fp, 1, p, &e);
        s[2] = dsj_source_new_memory(data, n, NULL, &e);
        s[3] = dsj_source_new_callback(cb_read, &m, "cb", &e);
        for (k = 0; k < 4; k++) {
            long len;
            CU_ASSERT_PTR_NOT_NULL_FATAL(s[k]);
            len = drain(s[k], chunks[i], &got, &e);
            CU_ASSERT_EQUAL(len, (long)n);
            if (len == (long)n) CU_ASSERT(memcmp(got, data, n) == 0);
            free(got);
            /* end is sticky: a read after the end is 0 again */
            CU_ASSERT_EQUAL(dsj_source_read(s[k], &e, 1, &e), 0);
            dsj_source_free(s[k]);
        }
    }
    free(data);
}

static void test_source_names_and_errors(void)
{
    dsj_error_t e;
    dsj_source_t *s;
    char buf[4];
    dsj_error_clear(&e);
    CU_ASSERT_PTR_NULL(dsj_source_new_path("/nonexistent/dir/x.json", &e));
    CU_ASSERT_EQUAL(e.code, DSJ_E_IO);
    CU_ASSERT_STRING_EQUAL(e.text, "cannot open '/nonexistent/dir/x.json': No such file or directory");
    CU_ASSERT_STRING_EQUAL(e.file, "/nonexistent/dir/x.json");
    CU_ASSERT_PTR_NULL(dsj_source_new_path("/tmp", &e));
    CU_ASSERT_EQUAL(e.code, DSJ_E_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "Is a directory"));
    s = dsj_source_new_memory("", 0, NULL, &e);
    CU_ASSERT_STRING_EQUAL(dsj_source_name(s), "<memory>");
    CU_ASSERT_EQUAL(dsj_source_read(s, buf, sizeof buf, &e), 0);
    dsj_source_free(s);
    s = dsj_source_new_path("-", &e);
    CU_ASSERT_STRING_EQUAL(dsj_source_name(s), "<stdin>");
    dsj_source_free(s);
    dsj_source_free(NULL);
    CU_ASSERT_PTR_NULL(dsj_source_new_callback(NULL, NULL, "x", &e));
    CU_ASSERT_EQUAL(e.code, DSJ_E_ARG);
}

static void test_callback_error_sticky(void)
{
    unsigned char *data = make_data(1000, 2), buf[64];
    mem_reader_t m = { data, 1000, 0, 100, 320 };
    dsj_error_t e;
    dsj_source_t *s = dsj_source_new_callback(cb_read, &m, "cbsrc", &e);
    long k, total = 0;
    while ((k = dsj_source_read(s, buf, sizeof buf, &e)) > 0) total += k;
    CU_ASSERT_EQUAL(k, -1);
    CU_ASSERT_EQUAL(total, 320);
    CU_ASSERT_EQUAL(e.code, DSJ_E_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "cbsrc"));
    dsj_error_clear(&e);
    m.fail_at = 0; /* even if the callback recovers, the error stays */
    CU_ASSERT_EQUAL(dsj_source_read(s, buf, sizeof buf, &e), -1);
    CU_ASSERT_EQUAL(e.code, DSJ_E_IO);
    CU_ASSERT_EQUAL(dsj_source_read(s, buf, sizeof buf, NULL), -1);
    dsj_source_free(s);
    free(data);
}

static void check_peek_then_read(dsj_source_t *s, const unsigned char *data, size_t n)
{
    unsigned char pk[16], *got;
    dsj_error_t e;
    long k;
    CU_ASSERT_EQUAL(dsj_source_peek(s, pk, 4, &e), 4);
    CU_ASSERT(memcmp(pk, data, 4) == 0);
    CU_ASSERT_EQUAL(dsj_source_peek(s, pk, 16, &e), 16);
    CU_ASSERT(memcmp(pk, data, 16) == 0);
    CU_ASSERT_EQUAL(dsj_source_read(s, pk, 3, &e), 3);
    CU_ASSERT(memcmp(pk, data, 3) == 0);
    CU_ASSERT_EQUAL(dsj_source_peek(s, pk, 16, &e), 16); /* refills past the old look-ahead */
    CU_ASSERT(memcmp(pk, data + 3, 16) == 0);
    CU_ASSERT_EQUAL(dsj_source_peek(s, pk, 17, &e), -1);  /* more than 16: misuse */
    CU_ASSERT_EQUAL(e.code, DSJ_E_ARG);
    k = drain(s, 5000, &got, &e);
    CU_ASSERT_EQUAL(k, (long)(n - 3));
    if (k == (long)(n - 3)) CU_ASSERT(memcmp(got, data + 3, n - 3) == 0);
    free(got);
    CU_ASSERT_EQUAL(dsj_source_peek(s, pk, 8, &e), 0);
}

static void test_peek(void)
{
    size_t n = 100000;
    unsigned char *data = make_data(n, 3), pk[16];
    const char *p = tpath("peek.bin");
    mem_reader_t m = { data, n, 0, 5, 0 }; /* callback gives 5 bytes at a time */
    dsj_error_t e;
    dsj_source_t *s;
    write_file(p, data, n);
    s = dsj_source_new_path(p, &e);
    check_peek_then_read(s, data, n);
    dsj_source_free(s);
    s = dsj_source_new_memory(data, n, "m", &e);
    check_peek_then_read(s, data, n);
    dsj_source_free(s);
    s = dsj_source_new_callback(cb_read, &m, "cb", &e);
    check_peek_then_read(s, data, n);
    dsj_source_free(s);
    /* short input: peek returns what there is */
    s = dsj_source_new_memory("abc", 3, "m", &e);
    CU_ASSERT_EQUAL(dsj_source_peek(s, pk, 16, &e), 3);
    CU_ASSERT_EQUAL(dsj_source_read(s, pk, 16, &e), 3);
    CU_ASSERT(memcmp(pk, "abc", 3) == 0);
    CU_ASSERT_EQUAL(dsj_source_read(s, pk, 16, &e), 0);
    dsj_source_free(s);
    free(data);
}

static void test_seek(void)
{
    size_t n = 50000;
    unsigned char *data = make_data(n, 4), buf[100], pk[16];
    const char *p = tpath("seek.bin");
    dsj_error_t e;
    dsj_source_t *s[3];
    FILE *fp;
    int k;
    mem_reader_t m = { data, n, 0, 999, 0 };
    write_file(p, data, n);
    fp = fopen(p, "rb");
    CU_ASSERT_EQUAL(fseek(fp, 10, SEEK_SET), 0); /* FILE * offset 0 = where the source started */
    s[0] = dsj_source_new_path(p, &e);
    s[1] = dsj_source_new_memory(data, n, "m", &e);
    s[2] = dsj_source_new_file(fp, 1, "fp", &e);
    for (k = 0; k < 3; k++) {
        const unsigned char *base = k == 2 ? data + 10 : data;
        CU_ASSERT_FATAL(dsj_source_seekable(s[k]));
        CU_ASSERT_EQUAL(dsj_source_read(s[k], buf, 100, &e), 100);
        CU_ASSERT_EQUAL(dsj_source_peek(s[k], pk, 16, &e), 16);
        CU_ASSERT_EQUAL(dsj_source_seek(s[k], 40000, &e), DSJ_OK);
        CU_ASSERT_EQUAL(dsj_source_read(s[k], buf, 100, &e), 100);
        CU_ASSERT(memcmp(buf, base + 40000, 100) == 0);
        CU_ASSERT_EQUAL(dsj_source_seek(s[k], 7, &e), DSJ_OK);
        CU_ASSERT_EQUAL(dsj_source_peek(s[k], pk, 16, &e), 16);
        CU_ASSERT(memcmp(pk, base + 7, 16) == 0);
        CU_ASSERT_EQUAL(dsj_source_read(s[k], buf, 100, &e), 16);
        CU_ASSERT_EQUAL(dsj_source_read(s[k], buf, 100, &e), 100);
        CU_ASSERT(memcmp(buf, base + 23, 100) == 0);
        dsj_source_free(s[k]);
    }
    /* a FILE * on a pipe is not seekable */
    fp = popen("echo piped", "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
    s[0] = dsj_source_new_file(fp, 0, "pipe", &e);
    CU_ASSERT_FALSE(dsj_source_seekable(s[0]));
    CU_ASSERT_EQUAL(dsj_source_read(s[0], buf, 100, &e), 6);
    CU_ASSERT(memcmp(buf, "piped\n", 6) == 0);
    dsj_source_free(s[0]);
    pclose(fp);
    s[0] = dsj_source_new_callback(cb_read, &m, "cb", &e);
    CU_ASSERT_FALSE(dsj_source_seekable(s[0]));
    CU_ASSERT_NOT_EQUAL(dsj_source_seek(s[0], 0, &e), DSJ_OK);
    dsj_source_free(s[0]);
    free(data);
}

/* stdin through a pipe is not seekable; a redirected regular file is. */
static void test_stdin_seekable(void)
{
    int pfd[2], saved = dup(STDIN_FILENO), fd;
    dsj_error_t e;
    dsj_source_t *s;
    char buf[16];
    const char *p = tpath("stdin.txt");
    CU_ASSERT_FATAL(saved >= 0);
    CU_ASSERT_FATAL(pipe(pfd) == 0);
    CU_ASSERT_EQUAL(write(pfd[1], "hello", 5), 5);
    close(pfd[1]);
    dup2(pfd[0], STDIN_FILENO);
    close(pfd[0]);
    s = dsj_source_new_path("-", &e);
    CU_ASSERT_FALSE(dsj_source_seekable(s));
    CU_ASSERT_EQUAL(dsj_source_seek(s, 0, &e), DSJ_E_STATE);
    CU_ASSERT_EQUAL(dsj_source_peek(s, buf, 2, &e), 2);
    CU_ASSERT_EQUAL(dsj_source_read(s, buf, sizeof buf, &e), 5); /* peek bytes then the rest */
    CU_ASSERT(memcmp(buf, "hello", 5) == 0 || memcmp(buf, "he", 2) == 0);
    dsj_source_free(s);
    write_file(p, "0123456789", 10);
    fd = open(p, O_RDONLY);
    dup2(fd, STDIN_FILENO);
    close(fd);
    CU_ASSERT_EQUAL(lseek(STDIN_FILENO, 4, SEEK_SET), 4);
    s = dsj_source_new_path("-", &e);
    CU_ASSERT(dsj_source_seekable(s));
    CU_ASSERT_EQUAL(dsj_source_read(s, buf, 3, &e), 3);
    CU_ASSERT_EQUAL(dsj_source_seek(s, 1, &e), DSJ_OK);
    CU_ASSERT_EQUAL(dsj_source_read(s, buf, 3, &e), 3);
    CU_ASSERT(memcmp(buf, "567", 3) == 0);
    dsj_source_free(s);
    dup2(saved, STDIN_FILENO);
    close(saved);
}

/* ------------------------------------------------------------------ inflate */

/* Decompress dir/stem.dsjc and compare it with dir/stem.ndjson, line by line as JSON values. */
static void check_dsjc(const char *dir, const char *stem)
{
    char path[2400], npath[2400];
    dsj_error_t e;
    dsj_source_t *s;
    unsigned char *got;
    char *nd;
    size_t ndlen = 0;
    long len, i, lines = 0, nd_lines = 0;
    snprintf(path, sizeof path, "%s/%s.dsjc", dir, stem);
    snprintf(npath, sizeof npath, "%s/%s.ndjson", dir, stem);
    s = dsj_source_new_inflate(dsj_source_new_path(path, &e), &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_FALSE(dsj_source_seekable(s));
    len = drain(s, 777, &got, &e);
    CU_ASSERT_FATAL(len > 0);
    CU_ASSERT_EQUAL(got[0], '{');
    for (i = 0; i < len; i++) lines += got[i] == '\n';
    if (got[len - 1] != '\n') lines++;
    nd = dsj_test_slurp(npath, &ndlen);
    CU_ASSERT_PTR_NOT_NULL_FATAL(nd);
    for (i = 0; i < (long)ndlen; i++) nd_lines += nd[i] == '\n';
    if (ndlen && nd[ndlen - 1] != '\n') nd_lines++;
    /* same number of lines as the .ndjson (metadata line + one per record) */
    CU_ASSERT_EQUAL(lines, nd_lines);
    CU_ASSERT(lines > 1);
    /* the record lines hold the same values (the files differ in spacing and metadata key order) */
    {
        char *a = (char *)got, *b = nd, *ae, *be;
        int lineno = 0, same = 0;
        got = realloc(got, (size_t)len + 1);
        a = (char *)got;
        a[len] = '\0';
        while (a && b && *a && *b) {
            json_object *ja, *jb;
            ae = strchr(a, '\n');
            be = strchr(b, '\n');
            if (ae) *ae = '\0';
            if (be) *be = '\0';
            ja = json_tokener_parse(a);
            jb = json_tokener_parse(b);
            CU_ASSERT_PTR_NOT_NULL(ja);
            if (lineno > 0 && ja && jb) same += json_object_equal(ja, jb);
            if (lineno == 0 && ja) { /* metadata line: records matches the number of data lines */
                json_object *r;
                CU_ASSERT(json_object_object_get_ex(ja, "records", &r));
                CU_ASSERT_EQUAL(json_object_get_int64(r), nd_lines - 1);
            }
            json_object_put(ja);
            json_object_put(jb);
            lineno++;
            a = ae ? ae + 1 : NULL;
            b = be ? be + 1 : NULL;
        }
        CU_ASSERT_EQUAL(lineno, nd_lines);
        CU_ASSERT_EQUAL(same, nd_lines - 1);
        if (lineno != nd_lines || same != nd_lines - 1) printf("\n  %s differs from its .ndjson\n", path);
    }
    free(nd);
    free(got);
    dsj_source_free(s);
}

static void test_inflate_corpus(void)
{
    char dir[2048];
    DIR *d;
    struct dirent *ent;
    int n = 0, dm = 0;
    if (!dsj_test_corpus_file(dir, sizeof dir, "cdisc-datasetjson-examples/v1.1/sdtm")) return;
    d = opendir(dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    while ((ent = readdir(d)) != NULL) {
        size_t l = strlen(ent->d_name);
        char stem[256];
        if (l < 6 || strcmp(ent->d_name + l - 5, ".dsjc") != 0 || l - 5 >= sizeof stem) continue;
        memcpy(stem, ent->d_name, l - 5);
        stem[l - 5] = '\0';
        check_dsjc(dir, stem);
        dm += strcmp(stem, "dm") == 0;
        n++;
    }
    closedir(d);
    CU_ASSERT_EQUAL(dm, 1);
    CU_ASSERT(n >= 28);
    printf("\n  (%d corpus .dsjc files decompressed and compared)\n", n);
}

static void test_inflate_formats(void)
{
    size_t n = 200000, zl, g1l, g2l, i;
    unsigned char *data = make_data(n, 5), *got, *z, *g1, *g2, *cat;
    uLongf zcap = compressBound((uLong)n);
    dsj_error_t e;
    dsj_source_t *s;
    long len;
    /* zlib format from compress2 */
    z = malloc(zcap);
    CU_ASSERT_EQUAL_FATAL(compress2(z, &zcap, data, (uLong)n, 9), Z_OK);
    zl = zcap;
    s = dsj_source_new_inflate(dsj_source_new_memory(z, zl, "z.bin", &e), &e);
    len = drain(s, 4093, &got, &e);
    CU_ASSERT_EQUAL(len, (long)n);
    if (len == (long)n) CU_ASSERT(memcmp(got, data, n) == 0);
    free(got);
    dsj_source_free(s);
    /* concatenated gzip members: first half + second half (plus an empty member) */
    g1 = gzip_bytes(data, n / 2, 31, &g1l);
    g2 = gzip_bytes(data + n / 2, n - n / 2, 31, &g2l);
    {
        size_t el;
        unsigned char *empty = gzip_bytes(data, 0, 31, &el);
        cat = malloc(g1l + el + g2l);
        memcpy(cat, g1, g1l);
        memcpy(cat + g1l, empty, el);
        memcpy(cat + g1l + el, g2, g2l);
        free(empty);
        for (i = 1; i <= 65536; i *= 8) {
            mem_reader_t m = { cat, g1l + el + g2l, 0, i, 0 };
            s = dsj_source_new_inflate(dsj_source_new_callback(cb_read, &m, "cat.gz", &e), &e);
            len = drain(s, 1000, &got, &e);
            CU_ASSERT_EQUAL(len, (long)n);
            if (len == (long)n) CU_ASSERT(memcmp(got, data, n) == 0);
            free(got);
            dsj_source_free(s);
        }
    }
    /* peek works on an inflate source */
    s = dsj_source_new_inflate(dsj_source_new_memory(g1, g1l, "g1", &e), &e);
    {
        unsigned char pk[16];
        CU_ASSERT_EQUAL(dsj_source_peek(s, pk, 16, &e), 16);
        CU_ASSERT(memcmp(pk, data, 16) == 0);
    }
    dsj_source_free(s);
    free(cat);
    free(g1);
    free(g2);
    free(z);
    free(data);
}

static void test_inflate_corrupt(void)
{
    size_t n = 100000, gl;
    unsigned char *data = make_data(n, 6), *g = gzip_bytes(data, n, 31, &gl), *got;
    dsj_error_t e;
    dsj_source_t *s;
    long len;
    char msg[1024];
    size_t cut;
    int seen_trunc = 0;
    /* flip bytes in the middle of the deflate data */
    g[gl / 2] ^= 0xff;
    g[gl / 2 + 1] ^= 0x55;
    g[gl / 2 + 2] ^= 0xaa;
    s = dsj_source_new_inflate(dsj_source_new_memory(g, gl, "bad.dsjc", &e), &e);
    dsj_error_clear(&e);
    len = drain(s, 4096, &got, &e);
    CU_ASSERT_EQUAL(len, -1);
    CU_ASSERT_EQUAL(e.code, DSJ_E_COMPRESSION);
    CU_ASSERT_STRING_EQUAL(e.file, "bad.dsjc");
    CU_ASSERT(e.offset > 0 && e.offset <= gl);
    dsj_error_format(&e, msg, sizeof msg);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "compressed byte"));
    printf("\n  (%s)\n", msg);
    dsj_source_free(s);
    g[gl / 2] ^= 0xff;
    g[gl / 2 + 1] ^= 0x55;
    g[gl / 2 + 2] ^= 0xaa;
    /* not compressed at all */
    s = dsj_source_new_inflate(dsj_source_new_memory("{\"a\":1}\n", 8, "plain", &e), &e);
    CU_ASSERT_EQUAL(drain(s, 100, &got, &e), -1);
    CU_ASSERT_EQUAL(e.code, DSJ_E_COMPRESSION);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "incorrect header check"));
    dsj_source_free(s);
    /* truncation at many cut points: always an error, never a crash */
    for (cut = 0; cut < gl; cut += (cut < 64 ? 1 : 97)) {
        s = dsj_source_new_inflate(dsj_source_new_memory(g, cut, "cut.dsjc", &e), &e);
        dsj_error_clear(&e);
        len = drain(s, 8192, &got, &e);
        CU_ASSERT_EQUAL(len, -1);
        CU_ASSERT_EQUAL(e.code, DSJ_E_COMPRESSION);
        if (strstr(e.text, "truncated compressed stream")) seen_trunc++;
        dsj_source_free(s);
    }
    CU_ASSERT(seen_trunc > 0);
    /* the whole stream still decodes */
    s = dsj_source_new_inflate(dsj_source_new_memory(g, gl, "ok", &e), &e);
    CU_ASSERT_EQUAL(drain(s, 8192, &got, &e), (long)n);
    free(got);
    dsj_source_free(s);
    /* trailing garbage after a complete member is reported too */
    {
        unsigned char *t = malloc(gl + 4);
        memcpy(t, g, gl);
        memcpy(t + gl, "junk", 4);
        s = dsj_source_new_inflate(dsj_source_new_memory(t, gl + 4, "trail", &e), &e);
        CU_ASSERT_EQUAL(drain(s, 8192, &got, &e), -1);
        CU_ASSERT_EQUAL(e.code, DSJ_E_COMPRESSION);
        CU_ASSERT(e.offset >= gl);
        dsj_source_free(s);
        free(t);
    }
    /* cuts inside the 8-byte gzip trailer are truncations too */
    for (cut = gl - 8; cut < gl; cut++) {
        s = dsj_source_new_inflate(dsj_source_new_memory(g, cut, "tail.dsjc", &e), &e);
        CU_ASSERT_EQUAL(drain(s, 8192, &got, &e), -1);
        CU_ASSERT_EQUAL(e.code, DSJ_E_COMPRESSION);
        CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "truncated compressed stream"));
        dsj_source_free(s);
    }
    /* a wrong CRC in the trailer */
    g[gl - 6] ^= 1;
    s = dsj_source_new_inflate(dsj_source_new_memory(g, gl, "crc.dsjc", &e), &e);
    CU_ASSERT_EQUAL(drain(s, 8192, &got, &e), -1);
    CU_ASSERT_EQUAL(e.code, DSJ_E_COMPRESSION);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "incorrect data check"));
    CU_ASSERT(e.offset >= gl - 8);
    dsj_source_free(s);
    g[gl - 6] ^= 1;
    free(g);
    free(data);
}

/* Damage anywhere (one byte at a time) gives the data back or an error, never a crash or a hang. */
static void test_inflate_flips(void)
{
    size_t n = 20000, gl, pos;
    unsigned char *data = make_data(n, 12), *g = gzip_bytes(data, n, 31, &gl), *got;
    dsj_error_t e;
    int errors = 0, runs = 0;
    for (pos = 0; pos < gl; pos += 1 + pos / 16) {
        unsigned char keep = g[pos];
        dsj_source_t *s;
        long len;
        g[pos] ^= (unsigned char)(0x5a + pos);
        s = dsj_source_new_inflate(dsj_source_new_memory(g, gl, "flip", &e), &e);
        dsj_error_clear(&e);
        len = drain(s, 3000, &got, &e);
        runs++;
        if (len < 0) {
            errors++;
            CU_ASSERT(e.code == DSJ_E_COMPRESSION || e.code == DSJ_E_LIMIT);
            CU_ASSERT(e.offset <= gl);
        } else {
            free(got); /* a change in an ignored header field (mtime, OS) */
        }
        dsj_source_free(s);
        g[pos] = keep;
    }
    CU_ASSERT(errors > runs / 2);
    /* a zlib stream that needs a preset dictionary is refused */
    {
        z_stream zs;
        unsigned char out[256];
        memset(&zs, 0, sizeof zs);
        CU_ASSERT_EQUAL_FATAL(deflateInit(&zs, 6), Z_OK);
        deflateSetDictionary(&zs, (const Bytef *)"dictionary", 10);
        zs.next_in = (Bytef *)"dictionary words";
        zs.avail_in = 16;
        zs.next_out = out;
        zs.avail_out = sizeof out;
        CU_ASSERT_EQUAL(deflate(&zs, Z_FINISH), Z_STREAM_END);
        {
            dsj_source_t *s = dsj_source_new_inflate(dsj_source_new_memory(out, zs.total_out, "dict", &e), &e);
            CU_ASSERT_EQUAL(drain(s, 100, &got, &e), -1);
            CU_ASSERT_EQUAL(e.code, DSJ_E_COMPRESSION);
            CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "dictionary"));
            dsj_source_free(s);
        }
        deflateEnd(&zs);
    }
    free(g);
    free(data);
}

/* The reader's pattern: peek at the magic on the raw source, then wrap it. */
static void test_inflate_after_peek(void)
{
    size_t n = 50000, gl;
    unsigned char *data = make_data(n, 11), *g = gzip_bytes(data, n, 31, &gl), *got, magic[2];
    const char *p = tpath("peeked.gz");
    dsj_error_t e;
    dsj_source_t *raw, *s;
    write_file(p, g, gl);
    raw = dsj_source_new_path(p, &e);
    CU_ASSERT_EQUAL(dsj_source_peek(raw, magic, 2, &e), 2);
    CU_ASSERT(magic[0] == 0x1f && magic[1] == 0x8b);
    s = dsj_source_new_inflate(raw, &e);
    CU_ASSERT_STRING_EQUAL(dsj_source_name(s), p);
    CU_ASSERT_EQUAL(drain(s, 1 << 16, &got, &e), (long)n);
    if (got) CU_ASSERT(memcmp(got, data, n) == 0);
    free(got);
    dsj_source_free(s);
    CU_ASSERT_PTR_NULL(dsj_source_new_inflate(NULL, &e));
    CU_ASSERT_EQUAL(e.code, DSJ_E_ARG);
    free(g);
    free(data);
}

/* The decompression-bomb guard: off by default, DSJ_E_LIMIT when set. */
static void test_inflate_limit(void)
{
    size_t n = 1 << 20, zl;
    unsigned char *zeros = calloc(1, n), *z = gzip_bytes(zeros, n, 31, &zl), *got;
    dsj_error_t e;
    dsj_source_t *s = dsj_source_new_inflate(dsj_source_new_memory(z, zl, "bomb", &e), &e);
    CU_ASSERT_EQUAL(drain(s, 4096, &got, &e), (long)n);
    free(got);
    dsj_source_free(s);
    s = dsj_source_new_inflate(dsj_source_new_memory(z, zl, "bomb", &e), &e);
    CU_ASSERT_EQUAL(dsj_source_inflate_set_limit(s, 100000, &e), DSJ_OK);
    CU_ASSERT_EQUAL(drain(s, 4096, &got, &e), -1);
    CU_ASSERT_EQUAL(e.code, DSJ_E_LIMIT);
    dsj_source_free(s);
    s = dsj_source_new_memory(z, zl, "plain", &e);
    CU_ASSERT_EQUAL(dsj_source_inflate_set_limit(s, 1, &e), DSJ_E_ARG);
    dsj_source_free(s);
    free(z);
    free(zeros);
}

/* ------------------------------------------------------------------ sinks */

static void test_memory_sink(void)
{
    dsj_error_t e;
    dsj_sink_t *s = dsj_sink_new_memory(&e);
    size_t len, i;
    const char *d;
    char *st;
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    d = dsj_sink_memory_data(s, &len);
    CU_ASSERT_EQUAL(len, 0);
    CU_ASSERT_STRING_EQUAL(d, "");
    for (i = 0; i < 1000; i++) CU_ASSERT_EQUAL(dsj_sink_write(s, "abc", 3, &e), DSJ_OK);
    CU_ASSERT_EQUAL(dsj_sink_commit(s, &e), DSJ_OK);
    d = dsj_sink_memory_data(s, &len);
    CU_ASSERT_EQUAL(len, 3000);
    CU_ASSERT_EQUAL(d[len], '\0');
    CU_ASSERT(memcmp(d + 2997, "abc", 3) == 0);
    CU_ASSERT_EQUAL(dsj_sink_write(s, "x", 1, &e), DSJ_E_STATE);
    st = dsj_sink_memory_steal(s, &len);
    CU_ASSERT_EQUAL(len, 3000);
    free(st);
    dsj_sink_free(s);
    dsj_sink_free(NULL);
}

typedef struct collect { unsigned char *p; size_t len, cap; int fail_after; int calls; } collect_t;

static int cb_write(void *ctx, const void *buf, size_t n)
{
    collect_t *c = ctx;
    c->calls++;
    if (c->fail_after && c->calls > c->fail_after) return -1;
    if (c->len + n > c->cap) {
        while (c->len + n > c->cap) c->cap = c->cap ? c->cap * 2 : 4096;
        c->p = realloc(c->p, c->cap);
    }
    memcpy(c->p + c->len, buf, n);
    c->len += n;
    return 0;
}

static void test_callback_sink(void)
{
    size_t n = 1000003, off = 0, step = 1;
    unsigned char *data = make_data(n, 7);
    collect_t c = { NULL, 0, 0, 0, 0 };
    dsj_error_t e;
    dsj_sink_t *s = dsj_sink_new_callback(cb_write, &c, &e);
    while (off < n) { /* awkward sizes, including ones larger than the buffer */
        size_t k = step > n - off ? n - off : step;
        CU_ASSERT_EQUAL(dsj_sink_write(s, data + off, k, &e), DSJ_OK);
        off += k;
        step = step * 3 + 1;
    }
    CU_ASSERT_EQUAL(dsj_sink_commit(s, &e), DSJ_OK);
    CU_ASSERT_EQUAL(c.len, n);
    if (c.len == n) CU_ASSERT(memcmp(c.p, data, n) == 0);
    CU_ASSERT(c.calls < 10); /* buffered: few large writes */
    dsj_sink_free(s);
    free(c.p);
    /* failing callback: DSJ_E_IO, sticky */
    memset(&c, 0, sizeof c);
    c.fail_after = 1;
    s = dsj_sink_new_callback(cb_write, &c, &e);
    CU_ASSERT_EQUAL(dsj_sink_write(s, data, n, &e), DSJ_OK);  /* large: goes straight through (call 1) */
    CU_ASSERT_EQUAL(dsj_sink_write(s, data, n, &e), DSJ_E_IO); /* call 2 fails */
    CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "<callback>"));
    CU_ASSERT_EQUAL(dsj_sink_write(s, data, 10, &e), DSJ_E_IO);
    CU_ASSERT_EQUAL(dsj_sink_commit(s, &e), DSJ_E_IO);
    dsj_sink_free(s);
    free(c.p);
    free(data);
}

static void check_deflate_roundtrip(int zlib_format)
{
    size_t n = 700001, len;
    unsigned char *data = make_data(n, 8), *got;
    dsj_error_t e;
    dsj_sink_t *s = dsj_sink_new_deflate(dsj_sink_new_memory(&e), 6, zlib_format, &e);
    dsj_source_t *src;
    const char *d;
    size_t off = 0, step = 5;
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    while (off < n) {
        size_t k = step > n - off ? n - off : step;
        CU_ASSERT_EQUAL(dsj_sink_write(s, data + off, k, &e), DSJ_OK);
        off += k;
        step = step * 2 + 3;
    }
    CU_ASSERT_EQUAL(dsj_sink_commit(s, &e), DSJ_OK);
    d = dsj_sink_memory_data(s, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT(len > 10 && len < n);
    if (!zlib_format) {
        CU_ASSERT_EQUAL((unsigned char)d[0], 0x1f);
        CU_ASSERT_EQUAL((unsigned char)d[1], 0x8b);
        CU_ASSERT_EQUAL((unsigned char)d[2], 8);
        CU_ASSERT_EQUAL((unsigned char)d[3], 0); /* no name, no extra: plain 10-byte header */
    } else {
        CU_ASSERT_EQUAL(((unsigned char)d[0] * 256 + (unsigned char)d[1]) % 31, 0);
        CU_ASSERT_EQUAL((unsigned char)d[0] & 0x0f, 8);
    }
    src = dsj_source_new_inflate(dsj_source_new_memory(d, len, "rt", &e), &e);
    CU_ASSERT_EQUAL(drain(src, 65536, &got, &e), (long)n);
    if (got) CU_ASSERT(memcmp(got, data, n) == 0);
    free(got);
    dsj_source_free(src);
    if (zlib_format) { /* also with zlib's own uncompress */
        uLongf ul = (uLongf)n;
        unsigned char *u = malloc(n);
        CU_ASSERT_EQUAL(uncompress(u, &ul, (const Bytef *)d, (uLong)len), Z_OK);
        CU_ASSERT_EQUAL(ul, n);
        CU_ASSERT(memcmp(u, data, n) == 0);
        free(u);
    }
    dsj_sink_free(s);
    free(data);
}

static void test_deflate_roundtrip(void)
{
    dsj_error_t e;
    check_deflate_roundtrip(0);
    check_deflate_roundtrip(1);
    CU_ASSERT_PTR_NULL(dsj_sink_new_deflate(dsj_sink_new_memory(&e), 12, 0, &e));
    CU_ASSERT_EQUAL(e.code, DSJ_E_ARG);
}

/* A gzip file written through an atomic path sink is readable by gzip(1) and gzread. */
static void test_deflate_file_gzip_tool(void)
{
    size_t n = 300000;
    unsigned char *data = make_data(n, 9), *got;
    const char *p = tpath("out.dsjc");
    char cmd[800];
    dsj_error_t e;
    dsj_sink_t *s = dsj_sink_new_deflate(dsj_sink_new_path(p, &e), 9, 0, &e);
    FILE *pp;
    size_t k = 0, r;
    gzFile gz;
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL(dsj_sink_write(s, data, n, &e), DSJ_OK);
    CU_ASSERT_EQUAL(dsj_sink_commit(s, &e), DSJ_OK);
    dsj_sink_free(s);
    got = malloc(n + 10);
    gz = gzopen(p, "rb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(gz);
    CU_ASSERT_EQUAL(gzread(gz, got, (unsigned)n + 10), (int)n);
    CU_ASSERT(memcmp(got, data, n) == 0);
    gzclose(gz);
    snprintf(cmd, sizeof cmd, "gzip -t '%s' 2>/dev/null && gzip -dc '%s'", p, p);
    pp = popen(cmd, "r");
    if (pp) {
        while ((r = fread(got + k, 1, n + 10 - k, pp)) > 0) k += r;
        if (pclose(pp) == 0) {
            CU_ASSERT_EQUAL(k, n);
            CU_ASSERT(memcmp(got, data, n) == 0);
        } else {
            printf("\n  (gzip(1) not usable; checked with gzread only)\n");
        }
    }
    free(got);
    free(data);
    CU_ASSERT_EQUAL(count_entries(".tmp"), 0);
}

static void test_atomic_sink(void)
{
    const char *p = tpath("atomic.json");
    dsj_error_t e;
    dsj_sink_t *s;
    char *c;
    size_t len;
    struct stat st;
    mode_t um;
    write_file(p, "OLD", 3);
    /* freed without commit: the destination is untouched, no temp file is left */
    s = dsj_sink_new_path(p, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL(count_entries("atomic.json."), 1); /* the temporary file exists meanwhile */
    CU_ASSERT_EQUAL(dsj_sink_write(s, "NEW CONTENT", 11, &e), DSJ_OK);
    dsj_sink_free(s);
    c = dsj_test_slurp(p, &len);
    CU_ASSERT_EQUAL(len, 3);
    CU_ASSERT_STRING_EQUAL(c, "OLD");
    free(c);
    CU_ASSERT_EQUAL(count_entries(".tmp"), 0);
    /* committed: replaced */
    s = dsj_sink_new_path(p, &e);
    CU_ASSERT_EQUAL(dsj_sink_write(s, "NEW CONTENT", 11, &e), DSJ_OK);
    CU_ASSERT_EQUAL(dsj_sink_commit(s, &e), DSJ_OK);
    CU_ASSERT_EQUAL(dsj_sink_commit(s, &e), DSJ_OK); /* idempotent */
    dsj_sink_free(s);
    c = dsj_test_slurp(p, &len);
    CU_ASSERT_STRING_EQUAL(c, "NEW CONTENT");
    free(c);
    CU_ASSERT_EQUAL(count_entries(".tmp"), 0);
    CU_ASSERT_EQUAL(count_entries("atomic"), 1);
    /* permissions of a normal new file */
    um = umask(022);
    umask(um);
    CU_ASSERT_EQUAL(stat(p, &st), 0);
    CU_ASSERT_EQUAL(st.st_mode & 0777, 0666 & ~um);
    /* missing folder: clear DSJ_E_IO naming the target */
    dsj_error_clear(&e);
    CU_ASSERT_PTR_NULL(dsj_sink_new_path("/nonexistent-dsj/dir/out.json", &e));
    CU_ASSERT_EQUAL(e.code, DSJ_E_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "/nonexistent-dsj/dir/out.json"));
    CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "No such file or directory"));
    /* a folder as target */
    CU_ASSERT_PTR_NULL(dsj_sink_new_path(tmpdir, &e));
    CU_ASSERT_EQUAL(e.code, DSJ_E_IO);
    /* a new file (no previous destination) */
    s = dsj_sink_new_path(tpath("fresh.ndjson"), &e);
    dsj_sink_free(s);
    CU_ASSERT_EQUAL(count_entries("fresh"), 0);
}

/* A device is written in place (never replaced); a symbolic link keeps pointing at the new file. */
static void test_special_targets(void)
{
    const char *target = tpath("real.json"), *link = tpath("link.json");
    dsj_error_t e;
    dsj_sink_t *s;
    struct stat st;
    char *c;
    size_t len;
    s = dsj_sink_new_path("/dev/null", &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL(dsj_sink_write(s, "discard", 7, &e), DSJ_OK);
    CU_ASSERT_EQUAL(dsj_sink_commit(s, &e), DSJ_OK);
    dsj_sink_free(s);
    CU_ASSERT_EQUAL(stat("/dev/null", &st), 0);
    CU_ASSERT(S_ISCHR(st.st_mode));
    write_file(target, "old", 3);
    CU_ASSERT_EQUAL_FATAL(symlink(target, link), 0);
    s = dsj_sink_new_path(link, &e);
    CU_ASSERT_EQUAL(dsj_sink_write(s, "via link", 8, &e), DSJ_OK);
    CU_ASSERT_EQUAL(dsj_sink_commit(s, &e), DSJ_OK);
    dsj_sink_free(s);
    CU_ASSERT_EQUAL(lstat(link, &st), 0);
    CU_ASSERT(S_ISLNK(st.st_mode));
    c = dsj_test_slurp(target, &len);
    CU_ASSERT_STRING_EQUAL(c, "via link");
    free(c);
    CU_ASSERT_EQUAL(count_entries(".tmp"), 0);
    /* a name of 250 bytes still gets a temporary file (its name is shortened) */
    {
        char name[251];
        memset(name, 'n', 250);
        name[250] = '\0';
        s = dsj_sink_new_path(tpath(name), &e);
        CU_ASSERT_PTR_NOT_NULL_FATAL(s);
        CU_ASSERT_EQUAL(dsj_sink_write(s, "long", 4, &e), DSJ_OK);
        CU_ASSERT_EQUAL(dsj_sink_commit(s, &e), DSJ_OK);
        dsj_sink_free(s);
        c = dsj_test_slurp(tpath(name), &len);
        CU_ASSERT_STRING_EQUAL(c, "long");
        free(c);
        unlink(tpath(name));
    }
}

/* In a child with RLIMIT_FSIZE: the write fails (EFBIG), DSJ_E_IO names the file, nothing is left. */
static void test_write_failure_fsize(void)
{
    const char *p = tpath("big.json");
    pid_t pid;
    int status = 0;
    char *c;
    size_t len;
    write_file(p, "KEEP", 4);
    fflush(NULL);
    pid = fork();
    CU_ASSERT_FATAL(pid >= 0);
    if (pid == 0) {
        struct rlimit rl = { 100000, 100000 };
        dsj_error_t e;
        dsj_sink_t *s;
        unsigned char *data = make_data(1 << 20, 10);
        int i, code = 0;
        signal(SIGXFSZ, SIG_IGN);
        if (setrlimit(RLIMIT_FSIZE, &rl) != 0) _exit(10);
        s = dsj_sink_new_path(p, &e);
        if (!s) _exit(11);
        for (i = 0; i < 4 && code == 0; i++) code = dsj_sink_write(s, data, 1 << 20, &e);
        if (code == DSJ_OK) code = dsj_sink_commit(s, &e);
        if (code != DSJ_E_IO) _exit(12);
        if (!strstr(e.text, p) || !strstr(e.text, "File too large")) _exit(13);
        if (dsj_sink_write(s, "x", 1, &e) != DSJ_E_IO) _exit(14); /* sticky */
        if (dsj_sink_commit(s, &e) != DSJ_E_IO) _exit(15);
        dsj_sink_free(s);
        /* the same through a deflate sink (random data does not compress) */
        s = dsj_sink_new_deflate(dsj_sink_new_path(p, &e), 1, 0, &e);
        if (!s) _exit(16);
        for (i = 0, code = 0; i < 4 && code == 0; i++) code = dsj_sink_write(s, data, 1 << 20, &e);
        if (code == DSJ_OK) code = dsj_sink_commit(s, &e);
        if (code != DSJ_E_IO || !strstr(e.text, p)) _exit(17);
        dsj_sink_free(s);
        free(data);
        _exit(0);
    }
    CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
    CU_ASSERT(WIFEXITED(status));
    CU_ASSERT_EQUAL(WEXITSTATUS(status), 0);
    c = dsj_test_slurp(p, &len);
    CU_ASSERT_STRING_EQUAL(c, "KEEP");
    free(c);
    CU_ASSERT_EQUAL(count_entries(".tmp"), 0);
}

/* stdout ("-") and FILE * sinks; EPIPE surfaces as DSJ_E_IO. */
static void test_stdout_and_file_sinks(void)
{
    int pfd[2], saved = dup(STDOUT_FILENO);
    dsj_error_t e;
    dsj_sink_t *s;
    char buf[64];
    FILE *fp;
    const char *p = tpath("fp.txt");
    char *c;
    size_t len;
    void (*old)(int) = signal(SIGPIPE, SIG_IGN);
    fflush(stdout);
    CU_ASSERT_FATAL(pipe(pfd) == 0);
    dup2(pfd[1], STDOUT_FILENO);
    close(pfd[1]);
    s = dsj_sink_new_path("-", &e);
    CU_ASSERT_EQUAL(dsj_sink_write(s, "to stdout", 9, &e), DSJ_OK);
    CU_ASSERT_EQUAL(dsj_sink_commit(s, &e), DSJ_OK);
    dsj_sink_free(s);
    CU_ASSERT_EQUAL(read(pfd[0], buf, sizeof buf), 9);
    CU_ASSERT(memcmp(buf, "to stdout", 9) == 0);
    close(pfd[0]); /* reader gone: the next write gets EPIPE */
    s = dsj_sink_new_path("-", &e);
    CU_ASSERT_EQUAL(dsj_sink_write(s, "x", 1, &e), DSJ_OK);
    CU_ASSERT_EQUAL(dsj_sink_commit(s, &e), DSJ_E_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "Broken pipe"));
    CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "<stdout>"));
    dsj_sink_free(s);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    signal(SIGPIPE, old);
    fp = fopen(p, "wb");
    s = dsj_sink_new_file(fp, &e);
    CU_ASSERT_EQUAL(dsj_sink_write(s, "hello file", 10, &e), DSJ_OK);
    CU_ASSERT_EQUAL(dsj_sink_commit(s, &e), DSJ_OK);
    dsj_sink_free(s);
    CU_ASSERT_EQUAL(fputs("!", fp) >= 0, 1); /* the FILE stays open */
    fclose(fp);
    c = dsj_test_slurp(p, &len);
    CU_ASSERT_STRING_EQUAL(c, "hello file!");
    free(c);
}

int main(void)
{
    static const dsj_test_case_t cases[] = {
        { "sources read the same bytes", test_sources_same_bytes },
        { "source names and open errors", test_source_names_and_errors },
        { "callback read error is sticky", test_callback_error_sticky },
        { "peek then read", test_peek },
        { "seek on path, memory, FILE", test_seek },
        { "stdin seekability", test_stdin_seekable },
        { "inflate every corpus .dsjc", test_inflate_corpus },
        { "inflate zlib and concatenated gzip", test_inflate_formats },
        { "inflate corrupt and truncated", test_inflate_corrupt },
        { "inflate with damaged bytes", test_inflate_flips },
        { "inflate after peek on the raw source", test_inflate_after_peek },
        { "inflate size limit", test_inflate_limit },
        { "memory sink", test_memory_sink },
        { "callback sink", test_callback_sink },
        { "deflate sink round trip", test_deflate_roundtrip },
        { "deflate file readable by gzip", test_deflate_file_gzip_tool },
        { "atomic path sink", test_atomic_sink },
        { "device and symlink targets", test_special_targets },
        { "write failure (RLIMIT_FSIZE)", test_write_failure_fsize },
        { "stdout and FILE sinks", test_stdout_and_file_sinks },
        { NULL, NULL }
    };
    int rc = dsj_test_run("io", cases);
    rm_tmpdir();
    return rc;
}
