/* libFuzzer harness: the alarm state machine driven by random sequences of
 * ticks (random inputs, time steps, some backwards), acknowledgements, resets,
 * restores and audio pauses under a random configuration. After every step it
 * checks the invariants the ward core relies on:
 * - every transition has exactly one event: a model built only from the
 *   events equals the machine's state;
 * - events come in time order, refused actions change nothing and emit
 *   nothing, and a refusal is predicted exactly by alarm_check_ack/reset;
 * - at most one alarm per family whose condition is on (a latched NEWS2
 *   member, its condition gone, may stand beside the current level's:
 *   H16-18); only latching conditions latch;
 *   acknowledged alarms name who; nothing acknowledged sounds;
 * - after a tick: an active alarm's condition is on, a condition that is on
 *   is shown unless an active higher NEWS2 member holds it back, and no re-alert or
 *   escalation is overdue;
 * - alarm_list is complete and sorted by urgency. */
#include "alarm.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static struct alarm_bed bed;
static struct {
    enum alarm_state state;
    bool acked, escalated;
} model[AC_COUNT];
static int64_t last_t;
static int nevents;
static int64_t next_id;

#define CHECK(x)                                                                                  \
    do {                                                                                          \
        if (!(x))                                                                                 \
            abort();                                                                              \
    } while (0)

/* Follow each event in the model and check it is a legal transition. */
static void on_event(void *ctx, const struct alarm_event *ev)
{
    (void)ctx;
    CHECK((unsigned)ev->cond < AC_COUNT && ev->alarm == &bed.a[ev->cond]);
    CHECK(ev->t >= last_t && ev->t <= bed.last_now);
    CHECK(ev->priority == alarm_priority_of(ev->cond));
    last_t = ev->t;
    nevents++;
    switch (ev->kind) {
    case AE_RAISED:
        CHECK(model[ev->cond].state == AS_NONE && ev->id == 0);
        ev->alarm->id = ++next_id;
        model[ev->cond].state = AS_ACTIVE;
        model[ev->cond].acked = model[ev->cond].escalated = false;
        break;
    case AE_ACKNOWLEDGED:
        CHECK(model[ev->cond].state != AS_NONE && !model[ev->cond].acked && ev->staff);
        model[ev->cond].acked = true;
        break;
    case AE_REALERTED:
        CHECK(model[ev->cond].state != AS_NONE);
        model[ev->cond].state = AS_ACTIVE;
        model[ev->cond].acked = model[ev->cond].escalated = false;
        break;
    case AE_ESCALATED:
        CHECK(!model[ev->cond].escalated && !model[ev->cond].acked);
        model[ev->cond].escalated = true;
        break;
    case AE_LATCHED:
        CHECK(model[ev->cond].state == AS_ACTIVE && alarm_latches(ev->cond));
        model[ev->cond].state = AS_LATCHED;
        break;
    case AE_ENDED:
    case AE_SUPERSEDED:
        CHECK(model[ev->cond].state == AS_ACTIVE);
        model[ev->cond].state = AS_NONE;
        break;
    case AE_RESET:
        CHECK(model[ev->cond].state == AS_LATCHED && ev->staff);
        model[ev->cond].state = AS_NONE;
        break;
    default:
        abort();
    }
    if (ev->kind != AE_RAISED)
        CHECK(ev->id == ev->alarm->id);
}

/* Is a higher NEWS2 member active (a latched one holds nothing back)? */
static bool held_back(int c)
{
    if (c == AC_NEWS2_LOW_MEDIUM)
        return bed.a[AC_NEWS2_HIGH].state == AS_ACTIVE || bed.a[AC_NEWS2_MEDIUM].state == AS_ACTIVE;
    if (c == AC_NEWS2_MEDIUM)
        return bed.a[AC_NEWS2_HIGH].state == AS_ACTIVE;
    return false;
}

/* Family of a condition: NEWS2, RR limits, HR limits, or itself. */
static int family(int c)
{
    if (c <= AC_NEWS2_LOW_MEDIUM)
        return 100;
    if (c == AC_RR_LOW || c == AC_RR_HIGH)
        return 101;
    if (c == AC_HR_LOW || c == AC_HR_HIGH)
        return 102;
    return c;
}

