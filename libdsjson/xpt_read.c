/*
 * XPT/SAS7BDAT reader, rows half: the producer thread running ReadStat's
 * parse, cell texts, the batch ring, and the dsj_reader backend.  See
 * xpt_internal.h for the design and docs/xpt.md for the behaviour.
 */
#include "xpt_internal.h"
#include "convert_internal.h"
#include "sasnum_internal.h"

#include <errno.h>
#include <math.h>
#include <readstat.h>
#include <stdio.h>
#include <string.h>

/* ================================================================ batches */

static void batch_free(xpt_batch_t *b)
{
    dsj_buf_free(&b->text);
    dsj_buf_free(&b->msgs);
    dsj_free(b->off);
    dsj_free(b->len);
    dsj_free(b->kind);
    dsj_free(b->pend);
    memset(b, 0, sizeof *b);
}

static int batch_init(xpt_batch_t *b, size_t ncols)
{
    size_t n = XPT_BATCH_ROWS * (ncols ? ncols : 1);
    memset(b, 0, sizeof *b);
    dsj_buf_init(&b->text);
    dsj_buf_init(&b->msgs);
    b->off = dsj_malloc(n * sizeof *b->off);
    b->len = dsj_malloc(n * sizeof *b->len);
    b->kind = dsj_malloc(n);
    return b->off && b->len && b->kind ? 0 : -1;
}

static void batch_reset(xpt_batch_t *b, uint64_t first_row)
{
    dsj_buf_reset(&b->text);
    dsj_buf_reset(&b->msgs);
    b->nrows = 0;
    b->npend = 0;
    b->first_row = first_row;
}

/* ================================================================ producer */

/* Stop the parse with an error (producer side). */
static int prod_fail(xpt_reader_t *x, dsj_status_t code, const char *fmt, ...) DSJ_PRINTF(3, 4);
static int prod_fail(xpt_reader_t *x, dsj_status_t code, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (!x->perr.code) dsj_error_set(&x->perr, code, x->name, 0, 0, 0, "%s", msg);
    return READSTAT_HANDLER_ABORT;
}

/* Hand the filled batch to the consumer. */
static void publish(xpt_reader_t *x)
{
    if (!x->fill) return;
    pthread_mutex_lock(&x->mu);
    x->count++;
    pthread_cond_signal(&x->cv_filled);
    pthread_mutex_unlock(&x->mu);
    x->fill = NULL;
}

/* Take a free batch to fill; 0 ok, -1 cancelled. */
static int acquire(xpt_reader_t *x)
{
    pthread_mutex_lock(&x->mu);
    while (x->count >= XPT_NBATCH && !atomic_load(&x->cancel)) pthread_cond_wait(&x->cv_free, &x->mu);
    if (atomic_load(&x->cancel)) {
        pthread_mutex_unlock(&x->mu);
        return -1;
    }
    x->fill = &x->batches[(x->head + x->count) % XPT_NBATCH];
    pthread_mutex_unlock(&x->mu);
    batch_reset(x->fill, x->prod_rows + 1);
    return 0;
}

/* Queue a finding about the current cell. */
static int pend(xpt_reader_t *x, size_t var, const char *rule, dsj_severity_t sev, const char *fmt, ...) DSJ_PRINTF(5, 6);
static int pend(xpt_reader_t *x, size_t var, const char *rule, dsj_severity_t sev, const char *fmt, ...)
{
    xpt_batch_t *b = x->fill;
    char msg[600];
    va_list ap;
    if (b->npend == b->cap_pend) {
        size_t nc = b->cap_pend ? b->cap_pend * 2 : 16;
        xpt_pending_t *np = dsj_realloc(b->pend, nc * sizeof *np);
        if (!np) return -1;
        b->pend = np;
        b->cap_pend = nc;
    }
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    b->pend[b->npend].row = x->prod_rows + 1;
    b->pend[b->npend].var = var;
    b->pend[b->npend].rule = rule;
    b->pend[b->npend].sev = sev;
    b->pend[b->npend].msg_off = b->msgs.len;
    if (dsj_buf_append(&b->msgs, msg, strlen(msg) + 1)) return -1;
    b->npend++;
    return 0;
}

