/* Unit tests: Define-XML model (load, accessors, rejection, XXE) and standalone validation. */
#include "test_util.h"

#define TD "testdata/define/"

static char *slurp_td(const char *name, size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, TD "%s", name);
    return dsj_test_slurp(path, len);
}

/* ------------------------------------------------------------------ model */

static void test_model_minimal(void)
{
    dsj_error_t e;
    dsj_define_t *d;
    const dsj_define_itemgroup_t *g;
    const dsj_define_itemdef_t *it;
    const dsj_define_codelist_t *cl;
    const dsj_define_valuelist_t *vl;
    const dsj_define_whereclause_t *wc;
    dsj_error_clear(&e);
    d = dsj_define_load(TD "minimal21.xml", &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(dsj_define_version_kind(d), DSJ_DEFINE_V2_1);
    CU_ASSERT_STRING_EQUAL(dsj_define_version(d), "2.1.0");
    CU_ASSERT_STRING_EQUAL(dsj_define_study_oid(d), "ST.TEST");
    CU_ASSERT_STRING_EQUAL(dsj_define_study_name(d), "TEST");
    CU_ASSERT_STRING_EQUAL(dsj_define_mdv_oid(d), "MDV.TEST");
    CU_ASSERT_EQUAL(dsj_define_standard_count(d), 2);
    CU_ASSERT_STRING_EQUAL(dsj_define_standard_find(d, "STD.2")->publishing_set, "SDTM");
    CU_ASSERT_EQUAL(dsj_define_itemgroup_count(d), 1);
    g = dsj_define_itemgroup_find(d, "IG.VS");
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    CU_ASSERT_PTR_EQUAL(dsj_define_itemgroup_find_by_name(d, "vs"), g);
    CU_ASSERT_PTR_EQUAL(dsj_define_itemgroup_at(d, 0), g);
    CU_ASSERT_PTR_NULL(dsj_define_itemgroup_at(d, 1));
    CU_ASSERT_STRING_EQUAL(g->description, "Vital Signs");
    CU_ASSERT_STRING_EQUAL(g->class_name, "FINDINGS");
    CU_ASSERT_STRING_EQUAL(g->structure, "One record per vital sign measurement per visit per subject");
    CU_ASSERT_EQUAL(g->repeating, 1);
    CU_ASSERT_EQUAL(g->is_reference_data, 0);
    CU_ASSERT_EQUAL(g->line, 27);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g->leaf);
    CU_ASSERT_STRING_EQUAL(g->leaf->href, "vs.xpt");
    CU_ASSERT_STRING_EQUAL(g->leaf->title, "vs.xpt");
    CU_ASSERT_PTR_EQUAL(dsj_define_leaf_find(d, "LF.VS"), g->leaf);
    CU_ASSERT_EQUAL_FATAL(g->n_itemrefs, 3);
    CU_ASSERT_EQUAL(g->itemrefs[1].key_sequence, 2);
    CU_ASSERT_EQUAL(g->itemrefs[1].order_number, 2);
    CU_ASSERT_EQUAL(g->itemrefs[1].mandatory, 1);
    CU_ASSERT_EQUAL(g->itemrefs[2].mandatory, 0);
    CU_ASSERT_STRING_EQUAL(g->itemrefs[2].method_oid, "MT.VSORRES");
    CU_ASSERT_PTR_EQUAL(g->itemrefs[0].itemdef, dsj_define_itemdef_find(d, "IT.STUDYID"));
    it = dsj_define_itemdef_find(d, "IT.VS.VSTESTCD");
    CU_ASSERT_PTR_NOT_NULL_FATAL(it);
    CU_ASSERT_STRING_EQUAL(it->description, "Vital Signs Test Short Name");
    CU_ASSERT_EQUAL(it->length, 8);
    CU_ASSERT_EQUAL(it->n_origins, 1);
    CU_ASSERT_STRING_EQUAL(it->origins[0].type, "Assigned");
    cl = it->codelist;
    CU_ASSERT_PTR_NOT_NULL_FATAL(cl);
    CU_ASSERT_PTR_EQUAL(cl, dsj_define_codelist_find(d, "CL.VSTESTCD"));
    CU_ASSERT_EQUAL(cl->n_items, 2);
    CU_ASSERT_EQUAL(cl->is_external, 0);
    CU_ASSERT_STRING_EQUAL(cl->nci_code, "C66741");
    CU_ASSERT_STRING_EQUAL(cl->items[1].decode, "Weight");
    CU_ASSERT_STRING_EQUAL(cl->items[1].nci_code, "C25208");
    CU_ASSERT_PTR_EQUAL(dsj_define_codelist_item_find(d, cl, "WEIGHT", 6), &cl->items[1]);
    CU_ASSERT_PTR_NULL(dsj_define_codelist_item_find(d, cl, "WEIGH", 5));
    CU_ASSERT_PTR_NULL(dsj_define_codelist_item_find(d, cl, "weight", 6));
    it = dsj_define_itemdef_find(d, "IT.VS.VSORRES");
    vl = it->valuelist;
    CU_ASSERT_PTR_NOT_NULL_FATAL(vl);
    CU_ASSERT_EQUAL_FATAL(vl->n_itemrefs, 1);
    CU_ASSERT_EQUAL_FATAL(vl->itemrefs[0].n_where_clauses, 1);
    wc = vl->itemrefs[0].where_clauses[0];
    CU_ASSERT_PTR_NOT_NULL_FATAL(wc);
    CU_ASSERT_PTR_EQUAL(wc, dsj_define_whereclause_find(d, "WC.VS.VSTESTCD.HEIGHT"));
    CU_ASSERT_EQUAL_FATAL(wc->n_checks, 1);
    CU_ASSERT_EQUAL(wc->checks[0].comparator, DSJ_DEFINE_CMP_EQ);
    CU_ASSERT_STRING_EQUAL(wc->checks[0].soft_hard, "Soft");
    CU_ASSERT_PTR_EQUAL(wc->checks[0].itemdef, dsj_define_itemdef_find(d, "IT.VS.VSTESTCD"));
    CU_ASSERT_EQUAL_FATAL(wc->checks[0].n_values, 1);
    CU_ASSERT_STRING_EQUAL(wc->checks[0].values[0], "HEIGHT");
    CU_ASSERT_EQUAL(vl->itemrefs[0].itemdef->significant_digits, 1);
    CU_ASSERT_STRING_EQUAL(dsj_define_method_find(d, "MT.VSORRES")->type, "Computation");
    CU_ASSERT_STRING_EQUAL(dsj_define_comment_find(d, "COM.1")->description, "See the protocol.");
    CU_ASSERT_PTR_NULL(dsj_define_itemdef_find(d, "IT.NOPE"));
    CU_ASSERT_PTR_NULL(dsj_define_itemdef_find(d, NULL));
    dsj_define_free(d);
    dsj_define_free(NULL);
}

