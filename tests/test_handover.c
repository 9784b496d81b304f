/* Tests for the handover summary (src/handover*.c): ISO 8601 times and
 * shift periods under TZ=Europe/Oslo across both DST changes of 2026; the
 * model built from a hand-filled store (an admission from before the
 * period with Scale 2 and own limits, one admitted mid-period, a bed whose
 * patient left and whose next one came, an empty bed; samples, scores,
 * observations, notes out of insertion order and with escape sequences,
 * alarms acknowledged with initials, re-alerted, latched, reset before the
 * period); the text renderer's widths, pages and sections; the empty ward;
 * the PDF; and lp through a stand-in script (argv verbatim, lp's message
 * on failure). */
#include "ww_test.h"
#include "config.h"
#include "handover_print.h"
#include "loop.h"
#include "store.h"
#include "util.h"
#include "ward.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char *dir;
static char db[4200];
static char err[2048];
static struct ward_config cfg;

#define MIN 60000LL
#define HOUR 3600000LL

static int setup(void **state)
{
    dir = ww_test_tmpdir();
    snprintf(db, sizeof db, "%s/ward.db", dir);
    err[0] = 0;
    config_defaults(&cfg);
    ww_strlcpy(cfg.name, "Observasjonspost 3 Ærøy", sizeof cfg.name);
    return 0;
}

static int teardown(void **state)
{
    ww_test_rmtree(dir);
    free(dir);
    return 0;
}

/* Local wall time in Oslo as epoch ms. */
static int64_t oslo(const char *iso)
{
    int64_t t;
    assert_int_equal(handover_parse_time(iso, &t), 0);
    return t;
}

static void test_parse_time(void **state)
{
    int64_t t;
    assert_int_equal(handover_parse_time("2026-12-01T07:00Z", &t), 0);
    assert_int_equal(t, 1796108400000LL);
    assert_int_equal(handover_parse_time("2026-12-01T08:00+01:00", &t), 0);
    assert_int_equal(t, 1796108400000LL);
    assert_int_equal(handover_parse_time("2026-12-01T08:00:00+0100", &t), 0);
    assert_int_equal(t, 1796108400000LL);
    assert_int_equal(handover_parse_time("2026-12-01T02:00-05", &t), 0);
    assert_int_equal(t, 1796108400000LL);
    /* local (Oslo, winter: +01:00) */
    assert_int_equal(handover_parse_time("2026-12-01T08:00", &t), 0);
    assert_int_equal(t, 1796108400000LL);
    assert_int_equal(handover_parse_time("2026-12-01 08:00:00", &t), 0);
    assert_int_equal(t, 1796108400000LL);
    /* summer: +02:00 */
    assert_int_equal(handover_parse_time("2026-07-01T09:00", &t), 0);
    assert_int_equal(t, oslo("2026-07-01T07:00Z"));
    const char *bad[] = {"",
                         "2026-12-01",
                         "2026-13-01T07:00",
                         "2026-02-29T07:00",
                         "2026-04-31T07:00",
                         "2026-12-01T24:00",
                         "2026-12-01T07:60",
                         "2026-12-01T07:00+",
                         "2026-12-01T07:00+1",
                         "2026-12-01T07:00+01:",
                         "2026-12-01T07:00+15:00",
                         "2026-12-01T07:00Zjunk",
                         "2026-12-01X07:00",
                         "26-12-01T07:00",
                         "2026-12-01T07:00:5",
                         /* skipped by the spring DST change in Oslo */
                         "2026-03-29T02:30"};
    for (size_t i = 0; i < WW_ARRAY_LEN(bad); i++)
        assert_int_equal(handover_parse_time(bad[i], &t), -1);
    assert_int_equal(handover_parse_time("2028-02-29T07:00", &t), 0);
    /* the autumn hour exists twice: accepted (mktime picks one) */
    assert_int_equal(handover_parse_time("2026-10-25T02:30", &t), 0);
    char buf[64];
    handover_fmt_time(oslo("2026-07-01T09:05"), buf, sizeof buf);
    assert_string_equal(buf, "2026-07-01 09:05 +02:00");
    handover_fmt_iso(oslo("2026-12-01T07:00"), buf, sizeof buf);
    assert_string_equal(buf, "2026-12-01T07:00:00+01:00");
}

static void test_shifts_dst(void **state)
{
    int64_t t0, t1;
    /* ordinary day */
    assert_int_equal(handover_shift_on(&cfg, "day", 2026, 12, 1, &t0, &t1, err, sizeof err), 0);
    assert_int_equal(t0, oslo("2026-12-01T07:00"));
    assert_int_equal(t1 - t0, 8 * HOUR);
    /* the night of the spring change (Sunday 29 March 2026): 7 hours */
    assert_int_equal(handover_shift_on(&cfg, "night", 2026, 3, 28, &t0, &t1, err, sizeof err), 0);
    assert_int_equal(t0, oslo("2026-03-28T23:00+01:00"));
    assert_int_equal(t1, oslo("2026-03-29T07:00+02:00"));
    assert_int_equal(t1 - t0, 7 * HOUR);
    /* the night of the autumn change (Sunday 25 October 2026): 9 hours */
    assert_int_equal(handover_shift_on(&cfg, "night", 2026, 10, 24, &t0, &t1, err, sizeof err), 0);
    assert_int_equal(t0, oslo("2026-10-24T23:00+02:00"));
    assert_int_equal(t1, oslo("2026-10-25T07:00+01:00"));
    assert_int_equal(t1 - t0, 9 * HOUR);
    /* the day after each change is 8 hours again */
    assert_int_equal(handover_shift_on(&cfg, "day", 2026, 3, 29, &t0, &t1, err, sizeof err), 0);
    assert_int_equal(t1 - t0, 8 * HOUR);
    assert_int_equal(t0, oslo("2026-03-29T05:00Z"));
    /* month end: a night on 31 December ends on 1 January */
    assert_int_equal(handover_shift_on(&cfg, "night", 2026, 12, 31, &t0, &t1, err, sizeof err), 0);
    assert_int_equal(t1, oslo("2027-01-01T07:00"));

    /* --shift NAME at a time: the one containing it, else the last ended */
    assert_int_equal(handover_shift_period(&cfg, "night", oslo("2026-03-29T08:00"), &t0, &t1, err,
                                           sizeof err),
                     0);
    assert_int_equal(t0, oslo("2026-03-28T23:00"));
    assert_int_equal(t1 - t0, 7 * HOUR);
    assert_int_equal(handover_shift_period(&cfg, "night", oslo("2026-10-25T03:00+01:00"), &t0,
                                           &t1, err, sizeof err),
                     0);
    assert_int_equal(t0, oslo("2026-10-24T23:00"));
    assert_int_equal(t1 - t0, 9 * HOUR);
    assert_int_equal(handover_shift_period(&cfg, "night", oslo("2026-12-01T23:30"), &t0, &t1, err,
                                           sizeof err),
                     0);
    assert_int_equal(t0, oslo("2026-12-01T23:00"));
    assert_int_equal(handover_shift_period(&cfg, "evening", oslo("2026-12-01T10:00"), &t0, &t1,
                                           err, sizeof err),
                     0);
    assert_int_equal(t0, oslo("2026-11-30T15:00"));
    assert_int_equal(handover_shift_period(&cfg, "day", oslo("2026-12-01T15:00"), &t0, &t1, err,
                                           sizeof err),
                     0);
    assert_int_equal(t0, oslo("2026-12-01T07:00"));
    assert_int_equal(handover_shift_period(&cfg, "dawn", oslo("2026-12-01T15:00"), &t0, &t1, err,
                                           sizeof err),
                     -1);
    assert_non_null(strstr(err, "accepted: day, evening, night"));
    assert_string_equal(handover_current_shift(&cfg, oslo("2026-12-01T14:59")), "day");
    assert_string_equal(handover_current_shift(&cfg, oslo("2026-12-01T15:00")), "evening");
    assert_string_equal(handover_current_shift(&cfg, oslo("2026-12-02T03:00")), "night");
    /* shifts from the configuration */
    cfg.shifts[0].start_min = 7 * 60 + 30;
    cfg.shifts[0].end_min = 19 * 60 + 30;
    assert_int_equal(handover_shift_on(&cfg, "day", 2026, 12, 1, &t0, &t1, err, sizeof err), 0);
    assert_int_equal(t0, oslo("2026-12-01T07:30"));
    assert_int_equal(t1 - t0, 12 * HOUR);
}

