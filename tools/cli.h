/* Shared declarations for the dsjson command-line tool (thin over the library). */
#ifndef DSJ_CLI_H
#define DSJ_CLI_H

#include "dsjson.h"

/* Exit codes (the CLI contract). */
#define DSJ_EXIT_OK 0       /* success / valid (warnings allowed) */
#define DSJ_EXIT_INVALID 1  /* validation errors found */
#define DSJ_EXIT_USAGE 2    /* usage error or unreadable input */

/* One function per subcommand; argv[0] is the subcommand name. */
int dsj_cmd_info(int argc, char **argv);
int dsj_cmd_validate(int argc, char **argv);
int dsj_cmd_convert(int argc, char **argv);
int dsj_cmd_diff(int argc, char **argv);
int dsj_cmd_validate_define(int argc, char **argv);

#endif
