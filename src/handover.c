/*
 * handover — the model of the shift handover summary (contract in
 * handover.h): periods, ISO 8601 times, and handover_build(), which reads
 * the store over a period and fills one struct handover_bed per admission
 * open during it (a bed whose patient left and whose next patient came in
 * mid-shift appears twice) or per empty bed.
 *
 * Why the alarm state is replayed: the alarms table holds each alarm's
 * current state, but a handover of an earlier shift must show the alarms
 * as they stood at the end of that shift. The alarm events are append-only,
 * so the state at any time is the state after the last event before it.
 */
#include "handover.h"

#include "alarm.h"
#include "news2.h"
#include "obsdue.h"
#include "util.h"

#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MINUTE_MS 60000LL
#define HOUR_MS 3600000LL

/* ---- times and periods --------------------------------------------------- */

/* Local time of y-m-d h:m as epoch ms (DST resolved by mktime), or -1. */
static int64_t local_ms(int y, int mo, int d, int h, int mi, int s)
{
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = s;
    tm.tm_isdst = -1;
    time_t t = mktime(&tm);
    if (t == (time_t)-1)
        return -1;
    return (int64_t)t * 1000;
}

/* Index of a shift by name, -1 when unknown. */
static int shift_index(const struct ward_config *cfg, const char *name)
{
    for (int i = 0; i < 3; i++)
        if (name && !strcmp(cfg->shifts[i].name, name))
            return i;
    return -1;
}

/* A shift starting on local date y-m-d. */
int handover_shift_on(const struct ward_config *cfg, const char *name, int y, int m, int d,
                      int64_t *t0, int64_t *t1, char *err, size_t errlen)
{
    int i = shift_index(cfg, name);
    if (i < 0)
        return ww_err(err, errlen, "unknown shift '%s' (accepted: day, evening, night)",
                      name ? name : "");
    const struct config_shift *s = &cfg->shifts[i];
    /* mktime normalises d + 1 past the month's end. */
    int dend = s->end_min > s->start_min ? d : d + 1;
    *t0 = local_ms(y, m, d, s->start_min / 60, s->start_min % 60, 0);
    *t1 = local_ms(y, m, dend, s->end_min / 60, s->end_min % 60, 0);
    if (*t0 < 0 || *t1 <= *t0)
        return ww_err(err, errlen, "shift '%s' on %04d-%02d-%02d has no valid local time", name,
                      y, m, d);
    return 0;
}

/* The named shift containing now, else the last one ended before now. */
int handover_shift_period(const struct ward_config *cfg, const char *name, int64_t now,
                          int64_t *t0, int64_t *t1, char *err, size_t errlen)
{
    time_t tt = (time_t)(now / 1000);
    struct tm tm;
    localtime_r(&tt, &tm);
    int64_t best0 = -1, best1 = -1;
    /* Candidates start today or yesterday (a night crosses midnight). */
    for (int back = 0; back <= 1; back++) {
        int64_t a, b;
        if (handover_shift_on(cfg, name, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday - back, &a,
                              &b, err, errlen) < 0)
            return -1;
        if (a <= now && now < b) {
            *t0 = a;
            *t1 = b;
            return 0;
        }
        if (b <= now && b > best1) {
            best0 = a;
            best1 = b;
        }
    }
    if (best1 < 0) {
        /* Only possible for a shift starting later today: take yesterday's. */
        return handover_shift_on(cfg, name, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday - 1, t0,
                                 t1, err, errlen);
    }
    *t0 = best0;
    *t1 = best1;
    return 0;
}

/* The shift containing now. */
const char *handover_current_shift(const struct ward_config *cfg, int64_t now)
{
    for (int i = 0; i < 3; i++) {
        int64_t a, b;
        if (handover_shift_period(cfg, cfg->shifts[i].name, now, &a, &b, NULL, 0) == 0 &&
            a <= now && now < b)
            return cfg->shifts[i].name;
    }
    return cfg->shifts[0].name;
}

/* n digits at s into *v; false when not digits. */
static bool digits(const char *s, int n, int *v)
{
    int x = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return false;
        x = x * 10 + (s[i] - '0');
    }
    *v = x;
    return true;
}

/* Days in a month of the proleptic Gregorian calendar. */
static int month_days(int y, int m)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return d[m - 1];
}

