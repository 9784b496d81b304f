/*
 * store_samples — the per-second stream (samples, scores, sensor events)
 * queued for the flush, and the per-minute summaries of samples: written
 * live as each bed-minute completes, recovered at start for the minute a
 * stop left open, read by store_query_minutes (see store_int.h).
 */
#include "store_int.h"

#include "util.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Source of a bed's samples from now on (sources row made on first use). */
int store_set_source(struct store *st, int bed, const char *source, char *err, size_t errlen)
{
    char clean[STORE_LABEL_MAX + 1];
    uint32_t id = 0;
    if (store_clean_text(clean, sizeof clean, source, false, false, "sample source", err,
                         errlen) < 0)
        return -1;
    if (clean[0]) {
        store_bind_str(st->st[S_SOURCE_ADD], 1, clean);
        if (store_step(st->st[S_SOURCE_ADD]) < 0) {
            st->healthy = false;
            return store_db_err(st, err, errlen, "cannot store the sample source");
        }
        sqlite3_stmt *g = st->st[S_SOURCE_GET];
        store_bind_str(g, 1, clean);
        if (sqlite3_step(g) == SQLITE_ROW)
            id = (uint32_t)sqlite3_column_int64(g, 0);
        sqlite3_reset(g);
        sqlite3_clear_bindings(g);
        if (!id)
            return store_db_err(st, err, errlen, "cannot look up the sample source");
    }
    void *arr = st->sources;
    struct store_bed_source *b =
        store_bed_slot(st, &arr, &st->nsources, &st->capsources, sizeof *st->sources, bed, true);
    st->sources = arr;
    if (!b)
        return ww_err(err, errlen, "%s", st->last_error);
    b->source = id;
    return 0;
}

/* Current source id of a bed (0 none). */
static uint32_t source_of(struct store *st, int bed)
{
    void *arr = st->sources;
    struct store_bed_source *b =
        store_bed_slot(st, &arr, &st->nsources, &st->capsources, sizeof *st->sources, bed, false);
    return b ? b->source : 0;
}

/* min, median, max of n > 0 values (tenths; v sorted in place): the one
 * summary of a bed-minute, whether made live, recovered or by retention.
 * The median is wardwatch's one median (ww_median_int: the mean of the two
 * middle values for an even count, as the handover and the export show
 * it), kept in tenths, halves up. */
void store_minute_summary(int *out, int *v, int n)
{
    double med = ww_median_int(v, (size_t)n); /* sorts v */
    out[0] = v[0];
    out[1] = (int)floor(med + 0.5);
    out[2] = v[n - 1];
}

/* A minute's summary from its accumulator: the median of the values kept,
 * min and max of every value seen. */
static void acc_summary(int *out, int *vals, int nv, int lo, int hi)
{
    store_minute_summary(out, vals, nv < STORE_ACC_VALUES ? nv : STORE_ACC_VALUES);
    out[0] = lo;
    out[2] = hi;
}

/* Close a bed's open minute into the minute queue. */
static void acc_close(struct store *st, int bed, struct store_minute_acc *a)
{
    if (!a->open)
        return;
    a->open = false;
    void *arr = st->mins;
    bool ok = store_make_room(st, &arr, &st->capmins, st->nmins, sizeof *st->mins);
    st->mins = arr;
    if (!ok)
        return;
    struct store_minute_row *m = &st->mins[st->nmins++];
    m->bed = bed;
    m->minute = a->minute;
    m->n = a->n;
    m->nrr = a->nrr;
    m->nhr = a->nhr;
    if (a->nrr)
        acc_summary(m->rr, a->rr, a->nrr, a->rr_min, a->rr_max);
    if (a->nhr)
        acc_summary(m->hr, a->hr, a->nhr, a->hr_min, a->hr_max);
    st->stats.queued++;
}

/* Fold one value (tenths) into a minute's slots and extremes. */
static void acc_value(int *vals, int *nv, int *lo, int *hi, int v)
{
    if (*nv == 0 || v < *lo)
        *lo = v;
    if (*nv == 0 || v > *hi)
        *hi = v;
    if (*nv < STORE_ACC_VALUES)
        vals[*nv] = v;
    if (*nv < INT_MAX)
        (*nv)++;
}

/* The accumulator of a bed (a new one when create; NULL when it cannot
 * be made, which store_bed_slot reports). */
static struct store_minute_acc *acc_of(struct store *st, int bed, bool create)
{
    void *arr = st->accs;
    struct store_minute_acc *a =
        store_bed_slot(st, &arr, &st->naccs, &st->capaccs, sizeof *st->accs, bed, create);
    st->accs = arr;
    return a;
}

