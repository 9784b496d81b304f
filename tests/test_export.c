/* Tests for src/export: alarm transitions written by the store reach a real
 * MLLP peer (tests/hl7_peer.py, Debian's python3-hl7) as ORU^R40 through the
 * outbox, in order, on the destination's alarm connection; what is pending
 * when wardwatch stops is delivered after a restart. */
#include "ww_test.h"
#include "config.h"
#include "export.h"
#include "loop.h"
#include "store.h"
#include "util.h"
#include "ward.h"

#include <libintl.h>
#include <limits.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char *dir;
static char dbpath[4200], portfile[4200], logfile[4200], script[4200];
static const char *py;
static pid_t peer = -1; /* killed by the teardown when an assertion fails */

static int bed_info(void *ctx, int bed, struct hl7_subject *s, struct alarm_limits *lim)
{
    (void)ctx;
    if (bed != 3)
        return -1;
    strcpy(s->patient_ref, "12345678901");
    strcpy(s->bed_label, "Rom 2 \xc3\xa6\xc3\xb8\xc3\xa5");
    strcpy(s->device_id, "0012A2FFFE000003");
    *lim = (struct alarm_limits){.rr_low = 8, .rr_high = 25, .hr_low = 40, .hr_high = 130};
    return 0;
}

static const char *python_with_hl7(void)
{
    static const char *const cand[] = {"/usr/bin/python3", "python3"};
    for (size_t i = 0; i < 2; i++) {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "%s -c 'import hl7.mllp' >/dev/null 2>&1", cand[i]);
        if (system(cmd) == 0)
            return cand[i];
    }
    return NULL;
}

static const char *peer_plan = ""; /* hl7_peer.py's PLAN */