/* ISO 8601 date-time, local or with an offset. */
int handover_parse_time(const char *s, int64_t *ms)
{
    int y, mo, d, h, mi, sec = 0;
    if (!s || strlen(s) < 16)
        return -1;
    if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
        !digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != ' ') || !digits(s + 11, 2, &h) ||
        s[13] != ':' || !digits(s + 14, 2, &mi))
        return -1;
    const char *p = s + 16;
    if (*p == ':') {
        if (!digits(p + 1, 2, &sec))
            return -1;
        p += 3;
    }
    if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo) || h > 23 ||
        mi > 59 || sec > 59)
        return -1;
    if (!*p) {
        int64_t t = local_ms(y, mo, d, h, mi, sec);
        if (t < 0)
            return -1;
        /* A time skipped by a DST change does not exist: mktime moved it. */
        time_t tt = (time_t)(t / 1000);
        struct tm tm;
        localtime_r(&tt, &tm);
        if (tm.tm_hour != h || tm.tm_min != mi || tm.tm_mday != d)
            return -1;
        *ms = t;
        return 0;
    }
    int off = 0;
    if (*p == 'Z' && !p[1]) {
        off = 0;
    } else if (*p == '+' || *p == '-') {
        int oh, om = 0;
        if (!digits(p + 1, 2, &oh))
            return -1;
        const char *q = p + 3;
        if (*q == ':')
            q++;
        if (*q) {
            if (!digits(q, 2, &om) || q[2])
                return -1;
        } else if (q != p + 3) {
            return -1; /* "+01:" */
        }
        if (oh > 14 || om > 59)
            return -1;
        off = (oh * 60 + om) * (*p == '-' ? -1 : 1);
    } else {
        return -1;
    }
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    time_t t = timegm(&tm);
    *ms = ((int64_t)t - off * 60) * 1000;
    return 0;
}

/* "+01:00" for a local time. */
static void fmt_offset(const struct tm *tm, char *buf, size_t n)
{
    int off = (int)(tm->tm_gmtoff / 60) % (24 * 60);
    char sign = off < 0 ? '-' : '+';
    if (off < 0)
        off = -off;
    snprintf(buf, n, "%c%02d:%02d", sign, off / 60, off % 60);
}

/* "2026-12-01 07:00 +01:00". */
void handover_fmt_time(int64_t ms, char *buf, size_t n)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    char d[32], o[16];
    strftime(d, sizeof d, "%Y-%m-%d %H:%M", &tm);
    fmt_offset(&tm, o, sizeof o);
    snprintf(buf, n, "%s %s", d, o);
}

/* "2026-12-01T07:00:00+01:00". */
void handover_fmt_iso(int64_t ms, char *buf, size_t n)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    char d[32], o[16];
    strftime(d, sizeof d, "%Y-%m-%dT%H:%M:%S", &tm);
    fmt_offset(&tm, o, sizeof o);
    snprintf(buf, n, "%s%s", d, o);
}

/* ---- the model ------------------------------------------------------------ */

/* Grow an array of elem-sized items to hold n + 1. */
static bool grow(void **arr, size_t *cap, size_t n, size_t elem)
{
    if (n < *cap)
        return true;
    size_t nc = *cap ? *cap * 2 : 16;
    void *p = realloc(*arr, nc * elem);
    if (!p)
        return false;
    *arr = p;
    *cap = nc;
    return true;
}

/* Append a point to a series. */
static bool series_add(struct handover_series *s, int64_t t, float v)
{
    if (s->n == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 64;
        int64_t *nt = realloc(s->t, nc * sizeof *nt);
        if (!nt)
            return false;
        s->t = nt;
        float *nv = realloc(s->v, nc * sizeof *nv);
        if (!nv)
            return false;
        s->v = nv;
        s->cap = nc;
    }
    s->t[s->n] = t;
    s->v[s->n++] = v;
    return true;
}

/* Median of v[0..n) by the one definition (ww_median), on a copy in scratch. */
static float median_of(const float *v, size_t n, float *scratch)
{
    memcpy(scratch, v, n * sizeof *v);
    return (float)ww_median(scratch, n);
}

/* Statistics of a series, each rounded once by the chart's rule for param
 * (halves up: a median RR of 8.5 is 9, as the board and the score show it,
 * never printf's 8; H17-30). */
static void series_stats(const struct handover_series *s, enum news2_param param,
                         struct handover_stats *st)
{
    st->n = s->n;
    st->min = st->median = st->max = NAN;
    if (!s->n)
        return;
    float *scratch = malloc(s->n * sizeof *scratch);
    if (!scratch)
        return;
    st->min = st->max = s->v[0];
    for (size_t i = 1; i < s->n; i++) {
        if (s->v[i] < st->min)
            st->min = s->v[i];
        if (s->v[i] > st->max)
            st->max = s->v[i];
    }
    st->median = median_of(s->v, s->n, scratch);
    free(scratch);
    st->min = news2_round(param, st->min);
    st->median = news2_round(param, st->median);
    st->max = news2_round(param, st->max);
}

/* Per-second samples folded into per-minute medians while they arrive. */
struct minute_acc {
    int64_t last_summary; /* start of the last stored minute summary read */
    int64_t minute;
    float rr[64], hr[64];
    size_t nrr, nhr;
    struct handover_series *srr, *shr;
    bool oom;
};

/* Close the current minute into the series. */
static void acc_close(struct minute_acc *a)
{
    float scratch[64];
    if (a->nrr && !series_add(a->srr, a->minute * MINUTE_MS, median_of(a->rr, a->nrr, scratch)))
        a->oom = true;
    if (a->nhr && !series_add(a->shr, a->minute * MINUTE_MS, median_of(a->hr, a->nhr, scratch)))
        a->oom = true;
    a->nrr = a->nhr = 0;
}