/* Does another member of c's family show an alarm? */
static bool family_busy(int c)
{
    for (int o = 0; o < AC_COUNT; o++)
        if (o != c && family(o) == family(c) && bed.a[o].state != AS_NONE)
            return true;
    return false;
}

/* Invariants that hold after any step. */
static void check_state(void)
{
    int shown = 0;
    for (int c = 0; c < AC_COUNT; c++) {
        const struct alarm *a = &bed.a[c];
        CHECK(a->state == model[c].state);
        if (a->state == AS_NONE)
            continue;
        shown++;
        CHECK(a->acked == model[c].acked && a->escalated == model[c].escalated);
        CHECK(!a->acked || a->acked_by[0]);
        CHECK(a->state != AS_LATCHED || alarm_latches(c));
        if (a->acked)
            CHECK(!alarm_audible(a, c, NULL, bed.last_now));
        else
            CHECK(alarm_audible(a, c, NULL, bed.last_now));
    }
    int n2 = (bed.a[AC_NEWS2_HIGH].state == AS_ACTIVE) + (bed.a[AC_NEWS2_MEDIUM].state == AS_ACTIVE) +
             (bed.a[AC_NEWS2_LOW_MEDIUM].state == AS_ACTIVE);
    CHECK(n2 <= 1);
    CHECK(bed.a[AC_RR_LOW].state == AS_NONE || bed.a[AC_RR_HIGH].state == AS_NONE);
    CHECK(bed.a[AC_HR_LOW].state == AS_NONE || bed.a[AC_HR_HIGH].state == AS_NONE);
    struct alarm_view v[AC_COUNT];
    CHECK(alarm_list(&bed, bed.last_now, v, AC_COUNT) == (size_t)shown);
    for (int i = 0; i + 1 < shown; i++)
        CHECK(alarm_urgency_cmp(v[i].cond, &bed.a[v[i].cond], v[i + 1].cond,
                                &bed.a[v[i + 1].cond]) < 0);
    CHECK(alarm_most_urgent(&bed) == (shown ? (int)v[0].cond : -1));
}

/* Invariants that hold right after a tick. */
static void check_after_tick(const struct alarm_config *cfg, int64_t now)
{
    for (int c = 0; c < AC_COUNT; c++) {
        const struct alarm *a = &bed.a[c];
        if (a->state == AS_ACTIVE)
            CHECK(a->cond);
        if (a->state == AS_NONE && a->cond)
            CHECK(held_back(c));
        if (a->state == AS_ACTIVE && a->acked)
            CHECK(now - a->acked_at < (int64_t)cfg->realert_s * 1000);
        if (a->state != AS_NONE && !a->acked && !a->escalated)
            CHECK(now - a->last_alert_at < (int64_t)cfg->escalate_s * 1000);
    }
}

