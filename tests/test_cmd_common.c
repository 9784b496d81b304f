/* Tests for src/cmd_common: the monitoring core of a command is taken in
 * order and let go completely, after a failure part-way as after a run
 * (the board once kept its store, core lock and loop when the ward's clock
 * could not start); the database a configuration names. */
#include "ww_test.h"
#include "cmd_common.h"
#include "config.h"
#include "corelock.h"
#include "store.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char *dir;
static char db[4200];
static struct ward_config cfg;

static int setup(void **state)
{
    dir = ww_test_tmpdir();
    snprintf(db, sizeof db, "%s/ward.db", dir);
    config_defaults(&cfg);
    ww_strlcpy(cfg.database, db, sizeof cfg.database);
    return 0;
}

static int teardown(void **state)
{
    ww_test_rmtree(dir);
    free(dir);
    return 0;
}

/* Is the core lock of db free (another core could start)? */
static bool lock_free(void)
{
    char err[256];
    int fd = corelock_take(db, err, sizeof err);
    if (fd < 0)
        return false;
    corelock_release(fd);
    return true;
}

static void test_start_and_stop(void **state)
{
    char err[1024] = "";
    struct cmd_core c;
    struct cmd_core_opts o = {.store = true, .flush = true, .mo = {.speed = 1}};
    if (cmd_core_start(&c, &cfg, &o, err, sizeof err) < 0)
        fail_msg("%s", err);
    assert_non_null(c.st);
    assert_non_null(c.l);
    assert_non_null(c.m);
    assert_true(c.lock >= 0);
    assert_false(lock_free()); /* a second core is refused meanwhile */
    cmd_core_stop(&c);
    assert_true(lock_free());
    assert_null(c.m);
    cmd_core_stop(&c); /* twice: nothing left to let go */
}

static int refuse(struct store *st, const char *database, struct monitor_opts *mo, char *err,
                  size_t errlen)
{
    (void)st;
    (void)mo;
    return ww_err(err, errlen, "%s: refused for the test", database);
}

/* A start that fails after the lock and the store were taken holds nothing. */
static void test_failed_start_holds_nothing(void **state)
{
    char err[1024] = "";
    struct cmd_core c;
    struct cmd_core_opts o = {.store = true, .mo = {.speed = 1}, .before_monitor = refuse};
    assert_int_equal(cmd_core_start(&c, &cfg, &o, err, sizeof err), -1);
    assert_non_null(strstr(err, "refused for the test"));
    assert_null(c.st);
    assert_null(c.l);
    assert_int_equal(c.lock, -1);
    assert_true(lock_free());
    /* A database that cannot be opened (a directory): the lock is let go. */
    snprintf(db, sizeof db, "%s/sub", dir);
    assert_int_equal(mkdir(db, 0700), 0);
    ww_strlcpy(cfg.database, db, sizeof cfg.database);
    o.before_monitor = NULL;
    assert_int_equal(cmd_core_start(&c, &cfg, &o, err, sizeof err), -1);
    assert_null(c.st);
    assert_true(lock_free());
}

/* No store (a replay without --db): no lock, no database. */
static void test_without_store(void **state)
{
    char err[1024] = "";
    struct cmd_core c;
    struct cmd_core_opts o = {.mo = {.speed = 1}};
    if (cmd_core_start(&c, &cfg, &o, err, sizeof err) < 0)
        fail_msg("%s", err);
    assert_null(c.st);
    assert_int_equal(c.lock, -1);
    assert_true(lock_free());
    cmd_core_stop(&c);
}

static void test_config_database(void **state)
{
    char ini[4300], got[4200];
    snprintf(ini, sizeof ini, "%s/w.ini", dir);
    ww_test_write_file(ini, "[ward]\nname = T\ndatabase = /var/tmp/x.db\n[bed.1]\nlabel = A\n");
    assert_int_equal(cmd_config_database("check", ini, got, sizeof got), 0);
    assert_string_equal(got, "/var/tmp/x.db");
    snprintf(ini, sizeof ini, "%s/missing.ini", dir);
    assert_int_equal(cmd_config_database("check", ini, got, sizeof got), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_start_and_stop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_start_holds_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_without_store, setup, teardown),
        cmocka_unit_test_setup_teardown(test_config_database, setup, teardown),
    };
    return cmocka_run_group_tests_name("cmd_common", tests, NULL, NULL);
}
