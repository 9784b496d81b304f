/*
 * bench_probe — `wardwatch probe --json` on a TI stream that decodes: a
 * ~21 MB capture (the real IWR1642 capture from ../shared/data repeated
 * 300 times, 74 400 frames, or generated vital-signs frames of the same
 * size when it is absent) written to a temporary file, probed in-process
 * with stdout on /dev/null; prints the best of 5 runs in MB/s of wall time.
 * When python3 is there it also times bench/probe_ref.py, an independent
 * decoder writing the same lines, checks the lines are identical, and
 * prints the ratio (the target is >= 10x). Figures only: no pass/fail.
 */
#include "commands.h"
#include "encode.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define RUNS 5

/* Wall seconds (probe's time includes its writes). */
static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The stream: the real capture x300, or generated frames of ~21 MB. */
static size_t make_stream(const char *path)
{
    static uint8_t unit[80000];
    size_t ulen = 0;
    int copies = 300;
    const char *roots[] = {getenv("WARDWATCH_SHARED"), "../shared", "../../shared"};
    for (size_t i = 0; i < 3 && !ulen; i++) {
        if (!roots[i])
            continue;
        char cap[4200];
        snprintf(cap, sizeof cap, "%s/data/ti-vitals-iwr1642.bin", roots[i]);
        FILE *f = fopen(cap, "rb");
        if (f) {
            ulen = fread(unit, 1, sizeof unit, f);
            fclose(f);
            printf("stream: the real IWR1642 capture x%d\n", copies);
        }
    }
    if (!ulen) {
        for (uint32_t fn = 0; fn < 248; fn++) {
            struct ti_vs_stats s = {12.0f + (float)(fn % 9), 60.0f + (float)(fn % 40), 5,
                                    0.4f, 5000, 0};
            ulen += encode_ti_vs_stats(unit + ulen, sizeof unit - ulen, fn, &s, 0, 26);
        }
        printf("stream: generated vital-signs frames x%d (real capture absent)\n", copies);
    }
    FILE *f = fopen(path, "wb");
    if (!f)
        return 0;
    for (int i = 0; i < copies; i++)
        fwrite(unit, 1, ulen, f);
    fclose(f);
    return ulen * (size_t)copies;
}

/* One probe --json of path with stdout to out (stderr to /dev/null). */
static double probe_once(const char *path, const char *out)
{
    char uri[4200];
    snprintf(uri, sizeof uri, "ti-vs:file:%s", path);
    fflush(stdout);
    int save1 = dup(1), save2 = dup(2);
    int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600), n = open("/dev/null", O_WRONLY);
    dup2(o, 1);
    dup2(n, 2);
    char *argv[] = {"probe", uri, "--json", NULL};
    double t0 = now_s();
    cmd_probe_main(3, argv);
    fflush(stdout);
    double dt = now_s() - t0;
    dup2(save1, 1);
    dup2(save2, 2);
    close(o);
    close(n);
    close(save1);
    close(save2);
    return dt;
}

int main(void)
{
    char dir[] = "/tmp/bench_probe.XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    char cap[64], lines[64], ref[64], cmd[512];
    snprintf(cap, sizeof cap, "%s/cap.bin", dir);
    snprintf(lines, sizeof lines, "%s/probe.jsonl", dir);
    snprintf(ref, sizeof ref, "%s/ref.jsonl", dir);
    size_t len = make_stream(cap);
    if (!len)
        return 1;
    double best = 1e9;
    for (int i = 0; i < RUNS; i++) {
        double dt = probe_once(cap, "/dev/null");
        if (dt < best)
            best = dt;
    }
    double mbs = (double)len / 1e6 / best;
    printf("probe --json: %.1f MB in %.3f s: %.0f MB/s (best of %d, wall time)\n",
           (double)len / 1e6, best, mbs, RUNS);
    probe_once(cap, lines);
    snprintf(cmd, sizeof cmd, "python3 bench/probe_ref.py %s > %s 2>/dev/null", cap, ref);
    double t0 = now_s();
    int rc = access("bench/probe_ref.py", R_OK) == 0 ? system(cmd) : -1;
    double py = now_s() - t0;
    if (rc == 0) {
        snprintf(cmd, sizeof cmd, "cmp -s %s %s", lines, ref);
        bool same = system(cmd) == 0;
        printf("python reference decoder: %.0f MB/s; probe is %.1fx as fast (target 10x); "
               "lines %s\n",
               (double)len / 1e6 / py, py / best, same ? "identical" : "DIFFER");
    } else {
        printf("python reference decoder: not run (needs python3 and bench/probe_ref.py)\n");
    }
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        return 1;
    return 0;
}