static void test_load_memory_same(void)
{
    size_t len;
    char *buf = slurp_td("minimal21.xml", &len);
    dsj_error_t e;
    dsj_define_t *d;
    CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
    dsj_error_clear(&e);
    d = dsj_define_load_memory(buf, len, "mem.xml", &e);
    free(buf); /* the model must not borrow the caller's buffer */
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_STRING_EQUAL(dsj_define_file(d), "mem.xml");
    CU_ASSERT_EQUAL(dsj_define_itemdef_count(d), 4);
    CU_ASSERT_STRING_EQUAL(dsj_define_itemdef_at(d, 3)->oid, "IT.VS.VSORRES.HEIGHT");
    dsj_define_free(d);
}

static void test_truncated_is_xml_error(void)
{
    size_t len;
    char *buf = slurp_td("minimal21.xml", &len);
    dsj_error_t e;
    dsj_define_t *d;
    CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
    dsj_error_clear(&e);
    d = dsj_define_load_memory(buf, len / 2, "trunc.xml", &e);
    CU_ASSERT_PTR_NULL(d);
    CU_ASSERT_EQUAL(e.code, DSJ_E_XML);
    CU_ASSERT(e.line > 30);
    CU_ASSERT_STRING_EQUAL(e.file, "trunc.xml");
    dsj_error_clear(&e);
    CU_ASSERT_PTR_NULL(dsj_define_load_memory("", 0, "empty.xml", &e));
    CU_ASSERT_EQUAL(e.code, DSJ_E_XML);
    dsj_error_clear(&e);
    CU_ASSERT_PTR_NULL(dsj_define_load(TD "does-not-exist.xml", &e));
    CU_ASSERT_EQUAL(e.code, DSJ_E_IO);
    free(buf);
}

static void test_xxe_not_expanded(void)
{
    dsj_error_t e;
    dsj_define_t *d;
    const dsj_define_itemgroup_t *g;
    dsj_error_clear(&e);
    d = dsj_define_load(TD "xxe.xml", &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    g = dsj_define_itemgroup_find(d, "IG.VS");
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    CU_ASSERT_PTR_NULL(strstr(g->description, "XXE-SECRET"));
    CU_ASSERT_STRING_EQUAL(g->description, "Vital Signs ");
    dsj_define_free(d);
}

/* Nested internal entities ("billion laughs") are refused by the parser, quickly and without expansion. */
static void test_entity_bomb(void)
{
    dsj_error_t e;
    dsj_error_clear(&e);
    CU_ASSERT_PTR_NULL(dsj_define_load(TD "entity-bomb.xml", &e));
    CU_ASSERT_EQUAL(e.code, DSJ_E_XML);
    CU_ASSERT(e.line > 0);
}

static void test_reject_unsupported(void)
{
    dsj_error_t e;
    char path[2200];
    dsj_error_clear(&e);
    CU_ASSERT_PTR_NULL(dsj_define_load(TD "define10.xml", &e));
    CU_ASSERT_EQUAL(e.code, DSJ_E_UNSUPPORTED);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "unsupported: Define-XML 1.0"));
    dsj_error_clear(&e);
    CU_ASSERT_PTR_NULL(dsj_define_load(TD "odm-not-define.xml", &e));
    CU_ASSERT_EQUAL(e.code, DSJ_E_UNSUPPORTED);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "not a Define-XML"));
    dsj_error_clear(&e);
    CU_ASSERT_PTR_NULL(dsj_define_load_memory("<a/>", 4, "a.xml", &e));
    CU_ASSERT_EQUAL(e.code, DSJ_E_UNSUPPORTED);
    if (dsj_test_corpus_file(path, sizeof path, "cdiscpilot01-phuse/sdtm/define.xml")) {
        dsj_error_clear(&e);
        CU_ASSERT_PTR_NULL(dsj_define_load(path, &e));
        CU_ASSERT_EQUAL(e.code, DSJ_E_UNSUPPORTED);
        CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "Define-XML 1.0"));
    }
}

