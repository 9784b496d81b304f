/*
 * bench_serve — `wardwatch serve` live (the ward clock at real time) on a
 * 32-bed and a 128-bed ward of replayed serial radars (ti-vs, mr60bha2,
 * mr60bha1 in turn), every bed admitted, one board attached that reads
 * everything the server sends. After a warm-up, the server's CPU (as % of
 * one core, from /proc/PID/stat) and RSS (now and peak, /proc/PID/status)
 * over a measured window, and what the board received per second.
 *
 *   bench_serve [SECONDS [BEDS...]]   default 12 s (after 3 s), 32 and 128 beds
 * The binary is $WARDWATCH_BIN, else bin/wardwatch.
 */
#include "config.h"
#include "proto.h"
#include "simulate.h"
#include "util.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define WARMUP_MS 3000

/* utime + stime of a process, in clock ticks; -1 when it is gone. */
static long long proc_ticks(pid_t pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    const char *p = strrchr(buf, ')'); /* the name may hold blanks */
    unsigned long long ut = 0, st = 0;
    if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
        return -1;
    return (long long)(ut + st);
}

/* A "Key:   N kB" line of /proc/PID/status, in kB. */
static long proc_kb(pid_t pid, const char *key)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    long kb = -1;
    size_t kl = strlen(key);
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, key, kl) && line[kl] == ':')
            kb = atol(line + kl + 1);
    if (f)
        fclose(f);
    return kb;
}

/* Attach as a board: HELLO, then read whatever comes. */
static int attach(const char *sock)
{
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", sock);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
        return -1;
    static uint8_t out[PROTO_MAX_FRAME];
    struct proto_buf b = {out, 0, sizeof out, 0, false};
    struct proto_hello h = {PROTO_MAGIC, PROTO_VERSION, "bench_serve", "bench"};
    proto_put_hello(&b, &h);
    return send(fd, out, b.len, MSG_NOSIGNAL) == (ssize_t)b.len ? fd : -1;
}

/* Read from the board's socket for ms; bytes read, -1 when it closed. */
static long long drain(int fd, int64_t ms)
{
    static uint8_t buf[1 << 16];
    long long got = 0;
    int64_t end = ww_mono_ms() + ms;
    for (int64_t now; (now = ww_mono_ms()) < end;) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, (int)(end - now)) <= 0)
            continue;
        ssize_t r = read(fd, buf, sizeof buf);
        if (r <= 0)
            return -1;
        got += r;
    }
    return got;
}

/* The ward: recordings, INI; 0 or -1. */
static int make_ward(const char *dir, int nbeds, double seconds)
{
    static const char *drivers[] = {"ti-vs", "mr60bha2", "mr60bha1"};
    static const enum scenario_kind scen[] = {SCEN_STABLE, SCEN_SEPSIS, SCEN_OPIOID, SCEN_AFIB,
                                              SCEN_COPD};
    char path[512], err[512];
    snprintf(path, sizeof path, "%s/ward.ini", dir);
    FILE *ini = fopen(path, "w");
    if (!ini)
        return -1;
    fprintf(ini, "[ward]\nname = Bench %d\ndatabase = ward.db\n\n[server]\nsocket = ward.sock\n\n",
            nbeds);
    for (int i = 0; i < nbeds; i++) {
        struct sim_spec sp = {.scenario = scen[i % 5], .seed = (uint64_t)i + 1,
                              .seconds = seconds};
        snprintf(sp.driver, sizeof sp.driver, "%s", drivers[i % 3]);
        snprintf(sp.label, sizeof sp.label, "Seng %d", i + 1);
        snprintf(path, sizeof path, "%s/bed%03d.wwrec", dir, i + 1);
        if (simulate_write(&sp, path, err, sizeof err) < 0) {
            fprintf(stderr, "bench_serve: %s\n", err);
            fclose(ini);
            return -1;
        }
        fprintf(ini, "[bed.%d]\nlabel = Seng %d\nsensor = replay:bed%03d.wwrec\n\n", i + 1,
                i + 1, i + 1);
    }
    return fclose(ini) == 0 ? 0 : -1;
}

