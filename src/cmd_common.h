/*
 * cmd_common — what the command files (src/cmd_*.c) share: printing a
 * command's one usage text, reading the database a configuration names,
 * and starting and stopping the monitoring core (board, serve, replay).
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

#include "monitor.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct loop;
struct store;
struct ward_config;

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

/*
 * THE MONITORING CORE of a command: the core lock and the store of its
 * database (the only writer of the file), the loop and the monitor (drivers,
 * ward, scoring, alarms). cmd_core_start takes them in that order and
 * restores the ward's admissions and open alarms from the store;
 * cmd_core_stop lets go of whatever was taken, in reverse order, after the
 * last rows are written.
 */
struct cmd_core {
    int lock;          /* the core lock's fd, -1 none */
    struct store *st;  /* NULL: no database (a replay without --db) */
    struct loop *l;
    struct monitor *m;
    bool reattach;     /* a database file deleted under the core is put back at the stop */
    bool flush;        /* the ward's last rows are written at the stop */
};

struct cmd_core_opts {
    bool store;          /* lock and open cfg->database */
    bool check_writable; /* refuse a database this user cannot write, before opening it */
    bool signals;        /* the loop takes SIGINT/SIGTERM/SIGHUP (loop_new) */
    bool reattach, flush; /* see struct cmd_core */
    struct monitor_opts mo;
    /* After the store is open, before the monitor exists (may be NULL):
     * set the ward's clock from the record (serve). -1 with err stops. */
    int (*before_monitor)(struct store *st, const char *database, struct monitor_opts *mo,
                          char *err, size_t errlen);
};

/* 0 with everything taken, or -1 with err and nothing held (c is then
 * all released; cmd_core_stop on it does nothing). A restore that fails is
 * logged, not fatal: the ward runs from an empty state rather than not at all. */
int cmd_core_start(struct cmd_core *c, const struct ward_config *cfg,
                   const struct cmd_core_opts *o, char *err, size_t errlen);
/* Write the last rows (flush) and let go of it all (safe after a failed start or twice). */
void cmd_core_stop(struct cmd_core *c);

#endif
