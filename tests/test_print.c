/* Tests for src/print.c, the handover printer the command layer installs
 * on the ward (H19-40): the core alone refuses a print, an installed
 * printer runs a stand-in lp under the loop and audits through the core
 * (ok, lp's refusal, lp missing), at most PRINT_MAX_JOBS run at once, a
 * forgotten print never calls back, and a ward freed mid-print gives it up
 * (lp killed). The core's objects naming no printing symbol is checked by
 * tests/t_layers.sh. */
#include "ww_test.h"
#include "config.h"
#include "loop.h"
#include "print.h"
#include "store.h"
#include "ward.h"

#include <sqlite3.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *dir, *oldpath;
static struct ward_config cfg;
static char db[4200];
static const int64_t T = 1700000000000LL;

static int setup(void **state)
{
    char err[1024], ini[4200];
    dir = ww_test_tmpdir();
    snprintf(ini, sizeof ini, "%s/w.ini", dir);
    snprintf(db, sizeof db, "%s/ward.db", dir);
    ww_test_write_file(ini, "[ward]\nname = Test\ndatabase = ward.db\n[handover]\nprinter = obs3\n"
                            "[bed.1]\nlabel = Rom 1\n[bed.2]\nlabel = Rom 2\n");
    if (config_load(ini, &cfg, err, sizeof err) < 0)
        fail_msg("%s", err);
    oldpath = strdup(getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
    return 0;
}

static int teardown(void **state)
{
    setenv("PATH", oldpath, 1);
    free(oldpath);
    ww_test_rmtree(dir);
    free(dir);
    return 0;
}

/* An lp of this body first on PATH. */
static void fake_lp(const char *body)
{
    char path[4300], newpath[8192];
    snprintf(path, sizeof path, "%s/lp", dir);
    ww_test_write_file(path, body);
    chmod(path, 0755);
    snprintf(newpath, sizeof newpath, "%s:%s", dir, oldpath);
    setenv("PATH", newpath, 1);
}

static long long db_int(const char *sql)
{
    sqlite3 *d;
    sqlite3_stmt *s;
    long long v = -1;
    if (sqlite3_open(db, &d) == SQLITE_OK && sqlite3_prepare_v2(d, sql, -1, &s, NULL) == SQLITE_OK) {
        if (sqlite3_step(s) == SQLITE_ROW)
            v = sqlite3_column_int64(s, 0);
        sqlite3_finalize(s);
    }
    sqlite3_close(d);
    return v;
}

struct answer {
    int calls;
    bool ok;
    char msg[1200];
    struct loop *l;
};

static void on_printed(void *ctx, bool ok, const char *msg)
{
    struct answer *a = ctx;
    a->calls++;
    a->ok = ok;
    snprintf(a->msg, sizeof a->msg, "%s", msg);
    loop_stop(a->l);
}

static void on_give_up(struct loop *l, int id, void *ctx)
{
    loop_stop(l);
}

/* Run l until a print answers (or 10 s). */
static void run(struct loop *l)
{
    int g = loop_add_timer(l, 10000, false, on_give_up, NULL);
    loop_run(l);
    loop_del_timer(l, g);
}

static int start(struct ward *w, struct loop *l, const char *staff, struct answer *a, char *err,
                 size_t n)
{
    return ward_print_handover_start(w, l, "day", T - 3600000, T, staff, T, on_printed, a, err, n);
}

/* Without print_install the core does not print: refused, nothing audited. */
static void test_core_alone_refuses(void **state)
{
    char err[512];
    unlink(db);
    struct store *st = store_open(db, NULL, err, sizeof err);
    struct ward *w = ward_new(&cfg, st, err, sizeof err);
    struct loop *l = loop_new(false);
    struct answer a = {0, false, "", l};
    assert_int_equal(start(w, l, "OS", &a, err, sizeof err), -1);
    assert_string_equal(err, "this process does not print handovers");
    /* the staff id is the core's to check, installed or not */
    assert_int_equal(start(w, l, "", &a, err, sizeof err), -1);
    assert_non_null(strstr(err, "not a valid staff id"));
    assert_int_equal(a.calls, 0);
    assert_int_equal(db_int("SELECT count(*) FROM audit WHERE action = 'handover-print'"), 0);
    ward_print_forget(w, &a); /* nothing to forget: harmless */
    ward_free(w);
    store_close(st);
    loop_free(l);
}

/* Installed: lp runs under the loop; ok and refused prints are audited
 * through the core and answered once. */
static void test_print_and_audit(void **state)
{
    char err[512], script[4600];
    unlink(db);
    struct store *st = store_open(db, NULL, err, sizeof err);
    struct ward *w = ward_new(&cfg, st, err, sizeof err);
    print_install(w);
    struct loop *l = loop_new(false);
    struct answer a = {0, false, "", l};
    snprintf(script, sizeof script,
             "#!/bin/sh\nfor x in \"$@\"; do echo \"$x\"; done > '%s/args'\n"
             "echo 'request id is obs3-7 (1 file(s))'\n",
             dir);
    fake_lp(script);
    assert_int_equal(start(w, l, "OS", &a, err, sizeof err), 0);
    run(l);
    assert_int_equal(a.calls, 1);
    assert_true(a.ok);
    assert_string_equal(a.msg, "request id is obs3-7 (1 file(s))");
    assert_int_equal(db_int("SELECT count(*) FROM audit WHERE action = 'handover-print' AND "
                            "staff = 'OS' AND detail LIKE 'day pdf %printer obs3: request id is "
                            "obs3-7%ok'"),
                     1);
    /* lp's refusal: answered not ok with lp's words, audited FAILED */
    fake_lp("#!/bin/sh\necho 'lp: The printer or class does not exist.' >&2\nexit 1\n");
    a.calls = 0;
    assert_int_equal(start(w, l, "KN", &a, err, sizeof err), 0);
    run(l);
    assert_int_equal(a.calls, 1);
    assert_false(a.ok);
    assert_string_equal(a.msg, "lp: The printer or class does not exist.");
    assert_int_equal(db_int("SELECT count(*) FROM audit WHERE action = 'handover-print' AND "
                            "staff = 'KN' AND detail LIKE '%does not exist.%FAILED'"),
                     1);
    /* no lp at all: refused at once (glibc's posix_spawnp says so) and
     * never called back, or, where the spawn only fails in the child
     * (valgrind), answered not ok; audited FAILED either way */
    char lp[4300];
    snprintf(lp, sizeof lp, "%s/lp", dir);
    unlink(lp);
    setenv("PATH", dir, 1);
    a.calls = 0;
    if (start(w, l, "ES", &a, err, sizeof err) == 0) {
        run(l);
        assert_int_equal(a.calls, 1);
        assert_false(a.ok);
    } else {
        assert_non_null(strstr(err, "lp"));
        assert_int_equal(a.calls, 0);
    }
    assert_int_equal(db_int("SELECT count(*) FROM audit WHERE action = 'handover-print' AND "
                            "staff = 'ES' AND detail LIKE '%FAILED'"),
                     1);
    setenv("PATH", oldpath, 1);
    ward_free(w);
    store_close(st);
    loop_free(l);
}

/* The pid the slow lp wrote into its file (waits for it). */
static int lp_pid(const char *pidfile)
{
    struct stat pst;
    for (int i = 0; i < 250 && (stat(pidfile, &pst) < 0 || pst.st_size < 2); i++)
        usleep(20000);
    FILE *f = fopen(pidfile, "r");
    int pid = 0;
    if (f && fscanf(f, "%d", &pid) != 1)
        pid = 0;
    if (f)
        fclose(f);
    return pid;
}

/* PRINT_MAX_JOBS at once, the next refused; a forgotten print is killed
 * and never answers; a ward freed mid-print kills the rest. */
static void test_limit_forget_free(void **state)
{
    char err[512], script[4600], pidfile[4300];
    unlink(db);
    snprintf(pidfile, sizeof pidfile, "%s/lp.pid", dir);
    snprintf(script, sizeof script, "#!/bin/sh\necho $$ >> '%s'\nexec sleep 30\n", pidfile);
    fake_lp(script);
    unlink(pidfile);
    struct store *st = store_open(db, NULL, err, sizeof err);
    struct ward *w = ward_new(&cfg, st, err, sizeof err);
    print_install(w);
    struct loop *l = loop_new(false);
    struct answer a[PRINT_MAX_JOBS + 1];
    for (int i = 0; i <= PRINT_MAX_JOBS; i++)
        a[i] = (struct answer){0, false, "", l};
    assert_int_equal(start(w, l, "OS", &a[0], err, sizeof err), 0);
    int first = lp_pid(pidfile);
    assert_true(first > 0);
    for (int i = 1; i < PRINT_MAX_JOBS; i++)
        assert_int_equal(start(w, l, "OS", &a[i], err, sizeof err), 0);
    assert_int_equal(start(w, l, "OS", &a[PRINT_MAX_JOBS], err, sizeof err), -1);
    assert_non_null(strstr(err, "still running"));
    ward_print_forget(w, &a[0]);
    assert_int_equal(kill(first, 0), -1); /* killed and reaped */
    /* its slot is free again */
    assert_int_equal(start(w, l, "OS", &a[PRINT_MAX_JOBS], err, sizeof err), 0);
    /* wait until every lp has written its pid, then free the ward */
    for (int i = 0; i < 250; i++) {
        FILE *f = fopen(pidfile, "r");
        int n = 0, p;
        while (f && fscanf(f, "%d", &p) == 1)
            n++;
        if (f)
            fclose(f);
        if (n == PRINT_MAX_JOBS + 1)
            break;
        usleep(20000);
    }
    ward_free(w);
    FILE *f = fopen(pidfile, "r");
    assert_non_null(f);
    int p, alive = 0, n = 0;
    while (fscanf(f, "%d", &p) == 1) {
        n++;
        alive += kill(p, 0) == 0;
    }
    fclose(f);
    assert_int_equal(n, PRINT_MAX_JOBS + 1);
    assert_int_equal(alive, 0);
    for (int i = 0; i <= PRINT_MAX_JOBS; i++)
        assert_int_equal(a[i].calls, 0);
    assert_int_equal(db_int("SELECT count(*) FROM audit WHERE action = 'handover-print'"), 0);
    store_close(st);
    loop_free(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_core_alone_refuses),
        cmocka_unit_test(test_print_and_audit),
        cmocka_unit_test(test_limit_forget_free),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
