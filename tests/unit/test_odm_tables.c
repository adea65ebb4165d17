/* Unit tests: the ODM / Define-XML / Dataset-XML element tables embedded in
 * libdsjson/odm_tables.gen.c (generated from the XSDs by tools/gen-odm-tables.py)
 * parse with json-c, are closed (every child has its own entry) and carry the
 * facts the XSDs state. */
#include "test_util.h"

#include <json-c/json.h>

/* Declared (and defined) in the generated libdsjson/odm_tables.gen.c. */
typedef struct dsj_odm_table_src { const char *schema; const char *json; } dsj_odm_table_src_t;
extern const dsj_odm_table_src_t dsj_odm_table_sources[];

#define ODM13 "{http://www.cdisc.org/ns/odm/v1.3}"
#define ODM20 "{http://www.cdisc.org/ns/odm/v2.0}"
#define DEF20 "{http://www.cdisc.org/ns/def/v2.0}"
#define DEF21 "{http://www.cdisc.org/ns/def/v2.1}"
#define ARM "{http://www.cdisc.org/ns/arm/v1.0}"
#define DATA "{http://www.cdisc.org/ns/Dataset-XML/v1.0}"
#define XMLNS "{http://www.w3.org/XML/1998/namespace}"
#define XHTML "{http://www.w3.org/1999/xhtml}"

static const char *const SETS[] = {"odm-1.3.2", "define-2.0", "define-2.1", "dataset-xml-1.0", "odm-2.0"};
#define NSETS (sizeof SETS / sizeof SETS[0])

/* Parse the embedded table of one schema set (whole text must be one JSON value). */
static json_object *table(const char *schema)
{
    const dsj_odm_table_src_t *s;
    for (s = dsj_odm_table_sources; s->schema; s++) {
        if (strcmp(s->schema, schema) == 0) {
            json_tokener *tok = json_tokener_new();
            size_t len = strlen(s->json);
            json_object *o = json_tokener_parse_ex(tok, s->json, (int)len);
            int ok = json_tokener_get_error(tok) == json_tokener_success &&
                     json_tokener_get_parse_end(tok) == len;
            json_tokener_free(tok);
            if (!ok) {
                json_object_put(o);
                return NULL;
            }
            return o;
        }
    }
    return NULL;
}

static json_object *get(json_object *o, const char *key)
{
    json_object *v = NULL;
    if (!o || !json_object_object_get_ex(o, key, &v)) return NULL;
    return v;
}

static json_object *element(json_object *t, const char *name)
{
    return get(get(t, "elements"), name);
}

/* Entry {"name": name, ...} of the array el[list], and its index (or -1). */
static json_object *entry(json_object *el, const char *list, const char *name, int *index)
{
    json_object *arr = get(el, list);
    size_t i, n = arr ? json_object_array_length(arr) : 0;
    for (i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(arr, i);
        if (strcmp(json_object_get_string(get(e, "name")), name) == 0) {
            if (index) *index = (int)i;
            return e;
        }
    }
    if (index) *index = -1;
    return NULL;
}

static int child_repeat(json_object *t, const char *el, const char *child)
{
    json_object *c = entry(element(t, el), "children", child, NULL);
    return c ? json_object_get_boolean(get(c, "repeat")) : -1;
}

static const char *attr_type(json_object *t, const char *el, const char *attr)
{
    json_object *a = entry(element(t, el), "attributes", attr, NULL);
    return a ? json_object_get_string(get(a, "type")) : "(absent)";
}

static int flag(json_object *t, const char *el, const char *key)
{
    json_object *e = element(t, el);
    return e ? json_object_get_boolean(get(e, key)) : -1;
}

