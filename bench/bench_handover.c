/*
 * bench_handover — how long the shift handover takes for a full ward: 32
 * beds with 12 hours of data each (per-second RR/HR samples, a NEWS2 score
 * change every 5 minutes, manual observations every 2 hours, hourly notes,
 * an alarm every 30 minutes with acknowledgements and re-alerts), written
 * through the real store. Prints the time to build the model over the 12 h
 * (median of 5), to render it as text and as PDF, and as a baseline the
 * time just to read the period's per-second samples from the store (what
 * the model cost before the store kept per-minute summaries: the floor of
 * any handover made from per-second rows). Target from issue #12: under
 * 200 ms to build.
 */
#include "config.h"
#include "handover_print.h"
#include "store.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define NBEDS 32
#define HOURS 12
#ifndef RUNS
#define RUNS 5
#endif

/* Monotonic seconds with sub-ms precision. */
static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void count_sample(void *ctx, const struct store_sample *s)
{
    (void)s;
    (*(long *)ctx)++;
}

/* Exit on a store error. */
static void check(int rc, const char *what, const char *err)
{
    if (rc < 0) {
        fprintf(stderr, "bench_handover: %s: %s\n", what, err);
        exit(1);
    }
}

/* Bed b's admission, observations, notes and alarms over [t0, t1). */
static void fill_bed(struct store *st, int b, int64_t t0, int64_t t1)
{
    char err[1024];
    char label[32], ref[32];
    snprintf(label, sizeof label, "Rom %d %s", (b + 1) / 2, b % 2 ? "vindu" : "dør");
    snprintf(ref, sizeof ref, "P-%04d", b);
    int64_t adm;
    check(store_sync_bed(st, b, label, err, sizeof err), "bed", err);
    check(store_admit(st, b, ref, "Innlagt til observasjon etter fall; æøå", "KN",
                      t0 - 3600000, &adm, err, sizeof err),
          "admit", err);
    for (int64_t t = t0; t < t1; t += 7200000)
        for (int p = 0; p < 3; p++)
            check(store_add_observation(st, adm, b, p == 0 ? "spo2" : p == 1 ? "sbp" : "temp",
                                        p == 0 ? 95 : p == 1 ? 125 : 37.2, "ÅS", t, err,
                                        sizeof err),
                  "observation", err);
    for (int64_t t = t0 + 1800000; t < t1; t += 3600000) {
        int64_t note;
        check(store_add_note(st, b, adm, 0, "Pasienten sover, RR-artefakt ved bevegelse",
                             "KN", t, &note, err, sizeof err),
              "note", err);
    }
    for (int64_t t = t0 + 600000; t < t1; t += 1800000) {
        int64_t al;
        check(store_alarm_raise(st, b, "rr-high", "medium", t, &al, err, sizeof err), "alarm",
              err);
        check(store_alarm_event(st, al, "acknowledged", "acknowledged", "KN", t + 60000, err,
                                sizeof err),
              "ack", err);
        check(store_alarm_event(st, al, "realerted", "active", NULL, t + 240000, err,
                                sizeof err),
              "realert", err);
        check(store_alarm_event(st, al, "acknowledged", "acknowledged", "ÅS", t + 300000,
                                err, sizeof err),
              "ack", err);
        check(store_alarm_event(st, al, "ended", "ended", NULL, t + 600000, err, sizeof err),
              "end", err);
    }
}

/* The ward's per-second samples and 5-minute scores over [t0, t1). */
static void fill_samples(struct store *st, int64_t t0, int64_t t1)
{
    char err[1024];
    unsigned seed = 1;
    for (int64_t t = t0; t < t1; t += 1000) {
        for (int b = 1; b <= NBEDS; b++) {
            seed = seed * 1103515245u + 12345u;
            struct store_sample s = {b, t, 14.0f + (float)(seed >> 28), 70.0f + (float)(seed >> 26),
                                     0.9f, STORE_F_PRESENT};
            store_queue_sample(st, &s);
            if ((t - t0) % 300000 == 0) {
                struct store_score sc = {b, t, (int)(seed >> 29), {0, 0, 0, 0, 1, 0, 0}, 0, 0};
                store_queue_score(st, &sc);
            }
        }
        if ((t - t0) % 600000 == 599000)
            check(store_flush(st, err, sizeof err), "flush", err);
    }
    check(store_flush(st, err, sizeof err), "flush", err);
}

