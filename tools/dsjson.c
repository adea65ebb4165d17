/* dsjson: command-line front end.  Each subcommand lives in tools/cmd_*.c. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

typedef struct {
    const char *name;
    int (*fn)(int, char **);
    const char *summary;
} command_t;

static const command_t commands[] = {
    {"info", dsj_cmd_info, "print a dataset's metadata summary"},
    {"validate", dsj_cmd_validate, "validate Dataset-JSON files (optionally against a define.xml)"},
    {"convert", dsj_cmd_convert, "convert between Dataset-JSON, Dataset-XML and XPT"},
    {"diff", dsj_cmd_diff, "compare two datasets, metadata and every cell"},
    {"validate-define", dsj_cmd_validate_define, "validate a define.xml on its own"},
    {"define-meta", dsj_cmd_define_meta, "Dataset-JSON metadata for a dataset of a define.xml"},
    {"check", dsj_cmd_check, "run a rule file (scripted data checks) over datasets"},
    {"select", dsj_cmd_select, "stream rows as CSV, NDJSON or JSON (columns, --where)"},
    {"odm2json", dsj_cmd_odm2json, "convert ODM / Define-XML / Dataset-XML to ODM JSON"},
    {"json2odm", dsj_cmd_json2odm, "convert ODM JSON back to ODM XML"},
    {NULL, NULL, NULL},
};

static void usage(FILE *out)
{
    const command_t *c;
    fprintf(out, "usage: dsjson [--version] [--help] COMMAND [ARGS]\n\ncommands:\n");
    for (c = commands; c->name; c++) fprintf(out, "  %-16s %s\n", c->name, c->summary);
    fprintf(out, "\n'dsjson COMMAND --help' (or 'dsjson help COMMAND') describes each command;\n"
                 "'man dsjson' (docs/dsjson.1) has the full reference.\n"
                 "Exit status: 0 success or valid, 1 validation errors found, 2 usage error or unreadable input.\n");
}

int main(int argc, char **argv)
{
    const command_t *c;
    /* Under a file-size limit (ulimit -f), a write past it must fail with EFBIG so that the
       sink reports it and removes its temporary file; the default action of SIGXFSZ kills. */
    signal(SIGXFSZ, SIG_IGN);
    if (argc < 2) {
        usage(stderr);
        return DSJ_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "help") && argc == 3) { /* dsjson help COMMAND = dsjson COMMAND --help */
        for (c = commands; c->name; c++) {
            if (!strcmp(argv[2], c->name)) {
                char *args[3];
                args[0] = argv[2];
                args[1] = (char *)"--help";
                args[2] = NULL;
                return c->fn(2, args);
            }
        }
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return DSJ_EXIT_OK;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("dsjson %s\n", dsj_version());
        return DSJ_EXIT_OK;
    }
    for (c = commands; c->name; c++)
        if (!strcmp(argv[1], c->name)) return c->fn(argc - 1, argv + 1);
    fprintf(stderr, "dsjson: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return DSJ_EXIT_USAGE;
}