/* Store one cell's text in the current row of the fill batch. */
static int put_cell(xpt_reader_t *x, size_t col, dsj_cell_kind_t kind, const char *s, size_t n)
{
    xpt_batch_t *b = x->fill;
    size_t i = b->nrows * x->ncols + col;
    b->kind[i] = (unsigned char)kind;
    b->off[i] = b->text.len;
    b->len[i] = n;
    if (kind == DSJ_CELL_NULL) return 0;
    return dsj_buf_append(&b->text, s, n) || dsj_buf_putc(&b->text, '\0') ? -1 : 0;
}

static const char *conv_what(xpt_conv_t c)
{
    return c == XPT_CONV_DATE ? "a whole date (days since 1960-01-01)"
         : c == XPT_CONV_DATETIME ? "a datetime (seconds since 1960-01-01T00:00:00, fractions only after 1960)"
         : "a time (seconds since midnight, under 86400)";
}

/* A positive datetime or time with a fraction of a second: the whole seconds and the fraction's digits as
   the number is written (sasnum rules), so "3471.5" gives ...T00:57:51.5.  Returns the length or -1. */
static int seconds_with_fraction(xpt_conv_t conv, double d, unsigned nf, char *buf)
{
    char num[DSJ_SASNUM_BUFSIZE];
    const char *dot;
    int64_t whole = 0;
    int n = dsj_sasnum_format(d, nf, num), r, i;
    if (n < 0 || strpbrk(num, "eE-")) return -1;
    dot = strchr(num, '.');
    for (i = 0; num + i != (dot ? dot : num + n); i++) whole = whole * 10 + (num[i] - '0');
    r = conv == XPT_CONV_DATETIME ? dsj_sas_datetime_to_iso(whole, buf) : dsj_sas_time_to_iso(whole, buf);
    if (r < 0 || !dot) return r;
    if ((size_t)r + strlen(dot) >= 32) return -1;
    memcpy(buf + r, dot, strlen(dot) + 1);
    return r + (int)strlen(dot);
}

static int numeric_cell(xpt_reader_t *x, size_t vi, double d)
{
    const xpt_var_t *v = &x->vars[vi];
    char buf[DSJ_SASNUM_BUFSIZE + 8];
    unsigned nf = (x->flags & DSJ_READ_EXACT_NUMBERS) ? DSJ_SASNUM_EXACT : DSJ_SASNUM_ULPS(x->sas_ulps);
    int n, r;
    switch (v->conv) {
    case XPT_CONV_INTEGER:
        n = dsj_sasnum_format_int(d, buf);
        if (n >= 0) return put_cell(x, v->out, DSJ_CELL_INTEGER, buf, (size_t)n);
        n = dsj_sasnum_format(d, nf, buf);
        if (pend(x, vi, "XPT-VALUE-INTEGER", DSJ_SEV_ERROR, "value %s of integer column %s is not a whole number (kept as found)",
                 buf, v->name)) return -1;
        break;
    case XPT_CONV_DATE:
    case XPT_CONV_DATETIME:
    case XPT_CONV_TIME:
        r = -1;
        if (d == trunc(d) && fabs(d) < 1e15) {
            int64_t k = (int64_t)d;
            r = v->conv == XPT_CONV_DATE ? dsj_sas_date_to_iso(k, buf)
              : v->conv == XPT_CONV_DATETIME ? dsj_sas_datetime_to_iso(k, buf) : dsj_sas_time_to_iso(k, buf);
        }
        else if (v->conv != XPT_CONV_DATE && d > 0 && d < 1e12)
            r = seconds_with_fraction(v->conv, d, nf, buf);
        if (r >= 0) return put_cell(x, v->out, DSJ_CELL_STRING, buf, (size_t)r);
        n = dsj_sasnum_format(d, nf, buf);
        if (pend(x, vi, "XPT-VALUE-DATE", DSJ_SEV_ERROR, "value %s of %s is not %s in range: kept as a number", buf,
                 v->name, conv_what(v->conv))) return -1;
        break;
    case XPT_CONV_NUM_STRING:
        n = dsj_sasnum_format(d, nf, buf);
        return put_cell(x, v->out, DSJ_CELL_STRING, buf, n < 0 ? 0 : (size_t)n);
    default:
        n = dsj_sasnum_format(d, nf, buf);
        break;
    }
    if (n < 0) return put_cell(x, v->out, DSJ_CELL_NULL, NULL, 0);
    return put_cell(x, v->out, strpbrk(buf, ".eE") ? DSJ_CELL_NUMBER : DSJ_CELL_INTEGER, buf, (size_t)n);
}

