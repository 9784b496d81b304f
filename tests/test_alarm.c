/* Tests for scoring/alarm: delays, hysteresis, latching, acknowledgement,
 * re-alert, escalation, supersession, audio pause, restore, events. */
#include "ww_test.h"
#include "alarm.h"

#include <stdio.h>
#include <string.h>

#define MAXEV 256
static struct {
    enum alarm_event_kind kind;
    enum alarm_condition cond;
    int64_t t;
    char staff[24];
} evs[MAXEV];
static int nev;
static int64_t next_id = 100;

static void on_event(void *ctx, const struct alarm_event *ev)
{
    if (nev < MAXEV) {
        evs[nev].kind = ev->kind;
        evs[nev].cond = ev->cond;
        evs[nev].t = ev->t;
        snprintf(evs[nev].staff, sizeof evs[nev].staff, "%s", ev->staff ? ev->staff : "");
        nev++;
    }
    if (ev->kind == AE_RAISED)
        ev->alarm->id = next_id++;
}

static struct alarm_bed bed;
static struct alarm_config cfg;
static struct alarm_limits lim = {8, 25, 40, 131, 2, 5};

static int reset_state(void **state)
{
    alarm_bed_init(&bed);
    cfg = alarm_config_default();
    nev = 0;
    return 0;
}

/* Input with only RR/HR. */
static struct alarm_input vitals(double rr, double hr)
{
    struct alarm_input in = {0};
    in.rr_valid = in.hr_valid = true;
    in.rr = rr;
    in.hr = hr;
    return in;
}

/* Run ticks of 1 s from t0 for n seconds with the same input. */
static int64_t run(int64_t t0, int n, const struct alarm_input *in)
{
    for (int i = 0; i < n; i++)
        alarm_update(&bed, in, &lim, &cfg, t0 + i * 1000LL, on_event, NULL);
    return t0 + n * 1000LL;
}

/* Count events of a kind for a condition. */
static int count(enum alarm_event_kind k, enum alarm_condition c)
{
    int n = 0;
    for (int i = 0; i < nev; i++)
        n += evs[i].kind == k && evs[i].cond == c;
    return n;
}

static void test_onset_delay_and_artefact(void **state)
{
    struct alarm_input hi = vitals(30, 80), ok = vitals(16, 80);
    int64_t t = run(1000, 10, &hi); /* a 10 s artefact */
    t = run(t, 30, &ok);
    assert_int_equal(nev, 0);
    t = run(t, 20, &hi); /* 0..19 s: not yet */
    assert_int_equal(count(AE_RAISED, AC_RR_HIGH), 0);
    t = run(t, 1, &hi); /* 20 s */
    assert_int_equal(count(AE_RAISED, AC_RR_HIGH), 1);
    assert_int_equal(bed.a[AC_RR_HIGH].state, AS_ACTIVE);
    assert_int_equal(bed.a[AC_RR_HIGH].id, 100);
}

static void test_hysteresis_no_flapping(void **state)
{
    struct alarm_input at = vitals(25, 80);
    int64_t t = run(0, 25, &at);
    assert_int_equal(count(AE_RAISED, AC_RR_HIGH), 1);
    /* Hovering 24-25: inside the hysteresis band, never ends. */
    for (int i = 0; i < 300; i++) {
        struct alarm_input h = vitals(i % 2 ? 24 : 25, 80);
        t = run(t, 1, &h);
    }
    assert_int_equal(count(AE_ENDED, AC_RR_HIGH), 0);
    /* 23 = rr_high - hysteresis: ends after clear_s. */
    struct alarm_input low = vitals(23, 80);
    t = run(t, 10, &low);
    assert_int_equal(count(AE_ENDED, AC_RR_HIGH), 0);
    t = run(t, 1, &low);
    assert_int_equal(count(AE_ENDED, AC_RR_HIGH), 1);
    assert_int_equal(bed.a[AC_RR_HIGH].state, AS_NONE);
    /* Returning to 24 does not re-raise (onset needs >= 25). */
    struct alarm_input mid = vitals(24, 80);
    run(t, 60, &mid);
    assert_int_equal(count(AE_RAISED, AC_RR_HIGH), 1);
}

static void test_missing_values_freeze(void **state)
{
    struct alarm_input hi = vitals(30, 80), none = {0};
    int64_t t = run(0, 15, &hi);
    t = run(t, 60, &none); /* sensor gap: no progress */
    assert_int_equal(count(AE_RAISED, AC_RR_HIGH), 0);
    run(t, 6, &hi);
    assert_int_equal(count(AE_RAISED, AC_RR_HIGH), 1);
}

