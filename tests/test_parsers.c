/* Tests for the serial protocol parsers (ti-vs, mr60bha2, mr60bha1): real
 * capture, encoded frames, any chunking, garbage, checksums, lengths. */
#include "ww_test.h"
#include "driver.h"
#include "encode.h"
#include "mr60bha1.h"
#include "mr60bha2.h"
#include "ti_vs.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXR 4096
static struct reading got[MAXR];
static int ngot;

static void collect(void *ctx, const struct reading *r)
{
    if (ngot < MAXR)
        got[ngot] = *r;
    ngot++;
}

static void *state_for(const struct sensor_driver *d, const struct sensor_param *p, size_t n)
{
    void *st = malloc(d->state_size);
    char err[256];
    if (d->init(st, p, n, err, sizeof err) < 0)
        fail_msg("%s", err);
    return st;
}

/* Feed buf in chunks of `chunk` bytes (0: random sizes). */
static void feed_chunked(const struct sensor_driver *d, void *st, const uint8_t *buf, size_t len,
                         size_t chunk)
{
    unsigned seed = 7;
    size_t off = 0;
    while (off < len) {
        size_t n = chunk;
        if (!n) {
            seed = seed * 1103515245u + 12345u;
            n = 1 + (seed >> 16) % 700;
        }
        if (n > len - off)
            n = len - off;
        d->feed(st, buf + off, n, collect, NULL);
        off += n;
    }
}

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

static void test_ti_real_capture(void **state)
{
    const char *path = ww_test_shared_data("ti-vitals-iwr1642.bin");
    if (!path)
        skip(); /* ../shared/data is not present here */
    FILE *f = fopen(path, "rb");
    static uint8_t buf[200000];
    size_t len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    void *st = state_for(&ti_vs_driver, NULL, 0);
    ngot = 0;
    ti_vs_driver.feed(st, buf, len, collect, NULL);
    struct parser_stats ps;
    ti_vs_driver.stats(st, &ps);
    assert_int_equal(ps.frames, 248);
    assert_int_equal(ngot, 248);
    static float hr[248], rr[248];
    for (int i = 0; i < 248; i++) {
        assert_true(got[i].have & READING_RR);
        hr[i] = got[i].hr;
        rr[i] = got[i].rr;
        assert_true(got[i].quality > 0 && got[i].quality <= 1);
        assert_true(got[i].presence);
    }
    qsort(hr, 248, sizeof hr[0], cmp_float);
    qsort(rr, 248, sizeof rr[0], cmp_float);
    assert_true(fabsf(hr[124] - 105.5f) < 2);
    assert_true(fabsf(rr[124] - 14.1f) < 1);
    /* Stream time: 50 ms per frame number. */
    assert_true(fabs(got[1].t - got[0].t - 0.05) < 1e-9);
    /* Byte at a time gives the same. */
    void *st2 = state_for(&ti_vs_driver, NULL, 0);
    int first = ngot;
    feed_chunked(&ti_vs_driver, st2, buf, len, 1);
    assert_int_equal(ngot - first, 248);
    assert_true(got[first + 100].hr == got[100].hr);
    free(st);
    free(st2);
}

/* A generated ti-vs stream: n frames with garbage between some of them. */
static size_t make_ti_stream(uint8_t *buf, size_t cap, int n, int garbage)
{
    size_t off = 0;
    for (int i = 0; i < n; i++) {
        struct ti_vs_stats s = {12.0f + i % 10, 60.0f + i % 50, 5, 0.4f, 5000, 0};
        off += encode_ti_vs_stats(buf + off, cap - off, 1000 + (uint32_t)i, &s, 0, i % 3 ? 0 : 16);
        if (garbage && i % 7 == 3) {
            for (int k = 0; k < 37; k++)
                buf[off++] = (uint8_t)(k * 11 + 2); /* includes 0x02 bytes */
        }
    }
    return off;
}

static void test_ti_chunking_and_garbage(void **state)
{
    static uint8_t buf[400000];
    size_t len = make_ti_stream(buf, sizeof buf, 500, 1);
    size_t chunks[] = {len, 1, 7, 288, 0};
    float first_hr[3] = {0};
    for (size_t c = 0; c < 5; c++) {
        void *st = state_for(&ti_vs_driver, NULL, 0);
        ngot = 0;
        feed_chunked(&ti_vs_driver, st, buf, len, chunks[c]);
        assert_int_equal(ngot, 500);
        struct parser_stats ps;
        ti_vs_driver.stats(st, &ps);
        assert_int_equal(ps.frames, 500);
        assert_true(ps.dropped_bytes >= 71 * 37);
        if (c == 0) {
            first_hr[0] = got[0].hr;
            first_hr[1] = got[250].hr;
            first_hr[2] = (float)got[499].t;
        } else {
            assert_true(got[0].hr == first_hr[0] && got[250].hr == first_hr[1]);
            assert_true((float)got[499].t == first_hr[2]);
        }
        free(st);
    }
}

