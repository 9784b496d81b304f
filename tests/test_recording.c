/* Tests for sensors/recording: round trip, damage detection with offsets. */
#include "ww_test.h"
#include "recording.h"
#include "source.h"

#include <math.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char path[4200];
static char *dir;

static int setup(void **state)
{
    dir = ww_test_tmpdir();
    snprintf(path, sizeof path, "%s/r.wwrec", dir);
    return 0;
}

static int teardown(void **state)
{
    ww_test_rmtree(dir);
    free(dir);
    return 0;
}

/* Write a two-stream recording with n byte chunks. */
static void write_sample(int n)
{
    char err[256];
    struct rec_writer *w = rec_writer_open(path, true, err, sizeof err);
    assert_non_null(w);
    struct rec_stream s = {.kind = REC_KIND_BYTES};
    strcpy(s.uri, "ti-vs:usb:0451:bef3:R1A");
    strcpy(s.label, "Rom 1 vindu æøå");
    assert_int_equal(rec_write_stream(w, 0, &s, 0, err, sizeof err), 0);
    struct rec_stream q = {.kind = REC_KIND_IQ, .fs_hz = 100, .wavelength_mm = 5.0};
    strcpy(q.uri, "iio:local:?device=cw-radar");
    strcpy(q.label, "Rom 2");
    assert_int_equal(rec_write_stream(w, 3, &q, 0, err, sizeof err), 0);
    for (int i = 0; i < n; i++) {
        uint8_t b[10];
        memset(b, i, sizeof b);
        assert_int_equal(rec_write_chunk(w, REC_BYTES, 0, (uint64_t)i * 1000, b, sizeof b, err,
                                         sizeof err),
                         0);
    }
    float iq[4] = {1, 2, 3, 4};
    assert_int_equal(rec_write_chunk(w, REC_IQ, 3, (uint64_t)n * 1000, iq, sizeof iq, err,
                                     sizeof err),
                     0);
    assert_int_equal(rec_write_event(w, 0, (uint64_t)n * 1000, REC_EV_DISCONNECT, "unplugged",
                                     err, sizeof err),
                     0);
    assert_int_equal(rec_writer_close(w, (uint64_t)n * 1000, err, sizeof err), 0);
}

static void test_round_trip(void **state)
{
    char err[256];
    write_sample(5);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    struct rec_reader *r = rec_reader_open(path, err, sizeof err);
    assert_non_null(r);
    struct rec_chunk c;
    int bytes = 0, iq = 0, ev = 0, streams = 0;
    int rc;
    while ((rc = rec_next(r, &c, err, sizeof err)) == 1) {
        if (c.type == REC_STREAM)
            streams++;
        if (c.type == REC_BYTES) {
            assert_int_equal(c.len, 10);
            assert_int_equal(c.data[0], bytes);
            assert_int_equal(c.t_us, (uint64_t)bytes * 1000);
            bytes++;
        }
        if (c.type == REC_IQ) {
            float f[4];
            memcpy(f, c.data, sizeof f);
            assert_true(f[3] == 4.0f);
            iq++;
        }
        if (c.type == REC_EVENT) {
            assert_int_equal(c.data[0], REC_EV_DISCONNECT);
            assert_string_equal((const char *)c.data + 1, "unplugged");
            ev++;
        }
    }
    assert_int_equal(rc, 0);
    assert_int_equal(streams, 2);
    assert_int_equal(bytes, 5);
    assert_int_equal(iq, 1);
    assert_int_equal(ev, 1);
    assert_false(rec_truncated(r));
    const struct rec_stream *s = rec_stream(r, 0);
    assert_non_null(s);
    assert_string_equal(s->label, "Rom 1 vindu æøå");
    assert_null(rec_stream(r, 1));
    assert_true(rec_stream(r, 3)->fs_hz == 100.0);
    /* Rewind replays from the start. */
    assert_int_equal(rec_rewind(r, err, sizeof err), 0);
    assert_int_equal(rec_next(r, &c, err, sizeof err), 1);
    assert_int_equal(c.type, REC_STREAM);
    rec_reader_close(r);
}

/* Flip one byte at offset off and read: earlier chunks survive. */
static void test_corruption_names_offset(void **state)
{
    char err[256];
    write_sample(5);
    /* Chunk layout: header 16; stream decl; stream decl; byte chunks of 30. */
    struct rec_reader *r = rec_reader_open(path, err, sizeof err);
    struct rec_chunk c;
    uint64_t third = 0;
    int k = 0;
    while (rec_next(r, &c, err, sizeof err) == 1)
        if (c.type == REC_BYTES && k++ == 2)
            third = c.offset;
    rec_reader_close(r);
    assert_true(third > 0);
    FILE *f = fopen(path, "r+b");
    fseek(f, (long)third + 17, SEEK_SET);
    fputc(0x55, f);
    fclose(f);
    r = rec_reader_open(path, err, sizeof err);
    int bytes = 0, rc;
    while ((rc = rec_next(r, &c, err, sizeof err)) == 1)
        if (c.type == REC_BYTES)
            bytes++;
    assert_int_equal(rc, -1);
    assert_int_equal(bytes, 2);
    char want[64];
    snprintf(want, sizeof want, "offset %llu", (unsigned long long)third);
    assert_non_null(strstr(err, want));
    assert_non_null(strstr(err, "checksum"));
    rec_reader_close(r);
}

