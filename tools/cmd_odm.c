/*
 * dsjson odm2json [--pretty] [--wrap-root] [--schema NAME] [--bulk-dir DIR --bulk-threshold N] IN.xml OUT.json
 * dsjson json2odm [--pretty] [--schema NAME] [--bulk-dir DIR] IN.json OUT.xml
 *
 * ODM XML <-> ODM JSON (library: dsjson_odm.h; conventions in docs/odm-json.md).
 * Warnings (unknown elements kept, non-integer integers) go to stderr.
 * --bulk-dir: binary values longer than the threshold are written to files in
 * DIR and the JSON refers to them by a URI relative to DIR; json2odm reads
 * them back from DIR.  Exit 0 ok, 2 usage error or a file that cannot be
 * converted (the message names the XML line or the JSON pointer).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

enum { OPT_HELP = 1, OPT_PRETTY, OPT_WRAP, OPT_BULK_DIR, OPT_BULK_THR, OPT_SCHEMA, OPT_QUIET };

static const cli_option_t odm_opts[] = {
    {"help", 'h', 0, OPT_HELP},
    {"pretty", 0, 0, OPT_PRETTY},
    {"wrap-root", 0, 0, OPT_WRAP},
    {"bulk-dir", 0, 1, OPT_BULK_DIR},
    {"bulk-threshold", 0, 1, OPT_BULK_THR},
    {"schema", 0, 1, OPT_SCHEMA},
    {"quiet", 'q', 0, OPT_QUIET},
    {NULL, 0, 0, 0},
};

static const char odm2json_help[] =
    "usage: dsjson odm2json [--pretty] [--wrap-root] [--schema NAME] [--bulk-dir DIR [--bulk-threshold N]] IN.xml OUT.json\n"
    "Convert ODM XML (ODM 1.3.2, Define-XML 2.0/2.1, Dataset-XML 1.0, ODM 2.0) to ODM JSON\n"
    "(docs/odm-json.md).  ClinicalData/ReferenceData are streamed in bounded memory.\n"
    "  --pretty             indent the JSON\n"
    "  --wrap-root          write {\"ODM\": {...}} instead of the bare ODM object\n"
    "  --schema NAME        use this schema table instead of detecting it from the namespaces\n"
    "  --bulk-dir DIR       write binary values (base64Binary, hexBinary) longer than the threshold\n"
    "                       to files in DIR; the JSON holds {\"BulkDataURI\": \"FILE\"} (relative to DIR)\n"
    "  --bulk-threshold N   bytes (default 1024)\n"
    "  -q, --quiet          no warnings on stderr\n"
    "exit: 0 converted, 2 usage error or input that cannot be converted\n";

static const char json2odm_help[] =
    "usage: dsjson json2odm [--pretty] [--schema NAME] [--bulk-dir DIR] IN.json OUT.xml\n"
    "Convert ODM JSON back to ODM XML (children in schema order, namespaces restored).\n"
    "  --pretty             indent the XML\n"
    "  --schema NAME        use this schema table (overrides the JSON's \"_schema\")\n"
    "  --bulk-dir DIR       resolve {\"BulkDataURI\": ...} values relative to DIR\n"
    "  -q, --quiet          no warnings on stderr\n"
    "exit: 0 converted, 2 usage error or input that cannot be converted\n";

typedef struct bulk_dir {
    const char *dir;
    unsigned counter;
} bulk_dir_t;

static int warn_cb(const dsj_finding_t *f, void *ctx)
{
    (void)ctx;
    fprintf(stderr, "%s:", f->file ? f->file : "-");
    if (f->line) fprintf(stderr, "%llu:", (unsigned long long)f->line);
    fprintf(stderr, " warning %s %s\n", f->rule ? f->rule : "-", f->message ? f->message : "");
    return 0;
}

static char *bulk_write(void *ctx, const char *item_oid, const char *data_type, const char *value, size_t len,
                        dsj_error_t *err)
{
    bulk_dir_t *b = ctx;
    char name[200], path[4096];
    size_t i, n;
    FILE *f;
    n = (size_t)snprintf(name, sizeof name, "%06u-", ++b->counter);
    for (i = 0; item_oid[i] && n < 120; i++) {
        char ch = item_oid[i];
        name[n++] = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '.' ||
                    ch == '-' || ch == '_' ? ch : '_';
    }
    snprintf(name + n, sizeof name - n, ".%s", !strncmp(data_type, "hex", 3) ? "hex" : "b64");
    snprintf(path, sizeof path, "%s/%s", b->dir, name);
    f = fopen(path, "wb");
    if (!f || fwrite(value, 1, len, f) != len || fclose(f) != 0) {
        if (err) {
            err->code = DSJ_E_IO;
            snprintf(err->text, sizeof err->text, "cannot write %.300s: %s", path, strerror(errno));
        }
        return NULL;
    }
    return strdup(name);
}

static char *bulk_read(void *ctx, const char *uri, size_t *len, dsj_error_t *err)
{
    bulk_dir_t *b = ctx;
    char path[4096];
    FILE *f;
    char *buf = NULL;
    long n;
    if (!uri[0] || uri[0] == '/' || strstr(uri, "..") || strchr(uri, ':')) {
        if (err) {
            err->code = DSJ_E_ARG;
            snprintf(err->text, sizeof err->text, "only plain relative URIs inside --bulk-dir are read");
        }
        return NULL;
    }
    snprintf(path, sizeof path, "%s/%s", b->dir, uri);
    f = fopen(path, "rb");
    if (f && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        buf = malloc((size_t)n + 1);
        if (buf && fread(buf, 1, (size_t)n, f) == (size_t)n) {
            buf[n] = '\0';
            *len = (size_t)n;
        } else {
            free(buf);
            buf = NULL;
        }
    }
    if (f) fclose(f);
    if (!buf && err) {
        err->code = DSJ_E_IO;
        snprintf(err->text, sizeof err->text, "cannot read %.300s: %s", path, strerror(errno));
    }
    return buf;
}

static int run_odm(int argc, char **argv, int to_json)
{
    const char *cmd = to_json ? "odm2json" : "json2odm";
    cli_parser_t p;
    dsj_odm_options_t o;
    dsj_error_t err;
    bulk_dir_t bulk = {NULL, 0};
    const char *ops[2] = {NULL, NULL};
    int nops = 0, id, quiet = 0, thr_given = 0;
    uint64_t thr = 1024;
    dsj_status_t st;
    dsj_odm_options_init(&o);
    cli_parser_init(&p, cmd, argc, argv, odm_opts);
    while ((id = cli_next_option(&p)) != CLI_END) {
        switch (id) {
        case CLI_ERROR: return DSJ_EXIT_USAGE;
        case OPT_HELP: fputs(to_json ? odm2json_help : json2odm_help, stdout); return DSJ_EXIT_OK;
        case OPT_PRETTY: o.pretty = 1; break;
        case OPT_WRAP:
            if (!to_json) return cli_usage_error(cmd, "--wrap-root is an odm2json option (json2odm reads both forms)");
            o.wrap_root = 1;
            break;
        case OPT_BULK_DIR: bulk.dir = p.value; break;
        case OPT_BULK_THR:
            if (!to_json) return cli_usage_error(cmd, "--bulk-threshold is an odm2json option");
            if (cli_parse_count(cmd, "--bulk-threshold", p.value, UINT32_MAX, &thr)) return DSJ_EXIT_USAGE;
            thr_given = 1;
            break;
        case OPT_SCHEMA: o.schema = p.value; break;
        case OPT_QUIET: quiet = 1; break;
        case CLI_OPERAND:
            if (nops == 2) return cli_usage_error(cmd, "too many operands (expected IN and OUT)");
            ops[nops++] = p.operand;
            break;
        default: return cli_usage_error(cmd, "unexpected option");
        }
    }
    if (nops != 2) return cli_usage_error(cmd, "expected %s", to_json ? "IN.xml OUT.json" : "IN.json OUT.xml");
    if (thr_given && !bulk.dir) return cli_usage_error(cmd, "--bulk-threshold needs --bulk-dir");
    if (cli_same_file(ops[0], ops[1])) return cli_usage_error(cmd, "input and output are the same file");
    if (bulk.dir) {
        struct stat sb;
        if (stat(bulk.dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
            return cli_usage_error(cmd, "--bulk-dir %s is not a folder", bulk.dir);
        o.bulk_ctx = &bulk;
        if (to_json) { o.bulk_write = bulk_write; o.bulk_threshold = (size_t)(thr ? thr : 1); }
        else o.bulk_read = bulk_read;
    }
    if (!quiet) o.warn = warn_cb;
    dsj_error_clear(&err);
    st = to_json ? dsj_odm_xml_file_to_json_file(ops[0], ops[1], &o, &err)
                 : dsj_odm_json_file_to_xml_file(ops[0], ops[1], &o, &err);
    if (st != DSJ_OK) {
        cli_print_error(stderr, cmd, &err, ops[0]);
        return DSJ_EXIT_USAGE;
    }
    return DSJ_EXIT_OK;
}

int dsj_cmd_odm2json(int argc, char **argv) { return run_odm(argc, argv, 1); }
int dsj_cmd_json2odm(int argc, char **argv) { return run_odm(argc, argv, 0); }