static pid_t peer_start(int port)
{
    unlink(portfile);
    unlink(logfile);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char ps[16];
        snprintf(ps, sizeof ps, "%d", port);
        execlp(py, py, script, portfile, logfile, ps, peer_plan, (char *)NULL);
        _exit(127);
    }
    peer = pid;
    for (int i = 0; i < 400; i++) {
        if (access(portfile, R_OK) == 0)
            return pid;
        usleep(50000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    fail_msg("the peer did not start");
    return -1;
}

static int peer_port(void)
{
    FILE *f = fopen(portfile, "r");
    int p = 0;
    assert_non_null(f);
    assert_int_equal(fscanf(f, "%d", &p), 1);
    fclose(f);
    return p;
}

static void peer_kill_now(pid_t pid)
{
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    peer = -1;
}

static int count_lines(void)
{
    FILE *f = fopen(logfile, "r");
    int n = 0, c;
    while (f && (c = fgetc(f)) != EOF)
        n += c == '\n';
    if (f)
        fclose(f);
    return n;
}

static void run_until_lines(struct loop *l, int lines)
{
    int64_t end = ww_mono_ms() + 30000; /* a hang guard */
    while (count_lines() < lines && ww_mono_ms() < end)
        loop_once(l, 50);
    /* let the last ACK settle its row */
    int64_t settle = ww_mono_ms() + 300;
    while (ww_mono_ms() < settle)
        loop_once(l, 20);
}

static void config_for(struct ward_config *cfg, int port)
{
    config_defaults(cfg);
    cfg->nexports = 1;
    struct config_export *x = &cfg->exports[0];
    memset(x, 0, sizeof *x);
    strcpy(x->name, "imatis");
    x->protocol = EXPORT_HL7;
    strcpy(x->host, "127.0.0.1");
    x->port = port;
    strcpy(x->facility, "STOLAV");
    x->period_s = 60;
    x->alarms = true;
    x->ack_timeout_s = 2;
    x->fail_alarm_min = 10;
}

/* The python3-hl7 peer and a fresh directory, or skip. */
static void need_peer(void)
{
    py = python_with_hl7();
    const char *roots[] = {"tests/hl7_peer.py", "../tests/hl7_peer.py"};
    for (int i = 0; i < 2 && !script[0]; i++)
        if (access(roots[i], R_OK) == 0) {
            char *abs = realpath(roots[i], NULL);
            ww_strlcpy(script, abs, sizeof script);
            free(abs);
        }
    if (!py || !script[0]) {
        print_message("# SKIP: python3-hl7 not installed (sh scripts/deps.sh test)\n");
        skip();
    }
    dir = ww_test_tmpdir();
    snprintf(dbpath, sizeof dbpath, "%s/ward.db", dir);
    snprintf(portfile, sizeof portfile, "%s/port", dir);
    snprintf(logfile, sizeof logfile, "%s/log", dir);
}

static void test_alarms_reach_the_peer(void **state)
{
    need_peer();
    peer_plan = "";
    char err[512];
    pid_t pid = peer_start(0);
    int port = peer_port();
    struct ward_config *cfg = calloc(1, sizeof *cfg);
    config_for(cfg, port);
    struct hl7_ident id = {0};
    strcpy(id.app, "WARDWATCH");
    strcpy(id.app_uid, "0012A2FFFE3C4D5E");
    strcpy(id.ward, "Obs 3");
    struct loop *l = loop_new(false);
    struct store *st = store_open(dbpath, NULL, err, sizeof err);
    assert_non_null(st);
    assert_int_equal(store_sync_bed(st, 3, "Rom 2", err, sizeof err), 0);
    struct export *e = export_new(l, st, cfg, &id, bed_info, NULL, err, sizeof err);
    if (!e)
        fail_msg("%s", err);
    int64_t a;
    assert_int_equal(store_alarm_raise(st, 3, "rr-high", "medium", 1773144000000LL, &a, err,
                                       sizeof err), 0);
    assert_int_equal(store_alarm_event(st, a, "acknowledged", "acknowledged", "KN",
                                       1773144010000LL, err, sizeof err), 0);
    assert_int_equal(store_alarm_event(st, a, "ended", "ended", NULL, 1773144090000LL, err,
                                       sizeof err), 0);
    export_kick(e);
    run_until_lines(l, 3);
    FILE *f = fopen(logfile, "r");
    char got[3][128] = {{0}};
    for (int i = 0; f && i < 3; i++)
        if (!fgets(got[i], sizeof got[i], f))
            break;
    if (f)
        fclose(f);
    /* in order, each once, control ids from the alarm events' rows */
    assert_non_null(strstr(got[0], "1 WWA"));
    assert_non_null(strstr(got[1], "2 WWA"));
    assert_non_null(strstr(got[2], "3 WWA"));
    struct export_status es;
    assert_int_equal(export_count(e), 2); /* observations, alarms */
    assert_int_equal(export_status(e, 0, &es), 0);
    assert_string_equal(es.dest, "imatis");
    assert_int_equal(export_status(e, 1, &es), 0);
    assert_string_equal(es.dest, "imatis/alarms");
    assert_int_equal(es.pending, 0);
    assert_int_equal(es.failing_since_ms, 0);

    /* The peer goes away; an alarm is raised; wardwatch stops. */
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    int64_t b;
    assert_int_equal(store_alarm_raise(st, 3, "apnoea", "high", 1773144100000LL, &b, err,
                                       sizeof err), 0);
    export_kick(e);
    int64_t end = ww_mono_ms() + 1500;
    while (ww_mono_ms() < end)
        loop_once(l, 50);
    assert_int_equal(export_status(e, 1, &es), 0);
    assert_int_equal(es.pending, 1);
    assert_true(es.failing_since_ms > 0);
    assert_int_equal(es.oldest_ms, 1773144100000LL);
    export_free(e);
    store_close(st);
    loop_free(l);

    /* Restart: the peer is back on its port, wardwatch starts again and
     * drains what was pending. */
    pid = peer_start(port);
    l = loop_new(false);
    st = store_open(dbpath, NULL, err, sizeof err);
    assert_non_null(st);
    e = export_new(l, st, cfg, &id, bed_info, NULL, err, sizeof err);
    assert_non_null(e);
    run_until_lines(l, 1);
    f = fopen(logfile, "r");
    char line[128] = "";
    if (f) {
        if (!fgets(line, sizeof line, f))
            line[0] = 0;
        fclose(f);
    }
    assert_non_null(strstr(line, "1 WWA"));
    assert_int_equal(export_status(e, 1, &es), 0);
    assert_int_equal(es.pending, 0);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    export_free(e);
    store_close(st);
    loop_free(l);
    free(cfg);
    ww_test_rmtree(dir);
    free(dir);
}

/* Line k (1-based) of the peer's log, "" when it has fewer. */
static void log_line(int k, char *out, size_t n)
{
    FILE *f = fopen(logfile, "r");
    out[0] = 0;
    for (int i = 0; f && i < k; i++)
        if (!fgets(out, (int)n, f)) {
            out[0] = 0;
            break;
        }
    if (f)
        fclose(f);
}

/* An observation backlog never delays an alarm: 30 ORU^R01 wait in the
 * outbox and the first is never acknowledged (the receiver stuck on it);
 * an alarm raised then reaches the receiver next, on its own connection,
 * long before the backlog has moved. */
static void test_alarm_overtakes_observation_backlog(void **state)
{
    need_peer();
    char err[512];
    /* the backlog, as a long outage would leave it */
    struct store *st = store_open(dbpath, NULL, err, sizeof err);
    assert_non_null(st);
    assert_int_equal(store_sync_bed(st, 3, "Rom 2", err, sizeof err), 0);
    store_close(st);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
    struct hl7_ident id = {0};
    strcpy(id.app, "WARDWATCH");
    strcpy(id.facility, "STOLAV");
    strcpy(id.ward, "Obs 3");
    for (int k = 0; k < 30; k++) {
        struct hl7_obs o = {0};
        snprintf(o.control_id, sizeof o.control_id, "WWO3-%d", 1773140000 + 60 * k);
        o.t0_ms = (1773140000LL + 60 * k) * 1000;
        o.t1_ms = o.msg_ms = o.t0_ms + 60000;
        strcpy(o.subj.patient_ref, "12345678901");
        o.have_rr = true;
        o.rr = 16;
        o.rr_ms = o.t1_ms - 1000;
        size_t len;
        char *m = hl7_build_oru_r01(&id, &o, &len, err, sizeof err);
        assert_non_null(m);
        sqlite3_stmt *ins;
        assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO outbox(dest, control_id, bed, "
                                                "created_at, body) VALUES('imatis',?,3,?,?)",
                                            -1, &ins, NULL),
                         SQLITE_OK);
        sqlite3_bind_text(ins, 1, o.control_id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(ins, 2, o.t1_ms);
        sqlite3_bind_blob(ins, 3, m, (int)len, SQLITE_TRANSIENT);
        assert_int_equal(sqlite3_step(ins), SQLITE_DONE);
        sqlite3_finalize(ins);
        free(m);
    }
    sqlite3_close(db);

    peer_plan = "missing"; /* the first message is never acknowledged */
    pid_t pid = peer_start(0);
    struct ward_config *cfg = calloc(1, sizeof *cfg);
    config_for(cfg, peer_port());
    strcpy(id.app_uid, "0012A2FFFE3C4D5E");
    struct loop *l = loop_new(false);
    st = store_open(dbpath, NULL, err, sizeof err);
    assert_non_null(st);
    struct export *e = export_new(l, st, cfg, &id, bed_info, NULL, err, sizeof err);
    if (!e)
        fail_msg("%s", err);
    int64_t end = ww_mono_ms() + 10000;
    while (count_lines() < 1 && ww_mono_ms() < end)
        loop_once(l, 20);
    char line[128];
    log_line(1, line, sizeof line);
    assert_non_null(strstr(line, "1 WWO3-1773140000 missing"));

    int64_t a;
    assert_int_equal(store_alarm_raise(st, 3, "apnoea", "high", 1773144000000LL, &a, err,
                                       sizeof err), 0);
    export_kick(e);
    int64_t t0 = ww_mono_ms();
    end = t0 + 10000;
    while (count_lines() < 2 && ww_mono_ms() < end)
        loop_once(l, 20);
    int64_t took = ww_mono_ms() - t0;
    log_line(2, line, sizeof line);
    assert_non_null(strstr(line, "2 WWA"));
    /* well inside the observation connection's ACK timeout (2 s) */
    assert_true(took < 1500);
    struct export_status es;
    assert_int_equal(export_status(e, 0, &es), 0);
    assert_string_equal(es.dest, "imatis");
    assert_int_equal(es.pending, 30);
    peer_kill_now(pid);
    export_free(e);
    store_close(st);
    loop_free(l);
    free(cfg);
    ww_test_rmtree(dir);
    free(dir);
}

static int bed1_info(void *ctx, int bed, struct hl7_subject *s, struct alarm_limits *lim)
{
    (void)ctx;
    if (bed != 1)
        return -1;
    strcpy(s->patient_ref, "P-1");
    strcpy(s->bed_label, "Rom 1");
    *lim = (struct alarm_limits){.rr_low = 8, .rr_high = 25, .hr_low = 40, .hr_high = 130};
    return 0;
}

/* A ward second as the monitor runs it, with a radar reading. */
static void ward_second(struct ward *w, struct export *e, int64_t t)
{
    struct reading r = {.have = READING_RR | READING_HR | READING_PRESENCE, .rr = 14, .hr = 70,
                        .presence = true};
    ward_reading(w, 0, &r, t);
    export_before_tick(e, w, t);
    ward_tick(w, t);
    export_tick(e, w, t);
}

/* The store unwritable for five periods: the first flush after it puts one
 * ORU^R01 per bed, and that message covers the whole gap (OBR-7/8), with
 * the values entered by hand in any period of it. It used to cover only
 * the gap's first period, so a temperature entered later in the gap never
 * reached the chart, and the score was dated four minutes early. */
static void test_gap_is_one_message_covering_it(void **state)
{
    char err[1024];
    dir = ww_test_tmpdir();
    snprintf(dbpath, sizeof dbpath, "%s/ward.db", dir);
    char ini[4200];
    snprintf(ini, sizeof ini, "%s/w.ini", dir);
    ww_test_write_file(ini, "[ward]\nname = Obs 3\ndatabase = ward.db\n[bed.1]\nlabel = Rom 1\n"
                            "sensor = ti-vs:file:/dev/null\n");
    struct ward_config *cfg = calloc(1, sizeof *cfg);
    if (config_load(ini, cfg, err, sizeof err) < 0)
        fail_msg("%s", err);
    struct ward_config hl7 = {0};
    config_for(&hl7, 9); /* nobody listens: the messages stay in the outbox */
    cfg->nexports = 1;
    cfg->exports[0] = hl7.exports[0];
    struct hl7_ident id = {0};
    strcpy(id.app, "WARDWATCH");
    strcpy(id.ward, "Obs 3");
    struct loop *l = loop_new(false);
    struct store *st = store_open(dbpath, NULL, err, sizeof err);
    assert_non_null(st);
    struct ward *w = ward_new(cfg, st, err, sizeof err);
    if (!w)
        fail_msg("%s", err);
    struct export *e = export_new(l, st, cfg, &id, bed1_info, NULL, err, sizeof err);
    if (!e)
        fail_msg("%s", err);
    const int64_t P = 1773144000000LL; /* 12:00:00 UTC, a period start */
    assert_int_equal(ward_cmd_admit(w, 0, "P-1", "", "KN", P - 5000, err, sizeof err), 0);
    for (int64_t t = P; t < P + 30000; t += 1000)
        ward_second(w, e, t);
    assert_int_equal(ward_cmd_observation(w, 0, "spo2", "95", "KN", P + 10000, err, sizeof err), 0);
    assert_int_equal(ward_flush(w, err, sizeof err), 0);
    /* no flush for five minutes (the store down); a temperature entered in
     * the gap's fourth minute */
    for (int64_t t = P + 30000; t < P + 330000; t += 1000) {
        ward_second(w, e, t);
        if (t == P + 200000)
            assert_int_equal(ward_cmd_observation(w, 0, "temp", "38.2", "AB", t, err, sizeof err),
                             0);
    }
    assert_int_equal(ward_flush(w, err, sizeof err), 0);
    struct store_outbox_row row;
    assert_int_equal(store_outbox_next(st, "imatis", &row, err, sizeof err), 1);
    assert_string_equal(row.control_id, "WWO1-1773144000");
    assert_non_null(strstr(row.body, "|||20260310120000+0000|20260310120500+0000\r")); /* OBR */
    assert_non_null(strstr(row.body, "|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.2.1.2|95|"));
    assert_non_null(strstr(row.body, "|150364^MDC_TEMP_BODY^MDC|1.2.1.7|38.2|"));
    assert_non_null(strstr(row.body, "20260310120320+0000||AB|MMEAS"));
    store_outbox_row_free(&row);
    int64_t pending, oldest, dead;
    assert_int_equal(store_outbox_pending(st, "imatis", &pending, &oldest, &dead, err, sizeof err),
                     0);
    assert_int_equal(pending, 1); /* one message for the gap */
    export_free(e);
    ward_free(w);
    store_close(st);
    loop_free(l);
    free(cfg);
    ww_test_rmtree(dir);
    free(dir);
}

static int beds_info(void *ctx, int bed, struct hl7_subject *s, struct alarm_limits *lim)
{
    (void)ctx;
    if (bed != 1 && bed != 2)
        return -1;
    snprintf(s->patient_ref, sizeof s->patient_ref, "P-%d", bed);
    snprintf(s->bed_label, sizeof s->bed_label, "Rom %d", bed);
    *lim = (struct alarm_limits){.rr_low = 8, .rr_high = 25, .hr_low = 40, .hr_high = 130};
    return 0;
}

static void exec_sql(const char *sql)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg);
    sqlite3_close(db);
}