/* Next byte, 0 when the input is used up. */
static uint8_t next(const uint8_t **p, const uint8_t *end)
{
    return *p < end ? *(*p)++ : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *p = data, *end = data + size;
    static const char *staff[] = {"KN", "", NULL, "   ", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "ÅSE"};
    static const char *states[] = {"active", "acknowledged", "latched", "ended", "bogus"};
    alarm_bed_init(&bed);
    memset(model, 0, sizeof model);
    last_t = 0;
    next_id = 0;
    struct alarm_config cfg = alarm_config_default();
    cfg.delay_high_s = next(&p, end) % 31;
    cfg.delay_medium_s = next(&p, end) % 31;
    cfg.delay_low_s = next(&p, end) % 31;
    cfg.technical_delay_s = next(&p, end) % 31;
    cfg.clear_s = next(&p, end) % 31;
    cfg.realert_s = 1 + next(&p, end) % 200;
    cfg.escalate_s = 1 + next(&p, end) % 200;
    struct alarm_limits lim = cfg.limits;
    lim.rr_hyst = next(&p, end) % 4;
    struct alarm_audio au = {0};
    int64_t now = 1000000;
    char err[160];

    while (p < end) {
        uint8_t op = next(&p, end);
        int before = nevents;
        if (op < 160) {
            /* Tick: time step (sometimes backwards), then an input. */
            int step = (int)next(&p, end) * 250;
            now += (op & 1) && step > 2000 ? -step / 8 : step;
            uint8_t f = next(&p, end), g = next(&p, end);
            uint8_t rr = next(&p, end), hr = next(&p, end), n2 = next(&p, end);
            struct alarm_input in = {0};
            in.rr_valid = f & 1;
            in.hr_valid = f & 2;
            in.rr = rr == 255 ? NAN : rr / 3.0;
            in.hr = hr == 255 ? INFINITY : 20 + hr * 0.7;
            in.news2_valid = f & 4;
            in.news2_total = n2 % 21;
            in.news2_red = (n2 & 0x80) || (f & 8);
            in.apnoea = f & 16;
            in.disconnected = f & 32;
            in.no_signal = f & 64;
            in.out_of_bed = f & 128;
            in.store_failure = g & 1;
            in.obs_overdue = g & 2;
            alarm_update(&bed, &in, &lim, &cfg, now, on_event, NULL);
            check_state();
            check_after_tick(&cfg, bed.last_now);
        } else if (op < 200) {
            /* Acknowledge or reset; a refusal changes nothing. */
            enum alarm_condition c = next(&p, end) % (AC_COUNT + 1);
            const char *who = staff[next(&p, end) % 6];
            now += next(&p, end) * 100;
            bool is_ack = op < 180;
            int predicted = is_ack ? alarm_check_ack(&bed, c, who, err, sizeof err)
                                   : alarm_check_reset(&bed, c, who, err, sizeof err);
            struct alarm_bed saved = bed;
            int rc = is_ack ? alarm_ack(&bed, c, who, now, on_event, NULL, err, sizeof err)
                            : alarm_reset(&bed, c, who, now, on_event, NULL, err, sizeof err);
            CHECK(rc == predicted);
            if (rc < 0) {
                CHECK(err[0] && nevents == before && !memcmp(&saved, &bed, sizeof bed));
            } else {
                CHECK(nevents == before + 1);
            }
            check_state();
        } else if (op < 220) {
            /* Restore (as after a restart), into a slot whose family has
             * nothing else shown (the store never holds two of a family). */
            enum alarm_condition c = next(&p, end) % (AC_COUNT + 1);
            const char *st = states[next(&p, end) % 5];
            const char *who = staff[next(&p, end) % 6];
            int64_t raised = now - next(&p, end) * 1000LL;
            int64_t acked = raised + next(&p, end) * 1000LL;
            int64_t last = next(&p, end) & 1 ? 0 : acked;
            if ((unsigned)c < AC_COUNT && family_busy(c))
                continue;
            if (alarm_restore(&bed, c, 7, st, who, raised, acked, last, op & 1, now) == 0) {
                CHECK((unsigned)c < AC_COUNT && bed.a[c].state != AS_NONE);
                model[c].state = bed.a[c].state;
                model[c].acked = bed.a[c].acked;
                model[c].escalated = bed.a[c].escalated;
            } else {
                CHECK((unsigned)c >= AC_COUNT || !strcmp(st, "ended") || !strcmp(st, "bogus"));
            }
            CHECK(nevents == before);
            check_state();
        } else {
            /* Audio pause: alarms of the pause's priority or lower are silent. */
            now += next(&p, end) * 1000;
            alarm_audio_pause(&au, &bed, 1, &cfg, now);
            for (int c = 0; c < AC_COUNT; c++)
                if (bed.a[c].state != AS_NONE && !bed.a[c].acked)
                    CHECK(!alarm_audible(&bed.a[c], c, &au, now));
            CHECK(alarm_audio_remaining_ms(&au, now) == (int64_t)cfg.audio_pause_s * 1000);
            CHECK(alarm_audio_remaining_ms(&au, now + cfg.audio_pause_s * 1000LL) == 0);
            if (op & 1)
                alarm_audio_resume(&au);
            CHECK(nevents == before);
        }
    }
    return 0;
}
