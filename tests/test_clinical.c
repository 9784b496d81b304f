/* Clinical hazards of the ward core (doc/hazards.md, H16-*): each test
 * drives src/ward as a bed would be driven (readings once a second, ticks,
 * nurses' commands) and checks what the nurse would see and what the record
 * keeps. Expected values come from CLINICAL.md and the RCP chart, not from
 * the code under test. */
#include "ww_test.h"
#include "config.h"
#include "store.h"
#include "ward.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dir;
static char ini[4200], db[4200];
static struct ward_config cfg;

#define T0 1700000000000LL

/* Alarm transitions seen, by condition. */
static int raised[AC_COUNT], ended[AC_COUNT], nscore;
static int64_t raised_at[AC_COUNT], ended_at[AC_COUNT];
static int64_t min_physio_ms; /* shortest physiological alarm seen */

static void on_event(void *ctx, const struct ward_event *ev)
{
    if (ev->kind == WEV_SCORE)
        nscore++;
    if (ev->kind != WEV_ALARM)
        return;
    const struct alarm_event *a = ev->alarm;
    if (a->kind == AE_RAISED) {
        raised[a->cond]++;
        raised_at[a->cond] = a->t;
    } else if (a->kind == AE_ENDED || a->kind == AE_SUPERSEDED || a->kind == AE_RESET) {
        ended[a->cond]++;
        ended_at[a->cond] = a->t;
        int64_t lasted = a->t - raised_at[a->cond];
        if (!alarm_is_technical(a->cond) && (min_physio_ms < 0 || lasted < min_physio_ms))
            min_physio_ms = lasted;
    }
}

static void write_ini(const char *extra)
{
    char err[1024], text[8000];
    snprintf(text, sizeof text,
             "[ward]\nname = Test\ndatabase = ward.db\n%s\n[bed.1]\nlabel = Rom 1\nsensor = "
             "ti-vs:file:/dev/null\n[bed.2]\nlabel = Rom 2\n",
             extra ? extra : "");
    ww_test_write_file(ini, text);
    if (config_load(ini, &cfg, err, sizeof err) < 0)
        fail_msg("%s", err);
}

static int setup(void **state)
{
    dir = ww_test_tmpdir();
    snprintf(ini, sizeof ini, "%s/w.ini", dir);
    snprintf(db, sizeof db, "%s/ward.db", dir);
    write_ini(NULL);
    memset(raised, 0, sizeof raised);
    memset(ended, 0, sizeof ended);
    nscore = 0;
    min_physio_ms = -1;
    return 0;
}

static int teardown(void **state)
{
    ww_test_rmtree(dir);
    free(dir);
    return 0;
}

static struct ward *new_ward(struct store *st)
{
    char err[256];
    struct ward *w = ward_new(&cfg, st, err, sizeof err);
    if (!w)
        fail_msg("%s", err);
    ward_set_listener(w, on_event, NULL);
    return w;
}

static void admit(struct ward *w, size_t bed, int64_t t)
{
    char err[256];
    if (ward_cmd_admit(w, bed, "P-77", "", "KN", t, err, sizeof err) < 0)
        fail_msg("%s", err);
}

/* A full set of normal manual observations, one commit. */
static void enter_set(struct ward *w, size_t bed, int64_t t)
{
    char err[256];
    const char *p[] = {"spo2", "o2", "sbp", "acvpu", "temp"};
    const char *v[] = {"97", "air", "125", "A", "37.0"};
    if (ward_cmd_observations(w, bed, p, v, 5, "KN", t, err, sizeof err) < 0)
        fail_msg("%s", err);
}

/* One second of a bed's sensor: a reading (RR/HR < 0: not reported), tick. */
static int64_t second(struct ward *w, int64_t t, double rr, double hr, bool present, bool motion)
{
    struct reading r = {.have = READING_PRESENCE | READING_MOTION, .presence = present,
                        .motion = motion};
    if (rr >= 0) {
        r.have |= READING_RR;
        r.rr = (float)rr;
    }
    if (hr >= 0) {
        r.have |= READING_HR;
        r.hr = (float)hr;
    }
    ward_reading(w, 0, &r, t);
    ward_tick(w, t);
    return t + 1000;
}

/* One second of an MR60BHA2: presence, breathing and heart frames, no
 * motion flag. */
static int64_t mr60(struct ward *w, int64_t t, double rr, double hr)
{
    struct reading p = {.have = READING_PRESENCE, .presence = true};
    struct reading b = {.have = READING_RR, .rr = (float)rr};
    struct reading h = {.have = READING_HR, .hr = (float)hr};
    ward_reading(w, 0, &p, t);
    ward_reading(w, 0, &b, t);
    ward_reading(w, 0, &h, t);
    ward_tick(w, t);
    return t + 1000;
}

static int64_t seconds(struct ward *w, int64_t t, int n, double rr, double hr)
{
    for (int i = 0; i < n; i++)
        t = second(w, t, rr, hr, true, false);
    return t;
}

