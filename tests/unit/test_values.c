/* Unit tests: value grammars (ISO 8601, decimal, int64, UTF-8) and cell helpers. */
#include "test_util.h"
#include "validate_internal.h"

#include <locale.h>
#include <math.h>

#define S(x) x, strlen(x)

static void test_date(void)
{
    /* full dates, calendar */
    CU_ASSERT_TRUE(dsj_iso8601_date(S("2014-01-02"), 0));
    CU_ASSERT_TRUE(dsj_iso8601_date(S("2024-02-29"), 0));  /* leap year */
    CU_ASSERT_TRUE(dsj_iso8601_date(S("2000-02-29"), 0));  /* divisible by 400 */
    CU_ASSERT_FALSE(dsj_iso8601_date(S("1900-02-29"), 0)); /* divisible by 100 only */
    CU_ASSERT_FALSE(dsj_iso8601_date(S("2023-02-29"), 0));
    CU_ASSERT_FALSE(dsj_iso8601_date(S("2023-04-31"), 0));
    CU_ASSERT_TRUE(dsj_iso8601_date(S("2023-12-31"), 0));
    CU_ASSERT_FALSE(dsj_iso8601_date(S("2023-13-01"), 0));
    CU_ASSERT_FALSE(dsj_iso8601_date(S("2023-00-10"), 0));
    CU_ASSERT_FALSE(dsj_iso8601_date(S("2023-01-00"), 0));
    CU_ASSERT_TRUE(dsj_iso8601_date(S("0000-01-01"), 0));
    /* partial */
    CU_ASSERT_TRUE(dsj_iso8601_date(S("1928"), 1));
    CU_ASSERT_TRUE(dsj_iso8601_date(S("1928-07"), 1));
    CU_ASSERT_FALSE(dsj_iso8601_date(S("1928"), 0));
    CU_ASSERT_FALSE(dsj_iso8601_date(S("1928-07"), 0));
    /* malformed */
    CU_ASSERT_FALSE(dsj_iso8601_date(S(""), 1));
    CU_ASSERT_FALSE(dsj_iso8601_date(S("20140102"), 1));   /* basic format not accepted */
    CU_ASSERT_FALSE(dsj_iso8601_date(S("2014-1-02"), 1));
    CU_ASSERT_FALSE(dsj_iso8601_date(S("2014-01-02T10:00"), 1));
    CU_ASSERT_FALSE(dsj_iso8601_date(S("2014-01-02 "), 1));
    CU_ASSERT_FALSE(dsj_iso8601_date(S("14-01-02"), 1));
    CU_ASSERT_FALSE(dsj_iso8601_date(S("2003---15"), 1));  /* SDTM missing-month form: not ISO 8601 date */
    CU_ASSERT_FALSE(dsj_iso8601_date(S("+2014-01-02"), 1));
    CU_ASSERT_FALSE(dsj_iso8601_date(NULL, 0, 1));
    /* length is respected (no NUL needed) */
    CU_ASSERT_TRUE(dsj_iso8601_date("2014-01-02XYZ", 10, 0));
    CU_ASSERT_TRUE(dsj_iso8601_date("2014-01-02", 4, 1));
    CU_ASSERT_FALSE(dsj_iso8601_date("2014-01-02", 9, 1));
}

static void test_time(void)
{
    CU_ASSERT_TRUE(dsj_iso8601_time(S("10:30:00"), 0));
    CU_ASSERT_TRUE(dsj_iso8601_time(S("00:00:00"), 0));
    CU_ASSERT_TRUE(dsj_iso8601_time(S("23:59:59.999"), 0));
    CU_ASSERT_TRUE(dsj_iso8601_time(S("10:30:00Z"), 0));
    CU_ASSERT_TRUE(dsj_iso8601_time(S("10:30:00+05:30"), 0));
    CU_ASSERT_TRUE(dsj_iso8601_time(S("10:30:00-08"), 0));
    CU_ASSERT_TRUE(dsj_iso8601_time(S("10:30"), 1));
    CU_ASSERT_TRUE(dsj_iso8601_time(S("10"), 1));
    CU_ASSERT_TRUE(dsj_iso8601_time(S("10:30Z"), 1));
    CU_ASSERT_FALSE(dsj_iso8601_time(S("10:30"), 0));
    CU_ASSERT_FALSE(dsj_iso8601_time(S("24:00:00"), 1));   /* decided: hour 24 rejected */
    CU_ASSERT_FALSE(dsj_iso8601_time(S("24:00"), 1));
    CU_ASSERT_FALSE(dsj_iso8601_time(S("23:60:00"), 1));
    CU_ASSERT_FALSE(dsj_iso8601_time(S("23:59:60"), 1));   /* no leap second */
    CU_ASSERT_FALSE(dsj_iso8601_time(S("10:30:00."), 1));
    CU_ASSERT_FALSE(dsj_iso8601_time(S("10:30:00,5"), 1)); /* '.' is the fraction separator */
    CU_ASSERT_FALSE(dsj_iso8601_time(S("10:30.5"), 1));    /* fraction only after seconds */
    CU_ASSERT_FALSE(dsj_iso8601_time(S("10:30:00+24:00"), 1));
    CU_ASSERT_FALSE(dsj_iso8601_time(S("10:30:00+05:60"), 1));
    CU_ASSERT_FALSE(dsj_iso8601_time(S("10:30:00+5"), 1));
    CU_ASSERT_FALSE(dsj_iso8601_time(S("1030"), 1));
    CU_ASSERT_FALSE(dsj_iso8601_time(S("T10:30"), 1));
    CU_ASSERT_FALSE(dsj_iso8601_time(S(""), 1));
    CU_ASSERT_FALSE(dsj_iso8601_time(S("10:30:00Zjunk"), 1));
}

