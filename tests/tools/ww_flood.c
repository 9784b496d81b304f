/*
 * ww_flood — a peer that floods `wardwatch serve` with connections that
 * never say HELLO (tests/t_faults.sh, issue #21 item 3).
 *
 *   ww_flood SOCK SECONDS [N]
 *
 * Keeps up to N (default 200) connections open at once for SECONDS,
 * opening a new one as soon as the server closes one (or as fast as the
 * listen backlog takes them), sending nothing. Prints "N connections" at the
 * end. Exit status 0 when it could connect at all, 1 otherwise.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MAXC 1000

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: ww_flood SOCK SECONDS [N]\n");
        return 2;
    }
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", argv[1]);
    double secs = atof(argv[2]);
    int max = argc > 3 ? atoi(argv[3]) : 200;
    if (max < 1 || max > MAXC)
        max = 200;
    struct pollfd p[MAXC];
    int n = 0;
    unsigned long total = 0;
    double end = now_s() + secs;
    while (now_s() < end) {
        while (n < max) {
            int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
            if (fd < 0)
                break;
            if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0 && errno != EINPROGRESS) {
                close(fd); /* backlog full or no server: try again shortly */
                break;
            }
            p[n].fd = fd;
            p[n].events = POLLIN;
            n++;
            total++;
        }
        if (poll(p, (nfds_t)n, 5) > 0) {
            for (int i = 0; i < n; i++) {
                if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
                    continue;
                char buf[4096];
                ssize_t r = read(p[i].fd, buf, sizeof buf);
                if (r > 0)
                    continue;
                close(p[i].fd);
                p[i--] = p[--n];
            }
        }
    }
    for (int i = 0; i < n; i++)
        close(p[i].fd);
    printf("%lu connections\n", total);
    return total ? 0 : 1;
}
