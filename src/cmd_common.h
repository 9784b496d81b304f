/*
 * cmd_common — what the command files (src/cmd_*.c) share: printing a
 * command's one usage text, reading the database a configuration names.
 *
 * USAGE TEXTS. Each command's usage is defined once, in its own file, as
 * the synopsis lines (`const char cmd_NAME_usage[]` in commands.h) without
 * the "usage: " prefix; continuation lines are indented for a 7-column
 * prefix. `wardwatch --help` lists them all, `wardwatch CMD --help` prints
 * its own (then its help text), and a bad argument prints the message and
 * the same usage; tests/t_usage.sh checks that the three agree.
 */
#ifndef WW_CMD_COMMON_H
#define WW_CMD_COMMON_H

#include <stddef.h>
#include <stdio.h>

/* "usage: " and the synopsis to f. */
void cmd_usage(FILE *f, const char *usage);
/* "wardwatch CMD: message" (cmd NULL: the board, "wardwatch: ") and the
 * usage on stderr; returns 2, the exit status of a usage error. */
int cmd_usage_error(const char *cmd, const char *usage, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The database file the ward configuration at cfgpath (NULL: the default
 * one) names into db; 0, or the exit status after a message on stderr
 * prefixed "wardwatch CMD: " (1 out of memory, 2 a configuration error). */
int cmd_config_database(const char *cmd, const char *cfgpath, char *db, size_t n);

#endif
