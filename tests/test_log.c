/* Tests for src/log: levels (and WARDWATCH_DEBUG), lines in the file and on
 * stderr (not while curses owns the terminal), the latest warning, long
 * lines cut, stderr captured into the log while curses runs; log_open
 * twice closes the first file (H19-31) and the file is 0600 whatever the
 * umask or its old mode (H19-32). log.c has no rotation or size limit
 * (an external rotator must copy and truncate: the file stays open). */
#include "ww_test.h"
#include "log.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *dir;
static char path[4200], errpath[4200];

static int setup(void **state)
{
    dir = ww_test_tmpdir();
    snprintf(path, sizeof path, "%s/ww.log", dir);
    snprintf(errpath, sizeof errpath, "%s/stderr.txt", dir);
    unsetenv("WARDWATCH_DEBUG");
    log_set_level(LOG_INFO);
    log_set_tty_owned(false);
    return 0;
}

static int teardown(void **state)
{
    log_close();
    log_set_level(LOG_INFO);
    log_set_tty_owned(false);
    ww_test_rmtree(dir);
    free(dir);
    return 0;
}

/* The whole of a file ("" when missing), in a static buffer. */
static const char *slurp(const char *p)
{
    static char buf[65536];
    buf[0] = 0;
    FILE *f = fopen(p, "r");
    if (!f)
        return buf;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    return buf;
}

static int count_lines(const char *text)
{
    int n = 0;
    for (; *text; text++)
        n += *text == '\n';
    return n;
}

/* fd 2 into errpath for the test's duration; restore with the returned fd. */
static int stderr_to_file(void)
{
    fflush(stderr);
    int saved = dup(2);
    int fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(saved >= 0 && fd >= 0);
    dup2(fd, 2);
    close(fd);
    return saved;
}

static void stderr_restore(int saved)
{
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
}

static int open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        n += e->d_name[0] != '.';
    if (d)
        closedir(d);
    return n - 1; /* the directory's own */
}

static void test_levels_and_file_lines(void **state)
{
    char err[512] = "";
    assert_int_equal(log_open(path, err, sizeof err), 0);
    int saved = stderr_to_file();
    log_msg(LOG_DEBUG, "debug %d", 1);
    log_msg(LOG_INFO, "info %d", 2);
    log_set_level(LOG_WARN);
    log_msg(LOG_INFO, "info %d", 3);
    log_msg(LOG_WARN, "warn %d", 4);
    log_msg(LOG_ERROR, "error %d", 5);
    stderr_restore(saved);
    const char *f = slurp(path);
    assert_null(strstr(f, "debug 1"));
    assert_non_null(strstr(f, " info: info 2\n"));
    assert_null(strstr(f, "info 3"));
    assert_non_null(strstr(f, " warning: warn 4\n"));
    assert_non_null(strstr(f, " error: error 5\n"));
    assert_int_equal(count_lines(f), 3);
    /* each line starts with the time stamp: a digit (the year) */
    assert_true(f[0] >= '0' && f[0] <= '9');
    const char *e = slurp(errpath);
    assert_non_null(strstr(e, "wardwatch: info: info 2\n"));
    assert_non_null(strstr(e, "wardwatch: error: error 5\n"));
    assert_int_equal(count_lines(e), 3);
}

static void test_debug_from_environment(void **state)
{
    char err[512] = "";
    setenv("WARDWATCH_DEBUG", "1", 1);
    assert_int_equal(log_open(path, err, sizeof err), 0);
    unsetenv("WARDWATCH_DEBUG");
    log_set_tty_owned(true);
    log_msg(LOG_DEBUG, "fine detail");
    assert_non_null(strstr(slurp(path), " debug: fine detail\n"));
    /* "0" means off */
    log_set_level(LOG_INFO);
    setenv("WARDWATCH_DEBUG", "0", 1);
    assert_int_equal(log_open(path, err, sizeof err), 0);
    unsetenv("WARDWATCH_DEBUG");
    log_msg(LOG_DEBUG, "not this");
    assert_null(strstr(slurp(path), "not this"));
}

static void test_quiet_on_stderr_under_curses(void **state)
{
    char err[512] = "";
    assert_int_equal(log_open(path, err, sizeof err), 0);
    int saved = stderr_to_file();
    log_set_tty_owned(true);
    log_msg(LOG_ERROR, "while curses runs");
    log_set_tty_owned(false);
    log_msg(LOG_ERROR, "after curses");
    stderr_restore(saved);
    const char *e = slurp(errpath);
    assert_null(strstr(e, "while curses runs"));
    assert_non_null(strstr(e, "after curses"));
    assert_non_null(strstr(slurp(path), "while curses runs"));
}

