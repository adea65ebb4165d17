/*
 * Decompressing source: gzip or zlib (auto-detected by zlib, windowBits
 * 15+32), reading through concatenated gzip members.  Corrupt data gives
 * DSJ_E_COMPRESSION with the compressed byte offset and zlib's message;
 * input that ends inside a stream gives "truncated compressed stream".
 */
#include "io_internal.h"

#include <limits.h>
#include <zlib.h>

typedef struct inflate_impl {
    dsj_source_t *inner;      /* owned */
    z_stream zs;
    int zinit;
    unsigned char *in;        /* input chunk */
    size_t in_cap;
    int in_eof;               /* inner source reached its end */
    int member_done;          /* Z_STREAM_END seen, next member not started */
    int done;                 /* no more output */
    uint64_t in_total;        /* compressed bytes read from inner */
    uint64_t out_total;       /* decompressed bytes produced */
    uint64_t max_out;         /* decompression-bomb guard; 0 = no limit */
    uint64_t members;         /* completed members/streams */
} inflate_impl_t;

static void inflate_close(void *p)
{
    inflate_impl_t *z = p;
    if (!z) return;
    if (z->zinit) inflateEnd(&z->zs);
    dsj_source_free(z->inner);
    dsj_free(z->in);
    dsj_free(z);
}

/* Compressed offset of the next byte zlib would consume. */
static uint64_t in_offset(const inflate_impl_t *z)
{
    return z->in_total - z->zs.avail_in;
}

static long inflate_fail(inflate_impl_t *z, dsj_error_t *err, const char *what)
{
    const char *name = dsj_source_name(z->inner);
    uint64_t off = in_offset(z);
    dsj_error_set(err, DSJ_E_COMPRESSION, name, 0, 0, off, "%s at compressed byte %llu in '%s'%s%s",
                  what, (unsigned long long)off, name, z->zs.msg ? ": " : "", z->zs.msg ? z->zs.msg : "");
    return -1;
}

static long inflate_read(void *p, void *buf, size_t n, dsj_error_t *err)
{
    inflate_impl_t *z = p;
    uInt want;
    if (z->done || n == 0) return 0;
    want = n > UINT_MAX ? UINT_MAX : (uInt)n;
    z->zs.next_out = buf;
    z->zs.avail_out = want;
    while (z->zs.avail_out == want) {
        uInt before;
        int rc;
        if (z->zs.avail_in == 0 && !z->in_eof) {
            long k = dsj_source_read(z->inner, z->in, z->in_cap, err);
            if (k < 0) return -1;
            if (k == 0) {
                z->in_eof = 1;
            } else {
                z->zs.next_in = z->in;
                z->zs.avail_in = (uInt)k;
                z->in_total += (uint64_t)k;
            }
        }
        if (z->member_done) {
            if (z->zs.avail_in == 0) {
                if (z->in_eof) {
                    z->done = 1;
                    break;
                }
                continue;
            }
            /* Another member (concatenated gzip) follows. */
            if (inflateReset(&z->zs) != Z_OK) return inflate_fail(z, err, "cannot restart decompression");
            z->member_done = 0;
        }
        before = z->zs.avail_out;
        rc = inflate(&z->zs, Z_NO_FLUSH);
        switch (rc) {
        case Z_STREAM_END:
            z->member_done = 1;
            z->members++;
            break;
        case Z_OK:
        case Z_BUF_ERROR:
            if (z->zs.avail_out == before && z->zs.avail_in == 0 && z->in_eof) {
                z->zs.msg = NULL;
                return inflate_fail(z, err, "truncated compressed stream");
            }
            break;
        case Z_NEED_DICT:
            z->zs.msg = (char *)"a preset dictionary is required";
            return inflate_fail(z, err, "corrupt compressed data");
        case Z_MEM_ERROR:
            return dsj_error_set(err, DSJ_E_NOMEM, dsj_source_name(z->inner), 0, 0, in_offset(z),
                                 "out of memory while decompressing '%s'", dsj_source_name(z->inner)),
                   -1;
        default: /* Z_DATA_ERROR, Z_STREAM_ERROR */
            return inflate_fail(z, err, "corrupt compressed data");
        }
    }
    {
        size_t produced = want - z->zs.avail_out;
        z->out_total += produced;
        if (z->max_out && z->out_total > z->max_out) {
            const char *name = dsj_source_name(z->inner);
            dsj_error_set(err, DSJ_E_LIMIT, name, 0, 0, in_offset(z),
                          "'%s' decompresses to more than %llu bytes (limit)", name,
                          (unsigned long long)z->max_out);
            return -1;
        }
        return (long)produced;
    }
}

static const dsj_source_ops_t inflate_ops = { inflate_read, inflate_close };

dsj_source_t *dsj_source_new_inflate(dsj_source_t *inner, dsj_error_t *err)
{
    inflate_impl_t *z;
    if (!inner) {
        dsj_error_set(err, DSJ_E_ARG, NULL, 0, 0, 0, "dsj_source_new_inflate: NULL source");
        return NULL;
    }
    z = dsj_calloc(1, sizeof *z);
    if (!z) {
        dsj_source_free(inner);
        dsj_error_set(err, DSJ_E_NOMEM, NULL, 0, 0, 0, "out of memory");
        return NULL;
    }
    z->inner = inner;
    z->max_out = 0; /* no limit by default */
    z->in_cap = DSJ_IO_CHUNK;
    z->in = dsj_malloc(z->in_cap);
    if (!z->in) {
        inflate_close(z);
        dsj_error_set(err, DSJ_E_NOMEM, NULL, 0, 0, 0, "out of memory");
        return NULL;
    }
    if (inflateInit2(&z->zs, 15 + 32) != Z_OK) {
        inflate_close(z);
        dsj_error_set(err, DSJ_E_NOMEM, NULL, 0, 0, 0, "cannot initialise zlib");
        return NULL;
    }
    z->zinit = 1;
    return dsj_source_new_ops(&inflate_ops, z, dsj_source_name(inner), err);
}

dsj_status_t dsj_source_inflate_set_limit(dsj_source_t *s, uint64_t max_bytes, dsj_error_t *err)
{
    inflate_impl_t *z = dsj_source_ops_impl(s, &inflate_ops);
    if (!z) return dsj_error_set(err, DSJ_E_ARG, NULL, 0, 0, 0, "not a decompressing source");
    z->max_out = max_bytes;
    return DSJ_OK;
}