/* A stored minute summary: its median is the minute's point. */
static void on_minute(void *ctx, const struct store_minute *m)
{
    struct minute_acc *a = ctx;
    if (!isnan(m->rr_med) && !series_add(a->srr, m->t, m->rr_med))
        a->oom = true;
    if (!isnan(m->hr_med) && !series_add(a->shr, m->t, m->hr_med))
        a->oom = true;
    a->last_summary = m->t;
}

static void on_sample(void *ctx, const struct store_sample *s)
{
    struct minute_acc *a = ctx;
    int64_t m = s->t / MINUTE_MS;
    if (m != a->minute) {
        acc_close(a);
        a->minute = m;
    }
    if (!isnan(s->rr) && a->nrr < 64)
        a->rr[a->nrr++] = s->rr;
    if (!isnan(s->hr) && a->nhr < 64)
        a->hr[a->nhr++] = s->hr;
}

/* What a build collects through the store's callbacks. */
struct build {
    struct handover *h;
    struct handover_bed *b; /* the entry being filled */
    int64_t q0, q1;         /* its window */
    bool oom;
    /* scores */
    int64_t complete_since, complete_until;
    bool in_complete;
    /* observation timing, replayed by the ward core's rule (src/obsdue.c) */
    const struct ward_config *cfg;
    bool has_sensor;
    struct obsdue_part parts[NEWS2_NPARAMS];
    int64_t set_at; /* the last complete set entered, 0 none */
    /* every score of the admission: when, and its response level */
    struct level_at {
        int64_t t;
        int level;
    } *lv;
    size_t nlv, caplv;
    /* admissions of one bed */
    struct store_admission *adm;
    size_t nadm, capadm;
    /* alarms of one bed */
    struct handover_alarm *al;
    size_t nal, capal;
    /* alarms shown during the period, all beds (one query, not one a bed:
     * the alarms table has no index by bed) */
    struct store_alarm *all;
    size_t nall, capall;
    /* all beds */
    struct store_bed *beds;
    size_t nbeds, capbeds;
};

/* Sanitised copy of text from the store. */
static void clean(char *dst, size_t n, const char *src)
{
    ww_sanitize_text(dst, n, src ? src : "", false);
}

static void on_bed(void *ctx, const struct store_bed *b)
{
    struct build *bu = ctx;
    if (!grow((void **)&bu->beds, &bu->capbeds, bu->nbeds, sizeof *bu->beds)) {
        bu->oom = true;
        return;
    }
    bu->beds[bu->nbeds++] = *b;
}

static void on_admission(void *ctx, const struct store_admission *a)
{
    struct build *bu = ctx;
    if (!grow((void **)&bu->adm, &bu->capadm, bu->nadm, sizeof *bu->adm)) {
        bu->oom = true;
        return;
    }
    bu->adm[bu->nadm++] = *a;
}

/* The response level of a stored score (scoring/news2's one rule). */
static int level_of(int total, const int parts[7])
{
    bool red = false;
    for (int p = 0; p < 7; p++)
        red |= parts[p] == 3;
    return (int)news2_level_of(total, red);
}

static void on_score(void *ctx, const struct store_score *s)
{
    struct build *bu = ctx;
    struct handover_bed *b = bu->b;
    /* Complete-set bookkeeping over the whole admission. */
    if (s->partial_mask == 0) {
        if (!bu->in_complete)
            bu->complete_since = s->t;
        bu->in_complete = true;
    } else if (bu->in_complete) {
        bu->in_complete = false;
        bu->complete_until = s->t;
    }
    if (grow((void **)&bu->lv, &bu->caplv, bu->nlv, sizeof *bu->lv))
        bu->lv[bu->nlv++] = (struct level_at){s->t, level_of(s->total, s->parts)};
    else
        bu->oom = true;
    b->have_score = true;
    b->score_t = s->t;
    b->total = s->total;
    memcpy(b->parts, s->parts, sizeof b->parts);
    b->band = s->band;
    b->partial_mask = s->partial_mask;
    /* The score in force at q0 starts the period's trajectory. */
    int64_t t = s->t < bu->q0 ? bu->q0 : s->t;
    if (b->news2.n && b->news2.t[b->news2.n - 1] == t) {
        b->news2.v[b->news2.n - 1] = (float)s->total;
        b->news2_partial[b->news2.n - 1] = s->partial_mask != 0;
        return;
    }
    size_t cap = b->news2.cap;
    if (!series_add(&b->news2, t, (float)s->total)) {
        bu->oom = true;
        return;
    }
    if (b->news2.cap != cap || !b->news2_partial) {
        bool *p = realloc(b->news2_partial, b->news2.cap * sizeof *p);
        if (!p) {
            b->news2.n--;
            bu->oom = true;
            return;
        }
        b->news2_partial = p;
    }
    b->news2_partial[b->news2.n - 1] = s->partial_mask != 0;
}

