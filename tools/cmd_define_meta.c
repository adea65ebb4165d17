/* dsjson define-meta: Dataset-JSON metadata for a dataset, built from its Define-XML ItemGroupDef. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

static const char define_meta_help[] =
    "usage: dsjson define-meta [--to 1.0|1.1] [--pretty] DEFINE.xml DATASET [OUT.json]\n"
    "       dsjson define-meta --list DEFINE.xml\n"
    "\n"
    "Write a metadata-only Dataset-JSON document (records 0, no rows) for DATASET (an\n"
    "ItemGroupDef OID or Name) of a Define-XML 2.0/2.1: study and MetaDataVersion OIDs,\n"
    "itemGroupOID, name, label, and the columns in OrderNumber order with itemOID, name,\n"
    "label, dataType (via the compatibility table of docs/rules-define-check.md; integer\n"
    "variables with a SAS date format become date/datetime/time with targetDataType\n"
    "integer), length of text variables, displayFormat and keySequence.\n"
    "datasetJSONCreationDateTime is the current UTC time.  OUT is written atomically;\n"
    "without it the document goes to standard output.\n"
    "\n"
    "options:\n"
    "  --to 1.0|1.1   Dataset-JSON version (default 1.1; 1.0 adds ITEMGROUPDATASEQ and\n"
    "                 chooses referenceData from IsReferenceData)\n"
    "  --pretty       indent the JSON\n"
    "  --list         list the datasets of the define (OID, name, label) and exit\n"
    "  -h, --help     show this help\n"
    "\n"
    "Exit status: 0 written, 2 usage error, unreadable define or unknown dataset.\n";

enum { OPT_HELP = 1, OPT_TO, OPT_PRETTY, OPT_LIST };

static const cli_option_t define_meta_opts[] = {
    {"help", 'h', 0, OPT_HELP},
    {"to", 0, 1, OPT_TO},
    {"pretty", 0, 0, OPT_PRETTY},
    {"list", 0, 0, OPT_LIST},
    {NULL, 0, 0, 0},
};

static void list_datasets(const dsj_define_t *def)
{
    size_t i, n = dsj_define_itemgroup_count(def);
    for (i = 0; i < n; i++) {
        const dsj_define_itemgroup_t *g = dsj_define_itemgroup_at(def, i);
        printf("%-16s %-10s %s\n", g->oid ? g->oid : "-", g->name ? g->name : "-",
               g->description ? g->description : "");
    }
}

static int write_meta(dsj_meta_t *m, const char *out, int pretty, dsj_version_t v)
{
    dsj_writer_options_t wo;
    dsj_writer_t *w;
    dsj_sink_t *sink;
    dsj_error_t err;
    char now[32];
    time_t t = time(NULL);
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%S", &tm);
    dsj_meta_set(m, DSJ_META_CREATION_DATETIME, now);
    if (!dsj_meta_get(m, DSJ_META_DATASET_JSON_VERSION))
        dsj_meta_set(m, DSJ_META_DATASET_JSON_VERSION, v == DSJ_V1_0 ? "1.0.0" : "1.1.0");
    dsj_meta_set_records(m, 0);
    dsj_meta_set_has_rows(m, 0);

    dsj_error_clear(&err);
    sink = dsj_sink_new_path(out ? out : "-", &err);
    if (!sink) goto fail;
    dsj_writer_options_init(&wo);
    wo.format = DSJ_FORMAT_JSON;
    wo.version = v;
    wo.pretty = pretty;
    w = dsj_writer_new(sink, &wo, &err);
    if (!w) goto fail;
    if (dsj_writer_begin(w, m, &err) != DSJ_OK || dsj_writer_end(w, &err) != DSJ_OK) {
        dsj_writer_free(w);
        goto fail;
    }
    dsj_writer_free(w);
    if (!out) fputc('\n', stdout);
    return DSJ_EXIT_OK;
fail:
    cli_print_error(stderr, "define-meta", &err, out);
    return DSJ_EXIT_USAGE;
}

int dsj_cmd_define_meta(int argc, char **argv)
{
    cli_parser_t p;
    const char *operands[3] = {NULL, NULL, NULL};
    size_t nops = 0;
    dsj_version_t v = DSJ_V1_1;
    int pretty = 0, list = 0, id, rc;
    dsj_define_t *def;
    dsj_meta_t *m;
    dsj_error_t err;

    cli_parser_init(&p, "define-meta", argc, argv, define_meta_opts);
    while ((id = cli_next_option(&p)) != CLI_END) {
        switch (id) {
        case CLI_ERROR: return DSJ_EXIT_USAGE;
        case OPT_HELP: fputs(define_meta_help, stdout); return DSJ_EXIT_OK;
        case OPT_TO:
            if (!strcmp(p.value, "1.0")) v = DSJ_V1_0;
            else if (!strcmp(p.value, "1.1")) v = DSJ_V1_1;
            else return cli_usage_error("define-meta", "--to takes 1.0 or 1.1, not '%s'", p.value);
            break;
        case OPT_PRETTY: pretty = 1; break;
        case OPT_LIST: list = 1; break;
        case CLI_OPERAND:
            if (nops == 3) return cli_usage_error("define-meta", "too many arguments");
            operands[nops++] = p.operand;
            break;
        default: break;
        }
    }
    if (nops == 0) return cli_usage_error("define-meta", "missing DEFINE.xml");
    if (!list && nops < 2) return cli_usage_error("define-meta", "missing DATASET (an ItemGroupDef OID or Name; --list shows them)");
    if (nops == 3 && cli_same_file(operands[0], operands[2]))
        return cli_usage_error("define-meta", "DEFINE.xml and OUT are the same file ('%s'); write to a new name", operands[2]);
    dsj_error_clear(&err);
    def = dsj_define_load(operands[0], &err);
    if (!def) {
        cli_print_error(stderr, "define-meta", &err, operands[0]);
        return DSJ_EXIT_USAGE;
    }
    if (list) {
        list_datasets(def);
        dsj_define_free(def);
        return DSJ_EXIT_OK;
    }
    m = dsj_define_dataset_meta(def, operands[1], v, &err);
    if (!m) {
        cli_print_error(stderr, "define-meta", &err, operands[0]);
        dsj_define_free(def);
        return DSJ_EXIT_USAGE;
    }
    rc = write_meta(m, operands[2], pretty, v);
    dsj_meta_free(m);
    dsj_define_free(def);
    return rc;
}
