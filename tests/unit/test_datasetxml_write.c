/* Unit tests: Dataset-XML 1.0 writer (libdsjson/datasetxml_write.c): exact XML texts for 1.1 and 1.0
 * input, nulls, "", escaping, numbers, booleans, reference data, the define (StudyOID, PriorFileOID,
 * IsReferenceData, DXML-W-* warnings), and bad values (invalid UTF-8, forbidden control characters).
 *
 * The binary doubles as the conversion driver of tests/cli/datasetxml_write.sh:
 *   test_datasetxml_write --convert IN.{json,ndjson,dsjc} OUT.xml [DEFINE.xml]
 * streams IN through a reader into a Dataset-XML writer (exit 0 ok, 1 error). */
#include "test_util.h"

#include <unistd.h>

/* ------------------------------------------------------------ helpers */

/* Findings collected by the last convert(). */
static dsj_findings_t *g_findings;

/* Write the Dataset-JSON text through a Dataset-XML writer into memory.  Returns the XML [owned] free(),
   or NULL with *err filled. */
static char *convert(const char *json, const dsj_define_t *def, dsj_error_t *err)
{
    dsj_dataset_t *ds;
    dsj_writer_options_t o;
    dsj_writer_t *w;
    dsj_sink_t *sink;
    char *out = NULL;
    size_t len;
    dsj_error_clear(err);
    ds = dsj_dataset_from_string(json, strlen(json), NULL, err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ds);
    dsj_findings_clear(g_findings);
    dsj_writer_options_init(&o);
    o.format = DSJ_FORMAT_DATASETXML;
    o.define = def;
    o.on_finding = dsj_findings_add;
    o.finding_ctx = g_findings;
    sink = dsj_sink_new_memory(err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sink);
    w = dsj_writer_new(sink, &o, err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(w);
    if (dsj_dataset_write(ds, w, err) == DSJ_OK) out = dsj_sink_memory_steal(dsj_writer_sink(w), &len);
    dsj_writer_free(w);
    dsj_dataset_free(ds);
    return out;
}

static const dsj_finding_t *find_rule(const char *rule)
{
    size_t i;
    for (i = 0; i < dsj_findings_count(g_findings); i++)
        if (strcmp(dsj_findings_get(g_findings, i)->rule, rule) == 0) return dsj_findings_get(g_findings, i);
    return NULL;
}

static size_t count_rule_prefix(const char *prefix)
{
    size_t i, n = 0;
    for (i = 0; i < dsj_findings_count(g_findings); i++)
        if (strncmp(dsj_findings_get(g_findings, i)->rule, prefix, strlen(prefix)) == 0) n++;
    return n;
}

#define HEAD11 "{\"datasetJSONCreationDateTime\":\"2025-01-02T03:04:05\",\"datasetJSONVersion\":\"1.1.0\","

/* ------------------------------------------------------------ 1.1 input */

static const char *const basic_json =
    HEAD11 "\"fileOID\":\"F.AE\",\"dbLastModifiedDateTime\":\"2025-01-01T00:00:00\",\"originator\":\"Me & Co\","
    "\"sourceSystem\":{\"name\":\"Sys\",\"version\":\"2\"},\"studyOID\":\"S1\",\"metaDataVersionOID\":\"MDV.1\","
    "\"itemGroupOID\":\"IG.AE\",\"records\":3,\"name\":\"AE\",\"label\":\"Adverse Events\",\"columns\":["
    "{\"itemOID\":\"IT.AE.USUBJID\",\"name\":\"USUBJID\",\"label\":\"Subject\",\"dataType\":\"string\",\"length\":8},"
    "{\"itemOID\":\"IT.AE.AESEQ\",\"name\":\"AESEQ\",\"label\":\"Seq\",\"dataType\":\"integer\"},"
    "{\"itemOID\":\"IT.AE.AETERM\",\"name\":\"AETERM\",\"label\":\"Term\",\"dataType\":\"string\"},"
    "{\"itemOID\":\"IT.AE.DOSE\",\"name\":\"DOSE\",\"label\":\"Dose\",\"dataType\":\"decimal\",\"targetDataType\":\"decimal\"},"
    "{\"itemOID\":\"IT.AE.WT\",\"name\":\"WT\",\"label\":\"Weight\",\"dataType\":\"double\"},"
    "{\"itemOID\":\"IT.AE.FL\",\"name\":\"FL\",\"label\":\"Flag\",\"dataType\":\"boolean\"},"
    "{\"itemOID\":\"IT.AE.AESTDTC\",\"name\":\"AESTDTC\",\"label\":\"Start\",\"dataType\":\"date\"}],"
    "\"rows\":["
    "[\"S-001\",1,\"HEADACHE <mild> & \\\"bad\\\"\",\"1.50\",70.25,true,\"2024-01-02\"],"
    "[\"S-001\",2,\"tab\\there\\nline\\r\",\"0.000\",1e3,false,null],"
    "[\"S-é€😀\",3,\"\",null,-0.5,null,\"2024\"]]}";

static const char *const basic_xml =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<ODM\n"
    "xmlns=\"http://www.cdisc.org/ns/odm/v1.3\"\n"
    "xmlns:data=\"http://www.cdisc.org/ns/Dataset-XML/v1.0\"\n"
    "ODMVersion=\"1.3.2\"\n"
    "FileType=\"Snapshot\"\n"
    "FileOID=\"F.AE\"\n"
    "CreationDateTime=\"2020-09-13T12:26:40Z\"\n"
    "AsOfDateTime=\"2025-01-01T00:00:00\"\n"
    "Originator=\"Me &amp; Co\"\n"
    "SourceSystem=\"Sys\"\n"
    "SourceSystemVersion=\"2\"\n"
    "data:DatasetXMLVersion=\"1.0.0\">\n"
    "<ClinicalData StudyOID=\"S1\" MetaDataVersionOID=\"MDV.1\">\n"
    "<ItemGroupData ItemGroupOID=\"IG.AE\" data:ItemGroupDataSeq=\"1\">\n"
    "<ItemData ItemOID=\"IT.AE.USUBJID\" Value=\"S-001\"/>\n"
    "<ItemData ItemOID=\"IT.AE.AESEQ\" Value=\"1\"/>\n"
    "<ItemData ItemOID=\"IT.AE.AETERM\" Value=\"HEADACHE &lt;mild&gt; &amp; &quot;bad&quot;\"/>\n"
    "<ItemData ItemOID=\"IT.AE.DOSE\" Value=\"1.50\"/>\n"
    "<ItemData ItemOID=\"IT.AE.WT\" Value=\"70.25\"/>\n"
    "<ItemData ItemOID=\"IT.AE.FL\" Value=\"true\"/>\n"
    "<ItemData ItemOID=\"IT.AE.AESTDTC\" Value=\"2024-01-02\"/>\n"
    "</ItemGroupData>\n"
    "<ItemGroupData ItemGroupOID=\"IG.AE\" data:ItemGroupDataSeq=\"2\">\n"
    "<ItemData ItemOID=\"IT.AE.USUBJID\" Value=\"S-001\"/>\n"
    "<ItemData ItemOID=\"IT.AE.AESEQ\" Value=\"2\"/>\n"
    "<ItemData ItemOID=\"IT.AE.AETERM\" Value=\"tab&#9;here&#10;line&#13;\"/>\n"
    "<ItemData ItemOID=\"IT.AE.DOSE\" Value=\"0.000\"/>\n"
    "<ItemData ItemOID=\"IT.AE.WT\" Value=\"1e3\"/>\n"
    "<ItemData ItemOID=\"IT.AE.FL\" Value=\"false\"/>\n"
    "</ItemGroupData>\n"
    "<ItemGroupData ItemGroupOID=\"IG.AE\" data:ItemGroupDataSeq=\"3\">\n"
    "<ItemData ItemOID=\"IT.AE.USUBJID\" Value=\"S-é€😀\"/>\n"
    "<ItemData ItemOID=\"IT.AE.AESEQ\" Value=\"3\"/>\n"
    "<ItemData ItemOID=\"IT.AE.AETERM\" Value=\"\"/>\n"
    "<ItemData ItemOID=\"IT.AE.WT\" Value=\"-0.5\"/>\n"
    "<ItemData ItemOID=\"IT.AE.AESTDTC\" Value=\"2024\"/>\n"
    "</ItemGroupData>\n"
    "</ClinicalData>\n"
    "</ODM>\n";

static void test_basic_11(void)
{
    dsj_error_t e;
    char *x = convert(basic_json, NULL, &e);
    if (!x) printf("\n  error: %s\n", e.text);
    CU_ASSERT_PTR_NOT_NULL_FATAL(x);
    CU_ASSERT_STRING_EQUAL(x, basic_xml);
    if (strcmp(x, basic_xml) != 0) printf("\n--- got:\n%s", x);
    CU_ASSERT_EQUAL(dsj_findings_count(g_findings), 0);
    free(x);
}

/* No fileOID: derived from studyOID and name; no dbLastModifiedDateTime, originator or sourceSystem: omitted;
   no rows: an empty ClinicalData. */
static void test_minimal_no_rows(void)
{
    static const char *const json =
        HEAD11 "\"studyOID\":\"S1\",\"metaDataVersionOID\":\"MDV.1\",\"itemGroupOID\":\"IG.DM\",\"records\":0,"
        "\"name\":\"DM\",\"label\":\"Demographics\",\"columns\":[{\"itemOID\":\"IT.DM.AGE\",\"name\":\"AGE\","
        "\"label\":\"Age\",\"dataType\":\"integer\"}],\"rows\":[]}";
    static const char *const want =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ODM\nxmlns=\"http://www.cdisc.org/ns/odm/v1.3\"\n"
        "xmlns:data=\"http://www.cdisc.org/ns/Dataset-XML/v1.0\"\nODMVersion=\"1.3.2\"\nFileType=\"Snapshot\"\n"
        "FileOID=\"S1.DM\"\nCreationDateTime=\"2020-09-13T12:26:40Z\"\ndata:DatasetXMLVersion=\"1.0.0\">\n"
        "<ClinicalData StudyOID=\"S1\" MetaDataVersionOID=\"MDV.1\">\n</ClinicalData>\n</ODM>\n";
    dsj_error_t e;
    char *x = convert(json, NULL, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(x);
    CU_ASSERT_STRING_EQUAL(x, want);
    free(x);
}

/* Root attributes the library does not model: "isReferenceData": true gives ReferenceData; others are
   reported (DXML-W-EXTRA) and not written. */
static void test_extras(void)
{
    static const char *const json =
        HEAD11 "\"studyOID\":\"S1\",\"metaDataVersionOID\":\"MDV.1\",\"itemGroupOID\":\"IG.TS\",\"isReferenceData\":true,"
        "\"vendorX\":{\"a\":1},\"records\":1,\"name\":\"TS\",\"label\":\"TS\",\"columns\":[{\"itemOID\":\"IT.TS.A\","
        "\"name\":\"A\",\"label\":\"A\",\"dataType\":\"string\"}],\"rows\":[[\"x\"]]}";
    const dsj_finding_t *f;
    dsj_error_t e;
    char *x = convert(json, NULL, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(x);
    CU_ASSERT_PTR_NOT_NULL(strstr(x, "\n<ReferenceData StudyOID=\"S1\" MetaDataVersionOID=\"MDV.1\">\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(x, "</ReferenceData>\n</ODM>\n"));
    CU_ASSERT_PTR_NULL(strstr(x, "vendorX"));
    f = find_rule("DXML-W-EXTRA");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_STRING_EQUAL(f->pointer, "/vendorX");
    CU_ASSERT_EQUAL(count_rule_prefix("DXML-"), 1);
    free(x);
}

/* A dbLastModifiedDateTime without seconds cannot be an xs:dateTime: AsOfDateTime is omitted, with a warning. */
static void test_asof_partial(void)
{
    static const char *const json =
        HEAD11 "\"dbLastModifiedDateTime\":\"2025-01-01T10:00\",\"studyOID\":\"S1\",\"metaDataVersionOID\":\"M\","
        "\"itemGroupOID\":\"IG.X\",\"records\":0,\"name\":\"X\",\"label\":\"X\",\"columns\":[{\"itemOID\":\"IT.X.A\","
        "\"name\":\"A\",\"label\":\"A\",\"dataType\":\"string\"}],\"rows\":[]}";
    dsj_error_t e;
    char *x = convert(json, NULL, &e);
    if (!x) printf("\n  error: %s\n", e.text);
    CU_ASSERT_PTR_NOT_NULL_FATAL(x);
    CU_ASSERT_PTR_NULL(strstr(x, "AsOfDateTime"));
    CU_ASSERT_PTR_NOT_NULL(find_rule("DXML-W-ASOF"));
    free(x);
}

/* ------------------------------------------------------------ 1.0 input */

static void test_v10_reference_data(void)
{
    static const char *const json =
        "{\"creationDateTime\":\"2023-01-02T03:04:05\",\"datasetJSONVersion\":\"1.0.0\",\"fileOID\":\"F.TA\","
        "\"asOfDateTime\":\"2023-01-01T10:00:00\",\"originator\":\"O\",\"sourceSystem\":\"SAS\","
        "\"sourceSystemVersion\":\"9.4\",\"referenceData\":{\"studyOID\":\"S1\",\"metaDataVersionOID\":\"MDV.1\","
        "\"itemGroupData\":{\"IG.TA\":{\"records\":2,\"name\":\"TA\",\"label\":\"Trial Arms\",\"items\":["
        "{\"OID\":\"ITEMGROUPDATASEQ\",\"name\":\"ITEMGROUPDATASEQ\",\"label\":\"Record identifier\",\"type\":\"integer\"},"
        "{\"OID\":\"IT.TA.ARMCD\",\"name\":\"ARMCD\",\"label\":\"Arm Code\",\"type\":\"string\",\"length\":8},"
        "{\"OID\":\"IT.TA.TAETORD\",\"name\":\"TAETORD\",\"label\":\"Order\",\"type\":\"integer\"},"
        "{\"OID\":\"IT.TA.W\",\"name\":\"W\",\"label\":\"Weight\",\"type\":\"float\"}],"
        "\"itemData\":[[1,\"PBO\",1,1.25],[2,\"A&B\",null,2]]}}}}";
    static const char *const want =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ODM\nxmlns=\"http://www.cdisc.org/ns/odm/v1.3\"\n"
        "xmlns:data=\"http://www.cdisc.org/ns/Dataset-XML/v1.0\"\nODMVersion=\"1.3.2\"\nFileType=\"Snapshot\"\n"
        "FileOID=\"F.TA\"\nCreationDateTime=\"2020-09-13T12:26:40Z\"\nAsOfDateTime=\"2023-01-01T10:00:00\"\n"
        "Originator=\"O\"\nSourceSystem=\"SAS\"\nSourceSystemVersion=\"9.4\"\ndata:DatasetXMLVersion=\"1.0.0\">\n"
        "<ReferenceData StudyOID=\"S1\" MetaDataVersionOID=\"MDV.1\">\n"
        "<ItemGroupData ItemGroupOID=\"IG.TA\" data:ItemGroupDataSeq=\"1\">\n"
        "<ItemData ItemOID=\"IT.TA.ARMCD\" Value=\"PBO\"/>\n"
        "<ItemData ItemOID=\"IT.TA.TAETORD\" Value=\"1\"/>\n"
        "<ItemData ItemOID=\"IT.TA.W\" Value=\"1.25\"/>\n"
        "</ItemGroupData>\n"
        "<ItemGroupData ItemGroupOID=\"IG.TA\" data:ItemGroupDataSeq=\"2\">\n"
        "<ItemData ItemOID=\"IT.TA.ARMCD\" Value=\"A&amp;B\"/>\n"
        "<ItemData ItemOID=\"IT.TA.W\" Value=\"2\"/>\n"
        "</ItemGroupData>\n"
        "</ReferenceData>\n</ODM>\n";
    dsj_error_t e;
    char *x = convert(json, NULL, &e);
    if (!x) printf("\n  error: %s\n", e.text);
    CU_ASSERT_PTR_NOT_NULL_FATAL(x);
    CU_ASSERT_STRING_EQUAL(x, want);
    if (strcmp(x, want) != 0) printf("\n--- got:\n%s", x);
    /* both are carried to Dataset-XML: no 1.0 -> 1.1 "dropped" warning for them */
    {
        size_t i;
        for (i = 0; i < dsj_findings_count(g_findings); i++) {
            const dsj_finding_t *f = dsj_findings_get(g_findings, i);
            CU_ASSERT_FALSE(f->pointer && (!strcmp(f->pointer, "/referenceData") || !strcmp(f->pointer, "/asOfDateTime")));
        }
    }
    free(x);
}

/* ------------------------------------------------------------ with a define */

static const char *const mini_define =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<ODM xmlns=\"http://www.cdisc.org/ns/odm/v1.3\" xmlns:def=\"http://www.cdisc.org/ns/def/v2.1\""
    " ODMVersion=\"1.3.2\" FileType=\"Snapshot\" FileOID=\"DEF.FILE.1\" CreationDateTime=\"2024-01-01T00:00:00\">\n"
    "<Study OID=\"STUDY.X\"><GlobalVariables><StudyName>X</StudyName><StudyDescription>X</StudyDescription>"
    "<ProtocolName>X</ProtocolName></GlobalVariables>\n"
    "<MetaDataVersion OID=\"MDV.X\" Name=\"M\" def:DefineVersion=\"2.1.0\">\n"
    "<ItemGroupDef OID=\"IG.TS\" Name=\"TS\" SASDatasetName=\"TS\" Repeating=\"No\" IsReferenceData=\"Yes\""
    " Purpose=\"Tabulation\" def:Structure=\"x\" def:ArchiveLocationID=\"LF.TS\">"
    "<Description><TranslatedText xml:lang=\"en\">Trial Summary</TranslatedText></Description>\n"
    "<ItemRef ItemOID=\"IT.TS.TSPARMCD\" Mandatory=\"Yes\" OrderNumber=\"1\"/>\n"
    "<ItemRef ItemOID=\"IT.TS.TSVAL\" Mandatory=\"No\" OrderNumber=\"2\"/>\n"
    "</ItemGroupDef>\n"
    "<ItemDef OID=\"IT.TS.TSPARMCD\" Name=\"TSPARMCD\" DataType=\"text\" Length=\"8\">"
    "<Description><TranslatedText xml:lang=\"en\">Parameter</TranslatedText></Description></ItemDef>\n"
    "<ItemDef OID=\"IT.TS.TSVAL\" Name=\"TSVAL\" DataType=\"text\" Length=\"200\">"
    "<Description><TranslatedText xml:lang=\"en\">Value</TranslatedText></Description></ItemDef>\n"
    "</MetaDataVersion></Study></ODM>\n";

static dsj_define_t *load_mini_define(void)
{
    dsj_error_t e;
    dsj_define_t *d;
    dsj_error_clear(&e);
    d = dsj_define_load_memory(mini_define, strlen(mini_define), "mini-define.xml", &e);
    if (!d) printf("\n  define: %s\n", e.text);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    return d;
}

/* TS without studyOID/metaDataVersionOID/fileOID: StudyOID, MetaDataVersionOID and PriorFileOID from the
   define, ReferenceData from IsReferenceData="Yes"; TSVAL's itemOID is not in the ItemGroupDef (warning). */
static const char *const ts_json =
    HEAD11 "\"itemGroupOID\":\"IG.TS\",\"records\":1,\"name\":\"TS\",\"label\":\"Trial Summary\",\"columns\":["
    "{\"itemOID\":\"IT.TS.TSPARMCD\",\"name\":\"TSPARMCD\",\"label\":\"Parameter\",\"dataType\":\"string\"},"
    "{\"itemOID\":\"IT.TS.VALUE\",\"name\":\"TSVAL\",\"label\":\"Value\",\"dataType\":\"string\"}],"
    "\"rows\":[[\"AGEMIN\",\"18\"]]}";

static void test_define_fills_oids(void)
{
    static const char *const want =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ODM\nxmlns=\"http://www.cdisc.org/ns/odm/v1.3\"\n"
        "xmlns:data=\"http://www.cdisc.org/ns/Dataset-XML/v1.0\"\nODMVersion=\"1.3.2\"\nFileType=\"Snapshot\"\n"
        "FileOID=\"STUDY.X.TS\"\nPriorFileOID=\"DEF.FILE.1\"\nCreationDateTime=\"2020-09-13T12:26:40Z\"\n"
        "data:DatasetXMLVersion=\"1.0.0\">\n"
        "<ReferenceData StudyOID=\"STUDY.X\" MetaDataVersionOID=\"MDV.X\">\n"
        "<ItemGroupData ItemGroupOID=\"IG.TS\" data:ItemGroupDataSeq=\"1\">\n"
        "<ItemData ItemOID=\"IT.TS.TSPARMCD\" Value=\"AGEMIN\"/>\n"
        "<ItemData ItemOID=\"IT.TS.VALUE\" Value=\"18\"/>\n"
        "</ItemGroupData>\n</ReferenceData>\n</ODM>\n";
    dsj_define_t *d = load_mini_define();
    const dsj_finding_t *f;
    dsj_error_t e;
    char *x = convert(ts_json, d, &e);
    if (!x) printf("\n  error: %s\n", e.text);
    CU_ASSERT_PTR_NOT_NULL_FATAL(x);
    CU_ASSERT_STRING_EQUAL(x, want);
    if (strcmp(x, want) != 0) printf("\n--- got:\n%s", x);
    f = find_rule("DXML-W-ITEMOID");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_EQUAL(f->severity, DSJ_SEV_WARNING);
    CU_ASSERT_STRING_EQUAL(f->column_name, "TSVAL");
    CU_ASSERT_STRING_EQUAL(f->pointer, "/columns/1/itemOID");
    CU_ASSERT_PTR_NOT_NULL(strstr(f->message, "IT.TS.VALUE"));
    CU_ASSERT_EQUAL(count_rule_prefix("DXML-"), 1);
    free(x);
    dsj_define_free(d);
}

/* The dataset's own OIDs win over the define's, with a warning each; an unknown ItemGroupOID is a warning. */
static void test_define_mismatches(void)
{
    static const char *const json =
        HEAD11 "\"studyOID\":\"OTHER\",\"metaDataVersionOID\":\"MDV.OTHER\",\"itemGroupOID\":\"IG.XX\","
        "\"records\":1,\"name\":\"XX\",\"label\":\"X\",\"columns\":[{\"itemOID\":\"IT.XX.A\",\"name\":\"A\","
        "\"label\":\"A\",\"dataType\":\"string\"}],\"rows\":[[\"v\"]]}";
    dsj_define_t *d = load_mini_define();
    dsj_error_t e;
    char *x = convert(json, d, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(x);
    CU_ASSERT_PTR_NOT_NULL(strstr(x, "<ClinicalData StudyOID=\"OTHER\" MetaDataVersionOID=\"MDV.OTHER\">\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(x, "PriorFileOID=\"DEF.FILE.1\"\n"));
    CU_ASSERT_PTR_NOT_NULL(find_rule("DXML-W-STUDYOID"));
    CU_ASSERT_PTR_NOT_NULL(find_rule("DXML-W-MDVOID"));
    CU_ASSERT_PTR_NOT_NULL(find_rule("DXML-W-ITEMGROUP"));
    CU_ASSERT_PTR_NULL(find_rule("DXML-W-ITEMOID")); /* no ItemGroupDef to check the columns against */
    free(x);
    dsj_define_free(d);
}

static void test_missing_study_oid(void)
{
    dsj_error_t e;
    char *x = convert(ts_json, NULL, &e);
    CU_ASSERT_PTR_NULL(x);
    CU_ASSERT_EQUAL(e.code, DSJ_E_ARG);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "StudyOID"));
    CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "studyOID"));
    CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "--define"));
    free(x);
}

