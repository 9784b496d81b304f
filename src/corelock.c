/*
 * corelock — one monitoring core per database (see corelock.h): flock, so
 * the kernel lets go when the process dies however it dies.
 */
#include "corelock.h"

#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* Lock DATABASE.lock or say who holds it. */
int corelock_take(const char *database, char *err, size_t errlen)
{
    char path[1100];
    if (snprintf(path, sizeof path, "%s.lock", database) >= (int)sizeof path)
        return ww_err(err, errlen, "database path too long: %s", database);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return ww_err(err, errlen, "%s: %s", path, strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        int e = errno;
        char pid[32] = "";
        ssize_t n = pread(fd, pid, sizeof pid - 1, 0);
        pid[n > 0 ? n : 0] = 0;
        pid[strcspn(pid, "\n")] = 0;
        close(fd);
        if (e == EWOULDBLOCK)
            return ww_err(err, errlen,
                          "another monitoring core (pid %s: wardwatch serve, or a board running "
                          "in-process) already uses %s",
                          pid[0] ? pid : "?", database);
        return ww_err(err, errlen, "%s: %s", path, strerror(e));
    }
    char pid[32];
    int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, (size_t)n, 0) != n) {
        /* The lock holds without the pid; only the message would lack it. */
    }
    return fd;
}

/* See corelock.h. */
int corelock_check(int *fd, const char *database, char *err, size_t errlen)
{
    char path[1100];
    struct stat held, at;
    if (*fd < 0 || snprintf(path, sizeof path, "%s.lock", database) >= (int)sizeof path ||
        fstat(*fd, &held) < 0)
        return 0;
    if (lstat(path, &at) == 0 && at.st_dev == held.st_dev && at.st_ino == held.st_ino)
        return 0;
    int nfd = corelock_take(database, err, errlen);
    if (nfd < 0)
        return -1;
    close(*fd);
    *fd = nfd;
    return 1;
}

void corelock_release(int fd)
{
    if (fd >= 0)
        close(fd);
}
