/*
 * mr60bha1 — Seeed MR60BHA1 60 GHz breathing and heartbeat module. Pure and
 * incremental: driver interface in driver.h.
 *
 *   0x53 0x59 | ctrl u8 | cmd u8 | len u16 BE | data[len] | sum u8 | 0x54 0x43
 *   sum = low 8 bits of the sum of the bytes from 0x53 to the last data byte.
 *
 * Field map (ctrl.cmd in hex), the manual's by default; every entry can be
 * moved or switched off ("none") because shipped firmware has been seen to
 * put heart rate under 81.02 and breathing under 81.05:
 *   presence=80.01      data 0 absent / 1 present
 *   motion=80.02        0 none, 1 still, 2 moving; motion = (value == 2)
 *   distance=80.04      u16 BE, cm
 *   breath_state=81.01  1 normal, 2 fast, 3 slow, 4 none: recognised, but a
 *                       reading has no field for it, so it emits nothing
 *   rr=81.02            u8 /min
 *   hr=85.02            u8 bpm
 *   e.g. ?hr=81.02&rr=81.05 for the firmware that moves them. Two fields
 *   mapped to the same code are refused.
 * One reading per mapped value packet. A rate of 0 is the module's "no
 * estimate" and is not a rate (no reading; not taken as absence either —
 * presence comes only from the presence packet). A value outside the
 * manual's range (presence > 1, motion > 2) or a payload of another
 * length than its value's rejects the packet (bad_frame / bad_length).
 * Frames of codes not in the map are valid and counted as unknown.
 *
 * Payload lengths are the manual's exactly (1 byte; distance 2): a frame
 * of a mapped code with any other length is bad_length, so that a 5-byte
 * waveform (81.05 breathing, 85.05 heart: five samples around 128) mapped
 * by mistake as a rate is refused instead of read as one (H18-31).
 *
 * Time: the protocol has no clock. The module reports in one-second cycles
 * (Seeed wiki, Radar_MR60BHA1 "Arduino Library Overview": body movement and
 * both waveforms every second, distance and direction every 2 s, heart and
 * breathing rates every 3 s; a real capture shows 4-5 frames a second), so
 * stream time counts cycles: a frame whose code was already seen in the
 * current cycle starts the next one, cycle_ms later (default 1000). A
 * reading carries its cycle's time, the first 0. Counting frames instead
 * ran the clock 4-5 times fast (H18-30). period_ms=N keeps the old clock,
 * N ms per frame, for streams that send one report at a time (the
 * simulator's). Stretches without reports (an idle module sends only a
 * heartbeat, 01.01, about once a minute) are not timed: live streams are
 * timed by arrival anyway. This is also the driver's clock, so a capture
 * file is paced and recorded by it ("stream" clock), not by its bytes at
 * the line rate (H18-33).
 *
 * Framing: hunt for 0x53 0x59 with memchr; len above 256 is bad_length, a
 * wrong sum bad_checksum, a missing 0x54 0x43 tail bad_frame; after any of
 * them decoding resumes at the byte after the 0x53.
 *
 * Params: the map keys above, cycle_ms=1..10000 or period_ms=1..10000
 * (baud, pace ignored).
 *
 * Checked against: Seeed MR60BHA1 user manual V1.9/V2.3 (sections 6-7.1:
 * 115200 8N1, frame structure, sum, control words; read in excerpts), Seeed wiki
 * Radar_MR60BHA1 (Seeed-Studio/wiki-documents), Seeed's Arduino library
 * limengdu/Seeed-Studio-MR60BHA1-Sensor, AronRubin/SeeedHeartBreathRadar,
 * the R60ABD1 (same protocol) driver ZyoungInc/R60ABD1_Driver, and a real
 * module's UART log in DuncanIdahoCT/espresence-mr60bha1-mmwave-sensor.
 */
#ifndef WW_MR60BHA1_H
#define WW_MR60BHA1_H

#include "driver.h"
#include "framer.h"

#include <stdbool.h>

#define MR60BHA1_MAX_LEN 256
#define MR60BHA1_OVERHEAD 9       /* 53 59 ctrl cmd len(2) ... sum 54 43 */
#define MR60BHA1_UNMAPPED 0xFFFFu /* a map entry switched off */
#define MR60BHA1_CYCLE_CODES 32   /* distinct codes one report cycle holds */

enum mr60bha1_field {
    M1_PRESENCE,
    M1_MOTION,
    M1_DISTANCE,
    M1_BREATH_STATE,
    M1_RR,
    M1_HR,
    M1_NFIELDS
};

/* Parser state; callers allocate mr60bha1_driver.state_size bytes. */
struct mr60bha1 {
    struct parser_stats st;
    reading_cb cb;
    void *ctx;
    uint32_t map[M1_NFIELDS];            /* ctrl << 8 | cmd, or MR60BHA1_UNMAPPED */
    double period_s;                     /* per cycle, or per frame when per_frame */
    bool per_frame;                      /* period_ms given: the clock counts frames */
    uint64_t packets;                    /* cycles (or frames) so far: the stream clock */
    uint16_t seen[MR60BHA1_CYCLE_CODES]; /* codes of the current cycle */
    unsigned nseen;
    uint64_t filter[4]; /* hashes of seen[]: most frames need no search */
    struct framer fr;   /* last: the large buffer */
};

extern const struct sensor_driver mr60bha1_driver;

/* The protocol's sum: low 8 bits of the sum of n bytes. */
uint8_t mr60bha1_sum(const uint8_t *p, size_t n);

#endif