/* A flush whose outbox write fails for one bed fails as a whole; the next
 * one writes every bed's message again, with the radar's values. Bed 1's
 * were thrown away when its message was built, before bed 2's write
 * failed: its retried message had no RR and no pulse. */
static void test_failed_put_keeps_the_values(void **state)
{
    char err[1024];
    dir = ww_test_tmpdir();
    snprintf(dbpath, sizeof dbpath, "%s/ward.db", dir);
    char ini[4200];
    snprintf(ini, sizeof ini, "%s/w.ini", dir);
    ww_test_write_file(ini, "[ward]\nname = Obs 3\ndatabase = ward.db\n[bed.1]\nlabel = Rom 1\n"
                            "sensor = ti-vs:file:/dev/null\n[bed.2]\nlabel = Rom 2\n"
                            "sensor = ti-vs:file:/dev/zero\n");
    struct ward_config *cfg = calloc(1, sizeof *cfg);
    if (config_load(ini, cfg, err, sizeof err) < 0)
        fail_msg("%s", err);
    struct ward_config hl7 = {0};
    config_for(&hl7, 9);
    cfg->nexports = 1;
    cfg->exports[0] = hl7.exports[0];
    struct hl7_ident id = {0};
    strcpy(id.app, "WARDWATCH");
    strcpy(id.ward, "Obs 3");
    struct loop *l = loop_new(false);
    struct store *st = store_open(dbpath, NULL, err, sizeof err);
    assert_non_null(st);
    struct ward *w = ward_new(cfg, st, err, sizeof err);
    assert_non_null(w);
    struct export *e = export_new(l, st, cfg, &id, beds_info, NULL, err, sizeof err);
    assert_non_null(e);
    const int64_t P = 1773144000000LL;
    assert_int_equal(ward_cmd_admit(w, 0, "P-1", "", "KN", P - 5000, err, sizeof err), 0);
    assert_int_equal(ward_cmd_admit(w, 1, "P-2", "", "KN", P - 5000, err, sizeof err), 0);
    for (int64_t t = P; t <= P + 61000; t += 1000) {
        struct reading r = {.have = READING_RR | READING_HR | READING_PRESENCE, .rr = 14,
                            .hr = 70, .presence = true};
        ward_reading(w, 0, &r, t);
        ward_reading(w, 1, &r, t);
        export_before_tick(e, w, t);
        ward_tick(w, t);
        export_tick(e, w, t);
    }
    /* bed 2's message cannot be written */
    exec_sql("CREATE TRIGGER no_bed2 BEFORE INSERT ON outbox WHEN NEW.bed = 2 "
             "BEGIN SELECT RAISE(ABORT, 'injected'); END");
    assert_int_equal(ward_flush(w, err, sizeof err), -1);
    exec_sql("DROP TRIGGER no_bed2");
    assert_int_equal(ward_flush(w, err, sizeof err), 0);
    struct store_outbox_row row;
    assert_int_equal(store_outbox_next(st, "imatis", &row, err, sizeof err), 1);
    assert_string_equal(row.control_id, "WWO1-1773144000");
    assert_non_null(strstr(row.body, "|151562^MDC_RESP_RATE^MDC|1.1.1.1|14|"));
    assert_non_null(strstr(row.body, "|149514^MDC_PULS_RATE^MDC|1.1.1.2|70|"));
    store_outbox_row_free(&row);
    int64_t pending, oldest, dead;
    assert_int_equal(store_outbox_pending(st, "imatis", &pending, &oldest, &dead, err, sizeof err),
                     0);
    assert_int_equal(pending, 2);
    export_free(e);
    ward_free(w);
    store_close(st);
    loop_free(l);
    free(cfg);
    ww_test_rmtree(dir);
    free(dir);
}