/* ------------------------------------------------------------ bad values */

/* Rows written cell by cell (the JSON reader would refuse these bytes itself). */
static dsj_status_t write_bad(const char *value, size_t len, const char *path, dsj_error_t *err)
{
    static const char *const json =
        HEAD11 "\"studyOID\":\"S\",\"metaDataVersionOID\":\"M\",\"itemGroupOID\":\"IG.X\",\"name\":\"X\","
        "\"label\":\"X\",\"columns\":[{\"itemOID\":\"IT.X.A\",\"name\":\"A\",\"label\":\"A\",\"dataType\":\"string\"},"
        "{\"itemOID\":\"IT.X.B\",\"name\":\"B\",\"label\":\"B\",\"dataType\":\"string\"}],\"rows\":[]}";
    dsj_dataset_t *ds = dsj_dataset_from_string(json, strlen(json), NULL, err);
    dsj_writer_options_t o;
    dsj_writer_t *w;
    dsj_status_t st;
    dsj_sink_t *sink = dsj_sink_new_path(path, err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ds);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sink);
    dsj_meta_unset_records(dsj_dataset_meta_mut(ds));
    dsj_writer_options_init(&o);
    o.format = DSJ_FORMAT_DATASETXML;
    w = dsj_writer_new(sink, &o, err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(w);
    st = dsj_writer_begin(w, dsj_dataset_meta(ds), err);
    if (st == DSJ_OK) st = dsj_writer_row_begin(w, err);
    if (st == DSJ_OK) st = dsj_writer_put_string(w, "ok", 2, err);
    if (st == DSJ_OK) st = dsj_writer_put_string(w, "fine", 4, err);
    if (st == DSJ_OK) st = dsj_writer_row_end(w, err);
    if (st == DSJ_OK) st = dsj_writer_row_begin(w, err);
    if (st == DSJ_OK) st = dsj_writer_put_null(w, err);
    if (st == DSJ_OK) st = dsj_writer_put_string(w, value, len, err);
    if (st == DSJ_OK) st = dsj_writer_row_end(w, err);
    if (st == DSJ_OK) st = dsj_writer_end(w, err);
    dsj_writer_free(w);
    dsj_dataset_free(ds);
    return st;
}