int main(void)
{
    char dir[] = "/tmp/wwbench-handover.XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    char db[256], err[1024];
    snprintf(db, sizeof db, "%s/ward.db", dir);
    struct ward_config *cfg = malloc(sizeof *cfg);
    config_defaults(cfg);
    ww_strlcpy(cfg->name, "Observasjonspost 3", sizeof cfg->name);
    struct store_options so = {.sample_capacity = NBEDS * 1200};
    struct store *st = store_open_with(db, &so, err, sizeof err);
    if (!st) {
        fprintf(stderr, "bench_handover: %s\n", err);
        return 1;
    }
    const int64_t t0 = 1796108400000LL; /* 2026-12-01 07:00 UTC */
    const int64_t t1 = t0 + HOURS * 3600000LL;
    double f0 = now_s();
    for (int b = 1; b <= NBEDS; b++)
        fill_bed(st, b, t0, t1);
    fill_samples(st, t0, t1);
    double fill = now_s() - f0;
    struct stat sb;
    stat(db, &sb);
    printf("store: %d beds x %d h (%ld samples) written in %.1f s, %.0f MB\n", NBEDS, HOURS,
           (long)NBEDS * HOURS * 3600, fill, sb.st_size / 1e6);

    /* Baseline: read the period's samples and do nothing with them. */
    double base[RUNS], build[RUNS], text[RUNS], pdf[RUNS];
    long n = 0;
    for (int r = 0; r < RUNS; r++) {
        n = 0;
        double a = now_s();
        for (int b = 1; b <= NBEDS; b++)
            check(store_query_samples(st, b, t0, t1, count_sample, &n, err, sizeof err),
                  "query", err);
        base[r] = now_s() - a;
    }
    struct handover_request req = {t0, t1, NULL, -1, t1, "KN"};
    char pdfpath[300];
    snprintf(pdfpath, sizeof pdfpath, "%s/h.pdf", dir);
    int pages_text = 0, pages_pdf = 0;
    FILE *devnull = fopen("/dev/null", "w");
    for (int r = 0; r < RUNS; r++) {
        double a = now_s();
        struct handover *h = handover_build(st, cfg, &req, err, sizeof err);
        if (!h) {
            fprintf(stderr, "bench_handover: %s\n", err);
            return 1;
        }
        double b = now_s();
        pages_text = handover_write_text(h, devnull);
        double c = now_s();
        pages_pdf = handover_write_pdf(h, pdfpath, err, sizeof err);
        double d = now_s();
        build[r] = b - a;
        text[r] = c - b;
        pdf[r] = d - c;
        handover_free(h);
    }
    fclose(devnull);
    qsort(base, RUNS, sizeof *base, cmp_d);
    qsort(build, RUNS, sizeof *build, cmp_d);
    qsort(text, RUNS, sizeof *text, cmp_d);
    qsort(pdf, RUNS, sizeof *pdf, cmp_d);
    printf("baseline: only reading the period's %ld per-second samples bed by bed: %.0f ms "
           "(median of %d)\n",
           n, base[RUNS / 2] * 1000, RUNS);
    printf("handover model from the per-minute summaries, %d beds x %d h: %.0f ms median, %.0f "
           "ms max (%.2fx the baseline's time; target < 200 ms)\n",
           NBEDS, HOURS, build[RUNS / 2] * 1000, build[RUNS - 1] * 1000,
           build[RUNS / 2] / base[RUNS / 2]);
    printf("text rendering: %.0f ms median (%d pages of 66 lines)\n", text[RUNS / 2] * 1000,
           pages_text);
    stat(pdfpath, &sb);
    printf("PDF rendering: %.0f ms median (%d A4 pages, %.0f kB)\n", pdf[RUNS / 2] * 1000,
           pages_pdf, sb.st_size / 1e3);
    printf("whole handover (model + PDF): %.0f ms\n", (build[RUNS / 2] + pdf[RUNS / 2]) * 1000);
    store_close(st);
    unlink(pdfpath);
    char p[300];
    const char *suffix[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", db, suffix[i]);
        unlink(p);
    }
    rmdir(dir);
    free(cfg);
    return 0;
}