/* The index of the score in force at t (the last at or before it), or -1. */
static long news2_index_at(const struct handover_bed *b, int64_t t)
{
    long k = -1;
    for (size_t i = 0; i < b->news2.n && b->news2.t[i] <= t; i++)
        k = (long)i;
    return k;
}

/* Append a trajectory point: the score in force at t. */
static bool add_point(struct handover_bed *b, size_t *cap, int64_t t)
{
    if (b->npoints && b->points[b->npoints - 1].t == t)
        return true;
    if (!grow((void **)&b->points, cap, b->npoints, sizeof *b->points))
        return false;
    long k = news2_index_at(b, t);
    b->points[b->npoints++] = (struct handover_point){
        t, k >= 0 ? (int)b->news2.v[k] : -1, k >= 0 && b->news2_partial[k]};
    return true;
}

/* Is t a full local hour? (Offsets are whole quarter hours everywhere.) */
static bool full_hour(int64_t t)
{
    time_t tt = (time_t)(t / 1000);
    struct tm tm;
    localtime_r(&tt, &tm);
    return t % 1000 == 0 && tm.tm_min == 0 && tm.tm_sec == 0;
}

/* The trajectory over [from, stop] and first / lowest / highest / last
 * (handover.h): false when out of memory. Full hours are found by local
 * time, so a DST night shows 02:00 twice or not at all, as the clock did. */
static bool news2_trajectory(struct handover_bed *b, int64_t from, int64_t stop)
{
    const int64_t quarter = 15 * MINUTE_MS;
    size_t cap = 0;
    if (stop < from)
        stop = from;
    if (!add_point(b, &cap, from))
        return false;
    for (int64_t t = (from + quarter - 1) / quarter * quarter; t <= stop; t += quarter)
        if (full_hour(t) && !add_point(b, &cap, t))
            return false;
    if (!add_point(b, &cap, stop))
        return false;
    b->news2_first = b->news2_min = b->news2_max = b->news2_last = -1;
    int max_complete = -1;
    for (size_t i = 0; i < b->news2.n && b->news2.t[i] <= stop; i++) {
        int v = (int)b->news2.v[i];
        bool partial = b->news2_partial[i];
        if (!partial) {
            if (b->news2_first < 0) {
                b->news2_first = v;
                b->news2_first_t = b->news2.t[i];
            }
            if (b->news2_min < 0 || v < b->news2_min)
                b->news2_min = v;
            if (v > max_complete)
                max_complete = v;
        }
        if (v > b->news2_max)
            b->news2_max = v;
        b->news2_last = v;
        b->news2_last_partial = partial;
    }
    b->news2_max_partial = b->news2_max > max_complete;
    return true;
}

static void on_obs(void *ctx, const struct store_observation *o)
{
    struct build *bu = ctx;
    struct handover_bed *b = bu->b;
    /* As the ward core keeps it: the entry is the parameter's value now, and
     * a set complete and fresh at that moment starts the clock afresh. */
    int p = news2_param_find(o->param);
    if (p >= 0) {
        bu->parts[p] = (struct obsdue_part){true, false, o->t};
        if (obsdue_set_new(bu->cfg, bu->has_sensor, bu->parts, o->t))
            bu->set_at = o->t;
    }
    if (o->t < bu->q0)
        return;
    struct handover_obs *n = realloc(b->obs, (b->nobs + 1) * sizeof *n);
    if (!n) {
        bu->oom = true;
        return;
    }
    b->obs = n;
    struct handover_obs *x = &b->obs[b->nobs++];
    x->t = o->t;
    clean(x->param, sizeof x->param, o->param);
    x->value = o->value;
    clean(x->by, sizeof x->by, o->by);
}

static void on_note(void *ctx, const struct store_note *n)
{
    struct build *bu = ctx;
    struct handover_bed *b = bu->b;
    struct handover_note *a = realloc(b->notes, (b->nnotes + 1) * sizeof *a);
    if (!a) {
        bu->oom = true;
        return;
    }
    b->notes = a;
    struct handover_note *x = &b->notes[b->nnotes++];
    x->t = n->t;
    clean(x->by, sizeof x->by, n->by);
    clean(x->text, sizeof x->text, n->text);
}

static void on_alarm_all(void *ctx, const struct store_alarm *a)
{
    struct build *bu = ctx;
    if (!grow((void **)&bu->all, &bu->capall, bu->nall, sizeof *bu->all)) {
        bu->oom = true;
        return;
    }
    bu->all[bu->nall++] = *a;
}

static void on_alarm(void *ctx, const struct store_alarm *a)
{
    struct build *bu = ctx;
    if (!grow((void **)&bu->al, &bu->capal, bu->nal, sizeof *bu->al)) {
        bu->oom = true;
        return;
    }
    struct handover_alarm *x = &bu->al[bu->nal++];
    memset(x, 0, sizeof *x);
    x->id = a->id;
    clean(x->condition, sizeof x->condition, a->condition);
    clean(x->priority, sizeof x->priority, a->priority);
    x->raised_at = a->raised_at;
    ww_strlcpy(x->state, "active", sizeof x->state);
}

