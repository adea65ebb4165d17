/* PLACEHOLDER: replaced by the real subcommand. */
#include <stdio.h>
#include "cli.h"
int dsj_cmd_info(int argc, char **argv)
{
    (void)argc;
    fprintf(stderr, "dsjson %s: not implemented yet\n", argv[0]);
    return DSJ_EXIT_USAGE;
}
