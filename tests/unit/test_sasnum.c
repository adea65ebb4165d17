/* Unit tests: SAS number text (sasnum.c): shortest round trip, the 15-digit rule, integers. */
#include "test_util.h"
#include "sasnum_internal.h"
#include "convert_internal.h"

#include <math.h>

static const char *fmt(double v, unsigned flags)
{
    static char buf[DSJ_SASNUM_BUFSIZE];
    if (dsj_sasnum_format(v, flags, buf) < 0) return "(error)";
    return buf;
}

static void test_ibm_noise(void)
{
    /* 8.549999999999999 is one ULP below 8.55: shown as 8.55 by default, kept exactly on request. */
    double noisy = nextafter(8.55, 0.0);
    CU_ASSERT_STRING_EQUAL(fmt(noisy, 0), "8.55");
    CU_ASSERT_STRING_EQUAL(fmt(noisy, DSJ_SASNUM_EXACT), "8.549999999999999");
    CU_ASSERT_EQUAL(strtod(fmt(noisy, DSJ_SASNUM_EXACT), NULL), noisy);
    CU_ASSERT_STRING_EQUAL(fmt(8.55, 0), "8.55");
    CU_ASSERT_STRING_EQUAL(fmt(8.55, DSJ_SASNUM_EXACT), "8.55");
    /* Above too */
    CU_ASSERT_STRING_EQUAL(fmt(nextafter(147.3, 1000.0), 0), "147.3");
    /* Two ULPs away is a real difference: the exact text is kept. */
    CU_ASSERT_EQUAL(strtod(fmt(nextafter(nextafter(8.55, 0.0), 0.0), 0), NULL), nextafter(nextafter(8.55, 0.0), 0.0));
    /* ... unless the tolerance is widened (--ulps 2), as for the official SDTM LB values */
    CU_ASSERT_STRING_EQUAL(fmt(88.39999999999998, 0), "88.39999999999998");
    CU_ASSERT_STRING_EQUAL(fmt(88.39999999999998, DSJ_SASNUM_ULPS(1)), "88.39999999999998");
    CU_ASSERT_STRING_EQUAL(fmt(88.39999999999998, DSJ_SASNUM_ULPS(2)), "88.4");
    CU_ASSERT_STRING_EQUAL(fmt(0.8072499999999998, DSJ_SASNUM_ULPS(2)), "0.80725");
    CU_ASSERT_STRING_EQUAL(fmt(88.39999999999998, DSJ_SASNUM_EXACT | DSJ_SASNUM_ULPS(2)), "88.39999999999998");
    CU_ASSERT(dsj_sasnum_within_ulps(88.4, 88.39999999999998, 2));
    CU_ASSERT(!dsj_sasnum_within_ulps(88.4, 88.39999999999998, 1));
    CU_ASSERT(!dsj_sasnum_within_ulps(1.0, NAN, 16));
}

static void test_plain(void)
{
    CU_ASSERT_STRING_EQUAL(fmt(0.1, 0), "0.1");
    CU_ASSERT_STRING_EQUAL(fmt(0.1, DSJ_SASNUM_EXACT), "0.1");
    CU_ASSERT_STRING_EQUAL(fmt(1e-9, 0), "1e-9");
    CU_ASSERT_STRING_EQUAL(fmt(1e-9, DSJ_SASNUM_EXACT), "1e-9");
    CU_ASSERT_STRING_EQUAL(fmt(1.5e-300, 0), "1.5e-300");
    CU_ASSERT_STRING_EQUAL(fmt(-2.5, 0), "-2.5");
    CU_ASSERT_STRING_EQUAL(fmt(25.1, 0), "25.1");
    CU_ASSERT_STRING_EQUAL(fmt(0.0001, 0), "0.0001");
    CU_ASSERT_STRING_EQUAL(fmt(0.00001234, 0), "1.234e-5");
    /* 1/3: 16 digits read back exactly and the 15-digit form is more than one ULP away. */
    CU_ASSERT_STRING_EQUAL(fmt(1.0 / 3.0, 0), "0.3333333333333333");
    CU_ASSERT_STRING_EQUAL(fmt(1.0 / 3.0, DSJ_SASNUM_EXACT), "0.3333333333333333");
    CU_ASSERT_STRING_EQUAL(fmt(-1.0 / 3.0, 0), "-0.3333333333333333");
    /* 17 digits needed */
    CU_ASSERT_EQUAL(strtod(fmt(0.1 + 0.2, DSJ_SASNUM_EXACT), NULL), 0.1 + 0.2);
    CU_ASSERT_STRING_EQUAL(fmt(0.1 + 0.2, DSJ_SASNUM_EXACT), "0.30000000000000004");
    /* 0.1+0.2 is one ULP above 0.3: shown as SAS shows it */
    CU_ASSERT_STRING_EQUAL(fmt(0.1 + 0.2, 0), "0.3");
}