/* A real "disk full" at COMMIT: the process may not grow a file past its
 * WAL's present size (RLIMIT_FSIZE, writes fail with EFBIG). The store's
 * transaction (BEGIN IMMEDIATE, then rows in SQLite's page cache) succeeds
 * up to COMMIT, which must append the pages to the WAL and fails. */
static struct rlimit fsize_saved;
static void disk_full(bool on)
{
    if (!on) {
        assert_int_equal(setrlimit(RLIMIT_FSIZE, &fsize_saved), 0);
        return;
    }
    char wal[4300];
    snprintf(wal, sizeof wal, "%s-wal", dbpath);
    struct stat sb;
    assert_int_equal(stat(wal, &sb), 0);
    signal(SIGXFSZ, SIG_IGN); /* EFBIG, not a killed process */
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &fsize_saved), 0);
    struct rlimit r = fsize_saved;
    r.rlim_cur = (rlim_t)sb.st_size;
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &r), 0);
}

struct commit_fix {
    struct ward_config *cfg;
    struct loop *l;
    struct store *st;
    struct ward *w;
    struct export *e;
};

/* Two admitted beds, an hl7 destination (alarms too) nobody listens to;
 * ndest 2: a second one, "chart", after it. */
static void commit_fix_open(struct commit_fix *f, int64_t admit, int ndest)
{
    char err[1024];
    dir = ww_test_tmpdir();
    snprintf(dbpath, sizeof dbpath, "%s/ward.db", dir);
    char ini[4200];
    snprintf(ini, sizeof ini, "%s/w.ini", dir);
    ww_test_write_file(ini, "[ward]\nname = Obs 3\ndatabase = ward.db\n[bed.1]\nlabel = Rom 1\n"
                            "sensor = ti-vs:file:/dev/null\n[bed.2]\nlabel = Rom 2\n"
                            "sensor = ti-vs:file:/dev/zero\n");
    f->cfg = calloc(1, sizeof *f->cfg);
    if (config_load(ini, f->cfg, err, sizeof err) < 0)
        fail_msg("%s", err);
    struct ward_config hl7 = {0};
    config_for(&hl7, 9);
    f->cfg->nexports = ndest;
    for (int i = 0; i < ndest; i++)
        f->cfg->exports[i] = hl7.exports[0];
    if (ndest > 1)
        strcpy(f->cfg->exports[1].name, "chart");
    struct hl7_ident id = {0};
    strcpy(id.app, "WARDWATCH");
    strcpy(id.ward, "Obs 3");
    f->l = loop_new(false);
    f->st = store_open(dbpath, NULL, err, sizeof err);
    assert_non_null(f->st);
    f->w = ward_new(f->cfg, f->st, err, sizeof err);
    assert_non_null(f->w);
    f->e = export_new(f->l, f->st, f->cfg, &id, beds_info, NULL, err, sizeof err);
    assert_non_null(f->e);
    assert_int_equal(ward_cmd_admit(f->w, 0, "P-1", "", "KN", admit, err, sizeof err), 0);
    assert_int_equal(ward_cmd_admit(f->w, 1, "P-2", "", "KN", admit, err, sizeof err), 0);
    assert_int_equal(ward_flush(f->w, err, sizeof err), 0);
}