/* The store used by the model tests: period = the day shift of 1 Dec 2026. */
static int64_t T0, T1;

static void ok(int rc)
{
    if (rc != 0)
        fail_msg("store: %s", err);
}

static struct store *fill(void)
{
    T0 = oslo("2026-12-01T07:00");
    T1 = oslo("2026-12-01T15:00");
    struct store *st = store_open(db, NULL, err, sizeof err);
    assert_non_null(st);
    ok(store_sync_bed(st, 1, "Rom 1 vindu", err, sizeof err));
    ok(store_sync_bed(st, 2, "Rom 1 dør", err, sizeof err));
    ok(store_sync_bed(st, 3, "Korridor", err, sizeof err));
    ok(store_sync_bed(st, 4, "Rom 2 $(id) `id`", err, sizeof err));
    int64_t a1, a2, a4a, a4b, al, al2, al3, note;
    /* bed 1: admitted the evening before, Scale 2, own limits */
    ok(store_admit(st, 1, "P-Ærø-1", "KOLS-forverring,\x1b[2J hjemmeoksygen", "KN",
                   T0 - 10 * HOUR, &a1, err, sizeof err));
    ok(store_set_scale2(st, a1, 1, true, "Dr Berg", "KN", T0 - 9 * HOUR, err, sizeof err));
    ok(store_set_limits(st, a1, 1, 6, 30, 45, 120, "KOLS, lege har satt grenser", "ÅS",
                        T0 - 9 * HOUR, err, sizeof err));
    ok(store_add_observation(st, a1, 1, "spo2", 89, "KN", T0 - 2 * HOUR, err, sizeof err));
    ok(store_add_observation(st, a1, 1, "sbp", 118, "ÅS", T0 + 1 * HOUR, err, sizeof err));
    ok(store_add_observation(st, a1, 1, "o2", 1, "ÅS", T0 + 1 * HOUR, err, sizeof err));
    /* notes entered out of time order, one with escapes */
    ok(store_add_note(st, 1, a1, 0, "Andre notat: lege informert", "KN", T0 + 3 * HOUR, &note,
                      err, sizeof err));
    ok(store_add_note(st, 1, a1, 0, "Første notat\x1b]0;title\x07 hoster\x1b[31m mye", "ÅS",
                      T0 + 1 * HOUR, &note, err, sizeof err));
    ok(store_add_note(st, 1, a1, 0, "Før vakta", "KN", T0 - HOUR, &note, err, sizeof err));
    /* samples: RR 10..29 and HR 70..89 once a second for 20 minutes at 08:00 */
    for (int i = 0; i < 1200; i++) {
        struct store_sample s = {1, T0 + HOUR + i * 1000LL, (float)(10 + i / 60),
                                 (float)(70 + i / 60), 0.9f, STORE_F_PRESENT};
        store_queue_sample(st, &s);
    }
    /* scores: before the period 2 (partial), then 3 (complete), 6, 4 */
    struct store_score sc[] = {
        {1, T0 - HOUR, 2, {0, 2, -1, 0, 0, 0, 0}, 0, 1u << 2},
        {1, T0 + HOUR, 3, {1, 2, 0, 0, 0, 0, 0}, 0, 0},
        {1, T0 + 2 * HOUR, 6, {3, 2, 0, 0, 1, 0, 0}, 2, 0},
        {1, T0 + 4 * HOUR, 4, {1, 2, 0, 0, 1, -1, 0}, 0, 1u << 5},
    };
    for (size_t i = 0; i < WW_ARRAY_LEN(sc); i++)
        store_queue_score(st, &sc[i]);
    ok(store_flush(st, err, sizeof err));
    /* alarms: one raised before the period, acknowledged, still open */
    ok(store_alarm_raise(st, 1, "rr-high", "medium", T0 - 30 * MIN, &al, err, sizeof err));
    ok(store_alarm_event(st, al, "acknowledged", "acknowledged", "KN", T0 - 29 * MIN, err,
                         sizeof err));
    ok(store_alarm_event(st, al, "realerted", "active", NULL, T0 + 10 * MIN, err, sizeof err));
    ok(store_alarm_event(st, al, "acknowledged", "acknowledged", "ÅS", T0 + 12 * MIN, err,
                         sizeof err));
    /* a high one in the period: acknowledged after 90 s, latched, not reset */
    ok(store_alarm_raise(st, 1, "news2-high", "high", T0 + 2 * HOUR, &al2, err, sizeof err));
    ok(store_alarm_event(st, al2, "acknowledged", "acknowledged", "ÅS", T0 + 2 * HOUR + 90000,
                         err, sizeof err));
    ok(store_alarm_event(st, al2, "latched", "latched", NULL, T0 + 3 * HOUR, err, sizeof err));
    /* reset before the period: not in the situation */
    ok(store_alarm_raise(st, 1, "hr-low", "medium", T0 - 5 * HOUR, &al3, err, sizeof err));
    ok(store_alarm_event(st, al3, "ended", "ended", NULL, T0 - 4 * HOUR, err, sizeof err));
    /* bed 2: admitted mid-shift, one unacknowledged low alarm */
    ok(store_admit(st, 2, "P-0002", "Kom fra akuttmottaket", "ÅS", T0 + 5 * HOUR, &a2, err,
                   sizeof err));
    ok(store_alarm_raise(st, 2, "obs-overdue", "low", T0 + 6 * HOUR, &al, err, sizeof err));
    /* bed 4: one patient left, the next came */
    ok(store_admit(st, 4, "P-0041", "", "KN", T0 - HOUR, &a4a, err, sizeof err));
    ok(store_discharge(st, a4a, 4, "KN", T0 + 2 * HOUR, err, sizeof err));
    ok(store_admit(st, 4, "P-0042", "Ny pasient", "KN", T0 + 3 * HOUR, &a4b, err, sizeof err));
    /* after the period: not shown */
    ok(store_add_note(st, 1, a1, 0, "Etter vakta", "KN", T1 + 1, &note, err, sizeof err));
    return st;
}

