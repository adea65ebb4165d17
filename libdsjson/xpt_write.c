/*
 * XPT writer: Dataset-JSON rows -> SAS XPORT v5 or v8, through ReadStat's
 * writer API (readstat_begin_writing_xport).  Plugged into dsj_writer_t as a
 * backend (backend_internal.h): the writer core hands us 1.1 metadata and
 * converted rows; we turn each column into a SAS variable and each cell into
 * a SAS value.
 *
 * - ReadStat writes the header at the first row and needs the row count up
 *   front: the metadata's records (which every reader of this library fills)
 *   is required.
 * - Character variables need their storage width up front: the column's
 *   length (characters, which are bytes once the text is in Windows-1252).
 * - Text is converted from UTF-8 to Windows-1252 (XPT has no encoding
 *   marker; the XPT reader defaults to Windows-1252): a character that has
 *   no Windows-1252 form is an error naming the row and column.
 * - v5 limits (names 8, labels 40, values 200 bytes) and v8 limits (names
 *   32, labels 256, values 32767 bytes) are errors naming the column (and
 *   row), or, with opts->truncate, truncations with a warning finding each.
 * - Bytes go to the sink as ReadStat produces them (bounded memory); end
 *   commits it, any failure leaves the sink uncommitted (output abandoned).
 */
#include "backend_internal.h"
#include "convert_internal.h"
#include "dsjson_define.h"

#include <errno.h>
#include <iconv.h>
#include <limits.h>
#include <math.h>
#include <readstat.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#define RULE_TRUNCATE "XPT-TRUNCATE"
#define RULE_FORMAT "XPT-FORMAT"
#define TEXT_ENCODING "WINDOWS-1252"

/* How a column's cells become SAS values. */
typedef enum { XK_CHAR, XK_NUM, XK_BOOL, XK_DATE, XK_DATETIME, XK_TIME } xk_t;

typedef struct xcol {
    xk_t kind;
    const char *name;            /* the column's name in the metadata [borrowed from it] */
    char sas_name[40];           /* the XPT variable name (truncated with --truncate) */
    char *label;                 /* Windows-1252, fitted [owned] */
    const char *format;          /* [borrowed from the metadata]; NULL: none */
    size_t width;                /* character storage width in bytes; 0 = from the data (spooled) */
    size_t limit;                /* a value longer than this is an error (or truncated) */
    size_t max_seen;             /* longest value seen (spooled columns) */
    readstat_variable_t *var;    /* [borrowed from the ReadStat writer] */
} xcol_t;

typedef struct xw {
    int version;                 /* 5 or 8 */
    int truncate;
    dsj_finding_cb on_finding;
    void *finding_ctx;
    const struct dsj_define *define; /* lengths for columns without one [borrowed] */
    readstat_writer_t *rw;       /* [owned] */
    dsj_sink_t *sink;            /* [borrowed from the writer] */
    dsj_error_t sink_err;        /* the sink's error, when a write through ReadStat failed */
    int sink_failed;
    iconv_t cd;                  /* UTF-8 -> Windows-1252 [owned]; (iconv_t)-1 when not open */
    xcol_t *cols;                /* [owned] */
    size_t ncols;
    char table[40];              /* member name */
    time_t stamp;                /* the header's date and time; 0 = now */
    char *ds_label;              /* Windows-1252 [owned] */
    int has_records;
    int64_t records;
    FILE *spool;                 /* converted rows, when records or a width is unknown at begin [owned] */
    uint64_t nrows;
    uint64_t row;                /* 1-based number of the row being written */
    dsj_buf_t text;              /* a converted text value */
    dsj_buf_t tmp;               /* NUL-terminated copies of cells */
    dsj_buf_t srow;              /* one spooled row */
} xw_t;

/* Limits of the two versions. */
static size_t name_max(const xw_t *x) { return x->version == 8 ? 32 : 8; }
static size_t label_max(const xw_t *x) { return x->version == 8 ? 256 : 40; }
static size_t value_max(const xw_t *x) { return x->version == 8 ? 32767 : 200; }
#define DATASET_LABEL_MAX 40 /* the member header holds 40 bytes in both versions */

/* ---------------------------------------------------------------- output */

/* ReadStat's data writer: bytes go straight to the sink. */
static ssize_t data_writer(const void *data, size_t len, void *ctx)
{
    xw_t *x = ctx;
    if (x->sink_failed) return -1;
    if (dsj_sink_write(x->sink, data, len, &x->sink_err) != DSJ_OK) {
        x->sink_failed = 1;
        return -1;
    }
    return (ssize_t)len;
}

/* A ReadStat error as our error (the sink's own message when a write failed). */
static dsj_status_t rs_error(xw_t *x, dsj_error_t *err, readstat_error_t e, const char *what)
{
    const char *msg;
    if (x->sink_failed) {
        if (err) *err = x->sink_err;
        return x->sink_err.code != DSJ_OK ? x->sink_err.code : DSJ_E_IO;
    }
    msg = readstat_error_message(e);
    return dsj_err(err, DSJ_E_FORMAT, "writing XPT: %s: %s", what, msg ? msg : "ReadStat error");
}