static void test_ack_realert_escalate(void **state)
{
    struct alarm_input lo = vitals(16, 35);
    char err[128];
    int64_t t = run(0, 21, &lo);
    assert_int_equal(count(AE_RAISED, AC_HR_LOW), 1);
    int64_t raised = bed.a[AC_HR_LOW].raised_at;
    /* Unacknowledged: escalates exactly escalate_s after raising. */
    t = run(t, (int)((raised + 120000 - t) / 1000), &lo);
    assert_int_equal(count(AE_ESCALATED, AC_HR_LOW), 0);
    t = run(t, 1, &lo);
    assert_int_equal(count(AE_ESCALATED, AC_HR_LOW), 1);
    assert_true(bed.a[AC_HR_LOW].escalated);
    assert_int_equal(alarm_ack(&bed, AC_HR_LOW, "", t, on_event, NULL, err, sizeof err), -1);
    assert_int_equal(alarm_ack(&bed, AC_HR_LOW, "KN", t, on_event, NULL, err, sizeof err), 0);
    assert_int_equal(alarm_ack(&bed, AC_HR_LOW, "KN", t, on_event, NULL, err, sizeof err), -1);
    assert_non_null(strstr(err, "already acknowledged by KN"));
    assert_false(alarm_audible(&bed.a[AC_HR_LOW], AC_HR_LOW, NULL, t));
    int64_t acked = t;
    /* Re-alert exactly realert_s after the acknowledgement. */
    t = run(t, 180, &lo);
    assert_int_equal(count(AE_REALERTED, AC_HR_LOW), 0);
    run(acked + 180000, 1, &lo);
    assert_int_equal(count(AE_REALERTED, AC_HR_LOW), 1);
    assert_false(bed.a[AC_HR_LOW].acked);
    assert_true(alarm_audible(&bed.a[AC_HR_LOW], AC_HR_LOW, NULL, t));
    /* Medium priority physiological: not latching; reset refused while present. */
    assert_int_equal(alarm_reset(&bed, AC_HR_LOW, "KN", t, on_event, NULL, err, sizeof err), -1);
    assert_non_null(strstr(err, "still present"));
}

static void test_latching_and_reset(void **state)
{
    char err[128];
    struct alarm_input ap = vitals(0, 70);
    ap.rr_valid = false;
    ap.apnoea = true;
    int64_t t = run(0, 1, &ap); /* apnoea: no extra delay */
    assert_int_equal(count(AE_RAISED, AC_APNOEA), 1);
    struct alarm_input ok = vitals(14, 70);
    t = run(t, 11, &ok);
    assert_int_equal(count(AE_LATCHED, AC_APNOEA), 1);
    assert_int_equal(bed.a[AC_APNOEA].state, AS_LATCHED);
    assert_true(alarm_audible(&bed.a[AC_APNOEA], AC_APNOEA, NULL, t)); /* nobody saw it */
    assert_int_equal(alarm_most_urgent(&bed), AC_APNOEA);
    assert_int_equal(alarm_reset(&bed, AC_APNOEA, "", t, on_event, NULL, err, sizeof err), -1);
    assert_int_equal(alarm_reset(&bed, AC_APNOEA, "ÅSE", t, on_event, NULL, err, sizeof err), 0);
    assert_int_equal(bed.a[AC_APNOEA].state, AS_NONE);
    assert_int_equal(count(AE_RESET, AC_APNOEA), 1);
    assert_int_equal(alarm_reset(&bed, AC_APNOEA, "ÅSE", t, on_event, NULL, err, sizeof err), -1);
    /* Technical alarms never latch. */
    struct alarm_input disc = {0};
    disc.disconnected = true;
    t = run(t, 11, &disc);
    assert_int_equal(count(AE_RAISED, AC_DISCONNECTED), 1);
    struct alarm_input back = vitals(14, 70);
    run(t, 11, &back);
    assert_int_equal(count(AE_ENDED, AC_DISCONNECTED), 1);
    assert_int_equal(bed.a[AC_DISCONNECTED].state, AS_NONE);
}

static void test_news2_upgrade_and_new_condition(void **state)
{
    char err[128];
    struct alarm_input in = vitals(16, 80);
    in.news2_valid = true;
    in.news2_total = 5;
    int64_t t = run(0, 21, &in);
    assert_int_equal(count(AE_RAISED, AC_NEWS2_MEDIUM), 1);
    assert_int_equal(alarm_ack(&bed, AC_NEWS2_MEDIUM, "KN", t, on_event, NULL, err, sizeof err),
                     0);
    /* Goes high: a high alarm, the medium one superseded, no double alarm. */
    in.news2_total = 8;
    t = run(t, 21, &in);
    assert_int_equal(count(AE_RAISED, AC_NEWS2_HIGH), 1);
    assert_int_equal(count(AE_SUPERSEDED, AC_NEWS2_MEDIUM), 1);
    assert_int_equal(bed.a[AC_NEWS2_MEDIUM].state, AS_NONE);
    assert_true(alarm_audible(&bed.a[AC_NEWS2_HIGH], AC_NEWS2_HIGH, NULL, t));
    t = run(t, 60, &in);
    assert_int_equal(count(AE_RAISED, AC_NEWS2_MEDIUM), 1); /* held back while high shows */
    /* A new condition alerts although another is acknowledged. */
    assert_int_equal(alarm_ack(&bed, AC_NEWS2_HIGH, "KN", t, on_event, NULL, err, sizeof err), 0);
    struct alarm_input hr = in;
    hr.hr = 140;
    run(t, 21, &hr);
    assert_int_equal(count(AE_RAISED, AC_HR_HIGH), 1);
    assert_true(alarm_audible(&bed.a[AC_HR_HIGH], AC_HR_HIGH, NULL, t));
}

