/* ww_test — helpers shared by the cmocka tests. */
#include "ww_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* mkdtemp under $TMPDIR. */
char *ww_test_tmpdir(void)
{
    const char *base = getenv("TMPDIR");
    char *p = malloc(4096);
    snprintf(p, 4096, "%s/wwtest.XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(p))
        fail_msg("mkdtemp failed");
    return p;
}

/* Remove a test directory tree without a shell. */
void ww_test_rmtree(const char *dir)
{
    pid_t pid = fork();
    if (pid == 0) {
        execlp("rm", "rm", "-rf", "--", dir, (char *)NULL);
        _exit(127);
    }
    int st;
    if (pid > 0)
        waitpid(pid, &st, 0);
}

/* Write a file whole. */
void ww_test_write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        fail_msg("cannot write %s", path);
    fputs(text, f);
    fclose(f);
}

/* Locate a real capture in ../shared/data relative to the repository. */
const char *ww_test_shared_data(const char *name)
{
    static char path[4096];
    const char *roots[] = {getenv("WARDWATCH_SHARED"), "../shared", "../../shared"};
    for (size_t i = 0; i < sizeof roots / sizeof roots[0]; i++) {
        if (!roots[i])
            continue;
        snprintf(path, sizeof path, "%s/data/%s", roots[i], name);
        if (access(path, R_OK) == 0)
            return path;
    }
    return NULL;
}

void ww_test_channel_lists(int npoints, char *i, char *q, size_t n)
{
    size_t li = 0, lq = 0;
    for (int p = 0; p < npoints; p++) {
        li += (size_t)snprintf(i + li, li < n ? n - li : 0, "%svoltage%d", p ? "," : "", 2 * p);
        lq += (size_t)snprintf(q + lq, lq < n ? n - lq : 0, "%svoltage%d", p ? "," : "", 2 * p + 1);
    }
    if (li >= n || lq >= n)
        fail_msg("channel lists of %d points need more than %zu bytes", npoints, n);
}