static struct handover *build(struct store *st, int bed)
{
    struct handover_request req = {T0, T1, "day", bed, T1 - 5 * MIN, "KN"};
    struct handover *h = handover_build(st, &cfg, &req, err, sizeof err);
    if (!h)
        fail_msg("handover_build: %s", err);
    return h;
}

/* test_model, bed 1: I, S, B and the A figures. */
static void model_bed1_now(const struct handover_bed *b)
{
    /* I */
    assert_int_equal(b->number, 1);
    assert_true(b->occupied);
    assert_false(b->admitted_in_period);
    assert_string_equal(b->patient_ref, "P-Ærø-1");
    assert_true(b->scale2);
    assert_string_equal(b->scale2_by, "Dr Berg");
    /* B: sanitised when stored and again here */
    assert_null(strchr(b->background, 0x1b));
    assert_non_null(strstr(b->background, "hjemmeoksygen"));
    /* S: the last score in the period, partial */
    assert_true(b->have_score);
    assert_int_equal(b->total, 4);
    assert_int_equal(b->partial_mask, 1u << 5);
    /* the last complete set ended when the 4 (partial) came */
    assert_int_equal(b->last_complete_t, T0 + 4 * HOUR);
    /* open at the end: rr-high (acknowledged again by ÅS), news2-high latched */
    assert_int_equal(b->nopen, 2);
    /* the board's order (H17-32): the high one first, though raised later */
    assert_string_equal(b->open[1].condition, "rr-high");
    assert_string_equal(b->open[1].state, "acknowledged");
    assert_string_equal(b->open[1].acked_by, "ÅS");
    assert_int_equal(b->open[1].acked_at, T0 + 12 * MIN);
    assert_string_equal(b->open[0].condition, "news2-high");
    assert_string_equal(b->open[0].state, "latched");
    assert_true(b->open[0].latched);
    assert_string_equal(b->open[0].acked_by, "ÅS");
    /* A: per-minute medians of 10..29 / 70..89 */
    assert_int_equal(b->rr_stats.n, 20);
    assert_float_equal(b->rr_stats.min, 10, 0.01);
    assert_float_equal(b->rr_stats.max, 29, 0.01);
    assert_float_equal(b->rr_stats.median, 20, 0.01); /* 19.5, halves up */
    assert_float_equal(b->hr_stats.median, 80, 0.01); /* 79.5 */
}

/* test_model, bed 1: the NEWS2 trajectory and its points. */
static void model_bed1_news2(const struct handover_bed *b)
{
    /* NEWS2 trajectory: the 2 in force at 07:00, then 3, 6, 4 */
    assert_int_equal(b->news2.n, 4);
    assert_int_equal(b->news2.t[0], T0);
    /* points: in force at 07:00 (>= 2), each full hour, the end (14:55) */
    static const struct {
        int score;
        bool partial;
    } want[] = {{2, true},  {3, false}, {6, false}, {6, false}, {4, true},
                {4, true}, {4, true},  {4, true},  {4, true}};
    assert_int_equal(b->npoints, WW_ARRAY_LEN(want));
    for (size_t i = 0; i < WW_ARRAY_LEN(want); i++) {
        assert_int_equal(b->points[i].t, i < 8 ? T0 + (int64_t)i * HOUR : T1 - 5 * MIN);
        assert_int_equal(b->points[i].score, want[i].score);
        assert_int_equal(b->points[i].partial, want[i].partial);
    }
    /* first and lowest count complete sets only: the partial 2 is neither */
    assert_int_equal(b->news2_first, 3);
    assert_int_equal(b->news2_first_t, T0 + HOUR);
    assert_int_equal(b->news2_min, 3);
    assert_int_equal(b->news2_max, 6);
    assert_false(b->news2_max_partial);
    assert_int_equal(b->news2_last, 4);
    assert_true(b->news2_last_partial);
}

/* test_model, bed 1: entries by hand, R, and the alarm log. */
static void model_bed1_entries(const struct handover_bed *b)
{
    /* manual observations of the period only; notes in time order */
    assert_int_equal(b->nobs, 2);
    assert_string_equal(b->obs[0].param, "sbp");
    assert_string_equal(b->obs[0].by, "ÅS");
    assert_int_equal(b->nnotes, 2);
    assert_string_equal(b->notes[0].by, "ÅS");
    assert_string_equal(b->notes[0].text, "Første notat hoster mye");
    assert_string_equal(b->notes[1].text, "Andre notat: lege informert");
    /* R: by the board's rule (CLINICAL.md): no complete set was ever
     * entered (ACVPU and temperature never were), so the first full set has
     * been due since the admission (admission_obs_due_min 0) */
    assert_int_equal(b->level, 1);
    assert_int_equal(b->set_at, 0);
    assert_int_equal(b->obs_due, T0 - 10 * HOUR);
    assert_true(b->obs_overdue);
    assert_true(b->own_limits);
    assert_float_equal(b->rr_low, 6, 0.001);
    assert_string_equal(b->limits_by, "ÅS");
    /* alarm log of the period: realerted, acknowledged, raised, acked, latched */
    assert_int_equal(b->nevents, 5);
    assert_string_equal(b->events[1].event, "acknowledged");
    assert_string_equal(b->events[1].staff, "ÅS");
}

/* test_model: beds 2 to 5. */
static void model_other_beds(const struct handover *h)
{
    /* bed 2: admitted mid-shift */
    const struct handover_bed *b = &h->beds[1];
    assert_int_equal(b->number, 2);
    assert_true(b->admitted_in_period);
    assert_int_equal(b->admitted_at, T0 + 5 * HOUR);
    assert_int_equal(b->nopen, 1);
    assert_string_equal(b->open[0].state, "active");
    assert_string_equal(b->open[0].acked_by, "");
    assert_false(b->have_score);
    assert_int_equal(b->rr_stats.n, 0);
    assert_true(isnan(b->rr_stats.median));
    /* no manual entry: the first set due at admission, overdue since */
    assert_int_equal(b->obs_due, T0 + 5 * HOUR);
    assert_true(b->obs_overdue);
    /* bed 3 empty, bed 4 twice */
    assert_false(h->beds[2].occupied);
    assert_string_equal(h->beds[3].patient_ref, "P-0041");
    assert_int_equal(h->beds[3].discharged_at, T0 + 2 * HOUR);
    assert_string_equal(h->beds[4].patient_ref, "P-0042");
    assert_true(h->beds[4].admitted_in_period);
    assert_string_equal(h->beds[4].label, "Rom 2 $(id) `id`");
}

/* test_model: the ward figures. */
static void model_ward_figures(const struct handover *h)
{
    /* ward figures: alarms raised in the period by priority */
    assert_int_equal(h->alarms[0].raised, 1);
    assert_int_equal(h->alarms[0].acked, 1);
    assert_int_equal(h->alarms[0].ack_median_s, 90);
    assert_int_equal(h->alarms[0].ack_max_s, 90);
    assert_int_equal(h->alarms[1].raised, 0);
    assert_int_equal(h->alarms[2].raised, 1);
    assert_int_equal(h->alarms[2].unacked, 1);
    assert_int_equal(h->alarms[2].ack_median_s, -1);
}