/* ---------------------------------------------------------------- text */

/* Convert s[0..n) (UTF-8) to Windows-1252 into x->text (NUL-terminated).
   0 ok; 1 a character with no Windows-1252 form (*bad = its byte offset);
   2 invalid UTF-8 (*bad = offset); -1 out of memory. */
static int to_cp1252(xw_t *x, const char *s, size_t n, size_t *bad)
{
    size_t i, v;
    dsj_buf_reset(&x->text);
    for (i = 0; i < n && (unsigned char)s[i] < 0x80; i++) {}
    if (i == n) { /* plain ASCII: nothing to convert */
        if (dsj_buf_append(&x->text, s, n)) return -1;
        return 0;
    }
    v = dsj_utf8_check(s, n);
    if (v != n) { *bad = v; return 2; }
    if (x->cd == (iconv_t)-1 && (x->cd = iconv_open(TEXT_ENCODING, "UTF-8")) == (iconv_t)-1) return -1;
    if (dsj_buf_reserve(&x->text, n + 1)) return -1; /* never longer than the UTF-8 */
    {
        char *in = (char *)(uintptr_t)s, *out = x->text.data;
        size_t inleft = n, outleft = x->text.cap - 1;
        iconv(x->cd, NULL, NULL, NULL, NULL);
        if (iconv(x->cd, &in, &inleft, &out, &outleft) == (size_t)-1) {
            *bad = (size_t)(in - s);
            return 1;
        }
        x->text.len = (size_t)(out - x->text.data);
        x->text.data[x->text.len] = '\0';
    }
    return 0;
}

/* Column i's name for messages. */
static const char *cname(const xw_t *x, size_t i) { return x->cols[i].name ? x->cols[i].name : "?"; }

/* A warning finding for a truncation; returns non-zero when the callback asks to stop. */
static int warn_truncate(xw_t *x, size_t i, uint64_t row, const char *what, size_t from, size_t to)
{
    return dsj_emit(x->on_finding, x->finding_ctx, RULE_TRUNCATE, DSJ_SEV_WARNING, NULL, 0, 0, 0, NULL, row,
                    i == (size_t)-1 ? NULL : cname(x, i), "%s%s%s: %zu bytes truncated to %zu (XPT v%d limit)", what,
                    i == (size_t)-1 ? "" : " of column ", i == (size_t)-1 ? "" : cname(x, i), from, to, x->version);
}

/* Metadata text (label) converted to Windows-1252 and fitted to max bytes. *out [owned by the caller]. */
static dsj_status_t meta_text(xw_t *x, const char *s, size_t max, size_t col, const char *what, char **out,
                              dsj_error_t *err)
{
    size_t bad = 0;
    int r;
    *out = NULL;
    if (!s) return DSJ_OK;
    r = to_cp1252(x, s, strlen(s), &bad);
    if (r < 0) return dsj_err(err, DSJ_E_NOMEM, "out of memory");
    if (r > 0)
        return dsj_err(err, DSJ_E_ENCODING, "writing XPT: the %s%s%s has a character that %s at byte %zu", what,
                       col == (size_t)-1 ? "" : " of column ", col == (size_t)-1 ? "" : cname(x, col),
                       r == 1 ? "Windows-1252 cannot represent" : "is not valid UTF-8", bad);
    if (x->text.len > max) {
        if (!x->truncate)
            return dsj_err(err, DSJ_E_LIMIT,
                           "writing XPT v%d: the %s%s%s is %zu bytes long, more than the %zu allowed "
                           "(shorten it, or --truncate)",
                           x->version, what, col == (size_t)-1 ? "" : " of column ", col == (size_t)-1 ? "" : cname(x, col),
                           x->text.len, max);
        if (warn_truncate(x, col, 0, what, x->text.len, max))
            return dsj_err(err, DSJ_E_ABORTED, "writing XPT stopped by the finding callback");
        x->text.len = max;
        x->text.data[max] = '\0';
    }
    if (!(*out = dsj_strdup(x->text.data))) return dsj_err(err, DSJ_E_NOMEM, "out of memory");
    return DSJ_OK;
}

/* ---------------------------------------------------------------- names and formats */

/* 1 when s is a SAS name: a letter or '_', then letters, digits, '_'. */
static int sas_name_ok(const char *s)
{
    size_t i;
    if (!s || !s[0]) return 0;
    for (i = 0; s[i]; i++) {
        char c = s[i];
        int alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
        if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return 0;
    }
    return 1;
}

static int is_digit_c(char c) { return c >= '0' && c <= '9'; }
static int is_alpha_c(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }

