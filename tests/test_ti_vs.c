/*
 * Tests for the ti-vs parser (sensors/ti_vs): the real IWR1642 capture,
 * frames from the encoders round-tripping, every chunking giving identical
 * readings, garbage, frames cut short, impossible lengths, TLV 1040 persons,
 * frame-number wrap and reset, presence and quality mapping, parameters.
 * Every chunk is fed from its own exact-size heap copy so that ASan catches
 * any read past the input.
 */
#include "ww_test.h"
#include "driver.h"
#include "encode.h"
#include "ti_vs.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXR 8192
static struct reading got[MAXR];
static size_t ngot;

/* Reading callback: keep them all. */
static void collect(void *ctx, const struct reading *r)
{
    (void)ctx;
    if (ngot < MAXR)
        got[ngot] = *r;
    ngot++;
}

/* A fresh initialised parser (fails the test on an init error). */
static void *parser_new(const struct sensor_param *p, size_t n)
{
    void *st = malloc(ti_vs_driver.state_size);
    assert_non_null(st);
    char err[256];
    if (ti_vs_driver.init(st, p, n, err, sizeof err) < 0)
        fail_msg("init: %s", err);
    return st;
}

/* Feed buf in chunks of `chunk` bytes (0: random sizes 1..2000 from seed),
 * each from an exact-size heap copy. */
static void feed_chunked(void *st, const uint8_t *buf, size_t len, size_t chunk, unsigned seed)
{
    size_t off = 0;
    while (off < len) {
        size_t n = chunk;
        if (!n) {
            seed = seed * 1103515245u + 12345u;
            n = 1 + (seed >> 8) % 2000;
        }
        if (n > len - off)
            n = len - off;
        uint8_t *copy = malloc(n);
        assert_non_null(copy);
        memcpy(copy, buf + off, n);
        ti_vs_driver.feed(st, copy, n, collect, NULL);
        free(copy);
        off += n;
    }
}

/* Decode a whole buffer with fresh state; returns the stats. */
static struct parser_stats decode(const uint8_t *buf, size_t len, size_t chunk,
                                  const struct sensor_param *p, size_t np)
{
    void *st = parser_new(p, np);
    ngot = 0;
    feed_chunked(st, buf, len, chunk, 99);
    struct parser_stats ps;
    ti_vs_driver.stats(st, &ps);
    free(st);
    return ps;
}

/* Write a little-endian u32 into a frame. */
static void put32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4); /* the test hosts are little-endian, as the radar */
}