static void commit_fix_close(struct commit_fix *f)
{
    export_free(f->e);
    ward_free(f->w);
    store_close(f->st);
    loop_free(f->l);
    free(f->cfg);
    ww_test_rmtree(dir);
    free(dir);
}

/* Both beds' radar (RR 14, pulse 70) every second of [t0, t1). */
static void commit_fix_run(struct commit_fix *f, int64_t t0, int64_t t1)
{
    for (int64_t t = t0; t < t1; t += 1000) {
        struct reading r = {.have = READING_RR | READING_HR | READING_PRESENCE, .rr = 14,
                            .hr = 70, .presence = true};
        ward_reading(f->w, 0, &r, t);
        ward_reading(f->w, 1, &r, t);
        export_before_tick(f->e, f->w, t);
        ward_tick(f->w, t);
        export_tick(f->e, f->w, t);
    }
}

/* Rows in the outbox of dest, and how many distinct control ids; alarm > 0:
 * only the messages of that alarm's transitions. */
static void outbox_count(const char *dest, int64_t alarm, int *rows, int *ids)
{
    sqlite3 *db;
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT count(*), count(DISTINCT control_id) FROM outbox"
                                        " WHERE dest = ?1 AND (?2 <= 0 OR control_id IN"
                                        " (SELECT 'WWA' || id FROM alarm_events"
                                        "  WHERE alarm = ?2))",
                                        -1, &s, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(s, 1, dest, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, alarm);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    *rows = sqlite3_column_int(s, 0);
    *ids = sqlite3_column_int(s, 1);
    sqlite3_finalize(s);
    sqlite3_close(db);
}

