/*
 * XPT/SAS7BDAT reader, metadata half: ReadStat I/O over the source's file
 * descriptor, the first (metadata) pass, the record count, text encoding,
 * and the Dataset-JSON metadata with or without a define.  See xpt_internal.h
 * and docs/xpt.md.
 */
#include "xpt_internal.h"
#include "convert_internal.h"

#include <errno.h>
#include <readstat.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { XPT_IO_BUF = 256 * 1024 };

/* ================================================================ I/O */

int dsj_xpt_io_init(xpt_io_t *io, int fd, uint64_t base)
{
    struct stat st;
    memset(io, 0, sizeof *io);
    io->fd = fd;
    io->base = base;
    if (fstat(fd, &st) != 0 || (uint64_t)st.st_size < base) return -1;
    io->size = (uint64_t)st.st_size - base;
    io->buf = dsj_malloc(XPT_IO_BUF);
    return io->buf ? 0 : -1;
}

void dsj_xpt_io_free(xpt_io_t *io)
{
    dsj_free(io->buf);
    io->buf = NULL;
}

long dsj_xpt_io_pread(const xpt_io_t *io, void *buf, size_t n, uint64_t off)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = pread(io->fd, (char *)buf + got, n - got, (off_t)(io->base + off + got));
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return -1;
        if (r == 0) break;
        got += (size_t)r;
    }
    return (long)got;
}

/* XPORT: every header is an 80-byte record on an 80-byte boundary; a second member starts with this one. */
static const char member_tag[] = "HEADER RECORD*******MEMB";
enum { MEMBER_TAG_LEN = sizeof member_tag - 1 };

static void scan_members(xpt_io_t *io)
{
    const unsigned char *p = io->buf, *end = io->buf + io->buf_len;
    while ((p = memmem(p, (size_t)(end - p), member_tag, MEMBER_TAG_LEN)) != NULL) {
        uint64_t off = io->buf_at + (uint64_t)(p - io->buf);
        if (off >= io->scan_from && (io->base + off) % 80 == 0) {
            io->member_at = off;
            return;
        }
        p++;
    }
}

static int io_open(const char *path, void *ctx)
{
    xpt_io_t *io = ctx;
    (void)path; /* the source is already open */
    io->pos = 0;
    io->buf_len = 0;
    return 0;
}

static int io_close(void *ctx)
{
    (void)ctx; /* the source owns the descriptor */
    return 0;
}

static readstat_off_t io_seek(readstat_off_t off, readstat_io_flags_t whence, void *ctx)
{
    xpt_io_t *io = ctx;
    int64_t np = whence == READSTAT_SEEK_SET ? (int64_t)off
               : whence == READSTAT_SEEK_CUR ? (int64_t)io->pos + (int64_t)off
               : (int64_t)io->size + (int64_t)off;
    if (np < 0) return -1;
    io->pos = (uint64_t)np;
    return (readstat_off_t)np;
}

static ssize_t io_read(void *buf, size_t n, void *ctx)
{
    xpt_io_t *io = ctx;
    size_t done = 0;
    while (done < n) {
        if (io->pos >= io->buf_at && io->pos < io->buf_at + io->buf_len) {
            size_t at = (size_t)(io->pos - io->buf_at), k = io->buf_len - at;
            if (k > n - done) k = n - done;
            memcpy((char *)buf + done, io->buf + at, k);
            done += k;
            io->pos += k;
            continue;
        }
        if (n - done >= XPT_IO_BUF) { /* large read: straight through */
            long r = dsj_xpt_io_pread(io, (char *)buf + done, n - done, io->pos);
            if (r < 0) return -1;
            done += (size_t)r;
            io->pos += (uint64_t)r;
            break;
        } else {
            /* With a member scan, keep the last bytes of the previous chunk so that a header
               record split across two chunks is still seen whole. */
            uint64_t at = io->scan_from && io->pos >= io->scan_from + MEMBER_TAG_LEN ? io->pos - MEMBER_TAG_LEN : io->pos;
            long r = dsj_xpt_io_pread(io, io->buf, XPT_IO_BUF, at);
            if (r < 0) return -1;
            io->buf_at = at;
            io->buf_len = (size_t)r;
            if (io->scan_from && !io->member_at) scan_members(io);
            if (io->progress) atomic_store_explicit(io->progress, io->pos + (uint64_t)r, memory_order_relaxed);
            if (io->pos >= io->buf_at + io->buf_len) break; /* end of file */
        }
    }
    return (ssize_t)done;
}

