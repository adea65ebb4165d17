/*
 * libFuzzer harness: Dataset-XML 1.0 input.  A small Define-XML 2.1 (one
 * ItemGroupDef IG.DM with text, integer, float, date, datetime and time
 * items) is loaded once; each input is read as Dataset-XML with it
 * (dsj_reader_new, format DSJ_FORMAT_DATASETXML), every row touched, and the
 * rows written to Dataset-JSON NDJSON in memory.
 */
#include "fuzz_common.h"

static const char define_xml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<ODM xmlns=\"http://www.cdisc.org/ns/odm/v1.3\" xmlns:def=\"http://www.cdisc.org/ns/def/v2.1\""
    " FileType=\"Snapshot\" FileOID=\"DEF.F\" ODMVersion=\"1.3.2\" CreationDateTime=\"2024-01-01T00:00:00\">\n"
    "<Study OID=\"ST.F\"><GlobalVariables><StudyName>F</StudyName><StudyDescription>F</StudyDescription>"
    "<ProtocolName>F</ProtocolName></GlobalVariables>\n"
    "<MetaDataVersion OID=\"MDV.F\" Name=\"F\" def:DefineVersion=\"2.1.0\">\n"
    "<ItemGroupDef OID=\"IG.DM\" Name=\"DM\" SASDatasetName=\"DM\" Repeating=\"No\" IsReferenceData=\"No\""
    " Purpose=\"Tabulation\" Domain=\"DM\" def:Structure=\"One record per subject\">"
    "<Description><TranslatedText xml:lang=\"en\">Demographics</TranslatedText></Description>\n"
    "<ItemRef ItemOID=\"IT.STUDYID\" OrderNumber=\"1\" Mandatory=\"Yes\" KeySequence=\"1\"/>\n"
    "<ItemRef ItemOID=\"IT.USUBJID\" OrderNumber=\"2\" Mandatory=\"Yes\" KeySequence=\"2\"/>\n"
    "<ItemRef ItemOID=\"IT.AGE\" OrderNumber=\"3\" Mandatory=\"No\"/>\n"
    "<ItemRef ItemOID=\"IT.HEIGHT\" OrderNumber=\"4\" Mandatory=\"No\"/>\n"
    "<ItemRef ItemOID=\"IT.BRTHDTC\" OrderNumber=\"5\" Mandatory=\"No\"/>\n"
    "<ItemRef ItemOID=\"IT.RFSTDTC\" OrderNumber=\"6\" Mandatory=\"No\"/>\n"
    "<ItemRef ItemOID=\"IT.TM\" OrderNumber=\"7\" Mandatory=\"No\"/>\n"
    "</ItemGroupDef>\n"
    "<ItemDef OID=\"IT.STUDYID\" Name=\"STUDYID\" DataType=\"text\" Length=\"8\"><Description><TranslatedText>Study</TranslatedText></Description></ItemDef>\n"
    "<ItemDef OID=\"IT.USUBJID\" Name=\"USUBJID\" DataType=\"text\" Length=\"20\"><Description><TranslatedText>Subject</TranslatedText></Description></ItemDef>\n"
    "<ItemDef OID=\"IT.AGE\" Name=\"AGE\" DataType=\"integer\" Length=\"3\"><Description><TranslatedText>Age</TranslatedText></Description></ItemDef>\n"
    "<ItemDef OID=\"IT.HEIGHT\" Name=\"HEIGHT\" DataType=\"float\" Length=\"8\" SignificantDigits=\"2\"><Description><TranslatedText>Height</TranslatedText></Description></ItemDef>\n"
    "<ItemDef OID=\"IT.BRTHDTC\" Name=\"BRTHDTC\" DataType=\"date\"><Description><TranslatedText>Birth</TranslatedText></Description></ItemDef>\n"
    "<ItemDef OID=\"IT.RFSTDTC\" Name=\"RFSTDTC\" DataType=\"datetime\"><Description><TranslatedText>Start</TranslatedText></Description></ItemDef>\n"
    "<ItemDef OID=\"IT.TM\" Name=\"TM\" DataType=\"time\"><Description><TranslatedText>Time</TranslatedText></Description></ItemDef>\n"
    "</MetaDataVersion></Study></ODM>\n";

static dsj_define_t *def;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    dsj_error_t err;
    (void)argc;
    (void)argv;
    def = dsj_define_load_memory(define_xml, sizeof define_xml - 1, "fuzz-define.xml", &err);
    if (!def) abort(); /* the built-in define must load */
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dsj_reader_options_t ro;
    dsj_error_t err;
    dsj_reader_t *r;
    size_t nfind = 0;
    dsj_reader_options_init(&ro);
    ro.format = DSJ_FORMAT_DATASETXML;
    ro.define = def;
    ro.on_finding = fuzz_on_finding;
    ro.finding_ctx = &nfind;
    r = dsj_reader_new(dsj_source_new_memory(data, size, "fuzz-dm.xml", &err), &ro, &err);
    if (r) {
        const dsj_meta_t *meta = dsj_reader_meta(r);
        dsj_writer_options_t wo;
        dsj_writer_t *w;
        dsj_writer_options_init(&wo);
        wo.format = DSJ_FORMAT_NDJSON;
        w = dsj_writer_new(dsj_sink_new_memory(&err), &wo, &err);
        if (w && dsj_writer_begin(w, meta, &err) == DSJ_OK) {
            const dsj_row_t *row;
            size_t width = dsj_meta_ncolumns(meta);
            while (dsj_reader_next(r, &row, &err) == DSJ_ROW) {
                nfind += fuzz_touch_row(row);
                if (row->ncells == width) (void)dsj_writer_write_row(w, row, &err);
            }
            (void)dsj_writer_end(w, &err);
        }
        dsj_writer_free(w);
        dsj_reader_free(r);
    }
    return 0;
}