static void test_ti_cut_frames_and_lengths(void **state)
{
    static uint8_t buf[10000];
    struct ti_vs_stats s = {16, 70, 5, 0.4f, 5000, 0};
    size_t a = encode_ti_vs_stats(buf, sizeof buf, 1, &s, 0, 0);
    /* A frame cut short: the next frame's magic appears inside it. */
    size_t cut = a - 40;
    size_t b = encode_ti_vs_stats(buf + cut, sizeof buf - cut, 2, &s, 0, 0);
    size_t len = cut + b;
    /* Impossible length. */
    size_t c = encode_ti_vs_stats(buf + len, sizeof buf - len, 3, &s, 0, 0);
    buf[len + 12] = 0xff;
    buf[len + 13] = 0xff;
    buf[len + 14] = 0xff;
    len += c;
    len += encode_ti_vs_stats(buf + len, sizeof buf - len, 4, &s, 0, 0);
    void *st = state_for(&ti_vs_driver, NULL, 0);
    ngot = 0;
    ti_vs_driver.feed(st, buf, len, collect, NULL);
    struct parser_stats ps;
    ti_vs_driver.stats(st, &ps);
    assert_int_equal(ngot, 2);
    assert_int_equal(ps.bad_frame, 1);
    assert_true(ps.bad_length >= 1);
    /* TLV length past the packet: counted, nothing read past it. */
    size_t d = encode_ti_vs_stats(buf, sizeof buf, 9, &s, 0, 0);
    buf[44] = 0xff; /* TLV 6 length = huge */
    ngot = 0;
    ti_vs_driver.feed(st, buf, d, collect, NULL);
    assert_int_equal(ngot, 0);
    free(st);
}

static void test_ti_frame_number_reset_and_params(void **state)
{
    static uint8_t buf[4000];
    struct ti_vs_stats s = {16, 70, 5, 0.4f, 5000, 0};
    size_t len = 0;
    uint32_t fn[] = {100, 101, 103, 5, 6};
    for (int i = 0; i < 5; i++)
        len += encode_ti_vs_stats(buf + len, sizeof buf - len, fn[i], &s, 1, 0);
    struct sensor_param p[] = {{"tlv", "14xx"}, {"frame_ms", "100"}};
    void *st = state_for(&ti_vs_driver, p, 2);
    ngot = 0;
    ti_vs_driver.feed(st, buf, len, collect, NULL);
    assert_int_equal(ngot, 5);
    assert_true(fabs(got[2].t - 0.3) < 1e-9);
    assert_true(fabs(got[3].t - 0.4) < 1e-9); /* reset: never backwards */
    assert_true(fabs(got[4].t - 0.5) < 1e-9);
    /* Default numbering does not take TLV 0 as stats. */
    void *st2 = state_for(&ti_vs_driver, NULL, 0);
    ngot = 0;
    ti_vs_driver.feed(st2, buf, len, collect, NULL);
    assert_int_equal(ngot, 0);
    char err[256];
    struct sensor_param bad[] = {{"tlv", "12xx"}};
    assert_int_equal(ti_vs_driver.init(st2, bad, 1, err, sizeof err), -1);
    assert_non_null(strstr(err, "tlv"));
    struct sensor_param unk[] = {{"colour", "red"}};
    assert_int_equal(ti_vs_driver.init(st2, unk, 1, err, sizeof err), -1);
    assert_non_null(strstr(err, "unknown parameter 'colour'"));
    free(st);
    free(st2);
}

static void test_ti_people(void **state)
{
    static uint8_t buf[4000];
    struct ti_vs_person pp[3] = {{1, 0.5f, 72, 14}, {2, 0.0f, 0, 0}, {7, 0.3f, 110, 26}};
    size_t len = encode_ti_vs_people(buf, sizeof buf, 1, pp, 3);
    void *st = state_for(&ti_vs_driver, NULL, 0);
    ngot = 0;
    ti_vs_driver.feed(st, buf, len, collect, NULL);
    assert_int_equal(ngot, 3);
    assert_true((got[0].have & READING_ID) && got[0].id == 1 && got[0].rr == 14);
    assert_false(got[1].presence);
    assert_false(got[1].have & READING_RR);
    assert_int_equal(got[2].id, 7);
    assert_true(got[2].hr == 110);
    free(st);
}