/* One per-second value pair (tenths; has_* false for NULL) into its bed's
 * open minute; a value of another minute closes the open one first. */
static void acc_tenths(struct store *st, int bed, int64_t t, bool has_rr, int rr, bool has_hr,
                       int hr)
{
    struct store_minute_acc *a = t < 0 ? NULL : acc_of(st, bed, true);
    if (!a)
        return;
    int64_t m = t / 60000;
    if (a->open && a->minute != m)
        acc_close(st, bed, a);
    if (!a->open) {
        a->open = true;
        a->minute = m;
        a->n = a->nrr = a->nhr = 0;
    }
    if (has_rr)
        acc_value(a->rr, &a->nrr, &a->rr_min, &a->rr_max, rr);
    if (has_hr)
        acc_value(a->hr, &a->nhr, &a->hr_min, &a->hr_max, hr);
    a->n++;
}

/* A queued sample into its minute. The per-second row and the summary use
 * the same integer tenths, so retention folds to the same numbers later. */
static void acc_add(struct store *st, const struct store_sample *s)
{
    int rr = 0, hr = 0;
    bool has_rr = store_to_tenths(s->rr, &rr), has_hr = store_to_tenths(s->hr, &hr);
    acc_tenths(st, s->bed, s->t, has_rr, rr, has_hr, hr);
}

/* Queue a sample (ring; oldest dropped and counted when full) and fold it
 * into its bed's open minute. */
void store_queue_sample(struct store *st, const struct store_sample *s)
{
    if (st->n == st->cap) {
        st->head = (st->head + 1) % st->cap;
        st->n--;
        st->stats.dropped_samples++;
    }
    struct store_sample_row *r = &st->samples[(st->head + st->n) % st->cap];
    r->s = *s;
    r->source = source_of(st, s->bed);
    st->n++;
    st->stats.queued++;
    acc_add(st, s);
}

/* Queue a score (never dropped). */
void store_queue_score(struct store *st, const struct store_score *s)
{
    void *arr = st->scores;
    bool ok = store_make_room(st, &arr, &st->capscores, st->nscores, sizeof *st->scores);
    st->scores = arr;
    if (!ok)
        return;
    st->scores[st->nscores++] = *s;
    st->stats.queued++;
}

/* Queue a sensor event (never dropped). */
void store_queue_sensor_event(struct store *st, int bed, int64_t t, const char *event,
                              const char *detail)
{
    void *arr = st->sevs;
    bool ok = store_make_room(st, &arr, &st->capsevs, st->nsevs, sizeof *st->sevs);
    st->sevs = arr;
    if (!ok)
        return;
    struct store_sensor_ev_row *r = &st->sevs[st->nsevs++];
    r->bed = bed;
    r->t = t;
    ww_sanitize_text(r->event, sizeof r->event, event && *event ? event : "?", false);
    ww_sanitize_text(r->detail, sizeof r->detail, detail ? detail : "", false);
    st->stats.queued++;
}

/* Insert one queued sample. */
static int put_sample(struct store *st, const struct store_sample_row *r)
{
    sqlite3_stmt *s = st->st[S_SAMPLE];
    sqlite3_bind_int(s, 1, r->s.bed);
    sqlite3_bind_int64(s, 2, r->s.t);
    store_bind_tenths(s, 3, r->s.rr);
    store_bind_tenths(s, 4, r->s.hr);
    if (isfinite(r->s.quality) && r->s.quality >= 0 && r->s.quality <= 1)
        sqlite3_bind_int(s, 5, (int)lroundf(r->s.quality * 100.0f));
    else
        sqlite3_bind_null(s, 5);
    sqlite3_bind_int(s, 6, (int)r->s.flags);
    store_bind_id(s, 7, r->source);
    return store_step(s);
}

/* Insert one queued score. */
static int put_score(struct store *st, const struct store_score *r)
{
    sqlite3_stmt *s = st->st[S_SCORE];
    sqlite3_bind_int(s, 1, r->bed);
    sqlite3_bind_int64(s, 2, r->t);
    sqlite3_bind_int(s, 3, r->total);
    for (int p = 0; p < 7; p++)
        store_bind_opt_int(s, 4 + p, r->parts[p]);
    sqlite3_bind_int(s, 11, r->band);
    sqlite3_bind_int(s, 12, (int)r->partial_mask);
    return store_step(s);
}

/* Insert one queued sensor event. */
static int put_sensor_event(struct store *st, const struct store_sensor_ev_row *r)
{
    sqlite3_stmt *s = st->st[S_SENSOR_EV];
    sqlite3_bind_int(s, 1, r->bed);
    sqlite3_bind_int64(s, 2, r->t);
    store_bind_str(s, 3, r->event);
    store_bind_text(s, 4, r->detail);
    return store_step(s);
}