static void on_alarm_event(void *ctx, const struct store_alarm_event *e)
{
    struct build *bu = ctx;
    struct handover_bed *b = bu->b;
    for (size_t i = 0; i < bu->nal; i++) {
        struct handover_alarm *a = &bu->al[i];
        if (a->id != e->alarm_id)
            continue;
        /* The state at the end of the window, by the one rule the ward
         * stored it by (alarm_state_after): a latched alarm whose
         * condition came back is active again, a discharge ends it. */
        int kind = alarm_event_find(e->event), prev = alarm_rec_state_find(a->state);
        if (kind >= 0 && prev >= 0) {
            enum alarm_rec_state s =
                alarm_state_after((enum alarm_rec_state)prev, (enum alarm_event_kind)kind);
            ww_strlcpy(a->state, alarm_rec_state_name(s), sizeof a->state);
            a->latched = s == ARS_LATCHED;
        }
        if (!strcmp(e->event, "acknowledged")) {
            clean(a->acked_by, sizeof a->acked_by, e->staff);
            a->acked_at = e->t;
        } else if (!strcmp(e->event, "realerted")) {
            a->acked_by[0] = 0;
            a->acked_at = 0;
        }
        break;
    }
    if (e->t < bu->q0)
        return;
    struct handover_event *n = realloc(b->events, (b->nevents + 1) * sizeof *n);
    if (!n) {
        bu->oom = true;
        return;
    }
    b->events = n;
    struct handover_event *x = &b->events[b->nevents++];
    x->t = e->t;
    x->alarm_id = e->alarm_id;
    clean(x->condition, sizeof x->condition, e->condition);
    clean(x->priority, sizeof x->priority, e->priority);
    clean(x->event, sizeof x->event, e->event);
    clean(x->staff, sizeof x->staff, e->staff);
}

/* Ward alarm figures: first acknowledgement of each alarm raised in the period. */
struct fig_alarm {
    int64_t id, raised, acked;
    int prio;
};
struct figures {
    struct fig_alarm *a;
    size_t n, cap;
    int bed;
    bool oom;
};

/* 0 high, 1 medium, 2 low, -1 other. */
static int prio_index(const char *p)
{
    return !strcmp(p, "high") ? 0 : !strcmp(p, "medium") ? 1 : !strcmp(p, "low") ? 2 : -1;
}

static void on_fig_event(void *ctx, const struct store_alarm_event *e)
{
    struct figures *f = ctx;
    if (f->bed >= 0 && e->bed != f->bed)
        return;
    if (!strcmp(e->event, "raised")) {
        if (!grow((void **)&f->a, &f->cap, f->n, sizeof *f->a)) {
            f->oom = true;
            return;
        }
        f->a[f->n++] = (struct fig_alarm){e->alarm_id, e->t, 0, prio_index(e->priority)};
    } else if (!strcmp(e->event, "acknowledged")) {
        for (size_t i = f->n; i-- > 0;)
            if (f->a[i].id == e->alarm_id) {
                if (!f->a[i].acked)
                    f->a[i].acked = e->t;
                break;
            }
    }
}

/* Alarm counts and acknowledgement times by priority. */
static int ward_figures(struct store *st, struct handover *h, int bed, char *err, size_t errlen)
{
    struct figures f = {.bed = bed};
    if (store_query_alarm_events(st, -1, h->t0, h->t1, on_fig_event, &f, err, errlen) < 0) {
        free(f.a);
        return -1;
    }
    if (f.oom) {
        free(f.a);
        return ww_err(err, errlen, "out of memory");
    }
    int *lat = malloc((f.n + 1) * sizeof *lat);
    if (!lat) {
        free(f.a);
        return ww_err(err, errlen, "out of memory");
    }
    for (int p = 0; p < 3; p++) {
        struct handover_alarm_figures *af = &h->alarms[p];
        size_t nl = 0;
        memset(af, 0, sizeof *af);
        for (size_t i = 0; i < f.n; i++) {
            if (f.a[i].prio != p)
                continue;
            af->raised++;
            if (f.a[i].acked) {
                af->acked++;
                int64_t d = f.a[i].acked - f.a[i].raised; /* ms */
                lat[nl++] = d > INT_MAX ? INT_MAX : (int)d;
            }
        }
        af->unacked = af->raised - af->acked;
        af->ack_median_s = af->ack_max_s = -1;
        if (nl) {
            /* One median (ww_median_int), in milliseconds, rounded once to
             * whole seconds, halves up, as every figure shown. */
            af->ack_median_s = (int)floor(ww_median_int(lat, nl) / 1000.0 + 0.5);
            af->ack_max_s = (int)((lat[nl - 1] + 500) / 1000);
        }
    }
    free(lat);
    free(f.a);
    return 0;
}

