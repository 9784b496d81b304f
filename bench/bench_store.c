/*
 * bench_store — what the SQLite store costs on disk and per row (#10).
 *
 * 1. Raw: BEDS beds x 24 h of 1 Hz samples (a deterministic random walk of
 *    RR/HR/quality with presence and motion flags, NEWS2 scores on change)
 *    written through the real store API in the ward's pattern (queue, flush
 *    one transaction per ward second of all beds), then bytes per bed-day.
 *    Baseline in the same run: the same rows in a plain rowid table of REAL
 *    columns with a (bed, t) index, the layout a first attempt would use.
 * 2. Insert cost per bed-second: the live pattern (one transaction per
 *    second of BEDS rows, synchronous=FULL) against the naive baseline of one
 *    transaction per row.
 * 3. Downsampled: every raw row folded into per-minute min/median/max with
 *    store_downsample_and_prune in its loop-sized batches (600 rows), then
 *    VACUUM and bytes per bed-day; the longest batch is printed too.
 * 4. A year at BEDS beds: 358 days of per-minute rows plus the record
 *    (scores, observations, alarms and events, notes, audit at a busy ward's
 *    rate) written straight into the store's schema in bulk, plus 7 days of
 *    per-second rows through the store API, measured on disk; with
 *    --year-beds N < BEDS only N beds are synthesised and the 32-bed figure
 *    is that size x BEDS/N (labelled as extrapolated: every table is keyed
 *    by bed, nothing grows across beds). Then record_days 358 makes the
 *    oldest week of that record due, and store_prune_record removes it in
 *    600-row batches: rows, batches, mean and longest batch time.
 *
 * usage: bench_store [--beds N] [--year-beds N] [--no-year]
 * Prints figures; asserts nothing about time.
 */
#include "store.h"
#include "util.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/wwbench-store.XXXXXX";

/* Bytes on disk of a database with its WAL. */
static long long db_bytes(const char *path)
{
    struct stat sb;
    long long n = 0;
    char p[512];
    const char *suffix[] = {"", "-wal"};
    for (int i = 0; i < 2; i++) {
        snprintf(p, sizeof p, "%s%s", path, suffix[i]);
        if (stat(p, &sb) == 0)
            n += sb.st_size;
    }
    return n;
}

/* Remove a database and its side files. */
static void db_remove(const char *path)
{
    char p[512];
    const char *suffix[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", path, suffix[i]);
        unlink(p);
    }
}

/* Deterministic generator (xorshift) for plausible vital signs. */
struct gen {
    uint64_t s;
    double rr, hr;
};
static double gen_u(struct gen *g)
{
    g->s ^= g->s << 13;
    g->s ^= g->s >> 7;
    g->s ^= g->s << 17;
    return (double)(g->s >> 11) / 9007199254740992.0;
}
static void gen_step(struct gen *g, struct store_sample *s)
{
    g->rr += (gen_u(g) - 0.5) * 0.6 + (16 - g->rr) * 0.01;
    g->hr += (gen_u(g) - 0.5) * 1.5 + (75 - g->hr) * 0.01;
    double u = gen_u(g);
    s->rr = u < 0.03 ? NAN : (float)g->rr; /* a few seconds without a value */
    s->hr = u < 0.03 ? NAN : (float)g->hr;
    s->quality = (float)(0.6 + 0.4 * gen_u(g));
    s->flags = STORE_F_PRESENT | (u > 0.97 ? STORE_F_MOTION : 0);
}

/* Run SQL on a raw connection; exit on error. */
static void exec_or_die(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "bench_store: %s: %s\n", sql, msg);
        exit(1);
    }
}

/* Write beds x seconds of samples through the store, flushing every
 * per_flush ward seconds; returns wall seconds. Scores on change. */
