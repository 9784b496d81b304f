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

int cmd_serve_main(int argc, char **argv)
{
    const char *cfgpath = NULL, *dbpath = NULL;
    double speed = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-c") && i + 1 < argc) {
            cfgpath = argv[++i];
        } else if (!strcmp(a, "--db") && i + 1 < argc) {
            dbpath = argv[++i];
        } else if (!strcmp(a, "--speed") && i + 1 < argc) {
            if (ww_parse_double(argv[++i], 0.1, 1000, &speed) < 0) {
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
    int rc = 1;
    int lock = -1;
    struct store *st = NULL;
    struct loop *l = NULL;
    struct monitor *m = NULL;
    struct server *sv = NULL;
    if (server_socket_free(cfg->socket, err, sizeof err) < 0) {
        log_msg(LOG_ERROR, "%s", err);
        goto out;
    }
    lock = corelock_take(cfg->database, err, sizeof err);
    if (lock < 0) {
        log_msg(LOG_ERROR, "%s", err);
        goto out;
    }
    if (store_check_writable(cfg->database, err, sizeof err) < 0) {
        log_msg(LOG_ERROR, "%s", err);
        goto out;
    }
    st = store_open(cfg->database, cfg->group[0] ? cfg->group : NULL, err, sizeof err);
    if (!st) {
        log_msg(LOG_ERROR, "%s", err);
        goto out;
    }
    l = loop_new(true);
    if (!l) {
        log_msg(LOG_ERROR, "cannot create the event loop");
        goto out;
    }
    struct monitor_opts mo = {
        .speed = speed > 0 ? speed : 1, .loop_recordings = false, .live_clock = speed <= 0,
        .export = true};
    /* The ward's clock never goes back on a restart: an accelerated ward
     * continues from the end of its record (it ran ahead of the wall
     * clock); a live ward refuses a record that is ahead of the wall clock
     * (a replay's database, or a clock set back), which it could only
     * extend out of order. */
    int64_t last = store_last_time(st), wall = ww_now_ms();
    if (last < 0) {
        log_msg(LOG_ERROR, "%s: cannot read the end of the record", cfg->database);
        goto out;
    }
    if (speed > 0 && last >= wall) {
        mo.start_ms = (last / 1000 + 1) * 1000;
        char when[32];
        ww_fmt_time(mo.start_ms, when, sizeof when);
        log_msg(LOG_INFO, "ward clock continues from the record's end, %s", when);
    } else if (speed <= 0 && last > wall + SERVE_CLOCK_SLACK_MS) {
        char when[32], nowtxt[32];
        ww_fmt_time(last, when, sizeof when);
        ww_fmt_time(wall, nowtxt, sizeof nowtxt);
        log_msg(LOG_ERROR,
                "%s: the record goes on to %s, after the clock's %s: a live ward cannot continue "
                "it (is the system clock wrong, or is this an accelerated replay's database? "
                "then give serve another --db)",
                cfg->database, when, nowtxt);
        goto out;
    }
    m = monitor_new(cfg, st, l, &mo, err, sizeof err);
    if (!m) {
        log_msg(LOG_ERROR, "%s", err);
        goto out;
    }
    print_install(monitor_ward(m)); /* the core prints through the command layer */
    if (ward_restore(monitor_ward(m), monitor_now(m), err, sizeof err) < 0)
        log_msg(LOG_ERROR, "restore: %s", err);
    struct server_opts so = {cfg->socket, cfg->group, cfg->max_clients,
                             (size_t)cfg->client_queue_kb * 1024};
    sv = server_new(m, l, &so, err, sizeof err);
    if (!sv) {
        log_msg(LOG_ERROR, "%s", err);
        goto out;
    }
    loop_on_signal(l, on_signal, NULL);
    struct lockwatch lw = {lock, cfg->database, 0};
    if (loop_add_timer(l, 1000, true, on_lock_timer, &lw) < 0)
        log_msg(LOG_WARN, "no timer left to watch the core lock file");
    if (monitor_start(m) < 0)
        goto out;
    log_msg(LOG_INFO, "serving %s (%d beds) on %s, database %s%s", cfg->name, cfg->nbeds,
            cfg->socket, cfg->database, speed > 0 ? " (accelerated clock)" : "");
    loop_run(l);
    lock = lw.fd;
    rc = 0;
out:
    server_free(sv);
    /* Stopped while the database file was gone: put it back first. */
    if (st && !store_check_attached(st) &&
        store_reattach(st, m ? monitor_now(m) : ww_now_ms(), err, sizeof err) < 0)
        log_msg(LOG_ERROR, "database not put back at the stop: %s", err);
    if (m) {
        ward_flush(monitor_ward(m), err, sizeof err);
        monitor_free(m);
    }
    store_close(st);
    corelock_release(lock);
    loop_free(l);
    log_msg(LOG_INFO, "stopped");
    log_close();
    free(cfg);
    return rc;
}