static void test_datetime(void)
{
    CU_ASSERT_TRUE(dsj_iso8601_datetime(S("2014-01-02T10:30:00"), 0));
    CU_ASSERT_TRUE(dsj_iso8601_datetime(S("2014-01-02T10:30:00.5+01:00"), 0));
    CU_ASSERT_FALSE(dsj_iso8601_datetime(S("2014-01-02T10:30"), 0));
    CU_ASSERT_FALSE(dsj_iso8601_datetime(S("2014-01-02"), 0));
    /* reduced precision, as in the official examples (send/dm RFSTDTC = "2016-01-27") */
    CU_ASSERT_TRUE(dsj_iso8601_datetime(S("2016-01-27"), 1));
    CU_ASSERT_TRUE(dsj_iso8601_datetime(S("2016-01"), 1));
    CU_ASSERT_TRUE(dsj_iso8601_datetime(S("2016"), 1));
    CU_ASSERT_TRUE(dsj_iso8601_datetime(S("2016-01-27T10"), 1));
    CU_ASSERT_TRUE(dsj_iso8601_datetime(S("2016-01-27T10:15"), 1));
    CU_ASSERT_TRUE(dsj_iso8601_datetime(S("2016-01-27T10:15Z"), 1));
    CU_ASSERT_FALSE(dsj_iso8601_datetime(S("2016-01T10:15"), 1)); /* partial date cannot carry a time */
    CU_ASSERT_FALSE(dsj_iso8601_datetime(S("2016-01-27T"), 1));
    CU_ASSERT_FALSE(dsj_iso8601_datetime(S("2016-01-27 10:15"), 1));
    CU_ASSERT_FALSE(dsj_iso8601_datetime(S("2016-01-27t10:15"), 1));
    CU_ASSERT_FALSE(dsj_iso8601_datetime(S("2023-02-29T00:00:00"), 1));
    CU_ASSERT_FALSE(dsj_iso8601_datetime(S("2016-01-27T25:00"), 1));
}

static void test_metadata_datetime(void)
{
    CU_ASSERT_TRUE(dsj_iso8601_metadata_datetime(S("2023-05-31T10:15:00")));
    CU_ASSERT_TRUE(dsj_iso8601_metadata_datetime(S("2025-06-19T17:57:05.015Z")));
    CU_ASSERT_TRUE(dsj_iso8601_metadata_datetime(S("2024-01-01T00:00:00.123+05:30")));
    CU_ASSERT_FALSE(dsj_iso8601_metadata_datetime(S("2024-01-01T00:00")));      /* seconds required */
    CU_ASSERT_FALSE(dsj_iso8601_metadata_datetime(S("2024-01-01")));
    CU_ASSERT_FALSE(dsj_iso8601_metadata_datetime(S("2024-01-01T00:00:00+05"))); /* offset needs :mm */
    CU_ASSERT_FALSE(dsj_iso8601_metadata_datetime(S("2024-01-01T24:00:00")));
    CU_ASSERT_FALSE(dsj_iso8601_metadata_datetime(S("2024-02-30T00:00:00")));
    CU_ASSERT_FALSE(dsj_iso8601_metadata_datetime(S("2024-01-01 00:00:00")));
}