static double write_samples(struct store *st, int beds, int64_t t0, long seconds, int per_flush,
                            uint64_t seed)
{
    char err[512];
    struct gen g[64];
    int last_total[64];
    for (int b = 0; b < beds; b++) {
        g[b] = (struct gen){seed + (uint64_t)b * 7919 + 1, 14 + b % 5, 65 + b % 20};
        last_total[b] = -1;
    }
    double w0 = (double)ww_mono_ms();
    for (long sec = 0; sec < seconds; sec++) {
        int64_t t = t0 + sec * 1000;
        for (int b = 0; b < beds; b++) {
            struct store_sample s = {b + 1, t, 0, 0, 0, 0};
            gen_step(&g[b], &s);
            store_queue_sample(st, &s);
            int total = isnan(s.rr) ? last_total[b] : (s.rr > 20) + (s.rr > 24) * 2 + (s.hr > 90);
            if (total != last_total[b] && sec % 60 == 0) {
                struct store_score sc = {b + 1, t, total, {total, 0, 0, 0, 0, 0, 0}, 0, 0};
                store_queue_score(st, &sc);
                last_total[b] = total;
            }
        }
        if ((sec + 1) % per_flush == 0 && store_flush(st, err, sizeof err) < 0) {
            fprintf(stderr, "bench_store: flush: %s\n", err);
            exit(1);
        }
    }
    if (store_flush(st, err, sizeof err) < 0) {
        fprintf(stderr, "bench_store: flush: %s\n", err);
        exit(1);
    }
    return ((double)ww_mono_ms() - w0) / 1000;
}

/* Open a store with beds 1..n. */
static struct store *open_beds(const char *path, int n)
{
    char err[512];
    struct store_options o = {.sample_capacity = (size_t)n * 3700};
    struct store *st = store_open_with(path, &o, err, sizeof err);
    if (!st) {
        fprintf(stderr, "bench_store: %s\n", err);
        exit(1);
    }
    for (int b = 1; b <= n; b++) {
        char label[16];
        snprintf(label, sizeof label, "Seng %d", b);
        if (store_sync_bed(st, b, label, err, sizeof err) < 0) {
            fprintf(stderr, "bench_store: %s\n", err);
            exit(1);
        }
    }
    for (int b = 1; b <= n; b++)
        store_set_source(st, b, "mr60bha2 /dev/ttyUSB0", err, sizeof err);
    return st;
}

/* The naive baseline layout: rowid table, REAL columns, (bed, t) index. */
static double naive_insert(const char *path, int beds, long seconds, int rows_per_txn,
                           long long *bytes)
{
    sqlite3 *db;
    if (sqlite3_open(path, &db) != SQLITE_OK)
        exit(1);
    exec_or_die(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                    "CREATE TABLE samples(id INTEGER PRIMARY KEY, bed INTEGER, t INTEGER,"
                    " rr REAL, hr REAL, quality REAL, present INTEGER, motion INTEGER);"
                    "CREATE INDEX samples_bed_t ON samples(bed, t);");
    sqlite3_stmt *ins;
    sqlite3_prepare_v2(db,
                       "INSERT INTO samples(bed, t, rr, hr, quality, present, motion)"
                       " VALUES(?, ?, ?, ?, ?, ?, ?)",
                       -1, &ins, NULL);
    struct gen g[64];
    for (int b = 0; b < beds; b++)
        g[b] = (struct gen){(uint64_t)b * 7919 + 1, 14 + b % 5, 65 + b % 20};
    double w0 = (double)ww_mono_ms();
    long n = 0;
    int64_t t0 = ww_now_ms() - seconds * 1000;
    for (long sec = 0; sec < seconds; sec++)
        for (int b = 0; b < beds; b++) {
            if (n % rows_per_txn == 0)
                exec_or_die(db, "BEGIN");
            struct store_sample s;
            gen_step(&g[b], &s);
            sqlite3_bind_int(ins, 1, b + 1);
            sqlite3_bind_int64(ins, 2, t0 + sec * 1000);
            if (isnan(s.rr)) {
                sqlite3_bind_null(ins, 3);
                sqlite3_bind_null(ins, 4);
            } else {
                sqlite3_bind_double(ins, 3, s.rr);
                sqlite3_bind_double(ins, 4, s.hr);
            }
            sqlite3_bind_double(ins, 5, s.quality);
            sqlite3_bind_int(ins, 6, 1);
            sqlite3_bind_int(ins, 7, (s.flags & STORE_F_MOTION) != 0);
            sqlite3_step(ins);
            sqlite3_reset(ins);
            if (++n % rows_per_txn == 0)
                exec_or_die(db, "COMMIT");
        }
    if (n % rows_per_txn)
        exec_or_die(db, "COMMIT");
    double wall = ((double)ww_mono_ms() - w0) / 1000;
    exec_or_die(db, "PRAGMA wal_checkpoint(TRUNCATE)");
    sqlite3_finalize(ins);
    sqlite3_close(db);
    *bytes = db_bytes(path);
    db_remove(path);
    return wall;
}