static void test_model(void **state)
{
    struct store *st = fill();
    struct handover *h = build(st, -1);
    assert_string_equal(h->ward, "Observasjonspost 3 Ærøy");
    assert_int_equal(h->nbeds, 5); /* 1, 2, 3 empty, 4 twice */
    assert_int_equal(h->noccupied, 4);
    const struct handover_bed *b = &h->beds[0];
    model_bed1_now(b);
    model_bed1_news2(b);
    model_bed1_entries(b);
    model_other_beds(h);
    model_ward_figures(h);
    handover_free(h);

    /* one bed */
    h = build(st, 2);
    assert_int_equal(h->nbeds, 1);
    assert_int_equal(h->beds[0].number, 2);
    assert_int_equal(h->alarms[0].raised, 0);
    assert_int_equal(h->alarms[2].raised, 1);
    handover_free(h);

    /* a bad period */
    struct handover_request bad = {T1, T0, NULL, -1, T1, "KN"};
    assert_null(handover_build(st, &cfg, &bad, err, sizeof err));
    store_close(st);
}

static char *render(const struct handover *h, int *pages);

/* #17: a patient admitted at 16:16 whose admission set was entered 40 s
 * later and who scored 7 from then on. The first second's score is the
 * radar's RR and HR alone (3, partial): a lower bound, not the patient's
 * first, lowest or only NEWS2 of the shift. */
static struct handover *admitted_1616(struct store *st, int64_t printed)
{
    int64_t adm = oslo("2026-12-01T16:16"), a;
    ok(store_sync_bed(st, 1, "Rom 1 vindu", err, sizeof err));
    ok(store_admit(st, 1, "P-1616", "", "KN", adm, &a, err, sizeof err));
    /* all but RR and HR missing (enum news2_param order) */
    unsigned radar_only = (1u << 1) | (1u << 2) | (1u << 3) | (1u << 5) | (1u << 6);
    struct store_score sc[] = {
        {1, adm, 3, {3, -1, -1, -1, 0, -1, -1}, 0, radar_only},
        {1, adm + 40000, 7, {3, 2, 2, 0, 0, 0, 0}, 3, 0},
    };
    for (size_t i = 0; i < WW_ARRAY_LEN(sc); i++)
        store_queue_score(st, &sc[i]);
    ok(store_flush(st, err, sizeof err));
    int64_t t0, t1;
    ok(handover_shift_period(&cfg, "evening", printed, &t0, &t1, err, sizeof err));
    struct handover_request req = {t0, t1, "evening", -1, printed, "KN"};
    struct handover *h = handover_build(st, &cfg, &req, err, sizeof err);
    if (!h)
        fail_msg("handover_build: %s", err);
    return h;
}

/* H19-21: the handover replayed a latched alarm's events with a flag of
 * its own that only a reset cleared, so a latched alarm whose condition
 * came back (realerted: sounding again) was handed over as "latched, waits
 * for reset", and one that a discharge ended stayed open on the departed
 * patient's entry. It now follows the store's rule (alarm_state_after). */
static void test_latched_alarm_after_return_and_discharge(void **state)
{
    T0 = oslo("2026-12-01T07:00");
    T1 = oslo("2026-12-01T15:00");
    struct store *st = store_open(db, NULL, err, sizeof err);
    assert_non_null(st);
    int64_t a1, a2, al1, al2;
    ok(store_sync_bed(st, 1, "Rom 1", err, sizeof err));
    ok(store_sync_bed(st, 2, "Rom 2", err, sizeof err));
    ok(store_admit(st, 1, "P-1", "", "KN", T0 - HOUR, &a1, err, sizeof err));
    ok(store_alarm_raise(st, 1, "news2-high", "high", T0 + HOUR, &al1, err, sizeof err));
    ok(store_alarm_event(st, al1, "latched", "latched", NULL, T0 + 2 * HOUR, err, sizeof err));
    ok(store_alarm_event(st, al1, "escalated", "latched", NULL, T0 + 2 * HOUR + MIN, err,
                         sizeof err));
    ok(store_alarm_event(st, al1, "realerted", "active", NULL, T0 + 3 * HOUR, err, sizeof err));
    ok(store_admit(st, 2, "P-2", "", "KN", T0 - HOUR, &a2, err, sizeof err));
    ok(store_alarm_raise(st, 2, "apnoea", "high", T0 + HOUR, &al2, err, sizeof err));
    ok(store_alarm_event(st, al2, "latched", "latched", NULL, T0 + HOUR + MIN, err, sizeof err));
    ok(store_alarm_event(st, al2, "ended", "ended", NULL, T0 + 2 * HOUR, err, sizeof err));
    ok(store_discharge(st, a2, 2, "KN", T0 + 2 * HOUR, err, sizeof err));
    struct handover *h = build(st, -1);
    const struct handover_bed *b1 = NULL, *b2 = NULL;
    for (size_t i = 0; i < h->nbeds; i++) {
        if (h->beds[i].number == 1)
            b1 = &h->beds[i];
        if (h->beds[i].number == 2 && h->beds[i].occupied)
            b2 = &h->beds[i];
    }
    assert_non_null(b1);
    assert_non_null(b2);
    assert_int_equal(b1->nopen, 1);
    assert_string_equal(b1->open[0].state, "active");
    assert_false(b1->open[0].latched);
    assert_int_equal(b2->nopen, 0);
    int pages;
    char *text = render(h, &pages);
    assert_null(strstr(text, "waits for reset"));
    free(text);
    handover_free(h);
    store_close(st);
}

/* H19-22: the acknowledgement-time median was the integer mean of the two
 * middle whole seconds, cut down (16 s and 19 s gave 17 s), a median of its
 * own; it is now ww_median's 17.5 s, shown rounded halves up: 18 s. */
static void test_ack_median_is_the_one_median(void **state)
{
    T0 = oslo("2026-12-01T07:00");
    T1 = oslo("2026-12-01T15:00");
    struct store *st = store_open(db, NULL, err, sizeof err);
    assert_non_null(st);
    int64_t a1, al;
    ok(store_sync_bed(st, 1, "Rom 1", err, sizeof err));
    ok(store_admit(st, 1, "P-1", "", "KN", T0 - HOUR, &a1, err, sizeof err));
    const int64_t lat_ms[] = {16000, 19000, 17400, 18400};
    for (int i = 0; i < 4; i++) {
        int64_t t = T0 + (i + 1) * HOUR;
        ok(store_alarm_raise(st, 1, i < 2 ? "apnoea" : "rr-high", i < 2 ? "high" : "medium", t,
                             &al, err, sizeof err));
        ok(store_alarm_event(st, al, "acknowledged", "acknowledged", "KN", t + lat_ms[i], err,
                             sizeof err));
    }
    struct handover *h = build(st, -1);
    assert_int_equal(h->alarms[0].acked, 2);
    assert_int_equal(h->alarms[0].ack_median_s, 18); /* 17.5 s */
    assert_int_equal(h->alarms[0].ack_max_s, 19);
    assert_int_equal(h->alarms[1].ack_median_s, 18); /* 17.9 s, not 17 and 18 cut to 17 */
    handover_free(h);
    store_close(st);
}

/* H17-30: the per-minute RR medians 8, 8, 9, 9 have the median 8.5, which
 * the chart reads as 9 (halves up: 1 point); the handover printed it with
 * printf's %.0f, which rounds halves to even: "median 8", the alarm limit
 * and 3 points. HR 58, 58, 59, 59: 58.5 is 59, not 58. */