static readstat_error_t io_update(long file_size, readstat_progress_handler h, void *user_ctx, void *ctx)
{
    (void)file_size;
    (void)h;
    (void)user_ctx;
    (void)ctx;
    return READSTAT_OK;
}

int dsj_xpt_io_install(struct readstat_parser_s *p, xpt_io_t *io)
{
    return readstat_set_open_handler(p, io_open) != READSTAT_OK || readstat_set_close_handler(p, io_close) != READSTAT_OK ||
           readstat_set_seek_handler(p, io_seek) != READSTAT_OK || readstat_set_read_handler(p, io_read) != READSTAT_OK ||
           readstat_set_update_handler(p, io_update) != READSTAT_OK || readstat_set_io_ctx(p, io) != READSTAT_OK;
}

/* ================================================================ encoding */

size_t dsj_xpt_to_utf8(xpt_reader_t *x, const char *s, size_t n, dsj_buf_t *out)
{
    size_t i;
    dsj_buf_reset(out);
    for (i = 0; i < n && !((unsigned char)s[i] & 0x80); i++) {}
    if (i == n || x->enc_utf8) { /* ASCII (common to every supported encoding) or UTF-8 */
        size_t bad = i == n ? n : dsj_utf8_check(s, n);
        if (bad < n) return bad + 1;
        return dsj_buf_append(out, s, n) ? (size_t)-1 : 0;
    } else {
        char *in = (char *)s;
        size_t left = n;
        iconv(x->cd, NULL, NULL, NULL, NULL);
        while (left > 0) {
            char *o;
            size_t room, r;
            if (dsj_buf_reserve(out, left * 4 + 8)) return (size_t)-1;
            o = out->data + out->len;
            room = out->cap - out->len - 1;
            r = iconv(x->cd, &in, &left, &o, &room);
            out->len = (size_t)(o - out->data);
            out->data[out->len] = '\0';
            if (r == (size_t)-1 && errno != E2BIG) return (size_t)(in - s) + 1;
        }
        return 0;
    }
}

/* Decoded copy of a name or label [owned], or NULL (err filled). */
static char *decode_text(xpt_reader_t *x, const char *s, const char *what, const char *var, dsj_error_t *err)
{
    dsj_buf_t b;
    size_t r;
    dsj_buf_init(&b);
    r = dsj_xpt_to_utf8(x, s ? s : "", s ? strlen(s) : 0, &b);
    if (r == (size_t)-1) {
        dsj_buf_free(&b);
        dsj_error_set(err, DSJ_E_NOMEM, x->name, 0, 0, 0, "out of memory");
        return NULL;
    }
    if (r) {
        dsj_error_set(err, DSJ_E_ENCODING, x->name, 0, 0, 0,
                      "%s%s%s: byte 0x%02X at byte %zu cannot be decoded as %s (give the file's encoding with --encoding)",
                      what, var ? " of variable " : "", var ? var : "", (unsigned char)s[r - 1], r, x->encoding);
        dsj_buf_free(&b);
        return NULL;
    }
    return dsj_buf_steal(&b);
}

/* ================================================================ first pass */

typedef struct meta_pass {
    xpt_reader_t *x;
    xpt_io_t *io;
    char *table_name;     /* [owned] raw */
    char *file_label;     /* [owned] raw */
    char *file_encoding;  /* [owned] as ReadStat reports it, or NULL */
    int64_t row_count;    /* -1 unknown */
    time_t mtime;
    uint64_t data_start;  /* XPT: offset of the first row */
    int have_data_start;
    size_t cap;
    struct raw_var { char *name, *label, *format; int is_string; size_t width; } *raw;
    size_t nraw;
    int oom;
    int stopped;          /* we aborted on purpose at the first value */
} meta_pass_t;