/* H20-40: the flush that carries a period's ORU^R01 fails at COMMIT (disk
 * full). The export had already thrown the period's radar values away and
 * moved to the next period when it handed the messages over, so the
 * rolled-back period was never exported. Now the values are kept until the
 * store says the transaction committed: the next good flush writes the
 * period once, with its values, and the period after it follows once. */
static void test_failed_commit_keeps_the_period(void **state)
{
    char err[1024];
    struct commit_fix f;
    const int64_t P = 1773144000000LL; /* 12:00:00 UTC, a period start */
    commit_fix_open(&f, P - 5000, 1);
    commit_fix_run(&f, P, P + 61000);
    disk_full(true);
    int rc = ward_flush(f.w, err, sizeof err);
    disk_full(false);
    assert_int_equal(rc, -1);
    print_message("# the injected fault: %s\n", err);
    int rows, ids;
    outbox_count("imatis", 0, &rows, &ids);
    assert_int_equal(rows, 0); /* rolled back with the samples */
    commit_fix_run(&f, P + 61000, P + 65000);
    assert_int_equal(ward_flush(f.w, err, sizeof err), 0);
    outbox_count("imatis", 0, &rows, &ids);
    assert_int_equal(rows, 2); /* the period, once per bed */
    assert_int_equal(ids, 2);
    struct store_outbox_row row;
    assert_int_equal(store_outbox_next(f.st, "imatis", &row, err, sizeof err), 1);
    assert_string_equal(row.control_id, "WWO1-1773144000");
    assert_non_null(strstr(row.body, "|||20260310120000+0000|20260310120100+0000\r")); /* OBR */
    assert_non_null(strstr(row.body, "|151562^MDC_RESP_RATE^MDC|1.1.1.1|14|"));
    assert_non_null(strstr(row.body, "|149514^MDC_PULS_RATE^MDC|1.1.1.2|70|"));
    store_outbox_row_free(&row);
    /* committed: the next period is its own message, the first not again */
    commit_fix_run(&f, P + 65000, P + 121000);
    assert_int_equal(ward_flush(f.w, err, sizeof err), 0);
    commit_fix_run(&f, P + 121000, P + 125000);
    assert_int_equal(ward_flush(f.w, err, sizeof err), 0);
    outbox_count("imatis", 0, &rows, &ids);
    assert_int_equal(rows, 4);
    assert_int_equal(ids, 4);
    commit_fix_close(&f);
}