/* Every Define-XML 2.x in the corpus loads; every 1.0 one is rejected. */
static void test_corpus_load(void)
{
    static const struct { const char *rel; int ok; size_t ngroups; } files[] = {
        {"define-xml-examples/v2.0/define.cdisc.sdtm.xml", 1, 34},
        {"define-xml-examples/v2.0/define.cdisc.adam.xml", 1, 2},
        {"define-xml-examples/v2.0/define.cdisc.arm.xml", 1, 3},
        {"define-xml-examples/v2.1/defineV21-SDTM.xml", 1, 11},
        {"define-xml-examples/v2.1/defineV21-ADaM.xml", 1, 3},
        {"define-xml-examples/v2.1-sas-cst/define_sdtm_full_example.xml", 1, 31},
        {"dataset-xml-sas-cst/sdtm/define.xml", 1, 34},
        {"cdisc-datasetjson-examples/v1.1/sdtm/define.xml", 1, 31},
        {"cdisc-datasetjson-examples/v1.1/adam/define.xml", 1, 12},
        {"cdiscpilot01-phuse/sdtm/define.xml", 0, 0},
        {"cdiscpilot01-phuse/adam/define.xml", 0, 0},
        {"dataset-xml-sas-cst/adam/define_adam.xml", 0, 0},
    };
    size_t i;
    char path[2200];
    for (i = 0; i < sizeof files / sizeof files[0]; i++) {
        dsj_error_t e;
        dsj_define_t *d;
        if (!dsj_test_corpus_file(path, sizeof path, files[i].rel)) return;
        dsj_error_clear(&e);
        d = dsj_define_load(path, &e);
        if (files[i].ok) {
            CU_ASSERT_PTR_NOT_NULL(d);
            if (!d) {
                printf("\n  %s: %s\n", files[i].rel, e.text);
                continue;
            }
            CU_ASSERT_EQUAL(dsj_define_itemgroup_count(d), files[i].ngroups);
        } else {
            CU_ASSERT_PTR_NULL(d);
            CU_ASSERT_EQUAL(e.code, DSJ_E_UNSUPPORTED);
        }
        dsj_define_free(d);
    }
}


/* ------------------------------------------------------------------ validation helpers */

/* malloc'd copy of s with the first occurrence of old replaced by new (NULL and a test failure when absent). */
static char *replace1(const char *s, const char *old, const char *new_text)
{
    const char *at = strstr(s, old);
    size_t a, o = strlen(old), n = strlen(new_text), l = strlen(s);
    char *r;
    CU_ASSERT_PTR_NOT_NULL(at);
    if (!at) return NULL;
    a = (size_t)(at - s);
    r = malloc(l - o + n + 1);
    memcpy(r, s, a);
    memcpy(r + a, new_text, n);
    memcpy(r + a + n, at + o, l - a - o + 1);
    return r;
}

/* 1-based line of the first occurrence of needle in s (0 when absent). */
static uint64_t line_of_text(const char *s, const char *needle)
{
    const char *at = strstr(s, needle), *p;
    uint64_t line = 1;
    if (!at) return 0;
    for (p = s; p < at; p++)
        if (*p == '\n') line++;
    return line;
}

static dsj_findings_t *validate_text(const char *text, const char *name, const char *xsd)
{
    dsj_error_t e;
    dsj_define_t *d;
    dsj_findings_t *l = dsj_findings_new(0);
    dsj_error_clear(&e);
    d = dsj_define_load_memory(text, strlen(text), name, &e);
    CU_ASSERT_PTR_NOT_NULL(d);
    if (!d) {
        printf("\n  load failed: %s\n", e.text);
        return l;
    }
    CU_ASSERT_EQUAL(dsj_define_validate(d, xsd, dsj_findings_add, l, &e), DSJ_OK);
    dsj_define_free(d);
    return l;
}

/* The finding with this rule (and line, unless 0) or NULL. */
static const dsj_finding_t *has(const dsj_findings_t *l, const char *rule, uint64_t line)
{
    size_t i;
    for (i = 0; i < dsj_findings_count(l); i++) {
        const dsj_finding_t *f = dsj_findings_get(l, i);
        if (strcmp(f->rule, rule) == 0 && (!line || f->line == line)) return f;
    }
    return NULL;
}