static void test_datetime_compare(void)
{
    int cmp = 9, mixed = 9;
    CU_ASSERT_TRUE(dsj_metadata_datetime_compare(S("2024-01-01T10:00:00"), S("2024-01-01T10:00:01"), &cmp, &mixed));
    CU_ASSERT_EQUAL(cmp, -1);
    CU_ASSERT_EQUAL(mixed, 0);
    /* offsets: 12:00+02:00 is 10:00Z, so it equals 10:00:00Z */
    CU_ASSERT_TRUE(dsj_metadata_datetime_compare(S("2024-01-01T12:00:00+02:00"), S("2024-01-01T10:00:00Z"), &cmp, &mixed));
    CU_ASSERT_EQUAL(cmp, 0);
    /* 2024-01-01T01:00:00+02:00 is 2023-12-31T23:00Z, earlier than 2023-12-31T23:30:00Z across a year */
    CU_ASSERT_TRUE(dsj_metadata_datetime_compare(S("2024-01-01T01:00:00+02:00"), S("2023-12-31T23:30:00Z"), &cmp, &mixed));
    CU_ASSERT_EQUAL(cmp, -1);
    /* fractions compare digit by digit: .5 > .49 */
    CU_ASSERT_TRUE(dsj_metadata_datetime_compare(S("2024-01-01T00:00:00.5"), S("2024-01-01T00:00:00.49"), &cmp, &mixed));
    CU_ASSERT_EQUAL(cmp, 1);
    CU_ASSERT_TRUE(dsj_metadata_datetime_compare(S("2024-01-01T00:00:00.50"), S("2024-01-01T00:00:00.5"), &cmp, &mixed));
    CU_ASSERT_EQUAL(cmp, 0);
    /* only one offset: compared as local times, and flagged */
    CU_ASSERT_TRUE(dsj_metadata_datetime_compare(S("2024-01-01T12:00:00+02:00"), S("2024-01-01T11:00:00"), &cmp, &mixed));
    CU_ASSERT_EQUAL(cmp, 1);
    CU_ASSERT_EQUAL(mixed, 1);
    CU_ASSERT_FALSE(dsj_metadata_datetime_compare(S("2024-01-01"), S("2024-01-01T11:00:00"), &cmp, &mixed));
}

static void test_decimal(void)
{
    CU_ASSERT_TRUE(dsj_decimal_valid(S("0")));
    CU_ASSERT_TRUE(dsj_decimal_valid(S("140")));
    CU_ASSERT_TRUE(dsj_decimal_valid(S("4.5")));
    CU_ASSERT_TRUE(dsj_decimal_valid(S("-0.5")));
    CU_ASSERT_TRUE(dsj_decimal_valid(S("1.03703703703703")));
    CU_ASSERT_TRUE(dsj_decimal_valid(S("007.5")));           /* leading zeros accepted */
    CU_ASSERT_TRUE(dsj_decimal_valid(S("123456789012345678901234567890.000000000000000001")));
    CU_ASSERT_FALSE(dsj_decimal_valid(S("")));
    CU_ASSERT_FALSE(dsj_decimal_valid(S("-")));
    CU_ASSERT_FALSE(dsj_decimal_valid(S("1e5")));
    CU_ASSERT_FALSE(dsj_decimal_valid(S("1.5E-3")));
    CU_ASSERT_FALSE(dsj_decimal_valid(S(".5")));              /* decided: a digit before '.' */
    CU_ASSERT_FALSE(dsj_decimal_valid(S("5.")));
    CU_ASSERT_FALSE(dsj_decimal_valid(S("+5")));
    CU_ASSERT_FALSE(dsj_decimal_valid(S("1,234.5")));
    CU_ASSERT_FALSE(dsj_decimal_valid(S("1,5")));
    CU_ASSERT_FALSE(dsj_decimal_valid(S(" 1")));
    CU_ASSERT_FALSE(dsj_decimal_valid(S("NaN")));
    CU_ASSERT_FALSE(dsj_decimal_valid(S("1.2.3")));
    CU_ASSERT_FALSE(dsj_decimal_valid(S("--1")));
}

