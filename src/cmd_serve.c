/*
 * cmd_serve — `wardwatch serve [-c FILE] [--db FILE] [--speed N]`: the
 * monitoring core without a terminal (sensors, scoring, alarms, the only
 * writer of the database) serving its ward to attached boards on the
 * [server] socket (server.h). Logs go to stderr (the journal under systemd)
 * and to [ward] log when set. SIGTERM or SIGINT stop it cleanly: the store
 * is flushed and the boards are told.
 *
 * --speed N runs the ward clock at N x real time, for wards whose sensors
 * are all recordings or captures (tests and demonstrations).
 */
#include "cmd_common.h"
#include "commands.h"
#include "config.h"
#include "corelock.h"
#include "log.h"
#include "loop.h"
#include "monitor.h"
#include "print.h"
#include "server.h"
#include "store.h"
#include "util.h"
#include "ward.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A live ward starts on a record that ends at most this far past the
 * wall clock (clocks of two hosts, a small step back by NTP). */
#define SERVE_CLOCK_SLACK_MS (5 * 60 * 1000)

const char cmd_serve_usage[] = "wardwatch serve [-c FILE] [--db FILE] [--speed N]\n";
static const char serve_help[] =
    "  runs the ward's monitoring core headless and serves it to boards on the\n"
    "  [server] socket of the configuration (default /run/wardwatch/ward.sock)\n";

/* TERM/INT stop; HUP is logged (nothing to reload yet). */
static void on_signal(struct loop *l, int signo, void *ctx)
{
    if (signo == SIGHUP) {
        log_msg(LOG_INFO, "SIGHUP ignored: restart the service to load a changed configuration");
        return;
    }
    if (signo == SIGWINCH)
        return;
    log_msg(LOG_INFO, "signal %d: stopping", signo);
    loop_stop(l);
}

/* Once a second: the core lock file is still ours (see corelock_check). */
struct lockwatch {
    int fd;
    const char *database;
    int64_t last_complaint;
};

static void on_lock_timer(struct loop *l, int id, void *ctx)
{
    struct lockwatch *w = ctx;
    char err[1200];
    int rc = corelock_check(&w->fd, w->database, err, sizeof err);
    if (rc > 0) {
        log_msg(LOG_WARN, "%s.lock was deleted under the running core: created and locked again",
                w->database);
    } else if (rc < 0 && ww_mono_ms() - w->last_complaint >= 60000) {
        w->last_complaint = ww_mono_ms();
        log_msg(LOG_ERROR, "TWO MONITORING CORES on one database: %s.lock was deleted and %s",
                w->database, err);
    }
}

/* True when every bed's sensor is a recording or capture (or none). */
static bool replay_only(const struct ward_config *cfg)
{
    for (int i = 0; i < cfg->nbeds; i++) {
        const char *u = cfg->beds[i].sensor;
        if (u[0] && strncmp(u, "replay:", 7) && !strstr(u, ":file:"))
            return false;
    }
    return true;
}

/* Read the arguments: -1 to go on, else the exit status (help 0, bad 2). */
static int parse_args(int argc, char **argv, const char **cfgpath, const char **dbpath,
                      double *speed)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-c") && i + 1 < argc) {
            *cfgpath = argv[++i];
        } else if (!strcmp(a, "--db") && i + 1 < argc) {
            *dbpath = argv[++i];
        } else if (!strcmp(a, "--speed") && i + 1 < argc) {
            if (ww_parse_double(argv[++i], 0.1, 1000, speed) < 0) {
                fprintf(stderr, "wardwatch: --speed: '%s' is not a number in 0.1-1000\n", argv[i]);
                return 2;
            }
        } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            cmd_usage(stdout, cmd_serve_usage);
            fputs(serve_help, stdout);
            return 0;
        } else {
            return cmd_usage_error("serve", cmd_serve_usage, "unexpected argument '%s'", a);
        }
    }
    return -1;
}

/* The ward's clock never goes back on a restart: an accelerated ward
 * continues from the end of its record (it ran ahead of the wall clock); a
 * live ward refuses a record that is ahead of the wall clock (a replay's
 * database, or a clock set back), which it could only extend out of order. */