/* Does the bed have a sensor (RR and HR are then the radar's, not part of
 * the manual set)? The ward's configuration says; a bed it does not list
 * (the database read with --db alone) by whether the radar gave values. */
static bool bed_has_sensor(const struct ward_config *cfg, const struct handover_bed *b)
{
    for (int i = 0; i < cfg->nbeds; i++)
        if (cfg->beds[i].number == b->number)
            return cfg->beds[i].sensor[0] != 0;
    return b->rr.n || b->hr.n;
}

/* When the next set is due at end, by the ward core's rule (src/obsdue.c)
 * over the stored record: the last complete set (replayed in on_obs) and
 * the worst response level in force since it. The core takes the level at
 * its first tick after the set was entered; a score row follows within a
 * second when the set changed the score, else the one in force counts. */
static void obs_timing(struct build *bu, int64_t admitted_at, int64_t end)
{
    struct handover_bed *b = bu->b;
    const struct ward_config *cfg = bu->cfg;
    int due_level = -1;
    if (bu->set_at) {
        long in_force = -1;
        bool follows = false;
        for (size_t i = 0; i < bu->nlv && bu->lv[i].t <= end; i++) {
            int64_t t = bu->lv[i].t;
            if (t <= bu->set_at)
                in_force = (long)i;
            else if (t <= bu->set_at + 2000)
                follows = true;
            if (t > bu->set_at && bu->lv[i].level > due_level)
                due_level = bu->lv[i].level;
        }
        if (in_force >= 0 && !follows && bu->lv[in_force].level > due_level)
            due_level = bu->lv[in_force].level;
    }
    b->set_at = bu->set_at;
    b->obs_due = obsdue_due_why(cfg, bu->has_sensor, admitted_at, bu->set_at, due_level, bu->parts,
                                &b->due_part);
    b->due_part_t = b->due_part >= 0 && bu->parts[b->due_part].have ? bu->parts[b->due_part].t : 0;
    b->obs_overdue = obsdue_overdue(b->obs_due, end);
    int lv = due_level >= 0 && due_level < NEWS2_NLEVELS ? due_level : NEWS2_LEVEL_ZERO;
    b->monitoring_h = cfg->policy.monitoring_h[lv];
}

/* S and R: the alarms of the entry's bed shown during its window, and
 * their state at its end (replayed from the alarm events). */
/* A stored priority name's rank (alarm_priority_name's words), 0 unknown. */
static int priority_rank(const char *name)
{
    for (int p = AP_HIGH; p >= AP_LOW; p--)
        if (!strcmp(name, alarm_priority_name((enum alarm_priority)p)))
            return p;
    return 0;
}

/* The board's order for open alarms (alarm_urgency_cmp): priority, then
 * those nobody has acknowledged, then the oldest (H17-32). */
static int open_alarm_cmp(const void *pa, const void *pb)
{
    const struct handover_alarm *a = pa, *b = pb;
    int ra = priority_rank(a->priority), rb = priority_rank(b->priority);
    if (ra != rb)
        return ra > rb ? -1 : 1;
    bool ka = !strcmp(a->state, "acknowledged") || (a->latched && a->acked_by[0]);
    bool kb = !strcmp(b->state, "acknowledged") || (b->latched && b->acked_by[0]);
    if (ka != kb)
        return ka ? 1 : -1;
    if (a->raised_at != b->raised_at)
        return a->raised_at < b->raised_at ? -1 : 1;
    return a->id < b->id ? -1 : a->id > b->id;
}

static int fill_alarms(struct store *st, struct build *bu, char *err, size_t errlen)
{
    struct handover_bed *b = bu->b;
    int bed = b->number;
    bu->nal = 0;
    for (size_t i = 0; i < bu->nall; i++) {
        /* store_query_alarms' condition, over this admission's window */
        const struct store_alarm *x = &bu->all[i];
        int64_t last = x->raised_at > x->ended_at ? x->raised_at : x->ended_at;
        if (x->reset_at > last)
            last = x->reset_at;
        int xs = alarm_rec_state_find(x->state);
        bool open = xs >= 0 && alarm_rec_state_open((enum alarm_rec_state)xs);
        if (x->bed == bed && x->raised_at < bu->q1 && (open || last >= bu->q0))
            on_alarm(bu, x);
    }
    if (bu->oom)
        return ww_err(err, errlen, "out of memory");
    int64_t from = bu->q0;
    for (size_t i = 0; i < bu->nal; i++)
        if (bu->al[i].raised_at < from)
            from = bu->al[i].raised_at;
    if (store_query_alarm_events(st, bed, from, bu->q1, on_alarm_event, bu, err, errlen) < 0)
        return -1;
    for (size_t i = 0; i < bu->nal; i++) {
        const struct handover_alarm *x = &bu->al[i];
        int xs = alarm_rec_state_find(x->state);
        if (xs < 0 || !alarm_rec_state_open((enum alarm_rec_state)xs))
            continue;
        struct handover_alarm *n = realloc(b->open, (b->nopen + 1) * sizeof *n);
        if (!n)
            return ww_err(err, errlen, "out of memory");
        b->open = n;
        b->open[b->nopen++] = *x;
    }
    if (b->nopen > 1)
        qsort(b->open, b->nopen, sizeof *b->open, open_alarm_cmp);
    return bu->oom ? ww_err(err, errlen, "out of memory") : 0;
}