/* Bind a bed-minute's summary as ?1-?9 (S_MIN_PUT and S_DS_PUT): bed,
 * minute, RR and HR min/median/max (NULL when it had none), n. */
void store_bind_minute(sqlite3_stmt *s, const struct store_minute_row *r)
{
    sqlite3_bind_int(s, 1, r->bed);
    sqlite3_bind_int64(s, 2, r->minute);
    store_bind_three(s, 3, r->rr, r->nrr > 0);
    store_bind_three(s, 6, r->hr, r->nhr > 0);
    sqlite3_bind_int(s, 9, r->n);
}

/* Insert (or merge) one completed minute's live summary. */
static int put_minute(struct store *st, const struct store_minute_row *r)
{
    sqlite3_stmt *s = st->st[S_MIN_PUT];
    store_bind_minute(s, r);
    return store_step(s);
}

/* Every queued row of the per-second stream, inside the flush's
 * transaction (the queues are emptied by the caller after COMMIT). */
int store_put_queued(struct store *st)
{
    for (size_t i = 0; i < st->n; i++)
        if (put_sample(st, &st->samples[(st->head + i) % st->cap]) < 0)
            return -1;
    for (size_t i = 0; i < st->nscores; i++)
        if (put_score(st, &st->scores[i]) < 0)
            return -1;
    for (size_t i = 0; i < st->nsevs; i++)
        if (put_sensor_event(st, &st->sevs[i]) < 0)
            return -1;
    for (size_t i = 0; i < st->nmins; i++)
        if (put_minute(st, &st->mins[i]) < 0)
            return -1;
    return 0;
}

/* Samples in a range: per-second rows, then per-minute medians where the
 * per-second ones were pruned. */
int store_query_samples(struct store *st, int bed, int64_t t0, int64_t t1,
                        void (*cb)(void *, const struct store_sample *), void *ctx, char *err,
                        size_t errlen)
{
    sqlite3_stmt *s = st->st[bed >= 0 ? S_Q_SAMPLES_BED : S_Q_SAMPLES];
    store_bind_range(s, bed, t0, t1);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct store_sample r;
        r.bed = sqlite3_column_int(s, 0);
        r.t = sqlite3_column_int64(s, 1);
        r.rr = store_col_tenths(s, 2);
        r.hr = store_col_tenths(s, 3);
        r.quality = sqlite3_column_type(s, 4) == SQLITE_NULL
                        ? NAN
                        : (float)sqlite3_column_int(s, 4) / 100.0f;
        r.flags = (unsigned)sqlite3_column_int(s, 5);
        cb(ctx, &r);
    }
    return store_finish(st, s, rc, err, errlen);
}

/* Scores in a range. */
int store_query_scores(struct store *st, int bed, int64_t t0, int64_t t1,
                       void (*cb)(void *, const struct store_score *), void *ctx, char *err,
                       size_t errlen)
{
    sqlite3_stmt *s = st->st[bed >= 0 ? S_Q_SCORES_BED : S_Q_SCORES];
    store_bind_range(s, bed, t0, t1);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct store_score r;
        r.bed = sqlite3_column_int(s, 0);
        r.t = sqlite3_column_int64(s, 1);
        r.total = sqlite3_column_int(s, 2);
        for (int p = 0; p < 7; p++)
            r.parts[p] =
                sqlite3_column_type(s, 3 + p) == SQLITE_NULL ? -1 : sqlite3_column_int(s, 3 + p);
        r.band = sqlite3_column_int(s, 10);
        r.partial_mask = (unsigned)sqlite3_column_int(s, 11);
        cb(ctx, &r);
    }
    return store_finish(st, s, rc, err, errlen);
}

/* Per-minute summaries of one bed over [t0, t1), by minute start. */
int store_query_minutes(struct store *st, int bed, int64_t t0, int64_t t1,
                        void (*cb)(void *, const struct store_minute *), void *ctx, char *err,
                        size_t errlen)
{
    if (bed < 0)
        return ww_err(err, errlen, "per-minute summaries are read one bed at a time");
    sqlite3_stmt *s = st->st[S_Q_MINUTES_BED];
    store_bind_range(s, bed, t0, t1);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct store_minute m;
        m.bed = bed;
        m.t = sqlite3_column_int64(s, 0) * 60000;
        m.rr_min = store_col_tenths(s, 1);
        m.rr_med = store_col_tenths(s, 2);
        m.rr_max = store_col_tenths(s, 3);
        m.hr_min = store_col_tenths(s, 4);
        m.hr_med = store_col_tenths(s, 5);
        m.hr_max = store_col_tenths(s, 6);
        m.n = sqlite3_column_int(s, 7);
        cb(ctx, &m);
    }
    return store_finish(st, s, rc, err, errlen);
}