/* Checkpoint and VACUUM a store file on a raw connection. */
static void compact(const char *path)
{
    sqlite3 *db;
    if (sqlite3_open(path, &db) != SQLITE_OK)
        exit(1);
    exec_or_die(db, "VACUUM; PRAGMA wal_checkpoint(TRUNCATE);");
    sqlite3_close(db);
}

/* The prepared inserts of synth_year. */
struct synth {
    sqlite3 *db;
    sqlite3_stmt *m, *sc, *obs, *al, *ev, *note, *aud, *adm;
};

/* Bed b's 1440 per-minute summaries of the day from day0. */
static void synth_minutes(const struct synth *y, struct gen *g, int b, int64_t day0)
{
    sqlite3_stmt *m = y->m;
    for (int mi = 0; mi < 1440; mi++) {
        struct store_sample s;
        gen_step(g, &s);
        int rr = (int)lround(g->rr * 10), hr = (int)lround(g->hr * 10);
        sqlite3_bind_int(m, 1, b);
        sqlite3_bind_int64(m, 2, day0 / 60000 + mi);
        sqlite3_bind_int(m, 3, rr - 15);
        sqlite3_bind_int(m, 4, rr);
        sqlite3_bind_int(m, 5, rr + 20);
        sqlite3_bind_int(m, 6, hr - 40);
        sqlite3_bind_int(m, 7, hr);
        sqlite3_bind_int(m, 8, hr + 50);
        sqlite3_step(m);
        sqlite3_reset(m);
    }
}

/* Bed b's scores, observations, alarms, notes and audit rows of the day
 * from day0, in admission. */
static void synth_events(const struct synth *y, int b, int64_t day0, int64_t admission)
{
    sqlite3 *db = y->db;
    sqlite3_stmt *sc = y->sc, *obs = y->obs, *al = y->al, *ev = y->ev, *note = y->note,
                 *aud = y->aud;
    static const char *params[] = {"spo2", "o2", "sbp", "acvpu", "temp"};
    /* a busy bed-day: 48 score changes, 6 observation rounds of 5
     * manual values, 10 alarms of 3 events each, 5 notes, and an
     * audit row for every command */
    for (int k = 0; k < 48; k++) {
        sqlite3_bind_int(sc, 1, b);
        sqlite3_bind_int64(sc, 2, day0 + k * 1800000LL);
        sqlite3_bind_int(sc, 3, k % 5);
        sqlite3_bind_int(sc, 4, k % 3);
        sqlite3_step(sc);
        sqlite3_reset(sc);
    }
    for (int r = 0; r < 6; r++)
        for (int p = 0; p < 5; p++) {
            int64_t t = day0 + r * 14400000LL + p * 1000;
            sqlite3_bind_int64(obs, 1, admission);
            sqlite3_bind_int(obs, 2, b);
            sqlite3_bind_text(obs, 3, params[p], -1, SQLITE_STATIC);
            sqlite3_bind_double(obs, 4, 90 + p);
            sqlite3_bind_int64(obs, 5, t);
            sqlite3_step(obs);
            sqlite3_reset(obs);
            sqlite3_bind_int64(aud, 1, t);
            sqlite3_bind_text(aud, 2, "observation", -1, SQLITE_STATIC);
            sqlite3_bind_int(aud, 3, b);
            sqlite3_bind_text(aud, 4, params[p], -1, SQLITE_STATIC);
            sqlite3_step(aud);
            sqlite3_reset(aud);
        }
    for (int a = 0; a < 10; a++) {
        int64_t t = day0 + a * 8640000LL;
        sqlite3_bind_int(al, 1, b);
        sqlite3_bind_int64(al, 2, t);
        sqlite3_bind_int64(al, 3, t + 30000);
        sqlite3_bind_int64(al, 4, t + 120000);
        sqlite3_bind_int64(al, 5, t);
        sqlite3_step(al);
        sqlite3_reset(al);
        int64_t id = sqlite3_last_insert_rowid(db);
        static const char *evs[] = {"raised", "acknowledged", "ended"};
        for (int e = 0; e < 3; e++) {
            sqlite3_bind_int64(ev, 1, id);
            sqlite3_bind_int64(ev, 2, t + e * 60000);
            sqlite3_bind_text(ev, 3, evs[e], -1, SQLITE_STATIC);
            if (e == 1)
                sqlite3_bind_text(ev, 4, "KN", -1, SQLITE_STATIC);
            else
                sqlite3_bind_null(ev, 4);
            sqlite3_step(ev);
            sqlite3_reset(ev);
        }
        sqlite3_bind_int64(aud, 1, t + 30000);
        sqlite3_bind_text(aud, 2, "acknowledge", -1, SQLITE_STATIC);
        sqlite3_bind_int(aud, 3, b);
        sqlite3_bind_text(aud, 4, "rr-high", -1, SQLITE_STATIC);
        sqlite3_step(aud);
        sqlite3_reset(aud);
        if (a < 5) {
            sqlite3_bind_int(note, 1, b);
            sqlite3_bind_int64(note, 2, admission);
            sqlite3_bind_int64(note, 3, id);
            sqlite3_bind_int64(note, 4, t + 40000);
            sqlite3_step(note);
            sqlite3_reset(note);
        }
    }
}

