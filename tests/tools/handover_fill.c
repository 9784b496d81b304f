/*
 * handover_fill — a ward database from a replayed demo session, for the
 * handover tests: `handover_fill DEMO_DIR DB START HOURS` runs the demo
 * ward (DEMO_DIR/ward.ini and its recordings, generated when missing)
 * through the real monitor, ward, alarms and store, with the ward clock
 * starting at START (ISO 8601) and running HOURS as fast as possible.
 *
 * What nurses do is scripted through the ward's command API:
 * - beds 1-11 admitted at START, bed 12 only at half time ("admitted
 *   mid-shift"); bed 5 on Scale 2 (prescriber Dr Berg), bed 3 with
 *   individual limits; bed 4's label-free patient ref has æøå;
 * - an alarm still unacknowledged after 60 s is acknowledged by "KN" on
 *   odd beds and "ÅS" on even ones (beds 9 and 10 are never acknowledged,
 *   so open unacknowledged alarms exist at the end);
 * - every hour a note on beds 1 and 2 (one with escape sequences that must
 *   not reach the output), every 4 h a set of manual observations.
 * Prints "ok BEDS HOURS" at the end.
 */
#include "config.h"
#include "handover.h"
#include "loop.h"
#include "monitor.h"
#include "simulate.h"
#include "store.h"
#include "util.h"
#include "ward.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Exit with a message. */
static int die(const char *what, const char *err)
{
    fprintf(stderr, "handover_fill: %s: %s\n", what, err);
    return 1;
}

/* Manual observations for bed i. */
static void observe(struct ward *w, size_t i, int64_t now, const char *staff)
{
    char err[256];
    const char *p[] = {"spo2", "o2", "sbp", "acvpu", "temp"};
    const char *v[] = {i == 4 ? "89" : "96", i == 4 ? "oxygen" : "air", i == 8 ? "98" : "124",
                       "A", i == 0 ? "38.4" : "36.9"};
    for (int k = 0; k < 5; k++)
        if (ward_cmd_observation(w, i, p[k], v[k], staff, now, err, sizeof err) < 0)
            fprintf(stderr, "handover_fill: observation bed %zu %s: %s\n", i + 1, p[k], err);
}

/* Admit bed i with its observations. */
static int admit(struct ward *w, size_t i, int64_t now)
{
    char err[256], ref[40];
    if (i == 3)
        snprintf(ref, sizeof ref, "P-Ærø-%02zu", i + 1);
    else
        snprintf(ref, sizeof ref, "P-%04zu", 1000 + i + 1);
    const char *note = i == 0 ? "Innlagt med feber og hoste; sepsis? Blodkultur tatt."
                       : i == 11 ? "Kom fra akuttmottaket midt i vakta; opioidoverdose."
                                 : "Observasjon etter innleggelse.";
    if (ward_cmd_admit(w, i, ref, note, "KN", now, err, sizeof err) < 0)
        return die("admit", err);
    if (i == 4 && ward_cmd_scale2(w, i, true, "Dr Berg", "KN", now, err, sizeof err) < 0)
        return die("scale2", err);
    if (i == 2) {
        struct alarm_limits lim;
        memset(&lim, 0, sizeof lim);
        lim = ward_bed(w, i)->limits;
        lim.rr_low = 6;
        lim.rr_high = 30;
        if (ward_cmd_limits(w, i, &lim, "KOLS, lege har satt grenser", "KN", now, err,
                            sizeof err) < 0)
            return die("limits", err);
    }
    observe(w, i, now, "KN");
    return 0;
}

/* Entry point. */
int main(int argc, char **argv)
{
    char err[1024];
    if (argc != 5) {
        fprintf(stderr, "usage: handover_fill DEMO_DIR DB START HOURS\n");
        return 2;
    }
    int64_t start;
    double hours;
    if (handover_parse_time(argv[3], &start) < 0)
        return die("START", "not an ISO 8601 time");
    if (ww_parse_double(argv[4], 0.1, 24, &hours) < 0)
        return die("HOURS", "not 0.1-24");
    char ini[4096], rec[4096], spec[4096];
    snprintf(ini, sizeof ini, "%s/ward.ini", argv[1]);
    snprintf(rec, sizeof rec, "%s/recordings/bed01.wwrec", argv[1]);
    snprintf(spec, sizeof spec, "%s/scenarios.txt", argv[1]);
    if (access(rec, R_OK) != 0) {
        snprintf(rec, sizeof rec, "%s/recordings", argv[1]);
        if (simulate_ward(spec, rec, 1.0, err, sizeof err) < 0)
            return die("simulate", err);
    }
    struct ward_config *cfg = malloc(sizeof *cfg);
    if (!cfg || config_load(ini, cfg, err, sizeof err) < 0)
        return die("config", cfg ? err : "out of memory");
    snprintf(cfg->database, sizeof cfg->database, "%s", argv[2]);
    struct store *st = store_open(cfg->database, NULL, err, sizeof err);
    if (!st)
        return die("store", err);
    struct loop *l = loop_new(false);
    struct monitor_opts mo = {.speed = 1, .loop_recordings = true, .start_ms = start};
    struct monitor *m = monitor_new(cfg, st, l, &mo, err, sizeof err);
    if (!m)
        return die("monitor", err);
    struct ward *w = monitor_ward(m);
    int64_t now = monitor_now(m);
    size_t nbeds = ward_nbeds(w);
    for (size_t i = 0; i + 1 < nbeds; i++)
        if (admit(w, i, now) < 0)
            return 1;
    double total = hours * 3600, done = 0;
    int step = 0;
    while (done < total) {
        done += monitor_run_fast(m, 60);
        step++;
        now = monitor_now(m);
        if (nbeds >= 12 && step == (int)(total / 120) && admit(w, 11, now) < 0)
            return 1;
        for (size_t i = 0; i < nbeds; i++) {
            const struct ward_bed *b = ward_bed(w, i);
            if (i == 8 || i == 9)
                continue;
            for (int c = 0; c < AC_COUNT; c++) {
                const struct alarm *a = &b->alarms.a[c];
                if (a->state == AS_ACTIVE && !a->acked && a->id > 0 &&
                    now - a->raised_at >= 60000 &&
                    ward_cmd_ack(w, i, a->id, i % 2 ? "ÅS" : "KN", now, err, sizeof err) < 0)
                    fprintf(stderr, "handover_fill: ack: %s\n", err);
            }
        }
        if (step % 60 == 30) {
            char text[256];
            snprintf(text, sizeof text, "Time %d: pasienten hoster, RR-artefakt; lege informert "
                     "(æøå ÆØÅ)", step / 60 + 1);
            ward_cmd_note(w, 0, 0, text, "KN", now, err, sizeof err);
            ward_cmd_note(w, 1, 0, "Sover\x1b[31m godt\x07 \x1b]0;pwned\x07natt", "ÅS", now, err,
                          sizeof err);
        }
        if (step % 240 == 0)
            for (size_t i = 0; i < nbeds; i++)
                if (ward_bed(w, i)->admitted)
                    observe(w, i, now, i % 2 ? "ÅS" : "KN");
        if (ward_flush(w, err, sizeof err) < 0)
            fprintf(stderr, "handover_fill: flush: %s\n", err);
    }
    if (ward_flush(w, err, sizeof err) < 0)
        return die("flush", err);
    monitor_free(m);
    loop_free(l);
    store_close(st);
    free(cfg);
    printf("ok %zu %g\n", nbeds, hours);
    return 0;
}
