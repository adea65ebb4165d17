/* Unit tests: the condition language (parser, errors with positions,
 * evaluation over rows), value comparison (exact numbers, partial ISO 8601
 * dates) and UTF-8 regexes. */
#include "test_util.h"

/* A small 1.1 dataset: S string, N integer, D decimal string, DT date, B boolean. */
static const char tiny[] =
    "{\"datasetJSONCreationDateTime\":\"2025-01-01T00:00:00\",\"datasetJSONVersion\":\"1.1.0\","
    "\"itemGroupOID\":\"IG.T\",\"records\":6,\"name\":\"T\",\"label\":\"T\",\"columns\":["
    "{\"itemOID\":\"IT.S\",\"name\":\"S\",\"label\":\"S\",\"dataType\":\"string\"},"
    "{\"itemOID\":\"IT.N\",\"name\":\"N\",\"label\":\"N\",\"dataType\":\"integer\"},"
    "{\"itemOID\":\"IT.D\",\"name\":\"D\",\"label\":\"D\",\"dataType\":\"decimal\"},"
    "{\"itemOID\":\"IT.DT\",\"name\":\"DT\",\"label\":\"DT\",\"dataType\":\"date\"},"
    "{\"itemOID\":\"IT.E\",\"name\":\"E\",\"label\":\"E\",\"dataType\":\"datetime\"}],"
    "\"rows\":["
    "[\"ALPHA\",1,\"1.50\",\"2012-01-15\",\"2012-01-20T10:00\"],"
    "[\"beta\",10,\"10.5\",\"2012-01\",\"2012-01-10\"],"
    "[\"\",9007199254740993,\"9.0\",\"2013\",null],"
    "[null,-3,\"-0.0\",\"2012-02-01\",\"2012-02-01T08:30:00\"],"
    "[\"頭痛\",0,\"0\",\"\",\"2012-02-01T08:30:00.5\"],"
    "[\"A,B\",100,\"1e2\",\"2011-12-31\",\"2012\"]]}";

static dsj_dataset_t *ds;

static int setup(void)
{
    dsj_error_t e;
    ds = dsj_dataset_from_string(tiny, strlen(tiny), NULL, &e);
    if (!ds) printf("\n  tiny dataset: %s\n", e.text);
    return ds ? 0 : 1;
}

/* Rows (1-based numbers) where cond holds, as a string "1,3,". */
static const char *rows_where(const char *cond)
{
    static char out[600];
    dsj_error_t e;
    dsj_condition_t *c;
    dsj_condition_eval_t *ev;
    size_t i;
    out[0] = '\0';
    if (!ds && setup()) return "setup failed";
    c = dsj_condition_parse(cond, &e);
    if (!c) { snprintf(out, sizeof out, "parse error: %s", e.text); return out; }
    ev = dsj_condition_bind(c, dsj_dataset_meta(ds), &e);
    if (!ev) { snprintf(out, sizeof out, "bind error: %s", e.text); dsj_condition_free(c); return out; }
    for (i = 0; i < dsj_dataset_nrows(ds); i++)
        if (dsj_condition_eval(ev, dsj_dataset_row(ds, i))) {
            size_t l = strlen(out);
            snprintf(out + l, sizeof out - l, "%zu,", i + 1);
        }
    dsj_condition_eval_free(ev);
    dsj_condition_free(c);
    return out;
}

#define WHERE(cond, want) do { const char *g_ = rows_where(cond); if (strcmp(g_, want)) printf("\n  %s: got %s want %s\n", cond, g_, want); CU_ASSERT_STRING_EQUAL(g_, want); } while (0)

static void test_comparisons(void)
{
    WHERE("S == \"ALPHA\"", "1,");
    WHERE("S != \"ALPHA\"", "2,5,6,");         /* missing values (rows 3, 4) never compare */
    WHERE("N > 9", "2,3,6,");
    WHERE("N <= 0", "4,5,");
    WHERE("N == 9007199254740993", "3,");      /* exact: 2^53+1 is not 2^53 */
    WHERE("N == 9007199254740992", "");
    WHERE("N >= -3 and N < 1", "4,5,");
    WHERE("D == 1.5", "1,");                   /* decimal string "1.50" as a number */
    WHERE("D > 9.5", "2,6,");                  /* "10.5", "1e2" */
    WHERE("D == 0", "4,5,");                   /* "-0.0" and "0" */
    WHERE("D > \"9.0\"", "2,6,");              /* two number-like strings compare as numbers */
    WHERE("N == D", "5,6,");                  /* 0 == "0", 100 == "1e2" */
    WHERE("N == 100 and D == N", "6,");        /* column against column */
    WHERE("S < \"B\"", "1,6,");                /* bytes: "A,B" and "ALPHA" sort before "B" */
}