/* Bitwise float equality (NaN-safe). */
static int feq(float a, float b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

/* Two readings carry the same values. */
static int same_reading(const struct reading *a, const struct reading *b)
{
    return a->t == b->t && a->have == b->have && a->id == b->id && feq(a->rr, b->rr) &&
           feq(a->hr, b->hr) && feq(a->quality, b->quality) && a->presence == b->presence &&
           a->motion == b->motion && feq(a->distance_cm, b->distance_cm);
}

/* Decoding buf is identical for whole, 1, 7, 4096-byte and random chunks. */
static void assert_chunking_invariant(const uint8_t *buf, size_t len, size_t expect_readings)
{
    static struct reading ref[MAXR];
    struct parser_stats ref_ps = decode(buf, len, len, NULL, 0);
    assert_int_equal(ngot, expect_readings);
    memcpy(ref, got, sizeof(struct reading) * (ngot < MAXR ? ngot : MAXR));
    size_t nref = ngot;
    size_t chunks[] = {1, 7, 41, 4096, 0, 0, 0};
    for (size_t c = 0; c < WW_ARRAY_LEN(chunks); c++) {
        void *st = parser_new(NULL, 0);
        ngot = 0;
        feed_chunked(st, buf, len, chunks[c], 1000u + (unsigned)c);
        struct parser_stats ps;
        ti_vs_driver.stats(st, &ps);
        free(st);
        assert_int_equal(ngot, nref);
        for (size_t i = 0; i < nref && i < MAXR; i++)
            if (!same_reading(&got[i], &ref[i]))
                fail_msg("chunk %zu: reading %zu differs", chunks[c], i);
        assert_memory_equal(&ps, &ref_ps, sizeof ps);
    }
}

/* qsort comparator. */
static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

/* Read the real capture into buf; 0 if absent. */
static size_t load_capture(uint8_t *buf, size_t cap)
{
    const char *path = ww_test_shared_data("ti-vitals-iwr1642.bin");
    if (!path)
        return 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    size_t len = fread(buf, 1, cap, f);
    fclose(f);
    return len;
}

static void test_real_capture(void **state)
{
    (void)state;
    static uint8_t buf[100000];
    size_t len = load_capture(buf, sizeof buf);
    if (!len) {
        print_message("# SKIP: ../shared/data/ti-vitals-iwr1642.bin not present\n");
        skip();
    }
    struct parser_stats ps = decode(buf, len, len, NULL, 0);
    assert_int_equal(ps.bytes, len);
    assert_int_equal(ps.frames, 248);
    assert_int_equal(ps.readings, 248);
    assert_int_equal(ps.dropped_bytes, 0);
    assert_int_equal(ps.bad_length + ps.bad_frame + ps.bad_checksum + ps.unknown, 0);
    assert_int_equal(ngot, 248);
    static float hr[248], rr[248];
    for (size_t i = 0; i < 248; i++) {
        const struct reading *r = &got[i];
        uint32_t want = READING_RR | READING_HR | READING_QUALITY | READING_PRESENCE |
                        READING_MOTION;
        assert_int_equal(r->have, want);
        assert_true(r->presence);
        assert_false(r->motion);
        assert_true(r->quality > 0.3f && r->quality <= 1.0f);
        /* Frame numbers 131..378 run on: 50 ms apart from 0. */
        assert_true(fabs(r->t - 0.05 * (double)i) < 1e-9);
        hr[i] = r->hr;
        rr[i] = r->rr;
    }
    qsort(hr, 248, sizeof hr[0], cmp_float);
    qsort(rr, 248, sizeof rr[0], cmp_float);
    float hr_med = (hr[123] + hr[124]) / 2, rr_med = (rr[123] + rr[124]) / 2;
    print_message("# real capture: median HR %.2f bpm, RR %.2f /min\n", hr_med, rr_med);
    assert_true(fabsf(hr_med - 105.47f) < 1.0f);
    assert_true(fabsf(rr_med - 14.06f) < 0.5f);
    assert_chunking_invariant(buf, len, 248);
}

/* The failure of a later SDK's capture (#18): every packet cut to a fixed
 * 256 bytes while totalPacketLen says 288. Here: the real capture's own
 * packets cut so, with the header version set to 3.x. The stats TLV ends at
 * 176, the range profile after it is cut: every frame followed by a magic
 * decodes to the very reading of the uncut capture, counted as truncated. */
static void test_real_capture_cut_to_256(void **state)
{
    (void)state;
    static uint8_t buf[100000], out[100000];
    size_t len = load_capture(buf, sizeof buf);
    if (!len) {
        print_message("# SKIP: ../shared/data/ti-vitals-iwr1642.bin not present\n");
        skip();
    }
    decode(buf, len, len, NULL, 0);
    assert_int_equal(ngot, 248);
    static struct reading full[248];
    memcpy(full, got, sizeof full);
    for (size_t i = 0; i < 248; i++) {
        memcpy(out + i * 256, buf + i * 288, 256);
        put32(out + i * 256 + 8, 0x03060000); /* version 3.6.0.0 */
    }
    struct parser_stats ps = decode(out, 248 * 256, 248 * 256, NULL, 0);
    /* The last packet has no magic after it: it is still waiting for its
     * 32 missing bytes when the file ends. */
    assert_int_equal(ps.frames, 247);
    assert_int_equal(ps.truncated, 247);
    assert_int_equal(ps.readings, 247);
    assert_int_equal(ps.bad_frame + ps.bad_length, 0);
    assert_int_equal(ps.dropped_bytes, 247 * (256 - 176));
    for (size_t i = 0; i < 247; i++) {
        assert_true(feq(got[i].rr, full[i].rr) && feq(got[i].hr, full[i].hr));
        assert_true(got[i].t == full[i].t && got[i].have == full[i].have);
    }
    assert_chunking_invariant(out, 248 * 256, 247);
}

/* Little-endian writers for the hand-built frames below. */
static size_t le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
    return 4;
}

static size_t lef(uint8_t *p, float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    return le32(p, u);
}

/* One frame written field by field from TI's documented layout
 * (MmwDemo_output_message_header of SDK 2.x/3.x: 8 magic bytes, version,
 * totalPacketLen padded to 32, platform, frameNumber, timeCpuCycles,
 * numDetectedObj, numTLVs, subFrameNumber; TLVs {type, payload length};
 * VitalSignsDemo_OutputStats: u16 rangeBinIndexMax, u16 rangeBinIndexPhase,
 * f32 maxVal, u32 processingCyclesOut, u16 rangeBinStartIndex, u16
 * rangeBinEndIndex, 28 f32), not by the project's encoder. */
static size_t hand_frame(uint8_t *p, uint32_t version, uint32_t fn, uint32_t stats_type,
                         uint32_t range_type, float rr, float hr, bool subframe)
{
    static const uint8_t mw[8] = {0x02, 0x01, 0x04, 0x03, 0x06, 0x05, 0x08, 0x07};
    size_t o = 0;
    memcpy(p, mw, 8);
    o += 8;
    o += le32(p + o, version);
    o += le32(p + o, 288); /* (40 or 36) + 8 + 128 + 8 + 100, padded to 288 */
    o += le32(p + o, 0x000A1642);
    o += le32(p + o, fn);
    o += le32(p + o, 123456789);
    o += le32(p + o, 0);
    o += le32(p + o, 2);
    if (subframe)
        o += le32(p + o, 0); /* subFrameNumber: SDK 1.1 on */
    o += le32(p + o, stats_type);
    o += le32(p + o, 128);
    p[o++] = 12, p[o++] = 0, p[o++] = 12, p[o++] = 0; /* range bins */
    o += lef(p + o, 500.0f);                          /* maxVal */
    o += le32(p + o, 1000);
    p[o++] = 5, p[o++] = 0, p[o++] = 40, p[o++] = 0;
    static const float rest[28] = {0, 0, 0, 0 /* hr */, 0, 0, 0, 0 /* rr */, 0, 0,
                                   3 /* cb */, 0, 0.3f /* ch */, 0, 0, 40000 /* ebreath */,
                                   0, 0 /* motion */};
    for (int k = 0; k < 28; k++)
        o += lef(p + o, k == 3 ? hr : k == 7 ? rr : rest[k]);
    o += le32(p + o, range_type);
    o += le32(p + o, 100);
    for (int k = 0; k < 100; k++)
        p[o++] = (uint8_t)(k * 3);
    while (o < 288)
        p[o++] = 0x0f; /* padding (TI pads with 0x0f) */
    return o;
}