static void expect_bad(const char *value, size_t len, const char *needle)
{
    char path[] = "/tmp/dxmlw-test-XXXXXX";
    char out[64];
    dsj_error_t e;
    dsj_status_t st;
    int fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    close(fd);
    unlink(path);
    snprintf(out, sizeof out, "%s.xml", path);
    dsj_error_clear(&e);
    st = write_bad(value, len, out, &e);
    CU_ASSERT_EQUAL(st, DSJ_E_ENCODING);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "row 2, column B"));
    CU_ASSERT_PTR_NOT_NULL(strstr(e.text, needle));
    if (!strstr(e.text, needle)) printf("\n  message: %s\n", e.text);
    CU_ASSERT_STRING_EQUAL(e.pointer, "/rows/1/1");
    CU_ASSERT_EQUAL(access(out, F_OK), -1); /* abandoned: nothing left behind */
}

static void test_bad_values(void)
{
    char path[] = "/tmp/dxmlw-test-XXXXXX";
    char out[64];
    dsj_error_t e;
    int fd;
    expect_bad("a\xff" "b", 3, "invalid UTF-8 at byte 1");
    expect_bad("x\xc3", 2, "invalid UTF-8 at byte 1");              /* truncated sequence */
    expect_bad("\xed\xa0\x80", 3, "invalid UTF-8 at byte 0");        /* a surrogate */
    expect_bad("\xc0\xaf", 2, "invalid UTF-8 at byte 0");            /* overlong */
    expect_bad("bell\x07", 5, "U+0007 (byte 4 of the value) is not allowed in XML 1.0");
    expect_bad("nul\0x", 5, "U+0000");
    expect_bad("\xef\xbf\xbf", 3, "U+FFFF");
    /* the same writer path with a good value commits the file */
    fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    close(fd);
    unlink(path);
    snprintf(out, sizeof out, "%s.xml", path);
    CU_ASSERT_EQUAL(write_bad("\x7f ok \xc2\x85", 7, out, &e), DSJ_OK);
    CU_ASSERT_EQUAL(access(out, F_OK), 0);
    unlink(out);
}