static int finish_row(xpt_reader_t *x)
{
    x->fill->nrows++;
    x->prod_rows++;
    x->next_var = 0;
    if (x->fill->nrows >= XPT_BATCH_ROWS || x->fill->text.len >= XPT_BATCH_BYTES) publish(x);
    return READSTAT_HANDLER_OK;
}

static int on_value(int obs, readstat_variable_t *var, readstat_value_t val, void *ctx)
{
    xpt_reader_t *x = ctx;
    size_t vi = (size_t)readstat_variable_get_index(var);
    const xpt_var_t *v;
    (void)obs;
    if (vi != x->next_var || vi >= x->nvars)
        return prod_fail(x, DSJ_E_FORMAT, "row %llu: ReadStat delivered variable %zu where %zu was expected",
                         (unsigned long long)(x->prod_rows + 1), vi, x->next_var);
    if (vi == 0) {
        if (atomic_load_explicit(&x->cancel, memory_order_relaxed)) return READSTAT_HANDLER_ABORT;
        if (x->pio.member_at)
            return prod_fail(x, DSJ_E_UNSUPPORTED,
                             "the transport file holds more than one dataset (a second member header at byte %llu): "
                             "only single-dataset XPT files are supported; split it in SAS first",
                             (unsigned long long)x->pio.member_at);
        if (!x->fill && acquire(x)) return READSTAT_HANDLER_ABORT;
    }
    x->next_var++;
    v = &x->vars[vi];
    if (readstat_value_type_class(val) == READSTAT_TYPE_CLASS_STRING) {
        const char *s = readstat_string_value(val);
        size_t n = s ? strlen(s) : 0, bad;
        if (n == 0) {
            if (put_cell(x, v->out, DSJ_CELL_STRING, "", 0)) goto oom;
        } else {
            bad = dsj_xpt_to_utf8(x, s, n, &x->conv);
            if (bad == (size_t)-1) goto oom;
            if (bad)
                return prod_fail(x, DSJ_E_ENCODING,
                                 "row %llu, column %s: byte 0x%02X at byte %zu of the value cannot be decoded as %s "
                                 "(give the file's encoding with --encoding)",
                                 (unsigned long long)(x->prod_rows + 1), v->name, (unsigned char)s[bad - 1], bad, x->encoding);
            if (put_cell(x, v->out, DSJ_CELL_STRING, x->conv.data, x->conv.len)) goto oom;
        }
    } else {
        double d = readstat_double_value(val);
        if (readstat_value_is_system_missing(val) || readstat_value_is_tagged_missing(val) || isnan(d)) {
            if (put_cell(x, v->out, DSJ_CELL_NULL, NULL, 0)) goto oom;
        } else if (numeric_cell(x, vi, d)) {
            goto oom;
        }
    }
    if (vi + 1 == x->nvars) return finish_row(x);
    return READSTAT_HANDLER_OK;
oom:
    return prod_fail(x, DSJ_E_NOMEM, "out of memory");
}

static void *producer(void *arg)
{
    xpt_reader_t *x = arg;
    readstat_parser_t *p = readstat_parser_init();
    readstat_error_t rc = READSTAT_ERROR_MALLOC;
    if (p && dsj_xpt_io_init(&x->pio, x->fd, x->fd_base) == 0 && !dsj_xpt_io_install(p, &x->pio)) {
        x->pio.progress = &x->progress;
        if (x->format == DSJ_FORMAT_XPT) x->pio.scan_from = x->data_start;
        readstat_set_handler_character_encoding(p, NULL);
        readstat_set_value_handler(p, on_value);
        rc = x->format == DSJ_FORMAT_SAS7BDAT ? readstat_parse_sas7bdat(p, x->name, x) : readstat_parse_xport(p, x->name, x);
    }
    if (p) readstat_parser_free(p);
    dsj_xpt_io_free(&x->pio);
    if (rc != READSTAT_OK && !x->perr.code && !atomic_load(&x->cancel)) {
        if (rc == READSTAT_ERROR_MALLOC) dsj_error_set(&x->perr, DSJ_E_NOMEM, x->name, 0, 0, 0, "out of memory");
        else
            dsj_error_set(&x->perr, DSJ_E_FORMAT, x->name, 0, 0, 0, "reading row %llu failed: %s (ReadStat)",
                          (unsigned long long)(x->prod_rows + 1), readstat_error_message(rc));
    }
    if (!x->perr.code && x->next_var != 0)
        dsj_error_set(&x->perr, DSJ_E_FORMAT, x->name, 0, 0, 0, "row %llu is incomplete at the end of the file",
                      (unsigned long long)(x->prod_rows + 1));
    if (x->fill) publish(x);
    pthread_mutex_lock(&x->mu);
    x->done = 1;
    pthread_cond_signal(&x->cv_filled);
    pthread_mutex_unlock(&x->mu);
    return NULL;
}