static void test_dates(void)
{
    /* chronological, partial values compared at the precision both have */
    WHERE("DT < \"2012-02\"", "1,2,6,");       /* row 2 "2012-01" vs "2012-02": decided at month */
    WHERE("DT >= \"2012-01-10\"", "1,3,4,");   /* "2013" decided at year; "2012-01" (row 2) cannot be decided */
    WHERE("DT < \"2012-01-10\"", "6,");
    WHERE("DT > \"2012\"", "3,");              /* only "2013"; the 2012 dates are undecidable at year precision */
    WHERE("DT > \"2012-12\"", "3,");           /* "2013" > "2012-12" at year precision */
    WHERE("E > DT", "1,6,");                   /* 2012-01-20T10:00 after 2012-01-15; "2012" after "2011-12-31";
                                                  row 4 equal at day -> undecided */
    WHERE("E == \"2012-02-01T08:30:00\"", "4,");
    WHERE("E > \"2012-02-01T08:30:00.0\"", "5,"); /* fraction .5 after .0 */
    WHERE("E > \"2012-02-01T08:30:00\"", "");  /* a fraction is one more precision level: undecided */
    WHERE("E < \"2012-02-01T08:30\"", "1,2,"); /* row 2 is a date only, decided by day */
}

static void test_in_matches_missing(void)
{
    WHERE("S in (\"ALPHA\", \"beta\")", "1,2,");
    WHERE("S not in (\"ALPHA\", \"beta\")", "5,6,");
    WHERE("N in (1, 10, 100.0)", "1,2,6,");
    WHERE("S matches \"[A-Z]+\"", "1,");       /* anchored: "A,B" does not match as a whole */
    WHERE("S matches \"A.*\"", "1,6,");
    WHERE("S matches \"\\\\p{Han}{2}\"", "5,");  /* UTF-8 aware: two Han characters */
    WHERE("S matches \"..\"", "5,");           /* two characters, not two bytes */
    WHERE("S is missing", "3,4,");             /* "" and null */
    WHERE("S is not missing", "1,2,5,6,");
    WHERE("DT is missing or E is missing", "3,5,");
}

static void test_logic(void)
{
    WHERE("not S is missing", "1,2,5,6,");
    WHERE("N > 0 and N < 100 or S == \"A,B\"", "1,2,6,");      /* and binds tighter than or */
    WHERE("N > 0 and (N < 100 or S == \"A,B\")", "1,2,6,");
    WHERE("N > 0 and (N > 100 or S == \"beta\")", "2,3,");
    WHERE("not (N > 0) AND S IS NOT MISSING", "5,");           /* keywords are case-insensitive */
    WHERE("`S` == 'ALPHA'", "1,");                              /* quoted name, single quotes */
}

/* Parse error: message names the position. */
static void expect_error(const char *cond, size_t pos, const char *needle)
{
    dsj_error_t e;
    dsj_condition_t *c = dsj_condition_parse(cond, &e);
    CU_ASSERT_PTR_NULL(c);
    dsj_condition_free(c);
    CU_ASSERT_EQUAL(e.code, DSJ_E_SYNTAX);
    CU_ASSERT_EQUAL(e.column, pos);
    if (!strstr(e.text, needle)) printf("\n  '%s': got '%s', want '%s'\n", cond, e.text, needle);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.text, needle));
}