static size_t count_rule(const dsj_findings_t *l, const char *rule, dsj_severity_t sev)
{
    size_t i, n = 0;
    for (i = 0; i < dsj_findings_count(l); i++) {
        const dsj_finding_t *f = dsj_findings_get(l, i);
        if (strcmp(f->rule, rule) == 0 && f->severity == sev) n++;
    }
    return n;
}

static void dump(const dsj_findings_t *l)
{
    size_t i;
    for (i = 0; i < dsj_findings_count(l); i++) {
        printf("\n    ");
        dsj_finding_print(stdout, dsj_findings_get(l, i));
    }
}

/* Apply one replacement to minimal21.xml, validate, expect rule at the line of anchor (in the mutated text). */
static void mutation(const char *old, const char *new_text, const char *rule, const char *anchor, const char *msg_part)
{
    char *base = slurp_td("minimal21.xml", NULL), *m;
    dsj_findings_t *l;
    const dsj_finding_t *f;
    uint64_t line;
    CU_ASSERT_PTR_NOT_NULL_FATAL(base);
    m = replace1(base, old, new_text);
    free(base);
    if (!m) return;
    line = line_of_text(m, anchor);
    CU_ASSERT(line > 0);
    l = validate_text(m, "mutant.xml", NULL);
    f = has(l, rule, line);
    CU_ASSERT_PTR_NOT_NULL(f);
    if (!f) {
        printf("\n  expected %s at line %llu; got:", rule, (unsigned long long)line);
        dump(l);
    } else {
        CU_ASSERT_STRING_EQUAL(f->file, "mutant.xml");
        CU_ASSERT_PTR_NOT_NULL(f->pointer);
        if (msg_part) CU_ASSERT_PTR_NOT_NULL(strstr(f->message, msg_part));
    }
    dsj_findings_free(l);
    free(m);
}

/* ------------------------------------------------------------------ validation tests */

static void test_clean_minimal(void)
{
    char *base = slurp_td("minimal21.xml", NULL);
    dsj_findings_t *l;
    char xsd[2200];
    CU_ASSERT_PTR_NOT_NULL_FATAL(base);
    l = validate_text(base, "minimal21.xml", NULL);
    CU_ASSERT_EQUAL(dsj_findings_total(l), 0);
    if (dsj_findings_total(l)) dump(l);
    dsj_findings_free(l);
    if (dsj_test_corpus_file(xsd, sizeof xsd, "schemas/define-xml-2.1")) {
        l = validate_text(base, "minimal21.xml", xsd);
        CU_ASSERT_EQUAL(dsj_findings_total(l), 0);
        if (dsj_findings_total(l)) dump(l);
        dsj_findings_free(l);
    }
    free(base);
}