static int on_metadata(readstat_metadata_t *md, void *ctx)
{
    meta_pass_t *mp = ctx;
    const char *t = readstat_get_table_name(md), *l = readstat_get_file_label(md), *e = readstat_get_file_encoding(md);
    mp->row_count = readstat_get_row_count(md);
    mp->mtime = readstat_get_modified_time(md);
    if (t && *t && !(mp->table_name = dsj_strdup(t))) mp->oom = 1;
    if (l && *l && !(mp->file_label = dsj_strdup(l))) mp->oom = 1;
    if (e && *e && !(mp->file_encoding = dsj_strdup(e))) mp->oom = 1;
    return mp->oom ? READSTAT_HANDLER_ABORT : READSTAT_HANDLER_OK;
}

/* SAS writes a format as NAMEw.d; ReadStat gives "DATE9" or "8.2": put the period back. */
static char *sas_format_text(const char *f)
{
    size_t n = f ? strlen(f) : 0;
    char *s;
    if (!n) return dsj_strdup("");
    if (strchr(f, '.')) return dsj_strdup(f);
    if (!(s = dsj_malloc(n + 2))) return NULL;
    memcpy(s, f, n);
    s[n] = '.';
    s[n + 1] = '\0';
    return s;
}

static int on_variable(int index, readstat_variable_t *v, const char *val_labels, void *ctx)
{
    meta_pass_t *mp = ctx;
    struct raw_var *rv;
    (void)val_labels;
    if (!mp->have_data_start) { /* XPT: ReadStat has just read the OBS header record */
        mp->data_start = mp->io->pos;
        mp->have_data_start = 1;
    }
    if ((size_t)index != mp->nraw) return READSTAT_HANDLER_ABORT;
    if (mp->nraw == mp->cap) {
        size_t nc = mp->cap ? mp->cap * 2 : 64;
        struct raw_var *nr = dsj_realloc(mp->raw, nc * sizeof *nr);
        if (!nr) {
            mp->oom = 1;
            return READSTAT_HANDLER_ABORT;
        }
        mp->raw = nr;
        mp->cap = nc;
    }
    rv = &mp->raw[mp->nraw++];
    memset(rv, 0, sizeof *rv);
    rv->is_string = readstat_variable_get_type_class(v) == READSTAT_TYPE_CLASS_STRING;
    rv->width = readstat_variable_get_storage_width(v);
    rv->name = dsj_strdup(readstat_variable_get_name(v) ? readstat_variable_get_name(v) : "");
    rv->label = dsj_strdup(readstat_variable_get_label(v) ? readstat_variable_get_label(v) : "");
    rv->format = sas_format_text(readstat_variable_get_format(v));
    if (!rv->name || !rv->label || !rv->format) {
        mp->oom = 1;
        return READSTAT_HANDLER_ABORT;
    }
    return READSTAT_HANDLER_OK;
}

static int on_first_value(int obs, readstat_variable_t *v, readstat_value_t val, void *ctx)
{
    meta_pass_t *mp = ctx;
    (void)obs;
    (void)v;
    (void)val;
    mp->stopped = 1;
    return READSTAT_HANDLER_ABORT;
}

static void meta_pass_free(meta_pass_t *mp)
{
    size_t i;
    for (i = 0; i < mp->nraw; i++) {
        dsj_free(mp->raw[i].name);
        dsj_free(mp->raw[i].label);
        dsj_free(mp->raw[i].format);
    }
    dsj_free(mp->raw);
    dsj_free(mp->table_name);
    dsj_free(mp->file_label);
    dsj_free(mp->file_encoding);
}

static int all_blank(const unsigned char *b, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (b[i] != ' ') return 0;
    return 1;
}

/* XPT: ReadStat does not know the row count before reading the rows.  Rows
   are fixed-width from data_start to the end of the file; ReadStat drops a
   partial last row and trailing all-blank rows (the 80-byte record padding),
   so do the same here. */