/* ================================================================ consumer */

static void release_reading(xpt_reader_t *x)
{
    if (!x->reading) return;
    pthread_mutex_lock(&x->mu);
    x->head = (x->head + 1) % XPT_NBATCH;
    x->count--;
    pthread_cond_signal(&x->cv_free);
    pthread_mutex_unlock(&x->mu);
    x->reading = NULL;
}

static dsj_status_t x_next(void *ctx, const dsj_row_t **row, dsj_error_t *err)
{
    xpt_reader_t *x = ctx;
    xpt_batch_t *b;
    size_t c, base;
    if (x->finished) return DSJ_DONE;
    while (!x->reading || x->rpos >= x->reading->nrows) {
        release_reading(x);
        pthread_mutex_lock(&x->mu);
        while (x->count == 0 && !x->done) pthread_cond_wait(&x->cv_filled, &x->mu);
        if (x->count > 0) {
            x->reading = &x->batches[x->head];
            x->rpos = 0;
            x->ppos = 0;
        }
        pthread_mutex_unlock(&x->mu);
        if (!x->reading) {
            if (x->perr.code) {
                if (err) *err = x->perr;
                return x->perr.code;
            }
            if ((int64_t)x->consumed != x->records)
                return dsj_error_set(err, DSJ_E_MISMATCH, x->name, 0, 0, 0,
                                     "the file has %llu rows where %lld were expected from its size (several members in one "
                                     "transport file are not supported)",
                                     (unsigned long long)x->consumed, (long long)x->records);
            x->finished = 1;
            return DSJ_DONE;
        }
    }
    b = x->reading;
    x->consumed++;
    /* findings about this row, on the caller's thread */
    while (x->ppos < b->npend && b->pend[x->ppos].row == x->consumed) {
        const xpt_pending_t *p = &b->pend[x->ppos++];
        char ptr[64];
        snprintf(ptr, sizeof ptr, "/rows/%llu/%zu", (unsigned long long)(x->consumed - 1), x->vars[p->var].out);
        if (dsj_emit(x->cb, x->cb_ctx, p->rule, p->sev, x->name, 0, 0, 0, ptr, x->consumed, x->vars[p->var].name, "%s",
                     b->msgs.data + p->msg_off))
            return dsj_error_set(err, DSJ_E_ABORTED, x->name, 0, 0, 0, "stopped by the finding callback at row %llu",
                                 (unsigned long long)x->consumed);
    }
    base = x->rpos * x->ncols;
    for (c = 0; c < x->ncols; c++) {
        dsj_cell_t *cell = &x->cells[c];
        cell->kind = (dsj_cell_kind_t)b->kind[base + c];
        cell->text = cell->kind == DSJ_CELL_NULL ? NULL : b->text.data + b->off[base + c];
        cell->len = cell->kind == DSJ_CELL_NULL ? 0 : b->len[base + c];
        cell->line = 0;
        cell->column = 0;
        cell->offset = 0;
    }
    x->rpos++;
    x->row.index = x->consumed;
    x->row.ncells = x->ncols;
    x->row.cells = x->cells;
    if (row) *row = &x->row;
    return DSJ_ROW;
}

static uint64_t x_bytes_read(void *ctx)
{
    xpt_reader_t *x = ctx;
    return atomic_load_explicit(&x->progress, memory_order_relaxed);
}

