/* Tests for scoring/alarm: onset and clear delays, hysteresis with noisy
 * inputs, latching and reset, acknowledgement, re-alert and escalation at
 * their boundaries, families and supersession, audio pause, restore after a
 * restart, refusals, and event completeness.
 *
 * Every event goes through on_event, which keeps a model of each slot built
 * only from the events (raised -> active, acknowledged -> acked, latched,
 * ended/reset/superseded -> gone...). After every tick and action the model
 * must equal the machine's real state: a transition without its event, or an
 * event without its transition, fails whichever test caused it. */
#include "ww_test.h"
#include "alarm.h"
#include "news2.h"
#include "util.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define MAXEV 4096
static struct {
    enum alarm_event_kind kind;
    enum alarm_condition cond;
    enum alarm_priority prio;
    int64_t t, id;
    int bed;
    char staff[32];
} evs[MAXEV];
static int nev;
static int64_t next_id = 100;

/* Slot state as the events tell it. */
static struct {
    enum alarm_state state;
    bool acked, escalated;
    int64_t id;
    enum alarm_rec_state rec; /* alarm_state_after over the events so far */
} model[AC_COUNT];
static int64_t last_event_t;

static struct alarm_bed bed;
static struct alarm_config cfg;
static struct alarm_limits lim = {8, 25, 40, 131, 2, 5};

/* Record an event, assign ids on raise, and follow it in the model. */
static void on_event(void *ctx, const struct alarm_event *ev)
{
    assert_true(nev < MAXEV);
    evs[nev].kind = ev->kind;
    evs[nev].cond = ev->cond;
    evs[nev].prio = ev->priority;
    evs[nev].t = ev->t;
    evs[nev].id = ev->id;
    evs[nev].bed = ev->bed;
    snprintf(evs[nev].staff, sizeof evs[nev].staff, "%s", ev->staff ? ev->staff : "");
    nev++;
    assert_true(ev->t >= last_event_t); /* events in time order */
    last_event_t = ev->t;
    assert_int_equal(ev->priority, alarm_priority_of(ev->cond));
    assert_ptr_equal(ev->alarm, &bed.a[ev->cond]);
    if (ev->kind != AE_RAISED)
        assert_int_equal(ev->id, model[ev->cond].id);
    /* The recorded state follows the one rule; checked against the slot. */
    model[ev->cond].rec = alarm_state_after(model[ev->cond].rec, ev->kind);
    /* Idempotent: the slot may already show the event's effect. */
    assert_int_equal(alarm_state_after(model[ev->cond].rec, ev->kind), model[ev->cond].rec);
    switch (ev->kind) {
    case AE_RAISED:
        assert_int_equal(model[ev->cond].state, AS_NONE);
        assert_int_equal(ev->id, 0);
        ev->alarm->id = next_id++;
        model[ev->cond].state = AS_ACTIVE;
        model[ev->cond].acked = model[ev->cond].escalated = false;
        model[ev->cond].id = ev->alarm->id;
        break;
    case AE_ACKNOWLEDGED:
        assert_int_not_equal(model[ev->cond].state, AS_NONE);
        assert_false(model[ev->cond].acked);
        assert_non_null(ev->staff);
        model[ev->cond].acked = true;
        break;
    case AE_REALERTED:
        assert_int_not_equal(model[ev->cond].state, AS_NONE);
        model[ev->cond].state = AS_ACTIVE;
        model[ev->cond].acked = model[ev->cond].escalated = false;
        break;
    case AE_ESCALATED:
        assert_false(model[ev->cond].escalated);
        assert_false(model[ev->cond].acked);
        model[ev->cond].escalated = true;
        break;
    case AE_LATCHED:
        assert_int_equal(model[ev->cond].state, AS_ACTIVE);
        model[ev->cond].state = AS_LATCHED;
        break;
    case AE_ENDED: /* a discharge ends a latched alarm too */
        assert_int_not_equal(model[ev->cond].state, AS_NONE);
        model[ev->cond].state = AS_NONE;
        break;
    case AE_SUPERSEDED:
        assert_int_equal(model[ev->cond].state, AS_ACTIVE);
        model[ev->cond].state = AS_NONE;
        break;
    case AE_RESET:
        assert_int_equal(model[ev->cond].state, AS_LATCHED);
        assert_non_null(ev->staff);
        model[ev->cond].state = AS_NONE;
        break;
    default:
        fail_msg("unknown event %d", ev->kind);
    }
}

/* The machine's state must be what its events said. */
static void check_model(void)
{
    for (int c = 0; c < AC_COUNT; c++) {
        const struct alarm *a = &bed.a[c];
        if (a->state != model[c].state || (a->state != AS_NONE && (a->acked != model[c].acked ||
                                                                   a->escalated != model[c].escalated ||
                                                                   a->id != model[c].id)))
            fail_msg("%s: machine %s/%d/%d, events said %d/%d/%d", alarm_condition_name(c),
                     alarm_state_name(a), a->acked, a->escalated, model[c].state,
                     model[c].acked, model[c].escalated);
        if (a->state != AS_NONE && alarm_rec_state_of(a) != model[c].rec)
            fail_msg("%s: machine %s, recorded state %s", alarm_condition_name(c),
                     alarm_state_name(a), alarm_rec_state_name(model[c].rec));
        if (a->state == AS_NONE && model[c].id && alarm_rec_state_open(model[c].rec))
            fail_msg("%s: gone from the bed, recorded state %s", alarm_condition_name(c),
                     alarm_rec_state_name(model[c].rec));
        if (a->acked)
            assert_true(a->acked_by[0] != '\0');
        if (a->state == AS_LATCHED)
            assert_true(alarm_latches(c));
    }
    /* One alarm per family whose condition is on; a latched one (its
     * condition gone, waiting for a reset) may stand beside the current
     * level's (H16-18). */
    int n2 = (bed.a[AC_NEWS2_HIGH].state == AS_ACTIVE) + (bed.a[AC_NEWS2_MEDIUM].state == AS_ACTIVE) +
             (bed.a[AC_NEWS2_LOW_MEDIUM].state == AS_ACTIVE);
    assert_true(n2 <= 1);
    assert_false(bed.a[AC_RR_LOW].state != AS_NONE && bed.a[AC_RR_HIGH].state != AS_NONE);
    assert_false(bed.a[AC_HR_LOW].state != AS_NONE && bed.a[AC_HR_HIGH].state != AS_NONE);
}