static dsj_status_t xpt_count_rows(xpt_reader_t *x, const meta_pass_t *mp, const xpt_io_t *io, dsj_error_t *err)
{
    size_t rowlen = 0, i;
    uint64_t n;
    unsigned char *row;
    for (i = 0; i < mp->nraw; i++) rowlen += mp->raw[i].width;
    if (rowlen == 0 || !mp->have_data_start || mp->data_start >= io->size) {
        x->records = 0;
        return DSJ_OK;
    }
    n = (io->size - mp->data_start) / rowlen;
    if (!(row = dsj_malloc(rowlen))) return dsj_error_set(err, DSJ_E_NOMEM, x->name, 0, 0, 0, "out of memory");
    while (n > 0) {
        long r = dsj_xpt_io_pread(io, row, rowlen, mp->data_start + (n - 1) * rowlen);
        if (r != (long)rowlen) {
            int e = errno;
            dsj_free(row);
            return dsj_error_set(err, DSJ_E_IO, x->name, 0, 0, mp->data_start + (n - 1) * rowlen, "read failed: %s",
                                 r < 0 ? strerror(e) : "file shorter than expected");
        }
        if (!all_blank(row, rowlen)) break;
        n--;
    }
    dsj_free(row);
    x->records = (int64_t)n;
    return DSJ_OK;
}

/* Quick look at the start: SAS CPORT files often carry an .xpt name. */
static dsj_status_t check_magic(xpt_reader_t *x, const xpt_io_t *io, dsj_error_t *err)
{
    char head[80];
    long n = dsj_xpt_io_pread(io, head, sizeof head, 0);
    if (n < 0) return dsj_error_set(err, DSJ_E_IO, x->name, 0, 0, 0, "read failed: %s", strerror(errno));
    if (n >= 14 && memcmp(head, "**COMPRESSED**", 14) == 0)
        return dsj_error_set(err, DSJ_E_FORMAT, x->name, 0, 0, 0,
                             "this is a SAS CPORT file (PROC CPORT), not a SAS XPORT transport file: "
                             "convert it with PROC CIMPORT in SAS first, then write XPORT with the XPORT engine or %%loc2xpt");
    if (x->format == DSJ_FORMAT_XPT &&
        (n < 48 || (memcmp(head, "HEADER RECORD*******LIBRARY HEADER RECORD!!!!!!!", 48) != 0 &&
                    memcmp(head, "HEADER RECORD*******LIBV8   HEADER RECORD!!!!!!!", 48) != 0)))
        return dsj_error_set(err, DSJ_E_FORMAT, x->name, 0, 0, 0,
                             "not a SAS XPORT (v5 or v8) file: it does not start with the library header record");
    return DSJ_OK;
}

static dsj_status_t setup_encoding(xpt_reader_t *x, const char *opt, const char *from_file, dsj_error_t *err)
{
    const char *e = opt && *opt ? opt : from_file && *from_file ? from_file : "WINDOWS-1252";
    if (!(x->encoding = dsj_strdup(e))) return dsj_error_set(err, DSJ_E_NOMEM, x->name, 0, 0, 0, "out of memory");
    x->enc_utf8 = !strcasecmp(e, "UTF-8") || !strcasecmp(e, "UTF8") || !strcasecmp(e, "US-ASCII") || !strcasecmp(e, "ASCII");
    x->cd = (iconv_t)-1;
    if (!x->enc_utf8 && (x->cd = iconv_open("UTF-8", e)) == (iconv_t)-1)
        return dsj_error_set(err, DSJ_E_ARG, x->name, 0, 0, 0, "unknown text encoding '%s' (iconv cannot convert it to UTF-8)", e);
    return DSJ_OK;
}

/* ================================================================ metadata */

static void finding(xpt_reader_t *x, const char *rule, dsj_severity_t sev, const char *col, const char *fmt, ...)
    DSJ_PRINTF(5, 6);
static void finding(xpt_reader_t *x, const char *rule, dsj_severity_t sev, const char *col, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    dsj_emit(x->cb, x->cb_ctx, rule, sev, x->name, 0, 0, 0, NULL, 0, col, "%s", msg);
}