/* A SAS format "[$]NAME[w][.[d]]" ("DATE9.", "E8601DT19.", "8.2", "$CHAR20."): 1 when usable,
   the name (with its $) at most 8 characters as the NAMESTR record holds it.  The width is the
   run of digits just before the dot (or the end). */
static int sas_format_ok(const char *f)
{
    size_t n = strlen(f), dot = n, i, wstart;
    for (i = 0; i < n; i++)
        if (f[i] == '.') {
            if (dot != n) return 0;
            dot = i;
        }
    for (i = dot + 1; i < n; i++)
        if (!is_digit_c(f[i])) return 0;
    wstart = dot;
    while (wstart > 0 && is_digit_c(f[wstart - 1])) wstart--;
    i = f[0] == '$' ? 1 : 0;
    if (i < wstart && !is_alpha_c(f[i])) return 0;
    for (; i < wstart; i++)
        if (!is_alpha_c(f[i]) && !is_digit_c(f[i])) return 0;
    if (wstart == (size_t)(f[0] == '$') && wstart == dot) return 0; /* neither a name nor a width */
    return wstart <= 8;
}

/* ---------------------------------------------------------------- begin */

static xk_t column_kind(const dsj_column_t *c)
{
    switch (c->data_type) {
    case DSJ_TYPE_INTEGER:
    case DSJ_TYPE_FLOAT:
    case DSJ_TYPE_DOUBLE:
        return XK_NUM;
    case DSJ_TYPE_BOOLEAN:
        return XK_BOOL;
    case DSJ_TYPE_DATE:
    case DSJ_TYPE_DATETIME:
    case DSJ_TYPE_TIME:
        if (c->target_data_type == DSJ_TYPE_INTEGER || c->target_data_type == DSJ_TYPE_DECIMAL ||
            c->target_data_type == DSJ_TYPE_FLOAT || c->target_data_type == DSJ_TYPE_DOUBLE)
            return c->data_type == DSJ_TYPE_DATE ? XK_DATE : c->data_type == DSJ_TYPE_TIME ? XK_TIME : XK_DATETIME;
        return XK_CHAR;
    default: /* string, decimal (a string in 1.1), URI, unknown */
        return XK_CHAR;
    }
}


/* Plan column i: SAS name, width, label, format (checked against the version's limits). */
static dsj_status_t plan_column(xw_t *x, const dsj_column_t *c, size_t i, const struct dsj_define *def,
                                dsj_error_t *err)
{
    xcol_t *xc = &x->cols[i];
    size_t j;
    dsj_status_t st;
    xc->name = c->name;
    xc->kind = column_kind(c);
    if (!c->name || !c->name[0]) return dsj_err(err, DSJ_E_FORMAT, "writing XPT: column %zu has no name", i + 1);
    if (!sas_name_ok(c->name))
        return dsj_err(err, DSJ_E_FORMAT,
                       "writing XPT: column name \"%s\" is not a SAS name (a letter or _, then letters, digits, _)",
                       c->name);
    snprintf(xc->sas_name, sizeof xc->sas_name, "%.32s", c->name);
    if (strlen(c->name) > name_max(x)) {
        if (!x->truncate)
            return dsj_err(err, DSJ_E_LIMIT,
                           "writing XPT v%d: column name %s is %zu characters long, more than %zu%s (or --truncate)",
                           x->version, c->name, strlen(c->name), name_max(x),
                           x->version == 5 ? "; XPT v8 (--xpt-version 8) allows 32" : "");
        if (warn_truncate(x, i, 0, "name", strlen(c->name), name_max(x)))
            return dsj_err(err, DSJ_E_ABORTED, "writing XPT stopped by the finding callback");
        xc->sas_name[name_max(x)] = '\0';
    }
    for (j = 0; j < i; j++) /* names must stay unique (SAS names are case-insensitive) */
        if (strcasecmp(x->cols[j].sas_name, xc->sas_name) == 0)
            return dsj_err(err, DSJ_E_FORMAT, "writing XPT: column %s would be named %s like column %s%s", c->name,
                           xc->sas_name, cname(x, j), strcmp(xc->sas_name, c->name) ? " (after truncation)" : "");
    if (xc->kind == XK_CHAR) {
        int64_t len = c->length;
        if (len <= 0 && def && c->item_oid) { /* the define's Length, when the column has none */
            const dsj_define_itemdef_t *it = dsj_define_itemdef_find(def, c->item_oid);
            if (it && it->length > 0) len = it->length;
        }
        xc->limit = value_max(x);
        if (len > 0) {
            xc->width = (size_t)len;
            if (xc->width > value_max(x)) {
                if (!x->truncate)
                    return dsj_err(err, DSJ_E_LIMIT,
                                   "writing XPT v%d: column %s has length %zu, more than the %zu bytes allowed%s "
                                   "(or --truncate)", x->version, c->name, xc->width, value_max(x),
                                   x->version == 5 ? "; XPT v8 (--xpt-version 8) allows 32767" : "");
                if (warn_truncate(x, i, 0, "length", xc->width, value_max(x)))
                    return dsj_err(err, DSJ_E_ABORTED, "writing XPT stopped by the finding callback");
                xc->width = value_max(x);
            }
            xc->limit = xc->width;
        }
    } else {
        xc->width = 8;
    }
    if ((st = meta_text(x, c->label, label_max(x), i, "label", &xc->label, err)) != DSJ_OK) return st;
    if (c->display_format && c->display_format[0]) {
        int is_char_format = c->display_format[0] == '$';
        const char *why = !sas_format_ok(c->display_format) ? "is not a SAS format XPT can hold"
                          : is_char_format != (xc->kind == XK_CHAR)
                              ? (is_char_format ? "is a character format on a numeric variable"
                                                : "is a numeric format on a character variable")
                              : NULL;
        if (!why) xc->format = c->display_format;
        else if (dsj_emit(x->on_finding, x->finding_ctx, RULE_FORMAT, DSJ_SEV_WARNING, NULL, 0, 0, 0, NULL, 0, c->name,
                          "displayFormat \"%s\" of column %s %s: not written", c->display_format, c->name, why))
            return dsj_err(err, DSJ_E_ABORTED, "writing XPT stopped by the finding callback");
    }
    return DSJ_OK;
}