static void test_parse_errors(void)
{
    expect_error("", 1, "empty condition");
    expect_error("AGE >", 6, "at position 6: expected a value or a column after the operator, found end");
    expect_error("AGE = 3", 5, "'=' is not an operator; use '=='");
    expect_error("(AGE > 3", 9, "expected ')' to close the '(' at position 1");
    expect_error("AGE in (1,", 11, "expected a string or number in the 'in' list");
    expect_error("AGE in 1", 8, "expected '(' after 'in'");
    expect_error("S == \"abc", 6, "unterminated string");
    expect_error("S matches 3", 11, "expected a \"regex\" string after 'matches'");
    expect_error("S matches \"(a\"", 11, "bad regular expression: missing closing parenthesis at pattern offset 2");
    expect_error("S is present", 6, "expected 'missing' after 'is'");
    expect_error("S == 1 S == 2", 8, "unexpected a column name");
    expect_error("S == 01", 6, "'01' is not a number");
    expect_error("S ~ 1", 3, "unexpected character '~'");
    expect_error("and S == 1", 1, "expected a column name");
    {
        /* deep nesting is refused, not recursed into without bound */
        char *deep = malloc(300000);
        memset(deep, '(', 100000);
        strcpy(deep + 100000, "S == 1");
        memset(deep + 100006, ')', 100000);
        deep[200006] = '\0';
        expect_error(deep, 201, "nested too deeply");
        memcpy(deep, "not not ", 8);
        for (size_t i = 0; i < 40000; i++) memcpy(deep + 4 * i, "not ", 4);
        strcpy(deep + 160000, "S is missing");
        expect_error(deep, 801, "nested too deeply");
        free(deep);
        WHERE("((((S == \"ALPHA\"))))", "1,");
        WHERE("not not not S is missing", "1,2,5,6,");
    }
}

/* Random token soup: every input either parses (and evaluates) or gives a positioned syntax error. */
static void test_random_inputs(void)
{
    static const char *const toks[] = {"S", "N", "D", "DT", "E", "==", "!=", "<", "<=", ">", ">=", "=", "!", "and",
                                       "or", "not", "in", "matches", "is", "missing", "(", ")", ",", "\"a\"", "'x",
                                       "\"[\"", "\"\\p{Han}\"", "1", "-2.5e3", "01", "`S`", "`", "\\", "頭", " ", "~"};
    unsigned seed = 12345, i, k, ok = 0, bad = 0;
    char buf[512];
    dsj_condition_eval_t *ev;
    for (i = 0; i < 20000; i++) {
        dsj_error_t e;
        dsj_condition_t *c;
        unsigned n = 1 + (seed = seed * 1103515245u + 12345u) % 12;
        buf[0] = '\0';
        for (k = 0; k < n; k++) {
            seed = seed * 1103515245u + 12345u;
            strcat(buf, toks[(seed >> 8) % (sizeof toks / sizeof *toks)]);
            strcat(buf, " ");
        }
        c = dsj_condition_parse(buf, &e);
        if (c) {
            size_t r;
            ok++;
            ev = dsj_condition_bind(c, dsj_dataset_meta(ds), &e);
            if (!ev) CU_ASSERT_EQUAL(e.code, DSJ_E_NOTFOUND); /* a `quoted name` that is no column */
            for (r = 0; ev && r < dsj_dataset_nrows(ds); r++) (void)dsj_condition_eval(ev, dsj_dataset_row(ds, r));
            dsj_condition_eval_free(ev);
            dsj_condition_free(c);
        } else {
            bad++;
            CU_ASSERT_EQUAL(e.code, DSJ_E_SYNTAX);
            CU_ASSERT(e.column >= 1 && e.column <= strlen(buf) + 1);
        }
    }
    if (!(ok > 20 && bad > 100)) printf("\n  parsed %u, rejected %u\n", ok, bad);
    CU_ASSERT(ok > 20 && bad > 100);
}

static void test_bind_unknown_column(void)
{
    dsj_error_t e;
    dsj_condition_t *c = dsj_condition_parse("S == \"x\" or NOPE is missing", &e);
    dsj_condition_eval_t *ev;
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_STRING_EQUAL(dsj_condition_text(c), "S == \"x\" or NOPE is missing");
    ev = dsj_condition_bind(c, dsj_dataset_meta(ds), &e);
    CU_ASSERT_PTR_NULL(ev);
    CU_ASSERT_EQUAL(e.code, DSJ_E_NOTFOUND);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "no column NOPE in dataset T"));
    dsj_condition_free(c);
    dsj_condition_free(NULL);
    dsj_condition_eval_free(NULL);
}