/* H20-42: with two destinations, the second's write of a period fails
 * (once) after the first's went in: the whole flush is rolled back. The
 * first destination had already emptied its values and moved on, so its
 * period was lost; now both write it at the next flush, once. */
static void test_second_destination_failing_keeps_the_first(void **state)
{
    char err[1024];
    struct commit_fix f;
    const int64_t P = 1773144000000LL;
    commit_fix_open(&f, P - 5000, 2);
    commit_fix_run(&f, P, P + 61000);
    exec_sql("CREATE TRIGGER no_chart BEFORE INSERT ON outbox WHEN NEW.dest = 'chart' "
             "BEGIN SELECT RAISE(ABORT, 'injected'); END");
    assert_int_equal(ward_flush(f.w, err, sizeof err), -1);
    exec_sql("DROP TRIGGER no_chart");
    commit_fix_run(&f, P + 61000, P + 63000);
    assert_int_equal(ward_flush(f.w, err, sizeof err), 0);
    int rows, ids;
    const char *dests[] = {"imatis", "chart"};
    for (int i = 0; i < 2; i++) {
        outbox_count(dests[i], 0, &rows, &ids);
        assert_int_equal(rows, 2);
        assert_int_equal(ids, 2);
        struct store_outbox_row row;
        assert_int_equal(store_outbox_next(f.st, dests[i], &row, err, sizeof err), 1);
        assert_string_equal(row.control_id, "WWO1-1773144000");
        assert_non_null(strstr(row.body, "|151562^MDC_RESP_RATE^MDC|1.1.1.1|14|"));
        store_outbox_row_free(&row);
    }
    commit_fix_close(&f);
}

/* H20-41: an alarm transition (raise, then a nurse's acknowledgement)
 * whose transaction fails at COMMIT: its ORU^R40 rolled back with it, the
 * store holds the transition and writes it, with a new message, at the
 * first good flush: each transition goes out once. */