/* "YYYY-MM-DDThh:mm:ss..." as a local time (ReadStat prints the header's date with localtime,
   so the same fields come back); 0 when s is not such a text. */
static time_t local_stamp(const char *s)
{
    struct tm tm;
    int y, mo, d, h, mi, se;
    if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &se) != 6) return 0;
    if (y < 1900 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return 0;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = se;
    tm.tm_isdst = -1;
    {
        time_t t = mktime(&tm);
        return t == (time_t)-1 ? 0 : t;
    }
}

/* Create the ReadStat writer with the planned variables and write the header (rows = records). */
static dsj_status_t start_readstat(xw_t *x, dsj_error_t *err)
{
    readstat_error_t e;
    size_t i;
    if (!(x->rw = readstat_writer_init())) return dsj_err(err, DSJ_E_NOMEM, "out of memory");
    readstat_set_data_writer(x->rw, data_writer);
    if ((e = readstat_writer_set_file_format_version(x->rw, (uint8_t)x->version)) != READSTAT_OK)
        return rs_error(x, err, e, "version");
    if ((e = readstat_writer_set_table_name(x->rw, x->table)) != READSTAT_OK) return rs_error(x, err, e, "dataset name");
    if (x->stamp && (e = readstat_writer_set_file_timestamp(x->rw, x->stamp)) != READSTAT_OK)
        return rs_error(x, err, e, "timestamp");
    if (x->ds_label && (e = readstat_writer_set_file_label(x->rw, x->ds_label)) != READSTAT_OK)
        return rs_error(x, err, e, "dataset label");
    for (i = 0; i < x->ncols; i++) {
        xcol_t *xc = &x->cols[i];
        size_t w = xc->width ? xc->width : (xc->max_seen ? xc->max_seen : 1);
        xc->var = readstat_add_variable(x->rw, xc->sas_name,
                                        xc->kind == XK_CHAR ? READSTAT_TYPE_STRING : READSTAT_TYPE_DOUBLE, w);
        if (!xc->var) return dsj_err(err, DSJ_E_NOMEM, "out of memory");
        if (xc->label) readstat_variable_set_label(xc->var, xc->label);
        if (xc->format) readstat_variable_set_format(xc->var, xc->format);
    }
    if ((e = readstat_begin_writing_xport(x->rw, x, (long)x->records)) != READSTAT_OK)
        return rs_error(x, err, e, "header");
    return DSJ_OK;
}