/* Hand-built frames of each header TI shipped: 40 bytes (SDK 2.x
 * 0x02000004, 3.x 0x03050004, 1.2) and 36 bytes without subFrameNumber
 * (SDK 1.0), with the 16xx/68xx numbering and the 14xx lab's (stats 0,
 * range 1), whole and every packet but the last cut to 256 bytes. */
static void test_hand_built_variants(void **state)
{
    (void)state;
    static uint8_t buf[8192];
    static const struct {
        uint32_t version, stats, range;
        bool t14xx, subframe;
    } v[] = {{0x02000004, 6, 2, false, true}, {0x03050004, 6, 2, false, true},
             {0x01020000, 0, 1, true, true},  {0x01000005, 0, 1, true, false},
             {0x01000005, 6, 2, false, false}};
    for (size_t k = 0; k < WW_ARRAY_LEN(v); k++) {
        struct sensor_param p14 = {"tlv", "14xx"};
        for (int cutto = 288; cutto >= 256; cutto -= 32) {
            size_t o = 0;
            for (uint32_t fn = 7; fn < 12; fn++) {
                size_t n = hand_frame(buf + o, v[k].version, fn, v[k].stats, v[k].range,
                                      10.0f + (float)fn, 60.0f + (float)fn, v[k].subframe);
                o += fn < 11 ? (size_t)cutto : n; /* the last frame whole */
            }
            struct parser_stats ps = decode(buf, o, o, v[k].t14xx ? &p14 : NULL, v[k].t14xx);
            if (ps.frames != 5 || ngot != 5 || ps.truncated != (cutto == 256 ? 4u : 0u) ||
                ps.unknown != 0)
                fail_msg("version %08x cut to %d: %llu frames, %zu readings, %llu truncated",
                         v[k].version, cutto, (unsigned long long)ps.frames, ngot,
                         (unsigned long long)ps.truncated);
            for (size_t i = 0; i < 5; i++) {
                assert_true(got[i].rr == 17.0f + (float)i && got[i].hr == 67.0f + (float)i);
                assert_true(fabs(got[i].t - 0.05 * (double)i) < 1e-9);
                assert_true(got[i].presence);
            }
            if (!v[k].t14xx)
                assert_chunking_invariant(buf, o, 5);
        }
    }
}

static void test_real_capture_cut_and_spliced(void **state)
{
    (void)state;
    static uint8_t buf[100000], out[200000];
    size_t len = load_capture(buf, sizeof buf);
    if (!len) {
        print_message("# SKIP: ../shared/data/ti-vitals-iwr1642.bin not present\n");
        skip();
    }
    /* Cut every 10th frame short at a varying point (as real captures do),
     * and put line garbage after every 17th. */
    size_t o = 0, cut = 0, kept = 0;
    for (size_t i = 0; i < 248; i++) {
        size_t keep = 288;
        if (i % 10 == 5) {
            keep = 9 + (i * 13) % 250; /* TLVs end at 260 */
            if (keep >= 176)
                kept++; /* the stats TLV (40 + 8 + 128) is whole: decoded */
            else
                cut++;
        }
        memcpy(out + o, buf + i * 288, keep);
        o += keep;
        if (i % 17 == 16)
            for (int k = 0; k < 23; k++)
                out[o++] = (uint8_t)(0x02 + k * 5);
    }
    struct parser_stats ps = decode(out, o, o, NULL, 0);
    assert_int_equal(ps.frames, 248 - cut);
    assert_int_equal(ngot, 248 - cut);
    /* A cut inside the header may leave a length that is impossible. */
    assert_int_equal(ps.bad_frame + ps.bad_length, cut);
    assert_true(ps.bad_frame >= cut - 5);
    assert_int_equal(ps.truncated, kept);
    assert_true(kept > 5);
    assert_chunking_invariant(out, o, 248 - cut);
}

/* The stats TLV of a frame starts here. */
#define STATS_AT (TI_VS_HEADER_LEN + 8)