static void x_free(void *ctx)
{
    xpt_reader_t *x = ctx;
    size_t i;
    if (!x) return;
    if (x->thread_started) {
        pthread_mutex_lock(&x->mu);
        atomic_store(&x->cancel, 1);
        pthread_cond_broadcast(&x->cv_free);
        pthread_mutex_unlock(&x->mu);
        pthread_join(x->thread, NULL);
    }
    if (x->sync_inited) {
        pthread_mutex_destroy(&x->mu);
        pthread_cond_destroy(&x->cv_filled);
        pthread_cond_destroy(&x->cv_free);
    }
    for (i = 0; i < XPT_NBATCH; i++) batch_free(&x->batches[i]);
    for (i = 0; i < x->nvars; i++) {
        dsj_free(x->vars[i].name);
        dsj_free(x->vars[i].label);
        dsj_free(x->vars[i].format);
    }
    dsj_free(x->vars);
    dsj_free(x->cells);
    dsj_buf_free(&x->conv);
    if (x->cd != (iconv_t)-1 && x->cd != NULL) iconv_close(x->cd);
    dsj_free(x->encoding);
    dsj_free(x->name);
    dsj_source_free(x->src);
    dsj_free(x);
}

static const dsj_reader_backend_t xpt_backend = {"xpt", x_next, x_bytes_read, x_free};

dsj_status_t dsj_xpt_reader_open(dsj_source_t *src, dsj_format_t format, const dsj_reader_options_t *opts,
                                 dsj_reader_opened_t *out, dsj_error_t *err)
{
    xpt_reader_t *x;
    dsj_meta_t *meta = NULL;
    dsj_status_t st;
    size_t i;
    const char *name = dsj_source_name(src);
    if (!(x = dsj_calloc(1, sizeof *x))) {
        dsj_source_free(src);
        return dsj_error_set(err, DSJ_E_NOMEM, name, 0, 0, 0, "out of memory");
    }
    x->cd = (iconv_t)-1;
    x->src = src;
    x->format = format;
    x->flags = opts ? opts->flags : 0;
    x->sas_ulps = opts ? opts->sas_ulps : 0;
    x->cb = opts ? opts->on_finding : NULL;
    x->cb_ctx = opts ? opts->finding_ctx : NULL;
    dsj_buf_init(&x->conv);
    atomic_init(&x->cancel, 0);
    atomic_init(&x->progress, 0);
    if (!(x->name = dsj_strdup(name ? name : "<input>"))) {
        st = dsj_error_set(err, DSJ_E_NOMEM, name, 0, 0, 0, "out of memory");
        goto fail;
    }
    if ((x->fd = dsj_source_fd(src, &x->fd_base)) < 0) {
        st = dsj_error_set(err, DSJ_E_UNSUPPORTED, x->name, 0, 0, 0,
                           "reading %s needs a file that can be read at any position (ReadStat): give a path, not a pipe, "
                           "memory or compressed input", format == DSJ_FORMAT_SAS7BDAT ? "SAS7BDAT" : "XPT");
        goto fail;
    }
    {
        dsj_reader_options_t o;
        if (opts) o = *opts;
        else dsj_reader_options_init(&o);
        if ((st = dsj_xpt_read_meta(x, &o, &meta, err)) != DSJ_OK) goto fail;
    }
    if (!(x->cells = dsj_calloc(x->ncols ? x->ncols : 1, sizeof *x->cells))) goto nomem;
    for (i = 0; i < XPT_NBATCH; i++)
        if (batch_init(&x->batches[i], x->ncols)) goto nomem;
    if (pthread_mutex_init(&x->mu, NULL) != 0) goto nomem;
    if (pthread_cond_init(&x->cv_filled, NULL) != 0) {
        pthread_mutex_destroy(&x->mu);
        goto nomem;
    }
    if (pthread_cond_init(&x->cv_free, NULL) != 0) {
        pthread_cond_destroy(&x->cv_filled);
        pthread_mutex_destroy(&x->mu);
        goto nomem;
    }
    x->sync_inited = 1;
    if (x->nvars == 0 || x->records == 0) {
        x->done = 1; /* nothing to read: no thread */
    } else {
        if (pthread_create(&x->thread, NULL, producer, x) != 0) {
            st = dsj_error_set(err, DSJ_E_NOMEM, x->name, 0, 0, 0, "cannot start the reading thread: %s", strerror(errno));
            goto fail;
        }
        x->thread_started = 1;
    }
    out->backend = &xpt_backend;
    out->ctx = x;
    out->meta = meta;
    out->had_bom = 0;
    return DSJ_OK;
nomem:
    st = dsj_error_set(err, DSJ_E_NOMEM, x->name, 0, 0, 0, "out of memory");
fail:
    dsj_meta_free(meta);
    x_free(x);
    return st;
}