static int64_t ticks(struct ward *w, int64_t t, int n)
{
    for (int i = 0; i < n; i++, t += 1000)
        ward_tick(w, t);
    return t;
}

/* H16-1: stale manual observations make the set overdue, and it stays
 * overdue until a complete set is entered; the due time never moves later. */
static void test_h1_stale_set_stays_overdue(void **state)
{
    write_ini("[news2]\nmanual_max_age_h = 0.1\n"); /* 6 minutes */
    struct ward *w = new_ward(NULL);
    admit(w, 0, T0);
    int64_t t = seconds(w, T0, 5, 14, 70);
    enter_set(w, 0, t);
    t = seconds(w, t, 60, 14, 70);
    const struct ward_bed *b = ward_bed(w, 0);
    assert_false(b->obs_overdue);
    int64_t due = b->obs_due_ms;
    assert_true(due > t);
    /* The set ages past manual_max_age_h: due then, never 12 h later. */
    t = seconds(w, t, 6 * 60, 14, 70);
    assert_true(b->obs_overdue);
    assert_true(b->obs_due_ms <= due);
    assert_int_equal(b->alarms.a[AC_OBS_OVERDUE].state, AS_ACTIVE);
    /* Hours later, still overdue, the alarm still shown. */
    for (int i = 0; i < 3 * 3600; i++)
        t = second(w, t, 14, 70, true, false);
    assert_true(b->obs_overdue);
    assert_int_equal(b->alarms.a[AC_OBS_OVERDUE].state, AS_ACTIVE);
    assert_int_equal(ended[AC_OBS_OVERDUE], 0);
    /* One part entered is not a set: still overdue. */
    char err[256];
    assert_int_equal(ward_cmd_observation(w, 0, "spo2", "96", "KN", t, err, sizeof err), 0);
    t = seconds(w, t, 30, 14, 70);
    assert_true(b->obs_overdue);
    /* A complete set ends it. */
    enter_set(w, 0, t);
    t = seconds(w, t, cfg.clear_s + 2, 14, 70);
    assert_false(b->obs_overdue);
    assert_int_equal(b->alarms.a[AC_OBS_OVERDUE].state, AS_NONE);
    ward_free(w);
}

/* H16-1/H16-6: the due time moves only sooner until a new set, however the
 * score wobbles (HR crossing 130/131 changes the level). */
static void test_h6_due_time_only_sooner(void **state)
{
    struct ward *w = new_ward(NULL);
    admit(w, 0, T0);
    int64_t t = seconds(w, T0, 40, 14, 70);
    enter_set(w, 0, t);
    t = seconds(w, t, 40, 14, 70);
    const struct ward_bed *b = ward_bed(w, 0);
    int64_t due = b->obs_due_ms;
    /* NEWS2 0: 12-hourly, but the set's manual parts count for 6 h
     * (manual_max_age_h): due when they would go stale. */
    assert_true(due - t > 5 * 3600000LL && due - t <= 6 * 3600000LL);
    for (int k = 0; k < 10; k++) {
        t = seconds(w, t, 60, 14, k % 2 ? 128 : 134);
        assert_true(b->obs_due_ms <= due);
        due = b->obs_due_ms;
    }
    /* HR 134 scored 3: hourly from the set, and it stays so. */
    assert_true(due - (t - 600000) <= 3600000LL + 600000);
    ward_free(w);
}

/* H16-1c: one value re-checked after the set (a temperature, a hand count)
 * completes no new set: the due time stays, and so does the worst level
 * seen since the set. Failed before: each such entry restarted the clock
 * (a medium patient re-checked hourly was never overdue; a high one moved
 * from set + 30 min to entry + 60 min). */
