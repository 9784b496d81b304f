/*
 * mr60bha1 — Seeed MR60BHA1 60 GHz breathing and heartbeat module.
 *
 *   0x53 0x59 | ctrl u8 | cmd u8 | len u16 BE | data[len] | sum u8 | 0x54 0x43
 *   sum = low 8 bits of the sum of the bytes from 0x53 to the last data byte.
 * Field map (ctrl.cmd in hex), from the manual by default, every entry
 * overridable because shipped firmware has been seen to move fields:
 *   presence=80.01 (data 0/1)  motion=80.02 (0 none, 1 still, 2 moving;
 *   motion when 2)  distance=80.04 (u16 BE cm)  rr=81.02 (u8)  hr=85.02 (u8)
 *   e.g. ?hr=81.02&rr=81.05 for the firmware that swaps them.
 * A rate of 0 is not a rate. Time: one period_ms (default 1000) per decoded
 * packet in arrival order. len above 256 is refused.
 */
#ifndef WW_MR60BHA1_H
#define WW_MR60BHA1_H

#include "driver.h"
#include "framer.h"

#define MR60BHA1_MAX_LEN 256

enum mr60bha1_field { M1_PRESENCE, M1_MOTION, M1_DISTANCE, M1_RR, M1_HR, M1_NFIELDS };

struct mr60bha1 {
    struct framer fr;
    struct parser_stats st;
    reading_cb cb;
    void *ctx;
    uint16_t map[M1_NFIELDS]; /* ctrl << 8 | cmd */
    double period_s;
    uint64_t packets;
};

extern const struct sensor_driver mr60bha1_driver;

#endif
