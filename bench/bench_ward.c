/*
 * bench_ward — a 32-bed and a 128-bed ward of serial-radar beds (simulated
 * recordings in the sensors' wire formats) replayed headless with parsing,
 * smoothing, NEWS2, alarms and the SQLite store, as fast as the machine
 * allows. Prints, per ward, the multiple of real time, CPU seconds and per
 * bed-hour, peak RSS and database bytes per bed-hour. Store batching follows
 * the wall clock, as in the ward. Each ward runs in a child process of its
 * own, so that its peak RSS is its own.
 *
 *   bench_ward [HOURS [BEDS...]]     default 1 h, 32 and 128 beds
 */
#include "config.h"
#include "loop.h"
#include "monitor.h"
#include "simulate.h"
#include "store.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int run_ward(int nbeds, double hours)
{
    char dir[] = "/tmp/wwbench.XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    static const char *drivers[] = {"ti-vs", "mr60bha2", "mr60bha1"};
    static const enum scenario_kind scen[] = {SCEN_STABLE, SCEN_SEPSIS, SCEN_OPIOID, SCEN_AFIB,
                                              SCEN_RESTLESS, SCEN_OUT_OF_BED, SCEN_UNPLUG,
                                              SCEN_BRADYCARDIA};
    struct ward_config *cfg = malloc(sizeof *cfg);
    config_defaults(cfg);
    snprintf(cfg->database, sizeof cfg->database, "%s/ward.db", dir);
    char err[512];
    double t0 = (double)ww_mono_ms();
    for (int i = 0; i < nbeds; i++) {
        struct sim_spec sp = {.scenario = scen[i % 8], .seed = (uint64_t)i + 1,
                              .seconds = hours * 3600, .offset_s = 600.0 * (i % 5)};
        snprintf(sp.driver, sizeof sp.driver, "%s", drivers[i % 3]);
        snprintf(sp.label, sizeof sp.label, "Seng %d", i + 1);
        char path[256];
        snprintf(path, sizeof path, "%s/bed%03d.wwrec", dir, i + 1);
        if (simulate_write(&sp, path, err, sizeof err) < 0) {
            fprintf(stderr, "%s\n", err);
            return 1;
        }
        struct config_bed *b = &cfg->beds[i];
        b->number = i + 1;
        b->target = -1;
        snprintf(b->label, sizeof b->label, "Seng %d", i + 1);
        snprintf(b->sensor, sizeof b->sensor, "replay:%s", path);
    }
    cfg->nbeds = nbeds;
    printf("generated %d bed recordings of %.1f h in %.2f s\n", nbeds, hours,
           ((double)ww_mono_ms() - t0) / 1000);
    struct rusage rb;
    getrusage(RUSAGE_SELF, &rb); /* the libraries and the generation */
    struct store *st = store_open(cfg->database, NULL, err, sizeof err);
    struct loop *l = loop_new(false);
    struct monitor_opts mo = {.speed = 1};
    struct monitor *m = monitor_new(cfg, st, l, &mo, err, sizeof err);
    if (!st || !m) {
        fprintf(stderr, "bench_ward: %s\n", err);
        return 1;
    }
    struct rusage r0, r1;
    getrusage(RUSAGE_SELF, &r0);
    double w0 = (double)ww_mono_ms();
    double simulated = monitor_run_fast(m, hours * 3600);
    double wall = ((double)ww_mono_ms() - w0) / 1000;
    getrusage(RUSAGE_SELF, &r1);
    double cpu = (r1.ru_utime.tv_sec - r0.ru_utime.tv_sec) + (r1.ru_utime.tv_usec - r0.ru_utime.tv_usec) / 1e6 +
                 (r1.ru_stime.tv_sec - r0.ru_stime.tv_sec) + (r1.ru_stime.tv_usec - r0.ru_stime.tv_usec) / 1e6;
    monitor_free(m);
    store_close(st);
    struct stat sb;
    char wal[1100];
    stat(cfg->database, &sb);
    long long dbsize = sb.st_size;
    snprintf(wal, sizeof wal, "%s-wal", cfg->database);
    if (stat(wal, &sb) == 0)
        dbsize += sb.st_size;
    /* wall time is the machine's share (other work slows it); CPU is ours */
    printf("whole ward: %d beds x %.0f s replayed in %.2f s wall = %.0fx real time%s; "
           "%.0fx per CPU second\n",
           nbeds, simulated, wall, simulated / wall, nbeds == 32 ? " (target >= 2000x)" : "",
           simulated / cpu);
    printf("CPU: %.2f s = %.3f ms per bed-second, %.2f s per bed-hour\n", cpu,
           cpu * 1000 / (nbeds * simulated), cpu / (nbeds * simulated / 3600));
    printf("peak RSS: %.1f MB%s; %.1f MB of it before the ward started (shared "
           "libraries, generating the recordings)\n",
           r1.ru_maxrss / 1024.0, nbeds == 32 ? " (target < 24 MB)" : "", rb.ru_maxrss / 1024.0);
    printf("database: %.1f KB per bed-hour = %.2f MB per bed-day raw (target <= 3 MB)\n",
           dbsize / 1024.0 / (nbeds * simulated / 3600), dbsize / 1e6 / (nbeds * simulated / 86400));
    static const char *suffix[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(wal, sizeof wal, "%s%s", cfg->database, suffix[i]);
        unlink(wal);
    }
    for (int i = 0; i < nbeds; i++) {
        snprintf(wal, sizeof wal, "%s/bed%03d.wwrec", dir, i + 1);
        unlink(wal);
    }
    rmdir(dir);
    free(cfg);
    return 0;
}

int main(int argc, char **argv)
{
    double hours = argc > 1 ? atof(argv[1]) : 1.0;
    int sizes[16] = {32, 128}, nsizes = 2;
    if (argc > 2)
        for (nsizes = 0; nsizes + 2 < argc && nsizes < 16; nsizes++)
            sizes[nsizes] = atoi(argv[nsizes + 2]);
    int rc = 0;
    for (int k = 0; k < nsizes; k++) {
        if (sizes[k] < 1 || sizes[k] > CONFIG_MAX_BEDS) {
            fprintf(stderr, "bench_ward: %d beds: not in 1-%d\n", sizes[k], CONFIG_MAX_BEDS);
            return 2;
        }
        printf("-- %d beds, %.1f h\n", sizes[k], hours);
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0)
            _exit(run_ward(sizes[k], hours) || fflush(stdout));
        int status;
        if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
            WEXITSTATUS(status)) {
            fprintf(stderr, "bench_ward: the %d-bed ward failed\n", sizes[k]);
            rc = 1;
        }
    }
    return rc;
}