static dsj_status_t xw_begin(void *ctx, const dsj_meta_t *meta, dsj_sink_t *sink, dsj_error_t *err)
{
    xw_t *x = ctx;
    const char *ds = dsj_meta_get(meta, DSJ_META_NAME);
    size_t i, n;
    int need_spool;
    dsj_status_t st;
    x->sink = sink;
    x->has_records = dsj_meta_records(meta, &x->records);
    if (x->has_records && (x->records < 0 || x->records > LONG_MAX))
        return dsj_err(err, DSJ_E_LIMIT, "writing XPT: records %lld cannot be written", (long long)x->records);
    if (!ds || !ds[0])
        return dsj_err(err, DSJ_E_FORMAT, "writing XPT: the metadata has no dataset name (the XPT member name)");
    if (!sas_name_ok(ds)) return dsj_err(err, DSJ_E_FORMAT, "writing XPT: dataset name \"%s\" is not a SAS name", ds);
    if (strlen(ds) > name_max(x)) {
        if (!x->truncate)
            return dsj_err(err, DSJ_E_LIMIT, "writing XPT v%d: dataset name %s is %zu characters long, more than %zu "
                           "(or --truncate)", x->version, ds, strlen(ds), name_max(x));
        if (warn_truncate(x, (size_t)-1, 0, "dataset name", strlen(ds), name_max(x)))
            return dsj_err(err, DSJ_E_ABORTED, "writing XPT stopped by the finding callback");
    }
    for (i = 0; ds[i] && i < name_max(x); i++) x->table[i] = (char)((ds[i] >= 'a' && ds[i] <= 'z') ? ds[i] - 32 : ds[i]);
    x->table[i] = '\0';
    /* the header's date: when the data last changed (the XPT reader puts the XPT's own date
       there, so a round trip keeps it), else when the Dataset-JSON was made, else now */
    x->stamp = local_stamp(dsj_meta_get(meta, DSJ_META_DB_LAST_MODIFIED_DATETIME));
    if (!x->stamp) x->stamp = local_stamp(dsj_meta_get(meta, DSJ_META_CREATION_DATETIME));
    if ((st = meta_text(x, dsj_meta_get(meta, DSJ_META_LABEL), DATASET_LABEL_MAX, (size_t)-1, "dataset label",
                        &x->ds_label, err)) != DSJ_OK)
        return st;
    n = dsj_meta_ncolumns(meta);
    if (n == 0) return dsj_err(err, DSJ_E_FORMAT, "writing XPT: the metadata has no columns");
    if (n > 9999) return dsj_err(err, DSJ_E_LIMIT, "writing XPT: %zu columns, more than XPT holds (9999)", n);
    if (!(x->cols = dsj_calloc(n, sizeof *x->cols))) return dsj_err(err, DSJ_E_NOMEM, "out of memory");
    x->ncols = n;
    need_spool = !x->has_records;
    for (i = 0; i < n; i++) {
        if ((st = plan_column(x, dsj_meta_column(meta, i), i, x->define, err)) != DSJ_OK) return st;
        if (!x->cols[i].width) need_spool = 1;
    }
    if (need_spool) { /* widths or the row count come from the data: rows wait in a temporary file */
        if (!(x->spool = tmpfile()))
            return dsj_err(err, DSJ_E_IO, "writing XPT: cannot create a temporary file for the rows: %s",
                           strerror(errno));
        return DSJ_OK;
    }
    return start_readstat(x, err);
}

/* ---------------------------------------------------------------- rows */

/* A NUL-terminated copy of the cell text in x->tmp. */
static const char *cell_z(xw_t *x, const dsj_cell_t *c)
{
    dsj_buf_reset(&x->tmp);
    if (dsj_buf_append(&x->tmp, c->text ? c->text : "", c->text ? c->len : 0) || dsj_buf_putc(&x->tmp, '\0'))
        return NULL;
    return x->tmp.data;
}

static dsj_status_t cell_error(xw_t *x, size_t i, const dsj_cell_t *c, dsj_error_t *err, dsj_status_t code,
                               const char *why)
{
    size_t n = c->text ? c->len : 0;
    return dsj_err(err, code, "writing XPT: row %llu, column %s: %s%s%.*s%s", (unsigned long long)x->row, cname(x, i),
                   why, c->text ? " (\"" : "", (int)(n > 60 ? 60 : n), c->text ? c->text : "", c->text ? "\")" : "");
}

/* ISO 8601 date/datetime/time text -> SAS number; fractional seconds kept. 1 = ok. */
static int iso_to_sas(xk_t k, const char *s, size_t n, double *out)
{
    int64_t v;
    size_t main_len = n, i;
    double frac = 0;
    if (k != XK_DATE) { /* an optional fraction of a second: ".ddd" after hh:mm:ss */
        for (i = 0; i < n && s[i] != '.'; i++) {}
        if (i < n) {
            size_t j;
            char buf[40];
            if (n - i < 2 || n - i > 30) return 0;
            for (j = i + 1; j < n; j++)
                if (s[j] < '0' || s[j] > '9') return 0;
            buf[0] = '0';
            memcpy(buf + 1, s + i, n - i);
            buf[n - i + 1] = '\0';
            frac = strtod(buf, NULL);
            main_len = i;
            if (main_len != (k == XK_TIME ? 8u : 19u)) return 0; /* a fraction needs the seconds */
        }
    }
    if (!(k == XK_DATE ? dsj_iso_to_sas_date(s, main_len, &v)
          : k == XK_TIME ? dsj_iso_to_sas_time(s, main_len, &v)
                         : dsj_iso_to_sas_datetime(s, main_len, &v)))
        return 0;
    *out = (double)v + frac;
    return 1;
}

/* One converted value: missing, a number, or text in x->text. */
typedef struct xval {
    int missing;
    double d;
} xval_t;

