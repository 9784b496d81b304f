/*
 * simulate — the scenario simulator: writes a wardwatch recording in a
 * sensor's real wire format (ti-vs frames, mr60bha2 or mr60bha1 packets)
 * from a scenario (sensors/scenario.h), deterministic by seed; or raw I/Q
 * of an iio radar (sensors/iqgen.h) for wardwatch's own DSP. Measurement
 * noise, motion artefacts (ti-vs motion flag with nonsense rates), empty-bed
 * frames, apnoea (present but no breathing), unplug episodes (no bytes and
 * disconnect/connect events) and the odd burst of line garbage are all in
 * the bytes, so a replay exercises the same parsers and alarms as a ward.
 */
#ifndef WW_SIMULATE_H
#define WW_SIMULATE_H

#include "scenario.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* iio recordings: a 24 GHz CW radar sampled at 100 Hz (800 bytes a second). */
#define SIM_IQ_FS 100
#define SIM_IQ_WAVELENGTH_MM 12.4

struct sim_spec {
    enum scenario_kind scenario;
    char driver[16];  /* ti-vs, mr60bha2, mr60bha1, iio */
    uint64_t seed;
    double seconds;   /* length of the recording */
    double offset_s;  /* start this far into the story */
    double ramp_s;    /* 0 = scenario default */
    char label[64];
    FILE *truth;      /* NULL, or where the truth goes, a line a second:
                       * "t rr hr present motion apnoea connected" */
};

/* Write one recording; -1 with a message. */
int simulate_write(const struct sim_spec *spec, const char *path, char *err, size_t errlen);

/* A whole ward from a spec file (lines: NUMBER DRIVER SCENARIO SEED OFFSET_S
 * LABEL; '#' comments) into DIR/bedNN.wwrec. */
int simulate_ward(const char *spec, const char *dir, double hours, char *err, size_t errlen);

/* The sensor URI recorded for a driver (with the parameters the simulated
 * stream needs, e.g. mr60bha1's packet period). */
void simulate_uri(const char *driver, char *buf, size_t n);

#endif
