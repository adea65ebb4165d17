/* dsjson info: metadata summary of one dataset (reads the metadata only). */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char info_help[] =
    "usage: dsjson info [--format text|json] FILE\n"
    "\n"
    "Print the metadata of a Dataset-JSON file (1.0 or 1.1; .json, .ndjson or\n"
    ".dsjc, detected from the content): version, format, name, label,\n"
    "itemGroupOID, study and metadata-version OIDs, records, creation time and a\n"
    "table of the columns.  Only the metadata is read, not the rows.\n"
    "\n"
    "options:\n"
    "  --format text|json  output as aligned text (default) or one JSON document\n"
    "  -h, --help          show this help\n"
    "\n"
    "Exit status: 0 success, 2 usage error or unreadable input.\n";

enum { OPT_HELP = 1, OPT_FORMAT };

static const cli_option_t info_opts[] = {
    {"help", 'h', 0, OPT_HELP},
    {"format", 0, 1, OPT_FORMAT},
    {NULL, 0, 0, 0},
};

/* ---------------------------------------------------------------- text */

static const char *or_dash(const char *s) { return (s && *s) ? s : "-"; }

static void text_attr(const char *label, const char *value)
{
    printf("%-24s %s\n", label, or_dash(value));
}

/* Column table cell texts; numbers formatted into per-call buffers. */
#define NCOLS_TABLE 8
static const char *table_heads[NCOLS_TABLE] = {"#", "name", "itemOID", "dataType", "targetDataType",
                                               "length", "displayFormat", "keySequence"};

static void column_cells(size_t i, const dsj_column_t *c, char num[3][32], const char *cells[NCOLS_TABLE])
{
    snprintf(num[0], 32, "%zu", i + 1);
    cells[0] = num[0];
    cells[1] = or_dash(c->name);
    cells[2] = or_dash(c->item_oid);
    if (c->data_type == DSJ_TYPE_UNKNOWN && c->data_type_text) cells[3] = c->data_type_text;
    else cells[3] = or_dash(dsj_datatype_name(c->data_type));
    cells[4] = or_dash(dsj_datatype_name(c->target_data_type));
    if (c->length) { snprintf(num[1], 32, "%lld", (long long)c->length); cells[5] = num[1]; }
    else cells[5] = "-";
    cells[6] = or_dash(c->display_format);
    if (c->key_sequence) { snprintf(num[2], 32, "%lld", (long long)c->key_sequence); cells[7] = num[2]; }
    else cells[7] = "-";
}

