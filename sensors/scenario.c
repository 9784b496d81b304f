/*
 * scenario — deterministic patient stories for the simulator and demo ward.
 * Each story is a baseline trajectory plus slow Ornstein-Uhlenbeck wander and
 * timed episodes (motion, apnoea, absence, disconnection) drawn from the
 * scenario's own PRNG, so the same seed always gives the same night.
 */
#include "scenario.h"

#include <math.h>
#include <string.h>

static const struct {
    const char *name;
    const char *text;
} scen_names[SCEN_COUNT] = {
    [SCEN_STABLE] = {"stable", "stable patient, RR ~14, HR ~72"},
    [SCEN_SEPSIS] = {"sepsis", "sepsis deterioration, RR 16->30 and HR 80->130"},
    [SCEN_OPIOID] = {"opioid", "opioid respiratory depression, RR 14->7 with apnoea pauses"},
    [SCEN_AFIB] = {"afib", "atrial fibrillation, fast irregular HR ~130"},
    [SCEN_COPD] = {"copd", "COPD patient on Scale 2, RR ~23, HR ~96"},
    [SCEN_OUT_OF_BED] = {"out-of-bed", "patient getting out of bed and back"},
    [SCEN_UNPLUG] = {"unplug", "sensor unplugged and replugged"},
    [SCEN_RESTLESS] = {"restless", "restless patient with motion artefacts"},
    [SCEN_BRADYCARDIA] = {"bradycardia", "HR drifting 58->38"},
    [SCEN_EMPTY] = {"empty", "empty bed"},
};

/* Scenario index by name. */
int scenario_find(const char *name)
{
    for (int i = 0; i < SCEN_COUNT; i++)
        if (strcmp(name, scen_names[i].name) == 0)
            return i;
    return -1;
}

/* Name. */
const char *scenario_name(enum scenario_kind k)
{
    return (unsigned)k < SCEN_COUNT ? scen_names[k].name : "?";
}

/* Description. */
const char *scenario_describe(enum scenario_kind k)
{
    return (unsigned)k < SCEN_COUNT ? scen_names[k].text : "?";
}

/* splitmix64: small, fast, good enough for simulation noise. */
static uint64_t next_u64(struct scenario *s)
{
    uint64_t z = (s->rng += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Uniform in [0,1). */
double scenario_uniform(struct scenario *s)
{
    return (double)(next_u64(s) >> 11) * (1.0 / 9007199254740992.0);
}

/* Box-Muller normal. */
double scenario_gauss(struct scenario *s)
{
    double u1 = scenario_uniform(s), u2 = scenario_uniform(s);
    if (u1 < 1e-300)
        u1 = 1e-300;
    return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

/* Initialise a story. */
void scenario_init(struct scenario *s, enum scenario_kind k, uint64_t seed, double ramp_s,
                   double offset_s)
{
    memset(s, 0, sizeof *s);
    s->kind = k;
    s->rng = seed * 0x2545F4914F6CDD1DULL + (uint64_t)k + 1;
    s->ramp_s = ramp_s > 0 ? ramp_s : 5400.0;
    s->offset_s = offset_s;
    s->last_t = offset_s;
    s->next_event_s = offset_s + 60 + 120 * scenario_uniform(s);
    s->event_end_s = -1;
}

/* Smooth 0..1 progress along the ramp. */
static double ramp(const struct scenario *s, double t)
{
    double x = t / s->ramp_s;
    if (x <= 0)
        return 0;
    if (x >= 1)
        return 1;
    return x * x * (3 - 2 * x);
}

/* Schedule episodes: an episode lasts [next_event, event_end). */
static bool episode(struct scenario *s, double t, double min_gap, double max_gap, double min_len,
                    double max_len)
{
    while (t >= s->next_event_s && s->event_end_s < s->next_event_s) {
        s->event_end_s = s->next_event_s + min_len + (max_len - min_len) * scenario_uniform(s);
    }
    if (s->event_end_s >= s->next_event_s && t >= s->event_end_s) {
        s->next_event_s = s->event_end_s + min_gap + (max_gap - min_gap) * scenario_uniform(s);
        s->event_end_s = -1;
        return episode(s, t, min_gap, max_gap, min_len, max_len);
    }
    return t >= s->next_event_s && t < s->event_end_s;
}

/* Advance the story and report the truth at t. */
void scenario_step(struct scenario *s, double t, struct scenario_truth *o)
{
    double st = t + s->offset_s;
    double dt = st - s->last_t;
    if (dt < 0)
        dt = 0;
    s->last_t = st;
    /* Ornstein-Uhlenbeck wander, time constant ~5 min. */
    double a = dt > 0 ? exp(-dt / 300.0) : 1.0;
    double b = sqrt(1 - a * a);
    s->rr_dev = a * s->rr_dev + b * scenario_gauss(s);
    s->hr_dev = a * s->hr_dev + b * scenario_gauss(s);
    double p = ramp(s, st);
    o->present = true;
    o->motion = false;
    o->apnoea = false;
    o->connected = true;
    switch (s->kind) {
    case SCEN_STABLE:
    default:
        o->rr = 14 + 0.8 * s->rr_dev;
        o->hr = 72 + 4 * s->hr_dev;
        break;
    case SCEN_SEPSIS:
        o->rr = 16 + 14 * p + 1.0 * s->rr_dev;
        o->hr = 80 + 50 * p + 3 * s->hr_dev;
        break;
    case SCEN_OPIOID:
        o->rr = 14 - 7 * p + 0.6 * s->rr_dev;
        o->hr = 72 - 14 * p + 3 * s->hr_dev;
        if (o->rr < 10 && episode(s, st, 90, 240, 15, 35)) {
            o->apnoea = true;
            o->rr = 0;
        }
        break;
    case SCEN_AFIB:
        o->rr = 20 + 1.5 * s->rr_dev;
        /* Irregularly irregular: beat-to-beat jumps on top of the wander. */
        o->hr = 132 + 6 * s->hr_dev + 12 * scenario_gauss(s);
        break;
    case SCEN_COPD:
        o->rr = 23 + 1.0 * s->rr_dev;
        o->hr = 96 + 4 * s->hr_dev;
        break;
    case SCEN_OUT_OF_BED:
        o->rr = 15 + 1.2 * s->rr_dev;
        o->hr = 76 + 4 * s->hr_dev;
        if (episode(s, st, 1800, 2400, 360, 600))
            o->present = false;
        break;
    case SCEN_UNPLUG:
        o->rr = 13 + 1.2 * s->rr_dev;
        o->hr = 68 + 4 * s->hr_dev;
        if (episode(s, st, 1500, 2100, 90, 150))
            o->connected = false;
        break;
    case SCEN_RESTLESS:
        o->rr = 18 + 1.5 * s->rr_dev;
        o->hr = 88 + 5 * s->hr_dev;
        if (episode(s, st, 180, 300, 20, 60))
            o->motion = true;
        break;
    case SCEN_BRADYCARDIA:
        o->rr = 13 + 1.0 * s->rr_dev;
        o->hr = 58 - 20 * p + 2 * s->hr_dev;
        break;
    case SCEN_EMPTY:
        o->rr = 0;
        o->hr = 0;
        o->present = false;
        break;
    }
    if (o->rr < 0)
        o->rr = 0;
    if (o->hr < 25 && o->present)
        o->hr = 25;
}