static void test_integers(void)
{
    char buf[DSJ_SASNUM_BUFSIZE];
    CU_ASSERT_STRING_EQUAL(fmt(0.0, 0), "0");
    CU_ASSERT_STRING_EQUAL(fmt(-0.0, 0), "0");
    CU_ASSERT_STRING_EQUAL(fmt(12.0, 0), "12");
    CU_ASSERT_STRING_EQUAL(fmt(-3.0, 0), "-3");
    CU_ASSERT_STRING_EQUAL(fmt(19725.0, 0), "19725");
    CU_ASSERT_STRING_EQUAL(fmt(9007199254740991.0, 0), "9007199254740991");
    CU_ASSERT_STRING_EQUAL(fmt(-9007199254740991.0, 0), "-9007199254740991");
    /* large integral values beyond 2^53 keep their value in exponent form */
    CU_ASSERT_STRING_EQUAL(fmt(1e20, 0), "1e+20");
    CU_ASSERT_EQUAL(strtod(fmt(123456789012345678901.0, 0), NULL), 123456789012345678901.0);
    CU_ASSERT_EQUAL(dsj_sasnum_format_int(1e18, buf), 19);
    CU_ASSERT_STRING_EQUAL(buf, "1000000000000000000");
    CU_ASSERT_EQUAL(dsj_sasnum_format_int(-9223372036854775808.0, buf), 20);
    CU_ASSERT_STRING_EQUAL(buf, "-9223372036854775808");
    CU_ASSERT_EQUAL(dsj_sasnum_format_int(9223372036854775808.0, buf), -1);
    CU_ASSERT_EQUAL(dsj_sasnum_format_int(1.5, buf), -1);
    CU_ASSERT_EQUAL(dsj_sasnum_format_int(NAN, buf), -1);
}

static void test_special(void)
{
    char buf[DSJ_SASNUM_BUFSIZE];
    CU_ASSERT_EQUAL(dsj_sasnum_format(NAN, 0, buf), -1);
    CU_ASSERT_STRING_EQUAL(buf, "");
    CU_ASSERT_EQUAL(dsj_sasnum_format(INFINITY, 0, buf), -1);
    CU_ASSERT_EQUAL(dsj_sasnum_format(-INFINITY, DSJ_SASNUM_EXACT, buf), -1);
    CU_ASSERT_TRUE(dsj_sasnum_within_ulp(1.0, 1.0));
    CU_ASSERT_TRUE(dsj_sasnum_within_ulp(1.0, nextafter(1.0, 2.0)));
    CU_ASSERT_FALSE(dsj_sasnum_within_ulp(1.0, nextafter(nextafter(1.0, 2.0), 2.0)));
    CU_ASSERT_FALSE(dsj_sasnum_within_ulp(NAN, NAN));
    /* extremes round-trip */
    CU_ASSERT_EQUAL(strtod(fmt(1.7976931348623157e308, DSJ_SASNUM_EXACT), NULL), 1.7976931348623157e308);
    CU_ASSERT_EQUAL(strtod(fmt(4.9406564584124654e-324, DSJ_SASNUM_EXACT), NULL), 4.9406564584124654e-324);
    CU_ASSERT_EQUAL(strtod(fmt(2.2250738585072014e-308, 0), NULL), 2.2250738585072014e-308);
}

/* Every output is a JSON number that reads back exactly (exact) or within one ULP (default). */
static void test_random_roundtrip(void)
{
    unsigned long long x = 88172645463325252ull;
    int i, bad = 0;
    for (i = 0; i < 200000; i++) {
        double v;
        char buf[DSJ_SASNUM_BUFSIZE];
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        memcpy(&v, &x, sizeof v);
        if (!isfinite(v)) continue;
        if (dsj_sasnum_format(v, DSJ_SASNUM_EXACT, buf) < 0 || strtod(buf, NULL) != v) bad++;
        if (dsj_sasnum_format(v, 0, buf) < 0 || !dsj_sasnum_within_ulp(strtod(buf, NULL), v)) bad++;
        if (!dsj_json_number_valid(buf, strlen(buf))) bad++;
    }
    CU_ASSERT_EQUAL(bad, 0);
}

static const dsj_test_case_t cases[] = {
    {"ibm_noise", test_ibm_noise},
    {"plain", test_plain},
    {"integers", test_integers},
    {"special", test_special},
    {"random_roundtrip", test_random_roundtrip},
    {NULL, NULL}
};

int main(void)
{
    return dsj_test_run("sasnum", cases);
}