static dsj_status_t conv_numeric(xw_t *x, size_t i, const dsj_cell_t *c, xval_t *v, dsj_error_t *err)
{
    xcol_t *xc = &x->cols[i];
    switch (xc->kind) {
    case XK_BOOL:
        if (c->kind == DSJ_CELL_BOOLEAN && c->len == 4 && memcmp(c->text, "true", 4) == 0) v->d = 1;
        else if (c->kind == DSJ_CELL_BOOLEAN && c->len == 5 && memcmp(c->text, "false", 5) == 0) v->d = 0;
        else if ((c->kind == DSJ_CELL_INTEGER || c->kind == DSJ_CELL_NUMBER) && c->len == 1 &&
                 (c->text[0] == '0' || c->text[0] == '1'))
            v->d = c->text[0] - '0';
        else return cell_error(x, i, c, err, DSJ_E_TYPE, "a boolean column needs true, false or null");
        return DSJ_OK;
    case XK_DATE:
    case XK_DATETIME:
    case XK_TIME:
        if (c->kind == DSJ_CELL_STRING) {
            if (!iso_to_sas(xc->kind, c->text, c->len, &v->d))
                return cell_error(x, i, c, err, DSJ_E_TYPE,
                                  xc->kind == XK_DATE ? "not a full ISO 8601 date (YYYY-MM-DD) to store as a SAS date"
                                  : xc->kind == XK_TIME ? "not a full ISO 8601 time (hh:mm[:ss[.fff]]) to store as a SAS time"
                                  : "not a full ISO 8601 datetime (YYYY-MM-DDThh:mm[:ss[.fff]], no time zone) to store "
                                    "as a SAS datetime");
            return DSJ_OK;
        }
        /* fall through - a number is already the SAS value */
    default: {
        const char *z;
        if (c->kind != DSJ_CELL_INTEGER && c->kind != DSJ_CELL_NUMBER)
            return cell_error(x, i, c, err, DSJ_E_TYPE, "a numeric column needs a number or null");
        if (!dsj_json_number_valid(c->text, c->len)) return cell_error(x, i, c, err, DSJ_E_TYPE, "not a JSON number");
        if (!(z = cell_z(x, c))) return dsj_err(err, DSJ_E_NOMEM, "out of memory");
        v->d = strtod(z, NULL);
        if (!isfinite(v->d)) return cell_error(x, i, c, err, DSJ_E_RANGE, "the number is too large for a double");
        break;
    }
    }
    /* IBM floats hold 2^-260 <= |v| < 2^252 (every double in that range exactly) */
    if (v->d != 0 && (fabs(v->d) >= 0x1p252 || fabs(v->d) < 0x1p-260))
        return cell_error(x, i, c, err, DSJ_E_RANGE, "the number is outside the range of SAS (IBM) numbers");
    return DSJ_OK;
}

static dsj_status_t conv_text(xw_t *x, size_t i, const dsj_cell_t *c, dsj_error_t *err)
{
    xcol_t *xc = &x->cols[i];
    size_t bad = 0;
    int r;
    if (c->kind != DSJ_CELL_STRING && c->kind != DSJ_CELL_INTEGER && c->kind != DSJ_CELL_NUMBER &&
        c->kind != DSJ_CELL_BOOLEAN)
        return cell_error(x, i, c, err, DSJ_E_TYPE, "objects and arrays cannot be XPT values");
    if (c->text && memchr(c->text, '\0', c->len))
        return cell_error(x, i, c, err, DSJ_E_TYPE, "the text holds a NUL character, which XPT cannot store");
    r = to_cp1252(x, c->text ? c->text : "", c->text ? c->len : 0, &bad);
    if (r < 0) return dsj_err(err, DSJ_E_NOMEM, "out of memory");
    if (r == 2)
        return dsj_err(err, DSJ_E_ENCODING, "writing XPT: row %llu, column %s: invalid UTF-8 at byte %zu",
                       (unsigned long long)x->row, cname(x, i), bad);
    if (r == 1) {
        size_t k = bad + 1;
        while (k < c->len && ((unsigned char)c->text[k] & 0xC0) == 0x80) k++;
        return dsj_err(err, DSJ_E_ENCODING,
                       "writing XPT: row %llu, column %s: character \"%.*s\" at byte %zu has no Windows-1252 form "
                       "(XPT text is written in Windows-1252)",
                       (unsigned long long)x->row, cname(x, i), (int)(k - bad), c->text + bad, bad);
    }
    if (x->text.len > xc->limit) {
        int at_limit = xc->limit == value_max(x);
        if (!x->truncate)
            return dsj_err(err, DSJ_E_LIMIT,
                           "writing XPT v%d: row %llu, column %s: value of %zu bytes is longer than %s%zu%s "
                           "(or --truncate)", x->version, (unsigned long long)x->row, cname(x, i), x->text.len,
                           at_limit ? "the XPT limit of " : "the column's length ", xc->limit,
                           at_limit && x->version == 5 ? "; XPT v8 (--xpt-version 8) allows 32767" : "");
        if (warn_truncate(x, i, x->row, "value", x->text.len, xc->limit))
            return dsj_err(err, DSJ_E_ABORTED, "writing XPT stopped by the finding callback");
        x->text.len = xc->limit;
        x->text.data[xc->limit] = '\0';
    }
    if (x->text.len > xc->max_seen) xc->max_seen = x->text.len;
    return DSJ_OK;
}