static void test_truncation(void **state)
{
    char err[256];
    write_sample(5);
    struct stat st;
    stat(path, &st);
    /* Cut inside the last chunk: an error naming the offset after good data. */
    assert_int_equal(truncate(path, st.st_size - 25), 0);
    struct rec_reader *r = rec_reader_open(path, err, sizeof err);
    struct rec_chunk c;
    int n = 0, rc;
    while ((rc = rec_next(r, &c, err, sizeof err)) == 1)
        n++;
    assert_int_equal(rc, -1);
    assert_non_null(strstr(err, "cut short"));
    assert_true(n >= 7);
    rec_reader_close(r);
    /* Cut on a chunk boundary (END missing): clean end, flagged truncated. */
    write_sample(5);
    stat(path, &st);
    assert_int_equal(truncate(path, st.st_size - REC_CHUNK_OVERHEAD), 0);
    r = rec_reader_open(path, err, sizeof err);
    n = 0;
    while ((rc = rec_next(r, &c, err, sizeof err)) == 1)
        n++;
    assert_int_equal(rc, 0);
    assert_true(rec_truncated(r));
    assert_int_equal(n, 9);
    rec_reader_close(r);
}

static void test_bad_header_and_version(void **state)
{
    char err[256];
    ww_test_write_file(path, "not a recording at all");
    assert_null(rec_reader_open(path, err, sizeof err));
    assert_non_null(strstr(err, "not a wardwatch recording"));
    write_sample(1);
    FILE *f = fopen(path, "r+b");
    fseek(f, 8, SEEK_SET);
    fputc(9, f); /* version 9 with a fixed-up CRC */
    uint8_t h[12];
    fseek(f, 0, SEEK_SET);
    assert_int_equal(fread(h, 1, 12, f), 12);
    uint32_t crc = rec_crc32(0, h, 12);
    fseek(f, 12, SEEK_SET);
    for (int i = 0; i < 4; i++)
        fputc((crc >> (8 * i)) & 0xFF, f);
    fclose(f);
    assert_null(rec_reader_open(path, err, sizeof err));
    assert_non_null(strstr(err, "version 9"));
    /* Refuses to overwrite without being told to. */
    assert_null(rec_writer_open(path, false, err, sizeof err));
}

/* A version 1 file (the clock byte was reserved, 0) still reads, its
 * streams' clock unstated; a clock that does not exist is damage. */
static void test_version1_and_clock(void **state)
{
    char err[256];
    write_sample(2);
    FILE *f = fopen(path, "r+b");
    fseek(f, 8, SEEK_SET);
    fputc(1, f);
    uint8_t h[12];
    fseek(f, 0, SEEK_SET);
    assert_int_equal(fread(h, 1, 12, f), 12);
    uint32_t crc = rec_crc32(0, h, 12);
    fseek(f, 12, SEEK_SET);
    for (int i = 0; i < 4; i++)
        fputc((crc >> (8 * i)) & 0xFF, f);
    fclose(f);
    struct rec_reader *r = rec_reader_open(path, err, sizeof err);
    assert_non_null(r);
    struct rec_chunk c;
    int n = 0, rc;
    while ((rc = rec_next(r, &c, err, sizeof err)) == 1)
        n++;
    assert_int_equal(rc, 0);
    assert_true(n >= 4);
    assert_int_equal(rec_stream(r, 0)->clock, REC_CLOCK_UNSTATED);
    rec_reader_close(r);

    uint8_t buf[64] = {REC_KIND_BYTES, REC_CLOCK_STREAM};
    memcpy(buf + 20, "ti-vs:x\0\0\0", 10);
    struct rec_stream st;
    assert_int_equal(rec_decode_stream(buf, 30, &st, err, sizeof err), 0);
    assert_int_equal(st.clock, REC_CLOCK_STREAM);
    buf[1] = REC_CLOCK_MAX + 1;
    assert_int_equal(rec_decode_stream(buf, 30, &st, err, sizeof err), -1);
    assert_non_null(strstr(err, "clock"));
}

/* Recording a capture the way `wardwatch record` does, then replaying it. */
struct clk {
    struct rec_writer *w;
    struct source *src;
    double last_piece_t;
    bool backwards;
    struct reading r[400];
    size_t n;
};

static void clk_raw(void *ctx, const uint8_t *buf, size_t n)
{
    struct clk *k = ctx;
    double t = source_time(k->src);
    char err[256];
    if (t < k->last_piece_t)
        k->backwards = true;
    k->last_piece_t = t;
    /* The piece's time is never before its readings'. */
    if (k->n && k->r[k->n - 1].t > t + 1e-9)
        k->backwards = true;
    assert_int_equal(rec_write_chunk(k->w, REC_BYTES, 0, (uint64_t)llround(t * 1e6), buf, n,
                                     err, sizeof err),
                     0);
}