static void test_stats_round_halves_up(void **state)
{
    T0 = oslo("2026-12-01T07:00");
    T1 = oslo("2026-12-01T15:00");
    struct store *st = store_open(db, NULL, err, sizeof err);
    assert_non_null(st);
    int64_t a1;
    ok(store_sync_bed(st, 1, "Rom 1", err, sizeof err));
    ok(store_admit(st, 1, "P-1", "", "KN", T0 - HOUR, &a1, err, sizeof err));
    for (int i = 0; i < 240; i++) {
        struct store_sample smp = {1, T0 + HOUR + i * 1000LL, (float)(8 + i / 120),
                                   (float)(58 + i / 120), 0.9f, STORE_F_PRESENT};
        store_queue_sample(st, &smp);
    }
    ok(store_flush(st, err, sizeof err));
    struct handover *h = build(st, 1);
    const struct handover_bed *b = &h->beds[0];
    assert_int_equal(b->rr_stats.n, 4);
    assert_float_equal(b->rr_stats.median, 9, 0.001);
    assert_float_equal(b->hr_stats.median, 59, 0.001);
    int pages;
    char *text = render(h, &pages);
    if (!strstr(text, "median   9  max   9") || !strstr(text, "median  59  max  59"))
        fail_msg("RR/HR lines:\n%s", strstr(text, "RR /min") ? strstr(text, "RR /min") : text);
    free(text);
    handover_free(h);
    store_close(st);
}

static void test_trajectory_admission(void **state)
{
    struct store *st = store_open(db, NULL, err, sizeof err);
    assert_non_null(st);
    struct handover *h = admitted_1616(st, oslo("2026-12-01T18:30"));
    const struct handover_bed *b = &h->beds[0];
    assert_int_equal(b->npoints, 4);
    assert_int_equal(b->points[0].t, oslo("2026-12-01T16:16"));
    assert_int_equal(b->points[0].score, 3);
    assert_true(b->points[0].partial);
    assert_int_equal(b->points[1].t, oslo("2026-12-01T17:00"));
    assert_int_equal(b->points[1].score, 7);
    assert_int_equal(b->points[2].t, oslo("2026-12-01T18:00"));
    assert_int_equal(b->points[3].t, oslo("2026-12-01T18:30"));
    assert_int_equal(b->points[3].score, 7);
    assert_false(b->points[3].partial);
    assert_int_equal(b->news2_first, 7);
    assert_int_equal(b->news2_min, 7);
    assert_int_equal(b->news2_max, 7);
    assert_int_equal(b->news2_last, 7);
    int pages;
    char *text = render(h, &pages);
    assert_non_null(strstr(text, "NEWS2    16:16 >=3, 17:00 7, 18:00 7, 18:30 7\n"));
    assert_non_null(strstr(text, "first complete 7 (16:16), lowest 7, highest 7, last 7"));
    assert_null(strstr(text, "first 3"));
    assert_null(strstr(text, "lowest 3"));
    free(text);
    handover_free(h);
    store_close(st);
}

static void test_trajectory_short_and_partial_peak(void **state)
{
    struct store *st = store_open(db, NULL, err, sizeof err);
    assert_non_null(st);
    /* printed at 16:30: no full hour yet, but the end is a point */
    struct handover *h = admitted_1616(st, oslo("2026-12-01T16:30"));
    int pages;
    char *text = render(h, &pages);
    assert_non_null(strstr(text, "NEWS2    16:16 >=3, 16:30 7\n"));
    free(text);
    handover_free(h);
    /* a partial 9 at 17:10 (a lower bound: the highest is at least 9), a
     * complete 5 from 17:20 */
    struct store_score sc[] = {
        {1, oslo("2026-12-01T17:10"), 9, {3, 3, 2, 1, 0, -1, 0}, 3, 1u << 5},
        {1, oslo("2026-12-01T17:20"), 5, {1, 2, 2, 0, 0, 0, 0}, 2, 0},
    };
    for (size_t i = 0; i < WW_ARRAY_LEN(sc); i++)
        store_queue_score(st, &sc[i]);
    ok(store_flush(st, err, sizeof err));
    int64_t t0, t1;
    ok(handover_shift_period(&cfg, "evening", oslo("2026-12-01T23:30"), &t0, &t1, err,
                             sizeof err));
    struct handover_request req = {t0, t1, "evening", -1, oslo("2026-12-01T23:30"), "KN"};
    h = handover_build(st, &cfg, &req, err, sizeof err);
    assert_non_null(h);
    const struct handover_bed *b = &h->beds[0];
    /* 16:16, 17:00 ... 23:00 (the period's end is a full hour) */
    assert_int_equal(b->npoints, 8);
    assert_int_equal(b->points[7].t, t1);
    assert_int_equal(b->news2_first, 7);
    assert_int_equal(b->news2_min, 5);
    assert_int_equal(b->news2_max, 9);
    assert_true(b->news2_max_partial);
    text = render(h, &pages);
    assert_non_null(strstr(text, "NEWS2    16:16 >=3, 17:00 7, 18:00 5, 19:00 5, 20:00 5, 21:00 5,"));
    assert_non_null(strstr(text, "first complete 7 (16:16), lowest 5, highest >=9, last 5"));
    free(text);
    handover_free(h);
    store_close(st);
}

/* A sensor bed run by the ward core into the store: admitted at 07:10, a
 * full normal set a minute later (returned in *set), RR 14 and HR 70 (HR
 * 134 from set + fast_from for fast_min minutes) every second to stop. The
 * ward's [news2] section is news2_ini ("" none). */
struct core_run {
    struct ward_config wc;
    struct store *st;
    struct ward *w;
    int64_t set;
};

static void run_sensor_bed(struct core_run *cr, const char *news2_ini, int64_t stop,
                           int64_t fast_from, int64_t fast_for)
{
    char ini[4300], e[512];
    snprintf(ini, sizeof ini, "%s/w.ini", dir);
    char text[512];
    snprintf(text, sizeof text, "[ward]\nname = Test\ndatabase = ward.db\n%s[bed.1]\nlabel = Rom 1\n"
                                "sensor = ti-vs:file:/dev/null\n", news2_ini);
    ww_test_write_file(ini, text);
    if (config_load(ini, &cr->wc, e, sizeof e) < 0)
        fail_msg("%s", e);
    cr->st = store_open(db, NULL, err, sizeof err);
    assert_non_null(cr->st);
    cr->w = ward_new(&cr->wc, cr->st, e, sizeof e);
    if (!cr->w)
        fail_msg("%s", e);
    int64_t t = oslo("2026-12-01T07:10");
    cr->set = t + 60000;
    if (ward_cmd_admit(cr->w, 0, "P-77", "", "KN", t, e, sizeof e) < 0)
        fail_msg("%s", e);
    for (; t <= stop; t += 1000) {
        if (t == cr->set) {
            const char *p[] = {"spo2", "o2", "sbp", "acvpu", "temp"};
            const char *v[] = {"97", "air", "125", "A", "37.0"};
            if (ward_cmd_observations(cr->w, 0, p, v, 5, "KN", t, e, sizeof e) < 0)
                fail_msg("%s", e);
        }
        bool fast = t >= cr->set + fast_from && t < cr->set + fast_from + fast_for;
        struct reading r = {.have = READING_PRESENCE | READING_MOTION | READING_RR | READING_HR,
                            .presence = true, .rr = 14, .hr = fast ? 134 : 70};
        ward_reading(cr->w, 0, &r, t);
        ward_tick(cr->w, t);
    }
    if (ward_flush(cr->w, e, sizeof e) < 0)
        fail_msg("%s", e);
}

