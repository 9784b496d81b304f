/*
 * cmd_board — `wardwatch [-c FILE] [--attach | --embedded | --db FILE]`: the
 * bed-board. It attaches to the `wardwatch serve` of the configuration's
 * [server] socket when one answers there; when nobody listens there (no
 * socket, or a dead server's) it runs the monitoring core in this process
 * as before and says so. --attach insists on a server, --embedded (or
 * --db) on the core in this process. A socket that exists but refuses this
 * user (permissions) is an error, not a reason to start a second core on
 * the same ward. `wardwatch --demo [--speed N]
 * [--db FILE]`: the demo ward, replaying simulated sessions (generated on
 * first use) through the same drivers, scoring and alarms, on a fresh
 * temporary database with a few observations pre-entered so full NEWS2
 * scores appear.
 */
#include "attach.h"
#include "board.h"
#include "cmd_common.h"
#include "commands.h"
#include "config.h"
#include "log.h"
#include "monitor.h"
#include "print.h"
#include "simulate.h"
#include "util.h"
#include "ward.h"

#include <errno.h>
#include <libintl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char cmd_board_usage[] =
    "wardwatch [-c FILE] [--attach | --embedded] [--db FILE]\n"
    "       wardwatch --demo [--speed N] [--db FILE]\n";
static const char board_help[] =
    "The bed-board; with --demo the demo ward (a fresh temporary database).\n"
    "  --attach    use the running `wardwatch serve` ([server] socket); error if none\n"
    "  --embedded  run the monitoring core in this process (quitting stops it)\n";

/* This terminal's name for the server's log and other boards' messages:
 * $WARDWATCH_TERMINAL, else user@tty. */
static void terminal_name(char *buf, size_t n)
{
    const char *t = getenv("WARDWATCH_TERMINAL");
    if (t && *t) {
        snprintf(buf, n, "%s", t);
        return;
    }
    const char *user = getenv("USER");
    struct passwd *pw = getpwuid(getuid());
    if (pw)
        user = pw->pw_name;
    const char *tty = ttyname(STDIN_FILENO);
    if (tty && !strncmp(tty, "/dev/", 5))
        tty += 5;
    snprintf(buf, n, "%s@%s", user ? user : "?", tty ? tty : "?");
}

/* The board on a running server. */
static int run_attached(struct loop *l, struct attach *a)
{
    struct view v = attach_view(a);
    struct board_opts bo = {.embedded = false};
    int rc = board_run(l, &v, &bo);
    attach_free(a);
    loop_free(l);
    if (rc == 0)
        fprintf(stderr, "wardwatch: board closed; monitoring continues on the server\n");
    return rc;
}

/* The demo ward's directory: next to the binary (bin/../data/demo) in a
 * build tree, else the installed data directory. */
static int demo_dir(char *dir, size_t n)
{
    char exe[PATH_MAX];
    ssize_t l = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (l > 0) {
        exe[l] = 0;
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = 0;
            if (snprintf(dir, n, "%s/../data/demo", exe) >= (int)n)
                return -1;
            if (access(dir, R_OK) == 0) {
                char real[PATH_MAX];
                if (realpath(dir, real))
                    snprintf(dir, n, "%s", real);
                return 0;
            }
        }
    }
    snprintf(dir, n, "%s/demo", WARDWATCH_DATADIR);
    return access(dir, R_OK) == 0 ? 0 : -1;
}

/* Pre-enter a few observations so full NEWS2 scores show from the start. */
static void demo_admissions(struct ward *w, int64_t now)
{
    static const struct {
        const char *spo2, *o2, *sbp, *acvpu, *temp;
    } obs[] = {
        {"95", "air", "104", "A", "38.4"},  {"98", "air", "128", "A", "36.8"},
        {"93", "oxygen", "112", "V", "36.2"}, {"96", "air", "118", "A", "37.1"},
        {"89", "oxygen", "135", "A", "37.4"}, {"97", "air", "131", "A", "36.9"},
        {"97", "air", "122", "A", "36.6"},    {"96", "air", "126", "A", "37.3"},
        {"95", "air", "98", "A", "36.0"},     {"98", "air", "125", "A", "36.7"},
        {"94", "air", "102", "A", "38.9"},    {"97", "air", "121", "A", "36.8"},
    };
    char err[256];
    for (size_t i = 0; i < ward_nbeds(w) && i < WW_ARRAY_LEN(obs); i++) {
        char ref[16];
        snprintf(ref, sizeof ref, "DEMO-%02zu", i + 1);
        if (ward_cmd_admit(w, i, ref, "demo patient", "DEMO", now, err, sizeof err) < 0)
            continue;
        if (i == 4)
            ward_cmd_scale2(w, i, true, "Dr Berg", "DEMO", now, err, sizeof err);
        const char *v[] = {obs[i].spo2, obs[i].o2, obs[i].sbp, obs[i].acvpu, obs[i].temp};
        const char *p[] = {"spo2", "o2", "sbp", "acvpu", "temp"};
        ward_cmd_observations(w, i, p, v, 5, "DEMO", now, err, sizeof err);
    }
}

