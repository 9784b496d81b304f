/*
 * mr60bha2 — Seeed MR60BHA2 and Hi-Link HLK-LD6002 60 GHz modules (same
 * framing; MR60BHA2 115200 baud, LD6002 1382400: set ?baud=).
 *
 *   SOF 0x01 | ID u16 BE | LEN u16 BE | TYPE u16 BE | HEAD_CKSUM | DATA | DATA_CKSUM
 *   checksum = ~(XOR of the bytes); payload little-endian.
 * Decoded types: 0x0A13 phases (3 f32), 0x0A14 breath rate f32, 0x0A15 heart
 * rate f32, 0x0A16 distance (u32 flag, f32 cm; which flag value means valid is
 * the distance_valid param, default 1), 0x0F09 human presence (first byte).
 * Point clouds (0x0A04, 0x0A08) and firmware (0xFFFF) are valid but unused.
 * The module reports 0 for the vitals when it has no estimate (nobody within
 * ~1.5 m, or no breathing): a rate of 0 is not a rate and produces no
 * reading; presence is taken only from 0x0F09, so an apnoeic patient is not
 * mistaken for an empty bed.
 * Time: arrival order, one period_ms (default 125, ~8 packets/s) per packet.
 * Params: distance_valid=0|1, period_ms=1..10000. LEN above 1024 is refused.
 */
#ifndef WW_MR60BHA2_H
#define WW_MR60BHA2_H

#include "driver.h"
#include "framer.h"

#include <stdbool.h>

#define MR60BHA2_MAX_LEN 1024

enum {
    MR60BHA2_PHASES = 0x0A13,
    MR60BHA2_BREATH = 0x0A14,
    MR60BHA2_HEART = 0x0A15,
    MR60BHA2_DISTANCE = 0x0A16,
    MR60BHA2_PRESENCE = 0x0F09,
    MR60BHA2_CLOUD1 = 0x0A04,
    MR60BHA2_CLOUD2 = 0x0A08,
    MR60BHA2_FIRMWARE = 0xFFFF,
};

struct mr60bha2 {
    struct framer fr;
    struct parser_stats st;
    reading_cb cb;
    void *ctx;
    uint32_t distance_valid;
    double period_s;
    uint64_t packets;
};

extern const struct sensor_driver mr60bha2_driver;

/* ~(XOR of n bytes). */
uint8_t mr60bha2_checksum(const uint8_t *p, size_t n);

#endif