static void test_mutations(void)
{
    /* A removed ItemDef: the ItemRef and the RangeCheck that used it dangle; its CodeList becomes an orphan. */
    char *base = slurp_td("minimal21.xml", NULL), *m;
    const char *start, *end;
    dsj_findings_t *l;
    CU_ASSERT_PTR_NOT_NULL_FATAL(base);
    start = strstr(base, "      <ItemDef OID=\"IT.VS.VSTESTCD\"");
    end = start ? strstr(start, "</ItemDef>\n") : NULL;
    CU_ASSERT_PTR_NOT_NULL_FATAL(end);
    m = malloc(strlen(base) + 1);
    memcpy(m, base, (size_t)(start - base));
    strcpy(m + (start - base), end + strlen("</ItemDef>\n"));
    l = validate_text(m, "removed.xml", NULL);
    CU_ASSERT_PTR_NOT_NULL(has(l, "DEF-REF-ITEMDEF", line_of_text(m, "<ItemRef ItemOID=\"IT.VS.VSTESTCD\"")));
    CU_ASSERT_PTR_NOT_NULL(has(l, "DEF-REF-ITEMDEF", line_of_text(m, "<RangeCheck")));
    CU_ASSERT_PTR_NOT_NULL(has(l, "DEF-UNREF-CODELIST", line_of_text(m, "<CodeList OID=\"CL.VSTESTCD\"")));
    dsj_findings_free(l);
    free(m);
    free(base);

    mutation("CodeListOID=\"CL.VSTESTCD\"", "CodeListOID=\"CL.NOPE\"", "DEF-REF-CODELIST", "<ItemDef OID=\"IT.VS.VSTESTCD\"",
             "'CL.NOPE'");
    mutation("<ItemDef OID=\"IT.VS.VSORRES.HEIGHT\"", "<ItemDef OID=\"IT.VS.VSORRES\"", "DEF-OID-DUP",
             "<ItemDef OID=\"IT.VS.VSORRES\" Name=\"VSORRES\" DataType=\"float\"", "first at line");
    mutation("ItemOID=\"IT.VS.VSTESTCD\" OrderNumber=\"2\"", "ItemOID=\"IT.VS.VSTESTCD\" OrderNumber=\"1\"", "DEF-IR-ORDER-DUP",
             "<ItemRef ItemOID=\"IT.VS.VSTESTCD\"", "OrderNumber 1");
    mutation("KeySequence=\"2\"", "KeySequence=\"3\"", "DEF-IG-KEYSEQ", "<ItemGroupDef OID=\"IG.VS\"", "2 is missing");
    mutation("KeySequence=\"2\"", "KeySequence=\"1\"", "DEF-IG-KEYSEQ", "<ItemRef ItemOID=\"IT.VS.VSTESTCD\"", "KeySequence 1");
    mutation("DataType=\"float\"", "DataType=\"floating\"", "DEF-ID-DATATYPE", "<ItemDef OID=\"IT.VS.VSORRES.HEIGHT\"",
             "unknown DataType 'floating'");
    mutation("DataType=\"float\"", "DataType=\"double\"", "DEF-ID-DATATYPE", "<ItemDef OID=\"IT.VS.VSORRES.HEIGHT\"",
             "does not allow");
    mutation("\n                    def:Structure=\"One record per vital sign measurement per visit per subject\"", "",
             "DEF-IG-REQUIRED", "<ItemGroupDef OID=\"IG.VS\"", "def:Structure");
    mutation("MethodOID=\"MT.VSORRES\"", "MethodOID=\"MT.GONE\"", "DEF-REF-METHOD", "<ItemRef ItemOID=\"IT.VS.VSORRES\"", "MT.GONE");
    mutation("def:CommentOID=\"COM.1\"", "def:CommentOID=\"COM.2\"", "DEF-REF-COMMENT", "<ItemDef OID=\"IT.VS.VSORRES\"", "COM.2");
    mutation("ValueListOID=\"VL.VS.VSORRES\"", "ValueListOID=\"VL.X\"", "DEF-REF-VALUELIST", "<ItemDef OID=\"IT.VS.VSORRES\"",
             NULL);
    mutation("WhereClauseOID=\"WC.VS.VSTESTCD.HEIGHT\"", "WhereClauseOID=\"WC.X\"", "DEF-REF-WHERECLAUSE",
             "<ItemRef ItemOID=\"IT.VS.VSORRES.HEIGHT\"", "WC.X");
    mutation("def:ArchiveLocationID=\"LF.VS\"", "def:ArchiveLocationID=\"LF.XX\"", "DEF-REF-ARCHIVE", "<ItemGroupDef OID=\"IG.VS\"",
             NULL);
    mutation("def:StandardOID=\"STD.1\"", "def:StandardOID=\"STD.9\"", "DEF-REF-STANDARD", "<ItemGroupDef OID=\"IG.VS\"", NULL);
    mutation("Name=\"SDTMIG\"", "Name=\"STDTMIG\"", "DEF-STD-ENUM", "<def:Standard OID=\"STD.1\"", "'STDTMIG'");
    mutation("Comparator=\"EQ\"", "Comparator=\"EQUALS\"", "DEF-RC-ENUM", "<RangeCheck", NULL);
    mutation("<CheckValue>HEIGHT</CheckValue>", "<CheckValue>HEIGHT</CheckValue><CheckValue>WEIGHT</CheckValue>",
             "DEF-RC-VALUES", "<RangeCheck", "exactly 1");
    mutation("<CheckValue>HEIGHT</CheckValue>", "<CheckValue>HIGHT</CheckValue>", "DEF-RC-CODELIST", "<RangeCheck", "HIGHT");
    mutation("Length=\"5\" SignificantDigits=\"1\"", "Length=\"5\" SignificantDigits=\"7\"", "DEF-ID-SIGDIGITS",
             "<ItemDef OID=\"IT.VS.VSORRES.HEIGHT\"", NULL);
    mutation("DataType=\"text\" Length=\"8\" SASFieldName=\"VSTESTCD\"", "DataType=\"text\" Length=\"4\" SASFieldName=\"VSTESTCD\"",
             "DEF-ID-CL-LENGTH", "<ItemDef OID=\"IT.VS.VSTESTCD\"", "'HEIGHT'");
    mutation("Name=\"Vital Signs Test Code\" DataType=\"text\"", "Name=\"Vital Signs Test Code\" DataType=\"integer\"",
             "DEF-ID-CL-TYPE", "<ItemDef OID=\"IT.VS.VSTESTCD\"", NULL);
    mutation("Name=\"Vital Signs Test Code\" DataType=\"text\"", "Name=\"Vital Signs Test Code\" DataType=\"integer\"",
             "DEF-CL-VALUE-TYPE", "<CodeListItem CodedValue=\"HEIGHT\"", NULL);
    mutation("CodedValue=\"WEIGHT\" OrderNumber=\"2\"", "CodedValue=\"HEIGHT\" OrderNumber=\"1\"", "DEF-CL-VALUE-DUP",
             "<CodeListItem CodedValue=\"HEIGHT\" OrderNumber=\"1\">\n          <Decode><TranslatedText xml:lang=\"en\">Weight", NULL);
    mutation("CodedValue=\"WEIGHT\" OrderNumber=\"2\"", "CodedValue=\"WEIGHT\" OrderNumber=\"1\"", "DEF-CL-ORDER-DUP",
             "<CodeListItem CodedValue=\"WEIGHT\"", "'HEIGHT' and 'WEIGHT'");
    mutation("CodedValue=\"WEIGHT\" OrderNumber=\"2\"", "CodedValue=\"WEIGHT\"", "DEF-CL-ORDER", "<CodeList OID=", "1 of 2");
    mutation("<CodeListRef CodeListOID=\"CL.VSTESTCD\"/>", "<CodeListRef CodeListOID=\"CL.VSTESTCD\"/><CodeListRef CodeListOID=\"CL.VSTESTCD\"/>",
             "DEF-CARDINALITY", "<ItemDef OID=\"IT.VS.VSTESTCD\"", "2 CodeListRef");
    mutation("<Decode><TranslatedText xml:lang=\"en\">Weight</TranslatedText></Decode>",
             "<Decode><TranslatedText xml:lang=\"en\">Weight</TranslatedText></Decode><Decode><TranslatedText>W</TranslatedText></Decode>",
             "DEF-CARDINALITY", "<CodeListItem CodedValue=\"WEIGHT\"", "CodeListItem 'WEIGHT' has 2 Decode");
    mutation("SASFieldName=\"VSTESTCD\"", "SASFieldName=\"VSTESTCODE\"", "DEF-ID-SASNAME", "<ItemDef OID=\"IT.VS.VSTESTCD\"", NULL);
    mutation("FileType=\"Snapshot\"", "FileType=\"Transactional\"", "DEF-ODM-FILETYPE", "<ODM ", NULL);
    mutation("def:DefineVersion=\"2.1.0\"", "def:DefineVersion=\"2.0.0\"", "DEF-MDV-VERSION", "<MetaDataVersion", NULL);
    mutation(" def:Context=\"Submission\"", "", "DEF-ODM-CONTEXT", "<ODM ", NULL);
    mutation("Mandatory=\"Yes\" KeySequence=\"1\"", "Mandatory=\"Y\" KeySequence=\"1\"", "DEF-IR-ENUM", "<ItemRef ItemOID=\"IT.STUDYID\"",
             NULL);
    mutation("<Description><TranslatedText xml:lang=\"en\">Copied from the CRF.</TranslatedText></Description>", "",
             "DEF-MD-DESCRIPTION", "<MethodDef", NULL);
    mutation("<def:leaf ID=\"LF.VS\"", "<def:leaf ID=\"LF.VS\"/><def:leaf ID=\"LF.VS2\"", "DEF-IG-ARCHIVE",
             "<def:leaf ID=\"LF.VS2\"", "def:leaf children");
}