static void test_last_warning(void **state)
{
    log_set_tty_owned(true);
    log_set_level(LOG_ERROR);
    log_msg(LOG_WARN, "sensor %s lost", "bed 3");
    /* kept for the status line even below the file's level */
    assert_string_equal(log_last_warning(), "sensor bed 3 lost");
    log_msg(LOG_INFO, "routine");
    assert_string_equal(log_last_warning(), "sensor bed 3 lost");
    char big[2000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = 0;
    log_msg(LOG_ERROR, "%s", big);
    assert_int_equal(strlen(log_last_warning()), 255);
}

static void test_long_line_cut(void **state)
{
    char err[512] = "", big[3000];
    memset(big, 'y', sizeof big - 1);
    big[sizeof big - 1] = 0;
    assert_int_equal(log_open(path, err, sizeof err), 0);
    log_set_tty_owned(true);
    log_msg(LOG_INFO, "%s", big);
    const char *f = slurp(path);
    assert_int_equal(count_lines(f), 1);
    const char *y = strchr(f, 'y');
    assert_non_null(y);
    assert_int_equal(strspn(y, "y"), 511);
}

static void test_open_appends_and_fails_clearly(void **state)
{
    char err[512] = "";
    ww_test_write_file(path, "earlier line\n");
    chmod(path, 0600);
    assert_int_equal(log_open(path, err, sizeof err), 0);
    log_set_tty_owned(true);
    log_msg(LOG_INFO, "later");
    const char *f = slurp(path);
    assert_true(strncmp(f, "earlier line\n", 13) == 0);
    assert_non_null(strstr(f, "later"));
    char bad[4300];
    snprintf(bad, sizeof bad, "%s/missing/ww.log", dir);
    assert_int_equal(log_open(bad, err, sizeof err), -1);
    assert_non_null(strstr(err, bad));
    assert_non_null(strstr(err, "cannot open log file"));
}

/* H19-31: a second log_open closed nothing; the first FILE and its fd
 * stayed open (and kept receiving nothing) for the life of the process. */
static void test_open_twice_closes_first(void **state)
{
    char err[512] = "", second[4300];
    snprintf(second, sizeof second, "%s/second.log", dir);
    int before = open_fds();
    assert_int_equal(log_open(path, err, sizeof err), 0);
    assert_int_equal(log_open(second, err, sizeof err), 0);
    assert_int_equal(open_fds(), before + 1);
    log_set_tty_owned(true);
    log_msg(LOG_INFO, "to the second");
    assert_null(strstr(slurp(path), "to the second"));
    assert_non_null(strstr(slurp(second), "to the second"));
    /* NULL: back to stderr only, the file closed */
    assert_int_equal(log_open(NULL, err, sizeof err), 0);
    assert_int_equal(open_fds(), before);
    log_msg(LOG_INFO, "to no file");
    assert_null(strstr(slurp(second), "to no file"));
}

/* H19-32: the file was created with 0600 & ~umask (0400 under umask 0277,
 * a file the log could not be reopened for writing) and an existing file
 * kept whatever mode it had (0644: the ward's log readable by anyone). */
static void test_mode_0600_whatever_umask(void **state)
{
    char err[512] = "";
    struct stat st;
    mode_t old = umask(0277);
    int rc = log_open(path, err, sizeof err);
    umask(old);
    assert_int_equal(rc, 0);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    log_close();
    assert_int_equal(chmod(path, 0644), 0);
    old = umask(0);
    rc = log_open(path, err, sizeof err);
    umask(old);
    assert_int_equal(rc, 0);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
}

static void test_stderr_captured_into_log(void **state)
{
    char err[512] = "";
    assert_int_equal(log_open(path, err, sizeof err), 0);
    log_set_tty_owned(true);
    int saved = stderr_to_file();
    int rd = log_capture_stderr();
    assert_true(rd >= 0);
    assert_int_equal(log_capture_stderr(), rd); /* once */
    dprintf(2, "iio: device \x1b[31mgone\r\nhalf a ");
    log_drain_stderr(rd);
    dprintf(2, "line\n");
    log_drain_stderr(rd);
    dprintf(2, "unfinished");
    log_release_stderr();
    dprintf(2, "after release\n");
    stderr_restore(saved);
    const char *f = slurp(path);
    assert_non_null(strstr(f, " warning: iio: device "));
    assert_null(strchr(f, '\x1b')); /* sanitised */
    assert_non_null(strstr(f, " warning: half a line\n"));
    assert_non_null(strstr(f, " warning: unfinished\n"));
    assert_null(strstr(f, "after release"));
    assert_non_null(strstr(slurp(errpath), "after release"));
    assert_string_equal(log_last_warning(), "unfinished");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_levels_and_file_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(test_debug_from_environment, setup, teardown),
        cmocka_unit_test_setup_teardown(test_quiet_on_stderr_under_curses, setup, teardown),
        cmocka_unit_test_setup_teardown(test_last_warning, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_line_cut, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_appends_and_fails_clearly, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_twice_closes_first, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mode_0600_whatever_umask, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stderr_captured_into_log, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