static void test_stats_round_trip(void **state)
{
    (void)state;
    static uint8_t buf[4096];
    struct ti_vs_stats s = {.rr = 16.5f, .hr = 72.25f, .conf_breath = 3, .conf_heart = 0.5f,
                            .energy_breath = 5000, .motion = 1};
    size_t len = encode_ti_vs_stats(buf, sizeof buf, 42, &s, 0, 0);
    assert_int_equal(len % 32, 0);
    struct parser_stats ps = decode(buf, len, len, NULL, 0);
    assert_int_equal(ps.frames, 1);
    assert_int_equal(ngot, 1);
    assert_true(got[0].t == 0);
    assert_true(got[0].rr == 16.5f && got[0].hr == 72.25f);
    assert_true(got[0].presence && got[0].motion);
    assert_false(got[0].have & READING_ID);
    /* quality = min(3/(3+1), 0.5/(0.5+0.25)) = 0.6667 */
    assert_true(fabsf(got[0].quality - 2.0f / 3.0f) < 1e-6f);

    /* With a range profile (TLV 2), and in the 14xx numbering. */
    len = encode_ti_vs_stats(buf, sizeof buf, 43, &s, 0, 64);
    ps = decode(buf, len, len, NULL, 0);
    assert_int_equal(ngot, 1);
    assert_int_equal(ps.unknown, 0);
    len = encode_ti_vs_stats(buf, sizeof buf, 43, &s, 1, 64);
    struct sensor_param p14[] = {{"tlv", "14xx"}};
    ps = decode(buf, len, len, p14, 1);
    assert_int_equal(ngot, 1);
    assert_true(got[0].hr == 72.25f);
    /* The 68xx numbering does not take TLV 0 for stats (nor TLV 1 for range). */
    ps = decode(buf, len, len, NULL, 0);
    assert_int_equal(ngot, 0);
    assert_int_equal(ps.frames, 1);
    assert_int_equal(ps.unknown, 2);

    /* Encoder refuses a buffer too small. */
    assert_int_equal(encode_ti_vs_stats(buf, 100, 1, &s, 0, 0), 0);
}

static void test_quality_presence_and_plausibility(void **state)
{
    (void)state;
    static uint8_t buf[4096];
    /* Half-way points: cb = 1, ch = 0.25 -> 0.5 each. */
    struct ti_vs_stats s = {14, 60, 1, 0.25f, 5000, 0};
    size_t len = encode_ti_vs_stats(buf, sizeof buf, 1, &s, 0, 0);
    decode(buf, len, len, NULL, 0);
    assert_true(fabsf(got[0].quality - 0.5f) < 1e-6f);
    assert_false(got[0].motion);
    /* NaN or negative confidence: quality 0, still reported. */
    s.conf_heart = NAN;
    len = encode_ti_vs_stats(buf, sizeof buf, 1, &s, 0, 0);
    decode(buf, len, len, NULL, 0);
    assert_true((got[0].have & READING_QUALITY) && got[0].quality == 0);
    s.conf_heart = 0.4f;
    s.conf_breath = -2;
    len = encode_ti_vs_stats(buf, sizeof buf, 1, &s, 0, 0);
    decode(buf, len, len, NULL, 0);
    assert_true(got[0].quality == 0);

    /* Below the energy threshold: presence false and no rates. */
    struct ti_vs_stats empty = {14, 60, 5, 0.4f, 999, 0};
    len = encode_ti_vs_stats(buf, sizeof buf, 1, &empty, 0, 0);
    decode(buf, len, len, NULL, 0);
    assert_int_equal(ngot, 1);
    assert_true((got[0].have & READING_PRESENCE) && !got[0].presence);
    assert_false(got[0].have & (READING_RR | READING_HR));
    /* ... configurable. */
    struct sensor_param p[] = {{"presence_energy", "500"}};
    decode(buf, len, len, p, 1);
    assert_true(got[0].presence && (got[0].have & READING_RR));
    /* maxVal threshold, off by default: the encoder writes 1e6. */
    struct sensor_param pm[] = {{"presence_energy", "0"}, {"presence_maxval", "2000000"}};
    decode(buf, len, len, pm, 2);
    assert_false(got[0].presence);
    float mv = 3e6f;
    memcpy(buf + ENCODE_TI_VS_MAXVAL_OFFSET, &mv, 4);
    decode(buf, len, len, pm, 2);
    assert_true(got[0].presence);

    /* Implausible rates are left out; the rest of the reading stays. */
    struct {
        float rr, hr;
        uint32_t have;
    } cases[] = {
        {0, 0, 0},
        {-3, -1, 0},
        {NAN, INFINITY, 0},
        {101, 301, 0},
        {100, 300, READING_RR | READING_HR},
        {0.5f, 30, READING_RR | READING_HR},
        {20, 0, READING_RR},
    };
    for (size_t i = 0; i < WW_ARRAY_LEN(cases); i++) {
        struct ti_vs_stats c = {cases[i].rr, cases[i].hr, 5, 0.4f, 5000, 0};
        len = encode_ti_vs_stats(buf, sizeof buf, 1, &c, 0, 0);
        decode(buf, len, len, NULL, 0);
        assert_int_equal(ngot, 1);
        assert_int_equal(got[0].have & (READING_RR | READING_HR), cases[i].have);
        assert_true(got[0].presence);
    }
}