static void now_iso(char *buf, size_t n)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, n, "%Y-%m-%dT%H:%M:%S", &tm);
}

/* The column a numeric variable becomes without a define. */
static void file_column(xpt_reader_t *x, xpt_var_t *v, dsj_column_t *c)
{
    dsj_datatype_t k = v->is_string ? DSJ_TYPE_NONE : dsj_sas_format_kind(v->format);
    c->name = v->name;
    c->label = v->label;
    c->display_format = *v->format ? v->format : NULL;
    if (v->is_string) {
        c->data_type = DSJ_TYPE_STRING;
        c->length = (int64_t)v->width;
        v->conv = XPT_CONV_STRING;
    } else if (k != DSJ_TYPE_NONE && !(x->flags & DSJ_READ_SAS_DATES_AS_NUMBERS)) {
        c->data_type = k;
        c->target_data_type = DSJ_TYPE_INTEGER;
        v->conv = k == DSJ_TYPE_DATE ? XPT_CONV_DATE : k == DSJ_TYPE_DATETIME ? XPT_CONV_DATETIME : XPT_CONV_TIME;
    } else if (k != DSJ_TYPE_NONE) {
        c->data_type = DSJ_TYPE_INTEGER;
        v->conv = XPT_CONV_INTEGER;
    } else {
        c->data_type = DSJ_TYPE_DOUBLE;
        v->conv = XPT_CONV_NUMBER;
    }
}

/* Conversion of a variable into a define column (c may be adjusted). */
static void define_conv(xpt_reader_t *x, xpt_var_t *v, dsj_column_t *c)
{
    const char *tn = dsj_datatype_name(c->data_type);
    if (v->is_string) {
        v->conv = XPT_CONV_STRING;
        if (c->data_type == DSJ_TYPE_INTEGER || c->data_type == DSJ_TYPE_FLOAT || c->data_type == DSJ_TYPE_DOUBLE ||
            c->data_type == DSJ_TYPE_BOOLEAN)
            finding(x, "XPT-DEFINE-TYPE", DSJ_SEV_ERROR, v->name,
                    "variable %s is character in the file but the define gives dataType %s: its values are kept as strings",
                    v->name, tn);
        return;
    }
    switch (c->data_type) {
    case DSJ_TYPE_INTEGER: v->conv = XPT_CONV_INTEGER; return;
    case DSJ_TYPE_FLOAT:
    case DSJ_TYPE_DOUBLE: v->conv = XPT_CONV_NUMBER; return;
    case DSJ_TYPE_DECIMAL: v->conv = XPT_CONV_NUM_STRING; return;
    case DSJ_TYPE_DATE:
    case DSJ_TYPE_DATETIME:
    case DSJ_TYPE_TIME:
        if (x->flags & DSJ_READ_SAS_DATES_AS_NUMBERS) {
            c->data_type = DSJ_TYPE_INTEGER;
            c->data_type_text = NULL;
            c->target_data_type = DSJ_TYPE_NONE;
            v->conv = XPT_CONV_INTEGER;
            return;
        }
        v->conv = c->data_type == DSJ_TYPE_DATE ? XPT_CONV_DATE : c->data_type == DSJ_TYPE_DATETIME ? XPT_CONV_DATETIME : XPT_CONV_TIME;
        c->target_data_type = DSJ_TYPE_INTEGER;
        return;
    case DSJ_TYPE_BOOLEAN:
        v->conv = XPT_CONV_NUMBER;
        finding(x, "XPT-DEFINE-TYPE", DSJ_SEV_ERROR, v->name,
                "variable %s is numeric in the file but the define gives dataType boolean: its values are kept as numbers", v->name);
        return;
    default:
        v->conv = XPT_CONV_NUM_STRING;
        finding(x, "XPT-DEFINE-TYPE", DSJ_SEV_WARNING, v->name,
                "variable %s is numeric in the file but the define gives dataType %s: its values are written as number text strings",
                v->name, tn);
        return;
    }
}