static void clk_reading(void *ctx, const struct reading *r)
{
    struct clk *k = ctx;
    if (k->n < 400)
        k->r[k->n++] = *r;
}

static void clk_status(void *ctx, enum source_status st, const char *d)
{
    (void)ctx, (void)st, (void)d;
}

/* #18: a capture is timed by its own clock (TI frame numbers at 50 ms),
 * not by its bytes at 921600 baud (71 424 bytes would be 0.78 s, not the
 * 12.35 s the 248 frames span); the recording says so, and a replay
 * delivers each reading at its stream time. */
static void test_capture_keeps_stream_clock(void **state)
{
    const char *cap = ww_test_shared_data("ti-vitals-iwr1642.bin");
    if (!cap) {
        print_message("# SKIP: ../shared/data/ti-vitals-iwr1642.bin not present\n");
        skip();
    }
    char uri[8400], err[512];
    snprintf(uri, sizeof uri, "ti-vs:file:%s", cap);
    static struct clk k;
    memset(&k, 0, sizeof k);
    k.w = rec_writer_open(path, true, err, sizeof err);
    assert_non_null(k.w);
    struct source_cb cb = {.reading = clk_reading, .status = clk_status, .raw = clk_raw};
    struct source_opts o = {0};
    k.src = source_open(uri, &o, NULL, &cb, &k, err, sizeof err);
    assert_non_null(k.src);
    assert_int_equal(source_clock(k.src), REC_CLOCK_STREAM);
    struct rec_stream rs = {.kind = REC_KIND_BYTES, .clock = source_clock(k.src)};
    strcpy(rs.uri, uri);
    assert_int_equal(rec_write_stream(k.w, 0, &rs, 0, err, sizeof err), 0);
    while (source_pump(k.src, 1e12, err, sizeof err) == 0)
        ;
    assert_int_equal(k.n, 248);
    assert_false(k.backwards);
    print_message("# capture: stream time %.3f s after %zu readings\n", source_time(k.src), k.n);
    assert_true(fabs(source_time(k.src) - 247 * 0.05) < 1e-6);
    assert_true(fabs(k.last_piece_t - 247 * 0.05) < 1e-6);
    assert_int_equal(rec_writer_close(k.w, (uint64_t)llround(source_time(k.src) * 1e6), err,
                                      sizeof err),
                     0);
    source_close(k.src);
    static struct reading probe[248];
    memcpy(probe, k.r, sizeof probe);

    /* Replay in 1 s steps: readings arrive by their stream time, the same
     * readings at the same times as from the capture. */
    snprintf(uri, sizeof uri, "replay:%s", path);
    cb.raw = NULL;
    k.n = 0;
    k.src = source_open(uri, &o, NULL, &cb, &k, err, sizeof err);
    assert_non_null(k.src);
    assert_int_equal(source_clock(k.src), REC_CLOCK_STREAM);
    int rc = 0;
    for (double until = 1; rc == 0; until += 1) {
        rc = source_pump(k.src, until, err, sizeof err);
        assert_true(rc >= 0);
        for (size_t i = 0; i < k.n; i++)
            assert_true(k.r[i].t <= until + 1e-9); /* nothing early */
        if (rc == 0) /* nothing later than a piece (4 KiB, 14 frames) behind */
            assert_true(k.n > 0 && k.r[k.n - 1].t > until - 1.0);
    }
    assert_int_equal(k.n, 248);
    for (size_t i = 0; i < 248; i++)
        assert_true(k.r[i].t == probe[i].t && k.r[i].rr == probe[i].rr &&
                    k.r[i].hr == probe[i].hr && k.r[i].have == probe[i].have);
    source_close(k.src);
}

static void test_decode_rejects_garbage(void **state)
{
    char err[128];
    struct rec_chunk c;
    uint8_t buf[64] = {2, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0x7F};
    assert_int_equal(rec_decode_chunk(buf, sizeof buf, &c, err, sizeof err), -1);
    assert_non_null(strstr(err, "impossible chunk length"));
    uint8_t small[8] = {2};
    assert_int_equal(rec_decode_chunk(small, sizeof small, &c, err, sizeof err), 0);
    uint8_t bad_type[20] = {77};
    assert_int_equal(rec_decode_chunk(bad_type, sizeof bad_type, &c, err, sizeof err), -1);
    struct rec_stream s;
    uint8_t decl[24] = {REC_KIND_BYTES, 0, 0, 0};
    assert_int_equal(rec_decode_stream(decl, 20, &s, err, sizeof err), -1); /* no strings */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_corruption_names_offset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_header_and_version, setup, teardown),
        cmocka_unit_test(test_decode_rejects_garbage),
        cmocka_unit_test_setup_teardown(test_version1_and_clock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_capture_keeps_stream_clock, setup, teardown),
    };
    return cmocka_run_group_tests_name("recording", tests, NULL, NULL);
}
