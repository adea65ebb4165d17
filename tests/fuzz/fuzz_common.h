/*
 * Shared helpers of the libFuzzer harnesses (tests/fuzz/fuzz_*.c).
 *
 * Each harness defines LLVMFuzzerTestOneInput and feeds the bytes to one
 * parser of the library through its public API, the way the dsjson tool
 * does.  The harnesses check no results: libFuzzer with AddressSanitizer and
 * UndefinedBehaviorSanitizer reports crashes, memory errors, undefined
 * behaviour, leaks, hangs (-timeout) and memory blow-ups (-rss_limit_mb).
 * Built by `make fuzz` (clang -fsanitize=fuzzer,address,undefined).
 */
#ifndef DSJ_FUZZ_COMMON_H
#define DSJ_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dsjson.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A finding callback that touches every field (so sanitizers see bad pointers) and continues. */
static inline int fuzz_on_finding(const dsj_finding_t *f, void *ctx)
{
    size_t *n = ctx;
    size_t sum = 0;
    if (f->rule) sum += strlen(f->rule);
    if (f->message) sum += strlen(f->message);
    if (f->file) sum += strlen(f->file);
    if (f->pointer) sum += strlen(f->pointer);
    if (f->column_name) sum += strlen(f->column_name);
    if (n) *n += 1 + (sum & 1);
    return 0;
}

/* Touch every byte of a cell's text (so an out-of-bounds text shows up). */
static inline size_t fuzz_touch_row(const dsj_row_t *row)
{
    size_t sum = 0, i, k;
    for (i = 0; i < row->ncells; i++) {
        const dsj_cell_t *c = &row->cells[i];
        if (c->text)
            for (k = 0; k < c->len; k++) sum += (unsigned char)c->text[k];
    }
    return sum;
}

/*
 * Read a Dataset-JSON input (format JSON, NDJSON, DSJC or AUTO) twice:
 * once through the validator (reader + every Dataset-JSON rule), once
 * through a reader into a writer (memory sink) of the given output format
 * and the other version, so the writer sees fuzzed metadata and values.
 */
static inline void fuzz_dataset_json(const uint8_t *data, size_t size, dsj_format_t in_format,
                                     dsj_format_t out_format)
{
    dsj_reader_options_t ro;
    dsj_validate_options_t vo;
    dsj_error_t err;
    dsj_source_t *src;
    dsj_reader_t *r;
    size_t nfind = 0;

    dsj_reader_options_init(&ro);
    ro.format = in_format;
    ro.on_finding = fuzz_on_finding;
    ro.finding_ctx = &nfind;
    ro.max_string = 1u << 20;          /* keep the fuzzer's memory small; limits are tested elsewhere */
    dsj_validate_options_init(&vo);
    vo.file = "fuzz.json";

    src = dsj_source_new_memory(data, size, "fuzz-input", &err);
    if (src) (void)dsj_validate_source(src, &ro, &vo, fuzz_on_finding, &nfind, &err);

    src = dsj_source_new_memory(data, size, "fuzz-input", &err);
    if (!src) return;
    r = dsj_reader_new(src, &ro, &err);
    if (r) {
        dsj_writer_options_t wo;
        dsj_writer_t *w;
        const dsj_meta_t *meta = dsj_reader_meta(r);
        dsj_writer_options_init(&wo);
        wo.format = out_format;
        wo.version = dsj_meta_version(meta) == DSJ_V1_0 ? DSJ_V1_1 : DSJ_V1_0;
        wo.on_finding = fuzz_on_finding;
        wo.finding_ctx = &nfind;
        w = dsj_writer_new(dsj_sink_new_memory(&err), &wo, &err);
        if (w && dsj_writer_begin(w, meta, &err) == DSJ_OK) {
            const dsj_row_t *row;
            dsj_status_t st;
            size_t width = dsj_meta_ncolumns(meta);
            while ((st = dsj_reader_next(r, &row, &err)) == DSJ_ROW) {
                nfind += fuzz_touch_row(row);
                if (row->ncells == width) (void)dsj_writer_write_row(w, row, &err);
            }
            (void)dsj_writer_end(w, &err);
        }
        dsj_writer_free(w);
        dsj_reader_free(r);
    }
}

#endif /* DSJ_FUZZ_COMMON_H */