/* Admit a patient in every bed over the socket (only occupied beds score). */
static void admit_all(const char *sock, int nbeds)
{
    int fd = attach(sock);
    if (fd < 0)
        return;
    static uint8_t out[PROTO_MAX_FRAME];
    for (int i = 0; i < nbeds; i++) {
        static struct proto_cmd c;
        memset(&c, 0, sizeof c);
        c.req = (uint32_t)i + 1;
        c.cmd.kind = WCMD_ADMIT;
        c.cmd.bed = (uint32_t)i;
        snprintf(c.cmd.ref, sizeof c.cmd.ref, "B-%d", i + 1);
        snprintf(c.cmd.staff, sizeof c.cmd.staff, "KN");
        struct proto_buf b = {out, 0, sizeof out, 0, false};
        proto_put_cmd(&b, &c);
        if (send(fd, out, b.len, MSG_NOSIGNAL) != (ssize_t)b.len)
            break;
        drain(fd, 5); /* keep up with what the server sends */
    }
    drain(fd, 300);
    close(fd);
}

static int run(const char *bin, int nbeds, double window_s)
{
    char dir[] = "/tmp/wwbserve.XXXXXX";
    if (!mkdtemp(dir) || make_ward(dir, nbeds, window_s + WARMUP_MS / 1000.0 + 15) < 0)
        return 1;
    char ini[512], sock[512];
    snprintf(ini, sizeof ini, "%s/ward.ini", dir);
    snprintf(sock, sizeof sock, "%s/ward.sock", dir);
    pid_t pid = fork();
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stderr))
            _exit(127);
        execl(bin, bin, "serve", "-c", ini, (char *)NULL);
        _exit(127);
    }
    struct stat st;
    for (int i = 0; i < 100 && stat(sock, &st) < 0; i++)
        usleep(100000);
    int fd = -1, rc = 1;
    if (stat(sock, &st) < 0) {
        fprintf(stderr, "bench_serve: %s serve did not start\n", bin);
        goto out;
    }
    admit_all(sock, nbeds);
    if ((fd = attach(sock)) < 0 || drain(fd, WARMUP_MS) < 0) {
        fprintf(stderr, "bench_serve: the board could not attach: %s\n", strerror(errno));
        goto out;
    }
    long hz = sysconf(_SC_CLK_TCK);
    long long t0 = proc_ticks(pid);
    int64_t w0 = ww_mono_ms();
    long long got = drain(fd, (int64_t)(window_s * 1000));
    long long t1 = proc_ticks(pid);
    double wall = (double)(ww_mono_ms() - w0) / 1000;
    long rss = proc_kb(pid, "VmRSS"), hwm = proc_kb(pid, "VmHWM");
    if (got < 0 || t0 < 0 || t1 < 0) {
        fprintf(stderr, "bench_serve: the board was dropped or the server went away\n");
        goto out;
    }
    printf("serve, %d beds live, one board attached: %.1f %% of one core over %.0f s; RSS %.1f MB "
           "(peak %.1f MB); the board got %.0f kB/s\n",
           nbeds, 100.0 * (double)(t1 - t0) / (double)hz / wall, wall, rss / 1024.0,
           hwm / 1024.0, (double)got / 1024 / wall);
    rc = 0;
out:
    if (fd >= 0)
        close(fd);
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "bench_serve: could not remove %s\n", dir);
    return rc;
}

int main(int argc, char **argv)
{
    const char *bin = getenv("WARDWATCH_BIN") ? getenv("WARDWATCH_BIN") : "bin/wardwatch";
    double window = argc > 1 ? atof(argv[1]) : 12;
    int sizes[16] = {32, 128}, nsizes = 2;
    if (argc > 2)
        for (nsizes = 0; nsizes + 2 < argc && nsizes < 16; nsizes++)
            sizes[nsizes] = atoi(argv[nsizes + 2]);
    if (access(bin, X_OK) < 0) {
        fprintf(stderr, "bench_serve: %s: %s (set WARDWATCH_BIN)\n", bin, strerror(errno));
        return 1;
    }
    int rc = 0;
    for (int k = 0; k < nsizes; k++)
        rc |= run(bin, sizes[k], window);
    return rc;
}