static void core_run_free(struct core_run *cr)
{
    ward_free(cr->w);
    store_close(cr->st);
}

/* A ward whose manual values count 6 h (manual_max_age_h) and a patient
 * at NEWS2 0 (12-hourly): the set is due 6 h after it, when its values go
 * stale. The handover said "due 13:11 (every 12 h)", a time and an interval
 * that disagree; it now says which value sets the time (H16-1e). */
static void test_due_sooner_says_why(void **state)
{
    static struct core_run cr;
    int64_t stop = oslo("2026-12-01T07:20");
    run_sensor_bed(&cr, "[news2]\nmanual_max_age_h = 6\nspo2_max_age_h = 5\n", stop, 0, 0);
    assert_int_equal(ward_bed(cr.w, 0)->obs_due_ms, cr.set + 5 * HOUR);
    struct handover_request req = {oslo("2026-12-01T07:00"), oslo("2026-12-01T15:00"), "day", -1,
                                   stop, "KN"};
    struct handover *h = handover_build(cr.st, &cr.wc, &req, err, sizeof err);
    if (!h)
        fail_msg("handover_build: %s", err);
    assert_int_equal(h->beds[0].obs_due, cr.set + 5 * HOUR);
    int pages;
    char *text = render(h, &pages);
    const char *want = "Next observation due 12:11 (every 12 h; sooner: SpO2 of 07:11 goes stale)";
    if (!strstr(text, want))
        fail_msg("no '%s' in:\n%s", want, strstr(text, "Next observation") ? strstr(text, "Next observation") : text);
    free(text);
    handover_free(h);
    core_run_free(&cr);
}

/* #17: the board and the printed page agree on what is overdue. The ward
 * core runs a sensor bed for 90 minutes (a full set at 07:11, then HR 134
 * for 20 minutes: a single 3, hourly monitoring, then HR 70 again) into a
 * store; the handover printed at 08:41 reads that store. By CLINICAL.md the
 * next set is due an hour after the set (the worst level since it was
 * low-medium; the score falling back does not move it later): 08:11,
 * overdue on both. (Before: the handover took the last entry plus the
 * current level's 12 h: due 19:11, not overdue, while the board said OBS
 * DUE.) */
static void test_overdue_agrees_with_board(void **state)
{
    static struct core_run cr;
    int64_t stop = oslo("2026-12-01T08:41");
    run_sensor_bed(&cr, "", stop, 10 * MIN, 20 * MIN);
    int64_t set = cr.set;
    const struct ward_bed *wb = ward_bed(cr.w, 0);
    assert_int_equal(wb->obs_due_ms, set + HOUR);
    assert_true(wb->obs_overdue);
    struct handover_request req = {oslo("2026-12-01T07:00"), oslo("2026-12-01T15:00"), "day", -1,
                                   stop, "KN"};
    struct handover *h = handover_build(cr.st, &cr.wc, &req, err, sizeof err);
    if (!h)
        fail_msg("handover_build: %s", err);
    const struct handover_bed *b = &h->beds[0];
    assert_int_equal(b->set_at, set);
    assert_int_equal(b->obs_due, wb->obs_due_ms);
    assert_true(b->obs_overdue);
    int pages;
    char *text = render(h, &pages);
    assert_non_null(strstr(text, "Next observation due 08:11 - OVERDUE (every 1 h)"));
    free(text);
    handover_free(h);
    core_run_free(&cr);
}

/* Display columns, counting æøå as one (sanitised UTF-8). */
static int cols(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* The text output of a model as a string (caller frees). */
static char *render(const struct handover *h, int *pages)
{
    char path[4300];
    snprintf(path, sizeof path, "%s/out.txt", dir);
    FILE *f = fopen(path, "w+");
    assert_non_null(f);
    *pages = handover_write_text(h, f);
    assert_true(*pages >= 1);
    long n = ftell(f);
    rewind(f);
    char *buf = calloc(1, (size_t)n + 1);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    return buf;
}

/* Check the page structure and widths of a text rendering. */
static void check_pages(const char *text, int pages)
{
    int lines = 0, footers = 0;
    char want[64];
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        assert_non_null(nl);
        char line[1024];
        size_t len = (size_t)(nl - p);
        assert_true(len < sizeof line);
        memcpy(line, p, len);
        line[len] = 0;
        if (cols(line) > 80)
            fail_msg("line %d is %d columns: %s", lines + 1, cols(line), line);
        if (lines % 66 == 0) {
            snprintf(want, sizeof want, "page %d of %d", lines / 66 + 1, pages);
            assert_non_null(strstr(line, want));
            assert_non_null(strstr(line, "HANDOVER"));
        }
        if (lines % 66 == 64) {
            assert_string_equal(line, HANDOVER_FOOTER);
            footers++;
        }
        for (const char *c = line; *c; c++)
            assert_true((unsigned char)*c >= 0x20 || *c == '\t');
        lines++;
        p = nl + 1;
    }
    assert_int_equal(lines, 66 * pages);
    assert_int_equal(footers, pages);
}