static void test_mr60bha2(void **state)
{
    static uint8_t buf[20000];
    size_t len = 0;
    for (int i = 0; i < 100; i++) {
        len += encode_mr60bha2_f32(buf + len, sizeof buf - len, (uint16_t)i, MR60BHA2_BREATH,
                                   15.0f + i % 5);
        len += encode_mr60bha2_f32(buf + len, sizeof buf - len, (uint16_t)i, MR60BHA2_HEART, 70);
        uint8_t dist[8] = {1, 0, 0, 0};
        float cm = 80;
        memcpy(dist + 4, &cm, 4);
        len += encode_mr60bha2(buf + len, sizeof buf - len, 1, MR60BHA2_DISTANCE, dist, 8);
        if (i % 10 == 0)
            buf[len++] = 0x01; /* a stray SOF */
    }
    /* A bad data checksum, a bad header checksum, a zero rate, an unknown type. */
    size_t k = encode_mr60bha2_f32(buf + len, sizeof buf - len, 1, MR60BHA2_HEART, 99);
    buf[len + k - 1] ^= 0x55;
    len += k;
    k = encode_mr60bha2_f32(buf + len, sizeof buf - len, 1, MR60BHA2_HEART, 98);
    buf[len + 7] ^= 0x55;
    len += k;
    len += encode_mr60bha2_f32(buf + len, sizeof buf - len, 1, MR60BHA2_BREATH, 0);
    len += encode_mr60bha2(buf + len, sizeof buf - len, 1, MR60BHA2_FIRMWARE, "v1", 2);
    size_t chunks[] = {len, 1, 0};
    for (int c = 0; c < 3; c++) {
        void *st = state_for(&mr60bha2_driver, NULL, 0);
        ngot = 0;
        feed_chunked(&mr60bha2_driver, st, buf, len, chunks[c]);
        struct parser_stats ps;
        mr60bha2_driver.stats(st, &ps);
        assert_int_equal(ngot, 300);
        assert_int_equal(ps.bad_checksum, 1); /* the data checksum; a bad header is hunted over */
        assert_true(ps.dropped_bytes >= 10 + 13);
        assert_int_equal(ps.unknown, 1);
        assert_true(got[0].have == READING_RR && got[0].rr == 15);
        assert_true(got[1].hr == 70);
        assert_true(got[2].distance_cm == 80);
        assert_true(fabs(got[3].t - 0.375) < 1e-9);
        free(st);
    }
    /* The valid flag's polarity is configurable. */
    struct sensor_param p[] = {{"distance_valid", "0"}};
    void *st = state_for(&mr60bha2_driver, p, 1);
    ngot = 0;
    mr60bha2_driver.feed(st, buf, len, collect, NULL);
    assert_int_equal(ngot, 200);
    free(st);
}

