/*
 * encode — builds valid frames of each sensor protocol into a caller buffer,
 * byte for byte as the sensors send them. The scenario simulator writes
 * recordings in the sensors' real wire formats with these, and the tests,
 * sensor emulators and benchmarks build their streams with them.
 * Each function returns the frame length, or 0 if cap is too small (or the
 * frame would be longer than the protocol allows); nothing is allocated.
 */
#ifndef WW_ENCODE_H
#define WW_ENCODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What goes into a TI vital-signs stats TLV (VitalSignsDemo_OutputStats). */
struct ti_vs_stats {
    float rr, hr;        /* breathingRateEst_FFT, heartRateEst_FFT (and the xCorr/
                          * peak-count estimates, written alike) */
    float conf_breath;   /* confidenceMetricBreathOut */
    float conf_heart;    /* confidenceMetricHeartOut */
    float energy_breath; /* sumEnergyBreathWfm (presence) */
    float motion;        /* motionDetectedFlag */
};
/* maxVal is written as ENCODE_TI_VS_MAXVAL; it sits at byte
 * ENCODE_TI_VS_MAXVAL_OFFSET of a stats frame for a caller to change. */
#define ENCODE_TI_VS_MAXVAL 1e6f
#define ENCODE_TI_VS_MAXVAL_OFFSET (40 + 8 + 4)

/* One tracked person of a TLV 1040. */
struct ti_vs_person {
    uint16_t id;
    float breath_deviation; /* 0 = nobody */
    float hr, rr;
};

/* Any TLV, for frames built piece by piece. */
struct ti_vs_tlv {
    uint32_t type;
    uint32_t len; /* payload bytes */
    const void *data;
};

/* A TI frame: header (version 0x02000004, platform 0xA1642, numTLVs = n,
 * totalPacketLen padded to a multiple of 32 as the radar does) and the TLVs. */
size_t encode_ti_vs_frame(uint8_t *buf, size_t cap, uint32_t frame, const struct ti_vs_tlv *tlvs,
                          size_t n);
/* A vital-signs lab frame (TLV 6, or TLV 0 when numbering_14xx), with a
 * range-profile TLV (2, or 1) of range_bins bins when range_bins > 0. */
size_t encode_ti_vs_stats(uint8_t *buf, size_t cap, uint32_t frame, const struct ti_vs_stats *s,
                          int numbering_14xx, unsigned range_bins);
/* A people-tracking frame with n persons in one TLV 1040. */
size_t encode_ti_vs_people(uint8_t *buf, size_t cap, uint32_t frame,
                           const struct ti_vs_person *p, size_t n);

/* An MR60BHA2 / LD6002 frame of any type with a payload of len bytes. */
size_t encode_mr60bha2(uint8_t *buf, size_t cap, uint16_t id, uint16_t type, const void *data,
                       uint16_t len);
/* One f32 payload (0x0A14 breath rate, 0x0A15 heart rate). */
size_t encode_mr60bha2_f32(uint8_t *buf, size_t cap, uint16_t id, uint16_t type, float v);
/* 0x0A13 phases: total, breath, heart. */
size_t encode_mr60bha2_phases(uint8_t *buf, size_t cap, uint16_t id, float total, float breath,
                              float heart);
/* 0x0A16 distance: u32 flag, f32 cm. */
size_t encode_mr60bha2_distance(uint8_t *buf, size_t cap, uint16_t id, uint32_t flag, float cm);
/* 0x0F09 human presence (one byte). */
size_t encode_mr60bha2_presence(uint8_t *buf, size_t cap, uint16_t id, bool present);

/* An MR60BHA1 frame with a payload of len bytes. */
size_t encode_mr60bha1(uint8_t *buf, size_t cap, uint8_t ctrl, uint8_t cmd, const void *data,
                       uint16_t len);
/* An MR60BHA1 frame with one byte of data. */
size_t encode_mr60bha1_u8(uint8_t *buf, size_t cap, uint8_t ctrl, uint8_t cmd, uint8_t v);

#endif