/* More than the 64 KiB buffer in one value and across rows: the output is complete and in order. */
static void test_large_values(void)
{
    size_t n = 200000, i, len;
    char *big = malloc(n + 1), *json, *x, *p;
    dsj_error_t e;
    CU_ASSERT_PTR_NOT_NULL_FATAL(big);
    for (i = 0; i < n; i++) big[i] = (char)('a' + i % 26);
    big[n / 2] = '&';
    big[n] = '\0';
    len = n + 1000;
    json = malloc(len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(json);
    snprintf(json, len,
             HEAD11 "\"studyOID\":\"S\",\"metaDataVersionOID\":\"M\",\"itemGroupOID\":\"IG.X\",\"name\":\"X\","
             "\"label\":\"X\",\"columns\":[{\"itemOID\":\"IT.X.A\",\"name\":\"A\",\"label\":\"A\","
             "\"dataType\":\"string\"}],\"rows\":[[\"%s\"],[\"end\"]]}", big);
    x = convert(json, NULL, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(x);
    p = strstr(x, "data:ItemGroupDataSeq=\"1\">\n<ItemData ItemOID=\"IT.X.A\" Value=\"abc");
    CU_ASSERT_PTR_NOT_NULL(p);
    CU_ASSERT_EQUAL(strlen(x) > n + 4, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(x, "&amp;"));
    CU_ASSERT_PTR_NOT_NULL(strstr(x, "Value=\"end\"/>\n</ItemGroupData>\n</ClinicalData>\n</ODM>\n"));
    free(x);
    free(json);
    free(big);
}

/* ------------------------------------------------------------ driver */

static int drive(const char *in, const char *out, const char *define_path)
{
    dsj_error_t e;
    dsj_reader_t *r;
    dsj_writer_t *w = NULL;
    dsj_sink_t *sink;
    dsj_define_t *def = NULL;
    dsj_writer_options_t o;
    const dsj_row_t *row;
    dsj_status_t st;
    dsj_findings_t *fl = dsj_findings_new(100);
    char msg[1200];
    size_t i;
    dsj_error_clear(&e);
    if (define_path && !(def = dsj_define_load(define_path, &e))) goto fail;
    if (!(r = dsj_reader_open(in, NULL, &e))) goto fail;
    if (!(sink = dsj_sink_new_path(out, &e))) { dsj_reader_free(r); goto fail; }
    dsj_writer_options_init(&o);
    o.format = DSJ_FORMAT_DATASETXML;
    o.define = def;
    o.on_finding = dsj_findings_add;
    o.finding_ctx = fl;
    if (!(w = dsj_writer_new(sink, &o, &e))) { dsj_reader_free(r); goto fail; }
    st = dsj_writer_begin(w, dsj_reader_meta(r), &e);
    while (st == DSJ_OK && (st = dsj_reader_next(r, &row, &e)) == DSJ_ROW) st = dsj_writer_write_row(w, row, &e);
    if (st == DSJ_DONE) st = dsj_writer_end(w, &e);
    dsj_reader_free(r);
    dsj_writer_free(w);
    for (i = 0; i < dsj_findings_count(fl); i++) dsj_finding_print(stderr, dsj_findings_get(fl, i));
    if (st != DSJ_OK) goto fail;
    dsj_findings_free(fl);
    dsj_define_free(def);
    return 0;
fail:
    fprintf(stderr, "%s\n", dsj_error_format(&e, msg, sizeof msg));
    dsj_findings_free(fl);
    dsj_define_free(def);
    return 1;
}

int main(int argc, char **argv)
{
    static const dsj_test_case_t cases[] = {
        {"1.1 input: nulls, \"\", escaping, numbers, booleans, dates", test_basic_11},
        {"no fileOID (derived), optional attributes absent, no rows", test_minimal_no_rows},
        {"extras: isReferenceData true, others reported", test_extras},
        {"partial dbLastModifiedDateTime: AsOfDateTime omitted", test_asof_partial},
        {"1.0 input: referenceData, asOfDateTime, ITEMGROUPDATASEQ dropped", test_v10_reference_data},
        {"define: StudyOID, MDV, PriorFileOID, IsReferenceData, DXML-W-ITEMOID", test_define_fills_oids},
        {"define: OID mismatches are warnings", test_define_mismatches},
        {"no studyOID and no define: clear error", test_missing_study_oid},
        {"bad UTF-8 and forbidden characters: error naming row and column, no file", test_bad_values},
        {"values larger than the output buffer", test_large_values},
        {NULL, NULL}};
    int rc;
    if (argc >= 4 && strcmp(argv[1], "--convert") == 0) return drive(argv[2], argv[3], argc >= 5 ? argv[4] : NULL);
    setenv("SOURCE_DATE_EPOCH", "1600000000", 1);
    g_findings = dsj_findings_new(0);
    rc = dsj_test_run("datasetxml_write", cases);
    dsj_findings_free(g_findings);
    return rc;
}