static void test_h1c_one_value_does_not_postpone_the_set(void **state)
{
    char err[256];
    struct ward *w = new_ward(NULL);
    admit(w, 0, T0);
    int64_t t = seconds(w, T0, 40, 22, 70); /* RR 22: 2 points */
    const char *p[] = {"spo2", "o2", "sbp", "acvpu", "temp"};
    const char *v[] = {"94", "air", "105", "A", "37.0"}; /* 1 + 0 + 1: NEWS2 4 ... */
    assert_int_equal(ward_cmd_observations(w, 0, p, v, 5, "KN", t, err, sizeof err), 0);
    int64_t set = t;
    t = seconds(w, t, 40, 22, 95); /* ... HR 95: 5, medium: hourly */
    const struct ward_bed *b = ward_bed(w, 0);
    assert_int_equal(b->obs_due_ms, set + 3600000LL);
    /* A temperature alone 50 min after the set: due time unchanged. */
    t = seconds(w, t, 50 * 60 - 80, 22, 95);
    assert_int_equal(ward_cmd_observation(w, 0, "temp", "37.2", "KN", t, err, sizeof err), 0);
    t = seconds(w, t, 5, 22, 95);
    assert_int_equal(b->obs_due_ms, set + 3600000LL);
    /* ... so it falls due an hour after the set, and the alarm follows. */
    t = seconds(w, t, 11 * 60, 22, 95);
    assert_true(b->obs_overdue);
    /* Worst level since the set: high (SpO2 91, RR 30, HR 140: 9) makes it
     * due continuous_obs_min after the set; a value entered then keeps that. */
    const char *vh[] = {"91", "air", "125", "A", "37.0"};
    assert_int_equal(ward_cmd_observations(w, 0, p, vh, 5, "KN", t, err, sizeof err), 0);
    set = t;
    t = seconds(w, t, 60, 30, 140);
    int64_t due = b->obs_due_ms;
    assert_true(due <= set + (int64_t)cfg.continuous_obs_min * 60000);
    t = seconds(w, t, cfg.continuous_obs_min * 60 / 2, 30, 140);
    assert_int_equal(ward_cmd_observation(w, 0, "temp", "37.1", "KN", t, err, sizeof err), 0);
    t = seconds(w, t, 5, 14, 70);
    assert_true(b->obs_due_ms <= due);
    /* A whole set entered one value at a time in one visit still counts. */
    for (size_t k = 0; k < 5; k++) {
        const char *vv[] = {"97", "air", "125", "A", "37.0"};
        t = seconds(w, t, 60, 14, 70);
        assert_int_equal(ward_cmd_observation(w, 0, p[k], vv[k], "KN", t, err, sizeof err), 0);
    }
    assert_true(b->obs_due_ms > t + 3600000LL);
    ward_free(w);
}

/* H16-2: a new admission's first set is due at once (configurable). */
static void test_h2_admission_due_at_once(void **state)
{
    struct ward *w = new_ward(NULL);
    admit(w, 0, T0);
    int64_t t = seconds(w, T0, cfg.technical_delay_s + 2, 14, 70);
    const struct ward_bed *b = ward_bed(w, 0);
    assert_true(b->obs_overdue);
    assert_int_equal(b->obs_due_ms, T0);
    assert_int_equal(raised[AC_OBS_OVERDUE], 1);
    ward_free(w);

    write_ini("[news2]\nadmission_obs_due_min = 30\n");
    w = new_ward(NULL);
    admit(w, 0, T0);
    t = seconds(w, T0, 60, 14, 70);
    b = ward_bed(w, 0);
    assert_false(b->obs_overdue);
    assert_int_equal(b->obs_due_ms, T0 + 30 * 60000LL);
    (void)t;
    ward_free(w);
}

/* H16-3: motion, leaving the bed, a restart, a sensor that reports 0 for
 * both rates (the MR60BHA2 in motion) are never apnoea; true apnoea (a
 * heartbeat and no breath) still alarms within apnoea_s + 1 s. */
static void test_h3_no_false_apnoea(void **state)
{
    struct ward *w = new_ward(NULL);
    admit(w, 0, T0);
    enter_set(w, 0, T0);
    int64_t t = seconds(w, T0, 60, 18, 80);
    /* Restless: 40 s of motion (rates withheld), then still and breathing
     * again, but the first breath comes 25 s after the motion ended. */
    for (int k = 0; k < 5; k++) {
        for (int i = 0; i < 40; i++)
            t = second(w, t, -1, -1, true, true);
        for (int i = 0; i < 25; i++)
            t = second(w, t, -1, 80, true, false);
        t = seconds(w, t, 60, 18, 80);
    }
    assert_int_equal(raised[AC_APNOEA], 0);

    /* Out of bed for 5 minutes, back in, quiet for 30 s before a breath. */
    for (int i = 0; i < 300; i++)
        t = second(w, t, -1, -1, false, false);
    for (int i = 0; i < 30; i++)
        t = second(w, t, -1, 76, true, false);
    t = seconds(w, t, 30, 16, 76);
    assert_int_equal(raised[AC_APNOEA], 0);
    /* A sensor restart (recording loop, DSP restart). */
    ward_sensor_state(w, 0, WSENS_STARTING, "recording starts over", t);
    for (int i = 0; i < 40; i++)
        t = second(w, t, -1, 76, true, false);
    assert_int_equal(raised[AC_APNOEA], 0);
    t = seconds(w, t, 30, 16, 76);
    /* True apnoea: heartbeat, no breath. */
    int64_t last = t - 1000;
    for (int i = 0; i < cfg.apnoea_s + 5; i++)
        t = second(w, t, 0, 70, true, false);
    assert_int_equal(raised[AC_APNOEA], 1);
    assert_in_range((raised_at[AC_APNOEA] - last) / 1000, cfg.apnoea_s, cfg.apnoea_s + 1);
    ward_free(w);

    /* The MR60BHA2 has no motion flag: in motion it reports 0 for both
     * rates. That is a lost signal, not apnoea; a heartbeat without a
     * breath is apnoea. */
    memset(raised, 0, sizeof raised);
    w = new_ward(NULL);
    admit(w, 0, T0);
    t = T0;
    for (int k = 0; k < 3; k++) {
        for (int i = 0; i < 60; i++)
            t = mr60(w, t, 16, 75);
        for (int i = 0; i < 60; i++)
            t = mr60(w, t, 0, 0);
    }
    assert_int_equal(raised[AC_APNOEA], 0);
    t = mr60(w, t, 16, 75);
    for (int i = 0; i < 10; i++)
        t = mr60(w, t, 16, 75);
    last = t - 1000;
    for (int i = 0; i < cfg.apnoea_s + 3; i++)
        t = mr60(w, t, 0, 70);
    assert_int_equal(raised[AC_APNOEA], 1);
    assert_in_range((raised_at[AC_APNOEA] - last) / 1000, cfg.apnoea_s, cfg.apnoea_s + 1);
    ward_free(w);
}

