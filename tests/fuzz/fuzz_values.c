/*
 * libFuzzer harness: the value grammars.  The input is split at the first
 * NUL byte into a and b; a goes through every ISO 8601 check (date,
 * datetime, time; partial and strict; metadata datetime), the decimal and
 * int64 grammars and the UTF-8 checks; a and b are compared as JSON number
 * texts (when both are numbers) and as cells (dsj_value_compare).
 */
#include "fuzz_common.h"

static int json_number(const char *s, size_t n)
{
    size_t i = 0;
    if (i < n && s[i] == '-') i++;
    if (i >= n) return 0;
    if (s[i] == '0') i++;
    else if (s[i] >= '1' && s[i] <= '9') while (i < n && s[i] >= '0' && s[i] <= '9') i++;
    else return 0;
    if (i < n && s[i] == '.') {
        i++;
        if (i >= n || s[i] < '0' || s[i] > '9') return 0;
        while (i < n && s[i] >= '0' && s[i] <= '9') i++;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) i++;
        if (i >= n || s[i] < '0' || s[i] > '9') return 0;
        while (i < n && s[i] >= '0' && s[i] <= '9') i++;
    }
    return i == n;
}

static void grammars(const char *s, size_t n)
{
    int64_t v;
    int p;
    for (p = 0; p < 2; p++) {
        (void)dsj_iso8601_date(s, n, p);
        (void)dsj_iso8601_datetime(s, n, p);
        (void)dsj_iso8601_time(s, n, p);
    }
    (void)dsj_iso8601_metadata_datetime(s, n);
    (void)dsj_decimal_valid(s, n);
    (void)dsj_int64_parse(s, n, &v);
    (void)dsj_utf8_length(s, n);
    (void)dsj_utf8_check(s, n);
}

static void as_cell(dsj_cell_t *c, const char *s, size_t n)
{
    memset(c, 0, sizeof *c);
    c->text = s;
    c->len = n;
    if (json_number(s, n)) c->kind = memchr(s, '.', n) || memchr(s, 'e', n) || memchr(s, 'E', n)
                                         ? DSJ_CELL_NUMBER : DSJ_CELL_INTEGER;
    else c->kind = DSJ_CELL_STRING;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Copies with a NUL after them: the cell API promises NUL-terminated texts. */
    const uint8_t *nul = memchr(data, 0, size);
    size_t alen = nul ? (size_t)(nul - data) : size;
    size_t blen = nul ? size - alen - 1 : 0;
    char *a = malloc(alen + 1), *b = malloc(blen + 1);
    dsj_cell_t ca, cb;
    double d;
    int64_t i64;
    if (!a || !b) { free(a); free(b); return 0; }
    memcpy(a, data, alen); a[alen] = '\0';
    if (blen) memcpy(b, nul + 1, blen);
    b[blen] = '\0';
    grammars(a, alen);
    grammars(b, blen);
    if (json_number(a, alen) && json_number(b, blen)) {
        (void)dsj_number_text_compare(a, alen, b, blen);
        (void)dsj_number_text_compare(b, blen, a, alen);
        (void)dsj_number_text_compare(a, alen, a, alen);
    }
    as_cell(&ca, a, alen);
    as_cell(&cb, b, blen);
    (void)dsj_value_compare(&ca, &cb);
    (void)dsj_cell_to_int64(&ca, &i64);
    (void)dsj_cell_to_double(&ca, &d);
    (void)dsj_cell_is_missing(&ca);
    free(a);
    free(b);
    return 0;
}
