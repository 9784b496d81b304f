/* Tests for src/corelock: one monitoring core per database. The lock is
 * taken and records the holder's pid; a second taker (another process) is
 * refused naming that pid; a lock left by a process that died is no lock;
 * release lets the next core in; a lock file deleted or replaced under a
 * running core is noticed by corelock_check. */
#include "ww_test.h"
#include "corelock.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

struct fixture {
    char *dir;
    char db[4200];
    char lock[4200];
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    f->dir = ww_test_tmpdir();
    snprintf(f->db, sizeof f->db, "%s/ward.db", f->dir);
    snprintf(f->lock, sizeof f->lock, "%s/ward.db.lock", f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    ww_test_rmtree(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

/* The pid written in the lock file. */
static long lock_pid(const char *lock)
{
    FILE *fp = fopen(lock, "r");
    long pid = -1;
    if (fp) {
        if (fscanf(fp, "%ld", &pid) != 1)
            pid = -1;
        fclose(fp);
    }
    return pid;
}

/* A child that takes the lock, says so through the pipe and waits to be
 * killed; its pid, or -1. */
static pid_t child_holding(const char *db)
{
    int p[2];
    if (pipe(p) < 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        char err[512];
        int fd = corelock_take(db, err, sizeof err);
        char c = fd >= 0 ? 'y' : 'n';
        if (write(p[1], &c, 1) != 1)
            _exit(2);
        for (;;)
            pause();
    }
    close(p[1]);
    char c = 0;
    if (pid < 0 || read(p[0], &c, 1) != 1 || c != 'y') {
        close(p[0]);
        if (pid > 0) {
            kill(pid, SIGKILL);
            waitpid(pid, NULL, 0);
        }
        return -1;
    }
    close(p[0]);
    return pid;
}

static void kill_child(pid_t pid)
{
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

static void test_take_writes_pid_0600(void **state)
{
    struct fixture *f = *state;
    char err[512] = "";
    mode_t old = umask(0);
    int fd = corelock_take(f->db, err, sizeof err);
    umask(old);
    assert_true(fd >= 0);
    assert_int_equal(lock_pid(f->lock), (long)getpid());
    struct stat st;
    assert_int_equal(stat(f->lock, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    corelock_release(fd);
}

static void test_second_taker_refused_naming_holder(void **state)
{
    struct fixture *f = *state;
    pid_t holder = child_holding(f->db);
    assert_true(holder > 0);
    char err[512] = "", want[64];
    int fd = corelock_take(f->db, err, sizeof err);
    kill_child(holder);
    assert_int_equal(fd, -1);
    snprintf(want, sizeof want, "pid %ld", (long)holder);
    if (!strstr(err, want) || !strstr(err, f->db))
        fail_msg("refusal does not name pid %ld and %s: %s", (long)holder, f->db, err);
    /* The refused taker did not overwrite the holder's pid. */
    assert_int_equal(lock_pid(f->lock), (long)holder);
}

static void test_dead_holder_is_no_lock(void **state)
{
    struct fixture *f = *state;
    pid_t holder = child_holding(f->db);
    assert_true(holder > 0);
    kill_child(holder);
    /* The file stays, naming the dead pid: it must not keep a core out. */
    assert_int_equal(lock_pid(f->lock), (long)holder);
    char err[512] = "";
    int fd = corelock_take(f->db, err, sizeof err);
    if (fd < 0)
        fail_msg("stale lock of a dead pid refused: %s", err);
    assert_int_equal(lock_pid(f->lock), (long)getpid());
    corelock_release(fd);
}

/* Another process takes it (returns 'y' or 'n' and exits). */
static char other_process_takes(const char *db)
{
    pid_t pid = fork();
    if (pid == 0) {
        char err[512];
        _exit(corelock_take(db, err, sizeof err) >= 0 ? 0 : 1);
    }
    int st = 0;
    if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
        return '?';
    return WEXITSTATUS(st) == 0 ? 'y' : 'n';
}

static void test_release_lets_next_in(void **state)
{
    struct fixture *f = *state;
    char err[512] = "";
    int fd = corelock_take(f->db, err, sizeof err);
    assert_true(fd >= 0);
    assert_int_equal(other_process_takes(f->db), 'n');
    corelock_release(fd);
    assert_int_equal(other_process_takes(f->db), 'y');
    /* The file stays (the next core reuses it). */
    assert_int_equal(access(f->lock, F_OK), 0);
}

static void test_check_notices_deleted_and_stolen_file(void **state)
{
    struct fixture *f = *state;
    char err[512] = "";
    int fd = corelock_take(f->db, err, sizeof err);
    assert_true(fd >= 0);
    assert_int_equal(corelock_check(&fd, f->db, err, sizeof err), 0);
    /* Deleted: a new file is made and locked, fd replaced. */
    assert_int_equal(unlink(f->lock), 0);
    assert_int_equal(corelock_check(&fd, f->db, err, sizeof err), 1);
    assert_true(fd >= 0);
    assert_int_equal(access(f->lock, F_OK), 0);
    assert_int_equal(other_process_takes(f->db), 'n');
    assert_int_equal(corelock_check(&fd, f->db, err, sizeof err), 0);
    /* Deleted and taken by a second core meanwhile: reported, naming it. */
    assert_int_equal(unlink(f->lock), 0);
    pid_t thief = child_holding(f->db);
    assert_true(thief > 0);
    err[0] = 0;
    int rc = corelock_check(&fd, f->db, err, sizeof err);
    kill_child(thief);
    assert_int_equal(rc, -1);
    char want[64];
    snprintf(want, sizeof want, "pid %ld", (long)thief);
    if (!strstr(err, want))
        fail_msg("check does not name the second core %ld: %s", (long)thief, err);
    corelock_release(fd);
}

static void test_bad_paths(void **state)
{
    struct fixture *f = *state;
    char err[512] = "", db[4300];
    snprintf(db, sizeof db, "%s/no/such/dir/ward.db", f->dir);
    assert_int_equal(corelock_take(db, err, sizeof err), -1);
    assert_non_null(strstr(err, "no/such/dir/ward.db.lock"));
    char longp[1200];
    memset(longp, 'a', sizeof longp - 1);
    longp[sizeof longp - 1] = 0;
    assert_int_equal(corelock_take(longp, err, sizeof err), -1);
    assert_non_null(strstr(err, "too long"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_take_writes_pid_0600, setup, teardown),
        cmocka_unit_test_setup_teardown(test_second_taker_refused_naming_holder, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dead_holder_is_no_lock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_release_lets_next_in, setup, teardown),
        cmocka_unit_test_setup_teardown(test_check_notices_deleted_and_stolen_file, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_bad_paths, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
