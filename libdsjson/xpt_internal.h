/*
 * Private to the XPT/SAS7BDAT reader (xpt_read.c: rows, xpt_meta.c:
 * metadata).  Never installed.  docs/xpt.md describes the behaviour.
 *
 * ReadStat parses by pushing values to callbacks.  The reader turns that into
 * pulls: dsj_xpt_reader_open reads the metadata in a first, short ReadStat
 * pass (it stops at the first value), then a producer thread runs the full
 * parse and hands finished rows to the consumer (dsj_reader_next) in batches
 * through a small ring of XPT_NBATCH batches, so memory stays bounded
 * whatever the row count.  Cell texts (numbers, ISO dates, UTF-8 strings) are
 * made in the producer; findings about values travel with their batch and are
 * delivered by the consumer, so the caller's finding callback always runs on
 * the caller's thread.
 */
#ifndef DSJ_XPT_INTERNAL_H
#define DSJ_XPT_INTERNAL_H

#include "backend_internal.h"

#include <iconv.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

/* What a variable's values become. */
typedef enum xpt_conv {
    XPT_CONV_STRING = 0,  /* character: trailing blanks trimmed, converted to UTF-8; blank -> "" */
    XPT_CONV_NUMBER,      /* numeric -> JSON number (sasnum rules) */
    XPT_CONV_INTEGER,     /* numeric -> JSON integer (a fraction is an XPT-VALUE-INTEGER finding) */
    XPT_CONV_DATE,        /* SAS day count -> "YYYY-MM-DD" */
    XPT_CONV_DATETIME,    /* SAS seconds since 1960 -> "YYYY-MM-DDThh:mm:ss" */
    XPT_CONV_TIME,        /* SAS seconds since midnight -> "hh:mm:ss" */
    XPT_CONV_NUM_STRING   /* numeric -> its number text as a JSON string (decimal, or a define text type) */
} xpt_conv_t;

typedef struct xpt_var {
    char *name;           /* [owned] UTF-8, as in the file */
    char *label;          /* [owned] UTF-8, "" when none */
    char *format;         /* [owned] SAS display format with its period ("DATE9."), "" when none */
    int is_string;
    size_t width;         /* storage width in bytes */
    size_t out;           /* output column index */
    xpt_conv_t conv;
} xpt_var_t;

/* A finding about a value, queued with its batch. */
typedef struct xpt_pending {
    uint64_t row;
    size_t var;
    const char *rule;     /* [borrowed, static] */
    dsj_severity_t sev;
    size_t msg_off;       /* into the batch's msgs */
} xpt_pending_t;

enum { XPT_NBATCH = 4, XPT_BATCH_ROWS = 512, XPT_BATCH_BYTES = 256 * 1024 };

typedef struct xpt_batch {
    dsj_buf_t text;       /* every cell text, NUL-separated */
    size_t *off;          /* [XPT_BATCH_ROWS * ncols] cell text offsets */
    size_t *len;
    unsigned char *kind;  /* dsj_cell_kind_t */
    size_t nrows;
    uint64_t first_row;   /* 1-based index of row 0 */
    xpt_pending_t *pend;
    size_t npend, cap_pend;
    dsj_buf_t msgs;
} xpt_batch_t;

/* Positioned reads over the source's file descriptor, buffered. */
typedef struct xpt_io {
    int fd;
    uint64_t base;        /* offset of byte 0 in the fd */
    uint64_t size;        /* bytes from base to the end */
    uint64_t pos;
    unsigned char *buf;   /* [owned] read-ahead */
    uint64_t buf_at;
    size_t buf_len;
    atomic_uint_least64_t *progress; /* [borrowed] bytes read so far, or NULL */
    uint64_t scan_from;   /* XPT: look for a second member's header from here on (0 = do not) */
    uint64_t member_at;   /* offset of a second member's header record, 0 = none seen */
} xpt_io_t;

typedef struct xpt_reader {
    /* set at open, read-only afterwards */
    dsj_source_t *src;        /* [owned] kept open for its fd */
    char *name;               /* [owned] file name for messages */
    dsj_format_t format;
    unsigned flags;           /* DSJ_READ_* */
    unsigned sas_ulps;            /* opts->sas_ulps: number text tolerance (0 = 1) */
    dsj_finding_cb cb;
    void *cb_ctx;
    int fd;
    uint64_t fd_base;
    size_t nvars;
    xpt_var_t *vars;          /* [owned] in file order */
    size_t ncols;             /* == nvars */
    int64_t records;
    uint64_t data_start;      /* XPT: offset of the first row */
    char *encoding;           /* [owned] iconv name of the text encoding */
    int enc_utf8;             /* UTF-8: validate instead of converting */
    iconv_t cd;               /* to UTF-8, (iconv_t)-1 when enc_utf8 */

    /* producer thread only */
    xpt_io_t pio;
    xpt_batch_t *fill;        /* batch being filled, NULL between batches */
    uint64_t prod_rows;       /* rows finished */
    size_t next_var;          /* index of the next expected variable in the row */
    dsj_buf_t conv;           /* iconv scratch */

    /* shared, under mu */
    pthread_mutex_t mu;
    pthread_cond_t cv_filled, cv_free;
    xpt_batch_t batches[XPT_NBATCH];
    size_t head, count;       /* ring of filled batches (the consumer's current one included) */
    int done;                 /* producer finished (see perr) */
    dsj_error_t perr;         /* producer error, code DSJ_OK when none */
    atomic_int cancel;
    atomic_uint_least64_t progress;
    pthread_t thread;
    int thread_started;
    int sync_inited;

    /* consumer */
    xpt_batch_t *reading;
    size_t rpos;
    size_t ppos;              /* next pending finding of `reading` */
    dsj_cell_t *cells;        /* [owned] ncols */
    dsj_row_t row;
    uint64_t consumed;
    int finished;
} xpt_reader_t;

/* ---- xpt_meta.c ---- */

/* ReadStat I/O handlers over io (an xpt_io_t). */
struct readstat_parser_s;
int dsj_xpt_io_install(struct readstat_parser_s *parser, xpt_io_t *io);
int dsj_xpt_io_init(xpt_io_t *io, int fd, uint64_t base);
void dsj_xpt_io_free(xpt_io_t *io);
/* Read n bytes at offset off (from base) directly; returns bytes read or -1. */
long dsj_xpt_io_pread(const xpt_io_t *io, void *buf, size_t n, uint64_t off);

/* First pass: variables, records, encoding, metadata (with the define when
   opts has one); findings about metadata go to opts->on_finding.  Fills x
   (vars, ncols, records, encoding, cd) and *meta [owned]. */
dsj_status_t dsj_xpt_read_meta(xpt_reader_t *x, const dsj_reader_options_t *opts, dsj_meta_t **meta,
                               dsj_error_t *err);

/* Convert s[0..n) to UTF-8 into out (reset first).  Returns 0, or the
   offset + 1 of the first byte that cannot be decoded. */
size_t dsj_xpt_to_utf8(xpt_reader_t *x, const char *s, size_t n, dsj_buf_t *out);

#endif /* DSJ_XPT_INTERNAL_H */