/* H16-4: a median ending in .5 is shown, scored and judged as one number,
 * rounded by the chart's rule (halves up). */
static void test_h4_shown_is_scored(void **state)
{
    struct ward *w = new_ward(NULL);
    admit(w, 0, T0);
    enter_set(w, 0, T0);
    /* 30 readings alternating 130 and 131: the median is 130.5. */
    int64_t t = T0;
    for (int i = 0; i < 30; i++)
        t = second(w, t, i % 2 ? 20 : 21, i % 2 ? 130 : 131, true, false);
    const struct ward_bed *b = ward_bed(w, 0);
    double hr = b->param[NEWS2_HR].value, rr = b->param[NEWS2_RR].value;
    assert_true(hr == floor(hr) && rr == floor(rr)); /* one rounding, whole numbers */
    assert_true(hr == 131 && rr == 21);               /* halves up, as the chart */
    assert_int_equal(b->score.points[NEWS2_HR], 3);
    assert_int_equal(b->score.points[NEWS2_RR], 2);
    char shown[16];
    snprintf(shown, sizeof shown, "%.0f", hr); /* what the board prints */
    assert_string_equal(shown, "131");
    /* A hand-entered 20.5 is kept, shown and scored as 21. */
    char err[256];
    assert_int_equal(ward_cmd_observation(w, 0, "rr", "20.5", "KN", t, err, sizeof err), 0);
    assert_int_equal(ward_cmd_observation(w, 0, "spo2", "93.5", "KN", t, err, sizeof err), 0);
    t = second(w, t, 20, 130, true, false);
    assert_true(b->param[NEWS2_RR].value == 21 && b->param[NEWS2_SPO2].value == 94);
    snprintf(shown, sizeof shown, "%.0f", b->param[NEWS2_RR].value);
    assert_string_equal(shown, "21");
    assert_int_equal(b->score.points[NEWS2_RR], 2);
    assert_int_equal(b->score.points[NEWS2_SPO2], 1);
    ward_free(w);
}

/* H16-5: once the sensor is known to have lost the patient its values are
 * stale at once: not scored, not judged against limits. */
static void test_h5_lost_sensor_stale_at_once(void **state)
{
    struct ward *w = new_ward(NULL);
    admit(w, 0, T0);
    enter_set(w, 0, T0);
    int64_t t = seconds(w, T0, 40, 16, 70);
    const struct ward_bed *b = ward_bed(w, 0);
    assert_false(b->param[NEWS2_RR].stale);
    ward_sensor_state(w, 0, WSENS_DISCONNECTED, "unplugged", t);
    t = ticks(w, t, 1);
    assert_true(b->param[NEWS2_RR].stale && b->param[NEWS2_HR].stale);
    assert_true(b->score.stale & (1u << NEWS2_RR));
    assert_true(b->score.partial);
    ward_free(w);

    /* Out of bed (the sensor says nobody is there): stale at once too. */
    w = new_ward(NULL);
    admit(w, 0, T0);
    enter_set(w, 0, T0);
    t = seconds(w, T0, 40, 16, 70);
    b = ward_bed(w, 0);
    t = second(w, t, -1, -1, false, false);
    assert_true(b->param[NEWS2_RR].stale);
    /* Motion: stale at once. */
    t = seconds(w, t, 40, 16, 70);
    assert_false(b->param[NEWS2_RR].stale);
    t = second(w, t, -1, -1, true, true);
    assert_true(b->param[NEWS2_HR].stale);
    ward_free(w);
}

/* H16-6: a steady AF patient (HR 128-134, RR 19-22) keeps few, lasting
 * alarms; no physiological alarm lasts under 10 s. */
static void test_h6_af_patient_no_flapping(void **state)
{
    struct ward *w = new_ward(NULL);
    admit(w, 0, T0);
    enter_set(w, 0, T0);
    int64_t t = T0;
    uint64_t x = 12345;
    for (int i = 0; i < 3600; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        double hr = 128 + (double)(x >> 33) / (double)(1ULL << 31) * 6;
        double rr = 19 + (double)((x >> 13) & 0xffff) / 65536.0 * 3;
        t = second(w, t, rr, hr, true, false);
    }
    int n = 0;
    for (int c = 0; c < AC_COUNT; c++)
        if (!alarm_is_technical(c))
            n += raised[c];
    assert_in_range(n, 1, 8);
    assert_true(min_physio_ms < 0 || min_physio_ms >= 10000);
    ward_free(w);
}