static void test_people(void **state)
{
    (void)state;
    static uint8_t buf[8192];
    struct ti_vs_person pp[4] = {
        {1, 0.5f, 72, 14}, {2, 0.0f, 80, 12}, {7, 0.01f, 110, 26}, {300, 0.3f, 0, 500}};
    size_t len = encode_ti_vs_people(buf, sizeof buf, 10, pp, 4);
    struct parser_stats ps = decode(buf, len, len, NULL, 0);
    assert_int_equal(ps.frames, 1);
    assert_int_equal(ngot, 4);
    for (size_t i = 0; i < 4; i++) {
        assert_true(got[i].have & READING_ID);
        assert_int_equal(got[i].id, pp[i].id);
        assert_true(got[i].t == 0);
        assert_false(got[i].have & READING_QUALITY);
    }
    assert_true(got[0].presence && got[0].rr == 14 && got[0].hr == 72);
    /* breathDeviation 0: nobody, and no rates even if the TLV has numbers. */
    assert_true((got[1].have & READING_PRESENCE) && !got[1].presence);
    assert_false(got[1].have & (READING_RR | READING_HR));
    /* Breath holding (< 0.02) is still a patient. */
    assert_true(got[2].presence && got[2].hr == 110 && got[2].rr == 26);
    /* Implausible rates left out per rate. */
    assert_int_equal(got[3].have & (READING_RR | READING_HR), 0);
    assert_true(got[3].presence);

    /* No persons: a valid frame without readings. */
    len = encode_ti_vs_people(buf, sizeof buf, 11, pp, 0);
    ps = decode(buf, len, len, NULL, 0);
    assert_int_equal(ps.frames, 1);
    assert_int_equal(ngot, 0);

    /* A length that is not a multiple of 136 rejects the frame. */
    len = encode_ti_vs_people(buf, sizeof buf, 12, pp, 2);
    uint32_t bad = 2 * 136 - 4;
    memcpy(buf + TI_VS_HEADER_LEN + 4, &bad, 4);
    ps = decode(buf, len, len, NULL, 0);
    assert_int_equal(ps.frames, 0);
    assert_int_equal(ps.bad_length, 1);
    assert_int_equal(ngot, 0);

    /* Stats and persons in one frame: both emitted. */
    uint8_t stats[TI_VS_STATS_LEN] = {0}, people[TI_VS_PERSON_LEN] = {5};
    float v = 0.4f;
    memcpy(people + 4, &v, 4);
    struct ti_vs_tlv t[2] = {{TI_VS_TLV_STATS, sizeof stats, stats},
                             {TI_VS_TLV_PEOPLE, sizeof people, people}};
    len = encode_ti_vs_frame(buf, sizeof buf, 1, t, 2);
    decode(buf, len, len, NULL, 0);
    assert_int_equal(ngot, 2);
    assert_false(got[0].have & READING_ID);
    assert_true((got[1].have & READING_ID) && got[1].id == 5 && got[1].presence);
}

static size_t stream_truncated; /* frames make_stream cut after their stats TLV */

/* A generated stream: stats, people and range-profile frames, garbage
 * (with magic prefixes) and a few frames cut short. Returns its length. */
static size_t make_stream(uint8_t *buf, size_t cap, size_t nframes, size_t *readings,
                          size_t *cut, size_t *garbage)
{
    size_t off = 0;
    *readings = *cut = *garbage = 0;
    stream_truncated = 0;
    static const uint8_t junk[] = {0x02, 0x01, 0x04, 0x03, 0x06, 0x05, 0x08, 0x99, 0x02, 0x02,
                                   0x01, 0x00, 0xff, 0x02, 0x01, 0x04, 0x03, 0x06};
    for (size_t i = 0; i < nframes; i++) {
        size_t n;
        if (i % 5 == 4) {
            struct ti_vs_person pp[3] = {{(uint16_t)i, 0.2f, 70 + (float)(i % 9), 15},
                                         {2, 0, 0, 0},
                                         {3, 0.4f, 90, 20}};
            n = encode_ti_vs_people(buf + off, cap - off, (uint32_t)i, pp, 3);
            *readings += 3;
        } else {
            struct ti_vs_stats s = {12.0f + (float)(i % 10), 60.0f + (float)(i % 50), 5, 0.4f,
                                    i % 13 ? 5000.0f : 10.0f, (float)(i % 11 == 0)};
            n = encode_ti_vs_stats(buf + off, cap - off, (uint32_t)i, &s, 0,
                                   i % 3 ? 0 : (unsigned)(16 + i % 200));
            *readings += 1;
        }
        assert_true(n > 0);
        if (i % 23 == 11) { /* cut short: the next frame's magic follows */
            n = 40 + (i * 7) % (n - 72); /* into the TLVs */
            if (i % 5 != 4 && n >= STATS_AT + 128) {
                stream_truncated++; /* stats whole, range profile cut: decoded */
            } else {
                (*cut)++;
                *readings -= i % 5 == 4 ? 3 : 1;
            }
        }
        off += n;
        if (i % 7 == 3) {
            memcpy(buf + off, junk, sizeof junk);
            off += sizeof junk;
            *garbage += sizeof junk;
        }
    }
    return off;
}

