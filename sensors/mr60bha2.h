/*
 * mr60bha2 — Seeed MR60BHA2 and Hi-Link HLK-LD6002 60 GHz modules (same
 * framing; MR60BHA2 115200 baud, LD6002 1382400: set ?baud=, which the
 * transport consumes). Pure and incremental: driver interface in driver.h.
 *
 *   SOF 0x01 | ID u16 BE | LEN u16 BE | TYPE u16 BE | HEAD_CKSUM | DATA[LEN] | DATA_CKSUM
 *   checksum = ~(XOR of the bytes) & 0xFF; HEAD_CKSUM over the 7 bytes
 *   before it, DATA_CKSUM over DATA; payload values little-endian.
 *
 * One reading per value packet:
 *   0x0A13 phases: 3 f32 (total, breath, heart) -> READING_PHASE.
 *   0x0A14 breath rate f32 /min -> rr;  0x0A15 heart rate f32 bpm -> hr.
 *     The module sends 0 when it has no estimate (nobody within ~1.5 m, not
 *     settled yet, or no breathing seen): a rate of 0 is not a rate, so such
 *     a packet produces no reading. It is deliberately not turned into
 *     presence=false either: an apnoeic patient is still in the bed, and
 *     presence comes only from 0x0F09. Negative, NaN, rr > 100, hr > 300:
 *     rejected as bad_frame.
 *   0x0A16 distance: u32 flag, f32 cm. Which flag value means "valid":
 *     param distance_valid=1|0 (default 1: Seeed's library, the current
 *     ESPHome component and hlk_ld6002 take nonzero / 1; ESPHome's first
 *     version took 0). An invalid distance produces no reading; its frame
 *     may carry the flag alone (4 bytes, as hlk_ld6002 decodes it), which
 *     is not a short frame.
 *   0x0F09 human presence: first payload byte, nonzero = present.
 *   0x0A04 / 0x0A08 point cloud, 0xFFFF firmware version: valid, unused
 *     (counted as unknown, as is any other type).
 * A known type with a payload too short for its values is bad_length.
 *
 * Time: arrival order. Each frame that passes both checksums (whatever its
 * type) advances stream time by period_ms (default 125 ms: the modules send
 * ~8 frames/s); a reading carries the time of its frame, the first 0. This
 * is also the driver's clock, so a capture file is paced and recorded by
 * it ("stream" clock) rather than by its bytes at the line rate (H18-33).
 *
 * Framing: hunt for SOF with memchr; a header checksum mismatch means "not
 * a frame start" (a stray 0x01 in line garbage is indistinguishable from a
 * corrupted header) and the hunt goes on from the next byte, counted in
 * dropped_bytes. With a good header: LEN above 1024 is bad_length, a bad
 * DATA_CKSUM is bad_checksum, and decoding resumes at the byte after the SOF.
 *
 * Params: distance_valid=0|1, period_ms=1..10000 (baud, pace ignored).
 *
 * Checked against: Hi-Link "HLK-LD6002 Communication Protocol (respiratory
 * heart rate detection)" (TinyFrame; types 0x0A13-0x0A16, payloads little-
 * endian, header fields big-endian), Seeed's Arduino library (Seeed_Arduino_
 * mmWave: SeeedmmWave.cpp framing and ~XOR checksum, SEEED_MR60BHA2.cpp
 * payloads; read in its fork minchoCoin/Seeed-mmWave-library), ESPHome's
 * seeed_mr60bha2 component (esphome/esphome, both its versions), the Rust
 * crate icewind1991/hlk_ld6002 and SergeyZh/hlk-ld6002-adt6101p-internals
 * (TinyFrame with 2-byte TYPE, xor checksum, SOF 0x01; 0xFFFF version).
 * None of them states a report rate: period_ms stays an assumption.
 */
#ifndef WW_MR60BHA2_H
#define WW_MR60BHA2_H

#include "driver.h"
#include "framer.h"

#include <stdbool.h>

#define MR60BHA2_MAX_LEN 1024
#define MR60BHA2_OVERHEAD 9 /* header 8 + data checksum 1 */

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

/* Parser state; callers allocate mr60bha2_driver.state_size bytes. */
struct mr60bha2 {
    struct parser_stats st;
    reading_cb cb;
    void *ctx;
    uint32_t distance_valid;
    double period_s;
    uint64_t packets; /* good frames so far: the stream clock */
    struct framer fr; /* last: the large buffer */
};

extern const struct sensor_driver mr60bha2_driver;

/* ~(XOR of n bytes) & 0xFF, the protocol's checksum. */
uint8_t mr60bha2_checksum(const uint8_t *p, size_t n);

#endif