static void test_text(void **state)
{
    struct store *st = fill();
    /* a long note with æøå, wrapped */
    int64_t note;
    ok(store_add_note(st, 1, 0, 0,
                      "Lang merknad: pasienten ble mobilisert til stol, klarte seg fint, "
                      "men ble tungpustet etter få minutter; ØÅÆ æøå sjekket metning igjen "
                      "og ringte lege som kommer innom før vaktskiftet.",
                      "KN", T0 + 4 * HOUR, &note, err, sizeof err));
    struct handover *h = build(st, -1);
    int pages;
    char *text = render(h, &pages);
    check_pages(text, pages);
    /* every ISBAR section once per occupied entry */
    const char *sec[] = {"I  Identification", "S  Situation", "B  Background", "A  Assessment",
                         "R  Recommendation"};
    for (size_t k = 0; k < WW_ARRAY_LEN(sec); k++) {
        int n = 0;
        for (const char *p = text; (p = strstr(p, sec[k])); p++)
            n++;
        assert_int_equal(n, 4);
    }
    assert_non_null(strstr(text, "== Bed 3  Korridor"));
    assert_non_null(strstr(text, "Empty: no patient admitted during this period."));
    assert_non_null(strstr(text, "New: admitted during this period"));
    assert_non_null(strstr(text, "Next observation due 30.11 21:00 - OVERDUE (no complete set since admission)"));
    assert_non_null(strstr(text, "SpO2 Scale 2 (target 88-92 %), set by Dr Berg"));
    assert_non_null(strstr(text, "NEWS2 >= 4 (low, partial: a lower bound)"));
    assert_non_null(strstr(text, "Partial: missing or stale acvpu"));
    /* notes in time order, the earlier one first, none from outside the period */
    const char *n1 = strstr(text, "Første notat hoster mye");
    const char *n2 = strstr(text, "Andre notat");
    assert_non_null(n1);
    assert_non_null(n2);
    assert_true(n1 < n2);
    assert_null(strstr(text, "Etter vakta"));
    assert_null(strstr(text, "Før vakta"));
    assert_non_null(strstr(text, "ØÅÆ æøå"));
    /* acknowledgements with initials and times */
    /* alarms by the board's names (scoring/alarm.c), not "rr-high" */
    assert_non_null(strstr(text, "**  medium: RR high, raised 06:30, active, acknowledged by ÅS 07:12"));
    assert_non_null(strstr(text, "*** NEWS2 high (>= 7); acknowledged by ÅS 09:01"));
    assert_non_null(strstr(text, "*** high: NEWS2 high (>= 7), raised 09:00, latched, waits for reset"));
    assert_non_null(strstr(text, "*   low: Observations overdue, raised 13:00, active, NOT ACKNOWLEDGED"));
    assert_null(strstr(text, "rr-high"));
    assert_null(strstr(text, "news2-high"));
    assert_null(strstr(text, "obs-overdue"));
    assert_non_null(strstr(text, "Alarm at RR <= 6 or >= 30, HR <= 45 or >= 120 (individual limits, KOLS"));
    assert_non_null(strstr(text, "Alarm at RR <= 8 or >= 25, HR <= 40 or >= 131 (ward default limits)"));
    assert_non_null(strstr(text, "median 1:30, max 1:30"));
    assert_non_null(strstr(text, "Discharged 2026-12-01 09:00 +01:00"));
    assert_non_null(strstr(text, "Rom 2 $(id) `id`"));
    assert_non_null(strstr(text, "Period 2026-12-01 07:00 +01:00 to 2026-12-01 15:00 +01:00"));
    assert_non_null(strstr(text, "HANDOVER Observasjonspost 3 Ærøy - day shift"));
    free(text);

    /* the board's preview uses the same lines */
    size_t n;
    struct handover_line *v = handover_lines(h, &n);
    assert_non_null(v);
    int plots = 0;
    for (size_t i = 0; i < n; i++) {
        assert_true(cols(v[i].text) <= 80);
        plots += v[i].kind == HL_PLOT;
    }
    assert_int_equal(plots, 4);
    free(v);
    handover_free(h);
    store_close(st);
}

static void test_many_pages(void **state)
{
    struct store *st = fill();
    int64_t note;
    for (int i = 0; i < 150; i++) {
        char text[64];
        snprintf(text, sizeof text, "Notat nummer %03d æøå", i);
        ok(store_add_note(st, 2, 0, 0, text, "KN", T0 + 5 * HOUR + i * 1000LL, &note, err,
                          sizeof err));
    }
    struct handover *h = build(st, -1);
    int pages;
    char *text = render(h, &pages);
    assert_true(pages >= 4);
    check_pages(text, pages);
    /* all 150 in order */
    const char *p = text;
    for (int i = 0; i < 150; i++) {
        char want[64];
        snprintf(want, sizeof want, "Notat nummer %03d æøå", i);
        const char *q = strstr(p, want);
        if (!q)
            fail_msg("note %d missing or out of order", i);
        p = q;
    }
    free(text);
    handover_free(h);
    store_close(st);
}

static void test_empty_ward(void **state)
{
    T0 = oslo("2026-12-01T07:00");
    T1 = oslo("2026-12-01T15:00");
    struct store *st = store_open(db, NULL, err, sizeof err);
    assert_non_null(st);
    /* no beds at all, then beds without patients */
    struct handover *h = build(st, -1);
    assert_int_equal(h->nbeds, 0);
    int pages;
    char *text = render(h, &pages);
    assert_int_equal(pages, 1);
    check_pages(text, 1);
    assert_non_null(strstr(text, "No patient was admitted during this period."));
    free(text);
    handover_free(h);
    ok(store_sync_bed(st, 1, "Rom 1", err, sizeof err));
    ok(store_sync_bed(st, 2, "Rom 2", err, sizeof err));
    h = build(st, -1);
    assert_int_equal(h->nbeds, 2);
    assert_int_equal(h->noccupied, 0);
    text = render(h, &pages);
    check_pages(text, pages);
    assert_null(strstr(text, "I  Identification"));
    assert_non_null(strstr(text, "No patient was admitted during this period."));
    free(text);
    char path[4300];
    snprintf(path, sizeof path, "%s/empty.pdf", dir);
    assert_int_equal(handover_write_pdf(h, path, err, sizeof err), 1);
    handover_free(h);
    store_close(st);
}

static void test_pdf(void **state)
{
    struct store *st = fill();
    struct handover *h = build(st, -1);
    char path[4300];
    snprintf(path, sizeof path, "%s/h.pdf", dir);
    int pages = handover_write_pdf(h, path, err, sizeof err);
    if (pages < 1)
        fail_msg("pdf: %s", err);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char head[8] = {0};
    assert_int_equal(fread(head, 1, 5, f), 5);
    fclose(f);
    assert_memory_equal(head, "%PDF-", 5);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    /* an unwritable place */
    assert_int_equal(handover_write_pdf(h, "/nonexistent/dir/h.pdf", err, sizeof err), -1);
    assert_non_null(strstr(err, "/nonexistent/dir/h.pdf"));
    handover_free(h);
    store_close(st);
}

static void test_fit(void **state)
{
    char buf[64];
    handover_fit(buf, sizeof buf, "æøåæøå", 4);
    assert_string_equal(buf, "æøåæ");
    handover_fit(buf, sizeof buf, "ab", 4);
    assert_string_equal(buf, "ab");
    /* wide characters count two columns and are never cut in half */
    handover_fit(buf, sizeof buf, "a\xe4\xb8\xad\xe6\x96\x87", 4);
    assert_string_equal(buf, "a\xe4\xb8\xad");
    handover_fit(buf, 4, "æøå", 10);
    assert_string_equal(buf, "æ");
}

static void test_printer_names(void **state)
{
    assert_true(handover_printer_name_ok("obs3-laser"));
    assert_true(handover_printer_name_ok("Obs_3.A"));
    assert_false(handover_printer_name_ok(""));
    assert_false(handover_printer_name_ok(NULL));
    assert_false(handover_printer_name_ok("-d"));
    assert_false(handover_printer_name_ok("a b"));
    assert_false(handover_printer_name_ok("a/b"));
    assert_false(handover_printer_name_ok("a#b"));
    assert_false(handover_printer_name_ok("a'b"));
    assert_false(handover_printer_name_ok("a\nb"));
}