static char *upper_dup(const char *s)
{
    char *u = dsj_strdup(s);
    size_t i;
    if (u)
        for (i = 0; u[i]; i++)
            if (u[i] >= 'a' && u[i] <= 'z') u[i] = (char)(u[i] - 'a' + 'A');
    return u;
}

/* Dataset name: the member name, else the file's base name without extension. */
static char *dataset_name(const xpt_reader_t *x, const char *table)
{
    const char *b, *dot;
    char *s, *u;
    if (table && *table) return upper_dup(table);
    b = strrchr(x->name, '/');
    b = b ? b + 1 : x->name;
    dot = strrchr(b, '.');
    if (!(s = dot ? dsj_strndup(b, (size_t)(dot - b)) : dsj_strdup(b))) return NULL;
    u = upper_dup(s);
    dsj_free(s);
    return u;
}

static dsj_status_t build_meta(xpt_reader_t *x, const dsj_reader_options_t *opts, const char *ds, const char *label,
                               time_t mtime, dsj_meta_t **out, dsj_error_t *err)
{
    dsj_meta_t *m = NULL, *dm = NULL;
    char tbuf[64], oid[512];
    size_t i, j;
    int fail = 0;
    unsigned char *used = NULL;

    if (opts->define) {
        dsj_error_t e;
        dsj_error_clear(&e);
        dm = dsj_define_dataset_meta(opts->define, ds, DSJ_V1_1, &e);
        if (!dm && e.code == DSJ_E_NOMEM) return dsj_error_set(err, DSJ_E_NOMEM, x->name, 0, 0, 0, "out of memory");
        if (!dm)
            finding(x, "XPT-DEFINE-DATASET", DSJ_SEV_WARNING, NULL,
                    "the define has no dataset %s (%s): metadata comes from the file, OIDs are IG.%s and IT.%s.<VARIABLE>", ds,
                    e.text, ds, ds);
    } else {
        finding(x, "XPT-NO-DEFINE", DSJ_SEV_WARNING, NULL,
                "no define.xml given: names, labels and formats come from the file, OIDs are IG.%s and IT.%s.<VARIABLE>, "
                "numeric variables are doubles (dates, times and datetimes by their SAS format)", ds, ds);
    }
    if (!(m = dsj_meta_new(DSJ_V1_1))) goto nomem;
    now_iso(tbuf, sizeof tbuf);
    fail |= dsj_meta_set(m, DSJ_META_CREATION_DATETIME, tbuf) != DSJ_OK;
    fail |= dsj_meta_set(m, DSJ_META_DATASET_JSON_VERSION, "1.1.0") != DSJ_OK;
    if (mtime > 0) {
        struct tm tm;
        /* XPT: ReadStat made mtime with mktime from the header's wall-clock text; sas7bdat: seconds since 1970 UTC. */
        if ((x->format == DSJ_FORMAT_XPT ? localtime_r(&mtime, &tm) : gmtime_r(&mtime, &tm)) &&
            strftime(tbuf, sizeof tbuf, "%Y-%m-%dT%H:%M:%S", &tm))
            fail |= dsj_meta_set(m, DSJ_META_DB_LAST_MODIFIED_DATETIME, tbuf) != DSJ_OK;
    }
    if (dm) {
        const char *define_path = dsj_define_file(opts->define), *base;
        fail |= dsj_meta_set(m, DSJ_META_STUDY_OID, dsj_meta_get(dm, DSJ_META_STUDY_OID)) != DSJ_OK;
        fail |= dsj_meta_set(m, DSJ_META_METADATA_VERSION_OID, dsj_meta_get(dm, DSJ_META_METADATA_VERSION_OID)) != DSJ_OK;
        if (define_path && *define_path) {
            base = strrchr(define_path, '/');
            fail |= dsj_meta_set(m, DSJ_META_METADATA_REF, base ? base + 1 : define_path) != DSJ_OK;
        }
        fail |= dsj_meta_set(m, DSJ_META_ITEMGROUP_OID, dsj_meta_get(dm, DSJ_META_ITEMGROUP_OID)) != DSJ_OK;
        fail |= dsj_meta_set(m, DSJ_META_NAME, dsj_meta_get(dm, DSJ_META_NAME)) != DSJ_OK;
        fail |= dsj_meta_set(m, DSJ_META_LABEL, dsj_meta_get(dm, DSJ_META_LABEL) ? dsj_meta_get(dm, DSJ_META_LABEL) : label) != DSJ_OK;
    } else {
        snprintf(oid, sizeof oid, "IG.%s", ds);
        fail |= dsj_meta_set(m, DSJ_META_ITEMGROUP_OID, oid) != DSJ_OK;
        fail |= dsj_meta_set(m, DSJ_META_NAME, ds) != DSJ_OK;
        fail |= dsj_meta_set(m, DSJ_META_LABEL, label ? label : "") != DSJ_OK;
    }
    dsj_meta_set_records(m, x->records);
    dsj_meta_set_has_rows(m, 1);
    if (fail) goto nomem;
    if (!(used = dsj_calloc(x->nvars ? x->nvars : 1, 1))) goto nomem;

    /* Columns: the define's, in its order, for the variables the file has; then the file's others. */
    if (dm) {
        for (j = 0; j < dsj_meta_ncolumns(dm); j++) {
            dsj_column_t c = *dsj_meta_column(dm, j);
            xpt_var_t *v = NULL;
            for (i = 0; i < x->nvars; i++)
                if (!used[i] && c.name && strcasecmp(x->vars[i].name, c.name) == 0) {
                    v = &x->vars[i];
                    used[i] = 1;
                    break;
                }
            if (!v) {
                finding(x, "XPT-DEFINE-EXTRA-VAR", DSJ_SEV_WARNING, c.name,
                        "the define lists variable %s in %s but the file does not have it: left out", c.name ? c.name : "?", ds);
                continue;
            }
            if (c.label && strcmp(c.label, v->label) != 0)
                finding(x, "XPT-DEFINE-LABEL", DSJ_SEV_WARNING, v->name,
                        "variable %s: the file's label '%s' differs from the define's '%s' (the define's is used)", v->name,
                        v->label, c.label);
            if (v->is_string && c.length > 0 && (size_t)c.length != v->width)
                finding(x, "XPT-DEFINE-LENGTH", DSJ_SEV_WARNING, v->name,
                        "variable %s: length %zu in the file, %lld in the define (the define's is used)", v->name, v->width,
                        (long long)c.length);
            define_conv(x, v, &c);
            v->out = dsj_meta_ncolumns(m);
            if (dsj_meta_add_column(m, &c) != DSJ_OK) goto nomem;
        }
    }
    for (i = 0; i < x->nvars; i++) {
        dsj_column_t c;
        xpt_var_t *v = &x->vars[i];
        if (used[i]) continue;
        memset(&c, 0, sizeof c);
        if (dm)
            finding(x, "XPT-DEFINE-MISSING-VAR", DSJ_SEV_WARNING, v->name,
                    "variable %s is in the file but not in the define's %s: metadata from the file, OID IT.%s.%s", v->name, ds, ds,
                    v->name);
        file_column(x, v, &c);
        snprintf(oid, sizeof oid, "IT.%s.%s", ds, v->name);
        c.item_oid = oid;
        v->out = dsj_meta_ncolumns(m);
        if (dsj_meta_add_column(m, &c) != DSJ_OK) goto nomem;
    }
    dsj_free(used);
    dsj_meta_free(dm);
    *out = m;
    return DSJ_OK;
nomem:
    dsj_free(used);
    dsj_meta_free(dm);
    dsj_meta_free(m);
    return dsj_error_set(err, DSJ_E_NOMEM, x->name, 0, 0, 0, "out of memory");
}

