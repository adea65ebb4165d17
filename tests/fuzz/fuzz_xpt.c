/*
 * libFuzzer harness: SAS XPORT (v5/v8) and SAS7BDAT input through ReadStat.
 * The first byte chooses the format (even: XPT, odd: SAS7BDAT); the rest is
 * written to a temporary file (ReadStat reads files) and opened with
 * dsj_reader_open; every row is read and touched.
 */
#include <stdio.h>
#include <fcntl.h>
#include <unistd.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    dsj_reader_options_t ro;
    dsj_error_t err;
    dsj_reader_t *r;
    size_t nfind = 0;
    int fd;
    FILE *fp;
    if (size < 1) return 0;
    snprintf(path, sizeof path, "/tmp/dsj-fuzz-xpt-%d.%s", (int)getpid(), (data[0] & 1) ? "sas7bdat" : "xpt");
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) return 0;
    fp = fdopen(fd, "wb");
    if (!fp) { close(fd); return 0; }
    if (size > 1) (void)fwrite(data + 1, 1, size - 1, fp);
    fclose(fp);
    dsj_reader_options_init(&ro);
    ro.format = (data[0] & 1) ? DSJ_FORMAT_SAS7BDAT : DSJ_FORMAT_XPT;
    ro.on_finding = fuzz_on_finding;
    ro.finding_ctx = &nfind;
    r = dsj_reader_open(path, &ro, &err);
    if (r) {
        const dsj_row_t *row;
        while (dsj_reader_next(r, &row, &err) == DSJ_ROW) nfind += fuzz_touch_row(row);
        dsj_reader_free(r);
    }
    unlink(path);
    return 0;
}