static int reset_state(void **state)
{
    alarm_bed_init(&bed);
    bed.bed = 7;
    cfg = alarm_config_default();
    /* The mechanism tests below time everything by clear_s and whole-point
     * triggers; the physiological clear delay and the score hysteresis
     * have their own tests (test_afib_*). */
    cfg.clear_physio_s = -1;
    cfg.score_hyst = 0;
    lim = cfg.limits;
    nev = 0;
    next_id = 100;
    last_event_t = 0;
    memset(model, 0, sizeof model);
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

/* One tick at t. */
static void tick(int64_t t, const struct alarm_input *in)
{
    alarm_update(&bed, in, &lim, &cfg, t, on_event, NULL);
    check_model();
}

/* Ticks of 1 s from t0 for n seconds with the same input; returns the next t. */
static int64_t run(int64_t t0, int n, const struct alarm_input *in)
{
    for (int i = 0; i < n; i++)
        tick(t0 + i * 1000LL, in);
    return t0 + n * 1000LL;
}

/* Acknowledge / reset expecting success. */
static void ack(enum alarm_condition c, const char *who, int64_t t)
{
    char err[160] = "";
    if (alarm_ack(&bed, c, who, t, on_event, NULL, err, sizeof err) < 0)
        fail_msg("ack %s: %s", alarm_condition_name(c), err);
    check_model();
}

static void reset(enum alarm_condition c, const char *who, int64_t t)
{
    char err[160] = "";
    if (alarm_reset(&bed, c, who, t, on_event, NULL, err, sizeof err) < 0)
        fail_msg("reset %s: %s", alarm_condition_name(c), err);
    check_model();
}

/* Restore and tell the model (restoring emits no event). */
static int restore(enum alarm_condition c, int64_t id, const char *st, const char *by,
                   int64_t raised, int64_t acked_at, int64_t last, bool esc, int64_t now)
{
    int rc = alarm_restore(&bed, c, id, st, by, raised, acked_at, last, esc, now);
    if (rc == 0) {
        model[c].state = bed.a[c].state;
        model[c].acked = bed.a[c].acked;
        model[c].escalated = bed.a[c].escalated;
        model[c].id = bed.a[c].id;
        model[c].rec = alarm_rec_state_of(&bed.a[c]);
    }
    check_model();
    return rc;
}

/* Count events of a kind for a condition. */
static int count(enum alarm_event_kind k, enum alarm_condition c)
{
    int n = 0;
    for (int i = 0; i < nev; i++)
        n += evs[i].kind == k && evs[i].cond == c;
    return n;
}

/* Time of the first event of a kind for a condition, -1 if none. */
static int64_t first_t(enum alarm_event_kind k, enum alarm_condition c)
{
    for (int i = 0; i < nev; i++)
        if (evs[i].kind == k && evs[i].cond == c)
            return evs[i].t;
    return -1;
}

/* Time of the last event of a kind for a condition, -1 if none. */
static int64_t last_t(enum alarm_event_kind k, enum alarm_condition c)
{
    for (int i = nev - 1; i >= 0; i--)
        if (evs[i].kind == k && evs[i].cond == c)
            return evs[i].t;
    return -1;
}

/* Deterministic noise in [-1, 1] (xorshift), so the tests can fail the same way twice. */
static double noise(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return (double)(*s % 20001) / 10000.0 - 1.0;
}

static void test_names_priorities_markers(void **state)
{
    static const struct {
        enum alarm_condition c;
        const char *name;
        enum alarm_priority p;
        bool technical, latches;
    } want[] = {
        {AC_NEWS2_HIGH, "news2-high", AP_HIGH, false, true},
        {AC_NEWS2_MEDIUM, "news2-medium", AP_MEDIUM, false, false},
        {AC_NEWS2_LOW_MEDIUM, "news2-low-medium", AP_LOW, false, false},
        {AC_RR_LOW, "rr-low", AP_MEDIUM, false, false},
        {AC_RR_HIGH, "rr-high", AP_MEDIUM, false, false},
        {AC_HR_LOW, "hr-low", AP_MEDIUM, false, false},
        {AC_HR_HIGH, "hr-high", AP_MEDIUM, false, false},
        {AC_APNOEA, "apnoea", AP_HIGH, false, true},
        {AC_DISCONNECTED, "sensor-disconnected", AP_MEDIUM, true, false},
        {AC_NO_SIGNAL, "no-signal", AP_MEDIUM, true, false},
        {AC_OUT_OF_BED, "out-of-bed", AP_LOW, true, false},
        {AC_STORE_FAILURE, "store-failure", AP_MEDIUM, true, false},
        {AC_OBS_OVERDUE, "obs-overdue", AP_LOW, true, false},
        {AC_EXPORT_FAILURE, "export-failure", AP_MEDIUM, true, false},
    };
    assert_int_equal(WW_ARRAY_LEN(want), AC_COUNT);
    for (size_t i = 0; i < WW_ARRAY_LEN(want); i++) {
        assert_string_equal(alarm_condition_name(want[i].c), want[i].name);
        assert_int_equal(alarm_condition_find(want[i].name), want[i].c);
        assert_int_equal(alarm_priority_of(want[i].c), want[i].p);
        assert_int_equal(alarm_is_technical(want[i].c), want[i].technical);
        assert_int_equal(alarm_latches(want[i].c), want[i].latches);
        assert_true(strlen(alarm_condition_text(want[i].c)) > 3);
    }
    assert_int_equal(alarm_condition_find("RR-HIGH"), -1);
    assert_int_equal(alarm_condition_find(""), -1);
    assert_int_equal(alarm_condition_find(NULL), -1);
    assert_string_equal(alarm_condition_name(AC_COUNT), "?");
    assert_int_equal(alarm_priority_of(AC_COUNT), AP_NONE);
    assert_false(alarm_latches(AC_COUNT));
    assert_string_equal(alarm_priority_name(AP_HIGH), "high");
    assert_string_equal(alarm_priority_name(AP_MEDIUM), "medium");
    assert_string_equal(alarm_priority_name(AP_LOW), "low");
    assert_string_equal(alarm_priority_marker(AP_HIGH), "***");
    assert_string_equal(alarm_priority_marker(AP_MEDIUM), "**");
    assert_string_equal(alarm_priority_marker(AP_LOW), "*");
    assert_string_equal(alarm_priority_name((enum alarm_priority)9), "?");
    static const char *evn[AE_COUNT] = {"raised", "acknowledged", "realerted", "escalated",
                                        "ended",  "latched",      "reset",     "superseded"};
    for (int k = 0; k < AE_COUNT; k++)
        assert_string_equal(alarm_event_name(k), evn[k]);
    assert_string_equal(alarm_event_name(AE_COUNT), "?");
}

static void test_config_default_and_checks(void **state)
{
    char err[160];
    struct alarm_config c = alarm_config_default();
    assert_int_equal(c.delay_high_s, 20);
    assert_int_equal(c.delay_medium_s, 20);
    assert_int_equal(c.delay_low_s, 20);
    assert_int_equal(c.delay_s[AP_HIGH], 20); /* the array view is the same storage */
    c.delay_s[AP_LOW] = 7;
    assert_int_equal(c.delay_low_s, 7);
    c = alarm_config_default();
    assert_int_equal(c.technical_delay_s, 10);
    assert_int_equal(c.clear_s, 10);
    assert_int_equal(c.realert_s, 180);
    assert_int_equal(c.escalate_s, 120);
    assert_int_equal(c.audio_pause_s, 120);
    assert_true(c.limits.rr_low == 8 && c.limits.rr_high == 25);
    assert_true(c.limits.hr_low == 40 && c.limits.hr_high == 131);
    assert_int_equal(alarm_config_check(&c, err, sizeof err), 0);

    static const struct {
        size_t off;
        int v;
        const char *field;
    } bad[] = {
        {offsetof(struct alarm_config, delay_high_s), -1, "delay_high_s"},
        {offsetof(struct alarm_config, delay_medium_s), 4000, "delay_medium_s"},
        {offsetof(struct alarm_config, delay_low_s), -5, "delay_low_s"},
        {offsetof(struct alarm_config, technical_delay_s), -1, "technical_delay_s"},
        {offsetof(struct alarm_config, clear_s), -1, "clear_s"},
        {offsetof(struct alarm_config, realert_s), 0, "realert_s"},
        {offsetof(struct alarm_config, escalate_s), 0, "escalate_s"},
        {offsetof(struct alarm_config, audio_pause_s), 0, "audio_pause_s"},
    };
    for (size_t i = 0; i < WW_ARRAY_LEN(bad); i++) {
        c = alarm_config_default();
        memcpy((char *)&c + bad[i].off, &bad[i].v, sizeof(int));
        err[0] = '\0';
        assert_int_equal(alarm_config_check(&c, err, sizeof err), -1);
        if (!strstr(err, bad[i].field))
            fail_msg("error for %s does not name it: %s", bad[i].field, err);
    }

    struct alarm_limits l = {8, 25, 40, 131, 2, 5};
    assert_int_equal(alarm_limits_check(&l, err, sizeof err), 0);
    l.rr_low = 25;
    assert_int_equal(alarm_limits_check(&l, err, sizeof err), -1);
    assert_non_null(strstr(err, "RR low limit 25 must be below the high limit 25"));
    l = (struct alarm_limits){8, 25, 140, 131, 2, 5};
    assert_int_equal(alarm_limits_check(&l, err, sizeof err), -1);
    assert_non_null(strstr(err, "HR"));
    l = (struct alarm_limits){8, 25, 40, 131, -1, 5};
    assert_int_equal(alarm_limits_check(&l, err, sizeof err), -1);
    assert_non_null(strstr(err, "negative"));
    l = (struct alarm_limits){8, 25, 40, 131, 2, NAN};
    assert_int_equal(alarm_limits_check(&l, err, sizeof err), -1);
    assert_non_null(strstr(err, "HR limits must be numbers"));
    l = (struct alarm_limits){8, 12, 40, 131, 4, 5};
    assert_int_equal(alarm_limits_check(&l, err, sizeof err), -1);
    assert_non_null(strstr(err, "RR hysteresis 4 is too large"));
    c = alarm_config_default();
    c.limits.hr_high = INFINITY;
    assert_int_equal(alarm_config_check(&c, err, sizeof err), -1);
}

static void test_onset_delay_and_artefact(void **state)
{
    struct alarm_input hi = vitals(30, 80), ok = vitals(16, 80);
    int64_t t = run(1000, 10, &hi); /* a 10 s artefact */
    t = run(t, 30, &ok);
    assert_int_equal(nev, 0);
    int64_t start = t;
    t = run(t, 20, &hi); /* 0..19 s: not yet */
    assert_int_equal(count(AE_RAISED, AC_RR_HIGH), 0);
    tick(start + 19999, &hi); /* 1 ms short */
    assert_int_equal(count(AE_RAISED, AC_RR_HIGH), 0);
    tick(start + 20000, &hi); /* exactly 20 s */
    assert_int_equal(count(AE_RAISED, AC_RR_HIGH), 1);
    assert_int_equal(first_t(AE_RAISED, AC_RR_HIGH), start + 20000);
    assert_int_equal(bed.a[AC_RR_HIGH].state, AS_ACTIVE);
    assert_int_equal(bed.a[AC_RR_HIGH].id, 100);
    assert_int_equal(evs[0].bed, 7);
}

/* One input per condition, and its onset delay under a config whose delays
 * all differ, so each condition is shown to use its own timer. */
static void test_onset_delay_every_condition(void **state)
{
    for (int c = 0; c < AC_COUNT; c++) {
        reset_state(NULL);
        cfg.delay_high_s = 7;
        cfg.delay_medium_s = 13;
        cfg.delay_low_s = 3;
        cfg.technical_delay_s = 5;
        struct alarm_input in = vitals(16, 80);
        in.news2_valid = true;
        in.news2_total = 1;
        struct alarm_input base = in;
        int delay;
        switch (c) {
        case AC_NEWS2_HIGH: in.news2_total = 9; delay = 7; break;
        case AC_NEWS2_MEDIUM: in.news2_total = 6; delay = 13; break;
        case AC_NEWS2_LOW_MEDIUM: in.news2_total = 3; in.news2_red = true; delay = 3; break;
        case AC_RR_LOW: in.rr = 8; delay = 13; break;
        case AC_RR_HIGH: in.rr = 25; delay = 13; break;
        case AC_HR_LOW: in.hr = 40; delay = 13; break;
        case AC_HR_HIGH: in.hr = 131; delay = 13; break;
        case AC_APNOEA: in.apnoea = true; delay = 0; break;
        case AC_DISCONNECTED: in.disconnected = true; delay = 5; break;
        case AC_NO_SIGNAL: in.no_signal = true; delay = 5; break;
        case AC_OUT_OF_BED: in.out_of_bed = true; delay = 5; break;
        case AC_STORE_FAILURE: in.store_failure = true; delay = 5; break;
        case AC_EXPORT_FAILURE: in.export_failure = true; delay = 5; break;
        default: in.obs_overdue = true; delay = 5; break;
        }
        int64_t t = run(0, 5, &base);
        int64_t on = t;
        if (delay > 0) {
            run(t, delay, &in); /* up to delay - 1 s */
            if (count(AE_RAISED, c) != 0)
                fail_msg("%s raised before %d s", alarm_condition_name(c), delay);
        }
        tick(on + delay * 1000LL, &in);
        if (first_t(AE_RAISED, c) != on + delay * 1000LL)
            fail_msg("%s not raised at exactly %d s", alarm_condition_name(c), delay);
        /* Only this condition (and nothing else) alarmed. */
        assert_int_equal(nev, 1);
        /* And it ends after clear_s of absence, not before. */
        int64_t off = on + delay * 1000LL + 1000;
        run(off, cfg.clear_s, &base);
        assert_int_equal(nev, 1);
        tick(off + cfg.clear_s * 1000LL, &base);
        assert_int_equal(nev, 2);
        assert_int_equal(evs[1].kind, alarm_latches(c) ? AE_LATCHED : AE_ENDED);
        assert_int_equal(evs[1].t, off + cfg.clear_s * 1000LL);
    }
}

static void test_technical_masking(void **state)
{
    /* No signal and out of bed mean nothing while the sensor is disconnected. */
    struct alarm_input in = vitals(16, 80);
    in.disconnected = in.no_signal = in.out_of_bed = true;
    run(0, 60, &in);
    assert_int_equal(count(AE_RAISED, AC_DISCONNECTED), 1);
    assert_int_equal(count(AE_RAISED, AC_NO_SIGNAL), 0);
    assert_int_equal(count(AE_RAISED, AC_OUT_OF_BED), 0);
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

static void test_hysteresis_while_clearing_and_in_onset(void **state)
{
    /* Hovering 25/24 before any alarm: 24 does not restart the onset delay. */
    int64_t t = 0;
    for (int i = 0; i < 20; i++) {
        struct alarm_input h = vitals(i % 2 ? 24 : 25, 80);
        t = run(t, 1, &h);
    }
    struct alarm_input h25 = vitals(25, 80);
    t = run(t, 1, &h25);
    assert_int_equal(count(AE_RAISED, AC_RR_HIGH), 1);
    assert_int_equal(first_t(AE_RAISED, AC_RR_HIGH), 20000);
    /* Clearing (23) then back to 24 for a moment: the clear delay restarts. */
    struct alarm_input v23 = vitals(23, 80), v24 = vitals(24, 80);
    t = run(t, 9, &v23);
    t = run(t, 1, &v24);
    t = run(t, 10, &v23);
    assert_int_equal(count(AE_ENDED, AC_RR_HIGH), 0);
    run(t, 1, &v23);
    assert_int_equal(count(AE_ENDED, AC_RR_HIGH), 1);
}

/* A ward that sets the limit hysteresis to 0 (`[alarms] rr_hysteresis = 0`,
 * which config accepts): a patient steady at the limit (RR 25, HR 40, a
 * NEWS2 3 on its own) raises the alarm after its onset delay like any
 * other. Failed before: the held condition was "past the limit by 0",
 * false at the limit itself, so it toggled every second and never raised
 * (H16-17 in doc/hazards.md). */
static void test_zero_hysteresis_at_the_limit(void **state)
{
    lim.rr_hyst = lim.hr_hyst = 0;
    struct alarm_input rr = vitals(25, 80);
    int64_t t = run(0, 60, &rr);
    assert_int_equal(count(AE_RAISED, AC_RR_HIGH), 1);
    assert_int_equal(bed.a[AC_RR_HIGH].state, AS_ACTIVE);
    reset_state(NULL);
    lim.rr_hyst = lim.hr_hyst = 0;
    struct alarm_input hr = vitals(16, 40);
    t = run(0, 60, &hr);
    assert_int_equal(count(AE_RAISED, AC_HR_LOW), 1);
    /* and with hysteresis 0 it ends as soon as the value is back inside */
    struct alarm_input ok = vitals(16, 41);
    run(t, 11, &ok);
    assert_int_equal(count(AE_ENDED, AC_HR_LOW), 1);
}

/* A new single-parameter 3 (new confusion) while an old "NEWS2 high" waits
 * latched for its reset: the latched alarm's condition has gone, so it
 * holds nothing back and the new condition alerts after its own onset
 * delay. Failed before: no alarm until someone reset the latch (H16-18). */
static void test_latched_high_does_not_hide_a_new_condition(void **state)
{
    struct alarm_input in = vitals(16, 80);
    in.news2_valid = true;
    in.news2_total = 8;
    int64_t t = run(0, 30, &in);
    assert_int_equal(bed.a[AC_NEWS2_HIGH].state, AS_ACTIVE);
    ack(AC_NEWS2_HIGH, "KN", t);
    in.news2_total = 1;
    t = run(t, 60, &in);
    assert_int_equal(bed.a[AC_NEWS2_HIGH].state, AS_LATCHED);
    /* new confusion: a 3 in one parameter */
    in.news2_total = 3;
    in.news2_red = true;
    in.news2_max_points = 3;
    t = run(t, 40, &in);
    assert_int_equal(count(AE_RAISED, AC_NEWS2_LOW_MEDIUM), 1);
    assert_int_equal(bed.a[AC_NEWS2_LOW_MEDIUM].state, AS_ACTIVE);
    assert_true(alarm_audible(&bed.a[AC_NEWS2_LOW_MEDIUM], AC_NEWS2_LOW_MEDIUM, NULL, t));
    assert_int_equal(bed.a[AC_NEWS2_HIGH].state, AS_LATCHED);
    /* the high condition back: the latched alarm re-alerts and the lower
     * member goes, as when high is raised */
    in.news2_total = 8;
    run(t, 30, &in);
    assert_int_equal(bed.a[AC_NEWS2_HIGH].state, AS_ACTIVE);
    assert_int_equal(bed.a[AC_NEWS2_LOW_MEDIUM].state, AS_NONE);
    assert_int_equal(count(AE_SUPERSEDED, AC_NEWS2_LOW_MEDIUM), 1);
}

static void test_hysteresis_each_limit(void **state)
{
    static const struct {
        enum alarm_condition c;
        double on, hold, off; /* starts at on, holds at hold, ends at off */
    } rows[] = {
        {AC_RR_LOW, 8, 9, 10},
        {AC_RR_HIGH, 25, 24, 23},
        {AC_HR_LOW, 40, 44, 45},
        {AC_HR_HIGH, 131, 127, 126},
    };
    for (size_t i = 0; i < WW_ARRAY_LEN(rows); i++) {
        reset_state(NULL);
        bool rr = rows[i].c == AC_RR_LOW || rows[i].c == AC_RR_HIGH;
        struct alarm_input on = rr ? vitals(rows[i].on, 80) : vitals(16, rows[i].on);
        struct alarm_input hold = rr ? vitals(rows[i].hold, 80) : vitals(16, rows[i].hold);
        struct alarm_input off = rr ? vitals(rows[i].off, 80) : vitals(16, rows[i].off);
        int64_t t = run(0, 21, &on);
        assert_int_equal(count(AE_RAISED, rows[i].c), 1);
        t = run(t, 120, &hold);
        if (count(AE_ENDED, rows[i].c) != 0)
            fail_msg("%s ended at %g", alarm_condition_name(rows[i].c), rows[i].hold);
        run(t, 11, &off);
        if (count(AE_ENDED, rows[i].c) != 1)
            fail_msg("%s did not end at %g", alarm_condition_name(rows[i].c), rows[i].off);
    }
}

/* #17: the alarm keeps what raised it, for the list ("HR 136 >= 131"):
 * the whole value (halves up, as the limit compares it) and the limit
 * (default limits RR 8/25, HR 40/131); NEWS2 high the total and 7. */
static void test_trigger_value_and_limit(void **state)
{
    struct alarm_input in = vitals(16, 135.6);
    run(0, 21, &in);
    const struct alarm *a = &bed.a[AC_HR_HIGH];
    assert_int_equal(a->state, AS_ACTIVE);
    assert_true(a->trig_value == 136 && a->trig_limit == 131);
    reset_state(NULL);
    in = vitals(7.4, 80);
    run(0, 21, &in);
    a = &bed.a[AC_RR_LOW];
    assert_int_equal(a->state, AS_ACTIVE);
    assert_true(a->trig_value == 7 && a->trig_limit == 8);
    reset_state(NULL);
    /* The hysteresis holds RR high at 24 (on at 25, ends at 23): what is
     * shown is the value that crossed, at its worst before the raise. */
    in = vitals(25, 80);
    int64_t t = run(0, 5, &in);
    in = vitals(27, 80);
    t = run(t, 5, &in);
    in = vitals(24, 80);
    run(t, 15, &in);
    a = &bed.a[AC_RR_HIGH];
    assert_int_equal(a->state, AS_ACTIVE);
    assert_true(a->trig_value == 27 && a->trig_limit == 25);
    reset_state(NULL);
    in = vitals(16, 80);
    in.news2_valid = true;
    in.news2_total = 8;
    run(0, 30, &in);
    a = &bed.a[AC_NEWS2_HIGH];
    assert_int_equal(a->state, AS_ACTIVE);
    assert_true(a->trig_value == 8 && a->trig_limit == 7);
}

static void test_rounding_matches_news2(void **state)
{
    /* Limits compare whole numbers, halves up, exactly like the NEWS2 chart. */
    static const struct {
        double rr;
        bool high, low;
    } rows[] = {{24.4, false, false}, {24.5, true, false}, {8.4, false, true},
                {8.5, false, false},  {25.0, true, false}, {7.9, false, true}};
    for (size_t i = 0; i < WW_ARRAY_LEN(rows); i++) {
        reset_state(NULL);
        struct alarm_input in = vitals(rows[i].rr, 80);
        run(0, 21, &in);
        assert_int_equal(count(AE_RAISED, AC_RR_HIGH), rows[i].high);
        assert_int_equal(count(AE_RAISED, AC_RR_LOW), rows[i].low);
        /* The score agrees: a limit alarm at the default limits <=> 3 points. */
        assert_int_equal(news2_points(NEWS2_RR, rows[i].rr, 1, 0) == 3,
                         rows[i].high || rows[i].low);
    }
}

static void test_noisy_inputs(void **state)
{
    uint32_t s = 12345;
    int64_t t = 0;
    /* An hour of RR 16 +- 3 with a 10 s artefact (RR 40) every 2 minutes and
     * an HR artefact (HR 150) of 8 s every 5 minutes: no alarm at all. */
    for (int i = 0; i < 3600; i++) {
        struct alarm_input in = vitals(16 + 3 * noise(&s), 75 + 5 * noise(&s));
        if (i % 120 < 10)
            in.rr = 40 + noise(&s);
        if (i % 300 >= 100 && i % 300 < 108)
            in.hr = 150;
        tick(t, &in);
        t += 1000;
    }
    assert_int_equal(nev, 0);
    /* A sustained change (RR 28 +- 1.5) alarms after the 20 s delay. */
    int64_t change = t;
    for (int i = 0; i < 60; i++) {
        struct alarm_input in = vitals(28 + 1.5 * noise(&s), 75);
        tick(t, &in);
        t += 1000;
    }
    assert_int_equal(count(AE_RAISED, AC_RR_HIGH), 1);
    assert_true(first_t(AE_RAISED, AC_RR_HIGH) - change <= 21000);
    /* Hovering at the limit (24.2-25.8) for 30 minutes: one alarm, no flapping. */
    for (int i = 0; i < 1800; i++) {
        struct alarm_input in = vitals(25 + 0.8 * noise(&s), 75);
        tick(t, &in);
        t += 1000;
    }
    assert_int_equal(count(AE_RAISED, AC_RR_HIGH), 1);
    assert_int_equal(count(AE_ENDED, AC_RR_HIGH), 0);
    /* Back to normal with noise: ends once, and stays ended. */
    for (int i = 0; i < 600; i++) {
        struct alarm_input in = vitals(16 + 2 * noise(&s), 75);
        tick(t, &in);
        t += 1000;
    }
    assert_int_equal(count(AE_ENDED, AC_RR_HIGH), 1);
    assert_int_equal(count(AE_RAISED, AC_RR_HIGH), 1);
}

static void test_missing_values_freeze(void **state)
{
    struct alarm_input hi = vitals(30, 80), none = {0};
    int64_t t = run(0, 15, &hi);
    t = run(t, 60, &none); /* sensor gap: no progress */
    assert_int_equal(count(AE_RAISED, AC_RR_HIGH), 0);
    t = run(t, 4, &hi);
    assert_int_equal(count(AE_RAISED, AC_RR_HIGH), 0); /* 15 + 4 s seen */
    t = run(t, 2, &hi);
    assert_int_equal(count(AE_RAISED, AC_RR_HIGH), 1);
    /* A gap does not end a shown alarm either, and NaN counts as missing. */
    struct alarm_input nan = vitals(NAN, 80);
    struct alarm_input ok = vitals(15, 80);
    t = run(t, 5, &ok); /* 5 s of clearing */
    t = run(t, 300, &nan);
    assert_int_equal(count(AE_ENDED, AC_RR_HIGH), 0);
    assert_int_equal(bed.a[AC_RR_HIGH].state, AS_ACTIVE);
    t = run(t, 4, &ok); /* 9 s seen */
    assert_int_equal(count(AE_ENDED, AC_RR_HIGH), 0);
    run(t, 2, &ok);
    assert_int_equal(count(AE_ENDED, AC_RR_HIGH), 1);
}

static void test_missing_value_keeps_timers(void **state)
{
    /* While the value is missing a shown alarm still escalates: a gap never
     * silences it. */
    struct alarm_input lo = vitals(16, 35), none = vitals(16, 0);
    none.hr_valid = false;
    int64_t t = run(0, 21, &lo);
    assert_int_equal(count(AE_RAISED, AC_HR_LOW), 1);
    run(t, 200, &none);
    assert_int_equal(count(AE_ESCALATED, AC_HR_LOW), 1);
    assert_int_equal(first_t(AE_ESCALATED, AC_HR_LOW), 20000 + 120000);
}

static void test_ack_realert_escalate(void **state)
{
    struct alarm_input lo = vitals(16, 35);
    int64_t t = run(0, 21, &lo);
    assert_int_equal(count(AE_RAISED, AC_HR_LOW), 1);
    int64_t raised = bed.a[AC_HR_LOW].raised_at;
    assert_int_equal(raised, 20000);
    /* Unacknowledged: escalates exactly escalate_s after raising. */
    t = run(t, (int)((raised + 120000 - t) / 1000), &lo);
    tick(raised + 119999, &lo);
    assert_int_equal(count(AE_ESCALATED, AC_HR_LOW), 0);
    tick(raised + 120000, &lo);
    assert_int_equal(first_t(AE_ESCALATED, AC_HR_LOW), raised + 120000);
    assert_true(bed.a[AC_HR_LOW].escalated);
    t = run(raised + 121000, 300, &lo);
    assert_int_equal(count(AE_ESCALATED, AC_HR_LOW), 1); /* once */
    ack(AC_HR_LOW, "KN", t);
    assert_false(alarm_audible(&bed.a[AC_HR_LOW], AC_HR_LOW, NULL, t));
    assert_string_equal(alarm_state_name(&bed.a[AC_HR_LOW]), "acknowledged");
    int64_t acked = t;
    /* Re-alert exactly realert_s after the acknowledgement. */
    run(t, 180, &lo);
    tick(acked + 179999, &lo);
    assert_int_equal(count(AE_REALERTED, AC_HR_LOW), 0);
    tick(acked + 180000, &lo);
    assert_int_equal(first_t(AE_REALERTED, AC_HR_LOW), acked + 180000);
    assert_false(bed.a[AC_HR_LOW].acked);
    assert_false(bed.a[AC_HR_LOW].escalated);
    assert_true(alarm_audible(&bed.a[AC_HR_LOW], AC_HR_LOW, NULL, acked + 180000));
    /* After a re-alert escalation runs again from the re-alert. */
    int64_t re = acked + 180000;
    tick(re + 119999, &lo);
    assert_int_equal(count(AE_ESCALATED, AC_HR_LOW), 1);
    tick(re + 120000, &lo);
    assert_int_equal(count(AE_ESCALATED, AC_HR_LOW), 2);
    /* Medium priority physiological: reset refused while present. */
    char err[160];
    assert_int_equal(alarm_reset(&bed, AC_HR_LOW, "KN", re + 120000, on_event, NULL, err,
                                 sizeof err), -1);
    assert_non_null(strstr(err, "still present"));
    /* An acknowledged alarm whose condition ends just ends. */
    ack(AC_HR_LOW, "KN", re + 121000);
    struct alarm_input ok = vitals(16, 60);
    run(re + 122000, 11, &ok);
    assert_int_equal(count(AE_ENDED, AC_HR_LOW), 1);
    assert_int_equal(bed.a[AC_HR_LOW].state, AS_NONE);
}

/* The state table, one row per transition, driven on one condition. */
enum step_kind { ST_TICKS, ST_ACK, ST_RESET, ST_RESET_REFUSED, ST_ACK_REFUSED };
struct step {
    enum step_kind kind;
    bool cond_on;
    int seconds;                    /* ST_TICKS */
    int event;                      /* expected last event, -1 none */
    const char *state;              /* expected display state after the step */
};

static void run_table(enum alarm_condition c, const struct alarm_input *on,
                      const struct alarm_input *off, const struct step *steps, size_t n)
{
    char err[160];
    int64_t t = 0;
    for (size_t i = 0; i < n; i++) {
        const struct step *s = &steps[i];
        int before = nev;
        switch (s->kind) {
        case ST_TICKS:
            t = run(t, s->seconds, s->cond_on ? on : off);
            break;
        case ST_ACK:
            ack(c, "KN", t);
            break;
        case ST_RESET:
            reset(c, "KN", t);
            break;
        case ST_RESET_REFUSED:
            assert_int_equal(alarm_reset(&bed, c, "KN", t, on_event, NULL, err, sizeof err), -1);
            break;
        case ST_ACK_REFUSED:
            assert_int_equal(alarm_ack(&bed, c, "KN", t, on_event, NULL, err, sizeof err), -1);
            break;
        }
        int got = nev > before ? (int)evs[nev - 1].kind : -1;
        if (got != s->event)
            fail_msg("%s step %zu: event %s, want %s", alarm_condition_name(c), i,
                     got < 0 ? "none" : alarm_event_name(got),
                     s->event < 0 ? "none" : alarm_event_name(s->event));
        if (nev - before > 1)
            fail_msg("%s step %zu: %d events", alarm_condition_name(c), i, nev - before);
        if (strcmp(alarm_state_name(&bed.a[c]), s->state))
            fail_msg("%s step %zu: state %s, want %s", alarm_condition_name(c), i,
                     alarm_state_name(&bed.a[c]), s->state);
    }
}

static void test_state_table_latching(void **state)
{
    /* Apnoea (high, physiological): every transition of the latching machine. */
    static const struct step steps[] = {
        {ST_TICKS, false, 30, -1, "ended"},
        {ST_ACK_REFUSED, false, 0, -1, "ended"},
        {ST_RESET_REFUSED, false, 0, -1, "ended"},
        {ST_TICKS, true, 1, AE_RAISED, "active"},             /* t = 30 s */
        {ST_RESET_REFUSED, true, 0, -1, "active"},
        {ST_TICKS, true, 119, -1, "active"},
        {ST_TICKS, true, 1, AE_ESCALATED, "active"},          /* 150 s */
        {ST_ACK, true, 0, AE_ACKNOWLEDGED, "acknowledged"},   /* 151 s */
        {ST_ACK_REFUSED, true, 0, -1, "acknowledged"},
        {ST_RESET_REFUSED, true, 0, -1, "acknowledged"},
        {ST_TICKS, true, 180, -1, "acknowledged"},
        {ST_TICKS, true, 1, AE_REALERTED, "active"},          /* 331 s */
        {ST_TICKS, false, 10, -1, "active"},                  /* clearing */
        {ST_TICKS, false, 1, AE_LATCHED, "latched"},          /* 342 s */
        {ST_TICKS, false, 108, -1, "latched"},
        {ST_TICKS, false, 1, AE_ESCALATED, "latched"},        /* 451 s: 120 s after re-alert */
        {ST_TICKS, true, 1, AE_REALERTED, "active"},          /* condition back */
        {ST_TICKS, false, 11, AE_LATCHED, "latched"},
        {ST_ACK, false, 0, AE_ACKNOWLEDGED, "latched"},
        {ST_TICKS, false, 600, -1, "latched"},                /* no re-alert, no escalation */
        {ST_RESET, false, 0, AE_RESET, "ended"},
        {ST_RESET_REFUSED, false, 0, -1, "ended"},
        {ST_TICKS, true, 1, AE_RAISED, "active"},             /* a new alarm */
    };
    struct alarm_input on = vitals(16, 70), off = vitals(16, 70);
    on.apnoea = true;
    run_table(AC_APNOEA, &on, &off, steps, WW_ARRAY_LEN(steps));
    assert_int_equal(bed.a[AC_APNOEA].id, 101); /* a new id for the new alarm */
}

static void test_state_table_technical(void **state)
{
    /* Sensor disconnected (medium, technical): never latches. */
    static const struct step steps[] = {
        {ST_TICKS, true, 10, -1, "ended"},
        {ST_TICKS, true, 1, AE_RAISED, "active"},             /* 10 s */
        {ST_TICKS, true, 119, -1, "active"},
        {ST_TICKS, true, 1, AE_ESCALATED, "active"},          /* 130 s */
        {ST_ACK, true, 0, AE_ACKNOWLEDGED, "acknowledged"},
        {ST_RESET_REFUSED, true, 0, -1, "acknowledged"},
        {ST_TICKS, true, 180, -1, "acknowledged"},
        {ST_TICKS, true, 1, AE_REALERTED, "active"},          /* 311 s */
        {ST_ACK, true, 0, AE_ACKNOWLEDGED, "acknowledged"},
        {ST_TICKS, false, 10, -1, "acknowledged"},
        {ST_TICKS, false, 1, AE_ENDED, "ended"},
        {ST_RESET_REFUSED, false, 0, -1, "ended"},
        {ST_TICKS, true, 11, AE_RAISED, "active"},
        {ST_TICKS, false, 11, AE_ENDED, "ended"},             /* unacknowledged: ends too */
    };
    struct alarm_input on = vitals(16, 70), off = vitals(16, 70);
    on.disconnected = true;
    run_table(AC_DISCONNECTED, &on, &off, steps, WW_ARRAY_LEN(steps));
}

static void test_technical_never_latch(void **state)
{
    for (int c = AC_DISCONNECTED; c <= AC_EXPORT_FAILURE; c++) {
        reset_state(NULL);
        struct alarm_input on = vitals(16, 70), off = vitals(16, 70);
        switch (c) {
        case AC_DISCONNECTED: on.disconnected = true; break;
        case AC_NO_SIGNAL: on.no_signal = true; break;
        case AC_OUT_OF_BED: on.out_of_bed = true; break;
        case AC_STORE_FAILURE: on.store_failure = true; break;
        case AC_EXPORT_FAILURE: on.export_failure = true; break;
        default: on.obs_overdue = true; break;
        }
        int64_t t = run(0, 11, &on);
        assert_int_equal(bed.a[c].state, AS_ACTIVE);
        run(t, 11, &off);
        assert_int_equal(count(AE_LATCHED, c), 0);
        assert_int_equal(count(AE_ENDED, c), 1);
        assert_int_equal(bed.a[c].state, AS_NONE);
    }
}

static void test_latching_and_reset(void **state)
{
    char err[160];
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
    reset(AC_APNOEA, "ÅSE", t);
    assert_int_equal(bed.a[AC_APNOEA].state, AS_NONE);
    assert_int_equal(count(AE_RESET, AC_APNOEA), 1);
    assert_string_equal(evs[nev - 1].staff, "ÅSE");
    assert_int_equal(alarm_reset(&bed, AC_APNOEA, "ÅSE", t, on_event, NULL, err, sizeof err), -1);
    assert_non_null(strstr(err, "no Apnoea"));

    /* NEWS2 high latches too; reset is refused while the score is still high. */
    struct alarm_input n = vitals(16, 70);
    n.news2_valid = true;
    n.news2_total = 8;
    t = run(t, 21, &n);
    assert_int_equal(bed.a[AC_NEWS2_HIGH].state, AS_ACTIVE);
    assert_int_equal(alarm_reset(&bed, AC_NEWS2_HIGH, "KN", t, on_event, NULL, err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "still present"));
    n.news2_total = 2;
    t = run(t, 11, &n);
    assert_int_equal(bed.a[AC_NEWS2_HIGH].state, AS_LATCHED);
    reset(AC_NEWS2_HIGH, "KN", t);
}

static void test_latch_with_escalation_due(void **state)
{
    /* Ticks can be far apart (a stalled loop): an unacknowledged alarm whose
     * condition ends when its escalation is already due latches and
     * escalates in that same tick, in that order. */
    cfg.clear_s = 0;
    struct alarm_input ap = vitals(16, 70), ok = vitals(16, 70);
    ap.apnoea = true;
    tick(0, &ap);
    tick(200000, &ok);
    assert_int_equal(nev, 3);
    assert_int_equal(evs[1].kind, AE_LATCHED);
    assert_int_equal(evs[2].kind, AE_ESCALATED);
    assert_int_equal(evs[2].t, 200000);
}

/* The recorded-state rule, every state by every event (alarm.h's table). */
static void test_state_after_table(void **state)
{
    enum { A = ARS_ACTIVE, K = ARS_ACKNOWLEDGED, L = ARS_LATCHED, E = ARS_ENDED, R = ARS_RESET };
    /* rows: previous state; columns: raised acknowledged realerted escalated
     * ended latched reset superseded */
    static const int want[ARS_COUNT][AE_COUNT] = {
        [A] = {A, K, A, A, E, L, R, E},
        [K] = {A, K, A, K, E, L, R, E},
        [L] = {A, L, A, L, E, L, R, E},
        [E] = {A, E, E, E, E, E, E, E},
        [R] = {A, R, R, R, R, R, R, R},
    };
    for (int s = 0; s < ARS_COUNT; s++)
        for (int e = 0; e < AE_COUNT; e++)
            if ((int)alarm_state_after((enum alarm_rec_state)s, (enum alarm_event_kind)e) !=
                want[s][e])
                fail_msg("%s after %s: %s, want %s", alarm_rec_state_name(s),
                         alarm_event_name(e),
                         alarm_rec_state_name(alarm_state_after(s, (enum alarm_event_kind)e)),
                         alarm_rec_state_name(want[s][e]));
    for (int s = 0; s < ARS_COUNT; s++)
        assert_int_equal(alarm_rec_state_find(alarm_rec_state_name(s)), s);
    assert_int_equal(alarm_rec_state_find("escalated"), -1);
    assert_int_equal(alarm_rec_state_find(NULL), -1);
    for (int e = 0; e < AE_COUNT; e++)
        assert_int_equal(alarm_event_find(alarm_event_name(e)), e);
    assert_int_equal(alarm_event_find("closed"), -1);
    assert_true(alarm_rec_state_open(ARS_LATCHED));
    assert_false(alarm_rec_state_open(ARS_ENDED));
    assert_false(alarm_rec_state_open(ARS_RESET));
}

/* H19-20: an escalated latched alarm is recorded latched, not active; a
 * latched alarm whose condition returns is active again (it sounds); a
 * discharge ends it (alarm_end_physiological). check_model compares the
 * rule with the slot after every event. */
static void test_state_after_latched_lifecycle(void **state)
{
    cfg.clear_s = 0;
    struct alarm_input ap = vitals(16, 70), ok = vitals(16, 70);
    ap.apnoea = true;
    tick(0, &ap);
    tick(1000, &ok);
    assert_int_equal(model[AC_APNOEA].rec, ARS_LATCHED);
    tick(1000 + cfg.escalate_s * 1000LL, &ok);
    assert_int_equal(count(AE_ESCALATED, AC_APNOEA), 1);
    assert_int_equal(model[AC_APNOEA].rec, ARS_LATCHED);
    assert_string_equal(alarm_state_name(&bed.a[AC_APNOEA]), "latched");
    int64_t t = 2000 + cfg.escalate_s * 1000LL;
    tick(t, &ap); /* the condition comes back before anyone reset it */
    assert_int_equal(count(AE_REALERTED, AC_APNOEA), 1);
    assert_int_equal(model[AC_APNOEA].rec, ARS_ACTIVE);
    tick(t + 1000, &ok);
    assert_int_equal(model[AC_APNOEA].rec, ARS_LATCHED);
    ack(AC_APNOEA, "KN", t + 2000);
    assert_int_equal(model[AC_APNOEA].rec, ARS_LATCHED);
    alarm_end_physiological(&bed, t + 3000, on_event, NULL);
    check_model();
    assert_int_equal(model[AC_APNOEA].rec, ARS_ENDED);
}

static void test_news2_upgrade_and_new_condition(void **state)
{
    struct alarm_input in = vitals(16, 80);
    in.news2_valid = true;
    in.news2_total = 5;
    int64_t t = run(0, 21, &in);
    assert_int_equal(count(AE_RAISED, AC_NEWS2_MEDIUM), 1);
    ack(AC_NEWS2_MEDIUM, "KN", t);
    /* Goes high: a high alarm, the medium one superseded, no double alarm. */
    in.news2_total = 8;
    int before = nev;
    t = run(t, 21, &in);
    assert_int_equal(nev - before, 2);
    assert_int_equal(evs[before].kind, AE_RAISED);
    assert_int_equal(evs[before].cond, AC_NEWS2_HIGH);
    assert_int_equal(evs[before + 1].kind, AE_SUPERSEDED);
    assert_int_equal(evs[before + 1].cond, AC_NEWS2_MEDIUM);
    assert_int_equal(evs[before + 1].t, evs[before].t);
    assert_int_equal(count(AE_ENDED, AC_NEWS2_MEDIUM), 0);
    assert_int_equal(bed.a[AC_NEWS2_MEDIUM].state, AS_NONE);
    assert_true(alarm_audible(&bed.a[AC_NEWS2_HIGH], AC_NEWS2_HIGH, NULL, t));
    t = run(t, 60, &in);
    assert_int_equal(count(AE_RAISED, AC_NEWS2_MEDIUM), 1); /* held back while high shows */
    /* A new condition alerts although another is acknowledged. */
    ack(AC_NEWS2_HIGH, "KN", t);
    struct alarm_input hr = in;
    hr.hr = 140;
    t = run(t, 21, &hr);
    assert_int_equal(count(AE_RAISED, AC_HR_HIGH), 1);
    assert_true(alarm_audible(&bed.a[AC_HR_HIGH], AC_HR_HIGH, NULL, t));
    /* Priority first: the acknowledged NEWS2 high still outranks the new medium. */
    assert_int_equal(alarm_most_urgent(&bed), AC_NEWS2_HIGH);
}

/* H16-6b: a latched NEWS2 high whose score fell to 4 is not brought back
 * as "NEWS2 high (>= 7)" by a total of 5: the score hysteresis keeps an
 * alarm whose condition is on, never a latched one. Failed before: it
 * re-alerted at 5 as a high-priority alarm. */
static void test_latched_news2_high_needs_the_full_trigger(void **state)
{
    cfg.score_hyst = alarm_config_default().score_hyst;
    assert_true(cfg.score_hyst >= 2);
    struct alarm_input in = vitals(16, 80);
    in.news2_valid = true;
    in.news2_total = 7;
    int64_t t = run(0, 30, &in);
    assert_int_equal(bed.a[AC_NEWS2_HIGH].state, AS_ACTIVE);
    in.news2_total = 4;
    t = run(t, 90, &in);
    assert_int_equal(bed.a[AC_NEWS2_HIGH].state, AS_LATCHED);
    int realerts = count(AE_REALERTED, AC_NEWS2_HIGH), raises = count(AE_RAISED, AC_NEWS2_HIGH);
    in.news2_total = 5;
    t = run(t, 120, &in);
    assert_int_equal(bed.a[AC_NEWS2_HIGH].state, AS_LATCHED);
    assert_int_equal(count(AE_REALERTED, AC_NEWS2_HIGH), realerts);
    assert_int_equal(count(AE_RAISED, AC_NEWS2_HIGH), raises);
    /* 7 again: the full trigger brings it back */
    in.news2_total = 7;
    t = run(t, 30, &in);
    assert_int_equal(bed.a[AC_NEWS2_HIGH].state, AS_ACTIVE);
}

static void test_news2_family_downgrade(void **state)
{
    struct alarm_input in = vitals(16, 80);
    in.news2_valid = true;
    in.news2_total = 3;
    in.news2_red = true;
    int64_t t = run(0, 21, &in);
    assert_int_equal(count(AE_RAISED, AC_NEWS2_LOW_MEDIUM), 1);
    /* Low-medium -> medium: superseded. */
    in.news2_total = 6;
    t = run(t, 21, &in);
    assert_int_equal(count(AE_SUPERSEDED, AC_NEWS2_LOW_MEDIUM), 1);
    assert_int_equal(bed.a[AC_NEWS2_MEDIUM].state, AS_ACTIVE);
    /* Medium -> high -> back to 6: high latches. H16-6: the lower member
     * that follows has its own onset delay, counted from the tick the high
     * condition ended (it was held back, its timer at zero, until then);
     * H16-18: it alerts beside the latched high, not only after a reset. */
    in.news2_total = 7;
    t = run(t, 21, &in);
    in.news2_total = 6;
    t = run(t, 11, &in);
    assert_int_equal(bed.a[AC_NEWS2_HIGH].state, AS_LATCHED);
    int64_t latched = bed.a[AC_NEWS2_HIGH].ended_at;
    t = run(t, 60, &in);
    assert_int_equal(count(AE_RAISED, AC_NEWS2_MEDIUM), 2); /* the current level, new alarm */
    assert_true(last_t(AE_RAISED, AC_NEWS2_MEDIUM) - latched >= cfg.delay_medium_s * 1000LL);
    reset(AC_NEWS2_HIGH, "KN", t);
    t = run(t, 30, &in);
    assert_int_equal(count(AE_RAISED, AC_NEWS2_MEDIUM), 2); /* the reset raises nothing */
    assert_int_equal(bed.a[AC_NEWS2_MEDIUM].state, AS_ACTIVE);
    /* Medium -> 4 with a red: medium ends after clear_s; low-medium is raised
     * only after its own onset delay from then, not in the same tick. */
    in.news2_total = 4;
    int before = nev;
    t = run(t, 11, &in);
    assert_int_equal(nev - before, 1);
    assert_int_equal(evs[before].kind, AE_ENDED);
    assert_int_equal(evs[before].cond, AC_NEWS2_MEDIUM);
    int64_t ended = evs[before].t;
    t = run(t, cfg.delay_low_s + 1, &in);
    assert_int_equal(nev - before, 2);
    assert_int_equal(evs[before + 1].kind, AE_RAISED);
    assert_int_equal(evs[before + 1].cond, AC_NEWS2_LOW_MEDIUM);
    assert_true(evs[before + 1].t - ended >= cfg.delay_low_s * 1000LL);
}

static void test_rr_family(void **state)
{
    /* A long clear delay would leave rr-high shown when RR drops to 6: the
     * low alarm supersedes it instead of showing both. */
    cfg.clear_s = 60;
    struct alarm_input hi = vitals(30, 80), lo = vitals(6, 80);
    int64_t t = run(0, 21, &hi);
    assert_int_equal(bed.a[AC_RR_HIGH].state, AS_ACTIVE);
    t = run(t, 21, &lo);
    assert_int_equal(bed.a[AC_RR_LOW].state, AS_ACTIVE);
    assert_int_equal(count(AE_SUPERSEDED, AC_RR_HIGH), 1);
    assert_int_equal(bed.a[AC_RR_HIGH].state, AS_NONE);
    /* The old high condition clears quietly afterwards (no alarm to end). */
    run(t, 70, &lo);
    assert_int_equal(count(AE_ENDED, AC_RR_HIGH), 0);
    assert_int_equal(count(AE_RAISED, AC_RR_HIGH), 1);
}

static void test_audio_pause(void **state)
{
    struct alarm_bed beds[2];
    struct alarm_audio au = {0};
    alarm_bed_init(&beds[0]);
    alarm_bed_init(&beds[1]);
    struct alarm_input lo = vitals(16, 35);
    for (int i = 0; i <= 20; i++)
        alarm_update(&beds[0], &lo, &lim, &cfg, i * 1000LL, NULL, NULL);
    assert_int_equal(beds[0].a[AC_HR_LOW].state, AS_ACTIVE);
    assert_false(alarm_audio_paused(&au, 21000));
    assert_int_equal(alarm_audio_remaining_ms(&au, 21000), 0);
    alarm_audio_pause(&au, beds, 2, &cfg, 21000);
    assert_true(alarm_audio_paused(&au, 21000));
    assert_int_equal(alarm_audio_remaining_ms(&au, 21000), 120000);
    assert_int_equal(alarm_audio_remaining_ms(&au, 141000 - 1), 1);
    assert_false(alarm_audible(&beds[0].a[AC_HR_LOW], AC_HR_LOW, &au, 22000));
    /* A new alarm of the same priority stays silent during the pause. */
    struct alarm_input disc = vitals(16, 70);
    disc.disconnected = true;
    for (int i = 0; i <= 10; i++)
        alarm_update(&beds[1], &disc, &lim, &cfg, 22000 + i * 1000LL, NULL, NULL);
    assert_int_equal(beds[1].a[AC_DISCONNECTED].state, AS_ACTIVE);
    assert_false(alarm_audible(&beds[1].a[AC_DISCONNECTED], AC_DISCONNECTED, &au, 33000));
    /* A new higher-priority alarm still sounds. */
    struct alarm_input ap = disc;
    ap.apnoea = true;
    alarm_update(&beds[1], &ap, &lim, &cfg, 34000, NULL, NULL);
    assert_true(alarm_audible(&beds[1].a[AC_APNOEA], AC_APNOEA, &au, 34000));
    /* The pause runs out exactly after audio_pause_s. */
    assert_true(alarm_audio_paused(&au, 141000 - 1));
    assert_false(alarm_audio_paused(&au, 141000));
    assert_true(alarm_audible(&beds[0].a[AC_HR_LOW], AC_HR_LOW, &au, 141000));
    /* Resume ends it early. */
    alarm_audio_pause(&au, beds, 2, &cfg, 150000);
    assert_false(alarm_audible(&beds[1].a[AC_APNOEA], AC_APNOEA, &au, 150000));
    alarm_audio_resume(&au);
    assert_false(alarm_audio_paused(&au, 150000));
    assert_true(alarm_audible(&beds[1].a[AC_APNOEA], AC_APNOEA, &au, 150000));
    /* Paused with nothing sounding: any new alarm is higher than nothing. */
    struct alarm_bed quiet[1];
    alarm_bed_init(&quiet[0]);
    alarm_audio_pause(&au, quiet, 1, &cfg, 160000);
    assert_int_equal(au.paused_at_priority, AP_NONE);
    assert_true(alarm_audible(&beds[0].a[AC_HR_LOW], AC_HR_LOW, &au, 161000));
    /* Acknowledged alarms never sound. */
    char err[64];
    assert_int_equal(alarm_ack(&beds[0], AC_HR_LOW, "KN", 162000, NULL, NULL, err, sizeof err),
                     0);
    assert_false(alarm_audible(&beds[0].a[AC_HR_LOW], AC_HR_LOW, NULL, 162000));
}

static void test_restore_keeps_ack(void **state)
{
    struct alarm_input lo = vitals(16, 35);
    assert_int_equal(restore(AC_HR_LOW, 42, "acknowledged", "KN", 1000, 5000, 1000, false, 60000),
                     0);
    assert_int_equal(alarm_find_id(&bed, 42), AC_HR_LOW);
    assert_int_equal(alarm_find_id(&bed, 0), -1);
    assert_int_equal(alarm_find_id(&bed, 43), -1);
    assert_string_equal(bed.a[AC_HR_LOW].acked_by, "KN");
    /* Condition still there after the restart: no new alarm, no early re-alert. */
    int64_t t = run(60000, 124, &lo); /* up to 183 s */
    tick(184999, &lo);
    assert_int_equal(count(AE_RAISED, AC_HR_LOW), 0);
    assert_int_equal(count(AE_REALERTED, AC_HR_LOW), 0);
    tick(185000, &lo); /* = ack at 5 s + realert_s */
    assert_int_equal(count(AE_REALERTED, AC_HR_LOW), 1);
    assert_int_equal(evs[nev - 1].id, 42);
    /* A restored latched alarm stays until reset. */
    assert_int_equal(restore(AC_APNOEA, 43, "latched", "", 1000, 0, 1000, true, t), 0);
    struct alarm_input ok = vitals(16, 70);
    run(t + 1000, 30, &ok);
    assert_int_equal(bed.a[AC_APNOEA].state, AS_LATCHED);
    assert_true(bed.a[AC_APNOEA].escalated);
    reset(AC_APNOEA, "KN", t + 31000);
}

static void test_restore_active_and_corrections(void **state)
{
    /* An active alarm restored escalates from its stored last alert... */
    struct alarm_input lo = vitals(16, 35);
    assert_int_equal(restore(AC_HR_LOW, 7, "active", NULL, 10000, 0, 50000, false, 100000), 0);
    run(100000, 70, &lo);
    assert_int_equal(count(AE_ESCALATED, AC_HR_LOW), 0);
    tick(170000, &lo);
    assert_int_equal(first_t(AE_ESCALATED, AC_HR_LOW), 170000);
    /* ...and ends after clear_s if the condition is gone after the restart. */
    assert_int_equal(restore(AC_NEWS2_HIGH, 8, "active", NULL, 10000, 0, 0, false, 170000), 0);
    struct alarm_input n = vitals(16, 70);
    n.news2_valid = true;
    n.news2_total = 3;
    run(170000, 11, &n);
    assert_int_equal(first_t(AE_LATCHED, AC_NEWS2_HIGH), 180000); /* high: latches */
    assert_int_equal(first_t(AE_ENDED, AC_HR_LOW), 180000);       /* HR is back to 70 */

    /* Corrections towards alerting, never dropping. */
    reset_state(NULL);
    assert_int_equal(restore(AC_RR_HIGH, 1, "acknowledged", "", 0, 5, 0, false, 1000), 0);
    assert_false(bed.a[AC_RR_HIGH].acked); /* no staff id: unacknowledged */
    assert_int_equal(restore(AC_DISCONNECTED, 2, "latched", "KN", 0, 5, 0, false, 1000), 0);
    assert_int_equal(bed.a[AC_DISCONNECTED].state, AS_ACTIVE); /* cannot latch */
    assert_true(bed.a[AC_DISCONNECTED].acked);
    assert_int_equal(restore(AC_HR_HIGH, 3, "acknowledged", "KN", 9000, 9000, 9000, false, 1000),
                     0);
    assert_true(bed.a[AC_HR_HIGH].raised_at <= 1000); /* future times become now */
    assert_true(bed.a[AC_HR_HIGH].acked_at <= 1000);
    /* Refused: unknown state or condition, nothing changed. */
    assert_int_equal(alarm_restore(&bed, AC_HR_LOW, 4, "ended", NULL, 0, 0, 0, false, 1000), -1);
    assert_int_equal(alarm_restore(&bed, AC_HR_LOW, 4, NULL, NULL, 0, 0, 0, false, 1000), -1);
    assert_int_equal(alarm_restore(&bed, AC_COUNT, 4, "active", NULL, 0, 0, 0, false, 1000), -1);
    assert_int_equal(bed.a[AC_HR_LOW].state, AS_NONE);
    check_model();
}

static void test_refusals(void **state)
{
    char err[160];
    static const char *bad_staff[] = {NULL, "", "   ", "\t", "ABCDEFGHIJKLMNOPQRSTUVWXYZ"};
    struct alarm_input lo = vitals(16, 35);
    int64_t t = run(0, 21, &lo);
    int before = nev;
    for (size_t i = 0; i < WW_ARRAY_LEN(bad_staff); i++) {
        err[0] = '\0';
        assert_int_equal(alarm_ack(&bed, AC_HR_LOW, bad_staff[i], t, on_event, NULL, err,
                                   sizeof err), -1);
        assert_true(strstr(err, "staff id") != NULL);
        assert_int_equal(alarm_check_ack(&bed, AC_HR_LOW, bad_staff[i], err, sizeof err), -1);
    }
    assert_false(bed.a[AC_HR_LOW].acked);
    assert_int_equal(nev, before);
    assert_int_equal(alarm_ack(&bed, AC_HR_HIGH, "KN", t, on_event, NULL, err, sizeof err), -1);
    assert_string_equal(err, "no HR high alarm to acknowledge");
    assert_int_equal(alarm_ack(&bed, AC_COUNT, "KN", t, on_event, NULL, err, sizeof err), -1);
    assert_non_null(strstr(err, "no such alarm condition"));
    assert_int_equal(alarm_reset(&bed, (enum alarm_condition)-1, "KN", t, on_event, NULL, err,
                                 sizeof err), -1);
    assert_int_equal(alarm_check_ack(&bed, AC_HR_LOW, "KN", err, sizeof err), 0);
    assert_int_equal(alarm_check_reset(&bed, AC_HR_LOW, "KN", err, sizeof err), -1);
    /* 23 bytes fit exactly. */
    ack(AC_HR_LOW, "ABCDEFGHIJKLMNOPQRSTUVW", t);
    assert_string_equal(bed.a[AC_HR_LOW].acked_by, "ABCDEFGHIJKLMNOPQRSTUVW");
    assert_int_equal(alarm_ack(&bed, AC_HR_LOW, "XY", t, on_event, NULL, err, sizeof err), -1);
    assert_string_equal(err, "HR low: already acknowledged by ABCDEFGHIJKLMNOPQRSTUVW");
    assert_int_equal(nev, before + 1);
}

static void test_time_never_runs_backwards(void **state)
{
    struct alarm_input hi = vitals(30, 80);
    int64_t t = run(100000, 21, &hi);
    assert_int_equal(count(AE_RAISED, AC_RR_HIGH), 1);
    /* A tick from the past changes nothing and cannot end the alarm. */
    struct alarm_input ok = vitals(15, 80);
    tick(0, &ok);
    tick(50000, &ok);
    assert_int_equal(bed.a[AC_RR_HIGH].state, AS_ACTIVE);
    /* An acknowledgement stamped in the past is taken as now. */
    ack(AC_RR_HIGH, "KN", 5000);
    assert_int_equal(bed.a[AC_RR_HIGH].acked_at, t - 1000);
    run(t, 178, &hi);
    assert_int_equal(count(AE_REALERTED, AC_RR_HIGH), 0);
    tick(t - 1000 + 180000, &hi);
    assert_int_equal(count(AE_REALERTED, AC_RR_HIGH), 1);
}

static void test_list_and_urgency(void **state)
{
    struct alarm_input in = vitals(30, 35); /* rr-high and hr-low, medium */
    in.out_of_bed = true;                   /* low */
    int64_t t = run(0, 25, &in);
    in.apnoea = true;                        /* high, newest */
    t = run(t, 1, &in);
    struct alarm_view v[AC_COUNT];
    size_t n = alarm_list(&bed, t, v, AC_COUNT);
    assert_int_equal(n, 4);
    assert_int_equal(v[0].cond, AC_APNOEA);
    assert_string_equal(v[0].marker, "***");
    assert_int_equal(v[1].cond, AC_RR_HIGH); /* medium, same age: condition order */
    assert_int_equal(v[2].cond, AC_HR_LOW);
    assert_int_equal(v[3].cond, AC_OUT_OF_BED); /* raised at 10 s, oldest, but low */
    assert_int_equal(v[3].age_ms, t - 10000);
    assert_string_equal(v[1].state, "active");
    assert_string_equal(v[1].name, "rr-high");
    assert_string_equal(v[1].text, "RR high");
    assert_string_equal(v[1].acked_by, "");
    /* Acknowledging rr-high puts hr-low first among the mediums. */
    ack(AC_RR_HIGH, "KN", t);
    n = alarm_list(&bed, t, v, AC_COUNT);
    assert_int_equal(v[1].cond, AC_HR_LOW);
    assert_int_equal(v[2].cond, AC_RR_HIGH);
    assert_true(v[2].acked);
    assert_string_equal(v[2].acked_by, "KN");
    assert_string_equal(v[2].state, "acknowledged");
    assert_int_equal(alarm_most_urgent(&bed), AC_APNOEA);
    /* A short buffer gets the most urgent ones; the count is the total. */
    assert_int_equal(alarm_list(&bed, t, v, 2), 4);
    assert_int_equal(v[0].cond, AC_APNOEA);
    assert_int_equal(v[1].cond, AC_HR_LOW);
    /* Escalated before not escalated at equal priority and acknowledgement. */
    struct alarm x = {.state = AS_ACTIVE, .raised_at = 5}, y = x;
    y.escalated = true;
    assert_true(alarm_urgency_cmp(AC_RR_HIGH, &x, AC_HR_LOW, &y) > 0);
    y.escalated = false;
    y.raised_at = 4;
    assert_true(alarm_urgency_cmp(AC_RR_HIGH, &x, AC_HR_LOW, &y) > 0);
    assert_int_equal(alarm_urgency_cmp(AC_RR_HIGH, &x, AC_RR_HIGH, &x), 0);
    alarm_bed_init(&bed);
    memset(model, 0, sizeof model);
    assert_int_equal(alarm_most_urgent(&bed), -1);
    assert_int_equal(alarm_list(&bed, t, v, AC_COUNT), 0);
}

static void test_events_once_per_transition(void **state)
{
    struct alarm_input hi = vitals(30, 80), ok = vitals(15, 80);
    int64_t t = run(0, 21, &hi);
    ack(AC_RR_HIGH, "KN", t);
    t = run(t, 5, &hi);
    t = run(t, 12, &ok);
    assert_int_equal(nev, 3);
    assert_int_equal(evs[0].kind, AE_RAISED);
    assert_int_equal(evs[0].id, 0); /* the callback assigns it */
    assert_int_equal(evs[1].kind, AE_ACKNOWLEDGED);
    assert_string_equal(evs[1].staff, "KN");
    assert_int_equal(evs[1].id, 100);
    assert_int_equal(evs[2].kind, AE_ENDED);
    assert_int_equal(evs[2].id, 100);
    for (int i = 0; i < nev; i++) {
        assert_int_equal(evs[i].bed, 7);
        assert_int_equal(evs[i].prio, AP_MEDIUM);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_names_priorities_markers, reset_state),
        cmocka_unit_test_setup(test_config_default_and_checks, reset_state),
        cmocka_unit_test_setup(test_onset_delay_and_artefact, reset_state),
        cmocka_unit_test_setup(test_onset_delay_every_condition, reset_state),
        cmocka_unit_test_setup(test_technical_masking, reset_state),
        cmocka_unit_test_setup(test_hysteresis_no_flapping, reset_state),
        cmocka_unit_test_setup(test_hysteresis_while_clearing_and_in_onset, reset_state),
        cmocka_unit_test_setup(test_hysteresis_each_limit, reset_state),
        cmocka_unit_test_setup(test_zero_hysteresis_at_the_limit, reset_state),
        cmocka_unit_test_setup(test_latched_high_does_not_hide_a_new_condition, reset_state),
        cmocka_unit_test_setup(test_trigger_value_and_limit, reset_state),
        cmocka_unit_test_setup(test_rounding_matches_news2, reset_state),
        cmocka_unit_test_setup(test_noisy_inputs, reset_state),
        cmocka_unit_test_setup(test_missing_values_freeze, reset_state),
        cmocka_unit_test_setup(test_missing_value_keeps_timers, reset_state),
        cmocka_unit_test_setup(test_ack_realert_escalate, reset_state),
        cmocka_unit_test_setup(test_state_table_latching, reset_state),
        cmocka_unit_test_setup(test_state_table_technical, reset_state),
        cmocka_unit_test_setup(test_technical_never_latch, reset_state),
        cmocka_unit_test_setup(test_latching_and_reset, reset_state),
        cmocka_unit_test_setup(test_latch_with_escalation_due, reset_state),
        cmocka_unit_test_setup(test_news2_upgrade_and_new_condition, reset_state),
        cmocka_unit_test_setup(test_latched_news2_high_needs_the_full_trigger, reset_state),
        cmocka_unit_test_setup(test_news2_family_downgrade, reset_state),
        cmocka_unit_test_setup(test_rr_family, reset_state),
        cmocka_unit_test_setup(test_audio_pause, reset_state),
        cmocka_unit_test_setup(test_restore_keeps_ack, reset_state),
        cmocka_unit_test_setup(test_restore_active_and_corrections, reset_state),
        cmocka_unit_test_setup(test_refusals, reset_state),
        cmocka_unit_test_setup(test_time_never_runs_backwards, reset_state),
        cmocka_unit_test_setup(test_list_and_urgency, reset_state),
        cmocka_unit_test_setup(test_events_once_per_transition, reset_state),
        cmocka_unit_test_setup(test_state_after_table, reset_state),
        cmocka_unit_test_setup(test_state_after_latched_lifecycle, reset_state),
    };
    return cmocka_run_group_tests_name("alarm", tests, NULL, NULL);
}