/* A damaged define: several independent problems are all reported (the checks go on after each). */
static void test_damage_all_reported(void)
{
    char *base = slurp_td("minimal21.xml", NULL), *m1, *m2, *m3;
    dsj_findings_t *l;
    CU_ASSERT_PTR_NOT_NULL_FATAL(base);
    m1 = replace1(base, "\n                    def:Structure=\"One record per vital sign measurement per visit per subject\"", "");
    m2 = replace1(m1, "CodeListOID=\"CL.VSTESTCD\"", "CodeListOID=\"CL.NOPE\"");
    m3 = replace1(m2, "DataType=\"float\"", "DataType=\"real\"");
    l = validate_text(m3, "damaged.xml", NULL);
    CU_ASSERT_PTR_NOT_NULL(has(l, "DEF-IG-REQUIRED", 0));
    CU_ASSERT_PTR_NOT_NULL(has(l, "DEF-REF-CODELIST", 0));
    CU_ASSERT_PTR_NOT_NULL(has(l, "DEF-ID-DATATYPE", 0));
    CU_ASSERT_PTR_NOT_NULL(has(l, "DEF-UNREF-CODELIST", 0));
    CU_ASSERT_EQUAL(dsj_findings_total_severity(l, DSJ_SEV_ERROR), 3);
    if (dsj_findings_total_severity(l, DSJ_SEV_ERROR) != 3) dump(l);
    dsj_findings_free(l);
    free(m1);
    free(m2);
    free(m3);
    free(base);
}

static int stop_first(const dsj_finding_t *f, void *ctx)
{
    (void)f;
    ++*(int *)ctx;
    return 1;
}