static void test_mr60bha1(void **state)
{
    static uint8_t buf[4000];
    size_t len = 0;
    uint8_t v;
    v = 1;
    len += encode_mr60bha1(buf + len, sizeof buf - len, 0x80, 0x01, &v, 1);
    v = 17;
    len += encode_mr60bha1(buf + len, sizeof buf - len, 0x81, 0x02, &v, 1);
    buf[len++] = 0x53; /* garbage that looks like a start */
    buf[len++] = 0x00;
    v = 66;
    len += encode_mr60bha1(buf + len, sizeof buf - len, 0x85, 0x02, &v, 1);
    uint8_t d[2] = {0, 120};
    len += encode_mr60bha1(buf + len, sizeof buf - len, 0x80, 0x04, d, 2);
    v = 2;
    len += encode_mr60bha1(buf + len, sizeof buf - len, 0x80, 0x02, &v, 1);
    size_t k = encode_mr60bha1(buf + len, sizeof buf - len, 0x85, 0x02, &v, 1);
    buf[len + 6] ^= 1; /* bad sum */
    len += k;
    size_t chunks[] = {len, 1, 0};
    for (int c = 0; c < 3; c++) {
        void *st = state_for(&mr60bha1_driver, NULL, 0);
        ngot = 0;
        feed_chunked(&mr60bha1_driver, st, buf, len, chunks[c]);
        assert_int_equal(ngot, 5);
        assert_true(got[0].presence);
        assert_true(got[1].rr == 17);
        assert_true(got[2].hr == 66);
        assert_true(got[3].distance_cm == 120);
        assert_true(got[4].motion);
        struct parser_stats ps;
        mr60bha1_driver.stats(st, &ps);
        assert_int_equal(ps.bad_checksum, 1);
        free(st);
    }
    /* Firmware with HR under 81.02 and RR under 81.05. */
    struct sensor_param p[] = {{"hr", "81.02"}, {"rr", "81.05"}};
    void *st = state_for(&mr60bha1_driver, p, 2);
    ngot = 0;
    mr60bha1_driver.feed(st, buf, len, collect, NULL);
    assert_true(got[1].have == READING_HR && got[1].hr == 17);
    char err[256];
    struct sensor_param bad[] = {{"rr", "8102"}};
    assert_int_equal(mr60bha1_driver.init(st, bad, 1, err, sizeof err), -1);
    assert_non_null(strstr(err, "CTRL.CMD"));
    free(st);
    assert_ptr_equal(driver_find("mr60bha1"), &mr60bha1_driver);
    assert_null(driver_find("nope"));
}

/* The JSON numbers of probe --json are formatted by hand for speed (#18):
 * they must be printf's "%.Nf" digit for digit, ties, signs, huge and
 * non-finite values included. */
static void test_json_numbers_match_printf(void **state)
{
    (void)state;
    static const double fixed[] = {0,      -0.0,    0.125,   0.375,  2.675,  1.005,   -0.001,
                                   -0.005, 0.0005,  0.00005, 14.065, 99.995, 299.995, 1e11,
                                   1e12,   1e13,    -1e15,   1e300,  NAN,    -NAN,    INFINITY,
                                   -INFINITY, 3.4028234663852886e38, 1.4e-45, 12.3505, 0.5, 1.5,
                                   2.5};
    char a[512], b[512];
    uint64_t seed = 1;
    for (size_t i = 0; i < WW_ARRAY_LEN(fixed) + 300000; i++) {
        double v;
        if (i < WW_ARRAY_LEN(fixed)) {
            v = fixed[i];
        } else {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            uint32_t u = (uint32_t)(seed >> 32);
            float f;
            memcpy(&f, &u, 4);
            /* Random bit patterns, and values on the grids that tie. */
            v = i % 3 == 0 ? (double)f : i % 3 == 1 ? (double)(u % 2000000) / 8000.0 - 100
                                                    : (double)(float)((u % 400000) / 1000.0);
        }
        for (int prec = 0; prec <= 4; prec++) {
            snprintf(a, sizeof a, "%.*f", prec, v);
            char *e = reading_put_fixed(b, v, prec);
            *e = 0;
            if (strcmp(a, b) != 0)
                fail_msg("%.17g with %d decimals: printf %s, ours %s", v, prec, a, b);
        }
    }
    struct reading r = {.t = 12.35, .have = READING_RR | READING_ID | READING_PHASE, .rr = 14.065f,
                        .id = 4000000000u, .phase_total = -0.00005f};
    char line[READING_JSON_MAX];
    size_t n = reading_json_line(&r, line);
    char fields[400];
    reading_json_fields(&r, fields, sizeof fields);
    snprintf(a, sizeof a, "{\"t\":%.3f%s}\n", r.t, fields);
    snprintf(b, sizeof b, "{\"t\":%.3f,\"id\":%u,\"rr\":%.2f,\"phase\":[%.4f,%.4f,%.4f]}\n",
             r.t, r.id, r.rr, r.phase_total, r.phase_breath, r.phase_heart);
    assert_int_equal(n, strlen(b));
    assert_memory_equal(line, b, n);
    assert_string_equal(a, b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ti_real_capture),
        cmocka_unit_test(test_ti_chunking_and_garbage),
        cmocka_unit_test(test_ti_cut_frames_and_lengths),
        cmocka_unit_test(test_ti_frame_number_reset_and_params),
        cmocka_unit_test(test_ti_people),
        cmocka_unit_test(test_mr60bha2),
        cmocka_unit_test(test_mr60bha1),
        cmocka_unit_test(test_json_numbers_match_printf),
    };
    return cmocka_run_group_tests_name("parsers", tests, NULL, NULL);
}