/* Spool record of one cell, appended to x->srow: 'M' (missing), 'D' + 8 bytes (double),
   'T' + 4-byte length + bytes.  A row goes to the file as a 4-byte length and its cells. */
static int spool_cell(xw_t *x, const xcol_t *xc, const xval_t *v)
{
    dsj_buf_t *b = &x->srow;
    if (v->missing) return dsj_buf_putc(b, 'M');
    if (xc->kind != XK_CHAR) return dsj_buf_putc(b, 'D') || dsj_buf_append(b, &v->d, sizeof v->d);
    {
        uint32_t n = (uint32_t)x->text.len;
        return dsj_buf_putc(b, 'T') || dsj_buf_append(b, &n, sizeof n) || dsj_buf_append(b, x->text.data, n);
    }
}

static int spool_row(xw_t *x)
{
    uint32_t n = (uint32_t)x->srow.len;
    return fwrite(&n, sizeof n, 1, x->spool) != 1 || fwrite(x->srow.data, 1, n, x->spool) != n ? -1 : 0;
}

/* Give one value to ReadStat (the row is open). */
static dsj_status_t insert_value(xw_t *x, size_t i, const xval_t *v, dsj_error_t *err)
{
    xcol_t *xc = &x->cols[i];
    readstat_error_t e;
    if (v->missing) e = readstat_insert_missing_value(x->rw, xc->var);
    else if (xc->kind == XK_CHAR) e = readstat_insert_string_value(x->rw, xc->var, x->text.data);
    else e = readstat_insert_double_value(x->rw, xc->var, v->d);
    if (e == READSTAT_OK) return DSJ_OK;
    if (e == READSTAT_ERROR_CONVERT || e == READSTAT_ERROR_NUMERIC_VALUE_IS_OUT_OF_RANGE)
        return dsj_err(err, DSJ_E_RANGE, "writing XPT: row %llu, column %s: %.17g is outside the range of SAS (IBM) "
                       "numbers", (unsigned long long)x->row, cname(x, i), v->d);
    return rs_error(x, err, e, "value");
}

static dsj_status_t xw_row(void *ctx, const dsj_row_t *row, dsj_error_t *err)
{
    xw_t *x = ctx;
    readstat_error_t e;
    dsj_status_t st;
    size_t i;
    x->row = row->index;
    if (row->ncells != x->ncols)
        return dsj_err(err, DSJ_E_MISMATCH, "writing XPT: row %llu has %zu cells for %zu columns",
                       (unsigned long long)x->row, row->ncells, x->ncols);
    if (x->has_records && (int64_t)x->nrows >= x->records)
        return dsj_err(err, DSJ_E_MISMATCH, "writing XPT: more rows than the %lld records of the metadata",
                       (long long)x->records);
    if (!x->spool && (e = readstat_begin_row(x->rw)) != READSTAT_OK) return rs_error(x, err, e, "row");
    dsj_buf_reset(&x->srow);
    for (i = 0; i < x->ncols; i++) {
        const dsj_cell_t *c = &row->cells[i];
        xval_t v;
        memset(&v, 0, sizeof v);
        st = DSJ_OK;
        if (c->kind == DSJ_CELL_NULL) v.missing = 1;
        else st = x->cols[i].kind == XK_CHAR ? conv_text(x, i, c, err) : conv_numeric(x, i, c, &v, err);
        if (st != DSJ_OK) return st;
        if (x->spool) {
            if (spool_cell(x, &x->cols[i], &v)) return dsj_err(err, DSJ_E_NOMEM, "out of memory");
        } else if ((st = insert_value(x, i, &v, err)) != DSJ_OK) {
            return st;
        }
    }
    if (x->spool && spool_row(x))
        return dsj_err(err, DSJ_E_IO, "writing XPT: writing the temporary row file failed: %s", strerror(errno));
    if (!x->spool && (e = readstat_end_row(x->rw)) != READSTAT_OK) return rs_error(x, err, e, "row");
    x->nrows++;
    return DSJ_OK;
}