/* Bulk rows of the record for a year straight into the store's schema. */
static void synth_year(const char *path, int beds, int days, int64_t t0)
{
    sqlite3 *db;
    if (sqlite3_open(path, &db) != SQLITE_OK)
        exit(1);
    exec_or_die(db, "PRAGMA synchronous=OFF; BEGIN");
    sqlite3_stmt *m, *sc, *obs, *al, *ev, *note, *aud, *adm;
    sqlite3_prepare_v2(db,
                       "INSERT INTO samples_minute(bed, minute, rr_min, rr_med, rr_max, hr_min,"
                       " hr_med, hr_max, n) VALUES(?, ?, ?, ?, ?, ?, ?, ?, 60)",
                       -1, &m, NULL);
    sqlite3_prepare_v2(db,
                       "INSERT OR REPLACE INTO scores(bed, t, total, p_rr, p_spo2, p_o2, p_sbp,"
                       " p_hr, p_acvpu, p_temp, band, partial_mask)"
                       " VALUES(?, ?, ?, ?, 0, 0, 0, 0, 0, 0, 0, 0)",
                       -1, &sc, NULL);
    sqlite3_prepare_v2(db,
                       "INSERT INTO observations(admission, bed, param, value, entered_by, t)"
                       " VALUES(?, ?, ?, ?, 'KN', ?)",
                       -1, &obs, NULL);
    sqlite3_prepare_v2(db,
                       "INSERT INTO alarms(bed, condition, priority, raised_at, state,"
                       " acked_by, acked_at, ended_at, last_alert_at)"
                       " VALUES(?, 'rr-high', 'medium', ?, 'ended', 'KN', ?, ?, ?)",
                       -1, &al, NULL);
    sqlite3_prepare_v2(db, "INSERT INTO alarm_events(alarm, t, event, staff) VALUES(?, ?, ?, ?)",
                       -1, &ev, NULL);
    sqlite3_prepare_v2(db,
                       "INSERT INTO notes(bed, admission, alarm, t, staff, text)"
                       " VALUES(?, ?, ?, ?, 'KN', 'Pasienten hoster, RR-artefakt; lege "
                       "informert.')",
                       -1, &note, NULL);
    sqlite3_prepare_v2(db,
                       "INSERT INTO audit(t, staff, action, bed, detail)"
                       " VALUES(?, 'KN', ?, ?, ?)",
                       -1, &aud, NULL);
    sqlite3_prepare_v2(db,
                       "INSERT INTO admissions(bed, patient_ref, admitted_at, admitted_by,"
                       " discharged_at, discharged_by) VALUES(?, ?, ?, 'KN', ?, 'KN')",
                       -1, &adm, NULL);
    struct synth y = {db, m, sc, obs, al, ev, note, aud, adm};
    for (int b = 1; b <= beds; b++) {
        struct gen g = {(uint64_t)b * 104729 + 3, 16, 75};
        int64_t admission = 0;
        for (int d = 0; d < days; d++) {
            int64_t day0 = t0 + (int64_t)d * 86400000LL;
            /* a new patient every other day */
            if (d % 2 == 0) {
                char ref[32];
                snprintf(ref, sizeof ref, "P-%d-%d", b, d);
                sqlite3_bind_int(adm, 1, b);
                sqlite3_bind_text(adm, 2, ref, -1, SQLITE_TRANSIENT);
                sqlite3_bind_int64(adm, 3, day0);
                sqlite3_bind_int64(adm, 4, day0 + 2 * 86400000LL - 60000);
                sqlite3_step(adm);
                sqlite3_reset(adm);
                admission = sqlite3_last_insert_rowid(db);
            }
            synth_minutes(&y, &g, b, day0);
            synth_events(&y, b, day0, admission);
        }
    }
    exec_or_die(db, "COMMIT");
    sqlite3_stmt *all[] = {m, sc, obs, al, ev, note, aud, adm};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        sqlite3_finalize(all[i]);
    exec_or_die(db, "PRAGMA wal_checkpoint(TRUNCATE)");
    sqlite3_close(db);
}