static void test_abort_and_args(void)
{
    char *base = slurp_td("minimal21.xml", NULL), *m;
    dsj_error_t e;
    dsj_define_t *d;
    int n = 0;
    CU_ASSERT_PTR_NOT_NULL_FATAL(base);
    m = replace1(base, "FileType=\"Snapshot\"", "FileType=\"X\"");
    dsj_error_clear(&e);
    d = dsj_define_load_memory(m, strlen(m), "m.xml", &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(dsj_define_validate(d, NULL, stop_first, &n, &e), DSJ_E_ABORTED);
    CU_ASSERT_EQUAL(n, 1);
    dsj_error_clear(&e);
    CU_ASSERT_EQUAL(dsj_define_validate(d, "/nonexistent/schema/dir", NULL, NULL, &e), DSJ_E_NOTFOUND);
    CU_ASSERT_EQUAL(dsj_define_validate(NULL, NULL, NULL, NULL, &e), DSJ_E_ARG);
    dsj_define_free(d);
    free(m);
    free(base);
}

/* XML Schema validation: the official schema set finds the real defect (line 63) and nothing in the clean example. */
static void test_xsd_corpus(void)
{
    char xsd[2200], path[2200];
    dsj_error_t e;
    dsj_define_t *d;
    dsj_findings_t *l;
    if (!dsj_test_corpus_file(xsd, sizeof xsd, "schemas")) return;
    dsj_test_corpus_file(path, sizeof path, "cdisc-datasetjson-examples/v1.1/sdtm/define.xml");
    dsj_error_clear(&e);
    d = dsj_define_load(path, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    l = dsj_findings_new(0);
    CU_ASSERT_EQUAL(dsj_define_validate(d, xsd, dsj_findings_add, l, &e), DSJ_OK);
    CU_ASSERT_EQUAL(count_rule(l, "DEF-XSD", DSJ_SEV_ERROR), 1);
    CU_ASSERT_PTR_NOT_NULL(has(l, "DEF-XSD", 63));
    dsj_findings_free(l);
    dsj_define_free(d);
    dsj_test_corpus_file(path, sizeof path, "define-xml-examples/v2.1/defineV21-ADaM.xml"); /* uses ARM: arm1-0-0.xsd */
    d = dsj_define_load(path, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    l = dsj_findings_new(0);
    CU_ASSERT_EQUAL(dsj_define_validate(d, xsd, dsj_findings_add, l, &e), DSJ_OK);
    CU_ASSERT_EQUAL(count_rule(l, "DEF-XSD", DSJ_SEV_ERROR), 0);
    if (count_rule(l, "DEF-XSD", DSJ_SEV_ERROR)) dump(l);
    dsj_findings_free(l);
    dsj_define_free(d);
}

/*
 * The expected findings of every Define-XML 2.x in the corpus, per rule and severity, each explained:
 *  - STDTMIG: the misspelled def:Standard Name in the Dataset-JSON SDTM define (MANIFEST names it), line 63.
 *  - DEF-ID-CL-LENGTH: the code list holds coded values longer than the variable's Length (e.g. CMDOSU
 *    Length 6 with 'CAPSULE'; RACE Length 40 with 'NATIVE HAWAIIAN OR OTHER PACIFIC ISLANDER').
 *  - DEF-RC-CODELIST: value-level where clauses test TSPARMCD EQ 'TS_DURATION' / 'TS_FLOAT', which are
 *    not TSPARMCD terms (they look like group labels, not parameter codes), so those clauses match no row.
 *  - DEF-UNREF-STANDARD: def:Standard entries (Define-XML itself, an extra CT version) nothing refers to.
 *  - DEF-UNREF-WHERECLAUSE: the CST 2.0 define keeps 18 TS where clauses its value lists do not use.
 *  - DEF-IR-METHOD: EXDOSE/EXDOSU in EC are Derived without a MethodOID (defineV21-SDTM).
 *  - DEF-ID-LENGTH-DATE (info): RFSTDTC/RFENDTC in the 2.0 ADaM example are datetime with a Length.
 */
typedef struct { const char *rule; dsj_severity_t sev; size_t n; } expect_t;

static void check_expected(const char *rel, const expect_t *exp)
{
    char path[2200];
    dsj_error_t e;
    dsj_define_t *d;
    dsj_findings_t *l;
    size_t i, nexp = 0;
    if (!dsj_test_corpus_file(path, sizeof path, rel)) return;
    dsj_error_clear(&e);
    d = dsj_define_load(path, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    l = dsj_findings_new(0);
    CU_ASSERT_EQUAL(dsj_define_validate(d, NULL, dsj_findings_add, l, &e), DSJ_OK);
    for (; exp->rule; exp++) {
        size_t got = count_rule(l, exp->rule, exp->sev);
        CU_ASSERT_EQUAL(got, exp->n);
        if (got != exp->n) printf("\n  %s: %s %s expected %zu, got %zu", rel, dsj_severity_name(exp->sev), exp->rule, exp->n, got);
        nexp += exp->n;
    }
    CU_ASSERT_EQUAL(dsj_findings_total(l), nexp);
    if (dsj_findings_total(l) != nexp) {
        printf("\n  %s: %llu findings, expected %zu:", rel, (unsigned long long)dsj_findings_total(l), nexp);
        for (i = 0; i < dsj_findings_count(l) && i < 40; i++) {
            printf("\n    ");
            dsj_finding_print(stdout, dsj_findings_get(l, i));
        }
    }
    dsj_findings_free(l);
    dsj_define_free(d);
}

static void test_corpus_expected_findings(void)
{
    static const expect_t sdtm20[] = {{"DEF-ID-CL-LENGTH", DSJ_SEV_WARNING, 10}, {NULL, 0, 0}};
    static const expect_t adam20[] = {{"DEF-ID-LENGTH-DATE", DSJ_SEV_INFO, 2}, {NULL, 0, 0}};
    static const expect_t none[] = {{NULL, 0, 0}};
    static const expect_t sdtm21[] = {{"DEF-ID-CL-LENGTH", DSJ_SEV_WARNING, 2}, {"DEF-IR-METHOD", DSJ_SEV_WARNING, 2}, {NULL, 0, 0}};
    static const expect_t cst21[] = {{"DEF-ID-CL-LENGTH", DSJ_SEV_WARNING, 1},
                                     {"DEF-RC-CODELIST", DSJ_SEV_WARNING, 2},
                                     {"DEF-UNREF-STANDARD", DSJ_SEV_WARNING, 1},
                                     {NULL, 0, 0}};
    static const expect_t cst20[] = {{"DEF-ID-CL-LENGTH", DSJ_SEV_WARNING, 9}, {"DEF-UNREF-WHERECLAUSE", DSJ_SEV_WARNING, 18},
                                     {NULL, 0, 0}};
    static const expect_t dsj_sdtm[] = {{"DEF-STD-ENUM", DSJ_SEV_ERROR, 1},
                                        {"DEF-ID-CL-LENGTH", DSJ_SEV_WARNING, 1},
                                        {"DEF-RC-CODELIST", DSJ_SEV_WARNING, 2},
                                        {"DEF-UNREF-STANDARD", DSJ_SEV_WARNING, 2},
                                        {NULL, 0, 0}};
    static const expect_t dsj_adam[] = {{"DEF-UNREF-STANDARD", DSJ_SEV_WARNING, 1}, {NULL, 0, 0}};
    check_expected("define-xml-examples/v2.0/define.cdisc.sdtm.xml", sdtm20);
    check_expected("define-xml-examples/v2.0/define.cdisc.adam.xml", adam20);
    check_expected("define-xml-examples/v2.0/define.cdisc.arm.xml", none);
    check_expected("define-xml-examples/v2.1/defineV21-SDTM.xml", sdtm21);
    check_expected("define-xml-examples/v2.1/defineV21-ADaM.xml", none);
    check_expected("define-xml-examples/v2.1-sas-cst/define_sdtm_full_example.xml", cst21);
    check_expected("dataset-xml-sas-cst/sdtm/define.xml", cst20);
    check_expected("cdisc-datasetjson-examples/v1.1/sdtm/define.xml", dsj_sdtm);
    check_expected("cdisc-datasetjson-examples/v1.1/adam/define.xml", dsj_adam);
}

/* Mutations of a real file: the official Dataset-JSON SDTM define. */
static void test_corpus_mutations(void)
{
    char path[2200];
    char *text, *m;
    dsj_findings_t *l;
    if (!dsj_test_corpus_file(path, sizeof path, "cdisc-datasetjson-examples/v1.1/sdtm/define.xml")) return;
    text = dsj_test_slurp(path, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    /* DM loses its def:Structure; the other checks still find the known STDTMIG defect. */
    m = replace1(text, "def:Structure=\"One record per subject\"", "");
    if (m) {
        l = validate_text(m, "dm-mutant.xml", NULL);
        CU_ASSERT_PTR_NOT_NULL(has(l, "DEF-IG-REQUIRED", line_of_text(m, "<ItemGroupDef OID=\"IG.DM\"")));
        CU_ASSERT_PTR_NOT_NULL(has(l, "DEF-STD-ENUM", 63));
        dsj_findings_free(l);
        free(m);
    }
    /* A dangling CodeListOID on DM.SEX. */
    m = replace1(text, "<CodeListRef CodeListOID=\"CL.SEX\"/>", "<CodeListRef CodeListOID=\"CL.SEXX\"/>");
    if (m) {
        l = validate_text(m, "sex-mutant.xml", NULL);
        CU_ASSERT_PTR_NOT_NULL(has(l, "DEF-REF-CODELIST", line_of_text(m, "<ItemDef OID=\"IT.DM.SEX\"")));
        CU_ASSERT_EQUAL(count_rule(l, "DEF-REF-CODELIST", DSJ_SEV_ERROR), 1);
        dsj_findings_free(l);
        free(m);
    }
    free(text);
}

int main(void)
{
    static const dsj_test_case_t cases[] = {
        {"model of a small 2.1 define", test_model_minimal},
        {"load from memory", test_load_memory_same},
        {"truncated file is an XML error with line", test_truncated_is_xml_error},
        {"external entities are never expanded", test_xxe_not_expanded},
        {"Define-XML 1.0 / non-define rejected", test_reject_unsupported},
        {"entity bomb refused", test_entity_bomb},
        {"corpus defines load", test_corpus_load},
        {"clean define has no findings", test_clean_minimal},
        {"mutations give rule and line", test_mutations},
        {"damaged define: every problem reported", test_damage_all_reported},
        {"callback abort, bad arguments", test_abort_and_args},
        {"XML Schema validation on the corpus", test_xsd_corpus},
        {"corpus defines: expected findings", test_corpus_expected_findings},
        {"mutations of a real define", test_corpus_mutations},
        {NULL, NULL}};
    return dsj_test_run("define", cases);
}