/* The beds of the record, into a malloc'd array (grown as needed). */
static int load_bed_numbers(struct store *st, int **beds, size_t *nbeds, char *err, size_t errlen)
{
    size_t cap = 0;
    int rc;
    sqlite3_stmt *b = st->st[S_LOAD_BEDS];
    *beds = NULL;
    *nbeds = 0;
    while ((rc = sqlite3_step(b)) == SQLITE_ROW) {
        if (*nbeds == cap) {
            cap = cap ? cap * 2 : 64;
            int *p = realloc(*beds, cap * sizeof *p);
            if (!p) {
                sqlite3_reset(b);
                return ww_err(err, errlen, "%s: out of memory listing %zu beds", st->path, *nbeds);
            }
            *beds = p;
        }
        (*beds)[(*nbeds)++] = sqlite3_column_int(b, 0);
    }
    return store_finish(st, b, rc, err, errlen);
}

/* The start of the bed's first unsummarised minute (ms; 0: none summarised). */
static int minutes_done_until(struct store *st, int bed, int64_t *from, char *err, size_t errlen)
{
    sqlite3_stmt *l = st->st[S_MIN_LAST];
    sqlite3_bind_int(l, 1, bed);
    int rc = sqlite3_step(l);
    *from = 0;
    if (rc == SQLITE_ROW && sqlite3_column_type(l, 0) != SQLITE_NULL)
        *from = (sqlite3_column_int64(l, 0) + 1) * 60000;
    if (rc == SQLITE_ROW)
        rc = SQLITE_DONE;
    return store_finish(st, l, rc, err, errlen);
}

/* Summarise one bed's per-second rows from `from` on, in chunks (flushed
 * as they collect); returns the minutes made or -1. */
static long recover_bed(struct store *st, int bed, int64_t from, char *err, size_t errlen)
{
    enum { CHUNK = 36000 };
    long minutes = 0;
    int rc;
    for (;;) {
        size_t before = st->nmins;
        int rows = 0;
        sqlite3_stmt *q = st->st[S_MIN_TAIL];
        sqlite3_bind_int(q, 1, bed);
        sqlite3_bind_int64(q, 2, from);
        sqlite3_bind_int(q, 3, CHUNK);
        while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
            int64_t t = sqlite3_column_int64(q, 0);
            bool has_rr = sqlite3_column_type(q, 1) != SQLITE_NULL;
            bool has_hr = sqlite3_column_type(q, 2) != SQLITE_NULL;
            acc_tenths(st, bed, t, has_rr, sqlite3_column_int(q, 1), has_hr,
                       sqlite3_column_int(q, 2));
            from = t + 1;
            rows++;
        }
        if (store_finish(st, q, rc, err, errlen) < 0)
            return -1;
        minutes += (long)(st->nmins - before);
        if (rows < CHUNK)
            break;
        if (store_flush(st, err, errlen) < 0)
            return -1;
    }
    struct store_minute_acc *a = acc_of(st, bed, false);
    if (a && a->open) {
        acc_close(st, bed, a);
        minutes++;
    }
    return minutes;
}

/* Summarise the per-second rows after each bed's last summarised minute:
 * the minute a crash or a stop left open (a few dozen rows), or everything
 * kept before schema version 5 (a one-time pass on upgrade). Read in chunks,
 * the minutes written as they collect so the queue stays small. Every bed
 * of the record is done, however many. */
long store_recover_minutes(struct store *st, char *err, size_t errlen)
{
    if (st->limited)
        return ww_err(err, errlen, "%s: opened below the current schema version", st->path);
    int *beds;
    size_t nbeds;
    if (load_bed_numbers(st, &beds, &nbeds, err, errlen) < 0) {
        free(beds);
        return -1;
    }
    long minutes = 0;
    for (size_t i = 0; i < nbeds; i++) {
        struct store_minute_acc *a = acc_of(st, beds[i], true);
        int64_t from;
        long k;
        if (!a) { /* cannot grow: reported, and the flush will say so */
            ww_err(err, errlen, "%s", st->last_error);
            free(beds);
            return -1;
        }
        if (a->open) /* samples queued already: summarised live */
            continue;
        if (minutes_done_until(st, beds[i], &from, err, errlen) < 0 ||
            (k = recover_bed(st, beds[i], from, err, errlen)) < 0) {
            free(beds);
            return -1;
        }
        minutes += k;
    }
    free(beds);
    if (store_flush(st, err, errlen) < 0)
        return -1;
    return minutes;
}