static void test_chunking_garbage_and_cuts(void **state)
{
    (void)state;
    static uint8_t buf[600000];
    size_t readings, cut, garbage;
    size_t len = make_stream(buf, sizeof buf, 600, &readings, &cut, &garbage);
    struct parser_stats ps = decode(buf, len, len, NULL, 0);
    assert_int_equal(ps.frames, 600 - cut);
    assert_int_equal(ps.bad_frame, cut);
    assert_int_equal(ps.truncated, stream_truncated);
    assert_true(stream_truncated > 0);
    assert_int_equal(ps.readings, readings);
    assert_int_equal(ps.bad_length + ps.bad_checksum, 0);
    /* Dropped: the garbage and the cut frames, nothing else. */
    assert_true(ps.dropped_bytes >= garbage);
    /* Stream time follows the frame numbers over garbage and cuts. */
    assert_true(fabs(got[ngot - 1].t - 0.05 * 599) < 1e-6);
    assert_chunking_invariant(buf, len, readings);
}

static void test_truncated_and_large_frames(void **state)
{
    (void)state;
    static uint8_t buf[140000];
    struct ti_vs_stats s = {15, 65, 5, 0.4f, 5000, 0};
    /* A frame of ~32 KiB (8000 range bins) trickled in byte by byte. */
    size_t a = encode_ti_vs_stats(buf, sizeof buf, 1, &s, 0, 8000);
    size_t b = encode_ti_vs_stats(buf + a, sizeof buf - a, 2, &s, 0, 8000);
    assert_true(a > 32000);
    void *st = parser_new(NULL, 0);
    ngot = 0;
    feed_chunked(st, buf, a - 1, 1, 0);
    assert_int_equal(ngot, 0); /* truncated: nothing yet */
    feed_chunked(st, buf + a - 1, 1, 1, 0);
    assert_int_equal(ngot, 1); /* the last byte completes it */
    free(st);
    assert_chunking_invariant(buf, a + b, 2);
    /* The same large frame cut short at 1000 bytes, then a good one: resync
     * at the magic although the length claimed 32 KiB; the cut frame's
     * stats TLV is whole and decoded, its range profile is lost. */
    memmove(buf + 1000, buf + a, b);
    assert_chunking_invariant(buf, 1000 + b, 2);
    struct parser_stats ps = decode(buf, 1000 + b, 1, NULL, 0);
    assert_int_equal(ps.bad_frame, 0);
    assert_int_equal(ps.frames, 2);
    assert_int_equal(ps.truncated, 1);
    assert_int_equal(ps.dropped_bytes, 1000 - (STATS_AT + 128));
    /* Largest frame accepted: 64 KiB. */
    size_t c = encode_ti_vs_stats(buf, sizeof buf, 3, &s, 0, (65536 - 40 - 8 - 128 - 8) / 4);
    assert_int_equal(c, 65536);
    ps = decode(buf, c, 1000, NULL, 0);
    assert_int_equal(ngot, 1);
}

static void test_cut_in_padding(void **state)
{
    (void)state;
    static uint8_t buf[4096];
    struct ti_vs_stats s = {15, 65, 5, 0.4f, 5000, 0};
    /* 176 bytes of header and TLVs padded to 192. */
    size_t a = encode_ti_vs_stats(buf, sizeof buf, 1, &s, 0, 0);
    assert_int_equal(a, 192);
    size_t keeps[] = {191, 190, 186, 185, 184, 180, 176};
    for (size_t k = 0; k < WW_ARRAY_LEN(keeps); k++) {
        size_t keep = keeps[k];
        size_t len = keep;
        len += encode_ti_vs_stats(buf + len, sizeof buf - len, 2, &s, 0, 0);
        len += encode_ti_vs_stats(buf + len, sizeof buf - len, 3, &s, 0, 0);
        /* Cut in the padding: where the bytes went is not known (a byte
         * lost inside the stats TLV leaves the same lengths, H18-35), so
         * the first frame's last TLV has no witness and is not used; the
         * frame is counted as cut short, the other two decode. */
        struct parser_stats ps = decode(buf, len, len, NULL, 0);
        if (ngot != 2 || ps.frames != 3 || ps.truncated != 1 || ps.dropped_bytes != keep - 40)
            fail_msg("cut at %zu: %zu readings, %llu frames, %llu cut, %llu dropped", keep, ngot,
                     (unsigned long long)ps.frames, (unsigned long long)ps.truncated,
                     (unsigned long long)ps.dropped_bytes);
        assert_chunking_invariant(buf, len, 2);
    }
    /* Cut one byte into the stats TLV: that frame is lost, the next is not. */
    size_t len = 175;
    len += encode_ti_vs_stats(buf + len, sizeof buf - len, 2, &s, 0, 0);
    struct parser_stats ps = decode(buf, len, len, NULL, 0);
    assert_int_equal(ngot, 1);
    assert_int_equal(ps.bad_frame, 1);
    assert_int_equal(ps.dropped_bytes, 175);
    assert_chunking_invariant(buf, len, 1);
}