/* A stand-in lp on PATH: records each argument on its own line. */
static void fake_lp(const char *body)
{
    char path[4300];
    snprintf(path, sizeof path, "%s/lp", dir);
    ww_test_write_file(path, body);
    chmod(path, 0755);
    char newpath[8192];
    snprintf(newpath, sizeof newpath, "%s:%s", dir, getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
    setenv("PATH", newpath, 1);
}

static void test_print_argv(void **state)
{
    char script[4600], args[4300], out[256];
    snprintf(args, sizeof args, "%s/args", dir);
    snprintf(script, sizeof script,
             "#!/bin/sh\nfor a in \"$@\"; do printf '%%s\\n' \"$a\"; done > '%s'\n"
             "echo 'request id is test-1 (1 file(s))'\n",
             args);
    char *old = strdup(getenv("PATH"));
    fake_lp(script);
    const char *title = "HANDOVER Rom $(id) `id` \"q\" 'a'; rm -rf / æøå";
    assert_int_equal(handover_print("/tmp/x y.pdf", "obs3", title, out, sizeof out, err,
                                    sizeof err),
                     0);
    assert_string_equal(out, "request id is test-1 (1 file(s))");
    FILE *f = fopen(args, "r");
    assert_non_null(f);
    char got[2048] = "";
    size_t n = fread(got, 1, sizeof got - 1, f);
    got[n] = 0;
    fclose(f);
    char want[2048];
    snprintf(want, sizeof want, "-d\nobs3\n-t\n%s\n--\n/tmp/x y.pdf\n", title);
    assert_string_equal(got, want);
    /* no printer: the CUPS default */
    assert_int_equal(handover_print("/tmp/f.pdf", NULL, NULL, out, sizeof out, err, sizeof err),
                     0);
    f = fopen(args, "r");
    n = fread(got, 1, sizeof got - 1, f);
    got[n] = 0;
    fclose(f);
    assert_string_equal(got, "--\n/tmp/f.pdf\n");
    /* a printer name that would be an option is refused before lp runs */
    assert_int_equal(handover_print("/tmp/f.pdf", "-oevil", NULL, out, sizeof out, err,
                                    sizeof err),
                     -1);
    setenv("PATH", old, 1);
    free(old);
}

/* The loop-driven print: lp's answer through the callback, the loop
 * free to run meanwhile; a cancelled job kills lp and never calls back. */
struct async_result {
    int calls, rc;
    char text[1024];
    struct loop *l;
};

static void on_async(void *ctx, int rc, const char *text)
{
    struct async_result *r = ctx;
    r->calls++;
    r->rc = rc;
    snprintf(r->text, sizeof r->text, "%s", text);
    loop_stop(r->l);
}

static int ticks;
static void on_tick(struct loop *l, int id, void *ctx)
{
    ticks++;
}

static void on_give_up(struct loop *l, int id, void *ctx)
{
    loop_stop(l);
}

static void test_print_async(void **state)
{
    char *old = strdup(getenv("PATH"));
    char file[4300], pidfile[4300], script[9000];
    snprintf(file, sizeof file, "%s/h.pdf", dir);
    snprintf(pidfile, sizeof pidfile, "%s/lp.pid", dir);
    ww_test_write_file(file, "%PDF-1.4\n");
    snprintf(script, sizeof script,
             "#!/bin/sh\necho $$ > '%s'\nsleep 1\necho 'request id is async-1 (1 file(s))'\n",
             pidfile);
    fake_lp(script);
    struct loop *l = loop_new(false);
    assert_non_null(l);
    struct async_result r = {0, 0, "", l};
    ticks = 0;
    int t = loop_add_timer(l, 50, true, on_tick, NULL);
    int g = loop_add_timer(l, 10000, false, on_give_up, NULL);
    struct handover_print_job *j =
        handover_print_start(l, file, true, "obs3", "t", on_async, &r, err, sizeof err);
    assert_non_null(j);
    loop_run(l);
    assert_int_equal(r.calls, 1);
    assert_int_equal(r.rc, 0);
    assert_string_equal(r.text, "request id is async-1 (1 file(s))");
    assert_true(ticks >= 10); /* the loop ran its timers while lp slept */
    assert_int_equal(access(file, F_OK), -1); /* removed when done */
    /* lp's refusal comes back the same way */
    fake_lp("#!/bin/sh\necho 'lp: The printer or class does not exist.' >&2\nexit 1\n");
    r.calls = 0;
    j = handover_print_start(l, "/tmp/f.pdf", false, "nope", NULL, on_async, &r, err, sizeof err);
    assert_non_null(j);
    loop_run(l);
    assert_int_equal(r.calls, 1);
    assert_int_equal(r.rc, -1);
    assert_string_equal(r.text, "lp: The printer or class does not exist.");
    /* cancelled: lp killed, no call back */
    fake_lp(script);
    unlink(pidfile);
    r.calls = 0;
    j = handover_print_start(l, "/tmp/f.pdf", false, NULL, NULL, on_async, &r, err, sizeof err);
    assert_non_null(j);
    /* (the shell makes the file before it writes the pid into it) */
    struct stat pst;
    for (int i = 0; i < 250 && (stat(pidfile, &pst) < 0 || pst.st_size < 2); i++)
        usleep(20000);
    FILE *f = fopen(pidfile, "r");
    assert_non_null(f);
    int pid = 0;
    assert_int_equal(fscanf(f, "%d", &pid), 1);
    fclose(f);
    handover_print_cancel(j);
    assert_int_equal(kill(pid, 0), -1); /* gone, and reaped */
    assert_int_equal(r.calls, 0);
    /* a refused printer name never starts lp */
    assert_null(handover_print_start(l, "/tmp/f.pdf", false, "-oevil", NULL, on_async, &r, err,
                                     sizeof err));
    loop_del_timer(l, t);
    loop_del_timer(l, g);
    loop_free(l);
    setenv("PATH", old, 1);
    free(old);
}

static void test_print_failure(void **state)
{
    char *old = strdup(getenv("PATH"));
    fake_lp("#!/bin/sh\necho 'lp: The printer or class does not exist.' >&2\nexit 1\n");
    char out[256];
    assert_int_equal(handover_print("/tmp/f.pdf", "nope", "t", out, sizeof out, err, sizeof err),
                     -1);
    assert_string_equal(err, "lp: The printer or class does not exist.");
    /* silent failure */
    fake_lp("#!/bin/sh\nexit 3\n");
    assert_int_equal(handover_print("/tmp/f.pdf", "nope", "t", out, sizeof out, err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "status 3"));
    /* no lp at all */
    setenv("PATH", dir, 1);
    char lp[4300];
    snprintf(lp, sizeof lp, "%s/lp", dir);
    unlink(lp);
    assert_int_equal(handover_print("/tmp/f.pdf", "nope", "t", out, sizeof out, err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "cannot run lp"));
    setenv("PATH", old, 1);
    free(old);
}

int main(void)
{
    /* Every time in these tests is Oslo's, DST included. */
    setenv("TZ", "Europe/Oslo", 1);
    tzset();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_time),
        cmocka_unit_test_setup_teardown(test_shifts_dst, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trajectory_admission, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ack_median_is_the_one_median, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stats_round_halves_up, setup, teardown),
        cmocka_unit_test_setup_teardown(test_latched_alarm_after_return_and_discharge, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_due_sooner_says_why, setup, teardown),
        cmocka_unit_test_setup_teardown(test_overdue_agrees_with_board, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trajectory_short_and_partial_peak, setup, teardown),
        cmocka_unit_test_setup_teardown(test_text, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_pages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_ward, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pdf, setup, teardown),
        cmocka_unit_test(test_fit),
        cmocka_unit_test(test_printer_names),
        cmocka_unit_test_setup_teardown(test_print_argv, setup, teardown),
        cmocka_unit_test_setup_teardown(test_print_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_print_async, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
