/*
 * scenario — the patient models behind the scenario simulator and the demo
 * ward: what a bed's true respiration rate, heart rate, presence, motion and
 * sensor connection are at each moment of a clinical story. Deterministic by
 * seed (own PRNG), pure, no allocation. The simulator turns the truth into
 * each sensor's real wire format (sensors/encode.h, sensors/iqgen.h).
 *
 * Scenarios (name: story):
 *   stable        RR ~14, HR ~72 with slow physiological wander
 *   sepsis        RR 16 -> 30 and HR 80 -> 130 over ramp_s (default 1.5 h)
 *   opioid        RR falls 14 -> 7 over ramp_s, apnoea pauses (15-35 s) once
 *                 RR is under 10, HR 72 -> 58
 *   afib          atrial fibrillation: fast irregular HR (~130, beat-to-beat
 *                 jumps), RR ~20
 *   copd          COPD on Scale 2: RR ~23, HR ~96 (SpO2 88-92 by hand)
 *   out-of-bed    stable, but out of bed ~8 min of every 40
 *   unplug        stable, sensor unplugged ~2 min of every 30
 *   restless      RR ~18, HR ~88, motion episodes of 20-60 s every 3-5 min
 *   bradycardia   HR drifting 58 -> 38, RR ~13 (low-HR alarms)
 *   empty         nobody in the bed
 */
#ifndef WW_SCENARIO_H
#define WW_SCENARIO_H

#include <stdbool.h>
#include <stdint.h>

enum scenario_kind {
    SCEN_STABLE,
    SCEN_SEPSIS,
    SCEN_OPIOID,
    SCEN_AFIB,
    SCEN_COPD,
    SCEN_OUT_OF_BED,
    SCEN_UNPLUG,
    SCEN_RESTLESS,
    SCEN_BRADYCARDIA,
    SCEN_EMPTY,
    SCEN_COUNT
};

/* What is true of the patient and sensor at one moment. */
struct scenario_truth {
    double rr;      /* /min; 0 during apnoea */
    double hr;      /* /min */
    bool present;   /* in bed */
    bool motion;    /* moving: sensors lose the vital signs */
    bool apnoea;    /* not breathing */
    bool connected; /* sensor plugged in */
};

struct scenario {
    enum scenario_kind kind;
    uint64_t rng;
    double ramp_s;
    double offset_s;     /* story time at t = 0 */
    double last_t;       /* last story time stepped */
    double rr_dev, hr_dev; /* slow wander (Ornstein-Uhlenbeck) */
    double next_event_s; /* next episode (motion, apnoea, absence...) */
    double event_end_s;
};

/* Scenario by name, or -1. */
int scenario_find(const char *name);
/* Name of a scenario. */
const char *scenario_name(enum scenario_kind k);
/* One-line description. */
const char *scenario_describe(enum scenario_kind k);
/* Start a story: seed for the PRNG, ramp_s (0 = default), offset_s shifts the
 * story so a demo bed can start part-way into its deterioration. */
void scenario_init(struct scenario *s, enum scenario_kind k, uint64_t seed, double ramp_s,
                   double offset_s);
/* Advance to t seconds (non-decreasing) and return the truth there. */
void scenario_step(struct scenario *s, double t, struct scenario_truth *out);
/* Deterministic uniform [0,1) from the scenario's PRNG (for simulator noise). */
double scenario_uniform(struct scenario *s);
/* Deterministic standard normal. */
double scenario_gauss(struct scenario *s);

#endif
