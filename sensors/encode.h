/*
 * encode — builds valid frames of each sensor protocol into a caller buffer.
 * The scenario simulator writes recordings in the sensors' real wire formats
 * with these, and the tests and benchmarks build their streams with them.
 * Each returns the frame length, or 0 if cap is too small.
 */
#ifndef WW_ENCODE_H
#define WW_ENCODE_H

#include <stddef.h>
#include <stdint.h>

/* What goes into a TI vital-signs stats TLV. */
struct ti_vs_stats {
    float rr, hr;            /* breathingRateEst_FFT, heartRateEst_FFT */
    float conf_breath;       /* confidenceMetricBreathOut */
    float conf_heart;        /* confidenceMetricHeartOut */
    float energy_breath;     /* sumEnergyBreathWfm (presence) */
    float motion;            /* motionDetectedFlag */
};

struct ti_vs_person {
    uint16_t id;
    float breath_deviation; /* 0 = nobody */
    float hr, rr;
};

/* A vital-signs lab frame (TLV 6, or TLV 0 when numbering_14xx), with an
 * optional range-profile TLV of range_bins bins. */
size_t encode_ti_vs_stats(uint8_t *buf, size_t cap, uint32_t frame, const struct ti_vs_stats *s,
                          int numbering_14xx, unsigned range_bins);
/* A people-tracking frame with n persons in one TLV 1040. */
size_t encode_ti_vs_people(uint8_t *buf, size_t cap, uint32_t frame,
                           const struct ti_vs_person *p, size_t n);
/* An MR60BHA2 frame of a type with a payload. */
size_t encode_mr60bha2(uint8_t *buf, size_t cap, uint16_t id, uint16_t type, const void *data,
                       uint16_t len);
/* Convenience: one f32 payload (breath rate, heart rate). */
size_t encode_mr60bha2_f32(uint8_t *buf, size_t cap, uint16_t id, uint16_t type, float v);
/* An MR60BHA1 frame. */
size_t encode_mr60bha1(uint8_t *buf, size_t cap, uint8_t ctrl, uint8_t cmd, const void *data,
                       uint16_t len);

#endif