/* H16-6: a full set gives one score change, not one per parameter. */
static void test_h6_one_set_one_score_change(void **state)
{
    struct ward *w = new_ward(NULL);
    admit(w, 0, T0);
    int64_t t = seconds(w, T0, 40, 16, 70);
    nscore = 0;
    char err[256];
    const char *p[] = {"spo2", "o2", "sbp", "acvpu", "temp"};
    const char *v[] = {"91", "oxygen", "95", "C", "39.2"};
    assert_int_equal(ward_cmd_observations(w, 0, p, v, 5, "KN", t, err, sizeof err), 0);
    t = seconds(w, t, 5, 16, 70);
    assert_int_equal(nscore, 1);
    assert_int_equal(ward_bed(w, 0)->score.total, 3 + 2 + 2 + 3 + 2);
    /* A bad value refuses the whole set and changes nothing. */
    const char *bad[] = {"97", "air", "125", "A", "47.0"};
    assert_int_equal(ward_cmd_observations(w, 0, p, bad, 5, "KN", t, err, sizeof err), -1);
    assert_non_null(strstr(err, "45"));
    assert_true(ward_bed(w, 0)->param[NEWS2_SPO2].value == 91);
    ward_free(w);
}

/* H16-7: a hand count outranks the radar for counted_valid_min, shown with
 * who counted it and the radar's value beside it. */
static void test_h7_counted_value_kept(void **state)
{
    struct ward *w = new_ward(NULL);
    admit(w, 0, T0);
    enter_set(w, 0, T0);
    int64_t t = seconds(w, T0, 40, 30, 70);
    char err[256];
    assert_int_equal(ward_cmd_observation(w, 0, "rr", "18", "KN", t, err, sizeof err), 0);
    t = seconds(w, t, 10 * 60, 30, 70);
    const struct ward_bed *b = ward_bed(w, 0);
    assert_false(b->param[NEWS2_RR].automatic);
    assert_true(b->param[NEWS2_RR].value == 18);
    assert_string_equal(b->param[NEWS2_RR].by, "KN");
    assert_int_equal(b->score.points[NEWS2_RR], 0);
    assert_true(b->radar_rr.have && b->radar_rr.value == 30);
    /* After counted_valid_min the radar counts again. */
    t = seconds(w, t, 6 * 60, 30, 70);
    assert_true(b->param[NEWS2_RR].automatic);
    assert_true(b->param[NEWS2_RR].value == 30);
    ward_free(w);
}

/* H16-5b: a value measured before the device lost the patient is not
 * scored when they are back, however young: after 45 s out of bed or 12 s
 * of motion, RR 30 from before must never count as current while the new
 * readings (RR 14) build their median. Failed before: RR 30 scored (3
 * points) for 4-8 s after the return, labelled fresh. */
static void test_h5b_value_from_before_the_loss_not_scored(void **state)
{
    struct ward *w = new_ward(NULL);
    admit(w, 0, T0);
    int64_t t = T0;
    enter_set(w, 0, t);
    t = seconds(w, t, 60, 30, 70);
    const struct ward_bed *b = ward_bed(w, 0);
    assert_true(b->param[NEWS2_RR].value == 30 && !b->param[NEWS2_RR].stale);
    for (int round = 0; round < 2; round++) {
        int n = round == 0 ? 45 : 12;
        for (int i = 0; i < n; i++) /* out of bed, then motion */
            t = second(w, t, round ? 30 : -1, round ? 70 : -1, round == 1, round == 1);
        for (int i = 0; i < 12; i++) {
            t = second(w, t, 14, 70, true, false);
            const struct ward_value *v = &b->param[NEWS2_RR];
            if (v->have && !v->stale && v->value != 14)
                fail_msg("round %d, %d s after: RR %g scored (t %lld, fresh after %lld, sensor %d, counted %d)",
                         round, i + 1, v->value, (long long)(t - v->t_ms), (long long)(t - b->radar_fresh_after),
                         (int)b->sensor, !v->automatic);
        }
        assert_true(b->param[NEWS2_RR].value == 14 && !b->param[NEWS2_RR].stale);
        t = seconds(w, t, 60, 30, 70); /* RR 30 again before the next loss */
    }
    ward_free(w);
}

/* H16-10: an unoccupied bed scores nothing and raises no physiological
 * alarm; a discharge ends the patient's physiological alarms. */