struct board_args {
    const char *cfgpath, *dbpath;
    bool demo, want_attach, want_embedded;
    double speed;
};

/* Read the arguments: -1 to go on, else the exit status (help 0, bad 2). */
static int parse_args(int argc, char **argv, struct board_args *o)
{
    *o = (struct board_args){.speed = 1};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-c") && i + 1 < argc)
            o->cfgpath = argv[++i];
        else if (!strcmp(a, "--db") && i + 1 < argc)
            o->dbpath = argv[++i];
        else if (!strcmp(a, "--demo"))
            o->demo = true;
        else if (!strcmp(a, "--attach"))
            o->want_attach = true;
        else if (!strcmp(a, "--embedded"))
            o->want_embedded = true;
        else if (!strcmp(a, "--speed") && i + 1 < argc) {
            if (ww_parse_double(argv[++i], 0.1, 1000, &o->speed) < 0) {
                fprintf(stderr, "wardwatch: --speed: '%s' is not a number in 0.1-1000\n", argv[i]);
                return 2;
            }
        } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            cmd_usage(stdout, cmd_board_usage);
            fputs(board_help, stdout);
            return 0;
        } else {
            return cmd_usage_error(NULL, cmd_board_usage, "unexpected argument '%s'", a);
        }
    }
    if (!o->demo && o->speed != 1) {
        fprintf(stderr, "wardwatch: --speed applies to --demo only\n");
        return 2;
    }
    if (o->want_attach && (o->want_embedded || o->demo || o->dbpath)) {
        fprintf(stderr, "wardwatch: --attach uses the server's ward and database: not with "
                        "--embedded, --demo or --db\n");
        return 2;
    }
    return -1;
}

/* The demo ward's configuration into ini, its recordings generated when
 * missing or older than their scenarios; 0, or -1 after a message. */
static int demo_prepare(char *ini, size_t n)
{
    char dir[PATH_MAX], err[1024];
    if (demo_dir(dir, sizeof dir) < 0) {
        fprintf(stderr, "wardwatch: the demo ward's data (data/demo) was not found\n");
        return -1;
    }
    char rec[PATH_MAX + 64], spec[PATH_MAX + 32], first[PATH_MAX + 80];
    snprintf(rec, sizeof rec, "%s/recordings", dir);
    snprintf(first, sizeof first, "%s/bed01.wwrec", rec);
    snprintf(spec, sizeof spec, "%s/scenarios.txt", dir);
    struct stat st_first, st_spec;
    bool stale = stat(first, &st_first) != 0 ||
                 (stat(spec, &st_spec) == 0 && st_spec.st_mtime > st_first.st_mtime);
    if (stale) {
        fprintf(stderr, "wardwatch: generating the demo recordings in %s ...\n", rec);
        if (simulate_ward(spec, rec, 1.0, err, sizeof err) < 0) {
            fprintf(stderr, "wardwatch: %s\n", err);
            return -1;
        }
    }
    snprintf(ini, n, "%s/ward.ini", dir);
    return 0;
}

/* Attach to the ward's server when one answers: the exit status after the
 * attached board, or -1 to run the core here (nobody listens; start_msg
 * then says so). A server that exists but refuses us is an error (1). */
static int try_attach(const struct ward_config *cfg, const struct board_args *o, char *start_msg,
                      size_t n)
{
    char err[1024];
    struct loop *l = loop_new(true);
    char name[64];
    terminal_name(name, sizeof name);
    struct attach *a = l ? attach_new(l, cfg->socket, name) : NULL;
    if (!a) {
        fprintf(stderr, "wardwatch: out of memory\n");
        loop_free(l);
        return 1;
    }
    bool absent = false;
    if (attach_connect(a, 3000, &absent, err, sizeof err) == 0)
        return run_attached(l, a);
    attach_free(a);
    loop_free(l);
    if (o->want_attach || !absent) {
        fprintf(stderr, "wardwatch: cannot attach to the monitoring server: %s\n", err);
        if (!absent)
            fprintf(stderr, "wardwatch: not starting a second monitoring core on this ward "
                            "(use --embedded only if no server runs)\n");
        return 1;
    }
    snprintf(start_msg, n,
             gettext("no monitoring server on %s: monitoring runs in this terminal (quitting "
                     "stops it)"),
             cfg->socket);
    return -1;
}