static void print_text(const char *path, const dsj_reader_t *r)
{
    const dsj_meta_t *m = dsj_reader_meta(r);
    size_t n = dsj_meta_ncolumns(m), i, k;
    size_t width[NCOLS_TABLE];
    int64_t records;
    char buf[96];
    const char *ss_name = dsj_meta_get(m, DSJ_META_SOURCE_SYSTEM_NAME);
    const char *ss_ver = dsj_meta_get(m, DSJ_META_SOURCE_SYSTEM_VERSION);

    text_attr("file:", path);
    text_attr("format:", dsj_format_name(dsj_reader_format(r)));
    snprintf(buf, sizeof buf, "%s (datasetJSONVersion %s)", cli_version_name(dsj_meta_version(m)),
             or_dash(dsj_meta_get(m, DSJ_META_DATASET_JSON_VERSION)));
    text_attr("version:", buf);
    text_attr("name:", dsj_meta_get(m, DSJ_META_NAME));
    text_attr("label:", dsj_meta_get(m, DSJ_META_LABEL));
    text_attr("itemGroupOID:", dsj_meta_get(m, DSJ_META_ITEMGROUP_OID));
    if (dsj_meta_version(m) == DSJ_V1_0)
        text_attr("data kind:", dsj_meta_is_reference_data(m) ? "referenceData" : "clinicalData");
    text_attr("studyOID:", dsj_meta_get(m, DSJ_META_STUDY_OID));
    text_attr("metaDataVersionOID:", dsj_meta_get(m, DSJ_META_METADATA_VERSION_OID));
    text_attr("metaDataRef:", dsj_meta_get(m, DSJ_META_METADATA_REF));
    text_attr("fileOID:", dsj_meta_get(m, DSJ_META_FILE_OID));
    text_attr("originator:", dsj_meta_get(m, DSJ_META_ORIGINATOR));
    if (ss_name || ss_ver) {
        snprintf(buf, sizeof buf, "%s%s%s", or_dash(ss_name), ss_ver ? " " : "", ss_ver ? ss_ver : "");
        text_attr("sourceSystem:", buf);
    } else {
        text_attr("sourceSystem:", NULL);
    }
    text_attr("created:", dsj_meta_get(m, DSJ_META_CREATION_DATETIME));
    if (dsj_meta_version(m) == DSJ_V1_0) text_attr("asOfDateTime:", dsj_meta_get(m, DSJ_META_AS_OF_DATETIME));
    else text_attr("dbLastModifiedDateTime:", dsj_meta_get(m, DSJ_META_DB_LAST_MODIFIED_DATETIME));
    if (dsj_meta_records(m, &records)) {
        snprintf(buf, sizeof buf, "%lld", (long long)records);
        text_attr("records:", buf);
    } else {
        text_attr("records:", NULL);
    }
    text_attr("rows:", dsj_meta_has_rows(m) ? "present" : "absent (metadata only)");
    printf("%-24s %zu\n", "columns:", n);
    if (n == 0) return;

    for (k = 0; k < NCOLS_TABLE; k++) width[k] = strlen(table_heads[k]);
    for (i = 0; i < n; i++) {
        char num[3][32];
        const char *cells[NCOLS_TABLE];
        column_cells(i, dsj_meta_column(m, i), num, cells);
        for (k = 0; k < NCOLS_TABLE; k++)
            if (strlen(cells[k]) > width[k]) width[k] = strlen(cells[k]);
    }
    fputs(" ", stdout);
    for (k = 0; k < NCOLS_TABLE; k++) {
        if (k == 0) printf(" %*s", (int)width[k], table_heads[k]);
        else if (k + 1 == NCOLS_TABLE) printf(" %s", table_heads[k]);
        else printf(" %-*s", (int)width[k], table_heads[k]);
    }
    fputc('\n', stdout);
    for (i = 0; i < n; i++) {
        char num[3][32];
        const char *cells[NCOLS_TABLE];
        column_cells(i, dsj_meta_column(m, i), num, cells);
        fputs(" ", stdout);
        for (k = 0; k < NCOLS_TABLE; k++) {
            if (k == 0) printf(" %*s", (int)width[k], cells[k]);
            else if (k + 1 == NCOLS_TABLE) printf(" %s", cells[k]);
            else printf(" %-*s", (int)width[k], cells[k]);
        }
        fputc('\n', stdout);
    }
}

/* ---------------------------------------------------------------- json */

static void json_attr(cli_json_t *j, const char *key, const char *value)
{
    cli_json_key(j, key);
    cli_json_string(j, value);
}