static void test_audio_pause(void **state)
{
    struct alarm_bed beds[2];
    struct alarm_audio au = {0};
    alarm_bed_init(&beds[0]);
    alarm_bed_init(&beds[1]);
    struct alarm_input lo = vitals(16, 35);
    for (int i = 0; i <= 20; i++)
        alarm_update(&beds[0], &lo, &lim, &cfg, i * 1000LL, on_event, NULL);
    assert_int_equal(beds[0].a[AC_HR_LOW].state, AS_ACTIVE);
    alarm_audio_pause(&au, beds, 2, &cfg, 21000);
    assert_true(alarm_audio_paused(&au, 21000));
    assert_false(alarm_audible(&beds[0].a[AC_HR_LOW], AC_HR_LOW, &au, 22000));
    /* A new higher-priority alarm still sounds during the pause. */
    struct alarm_input ap = vitals(16, 70);
    ap.apnoea = true;
    alarm_update(&beds[1], &ap, &lim, &cfg, 30000, on_event, NULL);
    assert_true(alarm_audible(&beds[1].a[AC_APNOEA], AC_APNOEA, &au, 30000));
    /* The pause runs out. */
    assert_false(alarm_audio_paused(&au, 21000 + 120000));
    assert_true(alarm_audible(&beds[0].a[AC_HR_LOW], AC_HR_LOW, &au, 21000 + 120000));
}

static void test_restore_keeps_ack(void **state)
{
    struct alarm_input lo = vitals(16, 35);
    alarm_restore(&bed, AC_HR_LOW, 42, "acknowledged", "KN", 1000, 5000, 1000, false, 60000);
    assert_int_equal(alarm_find_id(&bed, 42), AC_HR_LOW);
    /* Condition still there after the restart: no new alarm, no early re-alert. */
    int64_t t = run(60000, 120, &lo);
    assert_int_equal(count(AE_RAISED, AC_HR_LOW), 0);
    assert_int_equal(count(AE_REALERTED, AC_HR_LOW), 0);
    t = run(t, 5, &lo); /* up to 184 s: still quiet */
    assert_int_equal(count(AE_REALERTED, AC_HR_LOW), 0);
    run(t, 1, &lo); /* 185 s = ack at 5 s + realert_s */
    assert_int_equal(count(AE_REALERTED, AC_HR_LOW), 1);
    /* A restored latched alarm stays until reset. */
    alarm_restore(&bed, AC_APNOEA, 43, "latched", "", 1000, 0, 1000, false, 60000);
    struct alarm_input ok = vitals(16, 70);
    run(t + 1000, 30, &ok);
    assert_int_equal(bed.a[AC_APNOEA].state, AS_LATCHED);
}

static void test_events_once_per_transition(void **state)
{
    char err[128];
    struct alarm_input hi = vitals(30, 80), ok = vitals(15, 80);
    int64_t t = run(0, 21, &hi);
    alarm_ack(&bed, AC_RR_HIGH, "KN", t, on_event, NULL, err, sizeof err);
    t = run(t, 5, &hi);
    t = run(t, 12, &ok);
    assert_int_equal(nev, 3);
    assert_int_equal(evs[0].kind, AE_RAISED);
    assert_int_equal(evs[1].kind, AE_ACKNOWLEDGED);
    assert_string_equal(evs[1].staff, "KN");
    assert_int_equal(evs[2].kind, AE_ENDED);
    for (int c = 0; c < AC_COUNT; c++) {
        assert_int_equal(alarm_condition_find(alarm_condition_name(c)), c);
        assert_true(alarm_priority_of(c) >= AP_LOW);
    }
    assert_string_equal(alarm_priority_marker(AP_HIGH), "***");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_onset_delay_and_artefact, reset_state),
        cmocka_unit_test_setup(test_hysteresis_no_flapping, reset_state),
        cmocka_unit_test_setup(test_missing_values_freeze, reset_state),
        cmocka_unit_test_setup(test_ack_realert_escalate, reset_state),
        cmocka_unit_test_setup(test_latching_and_reset, reset_state),
        cmocka_unit_test_setup(test_news2_upgrade_and_new_condition, reset_state),
        cmocka_unit_test_setup(test_audio_pause, reset_state),
        cmocka_unit_test_setup(test_restore_keeps_ack, reset_state),
        cmocka_unit_test_setup(test_events_once_per_transition, reset_state),
    };
    return cmocka_run_group_tests_name("alarm", tests, NULL, NULL);
}