/* Step 4 of main: a year of the record on year_beds beds, and its
 * retention. 0, or 1 after saying why. */
static int bench_year(int year_beds, long day_s)
{
    struct store *st;
    char err[512];
    long r;
    char ypath[256];
    snprintf(ypath, sizeof ypath, "%s/year.db", dir);
    const int per_minute_days = 358, raw_days = 7;
    int64_t y0 = (ww_now_ms() - 365 * 86400000LL) / 86400000LL * 86400000LL;
    st = open_beds(ypath, year_beds);
    store_close(st);
    double y_w0 = (double)ww_mono_ms();
    synth_year(ypath, year_beds, per_minute_days, y0);
    st = open_beds(ypath, year_beds);
    write_samples(st, year_beds, y0 + per_minute_days * 86400000LL, raw_days * day_s, 60, 3);
    store_close(st);
    compact(ypath);
    long long ybytes = db_bytes(ypath);
    double scale = 32.0 / year_beds;
    printf("a year: %d beds x (%d days per-minute + %d days per-second + the record) "
           "synthesised in %.0f s: %.1f MB on disk\n",
           year_beds, per_minute_days, raw_days, ((double)ww_mono_ms() - y_w0) / 1000,
           ybytes / 1e6);
    printf("a year at 32 beds: %.2f GB %s; per bed-day %.1f KB averaged over the year "
           "(budget 7 x 3 MB + 358 x 100 KB = %.1f MB per bed-year, used %.1f MB)\n",
           ybytes * scale / 1e9,
           year_beds == 32 ? "(measured)" : "(EXTRAPOLATED from the beds above x 32/N)",
           ybytes / 1e3 / (year_beds * 365.0), (7 * 3.0 + 358 * 0.1), ybytes / 1e6 / year_beds);
    /* The record's retention on that year: record_days 358 makes the
     * oldest week due, pruned in the loop's 600-row batches. */
    st = open_beds(ypath, year_beds);
    if (store_set_record_days(st, 358, err, sizeof err) < 0) {
        fprintf(stderr, "bench_store: %s\n", err);
        return 1;
    }
    long pb = 0, prows = 0;
    double pworst = 0, p0 = (double)ww_mono_ms();
    do {
        double b0 = (double)ww_mono_ms();
        r = store_prune_record(st, ww_now_ms(), 600, err, sizeof err);
        double bt = (double)ww_mono_ms() - b0;
        if (bt > pworst)
            pworst = bt;
        if (r > 0)
            prows += r;
        pb++;
    } while (r > 0);
    double pwall = ((double)ww_mono_ms() - p0) / 1000;
    store_close(st);
    if (r < 0) {
        fprintf(stderr, "bench_store: prune: %s\n", err);
        return 1;
    }
    printf("record retention on that year (record_days 358): %ld rows pruned in %ld batches "
           "of 600 in %.1f s, %.2f ms per batch on average, longest %.0f ms\n",
           prows, pb, pwall, pwall * 1000 / (double)pb, pworst);
    db_remove(ypath);
    return 0;
}