static void test_h10_free_bed(void **state)
{
    struct ward *w = new_ward(NULL);
    int64_t t = seconds(w, T0, 120, 30, 150);
    const struct ward_bed *b = ward_bed(w, 0);
    assert_false(b->score_valid);
    for (int c = 0; c < AC_COUNT; c++)
        if (!alarm_is_technical(c))
            assert_int_equal(raised[c], 0);
    assert_int_equal(raised[AC_OBS_OVERDUE], 0);
    /* Admitted: the same values alarm. */
    admit(w, 0, t);
    enter_set(w, 0, t);
    t = seconds(w, t, 60, 30, 150);
    assert_true(b->score_valid);
    assert_true(raised[AC_RR_HIGH] == 1 && raised[AC_HR_HIGH] == 1);
    /* Discharged: they end at once and nothing comes back. */
    char err[256];
    assert_int_equal(ward_cmd_discharge(w, 0, "KN", t, err, sizeof err), 0);
    assert_int_equal(ended[AC_RR_HIGH], 1);
    t = seconds(w, t, 120, 30, 150);
    assert_false(b->score_valid);
    assert_int_equal(alarm_most_urgent(&b->alarms), -1);
    assert_int_equal(raised[AC_RR_HIGH], 1);
    ward_free(w);
}

/* H16-10b: the technical alarms about a patient (observations overdue, out
 * of bed) end at the discharge: an acknowledgement of the last patient's
 * never silences the next one's. Failed before: they stayed active on the
 * free bed, and the next patient's overdue alarm came acknowledged by KN,
 * with the last patient's alarm id. */
static void test_h10b_patient_technical_alarms_end_at_discharge(void **state)
{
    char err[256];
    struct ward *w = new_ward(NULL);
    admit(w, 0, T0);
    int64_t t = seconds(w, T0, cfg.delay_s + 10, 14, 70); /* first set due at once */
    const struct ward_bed *b = ward_bed(w, 0);
    assert_int_equal(b->alarms.a[AC_OBS_OVERDUE].state, AS_ACTIVE);
    int64_t id = b->alarms.a[AC_OBS_OVERDUE].id;
    assert_int_equal(ward_cmd_ack(w, 0, id, "KN", t, err, sizeof err), 0);
    for (int i = 0; i < 600 && b->alarms.a[AC_OUT_OF_BED].state != AS_ACTIVE; i++) /* out of bed */
        t = second(w, t, -1, -1, false, false);
    assert_int_equal(b->alarms.a[AC_OUT_OF_BED].state, AS_ACTIVE);
    assert_int_equal(ward_cmd_discharge(w, 0, "KN", t, err, sizeof err), 0);
    assert_int_equal(b->alarms.a[AC_OBS_OVERDUE].state, AS_NONE);
    assert_int_equal(b->alarms.a[AC_OUT_OF_BED].state, AS_NONE);
    t = ticks(w, t, 3);
    admit(w, 0, t);
    t = seconds(w, t, cfg.delay_s + 10, 14, 70);
    const struct alarm *a = &b->alarms.a[AC_OBS_OVERDUE];
    assert_int_equal(a->state, AS_ACTIVE);
    assert_false(a->acked);
    assert_true(a->id != id);
    ward_free(w);
}

/* H16-19: a patient admitted to a bed whose radar never sees anyone (the
 * sensor aimed at the wall, the patient not in bed): the radar says
 * "nobody" every second, yet the bed showed "sensor: ok" and no technical
 * alarm, only RR and HR "--". It is "out of bed" once a warm-up allowance
 * and out_of_bed_s have passed without anyone seen. Failed before: no
 * out-of-bed alarm in 10 minutes. */
static void test_h19_never_seen_is_out_of_bed(void **state)
{
    struct ward *w = new_ward(NULL);
    admit(w, 0, T0);
    int64_t t = T0;
    const struct ward_bed *b = ward_bed(w, 0);
    /* the sensor's warm-up: no out of bed yet */
    for (int i = 0; i < WARD_SENSOR_WARMUP_S; i++)
        t = second(w, t, -1, -1, false, false);
    assert_int_equal(b->alarms.a[AC_OUT_OF_BED].state, AS_NONE);
    for (int i = 0; i < 600 && b->alarms.a[AC_OUT_OF_BED].state != AS_ACTIVE; i++)
        t = second(w, t, -1, -1, false, false);
    assert_int_equal(b->alarms.a[AC_OUT_OF_BED].state, AS_ACTIVE);
    assert_int_equal(b->sensor, WSENS_OUT_OF_BED);
    assert_true(t - T0 <= (int64_t)(WARD_SENSOR_WARMUP_S + cfg.out_of_bed_s + 60) * 1000);
    /* someone in bed: it ends as the ordinary one does */
    t = seconds(w, t, 30, 14, 70);
    assert_int_equal(b->sensor, WSENS_OK);
    ward_free(w);
}

/* H16-10: a physiological alarm left open on a bed without a patient (a
 * crash between a discharge and its "ended" rows) ends at the restart
 * instead of staying frozen there for the next patient. */