/* One byte lost on the line inside a frame's last TLV (H18-35). The next
 * magic then comes one byte before totalPacketLen and the TLV's length
 * still fits, so it used to be decoded one byte out of place: a present
 * patient with HR 0.00 or a patient id of 2560, counted as undamaged
 * (found with frames written to the Radar Toolbox's layout: TLV 1040 of
 * 136 bytes, id, rangeBin, breathDeviation, heartRate, breathRate...).
 * Every byte of the TLV, lost in turn: no reading from that frame but a
 * right one, and the frame counted as cut short. */
static void test_lost_byte_in_last_tlv(void **state)
{
    (void)state;
    static uint8_t one[1024], buf[4096];
    struct ti_vs_stats s = {15, 72, 5, 0.4f, 5000, 0};
    size_t n1 = encode_ti_vs_stats(one, sizeof one, 2, &s, 0, 0);
    assert_int_equal(n1, 192);
    for (size_t at = 40; at < 176; at++) {
        size_t len = encode_ti_vs_stats(buf, sizeof buf, 1, &s, 0, 0);
        memcpy(buf + len, one, at);
        memcpy(buf + len + at, one + at + 1, n1 - at - 1);
        len += n1 - 1;
        len += encode_ti_vs_stats(buf + len, sizeof buf - len, 3, &s, 0, 0);
        struct parser_stats ps = decode(buf, len, len, NULL, 0);
        for (size_t k = 0; k < ngot; k++)
            if (((got[k].have & READING_RR) && fabsf(got[k].rr - 15) > 0.01f) ||
                ((got[k].have & READING_HR) && fabsf(got[k].hr - 72) > 0.01f))
                fail_msg("byte %zu lost: reading %zu RR %.2f HR %.2f", at, k, got[k].rr,
                         got[k].hr);
        if (ngot != 2 || ps.truncated + ps.bad_frame + ps.bad_length == 0)
            fail_msg("byte %zu lost: %zu readings, %llu cut, %llu bad", at, ngot,
                     (unsigned long long)ps.truncated,
                     (unsigned long long)(ps.bad_frame + ps.bad_length));
    }
}

static void test_impossible_lengths(void **state)
{
    (void)state;
    static uint8_t buf[8192], one[1024];
    struct ti_vs_stats s = {15, 65, 5, 0.4f, 5000, 0};
    size_t n1 = encode_ti_vs_stats(one, sizeof one, 1, &s, 0, 0);
    struct {
        size_t at;
        uint32_t v;
        const char *what;
    } cases[] = {
        {12, 39, "totalPacketLen < 40"},
        {12, 0, "totalPacketLen 0"},
        {12, 65537, "totalPacketLen > 64 KiB"},
        {12, 0xffffffffu, "totalPacketLen huge"},
        {32, 257, "numTLVs > 256"},
        {32, 0xffffffffu, "numTLVs huge"},
        {32, 30, "more TLVs than fit"},
        {32, 5, "TLV chain runs past the packet"},
        {44, 1000, "TLV length past the packet"},
        {44, 0xfffffff8u, "TLV length wraps"},
        {44, 64, "stats TLV too short"},
    };
    for (size_t i = 0; i < WW_ARRAY_LEN(cases); i++) {
        size_t len = 0;
        memcpy(buf, one, n1);
        put32(buf + cases[i].at, cases[i].v);
        len += n1;
        /* then a good frame, which must be decoded */
        memcpy(buf + len, one, n1);
        put32(buf + len + 20, 2);
        len += n1;
        struct parser_stats ps = decode(buf, len, len, NULL, 0);
        if (ps.bad_length != 1 || ngot != 1 || ps.frames != 1)
            fail_msg("%s: bad_length %llu, readings %zu, frames %llu", cases[i].what,
                     (unsigned long long)ps.bad_length, ngot, (unsigned long long)ps.frames);
        assert_int_equal(ps.dropped_bytes, n1);
        assert_true(got[0].hr == 65);
        assert_chunking_invariant(buf, len, 1);
    }
    /* numTLVs 0 is a valid, empty frame; unknown TLVs are counted. */
    struct ti_vs_tlv t = {1234, 4, "abcd"};
    size_t len = encode_ti_vs_frame(buf, sizeof buf, 1, &t, 0);
    len += encode_ti_vs_frame(buf + len, sizeof buf - len, 2, &t, 1);
    struct parser_stats ps = decode(buf, len, len, NULL, 0);
    assert_int_equal(ps.frames, 2);
    assert_int_equal(ps.unknown, 1);
    assert_int_equal(ngot, 0);
}

