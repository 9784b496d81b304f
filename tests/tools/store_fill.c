/*
 * store_fill — make a ward database through the real store for the backup
 * and check integration tests: `store_fill DB [SECONDS [notes]]` creates (or
 * opens) DB, syncs beds 1-3, admits a patient to bed 1 if the bed is free,
 * raises an alarm and writes 600 samples; with SECONDS it then keeps writing
 * a sample row per bed every 50 ms for that long (a live ward for `wardwatch
 * backup` to copy), printing "ready" once the first part is committed. With
 * "notes" it also adds a note every turn and prints "confirmed ID" as soon as
 * store_add_note returned 0, so a test can kill -9 it and then look for
 * every confirmed note in the file. At a normal end it prints "samples N
 * dropped D failed F": samples queued in all, dropped by the ring, failed
 * flushes.
 */
#include "store.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Exit with the store's message. */
static int die(const char *what, const char *err)
{
    fprintf(stderr, "store_fill: %s: %s\n", what, err);
    return 1;
}

/* Entry point. */
int main(int argc, char **argv)
{
    char err[1024];
    if (argc < 2 || argc > 4 || (argc == 4 && strcmp(argv[3], "notes"))) {
        fprintf(stderr, "usage: store_fill DB [SECONDS [notes]]\n");
        return 2;
    }
    bool notes = argc == 4;
    long secs = 0;
    if (argc >= 3 && ww_parse_long(argv[2], 0, 600, &secs) < 0) {
        fprintf(stderr, "store_fill: SECONDS must be 0-600, not '%s'\n", argv[2]);
        return 2;
    }
    struct store *st = store_open(argv[1], NULL, err, sizeof err);
    if (!st)
        return die("open", err);
    for (int b = 1; b <= 3; b++) {
        char label[16];
        snprintf(label, sizeof label, "Rom %d", b);
        if (store_sync_bed(st, b, label, err, sizeof err) < 0)
            return die("bed", err);
    }
    int64_t t = 1700000000000LL, adm = 0, alarm;
    /* Bed 1 may already be occupied when the file is reused. */
    if (store_admit(st, 1, "P-4711", "test admission", "KN", t, &adm, err, sizeof err) < 0 &&
        !strstr(err, "already has an open admission"))
        return die("admit", err);
    if (store_alarm_raise(st, 1, "rr-high", "high", t + 1000, &alarm, err, sizeof err) < 0)
        return die("alarm", err);
    for (int i = 0; i < 600; i++) {
        struct store_sample s = {1 + i % 3, t + 1000LL * (i / 3), 16, 72, 0.9f, STORE_F_PRESENT};
        store_queue_sample(st, &s);
    }
    if (store_flush(st, err, sizeof err) < 0)
        return die("flush", err);
    printf("ready\n");
    fflush(stdout);
    long nsamples = 600;
    int64_t end = ww_mono_ms() + secs * 1000;
    int64_t tt = t + 1000000;
    while (ww_mono_ms() < end) {
        for (int b = 1; b <= 3; b++) {
            struct store_sample s = {b, tt, 15, 70, 0.8f, STORE_F_PRESENT};
            store_queue_sample(st, &s);
            nsamples++;
        }
        tt += 1000;
        if (store_flush(st, err, sizeof err) < 0)
            fprintf(stderr, "store_fill: flush: %s (will retry)\n", err);
        int64_t note;
        if (notes) {
            if (store_add_note(st, 2, 0, alarm, "observed, no action", "KN", tt, &note, err,
                               sizeof err) == 0)
                printf("confirmed %lld\n", (long long)note);
            else
                fprintf(stderr, "store_fill: note: %s\n", err);
            fflush(stdout);
            continue; /* as fast as the disk allows */
        }
        nanosleep(&(struct timespec){0, 50 * 1000000L}, NULL);
    }
    /* Whatever an outage left queued goes now (the disk may be back). */
    for (int i = 0; i < 40 && store_queued(st) > 0; i++) {
        if (store_flush(st, err, sizeof err) == 0)
            break;
        nanosleep(&(struct timespec){0, 50 * 1000000L}, NULL);
    }
    struct store_stats stt;
    store_get_stats(st, &stt);
    printf("samples %ld dropped %llu failed %llu unflushed %zu\n", nsamples,
           (unsigned long long)stt.dropped_samples, (unsigned long long)stt.failed_flushes,
           store_queued(st));
    store_close(st);
    return 0;
}
