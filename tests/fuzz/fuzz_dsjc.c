/*
 * libFuzzer harness: compressed Dataset-JSON (DSJC).
 *
 * The first byte chooses the mode:
 *   even: the rest is given as is (a gzip or zlib stream: exercises the
 *         inflate source, its error paths and the format sniffing);
 *   odd:  the rest is NDJSON text that the harness compresses first (gzip
 *         when bit 1 is clear, raw zlib when set), so that the fuzzer reaches
 *         the NDJSON reader through the inflate source.
 */
#include <zlib.h>

#include "fuzz_common.h"

static int compress_to(const uint8_t *in, size_t n, int gzip, uint8_t **out, size_t *out_len)
{
    z_stream zs;
    size_t cap = compressBound((uLong)n) + 64;
    int rc;
    memset(&zs, 0, sizeof zs);
    if (deflateInit2(&zs, 6, Z_DEFLATED, gzip ? 31 : 15, 8, Z_DEFAULT_STRATEGY) != Z_OK) return -1;
    *out = malloc(cap);
    if (!*out) { deflateEnd(&zs); return -1; }
    zs.next_in = (Bytef *)(uintptr_t)in;
    zs.avail_in = (uInt)n;
    zs.next_out = *out;
    zs.avail_out = (uInt)cap;
    rc = deflate(&zs, Z_FINISH);
    *out_len = cap - zs.avail_out;
    deflateEnd(&zs);
    if (rc != Z_STREAM_END) { free(*out); *out = NULL; return -1; }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *z = NULL;
    size_t zlen = 0;
    if (size < 1) return 0;
    if (!(data[0] & 1)) {
        fuzz_dataset_json(data + 1, size - 1, DSJ_FORMAT_DSJC, DSJ_FORMAT_JSON);
        fuzz_dataset_json(data + 1, size - 1, DSJ_FORMAT_AUTO, DSJ_FORMAT_DSJC);
        return 0;
    }
    if (compress_to(data + 1, size - 1, !(data[0] & 2), &z, &zlen) == 0) {
        fuzz_dataset_json(z, zlen, DSJ_FORMAT_DSJC, DSJ_FORMAT_DSJC);
        free(z);
    }
    return 0;
}