static void test_h10_restart_free_bed_alarm_ends(void **state)
{
    char err[512];
    struct store *st = store_open(db, NULL, err, sizeof err);
    assert_non_null(st);
    assert_int_equal(store_sync_bed(st, 1, "Rom 1", err, sizeof err), 0);
    int64_t id = 0;
    assert_int_equal(store_alarm_raise(st, 1, "hr-high", "medium", T0, &id, err, sizeof err), 0);
    store_close(st);
    st = store_open(db, NULL, err, sizeof err);
    struct ward *w = new_ward(st);
    assert_int_equal(ward_restore(w, T0 + 60000, err, sizeof err), 0);
    assert_int_equal(ward_bed(w, 0)->alarms.a[AC_HR_HIGH].state, AS_NONE);
    assert_int_equal(ended[AC_HR_HIGH], 1);
    ward_free(w);
    store_close(st);
    sqlite3 *d;
    sqlite3_open(db, &d);
    sqlite3_stmt *q;
    sqlite3_prepare_v2(d, "SELECT state FROM alarms WHERE id = ?", -1, &q, NULL);
    sqlite3_bind_int64(q, 1, id);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(q, 0), "ended");
    sqlite3_finalize(q);
    sqlite3_close(d);
}

/* H16-12: an acknowledgement of an alarm raised while the store was locked
 * is held, then written (event and audit row) when the store recovers, and
 * the alarm restores acknowledged after a restart. */