static void test_int64(void)
{
    int64_t x = 0;
    CU_ASSERT_TRUE(dsj_int64_parse(S("0"), &x));
    CU_ASSERT_EQUAL(x, 0);
    CU_ASSERT_TRUE(dsj_int64_parse(S("-0"), &x));
    CU_ASSERT_EQUAL(x, 0);
    CU_ASSERT_TRUE(dsj_int64_parse(S("42"), &x));
    CU_ASSERT_EQUAL(x, 42);
    CU_ASSERT_TRUE(dsj_int64_parse(S("9223372036854775807"), &x));
    CU_ASSERT_EQUAL(x, INT64_MAX);
    CU_ASSERT_TRUE(dsj_int64_parse(S("-9223372036854775808"), &x));
    CU_ASSERT_EQUAL(x, INT64_MIN);
    CU_ASSERT_FALSE(dsj_int64_parse(S("9223372036854775808"), &x));
    CU_ASSERT_FALSE(dsj_int64_parse(S("-9223372036854775809"), &x));
    CU_ASSERT_FALSE(dsj_int64_parse(S("99999999999999999999999"), &x));
    CU_ASSERT_FALSE(dsj_int64_parse(S("01"), &x));
    CU_ASSERT_FALSE(dsj_int64_parse(S("1.0"), &x));
    CU_ASSERT_FALSE(dsj_int64_parse(S("1e3"), &x));
    CU_ASSERT_FALSE(dsj_int64_parse(S("+1"), &x));
    CU_ASSERT_FALSE(dsj_int64_parse(S("-"), &x));
    CU_ASSERT_FALSE(dsj_int64_parse(S(""), &x));
    CU_ASSERT_TRUE(dsj_int64_parse(S("17"), NULL));
}

static void test_utf8(void)
{
    const char *jp = "\xe9\xa0\xad\xe7\x97\x9b"; /* 2 CJK characters, 6 bytes */
    CU_ASSERT_EQUAL(dsj_utf8_length(S("abc")), 3);
    CU_ASSERT_EQUAL(dsj_utf8_length(jp, 6), 2);
    CU_ASSERT_EQUAL(dsj_utf8_length(S("\xc3\xa9t\xc3\xa9")), 3);
    CU_ASSERT_EQUAL(dsj_utf8_length(S("\xf0\x9f\x98\x80")), 1);
    CU_ASSERT_EQUAL(dsj_utf8_length(S("")), 0);
    CU_ASSERT_EQUAL(dsj_utf8_length(jp, 5), (size_t)-1);        /* truncated sequence */
    CU_ASSERT_EQUAL(dsj_utf8_length(S("\xc0\xaf")), (size_t)-1); /* overlong '/' */
    CU_ASSERT_EQUAL(dsj_utf8_length(S("\xed\xa0\x80")), (size_t)-1); /* surrogate */
    CU_ASSERT_EQUAL(dsj_utf8_length(S("\xf4\x90\x80\x80")), (size_t)-1); /* > U+10FFFF */
    CU_ASSERT_EQUAL(dsj_utf8_length(S("\xe0\x80\x80")), (size_t)-1); /* overlong 3-byte */
    CU_ASSERT_EQUAL(dsj_utf8_check(S("ab\xff" "cd")), 2);
    CU_ASSERT_EQUAL(dsj_utf8_check(S("a\xe9\xa0")), 1);
    CU_ASSERT_EQUAL(dsj_utf8_check(jp, 6), 6);
    CU_ASSERT_EQUAL(dsj_utf8_check("a\0b", 3), 3);              /* NUL is valid UTF-8 */
}

static dsj_cell_t cell(dsj_cell_kind_t k, const char *text)
{
    dsj_cell_t c;
    memset(&c, 0, sizeof c);
    c.kind = k;
    c.text = text;
    c.len = text ? strlen(text) : 0;
    return c;
}