int main(int argc, char **argv)
{
    int beds = 32, year_beds = 32;
    bool year = true;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--beds") && i + 1 < argc)
            beds = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--year-beds") && i + 1 < argc)
            year_beds = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--no-year"))
            year = false;
        else {
            fprintf(stderr, "usage: bench_store [--beds N] [--year-beds N] [--no-year]\n");
            return 2;
        }
    }
    if (beds < 1 || beds > 64 || year_beds < 1 || year_beds > beds)
        return 2;
    if (!mkdtemp(dir))
        return 1;
    char path[256], npath[256];
    snprintf(path, sizeof path, "%s/raw.db", dir);
    snprintf(npath, sizeof npath, "%s/naive.db", dir);
    const long day_s = 86400;
    const double bed_days = beds;

    /* 1. raw bytes per bed-day */
    int64_t t0 = (ww_now_ms() - 30 * 86400000LL) / 60000 * 60000;
    struct store *st = open_beds(path, beds);
    double wall = write_samples(st, beds, t0, day_s, 60, 1);
    store_close(st);
    compact(path);
    long long raw = db_bytes(path);
    long long naive_bytes;
    naive_insert(npath, beds, day_s, beds * 60, &naive_bytes);
    printf("store raw: %d beds x 24 h at 1 Hz = %.0f rows: %.2f MB per bed-day (target <= 3 MB); "
           "naive layout %.2f MB per bed-day, ratio %.2fx smaller\n",
           beds, bed_days * day_s, raw / 1e6 / bed_days, naive_bytes / 1e6 / bed_days,
           (double)naive_bytes / (double)raw);
    printf("store bulk insert (replay pattern, one transaction per minute of %d beds): "
           "%.2f us per bed-second\n",
           beds, wall * 1e6 / (bed_days * day_s));

    /* 2. insert cost, live pattern, against a transaction per row */
    char lpath[256];
    snprintf(lpath, sizeof lpath, "%s/live.db", dir);
    st = open_beds(lpath, beds);
    const long live_s = 120;
    double lw = write_samples(st, beds, t0, live_s, 1, 2);
    store_close(st);
    db_remove(lpath);
    long long dummy;
    const long naive_s = 10;
    double nw = naive_insert(npath, beds, naive_s, 1, &dummy);
    double live_us = lw * 1e6 / ((double)beds * live_s);
    double naive_us = nw * 1e6 / ((double)beds * naive_s);
    printf("insert cost, live pattern (one transaction per second of %d beds, synchronous=FULL): "
           "%.1f us per bed-second, %.3f%% of one core for the %d beds; baseline (a transaction "
           "per row): %.1f us, ratio %.1fx\n",
           beds, live_us, live_us * beds / 1e4, beds, naive_us, naive_us / live_us);

    /* 3. downsampled bytes per bed-day */
    st = open_beds(path, beds);
    char err[512];
    long batches = 0, r;
    double worst = 0, d0 = (double)ww_mono_ms();
    do {
        double b0 = (double)ww_mono_ms();
        r = store_downsample_and_prune(st, t0 + 2 * day_s * 1000, 600, err, sizeof err);
        double bt = (double)ww_mono_ms() - b0;
        if (bt > worst)
            worst = bt;
        batches++;
    } while (r > 0);
    double dwall = ((double)ww_mono_ms() - d0) / 1000;
    if (r < 0) {
        fprintf(stderr, "bench_store: downsample: %s\n", err);
        return 1;
    }
    store_close(st);
    compact(path);
    long long down = db_bytes(path);
    printf("downsampled: %.1f KB per bed-day (target <= 100 KB), %.0fx smaller than raw; "
           "folded in %ld batches of 600 rows, %.1f s, longest batch %.0f ms\n",
           down / 1e3 / bed_days, (double)raw / (double)down, batches, dwall, worst);
    db_remove(path);

    /* 4. a year */
    if (year && bench_year(year_beds, day_s) != 0)
        return 1;
    rmdir(dir);
    return 0;
}