/* The demo's fresh database directory into tmpdb (0), or -1 after a message. */
static int demo_database(struct ward_config *cfg, char *tmpdb, size_t n)
{
    snprintf(tmpdb, n, "%s/wardwatch-demo.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(tmpdb)) {
        fprintf(stderr, "wardwatch: cannot create a temporary directory: %s\n", strerror(errno));
        tmpdb[0] = 0;
        return -1;
    }
    snprintf(cfg->database, sizeof cfg->database, "%s/demo.db", tmpdb);
    return 0;
}

/* Remove the demo's database directory. */
static void demo_cleanup(const char *tmpdb)
{
    char f[PATH_MAX + 32];
    const char *suffix[] = {"/demo.db", "/demo.db-wal", "/demo.db-shm", "/demo.db.lock"};
    for (int i = 0; i < 4; i++) {
        snprintf(f, sizeof f, "%s%s", tmpdb, suffix[i]);
        unlink(f);
    }
    rmdir(tmpdb);
}

/* The board over a monitoring core in this process. */
static int run_embedded(const struct ward_config *cfg, const struct board_args *o,
                        const char *start_msg)
{
    char err[1024];
    struct cmd_core core;
    struct cmd_core_opts co = {
        .store = true,
        .signals = true,
        .reattach = true,
        .flush = true,
        .mo = {.speed = o->speed, .loop_recordings = o->demo, .live_clock = !o->demo,
               .export = true}};
    if (cmd_core_start(&core, cfg, &co, err, sizeof err) < 0) {
        fprintf(stderr, "wardwatch: %s\n", err);
        return 1;
    }
    print_install(monitor_ward(core.m)); /* the core prints through the command layer */
    if (o->demo)
        demo_admissions(monitor_ward(core.m), monitor_now(core.m));
    if (monitor_start(core.m) < 0) {
        fprintf(stderr, "wardwatch: the ward's clock cannot be started\n");
        cmd_core_stop(&core); /* store, lock and loop too, not only the monitor */
        return 1;
    }
    struct board_opts bo = {.embedded = true, .say_local = !o->demo, .demo = o->demo,
                            .speed = o->speed, .start_msg = start_msg};
    struct view v = view_embedded(core.m);
    int rc = board_run(core.l, &v, &bo);
    cmd_core_stop(&core);
    return rc;
}

/* Entry: parse, load, attach or start the core here, run. */
int cmd_board_main(int argc, char **argv)
{
    struct board_args o;
    int rc = parse_args(argc, argv, &o);
    if (rc >= 0)
        return rc;
    char err[1024], ini[PATH_MAX + 16], tmpdb[PATH_MAX] = "";
    if (o.demo) {
        if (demo_prepare(ini, sizeof ini) < 0)
            return 1;
        o.cfgpath = ini;
    }
    struct ward_config *cfg = calloc(1, sizeof *cfg);
    if (!cfg)
        return 1;
    if (config_load(o.cfgpath, cfg, err, sizeof err) < 0) {
        fprintf(stderr, "wardwatch: %s\n", err);
        free(cfg);
        return 2;
    }
    char start_msg[CONFIG_PATH_MAX + 128] = "";
    if (!o.demo && !o.want_embedded && !o.dbpath &&
        (rc = try_attach(cfg, &o, start_msg, sizeof start_msg)) >= 0) {
        free(cfg);
        return rc;
    }
    if (o.demo && !o.dbpath) {
        if (demo_database(cfg, tmpdb, sizeof tmpdb) < 0) {
            free(cfg);
            return 1;
        }
    } else if (o.dbpath) {
        snprintf(cfg->database, sizeof cfg->database, "%s", o.dbpath);
    }
    if (log_open(cfg->log_file[0] ? cfg->log_file : NULL, err, sizeof err) < 0) {
        fprintf(stderr, "wardwatch: %s\n", err);
        rc = 1;
    } else {
        rc = run_embedded(cfg, &o, start_msg);
        log_close();
    }
    if (tmpdb[0])
        demo_cleanup(tmpdb);
    free(cfg);
    return rc;
}
