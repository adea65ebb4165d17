/*
 * Dataset-XML reader helpers without libxml2: the exact ItemGroupData count
 * of the first pass, and the typing of one Value by its column dataType.
 * See docs/datasetxml.md for the rules.
 */
#include "datasetxml_read_internal.h"
#include "convert_internal.h"

/* ------------------------------------------------------------------ count */

#define SCAN_BUF (1u << 20)
#define SCAN_KEEP 256u /* bytes kept across reads: longest tag name looked at, closing marks */

enum { SC_TEXT, SC_COMMENT, SC_CDATA, SC_PI };

static int is_name_end(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '/' || c == '>';
}

/* Classify the markup at p ('<'); avail bytes from p; eof: no more input.
   Returns the bytes consumed (>= 1), or 0 when more bytes are needed. */
static size_t scan_tag(const unsigned char *p, size_t avail, int eof, int *state, int64_t *count)
{
    static const char ig[] = "ItemGroupData";
    size_t i;
    if (avail < 9 && !eof) return 0;
    if (avail >= 2 && p[1] == '/') return 2;
    if (avail >= 2 && p[1] == '!') {
        if (avail >= 4 && p[2] == '-' && p[3] == '-') { *state = SC_COMMENT; return 4; }
        if (avail >= 9 && memcmp(p, "<![CDATA[", 9) == 0) { *state = SC_CDATA; return 9; }
        return 2;
    }
    if (avail >= 2 && p[1] == '?') { *state = SC_PI; return 2; }
    for (i = 1; i < avail && !is_name_end(p[i]); i++)
        if (i >= SCAN_KEEP - 2) return i; /* a name this long is not ItemGroupData */
    if (i == avail && !eof) return 0;
    if (i < avail || eof) {
        size_t start = 1, k;
        for (k = 1; k < i; k++)
            if (p[k] == ':') start = k + 1;
        if (i - start == sizeof ig - 1 && memcmp(p + start, ig, sizeof ig - 1) == 0 && i < avail) (*count)++;
    }
    return i;
}

dsj_status_t dsj_dxml_count_groups(dsj_source_t *src, int64_t *n, dsj_error_t *err)
{
    static const char *const close_mark[] = { "", "-->", "]]>", "?>" };
    unsigned char *buf = dsj_malloc(SCAN_BUF + SCAN_KEEP);
    size_t have = 0, pos = 0;
    int eof = 0, state = SC_TEXT;
    int64_t count = 0;
    if (!buf) return dsj_error_set(err, DSJ_E_NOMEM, dsj_source_name(src), 0, 0, 0, "out of memory");
    for (;;) {
        if (!eof && have - pos < SCAN_KEEP) {
            long got;
            memmove(buf, buf + pos, have - pos);
            have -= pos;
            pos = 0;
            got = dsj_source_read(src, buf + have, SCAN_BUF + SCAN_KEEP - have, err);
            if (got < 0) {
                dsj_free(buf);
                return err && err->code ? err->code : DSJ_E_IO;
            }
            if (got == 0) eof = 1;
            have += (size_t)got;
        }
        if (pos >= have) break;
        if (state == SC_TEXT) {
            unsigned char *lt = memchr(buf + pos, '<', have - pos);
            size_t used;
            if (!lt) {
                pos = have;
                continue;
            }
            pos = (size_t)(lt - buf);
            used = scan_tag(lt, have - pos, eof, &state, &count);
            if (used == 0) {
                if (eof) break;
                if (pos == 0) pos = have; /* cannot happen: SCAN_KEEP bounds the look-ahead */
                continue;               /* refill keeps buf[pos..] */
            }
            pos += used;
        } else {
            const char *mark = close_mark[state];
            size_t ml = strlen(mark);
            unsigned char *hit = memmem(buf + pos, have - pos, mark, ml);
            if (hit) {
                pos = (size_t)(hit - buf) + ml;
                state = SC_TEXT;
            } else if (eof) {
                break;
            } else {
                pos = have - (ml - 1); /* keep a possible partial mark */
                if (have - pos >= SCAN_KEEP) pos = have;
            }
        }
        if (eof && pos >= have) break;
    }
    dsj_free(buf);
    *n = count;
    return DSJ_OK;
}