dsj_status_t dsj_xpt_read_meta(xpt_reader_t *x, const dsj_reader_options_t *opts, dsj_meta_t **meta, dsj_error_t *err)
{
    meta_pass_t mp;
    xpt_io_t io;
    readstat_parser_t *p = NULL;
    readstat_error_t rc;
    dsj_status_t st = DSJ_OK;
    char *ds = NULL, *label = NULL;
    size_t i;

    memset(&mp, 0, sizeof mp);
    mp.x = x;
    mp.io = &io;
    mp.row_count = -1;
    if (dsj_xpt_io_init(&io, x->fd, x->fd_base) != 0)
        return dsj_error_set(err, DSJ_E_IO, x->name, 0, 0, 0, "cannot read the file: %s", strerror(errno));
    if ((st = check_magic(x, &io, err)) != DSJ_OK) goto done;
    if (!(p = readstat_parser_init())) {
        st = dsj_error_set(err, DSJ_E_NOMEM, x->name, 0, 0, 0, "out of memory");
        goto done;
    }
    /* No conversion by ReadStat: raw bytes come through and are decoded here, with row and column in errors. */
    readstat_set_handler_character_encoding(p, NULL);
    readstat_set_metadata_handler(p, on_metadata);
    readstat_set_variable_handler(p, on_variable);
    readstat_set_value_handler(p, on_first_value);
    if (dsj_xpt_io_install(p, &io)) {
        st = dsj_error_set(err, DSJ_E_NOMEM, x->name, 0, 0, 0, "out of memory");
        goto done;
    }
    rc = x->format == DSJ_FORMAT_SAS7BDAT ? readstat_parse_sas7bdat(p, x->name, &mp) : readstat_parse_xport(p, x->name, &mp);
    if (mp.oom) {
        st = dsj_error_set(err, DSJ_E_NOMEM, x->name, 0, 0, 0, "out of memory");
        goto done;
    }
    if (rc != READSTAT_OK && !(rc == READSTAT_ERROR_USER_ABORT && mp.stopped)) {
        st = dsj_error_set(err, DSJ_E_FORMAT, x->name, 0, 0, 0, "not a readable %s file: %s (ReadStat)",
                           x->format == DSJ_FORMAT_SAS7BDAT ? "SAS7BDAT" : "SAS XPORT", readstat_error_message(rc));
        goto done;
    }
    if ((st = setup_encoding(x, opts->encoding, mp.file_encoding, err)) != DSJ_OK) goto done;
    if (x->format == DSJ_FORMAT_SAS7BDAT) x->records = mp.row_count < 0 ? 0 : mp.row_count;
    else if ((st = xpt_count_rows(x, &mp, &io, err)) != DSJ_OK) goto done;
    x->data_start = mp.data_start;

    x->nvars = x->ncols = mp.nraw;
    if (!(x->vars = dsj_calloc(mp.nraw ? mp.nraw : 1, sizeof *x->vars))) {
        st = dsj_error_set(err, DSJ_E_NOMEM, x->name, 0, 0, 0, "out of memory");
        goto done;
    }
    for (i = 0; i < mp.nraw; i++) {
        xpt_var_t *v = &x->vars[i];
        v->is_string = mp.raw[i].is_string;
        v->width = mp.raw[i].width;
        if (!(v->name = decode_text(x, mp.raw[i].name, "the name", NULL, err)) ||
            !(v->label = decode_text(x, mp.raw[i].label, "the label", v->name, err)) ||
            !(v->format = decode_text(x, mp.raw[i].format, "the format", v->name, err))) {
            st = err ? err->code : DSJ_E_ENCODING;
            goto done;
        }
    }
    {
        char *tn = mp.table_name ? decode_text(x, mp.table_name, "the dataset name", NULL, err) : NULL;
        if (mp.table_name && !tn) {
            st = err ? err->code : DSJ_E_ENCODING;
            goto done;
        }
        ds = dataset_name(x, tn);
        dsj_free(tn);
        if (!ds) {
            st = dsj_error_set(err, DSJ_E_NOMEM, x->name, 0, 0, 0, "out of memory");
            goto done;
        }
    }
    if (mp.file_label && !(label = decode_text(x, mp.file_label, "the dataset label", NULL, err))) {
        st = err ? err->code : DSJ_E_ENCODING;
        goto done;
    }
    st = build_meta(x, opts, ds, label, mp.mtime, meta, err);
done:
    if (p) readstat_parser_free(p);
    dsj_xpt_io_free(&io);
    meta_pass_free(&mp);
    dsj_free(ds);
    dsj_free(label);
    return st;
}