/* Fill one entry from its admission: every query over its own window. */
static int fill_admitted(struct store *st, const struct ward_config *cfg, struct build *bu,
                         const struct store_admission *a, char *err, size_t errlen)
{
    struct handover *h = bu->h;
    struct handover_bed *b = bu->b;
    b->occupied = true;
    clean(b->patient_ref, sizeof b->patient_ref, a->patient_ref);
    b->admitted_at = a->admitted_at;
    b->discharged_at = a->discharged_at;
    clean(b->admitted_by, sizeof b->admitted_by, a->admitted_by);
    b->admitted_in_period = a->admitted_at >= h->t0 && a->admitted_at < h->t1;
    b->scale2 = a->scale2;
    clean(b->scale2_by, sizeof b->scale2_by, a->scale2_by);
    b->scale2_at = a->scale2_at;
    clean(b->background, sizeof b->background, a->note);
    b->own_limits = a->has_limits;
    if (a->has_limits) {
        b->rr_low = a->rr_low;
        b->rr_high = a->rr_high;
        b->hr_low = a->hr_low;
        b->hr_high = a->hr_high;
        clean(b->limits_reason, sizeof b->limits_reason, a->limits_reason);
        clean(b->limits_by, sizeof b->limits_by, a->limits_by);
    } else {
        b->rr_low = cfg->rr_low;
        b->rr_high = cfg->rr_high;
        b->hr_low = cfg->hr_low;
        b->hr_high = cfg->hr_high;
    }
    bu->q0 = a->admitted_at > h->t0 ? a->admitted_at : h->t0;
    bu->q1 = a->discharged_at && a->discharged_at < h->t1 ? a->discharged_at + 1 : h->t1;
    int bed = b->number;
    bu->nlv = 0;

    /* A: RR / HR per-minute medians: the store's minute summaries, then the
     * per-second samples after the last of them (the minute still open). */
    struct minute_acc *acc = calloc(1, sizeof *acc);
    if (!acc)
        return ww_err(err, errlen, "out of memory");
    acc->minute = acc->last_summary = INT64_MIN;
    acc->srr = &b->rr;
    acc->shr = &b->hr;
    int rc = store_query_minutes(st, bed, bu->q0, bu->q1, on_minute, acc, err, errlen);
    if (rc == 0) {
        int64_t from = acc->last_summary == INT64_MIN ? bu->q0 : acc->last_summary + MINUTE_MS;
        if (from < bu->q0)
            from = bu->q0;
        rc = store_query_samples(st, bed, from, bu->q1, on_sample, acc, err, errlen);
        acc_close(acc);
    }
    bool oom = acc->oom;
    free(acc);
    if (rc < 0)
        return -1;
    if (oom)
        return ww_err(err, errlen, "out of memory");
    series_stats(&b->rr, NEWS2_RR, &b->rr_stats);
    series_stats(&b->hr, NEWS2_HR, &b->hr_stats);
    bu->has_sensor = bed_has_sensor(cfg, b);

    /* S and A: scores over the whole admission (the one in force at the
     * start, the last complete set), the trajectory over the window. */
    bu->in_complete = false;
    bu->complete_since = bu->complete_until = 0;
    if (store_query_scores(st, bed, a->admitted_at, bu->q1, on_score, bu, err, errlen) < 0)
        return -1;
    if (bu->in_complete)
        b->last_complete_t = bu->q1 < h->printed_at ? bu->q1 : h->printed_at;
    else
        b->last_complete_t = bu->complete_until;
    int64_t end = h->t1 < h->printed_at ? h->t1 : h->printed_at;
    if (a->discharged_at && a->discharged_at < end)
        end = a->discharged_at;
    if (!news2_trajectory(b, bu->q0, end))
        return ww_err(err, errlen, "out of memory");
    b->level = b->have_score ? level_of(b->total, b->parts) : NEWS2_LEVEL_ZERO;

    /* A and R: observations of the admission (the period's are listed),
     * and when the next set is due at the end, by the board's rule. */
    memset(bu->parts, 0, sizeof bu->parts);
    bu->set_at = 0;
    if (store_query_observations(st, bed, a->admitted_at, bu->q1, on_obs, bu, err, errlen) < 0)
        return -1;
    obs_timing(bu, a->admitted_at, end);

    if (store_query_notes(st, bed, bu->q0, bu->q1, on_note, bu, err, errlen) < 0)
        return -1;

    return fill_alarms(st, bu, err, errlen);
}