static int serve_clock(struct store *st, const char *database, struct monitor_opts *mo,
                       char *err, size_t errlen)
{
    int64_t last = store_last_time(st), wall = ww_now_ms();
    if (last < 0)
        return ww_err(err, errlen, "%s: cannot read the end of the record", database);
    if (!mo->live_clock && last >= wall) {
        mo->start_ms = (last / 1000 + 1) * 1000;
        char when[32];
        ww_fmt_time(mo->start_ms, when, sizeof when);
        log_msg(LOG_INFO, "ward clock continues from the record's end, %s", when);
    } else if (mo->live_clock && last > wall + SERVE_CLOCK_SLACK_MS) {
        char when[32], nowtxt[32];
        ww_fmt_time(last, when, sizeof when);
        ww_fmt_time(wall, nowtxt, sizeof nowtxt);
        return ww_err(err, errlen,
                      "%s: the record goes on to %s, after the clock's %s: a live ward cannot "
                      "continue it (is the system clock wrong, or is this an accelerated "
                      "replay's database? then give serve another --db)",
                      database, when, nowtxt);
    }
    return 0;
}

/* Start the core and the server, serve until a signal; the exit status. */
static int serve(const struct ward_config *cfg, double speed)
{
    char err[1024];
    struct cmd_core core = {.lock = -1};
    struct server *sv = NULL;
    int rc = 1;
    if (server_socket_free(cfg->socket, err, sizeof err) < 0) {
        log_msg(LOG_ERROR, "%s", err);
        return 1;
    }
    struct cmd_core_opts co = {
        .store = true,
        .check_writable = true,
        .signals = true,
        .reattach = true,
        .flush = true,
        .mo = {.speed = speed > 0 ? speed : 1, .loop_recordings = false,
               .live_clock = speed <= 0, .export = true},
        .before_monitor = serve_clock};
    if (cmd_core_start(&core, cfg, &co, err, sizeof err) < 0) {
        log_msg(LOG_ERROR, "%s", err);
        goto out;
    }
    print_install(monitor_ward(core.m)); /* the core prints through the command layer */
    struct server_opts so = {cfg->socket, cfg->group, cfg->max_clients,
                             (size_t)cfg->client_queue_kb * 1024};
    sv = server_new(core.m, core.l, &so, err, sizeof err);
    if (!sv) {
        log_msg(LOG_ERROR, "%s", err);
        goto out;
    }
    loop_on_signal(core.l, on_signal, NULL);
    struct lockwatch lw = {core.lock, cfg->database, 0};
    if (loop_add_timer(core.l, 1000, true, on_lock_timer, &lw) < 0)
        log_msg(LOG_WARN, "no timer left to watch the core lock file");
    if (monitor_start(core.m) < 0)
        goto out;
    log_msg(LOG_INFO, "serving %s (%d beds) on %s, database %s%s", cfg->name, cfg->nbeds,
            cfg->socket, cfg->database, speed > 0 ? " (accelerated clock)" : "");
    loop_run(core.l);
    core.lock = lw.fd; /* corelock_check may have replaced it */
    rc = 0;
out:
    server_free(sv);
    cmd_core_stop(&core);
    return rc;
}

int cmd_serve_main(int argc, char **argv)
{
    const char *cfgpath = NULL, *dbpath = NULL;
    double speed = 0;
    int rc = parse_args(argc, argv, &cfgpath, &dbpath, &speed);
    if (rc >= 0)
        return rc;
    char err[1024];
    struct ward_config *cfg = calloc(1, sizeof *cfg);
    if (!cfg)
        return 1;
    if (config_load(cfgpath, cfg, err, sizeof err) < 0) {
        fprintf(stderr, "wardwatch: %s\n", err);
        free(cfg);
        return 2;
    }
    if (speed > 0 && !replay_only(cfg)) {
        fprintf(stderr, "wardwatch: serve: --speed needs a ward of recordings and captures only\n");
        free(cfg);
        return 2;
    }
    if (dbpath)
        ww_strlcpy(cfg->database, dbpath, sizeof cfg->database);
    if (log_open(cfg->log_file[0] ? cfg->log_file : NULL, err, sizeof err) < 0) {
        fprintf(stderr, "wardwatch: %s\n", err);
        free(cfg);
        return 1;
    }
    rc = serve(cfg, speed);
    log_msg(LOG_INFO, "stopped");
    log_close();
    free(cfg);
    return rc;
}