static void test_failed_commit_alarm_goes_once(void **state)
{
    char err[1024];
    struct commit_fix f;
    const int64_t P = 1773144000000LL;
    commit_fix_open(&f, P - 5000, 1);
    commit_fix_run(&f, P, P + 5000);
    int64_t aid = 0;
    disk_full(true);
    int raise = store_alarm_raise(f.st, 1, "rr-high", "medium", P + 5000, &aid, err, sizeof err);
    int ack = store_alarm_event(f.st, aid, "acknowledged", "acknowledged", "KN", P + 6000, err,
                                sizeof err);
    disk_full(false);
    assert_int_equal(raise, 0);
    assert_true(aid < 0); /* held under a provisional id: the COMMIT failed */
    assert_int_equal(ack, 1);
    int rows, ids;
    outbox_count("imatis/alarms", 0, &rows, &ids);
    assert_int_equal(rows, 0);
    commit_fix_run(&f, P + 5000, P + 8000);
    assert_int_equal(ward_flush(f.w, err, sizeof err), 0);
    outbox_count("imatis/alarms", 1, &rows, &ids);
    assert_int_equal(rows, 2);
    assert_int_equal(ids, 2);
    struct store_outbox_row row;
    assert_int_equal(store_outbox_next(f.st, "imatis/alarms", &row, err, sizeof err), 1);
    assert_non_null(strstr(row.body, "ORU^R40"));
    assert_int_equal(store_outbox_settle(f.st, row.id, true, "", P + 9000, err, sizeof err), 0);
    store_outbox_row_free(&row);
    assert_int_equal(store_outbox_next(f.st, "imatis/alarms", &row, err, sizeof err), 1);
    assert_non_null(strstr(row.body, "KN"));
    store_outbox_row_free(&row);
    /* later flushes write nothing of it again (the ward's own alarms,
     * observations overdue, are other alarms) */
    commit_fix_run(&f, P + 8000, P + 12000);
    assert_int_equal(ward_flush(f.w, err, sizeof err), 0);
    outbox_count("imatis/alarms", 1, &rows, &ids);
    assert_int_equal(rows, 1);
    commit_fix_close(&f);
}

/* The status line's export part reaches the nurse on the board: in the
 * process's language (po/nb.po), as the rest of the board. */
static void test_status_text_translated(void **state)
{
    char buf[200];
    setlocale(LC_ALL, "C");
    export_dest_text("imatis/alarms", EXPORT_ST_FAILING, "14:02", 12, 0, true, buf, sizeof buf);
    assert_string_equal(buf, "export imatis/alarms FAILING since 14:02, 12 waiting (dead letters)");
    export_dest_text("chart", EXPORT_ST_RETRYING, "", 4, 0, false, buf, sizeof buf);
    assert_string_equal(buf, "export chart retrying, 4 waiting");
    export_dest_text("chart", EXPORT_ST_OK, "", 9, 180000, false, buf, sizeof buf);
    assert_string_equal(buf, "export chart 3 min behind");
    export_dest_text("chart", EXPORT_ST_OK, "", 0, 0, false, buf, sizeof buf);
    assert_string_equal(buf, "export chart ok");

    /* the catalogue the build made: build/locale beside build/tests */
    char exe[PATH_MAX], locdir[PATH_MAX + 32] = "";
    ssize_t l = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (l > 0) {
        exe[l] = 0;
        *strrchr(exe, '/') = 0;
        snprintf(locdir, sizeof locdir, "%s/../../build/locale", exe);
    }
    char mo[sizeof locdir + 64];
    snprintf(mo, sizeof mo, "%s/nb/LC_MESSAGES/wardwatch.mo", locdir);
    if (access(mo, R_OK) != 0 || !setlocale(LC_ALL, "nb_NO.UTF-8")) {
        setlocale(LC_ALL, "C");
        print_message("# SKIP: no nb_NO.UTF-8 locale or no %s (make)\n", mo);
        skip();
    }
    unsetenv("LANGUAGE");
    bindtextdomain("wardwatch", locdir);
    bind_textdomain_codeset("wardwatch", "UTF-8");
    textdomain("wardwatch");
    export_dest_text("imatis/alarms", EXPORT_ST_FAILING, "14:02", 12, 0, true, buf, sizeof buf);
    assert_string_equal(buf, "eksport imatis/alarms FEILER siden 14:02, 12 venter (avviste meldinger)");
    export_dest_text("chart", EXPORT_ST_RETRYING, "", 4, 0, false, buf, sizeof buf);
    assert_string_equal(buf, "eksport chart pr\xc3\xb8ver igjen, 4 venter");
    export_dest_text("chart", EXPORT_ST_OK, "", 9, 180000, false, buf, sizeof buf);
    assert_string_equal(buf, "eksport chart 3 min p\xc3\xa5 etterskudd");
    setlocale(LC_ALL, "C");
}

static int teardown(void **state)
{
    if (peer > 0) {
        kill(peer, SIGKILL);
        waitpid(peer, NULL, 0);
    }
    peer = -1;
    return 0;
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_alarms_reach_the_peer, teardown),
        cmocka_unit_test_teardown(test_alarm_overtakes_observation_backlog, teardown),
        cmocka_unit_test(test_gap_is_one_message_covering_it),
        cmocka_unit_test(test_failed_put_keeps_the_values),
        cmocka_unit_test(test_failed_commit_keeps_the_period),
        cmocka_unit_test(test_failed_commit_alarm_goes_once),
        cmocka_unit_test(test_second_destination_failing_keeps_the_first),
        cmocka_unit_test(test_status_text_translated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