static int vc(dsj_cell_kind_t ka, const char *a, dsj_cell_kind_t kb, const char *b)
{
    dsj_cell_t x, y;
    memset(&x, 0, sizeof x);
    memset(&y, 0, sizeof y);
    x.kind = ka; x.text = a; x.len = a ? strlen(a) : 0;
    y.kind = kb; y.text = b; y.len = b ? strlen(b) : 0;
    return dsj_value_compare(&x, &y);
}

static void test_value_compare(void)
{
    const dsj_cell_kind_t S = DSJ_CELL_STRING, I = DSJ_CELL_INTEGER, N = DSJ_CELL_NUMBER;
    CU_ASSERT_EQUAL(vc(N, "1.50", I, "1"), 1);
    CU_ASSERT_EQUAL(vc(N, "1.0", I, "1"), 0);
    CU_ASSERT_EQUAL(vc(N, "0.30000000000000004", N, "0.3"), 1);
    CU_ASSERT_EQUAL(vc(I, "5", S, "abc"), DSJ_COMPARE_UNDECIDED);  /* number vs text */
    CU_ASSERT_EQUAL(vc(I, "5", S, "5.0"), 0);                      /* number vs number-like string */
    CU_ASSERT_EQUAL(vc(S, "", S, ""), DSJ_COMPARE_UNDECIDED);      /* missing */
    CU_ASSERT_EQUAL(vc(DSJ_CELL_NULL, NULL, I, "1"), DSJ_COMPARE_UNDECIDED);
    CU_ASSERT_EQUAL(vc(DSJ_CELL_BOOLEAN, "false", DSJ_CELL_BOOLEAN, "true"), -1);
    CU_ASSERT_EQUAL(vc(DSJ_CELL_BOOLEAN, "true", S, "true"), DSJ_COMPARE_UNDECIDED);
    /* dates */
    CU_ASSERT_EQUAL(vc(S, "2012-03-01", S, "2012-02-29"), 1);
    CU_ASSERT_EQUAL(vc(S, "2012-03", S, "2012-03-15"), DSJ_COMPARE_UNDECIDED);
    CU_ASSERT_EQUAL(vc(S, "2012-03", S, "2012-04-15"), -1);
    CU_ASSERT_EQUAL(vc(S, "2012-03-15T10", S, "2012-03-15T09:59"), 1);
    CU_ASSERT_EQUAL(vc(S, "2012-03-15T10:00", S, "2012-03-15T10:00:00"), DSJ_COMPARE_UNDECIDED);
    CU_ASSERT_EQUAL(vc(S, "2012-03-15T10:00:00.25", S, "2012-03-15T10:00:00.250"), 0);
    CU_ASSERT_EQUAL(vc(S, "2012-03-15T10:00:00.3", S, "2012-03-15T10:00:00.25"), 1);
    /* different zones are not compared; the same zone is */
    CU_ASSERT_EQUAL(vc(S, "2012-03-15T10:00+01:00", S, "2012-03-15T09:00Z"), DSJ_COMPARE_UNDECIDED);
    CU_ASSERT_EQUAL(vc(S, "2012-03-15T10:00Z", S, "2012-03-15T09:00Z"), 1);
    /* a date-like value against plain text: bytes */
    CU_ASSERT_EQUAL(vc(S, "2012-03-15", S, "UNKNOWN"), -1);
    /* invalid calendar date is not a date: bytes */
    CU_ASSERT_EQUAL(vc(S, "2012-02-30", S, "2012-02-4"), -1);
}

int main(void)
{
    static const dsj_test_case_t cases[] = {
        {"comparisons (numbers exact, strings)", test_comparisons},
        {"dates chronological, partial precision", test_dates},
        {"in, matches (UTF-8, anchored), is missing", test_in_matches_missing},
        {"and/or/not precedence, parentheses", test_logic},
        {"parse errors name the position", test_parse_errors},
        {"random inputs: parse or positioned error", test_random_inputs},
        {"bind: unknown column", test_bind_unknown_column},
        {"dsj_value_compare", test_value_compare},
        {NULL, NULL},
    };
    int rc;
    setup();
    rc = dsj_test_run("expr", cases);
    dsj_dataset_free(ds);
    return rc;
}