static void test_h12_ack_during_outage_reaches_the_record(void **state)
{
    char err[512];
    struct store_options o = {.busy_timeout_ms = 100};
    struct store *st = store_open_with(db, &o, err, sizeof err);
    assert_non_null(st);
    struct ward *w = new_ward(st);
    admit(w, 0, T0);
    enter_set(w, 0, T0);
    int64_t t = seconds(w, T0, 30, 16, 70);
    assert_int_equal(ward_flush(w, err, sizeof err), 0);
    sqlite3 *locker;
    sqlite3_open(db, &locker);
    assert_int_equal(sqlite3_exec(locker, "BEGIN EXCLUSIVE", NULL, NULL, NULL), SQLITE_OK);
    t = seconds(w, t, 60, 30, 70); /* RR high raised during the outage */
    const struct ward_bed *b = ward_bed(w, 0);
    int64_t id = b->alarms.a[AC_RR_HIGH].id;
    assert_true(id < 0); /* provisional */
    int rc = ward_cmd_ack(w, 0, id, "KN", t, err, sizeof err);
    assert_int_equal(rc, 1); /* done, held, and said */
    assert_non_null(strstr(err, "held"));
    assert_true(b->alarms.a[AC_RR_HIGH].acked);
    sqlite3_exec(locker, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(locker);
    t = seconds(w, t, 2, 30, 70);
    assert_int_equal(ward_flush(w, err, sizeof err), 0);
    ward_free(w);
    store_close(st);

    sqlite3 *d;
    sqlite3_open(db, &d);
    sqlite3_stmt *s;
    sqlite3_prepare_v2(d,
                       "SELECT count(*) FROM audit WHERE staff = 'KN' AND "
                       "action = 'alarm-acknowledged'",
                       -1, &s, NULL);
    sqlite3_step(s);
    assert_int_equal(sqlite3_column_int(s, 0), 1);
    sqlite3_finalize(s);
    sqlite3_close(d);

    /* Restart: the alarm comes back acknowledged by KN. */
    st = store_open(db, NULL, err, sizeof err);
    w = new_ward(st);
    assert_int_equal(ward_restore(w, t, err, sizeof err), 0);
    b = ward_bed(w, 0);
    assert_true(b->alarms.a[AC_RR_HIGH].state != AS_NONE);
    assert_true(b->alarms.a[AC_RR_HIGH].acked);
    assert_string_equal(b->alarms.a[AC_RR_HIGH].acked_by, "KN");
    ward_free(w);
    store_close(st);
}

/* #17: the bed detail's history shows values as entered: "acvpu = C",
 * "o2 = air", "temp = 37.0", never 67, 0, 37. */
static void test_history_values_as_entered(void **state)
{
    char err[512];
    struct store *st = store_open(db, NULL, err, sizeof err);
    assert_non_null(st);
    struct ward *w = new_ward(st);
    admit(w, 0, T0);
    const char *p[] = {"spo2", "o2", "sbp", "acvpu", "temp"};
    const char *v[] = {"95", "air", "118", "c", "37.0"};
    assert_int_equal(ward_cmd_observations(w, 0, p, v, 5, "KN", T0 + 1000, err, sizeof err), 0);
    struct ward_history_line lines[16];
    int n = ward_history(w, 0, T0 - 1000, T0 + 60000, lines, 16);
    assert_true(n >= 5);
    char all[4096] = "";
    for (int i = 0; i < n; i++) {
        strncat(all, lines[i].text, sizeof all - strlen(all) - 2);
        strcat(all, "\n");
    }
    assert_non_null(strstr(all, "acvpu = C (KN)"));
    assert_non_null(strstr(all, "o2 = air (KN)"));
    assert_non_null(strstr(all, "temp = 37.0 (KN)"));
    assert_non_null(strstr(all, "spo2 = 95 (KN)"));
    ward_free(w);
    store_close(st);
}

/* H16-15: a configuration that was never loaded (replay without -c) gives
 * the documented onset delays, not none. */
static void test_h15_default_delays(void **state)
{
    config_defaults(&cfg);
    struct config_bed *cb = &cfg.beds[0];
    memset(cb, 0, sizeof *cb);
    cb->number = 1;
    snprintf(cb->label, sizeof cb->label, "Rom 1");
    snprintf(cb->sensor, sizeof cb->sensor, "ti-vs:file:/dev/null");
    cfg.nbeds = 1;
    struct ward *w = new_ward(NULL);
    admit(w, 0, T0);
    enter_set(w, 0, T0);
    int64_t t = seconds(w, T0, 40, 16, 70);
    int64_t start = t;
    while (!raised[AC_HR_HIGH] && t - start < 120000)
        t = seconds(w, t, 1, 16, 150);
    assert_true(raised[AC_HR_HIGH]);
    /* smoothing (half the 30 s median window) plus the 20 s onset delay */
    assert_true(raised_at[AC_HR_HIGH] - start >= 20000);
    ward_free(w);
}

/* H16-16: "acknowledge" without naming an alarm takes the most urgent one
 * nobody has acknowledged, and "reset" the latched one, even when another
 * alarm outranks it. */
static void test_h16_ack_reset_pick_the_right_alarm(void **state)
{
    struct ward *w = new_ward(NULL);
    admit(w, 0, T0);
    enter_set(w, 0, T0);
    int64_t t = seconds(w, T0, 60, 30, 70); /* RR high (medium) */
    char err[256];
    const struct ward_bed *b = ward_bed(w, 0);
    assert_int_equal(b->alarms.a[AC_RR_HIGH].state, AS_ACTIVE);
    assert_int_equal(ward_cmd_ack(w, 0, 0, "KN", t, err, sizeof err), 0);
    assert_true(b->alarms.a[AC_RR_HIGH].acked);
    t = seconds(w, t, 60, 30, 150); /* HR high and NEWS2 medium too */
    assert_int_equal(b->alarms.a[AC_HR_HIGH].state, AS_ACTIVE);
    /* Each "acknowledge" takes one more unacknowledged alarm, never the
     * one KN already acknowledged, until none is left. */
    int n = 0;
    while (ward_cmd_ack(w, 0, 0, "AB", t, err, sizeof err) == 0)
        n++;
    assert_true(n >= 1);
    assert_non_null(strstr(err, "already acknowledged"));
    assert_string_equal(b->alarms.a[AC_RR_HIGH].acked_by, "KN");
    assert_string_equal(b->alarms.a[AC_HR_HIGH].acked_by, "AB");
    /* Apnoea latches, then HR high is still active: reset finds the latch. */
    int64_t tt = t;
    for (int i = 0; i < cfg.apnoea_s + 2; i++)
        tt = second(w, tt, 0, 150, true, false);
    tt = seconds(w, tt, cfg.physio_clear_s + 5, 16, 150);
    assert_int_equal(b->alarms.a[AC_APNOEA].state, AS_LATCHED);
    assert_int_equal(ward_cmd_reset(w, 0, 0, "KN", tt, err, sizeof err), 0);
    assert_int_equal(b->alarms.a[AC_APNOEA].state, AS_NONE);
    ward_free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_h1_stale_set_stays_overdue, setup, teardown),
        cmocka_unit_test_setup_teardown(test_h6_due_time_only_sooner, setup, teardown),
        cmocka_unit_test_setup_teardown(test_h1c_one_value_does_not_postpone_the_set, setup, teardown),
        cmocka_unit_test_setup_teardown(test_h2_admission_due_at_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_h3_no_false_apnoea, setup, teardown),
        cmocka_unit_test_setup_teardown(test_h4_shown_is_scored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_h5_lost_sensor_stale_at_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_h6_af_patient_no_flapping, setup, teardown),
        cmocka_unit_test_setup_teardown(test_h6_one_set_one_score_change, setup, teardown),
        cmocka_unit_test_setup_teardown(test_h7_counted_value_kept, setup, teardown),
        cmocka_unit_test_setup_teardown(test_h5b_value_from_before_the_loss_not_scored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_h10_free_bed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_h19_never_seen_is_out_of_bed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_h10b_patient_technical_alarms_end_at_discharge, setup, teardown),
        cmocka_unit_test_setup_teardown(test_h10_restart_free_bed_alarm_ends, setup, teardown),
        cmocka_unit_test_setup_teardown(test_h12_ack_during_outage_reaches_the_record, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_h15_default_delays, setup, teardown),
        cmocka_unit_test_setup_teardown(test_history_values_as_entered, setup, teardown),
        cmocka_unit_test_setup_teardown(test_h16_ack_reset_pick_the_right_alarm, setup,
                                        teardown),
    };
    return cmocka_run_group_tests_name("clinical", tests, NULL, NULL);
}
