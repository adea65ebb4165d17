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

int main(void)
{
    static const dsj_test_case_t cases[] = {
        {"model of a small 2.1 define", test_model_minimal},
        {"load from memory", test_load_memory_same},
        {"truncated file is an XML error with line", test_truncated_is_xml_error},
        {"external entities are never expanded", test_xxe_not_expanded},
        {"Define-XML 1.0 / non-define rejected", test_reject_unsupported},
        {"corpus defines load", test_corpus_load},
        {NULL, NULL}};
    return dsj_test_run("define", cases);
}