/* Times of frames numbered fn[] with the given params. */
static void frame_times(const uint32_t *fn, size_t n, const struct sensor_param *p, size_t np,
                        double *t)
{
    static uint8_t buf[16384];
    struct ti_vs_stats s = {15, 65, 5, 0.4f, 5000, 0};
    size_t len = 0;
    for (size_t i = 0; i < n; i++)
        len += encode_ti_vs_stats(buf + len, sizeof buf - len, fn[i], &s, 0, 0);
    decode(buf, len, 3, p, np);
    assert_int_equal(ngot, n);
    for (size_t i = 0; i < n; i++)
        t[i] = got[i].t;
}

static void test_frame_numbers(void **state)
{
    (void)state;
    double t[8];
    /* Wrap of the 32-bit counter is just the next frame. */
    uint32_t wrap[] = {0xfffffffeu, 0xffffffffu, 0, 1, 3, 0xfffffff0u, 2};
    frame_times(wrap, 5, NULL, 0, t);
    double want_wrap[] = {0, 0.05, 0.10, 0.15, 0.25};
    /* ... also across a gap (a reset would add one period only). */
    frame_times(wrap + 5, 2, NULL, 0, t + 5);
    assert_true(fabs(t[6] - 18 * 0.05) < 1e-9);
    for (int i = 0; i < 5; i++)
        assert_true(fabs(t[i] - want_wrap[i]) < 1e-9);
    /* Reset, repeat and absurd jump: one period on, never backwards. */
    struct sensor_param p[] = {{"frame_ms", "100"}, {"baud", "921600"}, {"pace", "realtime"}};
    uint32_t odd[] = {500, 510, 3, 4, 4, 4 + 3600 * 10 + 1, 4 + 3600 * 10 + 2};
    frame_times(odd, 7, p, 3, t);
    double want_odd[] = {0, 1.0, 1.1, 1.2, 1.3, 1.4, 1.5};
    for (int i = 0; i < 7; i++)
        if (fabs(t[i] - want_odd[i]) > 1e-9)
            fail_msg("frame %d: t %.3f, want %.3f", i, t[i], want_odd[i]);
    /* A gap of exactly one hour's frames is still a gap. */
    uint32_t gap[] = {7, 7 + 36000};
    frame_times(gap, 2, p, 1, t);
    assert_true(fabs(t[1] - 3600.0) < 1e-6);
}

static void test_params(void **state)
{
    (void)state;
    void *st = malloc(ti_vs_driver.state_size);
    char err[256];
    struct {
        struct sensor_param p;
        const char *msg;
    } bad[] = {
        {{"tlv", "12xx"}, "tlv: '12xx' (accepted: 68xx, 16xx, 14xx)"},
        {{"tlv", ""}, "tlv: ''"},
        {{"frame_ms", "0"}, "frame_ms: '0' (accepted: 1 to 10000)"},
        {{"frame_ms", "10001"}, "frame_ms"},
        {{"frame_ms", "5x"}, "frame_ms: '5x'"},
        {{"presence_energy", "-1"}, "presence_energy: '-1'"},
        {{"presence_maxval", "lots"}, "presence_maxval: 'lots'"},
        {{"colour", "red"}, "unknown parameter 'colour' (accepted: tlv, header, frame_ms"},
        {{"header", "38"}, "header: '38' (accepted: auto, 40, 36)"},
        {{"TLV", "14xx"}, "unknown parameter 'TLV'"},
    };
    for (size_t i = 0; i < WW_ARRAY_LEN(bad); i++) {
        err[0] = 0;
        assert_int_equal(ti_vs_driver.init(st, &bad[i].p, 1, err, sizeof err), -1);
        if (!strstr(err, bad[i].msg) || strncmp(err, "ti-vs: ", 7))
            fail_msg("param %s=%s: message '%s'", bad[i].p.key, bad[i].p.value, err);
    }
    struct sensor_param good[] = {{"tlv", "16xx"}, {"frame_ms", "90"},
                                  {"presence_energy", "0.5"}, {"presence_maxval", "100"},
                                  {"baud", "whatever"}, {"pace", "realtime"}};
    assert_int_equal(ti_vs_driver.init(st, good, WW_ARRAY_LEN(good), err, sizeof err), 0);
    free(st);
    assert_ptr_equal(driver_find("ti-vs"), &ti_vs_driver);
    assert_int_equal(ti_vs_driver.default_baud, 921600);
    assert_true(ti_vs_driver.default_period_s == 0.05);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_real_capture),
        cmocka_unit_test(test_real_capture_cut_and_spliced),
        cmocka_unit_test(test_stats_round_trip),
        cmocka_unit_test(test_quality_presence_and_plausibility),
        cmocka_unit_test(test_people),
        cmocka_unit_test(test_chunking_garbage_and_cuts),
        cmocka_unit_test(test_truncated_and_large_frames),
        cmocka_unit_test(test_cut_in_padding),
        cmocka_unit_test(test_lost_byte_in_last_tlv),
        cmocka_unit_test(test_impossible_lengths),
        cmocka_unit_test(test_real_capture_cut_to_256),
        cmocka_unit_test(test_hand_built_variants),
        cmocka_unit_test(test_frame_numbers),
        cmocka_unit_test(test_params),
    };
    return cmocka_run_group_tests_name("ti_vs", tests, NULL, NULL);
}