/* Write the spooled rows, now that widths and the row count are known. */
static dsj_status_t replay_spool(xw_t *x, dsj_error_t *err)
{
    FILE *f = x->spool;
    readstat_error_t e;
    dsj_status_t st;
    uint64_t r;
    size_t i;
    if (!x->has_records) x->records = (int64_t)x->nrows;
    if (fflush(f) || fseek(f, 0, SEEK_SET))
        return dsj_err(err, DSJ_E_IO, "writing XPT: rereading the temporary row file failed: %s", strerror(errno));
    if ((st = start_readstat(x, err)) != DSJ_OK) return st;
    for (r = 0; r < x->nrows; r++) {
        uint32_t n;
        const char *p, *end;
        x->row = r + 1;
        dsj_buf_reset(&x->srow);
        if (fread(&n, sizeof n, 1, f) != 1 || dsj_buf_reserve(&x->srow, (size_t)n + 1) ||
            (n && fread(x->srow.data, 1, n, f) != n))
            return dsj_err(err, DSJ_E_IO, "writing XPT: the temporary row file is short or damaged (row %llu)",
                           (unsigned long long)x->row);
        p = x->srow.data;
        end = p + n;
        if ((e = readstat_begin_row(x->rw)) != READSTAT_OK) return rs_error(x, err, e, "row");
        for (i = 0; i < x->ncols; i++) {
            xval_t v;
            char tag = p < end ? *p++ : 0;
            memset(&v, 0, sizeof v);
            if (tag == 'M') {
                v.missing = 1;
            } else if (tag == 'D' && end - p >= (ptrdiff_t)sizeof v.d) {
                memcpy(&v.d, p, sizeof v.d);
                p += sizeof v.d;
            } else if (tag == 'T' && end - p >= (ptrdiff_t)sizeof n) {
                uint32_t k;
                memcpy(&k, p, sizeof k);
                p += sizeof k;
                if ((size_t)(end - p) < k) tag = 0;
                else {
                    dsj_buf_reset(&x->text);
                    if (dsj_buf_append(&x->text, p, k)) return dsj_err(err, DSJ_E_NOMEM, "out of memory");
                    p += k;
                }
            } else {
                tag = 0;
            }
            if (!tag)
                return dsj_err(err, DSJ_E_IO, "writing XPT: the temporary row file is damaged (row %llu)",
                               (unsigned long long)x->row);
            if ((st = insert_value(x, i, &v, err)) != DSJ_OK) return st;
        }
        if ((e = readstat_end_row(x->rw)) != READSTAT_OK) return rs_error(x, err, e, "row");
    }
    return DSJ_OK;
}

static dsj_status_t xw_end(void *ctx, dsj_error_t *err)
{
    xw_t *x = ctx;
    readstat_error_t e;
    dsj_status_t st;
    if (x->has_records && (uint64_t)x->records != x->nrows)
        return dsj_err(err, DSJ_E_MISMATCH, "writing XPT: the metadata says %lld records but %llu rows came",
                       (long long)x->records, (unsigned long long)x->nrows);
    if (x->spool && (st = replay_spool(x, err)) != DSJ_OK) return st;
    if ((e = readstat_end_writing(x->rw)) != READSTAT_OK) return rs_error(x, err, e, "end");
    if (x->sink_failed) return rs_error(x, err, READSTAT_ERROR_WRITE, "end");
    return dsj_sink_commit(x->sink, err);
}

static void xw_free(void *ctx)
{
    xw_t *x = ctx;
    size_t i;
    if (!x) return;
    if (x->rw) readstat_writer_free(x->rw);
    if (x->cd != (iconv_t)-1) iconv_close(x->cd);
    if (x->spool) fclose(x->spool);
    for (i = 0; i < x->ncols; i++) dsj_free(x->cols[i].label);
    dsj_free(x->cols);
    dsj_free(x->ds_label);
    dsj_buf_free(&x->text);
    dsj_buf_free(&x->tmp);
    dsj_buf_free(&x->srow);
    dsj_free(x);
}

static const dsj_writer_backend_t xpt_backend = {"xpt", xw_begin, xw_row, xw_end, xw_free};

dsj_status_t dsj_xpt_writer_new(const dsj_writer_options_t *opts, const dsj_writer_backend_t **backend,
                                void **ctx, dsj_error_t *err)
{
    xw_t *x;
    int v = opts && opts->xpt_version ? opts->xpt_version : 5;
    if (v != 5 && v != 8) return dsj_err(err, DSJ_E_ARG, "XPT version must be 5 or 8, not %d", v);
    if (!(x = dsj_calloc(1, sizeof *x))) return dsj_err(err, DSJ_E_NOMEM, "out of memory");
    x->version = v;
    x->truncate = opts ? opts->truncate : 0;
    x->on_finding = opts ? opts->on_finding : NULL;
    x->finding_ctx = opts ? opts->finding_ctx : NULL;
    x->define = opts ? opts->define : NULL;
    x->cd = (iconv_t)-1;
    dsj_buf_init(&x->text);
    dsj_buf_init(&x->tmp);
    dsj_buf_init(&x->srow);
    *backend = &xpt_backend;
    *ctx = x;
    return DSJ_OK;
}
