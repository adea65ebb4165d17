/* Unit tests: ODM XML <-> ODM JSON (dsjson_odm.h, docs/odm-json.md). */
#include "test_util.h"

#include <dirent.h>
#include <json-c/json.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>
#include <unistd.h>

#define TD "testdata/odm/"

/* ------------------------------------------------------------------ canonical comparison
 * Two documents are equal when their element trees match: namespace URI and
 * local name of every element, attributes as sets of (URI, name, value)
 * (namespace declarations aside), and text: the text of a leaf element
 * exactly unless it is whitespace only; in elements with children, the
 * non-whitespace text pieces in order.  Comments and PIs are ignored.
 */
static int ws_only(const xmlChar *s)
{
    for (; s && *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r') return 0;
    return 1;
}

static const char *href(const xmlNs *ns) { return ns ? (const char *)ns->href : ""; }

static int attr_in(xmlNodePtr a, xmlAttrPtr at)
{
    xmlAttrPtr b;
    for (b = a->properties; b; b = b->next) {
        if (!strcmp((const char *)b->name, (const char *)at->name) && !strcmp(href(b->ns), href(at->ns))) {
            xmlChar *v1 = xmlNodeListGetString(a->doc, b->children, 1);
            xmlChar *v2 = xmlNodeListGetString(at->doc, at->children, 1);
            int same = !strcmp(v1 ? (char *)v1 : "", v2 ? (char *)v2 : "");
            xmlFree(v1);
            xmlFree(v2);
            return same;
        }
    }
    return 0;
}

static int count_attrs(xmlNodePtr n)
{
    int c = 0;
    xmlAttrPtr a;
    for (a = n->properties; a; a = a->next) c++;
    return c;
}

static xmlNodePtr next_sig(xmlNodePtr k)
{
    for (; k; k = k->next) {
        if (k->type == XML_ELEMENT_NODE) return k;
        if ((k->type == XML_TEXT_NODE || k->type == XML_CDATA_SECTION_NODE) && !ws_only(k->content)) return k;
    }
    return NULL;
}

static int has_elem_child(xmlNodePtr n)
{
    xmlNodePtr k;
    for (k = n->children; k; k = k->next)
        if (k->type == XML_ELEMENT_NODE) return 1;
    return 0;
}

static int canon_equal(xmlNodePtr a, xmlNodePtr b, char *where, size_t wn)
{
    xmlAttrPtr at;
    xmlNodePtr x, y;
    if (strcmp((const char *)a->name, (const char *)b->name) || strcmp(href(a->ns), href(b->ns))) {
        snprintf(where, wn, "line %ld: element {%s}%s vs {%s}%s", (long)xmlGetLineNo(a), href(a->ns), a->name,
                 href(b->ns), b->name);
        return 0;
    }
    if (count_attrs(a) != count_attrs(b)) {
        snprintf(where, wn, "line %ld: %s has %d attributes vs %d", (long)xmlGetLineNo(a), a->name, count_attrs(a),
                 count_attrs(b));
        return 0;
    }
    for (at = a->properties; at; at = at->next)
        if (!attr_in(b, at)) {
            snprintf(where, wn, "line %ld: %s/@%s differs", (long)xmlGetLineNo(a), a->name, at->name);
            return 0;
        }
    if (!has_elem_child(a) && !has_elem_child(b)) {
        xmlChar *t1 = xmlNodeGetContent(a), *t2 = xmlNodeGetContent(b);
        int same = (ws_only(t1) && ws_only(t2)) || !strcmp(t1 ? (char *)t1 : "", t2 ? (char *)t2 : "");
        if (!same) snprintf(where, wn, "line %ld: text of %s differs", (long)xmlGetLineNo(a), a->name);
        xmlFree(t1);
        xmlFree(t2);
        return same;
    }
    x = next_sig(a->children);
    y = next_sig(b->children);
    while (x && y) {
        if (x->type != y->type) break;
        if (x->type == XML_ELEMENT_NODE) {
            if (!canon_equal(x, y, where, wn)) return 0;
        } else if (strcmp((const char *)x->content, (const char *)y->content)) {
            break;
        }
        x = next_sig(x->next);
        y = next_sig(y->next);
    }
    if (x || y) {
        snprintf(where, wn, "line %ld: content of %s differs", (long)xmlGetLineNo(a), a->name);
        return 0;
    }
    return 1;
}

static xmlDocPtr parse_xml(const char *buf, size_t len)
{
    return xmlReadMemory(buf, (int)len, "x.xml", NULL, XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_NOWARNING |
                                                       XML_PARSE_NOERROR | XML_PARSE_BIG_LINES);
}

static int docs_equal(const char *x1, size_t n1, const char *x2, size_t n2, char *where, size_t wn)
{
    xmlDocPtr a = parse_xml(x1, n1), b = parse_xml(x2, n2);
    int eq = 0;
    if (!a || !b) snprintf(where, wn, "%s does not parse", a ? "the output" : "the original");
    else eq = canon_equal(xmlDocGetRootElement(a), xmlDocGetRootElement(b), where, wn);
    xmlFreeDoc(a);
    xmlFreeDoc(b);
    return eq;
}

/* ------------------------------------------------------------------ helpers */

typedef struct warns {
    int n;
    char last_rule[64];
    char last_msg[256];
} warns_t;

static int warn_cb(const dsj_finding_t *f, void *ctx)
{
    warns_t *w = ctx;
    w->n++;
    snprintf(w->last_rule, sizeof w->last_rule, "%s", f->rule ? f->rule : "");
    snprintf(w->last_msg, sizeof w->last_msg, "%s", f->message ? f->message : "");
    return 0;
}

/* XML -> JSON -> XML; returns 1 when equal; json_out gets the JSON when non-NULL. */
static int round_trip(const char *xml, size_t len, const dsj_odm_options_t *o, char **json_out, char *where, size_t wn)
{
    dsj_error_t e;
    size_t jn = 0, xn = 0;
    char *json, *back;
    int eq;
    dsj_error_clear(&e);
    json = dsj_odm_xml_to_json(xml, len, "in.xml", o, &jn, &e);
    if (!json) { dsj_error_format(&e, where, wn); return 0; }
    back = dsj_odm_json_to_xml(json, jn, "in.json", o, &xn, &e);
    if (!back) {
        char msg[900];
        dsj_error_format(&e, msg, sizeof msg);
        snprintf(where, wn, "json2odm: %s", msg);
        free(json);
        return 0;
    }
    eq = docs_equal(xml, len, back, xn, where, wn);
    free(back);
    if (json_out) *json_out = json;
    else free(json);
    return eq;
}

/* A small schema table in the schemas/odm format (a subset of ODM 1.3.2). */
static const char mini_table[] =
    "{\"schema\": \"odm-1.3.2\", \"root\": \"{http://www.cdisc.org/ns/odm/v1.3}ODM\","
    " \"namespaces\": {\"odm\": \"http://www.cdisc.org/ns/odm/v1.3\"},"
    " \"elements\": {"
    "  \"{http://www.cdisc.org/ns/odm/v1.3}ODM\": {\"children\": ["
    "     {\"name\": \"{http://www.cdisc.org/ns/odm/v1.3}Study\", \"repeat\": true},"
    "     {\"name\": \"{http://www.cdisc.org/ns/odm/v1.3}ClinicalData\", \"repeat\": true}],"
    "   \"attributes\": [{\"name\": \"FileOID\", \"type\": \"string\"}, {\"name\": \"FileType\", \"type\": \"string\"},"
    "     {\"name\": \"ODMVersion\", \"type\": \"string\"}, {\"name\": \"CreationDateTime\", \"type\": \"string\"}]},"
    "  \"{http://www.cdisc.org/ns/odm/v1.3}Study\": {\"children\": ["
    "     {\"name\": \"{http://www.cdisc.org/ns/odm/v1.3}GlobalVariables\", \"repeat\": false},"
    "     {\"name\": \"{http://www.cdisc.org/ns/odm/v1.3}MetaDataVersion\", \"repeat\": true}],"
    "   \"attributes\": [{\"name\": \"OID\", \"type\": \"string\"}]},"
    "  \"{http://www.cdisc.org/ns/odm/v1.3}GlobalVariables\": {\"children\": ["
    "     {\"name\": \"{http://www.cdisc.org/ns/odm/v1.3}StudyName\", \"repeat\": false}], \"attributes\": []},"
    "  \"{http://www.cdisc.org/ns/odm/v1.3}StudyName\": {\"children\": [], \"attributes\": [], \"text\": true},"
    "  \"{http://www.cdisc.org/ns/odm/v1.3}MetaDataVersion\": {\"children\": ["
    "     {\"name\": \"{http://www.cdisc.org/ns/odm/v1.3}ItemGroupDef\", \"repeat\": true},"
    "     {\"name\": \"{http://www.cdisc.org/ns/odm/v1.3}ItemDef\", \"repeat\": true}],"
    "   \"attributes\": [{\"name\": \"OID\", \"type\": \"string\"}, {\"name\": \"Name\", \"type\": \"string\"}]},"
    "  \"{http://www.cdisc.org/ns/odm/v1.3}ItemGroupDef\": {\"children\": ["
    "     {\"name\": \"{http://www.cdisc.org/ns/odm/v1.3}ItemRef\", \"repeat\": true},"
    "     {\"name\": \"{http://www.cdisc.org/ns/odm/v1.3}ItemGroupRef\", \"repeat\": true}],"
    "   \"attributes\": [{\"name\": \"OID\", \"type\": \"string\"}, {\"name\": \"Name\", \"type\": \"string\"}]},"
    "  \"{http://www.cdisc.org/ns/odm/v1.3}ItemRef\": {\"children\": [], \"attributes\": ["
    "     {\"name\": \"ItemOID\", \"type\": \"string\"}, {\"name\": \"OrderNumber\", \"type\": \"integer\"},"
    "     {\"name\": \"Mandatory\", \"type\": \"string\"}]},"
    "  \"{http://www.cdisc.org/ns/odm/v1.3}ItemGroupRef\": {\"children\": [], \"attributes\": ["
    "     {\"name\": \"ItemGroupOID\", \"type\": \"string\"}]},"
    "  \"{http://www.cdisc.org/ns/odm/v1.3}ItemDef\": {\"children\": [], \"attributes\": ["
    "     {\"name\": \"OID\", \"type\": \"string\"}, {\"name\": \"DataType\", \"type\": \"string\"}]},"
    "  \"{http://www.cdisc.org/ns/odm/v1.3}ClinicalData\": {\"children\": ["
    "     {\"name\": \"{http://www.cdisc.org/ns/odm/v1.3}ItemGroupData\", \"repeat\": true}],"
    "   \"attributes\": [{\"name\": \"StudyOID\", \"type\": \"string\"}]},"
    "  \"{http://www.cdisc.org/ns/odm/v1.3}ItemGroupData\": {\"children\": ["
    "     {\"name\": \"{http://www.cdisc.org/ns/odm/v1.3}ItemData\", \"repeat\": true},"
    "     {\"name\": \"{http://www.cdisc.org/ns/odm/v1.3}ItemDataBase64Binary\", \"repeat\": true}],"
    "   \"attributes\": [{\"name\": \"ItemGroupOID\", \"type\": \"string\"}]},"
    "  \"{http://www.cdisc.org/ns/odm/v1.3}ItemData\": {\"children\": [], \"attributes\": ["
    "     {\"name\": \"ItemOID\", \"type\": \"string\"}, {\"name\": \"Value\", \"type\": \"string\"}]},"
    "  \"{http://www.cdisc.org/ns/odm/v1.3}ItemDataBase64Binary\": {\"children\": [], \"text\": true, \"attributes\": ["
    "     {\"name\": \"ItemOID\", \"type\": \"string\"}]}"
    " }, \"merged\": []}";

#define NS13 "http://www.cdisc.org/ns/odm/v1.3"

static const char mini_doc[] =
    "<?xml version=\"1.0\"?>\n"
    "<ODM xmlns=\"" NS13 "\" xmlns:v=\"urn:vendor\" FileOID=\"F1\" FileType=\"Snapshot\" ODMVersion=\"1.3.2\""
    " CreationDateTime=\"2024-01-01T00:00:00\" v:Flag=\"x\">\n"
    " <Study OID=\"S1\">\n"
    "  <GlobalVariables><StudyName>Demo &amp; &lt;test&gt;</StudyName></GlobalVariables>\n"
    "  <MetaDataVersion OID=\"MDV1\" Name=\"V1\">\n"
    "   <ItemGroupDef OID=\"IG.A\" Name=\"A\">\n"
    "    <ItemRef ItemOID=\"IT.1\" OrderNumber=\"1\" Mandatory=\"Yes\"/>\n"
    "    <ItemGroupRef ItemGroupOID=\"IG.B\"/>\n"
    "    <ItemRef ItemOID=\"IT.2\" OrderNumber=\"007\" Mandatory=\"No\"/>\n"
    "   </ItemGroupDef>\n"
    "   <ItemGroupDef OID=\"IG.B\" Name=\"B\"><ItemRef ItemOID=\"IT.3\" OrderNumber=\"-2\"/></ItemGroupDef>\n"
    "   <ItemDef OID=\"IT.1\" DataType=\"base64Binary\"/>\n"
    "   <v:Note Kind=\"a\">vendor text</v:Note>\n"
    "  </MetaDataVersion>\n"
    " </Study>\n"
    " <ClinicalData StudyOID=\"S1\">\n"
    "  <ItemGroupData ItemGroupOID=\"IG.A\"><ItemData ItemOID=\"IT.1\" Value=\"QUJD\"/></ItemGroupData>\n"
    "  <ItemGroupData ItemGroupOID=\"IG.B\"><ItemData ItemOID=\"IT.3\" Value=\"3\"/></ItemGroupData>\n"
    " </ClinicalData>\n"
    "</ODM>\n";

static json_object *path_get(json_object *o, const char *path)
{
    char buf[256], *tok, *save = NULL;
    snprintf(buf, sizeof buf, "%s", path);
    for (tok = strtok_r(buf, "/", &save); tok && o; tok = strtok_r(NULL, "/", &save)) {
        if (tok[0] >= '0' && tok[0] <= '9') {
            if (!json_object_is_type(o, json_type_array)) return NULL;
            o = json_object_array_get_idx(o, (size_t)atoi(tok));
        } else if (!json_object_object_get_ex(o, tok, &o)) {
            return NULL;
        }
    }
    return o;
}

static dsj_odm_options_t mini_opts(warns_t *w)
{
    dsj_odm_options_t o;
    dsj_odm_options_init(&o);
    o.schema_json = mini_table;
    o.warn = warn_cb;
    o.warn_ctx = w;
    return o;
}

/* ------------------------------------------------------------------ convention, with a hand-written table */

static void test_convention_mini_table(void)
{
    warns_t w = {0};
    dsj_odm_options_t o = mini_opts(&w);
    dsj_error_t e;
    json_object *t, *v;
    char where[1024] = "";
    char *json = NULL;
    dsj_error_clear(&e);
    CU_ASSERT_TRUE_FATAL(round_trip(mini_doc, strlen(mini_doc), &o, &json, where, sizeof where));
    t = json_tokener_parse(json);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_STRING_EQUAL(json_object_get_string(path_get(t, "_schema")), "odm-1.3.2");
    CU_ASSERT_STRING_EQUAL(json_object_get_string(path_get(t, "FileOID")), "F1");
    /* repeating child: array even with one element; single child: object */
    CU_ASSERT_TRUE(json_object_is_type(path_get(t, "Study"), json_type_array));
    CU_ASSERT_EQUAL(json_object_array_length(path_get(t, "Study")), 1);
    CU_ASSERT_TRUE(json_object_is_type(path_get(t, "Study/0/GlobalVariables"), json_type_object));
    CU_ASSERT_STRING_EQUAL(json_object_get_string(path_get(t, "Study/0/GlobalVariables/StudyName/_content")),
                           "Demo & <test>");
    v = path_get(t, "Study/0/MetaDataVersion/0/ItemGroupDef/0/ItemRef/0/OrderNumber");
    CU_ASSERT_TRUE(json_object_is_type(v, json_type_int));
    CU_ASSERT_EQUAL(json_object_get_int(v), 1);
    CU_ASSERT_EQUAL(json_object_get_int(path_get(t, "Study/0/MetaDataVersion/0/ItemGroupDef/1/ItemRef/0/OrderNumber")), -2);
    /* "007" is not a plain integer: kept as a string, with a warning */
    v = path_get(t, "Study/0/MetaDataVersion/0/ItemGroupDef/0/ItemRef/1/OrderNumber");
    CU_ASSERT_TRUE(json_object_is_type(v, json_type_string));
    CU_ASSERT_STRING_EQUAL(json_object_get_string(v), "007");
    /* interleaved ItemRef/ItemGroupRef keep their order in _order */
    v = path_get(t, "Study/0/MetaDataVersion/0/ItemGroupDef/0/_order");
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_EQUAL(json_object_array_length(v), 3);
    CU_ASSERT_STRING_EQUAL(json_object_get_string(json_object_array_get_idx(v, 1)), "ItemGroupRef");
    CU_ASSERT_PTR_NULL(path_get(t, "Study/0/MetaDataVersion/0/ItemGroupDef/1/_order"));
    /* other namespaces: prefix kept, URI in _ns */
    CU_ASSERT_STRING_EQUAL(json_object_get_string(path_get(t, "v:Flag")), "x");
    CU_ASSERT_STRING_EQUAL(json_object_get_string(path_get(t, "_ns/v")), "urn:vendor");
    CU_ASSERT_STRING_EQUAL(json_object_get_string(path_get(t, "Study/0/MetaDataVersion/0/v:Note/0/_content")),
                           "vendor text");
    /* ItemData Value stays a string */
    CU_ASSERT_TRUE(json_object_is_type(path_get(t, "ClinicalData/0/ItemGroupData/1/ItemData/0/Value"), json_type_string));
    CU_ASSERT_TRUE(w.n >= 1);
    json_object_put(t);
    free(json);
}

static void test_wrap_root_and_tree(void)
{
    warns_t w = {0};
    dsj_odm_options_t o = mini_opts(&w);
    dsj_error_t e;
    json_object *t;
    char *xml, where[1024] = "";
    size_t n = 0;
    dsj_error_clear(&e);
    o.wrap_root = 1;
    o.pretty = 1;
    t = dsj_odm_xml_to_tree(mini_doc, strlen(mini_doc), "mini.xml", &o, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_EQUAL(json_object_object_length(t), 1);
    CU_ASSERT_PTR_NOT_NULL(path_get(t, "ODM/Study/0/OID"));
    xml = dsj_odm_tree_to_xml(t, "tree", &o, &n, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(xml);
    CU_ASSERT_TRUE(docs_equal(mini_doc, strlen(mini_doc), xml, n, where, sizeof where));
    free(xml);
    json_object_put(t);
}

/* ------------------------------------------------------------------ errors */

static void expect_json_error(const char *json, dsj_status_t code, const char *pointer, const char *text_part)
{
    warns_t w = {0};
    dsj_odm_options_t o = mini_opts(&w);
    dsj_error_t e;
    char *xml;
    dsj_error_clear(&e);
    xml = dsj_odm_json_to_xml(json, strlen(json), "bad.json", &o, NULL, &e);
    CU_ASSERT_PTR_NULL(xml);
    free(xml);
    CU_ASSERT_EQUAL(e.code, code);
    if (pointer && strcmp(e.pointer, pointer)) printf("\n  pointer was \"%s\" (%s)\n", e.pointer, e.text);
    if (pointer) CU_ASSERT_STRING_EQUAL(e.pointer, pointer);
    if (text_part && !strstr(e.text, text_part)) {
        printf("\n  message was: %s\n", e.text);
        CU_FAIL("message does not contain the expected text");
    }
}

static void test_json_errors(void)
{
    expect_json_error("{\"_schema\":\"odm-1.3.2\",\"FileOID\":\"F\",\"Study\":[{\"OID\":\"S\",\"Bogus\":\"1\"}]}",
                      DSJ_E_FORMAT, "/Study/0/Bogus", "unknown key");
    expect_json_error("{\"_schema\":\"odm-1.3.2\",\"Study\":[{\"OID\":\"S\",\"GlobalVariables\":[{}]}]}",
                      DSJ_E_TYPE, "/Study/0/GlobalVariables", "single");
    expect_json_error("{\"_schema\":\"odm-1.3.2\",\"Study\":{\"OID\":\"S\"}}", DSJ_E_TYPE, "/Study", "array");
    expect_json_error("{\"_schema\":\"odm-1.3.2\",\"FileOID\":12}", DSJ_E_TYPE, "/FileOID", "number for the string");
    expect_json_error("{\"_schema\":\"odm-1.3.2\",\"Study\":[{\"MetaDataVersion\":[{\"ItemGroupDef\":[{\"ItemRef\":"
                      "[{\"ItemOID\":\"I\",\"OrderNumber\":true}]}]}]}]}",
                      DSJ_E_TYPE, "/Study/0/MetaDataVersion/0/ItemGroupDef/0/ItemRef/0/OrderNumber", "integer");
    expect_json_error("{\"_schema\":\"odm-1.3.2\",\"zz:Foo\":\"1\"}", DSJ_E_FORMAT, "/zz:Foo", "prefix");
    expect_json_error("{\"_schema\":\"odm-1.3.2\",\"Study\":[{\"_order\":[\"MetaDataVersion\"]}]}", DSJ_E_FORMAT,
                      "/Study/0/_order/0", "not a child");
    expect_json_error("{\"FileOID\": ", DSJ_E_SYNTAX, NULL, "invalid JSON");
    expect_json_error("[1,2]", DSJ_E_FORMAT, NULL, "must be an object");
    expect_json_error("null", DSJ_E_FORMAT, NULL, "must be an object");
    expect_json_error("{\"_schema\":\"odm-1.3.2\",\"_ns\":{\"v\":\"urn:v\"},\"v:X\":\"1\",\"Study\":[{\"OID\":\"S\",\"_content\":7}]}",
                      DSJ_E_TYPE, "/Study/0/_content", "_content must be a string");
    {   /* position of a truncated document */
        dsj_error_t e;
        const char *j = "{\"FileOID\": \"F\",\n \"Study\": [";
        char *x;
        dsj_error_clear(&e);
        x = dsj_odm_json_to_xml(j, strlen(j), "trunc.json", NULL, NULL, &e);
        CU_ASSERT_PTR_NULL(x);
        free(x);
        CU_ASSERT_EQUAL(e.code, DSJ_E_SYNTAX);
        CU_ASSERT_EQUAL(e.line, 2);
    }
}

static void test_xml_errors(void)
{
    dsj_error_t e;
    char *json;
    const char *bad = "<ODM xmlns=\"" NS13 "\">\n<Study OID=\"S\">\n</Stud>\n</ODM>\n";
    const char *xxe = "<?xml version=\"1.0\"?>\n<!DOCTYPE ODM [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
                      "<ODM xmlns=\"" NS13 "\"><Study OID=\"&x;\"/></ODM>\n";
    dsj_error_clear(&e);
    json = dsj_odm_xml_to_json(bad, strlen(bad), "bad.xml", NULL, NULL, &e);
    CU_ASSERT_PTR_NULL(json);
    CU_ASSERT_EQUAL(e.code, DSJ_E_XML);
    CU_ASSERT_EQUAL(e.line, 3);
    CU_ASSERT_STRING_EQUAL(e.file, "bad.xml");
    free(json);
    /* external entities are never loaded: no /etc/passwd text in the output */
    dsj_error_clear(&e);
    json = dsj_odm_xml_to_json(xxe, strlen(xxe), "xxe.xml", NULL, NULL, &e);
    if (json) CU_ASSERT_PTR_NULL(strstr(json, "root:"));
    free(json);
    /* entity expansion bombs are stopped by the parser's limits (no XML_PARSE_HUGE) */
    {
        static const char lol[] =
            "<?xml version=\"1.0\"?>\n<!DOCTYPE ODM [\n"
            " <!ENTITY a \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\">\n"
            " <!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">\n"
            " <!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">\n"
            " <!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">\n"
            " <!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\">\n"
            " <!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\">\n"
            " <!ENTITY g \"&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;\">\n"
            "]>\n<ODM xmlns=\"" NS13 "\" FileOID=\"&g;\"><Study OID=\"x\">&g;</Study></ODM>\n";
        dsj_error_clear(&e);
        json = dsj_odm_xml_to_json(lol, strlen(lol), "lol.xml", NULL, NULL, &e);
        CU_ASSERT_PTR_NULL(json);
        CU_ASSERT_EQUAL(e.code, DSJ_E_XML);
        free(json);
    }
    dsj_error_clear(&e);
    CU_ASSERT_EQUAL(dsj_odm_xml_file_to_json_file("/nonexistent/x.xml", "/tmp/never.json", NULL, &e), DSJ_E_IO);
}

/* ------------------------------------------------------------------ mixed content */

static void test_mixed_content(void)
{
    const char *doc =
        "<ODM xmlns=\"http://www.cdisc.org/ns/odm/v2.0\" FileOID=\"F\" FileType=\"Snapshot\" ODMVersion=\"2.0\">"
        "<Study OID=\"S\"><Description>"
        "<TranslatedText xml:lang=\"en\" Type=\"application/xhtml+xml\"><div xmlns=\"http://www.w3.org/1999/xhtml\">"
        "<p>One <b>bold</b> &amp; <br/>two</p></div></TranslatedText>"
        "<TranslatedText xml:lang=\"fr\" Type=\"text/plain\">a &lt; b</TranslatedText>"
        "</Description></Study></ODM>";
    char where[1024] = "", *json = NULL;
    CU_ASSERT_TRUE_FATAL(round_trip(doc, strlen(doc), NULL, &json, where, sizeof where));
    CU_ASSERT_PTR_NOT_NULL(strstr(json, "bold</b>"));
    free(json);
}

/* ------------------------------------------------------------------ bulk data */

typedef struct bulk_store {
    char dir[256];
    int writes, reads_uri, reads_item;
    char last_oid[64], last_type[32];
} bulk_store_t;

static char *bw(void *ctx, const char *oid, const char *type, const char *value, size_t len, dsj_error_t *err)
{
    bulk_store_t *b = ctx;
    char name[64], path[400];
    FILE *f;
    (void)err;
    snprintf(name, sizeof name, "v%d.b64", ++b->writes);
    snprintf(path, sizeof path, "%s/%s", b->dir, name);
    f = fopen(path, "wb");
    if (!f) return NULL;
    fwrite(value, 1, len, f);
    fclose(f);
    snprintf(b->last_oid, sizeof b->last_oid, "%s", oid);
    snprintf(b->last_type, sizeof b->last_type, "%s", type);
    return strdup(name);
}

static char *read_file_in(bulk_store_t *b, const char *uri, size_t *len)
{
    char path[400];
    snprintf(path, sizeof path, "%s/%s", b->dir, uri);
    return dsj_test_slurp(path, len);
}

static char *br_uri(void *ctx, const char *uri, size_t *len, dsj_error_t *err)
{
    bulk_store_t *b = ctx;
    (void)err;
    b->reads_uri++;
    return read_file_in(b, uri, len);
}

static char *br_item(void *ctx, const char *uri, const char *oid, const char *type, size_t *len, dsj_error_t *err)
{
    bulk_store_t *b = ctx;
    (void)err;
    b->reads_item++;
    snprintf(b->last_oid, sizeof b->last_oid, "%s", oid);
    snprintf(b->last_type, sizeof b->last_type, "%s", type);
    return read_file_in(b, uri, len);
}

static void test_bulk_data(void)
{
    bulk_store_t b;
    warns_t w = {0};
    dsj_odm_options_t o = mini_opts(&w);
    char *doc, *json, *xml, where[1024] = "";
    size_t i, n = 0, xn = 0, big = 6000, off;
    dsj_error_t e;
    json_object *t;
    memset(&b, 0, sizeof b);
    snprintf(b.dir, sizeof b.dir, "/tmp/dsj-odm-bulk.XXXXXX");
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(b.dir));
    doc = malloc(2 * big + 2000);
    off = (size_t)sprintf(doc, "<ODM xmlns=\"" NS13 "\" FileOID=\"F\"><Study OID=\"S\"><MetaDataVersion OID=\"M\">"
                               "<ItemDef OID=\"IT.IMG\" DataType=\"base64Binary\"/></MetaDataVersion></Study>"
                               "<ClinicalData StudyOID=\"S\"><ItemGroupData ItemGroupOID=\"IG\">"
                               "<ItemData ItemOID=\"IT.IMG\" Value=\"");
    for (i = 0; i < big; i++) doc[off++] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[i % 64];
    off += (size_t)sprintf(doc + off, "\"/><ItemDataBase64Binary ItemOID=\"IT.RAW\">");
    for (i = 0; i < big; i++) doc[off++] = "0123456789abcdefghijklmnopqrstuvwxyz"[i % 36];
    off += (size_t)sprintf(doc + off, "</ItemDataBase64Binary><ItemData ItemOID=\"IT.SMALL\" Value=\"QUJD\"/>"
                                      "</ItemGroupData></ClinicalData></ODM>");
    o.bulk_write = bw;
    o.bulk_ctx = &b;
    dsj_error_clear(&e);
    json = dsj_odm_xml_to_json(doc, off, "bulk.xml", &o, &n, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(json);
    CU_ASSERT_EQUAL(b.writes, 2);
    CU_ASSERT_TRUE(n < 2000);   /* the big values are not inline */
    t = json_tokener_parse(json);
    CU_ASSERT_STRING_EQUAL(json_object_get_string(path_get(t, "ClinicalData/0/ItemGroupData/0/ItemData/0/Value/BulkDataURI")),
                           "v1.b64");
    CU_ASSERT_STRING_EQUAL(json_object_get_string(path_get(t, "ClinicalData/0/ItemGroupData/0/ItemDataBase64Binary/0/_content/BulkDataURI")),
                           "v2.b64");
    CU_ASSERT_STRING_EQUAL(json_object_get_string(path_get(t, "ClinicalData/0/ItemGroupData/0/ItemData/1/Value")), "QUJD");
    json_object_put(t);
    /* back, with the URI-only handler */
    o.bulk_write = NULL;
    o.bulk_read = br_uri;
    xml = dsj_odm_json_to_xml(json, n, "bulk.json", &o, &xn, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(xml);
    CU_ASSERT_EQUAL(b.reads_uri, 2);
    CU_ASSERT_TRUE(docs_equal(doc, off, xml, xn, where, sizeof where));
    free(xml);
    /* back, with the handler that gets ItemOID and data type */
    o.bulk_read = NULL;
    o.bulk_read_item = br_item;
    xml = dsj_odm_json_to_xml(json, n, "bulk.json", &o, &xn, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(xml);
    CU_ASSERT_EQUAL(b.reads_item, 2);
    CU_ASSERT_STRING_EQUAL(b.last_oid, "IT.RAW");
    CU_ASSERT_STRING_EQUAL(b.last_type, "base64Binary");
    CU_ASSERT_TRUE(docs_equal(doc, off, xml, xn, where, sizeof where));
    free(xml);
    /* no handler: a clear error at the pointer */
    o.bulk_read_item = NULL;
    dsj_error_clear(&e);
    xml = dsj_odm_json_to_xml(json, n, "bulk.json", &o, &xn, &e);
    CU_ASSERT_PTR_NULL(xml);
    CU_ASSERT_STRING_EQUAL(e.pointer, "/ClinicalData/0/ItemGroupData/0/ItemData/0/Value/BulkDataURI");
    free(json);
    free(doc);
    {
        char path[400];
        snprintf(path, sizeof path, "%s/v1.b64", b.dir); unlink(path);
        snprintf(path, sizeof path, "%s/v2.b64", b.dir); unlink(path);
        rmdir(b.dir);
    }
}

/* ItemDef/@Origin (ODM) and def:Origin (Define) share the key "Origin": the attribute becomes "@Origin". */
static void test_attribute_child_same_key(void)
{
    const char *doc =
        "<ODM xmlns=\"" NS13 "\" xmlns:def=\"http://www.cdisc.org/ns/def/v2.1\" FileOID=\"F\" FileType=\"Snapshot\""
        " ODMVersion=\"1.3.2\" CreationDateTime=\"2024-01-01T00:00:00\" def:Context=\"Other\"><Study OID=\"S\">"
        "<MetaDataVersion OID=\"M\" Name=\"M\" def:DefineVersion=\"2.1.0\">"
        "<ItemDef OID=\"IT.A\" Name=\"A\" DataType=\"text\" Length=\"8\" Origin=\"CRF page 3\"><def:Origin Type=\"Collected\"/></ItemDef>"
        "</MetaDataVersion></Study></ODM>";
    const char *const *names = dsj_odm_schema_names();
    char where[1024] = "", *json = NULL;
    json_object *t;
    int i, have = 0;
    for (i = 0; names[i]; i++)
        if (!strcmp(names[i], "define-2.1")) have = 1;
    if (!have) { printf("\n  (skipped: no built-in define-2.1 schema table)\n"); return; }
    CU_ASSERT_TRUE_FATAL(round_trip(doc, strlen(doc), NULL, &json, where, sizeof where));
    t = json_tokener_parse(json);
    CU_ASSERT_STRING_EQUAL(json_object_get_string(path_get(t, "Study/0/MetaDataVersion/0/ItemDef/0/@Origin")), "CRF page 3");
    CU_ASSERT_STRING_EQUAL(json_object_get_string(path_get(t, "Study/0/MetaDataVersion/0/ItemDef/0/Origin/0/Type")), "Collected");
    CU_ASSERT_EQUAL(json_object_get_int(path_get(t, "Study/0/MetaDataVersion/0/ItemDef/0/Length")), 8);
    json_object_put(t);
    free(json);
}

/* ------------------------------------------------------------------ shipped files */

static void test_testdata_files(void)
{
    const char *files[] = {TD "fhir-example.xml", TD "RepeatingIG-UC-D-Example.xml", NULL};
    int i;
    for (i = 0; files[i]; i++) {
        size_t n = 0;
        char *xml = dsj_test_slurp(files[i], &n), where[1024] = "";
        CU_ASSERT_PTR_NOT_NULL_FATAL(xml);
        if (!round_trip(xml, n, NULL, NULL, where, sizeof where)) {
            printf("\n  %s: %s\n", files[i], where);
            CU_FAIL("round trip differs");
        }
        free(xml);
    }
}

/* The streamed file API (pretty) and the in-memory API give the same JSON; the pretty text parses. */
static void test_file_api_same_as_memory(void)
{
    const char *in = TD "RepeatingIG-UC-D-Example.xml";
    char out[] = "/tmp/dsj-odm-file.XXXXXX", back[64];
    dsj_odm_options_t o;
    dsj_error_t e;
    size_t n = 0, jn = 0;
    char *xml = dsj_test_slurp(in, &n), *json, *text;
    json_object *a, *b;
    int fd = mkstemp(out);
    CU_ASSERT_FATAL(fd >= 0 && xml != NULL);
    close(fd);
    dsj_odm_options_init(&o);
    o.pretty = 1;
    dsj_error_clear(&e);
    CU_ASSERT_EQUAL_FATAL(dsj_odm_xml_file_to_json_file(in, out, &o, &e), DSJ_OK);
    text = dsj_test_slurp(out, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\n  \"Study\": [\n    {\n"));
    json = dsj_odm_xml_to_json(xml, n, in, NULL, &jn, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(json);
    a = json_tokener_parse(text);
    b = json_tokener_parse(json);
    CU_ASSERT_PTR_NOT_NULL(a);
    CU_ASSERT_TRUE(json_object_equal(a, b));
    /* and the file API back to XML */
    snprintf(back, sizeof back, "%s.xml", out);
    CU_ASSERT_EQUAL(dsj_odm_json_file_to_xml_file(out, back, NULL, &e), DSJ_OK);
    free(text);
    text = dsj_test_slurp(back, &jn);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    {
        char where[1024] = "";
        CU_ASSERT_TRUE(docs_equal(xml, n, text, jn, where, sizeof where));
    }
    unlink(out);
    unlink(back);
    json_object_put(a);
    json_object_put(b);
    free(text);
    free(json);
    free(xml);
}

/* ------------------------------------------------------------------ corpus, file by file */

typedef struct xsd_cache {
    char path[1024];
    xmlSchemaPtr schema;
} xsd_cache_t;
static xsd_cache_t xsds[8];

static xmlSchemaPtr load_xsd(const char *path)
{
    int i;
    xmlSchemaParserCtxtPtr pc;
    for (i = 0; i < 8 && xsds[i].path[0]; i++)
        if (!strcmp(xsds[i].path, path)) return xsds[i].schema;
    if (i == 8) return NULL;
    snprintf(xsds[i].path, sizeof xsds[i].path, "%s", path);
    pc = xmlSchemaNewParserCtxt(path);
    if (pc) {
        xmlSchemaSetParserStructuredErrors(pc, NULL, NULL);
        xsds[i].schema = xmlSchemaParse(pc);
        xmlSchemaFreeParserCtxt(pc);
    }
    return xsds[i].schema;
}

static void quiet_errors(void *ctx, const char *msg, ...) { (void)ctx; (void)msg; }

static int xsd_valid(xmlSchemaPtr s, const char *xml, size_t n)
{
    xmlDocPtr d = parse_xml(xml, n);
    xmlSchemaValidCtxtPtr vc;
    int r = -1;
    if (!d || !s) { xmlFreeDoc(d); return -1; }
    vc = xmlSchemaNewValidCtxt(s);
    xmlSchemaSetValidErrors(vc, quiet_errors, quiet_errors, NULL);
    r = xmlSchemaValidateDoc(vc, d) == 0;
    xmlSchemaFreeValidCtxt(vc);
    xmlFreeDoc(d);
    return r;
}

/* The official XSD a file should validate against, by its namespaces. */
static const char *xsd_for(const char *corpus, const char *xml, char *buf, size_t bn)
{
    const char *rel = NULL;
    int arm = strstr(xml, "http://www.cdisc.org/ns/arm/v1.0") != NULL;
    if (strstr(xml, "http://www.cdisc.org/ns/def/v2.1"))
        rel = arm ? "schemas/define-xml-2.1/cdisc-arm-1.0/arm1-0-0.xsd" : "schemas/define-xml-2.1/cdisc-define-2.1/define2-1-0.xsd";
    else if (strstr(xml, "http://www.cdisc.org/ns/def/v2.0"))
        rel = arm ? "schemas/define-xml-2.0/cdisc-arm-1.0/arm1-0-0.xsd" : "schemas/define-xml-2.0/cdisc-define-2.0/define2-0-0.xsd";
    else if (strstr(xml, "http://www.cdisc.org/ns/Dataset-XML/v1.0"))
        rel = "schemas/dataset-xml-1.0/cdisc-datasetxml-1.0.0/dataset1-0-0.xsd";
    else if (strstr(xml, "http://www.cdisc.org/ns/odm/v2.0"))
        rel = "schemas/odm-2.0/ODM.xsd";
    else if (strstr(xml, "http://www.cdisc.org/ns/odm/v1.3"))
        rel = "schemas/odm-1.3.2-archive/ODM1-3-2.xsd";
    if (!rel) return NULL;
    snprintf(buf, bn, "%s/%s", corpus, rel);
    return buf;
}

static int files_done, files_failed, files_validated;

static void check_corpus_file(const char *corpus, const char *path)
{
    size_t n = 0, jn = 0, xn = 0;
    char *xml = dsj_test_slurp(path, &n), *json = NULL, *back = NULL, where[1024] = "", xbuf[700];
    dsj_error_t e;
    const char *xsd;
    if (!xml) return;
    files_done++;
    dsj_error_clear(&e);
    json = dsj_odm_xml_to_json(xml, n, path, NULL, &jn, &e);
    if (json) back = dsj_odm_json_to_xml(json, jn, path, NULL, &xn, &e);
    if (!back) {
        dsj_error_format(&e, where, sizeof where);
        printf("\n  FAIL %s: %s", path, where);
        files_failed++;
    } else if (!docs_equal(xml, n, back, xn, where, sizeof where)) {
        printf("\n  FAIL %s: round trip differs: %s", path, where);
        files_failed++;
    } else if ((xsd = xsd_for(corpus, xml, xbuf, sizeof xbuf)) != NULL) {
        xmlSchemaPtr s = load_xsd(xsd);
        if (s && xsd_valid(s, xml, n) == 1) {
            files_validated++;
            if (xsd_valid(s, back, xn) != 1) {
                printf("\n  FAIL %s: the original is valid against %s, the round-tripped XML is not", path, xsd);
                files_failed++;
            }
        }
    }
    free(xml);
    free(json);
    free(back);
}

static void walk(const char *corpus, const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    if (!d) return;
    while ((de = readdir(d)) != NULL) {
        char path[2600];
        struct stat st;
        size_t l = strlen(de->d_name);
        if (de->d_name[0] == '.') continue;
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        if (stat(path, &st) != 0) continue;
        if (S_ISDIR(st.st_mode)) walk(corpus, path);
        else if (l > 4 && !strcmp(de->d_name + l - 4, ".xml")) check_corpus_file(corpus, path);
    }
    closedir(d);
}

static void test_corpus_round_trip(void)
{
    const char *c = dsj_test_corpus();
    const char *dirs[] = {"define-xml-examples", "dataset-xml-sas-cst", "odm-v2-examples", "cdisc-datasetjson-examples",
                          "cdiscpilot01-phuse", NULL};
    char dir[2200];
    int i;
    if (!c) { printf("\n  (skipped: corpus not found; set DSJ_CORPUS or place ../shared/corpus)\n"); return; }
    files_done = files_failed = files_validated = 0;
    xmlSetGenericErrorFunc(NULL, quiet_errors);
    for (i = 0; dirs[i]; i++) {
        snprintf(dir, sizeof dir, "%s/%s", c, dirs[i]);
        walk(c, dir);
    }
    printf("\n  corpus: %d XML files round-tripped, %d failed; %d valid originals re-validated\n", files_done,
           files_failed, files_validated);
    CU_ASSERT_TRUE(files_done >= 60);
    CU_ASSERT_TRUE(files_validated >= 60);   /* the schemas loaded: 62 originals are XSD-valid (MANIFEST) */
    CU_ASSERT_EQUAL(files_failed, 0);
    for (i = 0; i < 8; i++) {
        if (xsds[i].schema) xmlSchemaFree(xsds[i].schema);
        xsds[i].schema = NULL;
        xsds[i].path[0] = '\0';
    }
}

/* The official Define-XML 2.1 SDTM example follows the convention (needs the built-in define-2.1 table). */
static void test_define21_convention(void)
{
    char buf[2200];
    const char *path = dsj_test_corpus_file(buf, sizeof buf, "define-xml-examples/v2.1/defineV21-SDTM.xml");
    const char *const *names = dsj_odm_schema_names();
    int have = 0, i;
    size_t n = 0;
    char *xml;
    json_object *t, *ig, *v;
    dsj_error_t e;
    if (!path) return;
    for (i = 0; names[i]; i++)
        if (!strcmp(names[i], "define-2.1")) have = 1;
    if (!have) { printf("\n  (skipped: no built-in define-2.1 schema table yet)\n"); return; }
    xml = dsj_test_slurp(path, &n);
    CU_ASSERT_PTR_NOT_NULL_FATAL(xml);
    dsj_error_clear(&e);
    t = dsj_odm_xml_to_tree(xml, n, path, NULL, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_STRING_EQUAL(json_object_get_string(path_get(t, "_schema")), "define-2.1");
    CU_ASSERT_STRING_EQUAL(json_object_get_string(path_get(t, "Context")), "Other");
    /* ODM 1.3.2 (which Define-XML extends) lets Study and MetaDataVersion repeat: arrays */
    CU_ASSERT_TRUE(json_object_is_type(path_get(t, "Study"), json_type_array));
    ig = path_get(t, "Study/0/MetaDataVersion/0/ItemGroupDef");
    CU_ASSERT_TRUE_FATAL(json_object_is_type(ig, json_type_array));
    for (i = 0; i < (int)json_object_array_length(ig); i++) {
        json_object *g = json_object_array_get_idx(ig, i), *refs;
        CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(g, "ItemRef", &refs));
        CU_ASSERT_TRUE(json_object_is_type(refs, json_type_array));
        CU_ASSERT_TRUE(json_object_is_type(path_get(refs, "0/OrderNumber"), json_type_int));
        CU_ASSERT_TRUE(json_object_is_type(path_get(g, "Description"), json_type_object));
        v = path_get(g, "Description/TranslatedText/0");
        CU_ASSERT_STRING_EQUAL(json_object_get_string(path_get(v, "lang")), "en");
        CU_ASSERT_TRUE(json_object_is_type(path_get(v, "_content"), json_type_string));
        CU_ASSERT_TRUE(json_object_is_type(path_get(g, "Structure"), json_type_string));
    }
    CU_ASSERT_TRUE(json_object_is_type(path_get(t, "Study/0/GlobalVariables"), json_type_object));
    CU_ASSERT_TRUE(json_object_is_type(path_get(t, "Study/0/GlobalVariables/StudyName/_content"), json_type_string));
    /* def:leaf keeps its xlink:href as "href"; def:Class (2.1): arrays, as the XSD lets them repeat */
    CU_ASSERT_TRUE(json_object_is_type(path_get(ig, "0/leaf/0/href"), json_type_string));
    CU_ASSERT_TRUE(json_object_is_type(path_get(ig, "0/Class/0/Name"), json_type_string));
    json_object_put(t);
    free(xml);
}

int main(void)
{
    static const dsj_test_case_t cases[] = {
        {"convention with a hand-written table", test_convention_mini_table},
        {"wrap-root form and json-c tree API", test_wrap_root_and_tree},
        {"JSON errors name the pointer", test_json_errors},
        {"XML errors name the line; no entities", test_xml_errors},
        {"mixed content (XHTML) round trip", test_mixed_content},
        {"bulk data through a folder, both read handlers", test_bulk_data},
        {"attribute and child with one key (@Origin)", test_attribute_child_same_key},
        {"shipped testdata round trip", test_testdata_files},
        {"streamed file API = memory API", test_file_api_same_as_memory},
        {"corpus round trip + XSD, file by file", test_corpus_round_trip},
        {"Define-XML 2.1 SDTM convention spot checks", test_define21_convention},
        {NULL, NULL},
    };
    return dsj_test_run("odm", cases);
}