static void print_json(const char *path, const dsj_reader_t *r)
{
    const dsj_meta_t *m = dsj_reader_meta(r);
    size_t n = dsj_meta_ncolumns(m), i;
    int64_t records;
    cli_json_t j;

    cli_json_init(&j, stdout);
    cli_json_begin_object(&j);
    json_attr(&j, "file", path);
    json_attr(&j, "format", dsj_format_name(dsj_reader_format(r)));
    json_attr(&j, "version", cli_version_name(dsj_meta_version(m)));
    json_attr(&j, "datasetJSONVersion", dsj_meta_get(m, DSJ_META_DATASET_JSON_VERSION));
    json_attr(&j, "name", dsj_meta_get(m, DSJ_META_NAME));
    json_attr(&j, "label", dsj_meta_get(m, DSJ_META_LABEL));
    json_attr(&j, "itemGroupOID", dsj_meta_get(m, DSJ_META_ITEMGROUP_OID));
    cli_json_key(&j, "referenceData");
    if (dsj_meta_version(m) == DSJ_V1_0) cli_json_bool(&j, dsj_meta_is_reference_data(m));
    else cli_json_null(&j);
    json_attr(&j, "studyOID", dsj_meta_get(m, DSJ_META_STUDY_OID));
    json_attr(&j, "metaDataVersionOID", dsj_meta_get(m, DSJ_META_METADATA_VERSION_OID));
    json_attr(&j, "metaDataRef", dsj_meta_get(m, DSJ_META_METADATA_REF));
    json_attr(&j, "fileOID", dsj_meta_get(m, DSJ_META_FILE_OID));
    json_attr(&j, "originator", dsj_meta_get(m, DSJ_META_ORIGINATOR));
    cli_json_key(&j, "sourceSystem");
    cli_json_begin_object(&j);
    json_attr(&j, "name", dsj_meta_get(m, DSJ_META_SOURCE_SYSTEM_NAME));
    json_attr(&j, "version", dsj_meta_get(m, DSJ_META_SOURCE_SYSTEM_VERSION));
    cli_json_end_object(&j);
    json_attr(&j, "creationDateTime", dsj_meta_get(m, DSJ_META_CREATION_DATETIME));
    json_attr(&j, "dbLastModifiedDateTime", dsj_meta_get(m, DSJ_META_DB_LAST_MODIFIED_DATETIME));
    json_attr(&j, "asOfDateTime", dsj_meta_get(m, DSJ_META_AS_OF_DATETIME));
    cli_json_key(&j, "records");
    if (dsj_meta_records(m, &records)) cli_json_int(&j, records);
    else cli_json_null(&j);
    cli_json_key(&j, "hasRows");
    cli_json_bool(&j, dsj_meta_has_rows(m));
    cli_json_key(&j, "columns");
    cli_json_begin_array(&j);
    for (i = 0; i < n; i++) {
        const dsj_column_t *c = dsj_meta_column(m, i);
        cli_json_begin_object(&j);
        json_attr(&j, "name", c->name);
        json_attr(&j, "itemOID", c->item_oid);
        json_attr(&j, "label", c->label);
        json_attr(&j, "dataType", c->data_type == DSJ_TYPE_UNKNOWN && c->data_type_text
                                      ? c->data_type_text
                                      : (c->data_type == DSJ_TYPE_NONE ? NULL : dsj_datatype_name(c->data_type)));
        json_attr(&j, "targetDataType",
                  c->target_data_type == DSJ_TYPE_NONE ? NULL : dsj_datatype_name(c->target_data_type));
        cli_json_key(&j, "length");
        if (c->length) cli_json_int(&j, c->length); else cli_json_null(&j);
        json_attr(&j, "displayFormat", c->display_format);
        cli_json_key(&j, "keySequence");
        if (c->key_sequence) cli_json_int(&j, c->key_sequence); else cli_json_null(&j);
        cli_json_end_object(&j);
    }
    cli_json_end_array(&j);
    cli_json_end_object(&j);
    cli_json_finish(&j);
}

int dsj_cmd_info(int argc, char **argv)
{
    cli_parser_t p;
    cli_report_format_t fmt = CLI_REPORT_TEXT;
    const char *path = NULL;
    dsj_reader_t *r;
    dsj_reader_options_t ro;
    dsj_error_t err;
    int id;

    cli_parser_init(&p, "info", argc, argv, info_opts);
    while ((id = cli_next_option(&p)) != CLI_END) {
        switch (id) {
        case CLI_ERROR: return DSJ_EXIT_USAGE;
        case OPT_HELP: fputs(info_help, stdout); return DSJ_EXIT_OK;
        case OPT_FORMAT:
            if (cli_parse_report_format("info", p.value, &fmt)) return DSJ_EXIT_USAGE;
            break;
        case CLI_OPERAND:
            if (path) return cli_usage_error("info", "takes one FILE, got '%s' and '%s'", path, p.operand);
            path = p.operand;
            break;
        default: break;
        }
    }
    if (!path) return cli_usage_error("info", "missing FILE");

    dsj_error_clear(&err);
    dsj_reader_options_init(&ro);
    ro.on_finding = cli_reader_finding_stderr; /* duplicate keys and bad UTF-8 are reported, not silently resolved */
    ro.finding_ctx = (void *)path;
    r = dsj_reader_open(path, &ro, &err);
    if (!r) {
        cli_print_error(stderr, "info", &err, path);
        return DSJ_EXIT_USAGE;
    }
    if (fmt == CLI_REPORT_JSON) print_json(path, r);
    else print_text(path, r);
    dsj_reader_free(r);
    if (fflush(stdout) != 0) return DSJ_EXIT_USAGE;
    return DSJ_EXIT_OK;
}