/* ------------------------------------------------------------------ values */

/* -?(0|[1-9][0-9]*) */
static int json_integer(const char *s, size_t n)
{
    size_t i = 0;
    if (i < n && s[i] == '-') i++;
    if (i >= n) return 0;
    if (s[i] == '0') return i + 1 == n;
    for (; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return 0;
    return 1;
}

static int put(dsj_buf_t *out, const char *s, size_t n, size_t *len)
{
    if (dsj_buf_append(out, s, n) || dsj_buf_putc(out, '\0')) return -1;
    *len = n;
    return 0;
}

#define OOM ""

const char *dsj_dxml_type_value(const dsj_dxml_coltype_t *t, const char *s, size_t n, dsj_buf_t *out,
                                dsj_cell_kind_t *kind, size_t *len)
{
    const char *bad = NULL;
    *kind = DSJ_CELL_STRING;
    switch (t->type) {
    case DSJ_TYPE_INTEGER:
        if (json_integer(s, n)) *kind = DSJ_CELL_INTEGER;
        else bad = "an integer (digits with an optional leading '-', no leading zeros, no fraction)";
        break;
    case DSJ_TYPE_FLOAT:
    case DSJ_TYPE_DOUBLE:
        if (dsj_json_number_valid(s, n)) {
            *kind = (memchr(s, '.', n) || memchr(s, 'e', n) || memchr(s, 'E', n)) ? DSJ_CELL_NUMBER : DSJ_CELL_INTEGER;
        } else {
            bad = "a JSON number (no leading '+', no bare '.5' or '5.', no NaN or Infinity)";
        }
        break;
    case DSJ_TYPE_DECIMAL:
        if (n > 0 && !dsj_decimal_valid(s, n)) bad = "a decimal ('-'? digits, optionally '.' digits, no exponent)";
        break;
    case DSJ_TYPE_BOOLEAN:
        if ((n == 4 && memcmp(s, "true", 4) == 0) || (n == 1 && s[0] == '1')) {
            *kind = DSJ_CELL_BOOLEAN;
            return put(out, "true", 4, len) ? OOM : NULL;
        }
        if ((n == 5 && memcmp(s, "false", 5) == 0) || (n == 1 && s[0] == '0')) {
            *kind = DSJ_CELL_BOOLEAN;
            return put(out, "false", 5, len) ? OOM : NULL;
        }
        bad = "a boolean (true, false, 1 or 0)";
        break;
    case DSJ_TYPE_DATE:
    case DSJ_TYPE_DATETIME:
    case DSJ_TYPE_TIME: {
        int ok;
        if (n == 0) break; /* "" is a missing value: kept as "" */
        if (t->target == DSJ_TYPE_INTEGER && json_integer(s, n)) {
            /* A SAS numeric date/time (days or seconds since 1960): the ISO 8601 text. */
            int64_t v;
            char iso[32];
            int k = -1;
            if (dsj_int64_parse(s, n, &v)) {
                if (t->type == DSJ_TYPE_DATE) k = dsj_sas_date_to_iso(v, iso);
                else if (t->type == DSJ_TYPE_DATETIME) k = dsj_sas_datetime_to_iso(v, iso);
                else k = dsj_sas_time_to_iso(v, iso);
            }
            if (k > 0) return put(out, iso, (size_t)k, len) ? OOM : NULL;
            bad = "a SAS date/time number within the years 0000-9999";
            break;
        }
        ok = t->type == DSJ_TYPE_DATE ? dsj_iso8601_date(s, n, 1)
           : t->type == DSJ_TYPE_TIME ? dsj_iso8601_time(s, n, 1) : dsj_iso8601_datetime(s, n, 1);
        if (!ok)
            bad = t->type == DSJ_TYPE_DATE ? "an ISO 8601 date (YYYY, YYYY-MM or YYYY-MM-DD)"
                : t->type == DSJ_TYPE_TIME ? "an ISO 8601 time (hh, hh:mm or hh:mm:ss[.f])"
                                           : "an ISO 8601 date or datetime (complete or reduced precision)";
        break;
    }
    default: /* string, URI, unknown */
        break;
    }
    if (put(out, s, n, len)) return OOM;
    return bad;
}