static void test_all_parse(void)
{
    const dsj_odm_table_src_t *s;
    size_t n = 0, i;
    for (s = dsj_odm_table_sources; s->schema; s++) {
        CU_ASSERT_PTR_NOT_NULL(s->json);
        n++;
    }
    CU_ASSERT_EQUAL(n, NSETS);
    for (i = 0; i < NSETS; i++) {
        json_object *t = table(SETS[i]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(t);
        CU_ASSERT_STRING_EQUAL(json_object_get_string(get(t, "schema")), SETS[i]);
        CU_ASSERT_TRUE(json_object_array_length(get(t, "sources")) > 0);
        CU_ASSERT_TRUE(json_object_object_length(get(t, "elements")) > 100);
        CU_ASSERT_PTR_NOT_NULL(element(t, json_object_get_string(get(t, "root"))));
        CU_ASSERT_STRING_EQUAL(json_object_get_string(get(get(t, "namespaces"), "xml")),
                               "http://www.w3.org/XML/1998/namespace");
        json_object_put(t);
    }
    CU_ASSERT_PTR_NULL(table("no-such-schema"));
}

/* Every child names an element that has its own entry; types come from the fixed set;
 * names are unique within an element; a text element has no children unless mixed. */
static void test_closed_and_well_formed(void)
{
    size_t i;
    for (i = 0; i < NSETS; i++) {
        json_object *t = table(SETS[i]);
        int bad = 0;
        CU_ASSERT_PTR_NOT_NULL_FATAL(t);
        json_object_object_foreach(get(t, "elements"), name, el) {
            json_object *kids = get(el, "children"), *attrs = get(el, "attributes");
            size_t k, j;
            for (k = 0; k < json_object_array_length(kids); k++) {
                const char *c = json_object_get_string(get(json_object_array_get_idx(kids, k), "name"));
                int idx;
                if (!element(t, c)) { printf("\n  %s: %s child %s has no entry", SETS[i], name, c); bad++; }
                entry(el, "children", c, &idx);
                if (idx != (int)k) { printf("\n  %s: %s child %s listed twice", SETS[i], name, c); bad++; }
            }
            for (j = 0; j < json_object_array_length(attrs); j++) {
                json_object *a = json_object_array_get_idx(attrs, j);
                const char *ty = json_object_get_string(get(a, "type"));
                int idx;
                if (strcmp(ty, "string") && strcmp(ty, "integer") && strcmp(ty, "decimal") &&
                    strcmp(ty, "float") && strcmp(ty, "boolean")) { printf("\n  %s: %s bad type %s", SETS[i], name, ty); bad++; }
                entry(el, "attributes", json_object_get_string(get(a, "name")), &idx);
                if (idx != (int)j) { printf("\n  %s: %s attribute listed twice", SETS[i], name); bad++; }
            }
            if (json_object_get_boolean(get(el, "text")) && json_object_array_length(kids) > 0 &&
                !json_object_get_boolean(get(el, "mixed"))) { printf("\n  %s: %s text with children", SETS[i], name); bad++; }
        }
        CU_ASSERT_EQUAL(bad, 0);
        json_object_put(t);
    }
}

/* The embedded text is the same table as the committed schemas/odm/<set>.json
 * (run from the repository root, as `make check` does). */
static void test_matches_json_files(void)
{
    size_t i;
    for (i = 0; i < NSETS; i++) {
        char path[256];
        json_object *t = table(SETS[i]), *f;
        snprintf(path, sizeof path, "schemas/odm/%s.json", SETS[i]);
        f = json_object_from_file(path);
        if (!f) {
            printf("\n  (skipped: %s not found; run from the repository root)\n", path);
            json_object_put(t);
            return;
        }
        CU_ASSERT_TRUE(json_object_equal(t, f));
        json_object_put(t);
        json_object_put(f);
    }
}

static void test_define21_facts(void)
{
    json_object *t = table("define-2.1");
    int a, b, c, d, e, f, g, h;
    json_object *mdv;
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_STRING_EQUAL(json_object_get_string(get(t, "root")), ODM13 "ODM");
    CU_ASSERT_STRING_EQUAL(json_object_get_string(get(get(t, "namespaces"), "def")), "http://www.cdisc.org/ns/def/v2.1");
    CU_ASSERT_STRING_EQUAL(json_object_get_string(get(get(t, "namespaces"), "odm")), "http://www.cdisc.org/ns/odm/v1.3");
    CU_ASSERT_STRING_EQUAL(json_object_get_string(get(get(t, "namespaces"), "arm")), "http://www.cdisc.org/ns/arm/v1.0");
    /* define-extension.xsd redefines the ODM groups: def: content lands in the ODM elements */
    CU_ASSERT_EQUAL(child_repeat(t, ODM13 "ItemGroupDef", ODM13 "ItemRef"), 1);
    CU_ASSERT_EQUAL(child_repeat(t, ODM13 "ItemGroupDef", ODM13 "Description"), 0);
    CU_ASSERT_STRING_EQUAL(attr_type(t, ODM13 "ItemGroupDef", DEF21 "Structure"), "string");
    CU_ASSERT_STRING_EQUAL(attr_type(t, ODM13 "ItemGroupDef", "Name"), "string");
    CU_ASSERT_STRING_EQUAL(attr_type(t, ODM13 "ItemRef", "OrderNumber"), "integer");
    CU_ASSERT_STRING_EQUAL(attr_type(t, ODM13 "ItemRef", "KeySequence"), "integer");
    CU_ASSERT_STRING_EQUAL(attr_type(t, ODM13 "ItemRef", "Mandatory"), "string");
    CU_ASSERT_EQUAL(child_repeat(t, ODM13 "ItemRef", DEF21 "WhereClauseRef"), 1);
    CU_ASSERT_STRING_EQUAL(attr_type(t, ODM13 "ItemDef", "Length"), "integer");
    CU_ASSERT_STRING_EQUAL(attr_type(t, ODM13 "ItemDef", "SignificantDigits"), "integer");
    CU_ASSERT_STRING_EQUAL(attr_type(t, ODM13 "ItemDef", DEF21 "DisplayFormat"), "string");
    CU_ASSERT_STRING_EQUAL(attr_type(t, ODM13 "CodeListItem", "Rank"), "decimal");
    CU_ASSERT_STRING_EQUAL(attr_type(t, ODM13 "ODM", DEF21 "Context"), "string");
    CU_ASSERT_STRING_EQUAL(attr_type(t, ODM13 "ItemData", "Value"), "string");
    /* MetaDataVersion: pre-include extension first, base content, extension, then ARM's */
    mdv = element(t, ODM13 "MetaDataVersion");
    CU_ASSERT_PTR_NOT_NULL_FATAL(mdv);
    entry(mdv, "children", DEF21 "ValueListDef", &a);
    entry(mdv, "children", DEF21 "WhereClauseDef", &b);
    entry(mdv, "children", ODM13 "ItemGroupDef", &c);
    entry(mdv, "children", ODM13 "ItemDef", &d);
    entry(mdv, "children", ODM13 "CodeList", &e);
    entry(mdv, "children", ODM13 "MethodDef", &f);
    entry(mdv, "children", DEF21 "CommentDef", &g);
    entry(mdv, "children", DEF21 "leaf", &h);
    CU_ASSERT_TRUE(a >= 0 && a < b && b < c && c < d && d < e && e < f && f < g && g < h);
    entry(mdv, "children", DEF21 "Standards", &a);
    CU_ASSERT_EQUAL(a, 0);
    entry(mdv, "children", ARM "AnalysisResultDisplays", &b);
    CU_ASSERT_TRUE(b > h);
    CU_ASSERT_EQUAL(child_repeat(t, ODM13 "MetaDataVersion", DEF21 "ValueListDef"), 1);
    CU_ASSERT_EQUAL(child_repeat(t, ODM13 "MetaDataVersion", DEF21 "Standards"), 0);
    CU_ASSERT_EQUAL(child_repeat(t, ODM13 "MetaDataVersion", ODM13 "Include"), 0);
    /* Define's def:Class is an element in 2.1; simple-content elements */
    CU_ASSERT_PTR_NOT_NULL(entry(element(t, ODM13 "ItemGroupDef"), "children", DEF21 "Class", NULL));
    CU_ASSERT_EQUAL(flag(t, ODM13 "TranslatedText", "text"), 1);
    CU_ASSERT_EQUAL(flag(t, ODM13 "TranslatedText", "mixed"), 0);
    CU_ASSERT_STRING_EQUAL(attr_type(t, ODM13 "TranslatedText", XMLNS "lang"), "string");
    CU_ASSERT_EQUAL(flag(t, ODM13 "FormalExpression", "text"), 1);
    CU_ASSERT_EQUAL(flag(t, ODM13 "CheckValue", "text"), 1);
    CU_ASSERT_EQUAL(flag(t, ODM13 "ItemGroupDef", "text"), 0);
    CU_ASSERT_STRING_EQUAL(attr_type(t, DEF21 "leaf", "{http://www.w3.org/1999/xlink}href"), "string");
    /* def:title is declared locally without a type: xs:anyType, i.e. mixed with any children */
    CU_ASSERT_EQUAL(flag(t, DEF21 "title", "mixed"), 1);
    CU_ASSERT_EQUAL(flag(t, DEF21 "title", "any"), 1);
    /* xmldsig: xs:any content */
    CU_ASSERT_EQUAL(flag(t, "{http://www.w3.org/2000/09/xmldsig#}Transform", "any"), 1);
    json_object_put(t);
}

static void test_define20_facts(void)
{
    json_object *t = table("define-2.0");
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    /* Define-XML 2.0 has def:Class as an attribute and StandardName on MetaDataVersion */
    CU_ASSERT_STRING_EQUAL(attr_type(t, ODM13 "ItemGroupDef", DEF20 "Class"), "string");
    CU_ASSERT_STRING_EQUAL(attr_type(t, ODM13 "MetaDataVersion", DEF20 "StandardName"), "string");
    CU_ASSERT_PTR_NULL(element(t, DEF21 "Standards"));
    CU_ASSERT_EQUAL(child_repeat(t, ODM13 "ItemDef", DEF20 "Origin"), 1);
    CU_ASSERT_PTR_NOT_NULL(element(t, ARM "AnalysisResultDisplays"));
    json_object_put(t);
}

static void test_odm132_and_datasetxml_facts(void)
{
    json_object *o = table("odm-1.3.2"), *d = table("dataset-xml-1.0");
    CU_ASSERT_PTR_NOT_NULL_FATAL(o);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    /* plain ODM: no def: content, ItemGroupData only under FormData */
    CU_ASSERT_EQUAL(child_repeat(o, ODM13 "ItemGroupDef", ODM13 "ItemRef"), 1);
    CU_ASSERT_STRING_EQUAL(attr_type(o, ODM13 "ItemGroupDef", DEF21 "Structure"), "(absent)");
    CU_ASSERT_EQUAL(child_repeat(o, ODM13 "ODM", ODM13 "Study"), 1);
    CU_ASSERT_EQUAL(child_repeat(o, ODM13 "ClinicalData", ODM13 "ItemGroupData"), -1);
    CU_ASSERT_EQUAL(child_repeat(o, ODM13 "FormData", ODM13 "ItemGroupData"), 1);
    CU_ASSERT_EQUAL(flag(o, ODM13 "ItemDataInteger", "text"), 1);
    /* Dataset-XML: data:ItemGroupDataSeq (odm:integer) and ItemGroupData directly in ClinicalData */
    CU_ASSERT_STRING_EQUAL(attr_type(d, ODM13 "ItemGroupData", DATA "ItemGroupDataSeq"), "integer");
    CU_ASSERT_STRING_EQUAL(attr_type(d, ODM13 "ODM", DATA "DatasetXMLVersion"), "string");
    CU_ASSERT_EQUAL(child_repeat(d, ODM13 "ClinicalData", ODM13 "ItemGroupData"), 1);
    CU_ASSERT_EQUAL(child_repeat(d, ODM13 "ItemGroupData", ODM13 "ItemData"), 1);
    CU_ASSERT_STRING_EQUAL(json_object_get_string(get(get(d, "namespaces"), "data")),
                           "http://www.cdisc.org/ns/Dataset-XML/v1.0");
    json_object_put(o);
    json_object_put(d);
}

static void test_odm20_facts(void)
{
    json_object *t = table("odm-2.0");
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_STRING_EQUAL(json_object_get_string(get(t, "root")), ODM20 "ODM");
    /* TranslatedText is mixed="true" with an optional xhtml:div (ODM-study.xsd) */
    CU_ASSERT_EQUAL(flag(t, ODM20 "TranslatedText", "mixed"), 1);
    CU_ASSERT_EQUAL(flag(t, ODM20 "TranslatedText", "any"), 0);
    CU_ASSERT_EQUAL(child_repeat(t, ODM20 "TranslatedText", XHTML "div"), 0);
    CU_ASSERT_STRING_EQUAL(attr_type(t, ODM20 "TranslatedText", "Type"), "string");
    CU_ASSERT_STRING_EQUAL(attr_type(t, ODM20 "TranslatedText", XMLNS "lang"), "string");
    CU_ASSERT_EQUAL(flag(t, XHTML "div", "mixed"), 1);
    /* ItemData holds Value elements (SeqNum integer) instead of a Value attribute */
    CU_ASSERT_EQUAL(child_repeat(t, ODM20 "ItemData", ODM20 "Value"), 1);
    CU_ASSERT_STRING_EQUAL(attr_type(t, ODM20 "ItemData", "Value"), "(absent)");
    CU_ASSERT_STRING_EQUAL(attr_type(t, ODM20 "Value", "SeqNum"), "integer");
    CU_ASSERT_EQUAL(flag(t, ODM20 "Value", "text"), 1);
    CU_ASSERT_STRING_EQUAL(attr_type(t, ODM20 "ItemGroupDef", "RepeatingLimit"), "integer");
    CU_ASSERT_STRING_EQUAL(attr_type(t, ODM20 "ItemRef", "OrderNumber"), "integer");
    CU_ASSERT_EQUAL(child_repeat(t, ODM20 "ItemGroupDef", ODM20 "ItemRef"), 1);
    CU_ASSERT_EQUAL(child_repeat(t, ODM20 "Study", ODM20 "MetaDataVersion"), 1);
    json_object_put(t);
}

int main(void)
{
    static const dsj_test_case_t cases[] = {
        {"all_parse", test_all_parse},
        {"closed_and_well_formed", test_closed_and_well_formed},
        {"matches_json_files", test_matches_json_files},
        {"define21_facts", test_define21_facts},
        {"define20_facts", test_define20_facts},
        {"odm132_and_datasetxml_facts", test_odm132_and_datasetxml_facts},
        {"odm20_facts", test_odm20_facts},
        {NULL, NULL},
    };
    return dsj_test_run("odm_tables", cases);
}