static void test_cells(void)
{
    dsj_cell_t c;
    int64_t x = 0;
    double d = 0;
    c = cell(DSJ_CELL_NULL, NULL);
    CU_ASSERT_TRUE(dsj_cell_is_missing(&c));
    CU_ASSERT_EQUAL(dsj_cell_to_int64(&c, &x), DSJ_E_TYPE);
    c = cell(DSJ_CELL_STRING, "");
    CU_ASSERT_TRUE(dsj_cell_is_missing(&c));
    c = cell(DSJ_CELL_STRING, " ");
    CU_ASSERT_FALSE(dsj_cell_is_missing(&c));
    c = cell(DSJ_CELL_INTEGER, "0");
    CU_ASSERT_FALSE(dsj_cell_is_missing(&c));

    c = cell(DSJ_CELL_INTEGER, "-17");
    CU_ASSERT_EQUAL(dsj_cell_to_int64(&c, &x), DSJ_OK);
    CU_ASSERT_EQUAL(x, -17);
    c = cell(DSJ_CELL_INTEGER, "9223372036854775808");
    CU_ASSERT_EQUAL(dsj_cell_to_int64(&c, &x), DSJ_E_RANGE);
    c = cell(DSJ_CELL_NUMBER, "3.0");
    CU_ASSERT_EQUAL(dsj_cell_to_int64(&c, &x), DSJ_OK);
    CU_ASSERT_EQUAL(x, 3);
    c = cell(DSJ_CELL_NUMBER, "3e2");
    CU_ASSERT_EQUAL(dsj_cell_to_int64(&c, &x), DSJ_OK);
    CU_ASSERT_EQUAL(x, 300);
    c = cell(DSJ_CELL_NUMBER, "12.50e1");
    CU_ASSERT_EQUAL(dsj_cell_to_int64(&c, &x), DSJ_OK);
    CU_ASSERT_EQUAL(x, 125);
    c = cell(DSJ_CELL_NUMBER, "1500E-2");
    CU_ASSERT_EQUAL(dsj_cell_to_int64(&c, &x), DSJ_OK);
    CU_ASSERT_EQUAL(x, 15);
    c = cell(DSJ_CELL_NUMBER, "-0.0e5");
    CU_ASSERT_EQUAL(dsj_cell_to_int64(&c, &x), DSJ_OK);
    CU_ASSERT_EQUAL(x, 0);
    c = cell(DSJ_CELL_NUMBER, "-9.223372036854775808e18");
    CU_ASSERT_EQUAL(dsj_cell_to_int64(&c, &x), DSJ_OK);
    CU_ASSERT_EQUAL(x, INT64_MIN);
    c = cell(DSJ_CELL_NUMBER, "9.223372036854775808e18");
    CU_ASSERT_EQUAL(dsj_cell_to_int64(&c, &x), DSJ_E_RANGE);
    c = cell(DSJ_CELL_NUMBER, "1e400");
    CU_ASSERT_EQUAL(dsj_cell_to_int64(&c, &x), DSJ_E_RANGE);
    c = cell(DSJ_CELL_NUMBER, "3.5");
    CU_ASSERT_EQUAL(dsj_cell_to_int64(&c, &x), DSJ_E_TYPE);
    c = cell(DSJ_CELL_NUMBER, "1e-1");
    CU_ASSERT_EQUAL(dsj_cell_to_int64(&c, &x), DSJ_E_TYPE);
    c = cell(DSJ_CELL_NUMBER, "56.724137931");
    CU_ASSERT_EQUAL(dsj_cell_to_int64(&c, &x), DSJ_E_TYPE);
    c = cell(DSJ_CELL_STRING, "3");
    CU_ASSERT_EQUAL(dsj_cell_to_int64(&c, &x), DSJ_E_TYPE);
    CU_ASSERT_EQUAL(dsj_cell_to_int64(NULL, &x), DSJ_E_ARG);

    c = cell(DSJ_CELL_NUMBER, "2.5e-1");
    CU_ASSERT_EQUAL(dsj_cell_to_double(&c, &d), DSJ_OK);
    CU_ASSERT_DOUBLE_EQUAL(d, 0.25, 1e-15);
    c = cell(DSJ_CELL_STRING, "30.8983333232059");
    CU_ASSERT_EQUAL(dsj_cell_to_double(&c, &d), DSJ_OK);
    CU_ASSERT_DOUBLE_EQUAL(d, 30.8983333232059, 1e-12);
    c = cell(DSJ_CELL_STRING, "abc");
    CU_ASSERT_EQUAL(dsj_cell_to_double(&c, &d), DSJ_E_TYPE);
    c = cell(DSJ_CELL_BOOLEAN, "true");
    CU_ASSERT_EQUAL(dsj_cell_to_double(&c, &d), DSJ_E_TYPE);
}

static void test_double_locale(void)
{
    /* A caller with a comma-decimal locale must still read "2.5" as 2.5. */
    dsj_cell_t c = cell(DSJ_CELL_NUMBER, "2.5");
    double d = 0;
    const char *loc = setlocale(LC_NUMERIC, "de_DE.UTF-8");
    if (!loc) loc = setlocale(LC_NUMERIC, "fr_FR.UTF-8");
    if (!loc) printf("\n  (no comma locale installed; checking the C locale only)\n");
    CU_ASSERT_EQUAL(dsj_cell_to_double(&c, &d), DSJ_OK);
    CU_ASSERT_DOUBLE_EQUAL(d, 2.5, 0);
    setlocale(LC_NUMERIC, "C");
}

int main(void)
{
    static const dsj_test_case_t cases[] = {
        {"iso8601 date", test_date},
        {"iso8601 time", test_time},
        {"iso8601 datetime", test_datetime},
        {"metadata datetime", test_metadata_datetime},
        {"metadata datetime compare", test_datetime_compare},
        {"decimal strings", test_decimal},
        {"int64 tokens", test_int64},
        {"utf-8", test_utf8},
        {"cell helpers", test_cells},
        {"double under a comma locale", test_double_locale},
        {NULL, NULL}};
    return dsj_test_run("values", cases);
}