/* A new entry for a bed. */
static struct handover_bed *new_entry(struct build *bu, const struct store_bed *sb)
{
    struct handover *h = bu->h;
    struct handover_bed *n = realloc(h->beds, (h->nbeds + 1) * sizeof *n);
    if (!n)
        return NULL;
    h->beds = n;
    struct handover_bed *b = &h->beds[h->nbeds++];
    memset(b, 0, sizeof *b);
    b->number = sb->number;
    clean(b->label, sizeof b->label, sb->label);
    b->news2_first = b->news2_min = b->news2_max = b->news2_last = -1;
    b->rr_stats.min = b->rr_stats.median = b->rr_stats.max = NAN;
    b->hr_stats.min = b->hr_stats.median = b->hr_stats.max = NAN;
    return b;
}

/* Build the model. */
struct handover *handover_build(struct store *st, const struct ward_config *cfg,
                                const struct handover_request *req, char *err, size_t errlen)
{
    if (req->t1 <= req->t0) {
        ww_err(err, errlen, "the period ends before it starts");
        return NULL;
    }
    struct handover *h = calloc(1, sizeof *h);
    struct build bu = {.h = h, .cfg = cfg};
    if (!h) {
        ww_err(err, errlen, "out of memory");
        return NULL;
    }
    clean(h->ward, sizeof h->ward, cfg->name);
    clean(h->period_name, sizeof h->period_name, req->period_name);
    h->t0 = req->t0;
    h->t1 = req->t1;
    h->printed_at = req->now;
    h->continuous_obs_min = cfg->continuous_obs_min;
    clean(h->printed_by, sizeof h->printed_by, req->staff);
    if (store_load_beds(st, on_bed, &bu, err, errlen) < 0 ||
        store_query_admissions(st, req->bed, h->t0, h->t1, on_admission, &bu, err, errlen) < 0 ||
        store_query_alarms(st, req->bed, h->t0, h->t1, on_alarm_all, &bu, err, errlen) < 0)
        goto fail;
    if (bu.oom)
        goto oom;
    for (size_t i = 0; i < bu.nbeds; i++) {
        const struct store_bed *sb = &bu.beds[i];
        if (req->bed >= 0 && sb->number != req->bed)
            continue;
        /* the bed's admissions (the query orders them by bed, then time) */
        int nb = 0;
        for (size_t k = 0; k < bu.nadm; k++) {
            if (bu.adm[k].bed != sb->number)
                continue;
            nb++;
            bu.b = new_entry(&bu, sb);
            if (!bu.b)
                goto oom;
            if (fill_admitted(st, cfg, &bu, &bu.adm[k], err, errlen) < 0)
                goto fail;
            h->noccupied++;
        }
        if (nb == 0 && !new_entry(&bu, sb))
            goto oom;
    }
    if (ward_figures(st, h, req->bed, err, errlen) < 0)
        goto fail;
    free(bu.beds);
    free(bu.adm);
    free(bu.al);
    free(bu.all);
    free(bu.lv);
    return h;
oom:
    ww_err(err, errlen, "out of memory");
fail:
    free(bu.beds);
    free(bu.adm);
    free(bu.al);
    free(bu.all);
    free(bu.lv);
    handover_free(h);
    return NULL;
}

/* Free a model. */
void handover_free(struct handover *h)
{
    if (!h)
        return;
    for (size_t i = 0; i < h->nbeds; i++) {
        struct handover_bed *b = &h->beds[i];
        free(b->rr.t);
        free(b->rr.v);
        free(b->hr.t);
        free(b->hr.v);
        free(b->news2.t);
        free(b->news2.v);
        free(b->news2_partial);
        free(b->points);
        free(b->open);
        free(b->obs);
        free(b->notes);
        free(b->events);
    }
    free(h->beds);
    free(h);
}

/* The audit row of a view, export or print. */
void handover_audit_detail(const struct handover *h, const char *format, const char *where,
                           bool ok, char *detail, size_t n)
{
    char a[40], b[40], beds[512];
    handover_fmt_iso(h->t0, a, sizeof a);
    handover_fmt_iso(h->t1, b, sizeof b);
    size_t l = 0;
    beds[0] = 0;
    for (size_t i = 0; i < h->nbeds && l + 8 < sizeof beds; i++) {
        if (!h->beds[i].occupied ||
            (i && h->beds[i - 1].number == h->beds[i].number && h->beds[i - 1].occupied))
            continue;
        l += (size_t)snprintf(beds + l, sizeof beds - l, "%s%d", l ? "," : "",
                              h->beds[i].number);
    }
    snprintf(detail, n, "%s %s %s..%s beds %s; %s %s",
             h->period_name[0] ? h->period_name : "period", format, a, b, l ? beds : "none",
             where, ok ? "ok" : "FAILED");
}

int handover_audit(struct store *st, const struct handover *h, const char *action, int bed,
                   const char *format, const char *where, bool ok, char *err, size_t errlen)
{
    char detail[2048];
    handover_audit_detail(h, format, where, ok, detail, sizeof detail);
    return store_audit(st, h->printed_by, action, bed, detail, h->printed_at, err, errlen);
}
