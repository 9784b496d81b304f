/* Tests for src/proto: frames, every message round-tripped, the exact bytes
 * of a HELLO (the documented wire format), and refusals: bad lengths,
 * truncation, trailing bytes, wrong types, long or NUL-bearing strings, enum
 * values out of range, encoder overflow. */
#include "ww_test.h"
#include "proto.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static uint8_t buf[PROTO_MAX_FRAME * 2];

static struct proto_buf fresh(void)
{
    return (struct proto_buf){buf, 0, sizeof buf, 0, false};
}

static void test_hello_bytes(void **state)
{
    struct proto_buf b = fresh();
    struct proto_hello h = {PROTO_MAGIC, PROTO_VERSION, "0.1.0", "st"};
    assert_int_equal(proto_put_hello(&b, &h), 0);
    static const uint8_t want[] = {0, 0, 0,   18,  0x01, 'W', 'W', 'R', 'D', 0,   8,
                                   0, 5, '0', '.', '1',  '.', '0', 0,   2,   's', 't'};
    assert_int_equal(b.len, sizeof want);
    assert_memory_equal(buf, want, sizeof want);
    size_t fl;
    assert_int_equal(proto_frame(buf, b.len, &fl), 1);
    assert_int_equal(fl, b.len);
    struct proto_hello g;
    assert_int_equal(proto_get_hello(buf, fl, &g), 0);
    assert_int_equal(g.magic, PROTO_MAGIC);
    assert_int_equal(g.version, PROTO_VERSION);
    assert_string_equal(g.software, "0.1.0");
    assert_string_equal(g.name, "st");
}

static void test_frame_lengths(void **state)
{
    size_t fl = 0;
    uint8_t zero[] = {0, 0, 0, 0, 1};
    assert_int_equal(proto_frame(zero, sizeof zero, &fl), -1);
    uint8_t huge[] = {0xff, 0xff, 0xff, 0xff, 1};
    assert_int_equal(proto_frame(huge, sizeof huge, &fl), -1);
    uint8_t justover[] = {0, 1, 0, 0, 1}; /* 65536 body bytes: over by the header */
    assert_int_equal(proto_frame(justover, sizeof justover, &fl), -1);
    uint8_t max[] = {0, 0, 0xff, 0xfc, 1}; /* 65532 + 4 = PROTO_MAX_FRAME: fine, needs more */
    assert_int_equal(proto_frame(max, sizeof max, &fl), 0);
    assert_int_equal(proto_frame(max, 3, &fl), 0);
    /* A stream of two frames fed a byte at a time splits exactly. */
    struct proto_buf b = fresh();
    assert_int_equal(proto_put_synced(&b), 0);
    struct proto_bye bye = {"stopping"};
    assert_int_equal(proto_put_bye(&b, &bye), 0);
    size_t off = 0;
    int frames = 0;
    for (size_t have = 1; have <= b.len; have++) {
        int k = proto_frame(buf + off, have - off, &fl);
        assert_true(k >= 0);
        if (k == 1) {
            frames++;
            if (frames == 1)
                assert_int_equal(proto_get_synced(buf + off, fl), 0);
            else {
                struct proto_bye g;
                assert_int_equal(proto_get_bye(buf + off, fl, &g), 0);
                assert_string_equal(g.reason, "stopping");
            }
            off += fl;
        }
    }
    assert_int_equal(frames, 2);
    assert_int_equal(off, b.len);
}

/* A bed with something in every field on the wire. */
static void sample_bed(struct ward_bed *b)
{
    memset(b, 0, sizeof *b);
    b->number = 12;
    strcpy(b->label, "Rom 6 dør");
    b->admitted = true;
    b->admission_id = 4711;
    strcpy(b->patient_ref, "P-0042");
    b->admitted_at = 1796150000000LL;
    strcpy(b->admission_note, "line one\nline two");
    b->scale2 = true;
    strcpy(b->scale2_by, "Dr Berg");
    b->scale2_at = 1796150001000LL;
    b->limits = (struct alarm_limits){6, 28, 45, 120, 2, 5};
    strcpy(b->limits_reason, "COPD, agreed with Dr Berg");
    b->sensor = WSENS_NO_SIGNAL;
    b->sensor_since = 1796150002000LL;
    strcpy(b->sensor_detail, "no valid readings");
    b->last_reading_ms = 1796150003000LL;
    b->quality = 0.75f;
    b->present = true;
    b->motion = true;
    for (int p = 0; p < NEWS2_NPARAMS; p++) {
        b->param[p].have = p != NEWS2_TEMP;
        b->param[p].value = 10.5 + p;
        b->param[p].t_ms = 1796150000000LL + p;
        b->param[p].automatic = p == NEWS2_RR || p == NEWS2_HR;
        b->param[p].stale = p == NEWS2_SBP;
        if (!b->param[p].automatic)
            strcpy(b->param[p].by, "ÅS");
    }
    b->score_valid = true;
    b->score.total = 9;
    for (int p = 0; p < NEWS2_NPARAMS; p++)
        b->score.points[p] = p == NEWS2_TEMP ? -1 : p % 4;
    b->score.red = true;
    b->score.partial = true;
    b->score.band = NEWS2_BAND_HIGH;
    b->score.level = NEWS2_LEVEL_HIGH;
    b->score.missing = 1u << NEWS2_TEMP;
    b->score.stale = 1u << NEWS2_SBP;
    b->score.lower_bound = 1u << NEWS2_SPO2;
    b->score.monitoring_h = 0.5;
    b->last_complete_ms = 1796149000000LL;
    b->obs_due_ms = 1796151800000LL;
    b->obs_overdue = true;
    b->trend_rr = 1;
    b->trend_hr = -1;
    alarm_bed_init(&b->alarms);
    struct alarm *a = &b->alarms.a[AC_RR_HIGH];
    a->state = AS_ACTIVE;
    a->acked = true;
    a->id = 77;
    a->raised_at = 1796150000500LL;
    a->acked_at = 1796150010500LL;
    a->last_alert_at = 1796150000500LL;
    strcpy(a->acked_by, "KN");
    a->trig_value = 27; /* RR 27 >= 25 (version 6) */
    a->trig_limit = 25;
    a = &b->alarms.a[AC_APNOEA];
    a->trig_value = a->trig_limit = NAN; /* technical: nothing crossed */
    a->state = AS_LATCHED;
    a->escalated = true;
    a->id = -3;
    a->raised_at = 1796150020000LL;
    hist_clear(&b->h_rr);
    hist_clear(&b->h_hr);
    hist_clear(&b->h_news2);
}

static void test_bed_round_trip(void **state)
{
    static struct ward_bed in, out;
    sample_bed(&in);
    int64_t now = 1796150040000LL;
    hist_add(&in.h_rr, now, 24);
    hist_add(&in.h_rr, now - 1000, 26);
    hist_add(&in.h_news2, now, 9);
    struct proto_buf b = fresh();
    assert_int_equal(proto_put_bed(&b, 11, &in, now), 0);
    memset(&out, 0x5a, sizeof out);
    hist_clear(&out.h_rr);
    hist_clear(&out.h_hr);
    hist_clear(&out.h_news2);
    uint32_t idx;
    struct proto_minute mi;
    assert_int_equal(proto_get_bed(buf, b.len, &idx, &out, &mi), 0);
    proto_minute_apply(&mi, &out);
    assert_int_equal(idx, 11);
    assert_int_equal(out.number, 12);
    assert_string_equal(out.label, "Rom 6 dør");
    assert_true(out.admitted && out.scale2 && out.score_valid && out.obs_overdue);
    assert_true(out.present && out.motion);
    assert_int_equal(out.admission_id, 4711);
    assert_string_equal(out.patient_ref, "P-0042");
    assert_string_equal(out.admission_note, "line one\nline two");
    assert_string_equal(out.scale2_by, "Dr Berg");
    assert_true(out.limits.rr_low == 6 && out.limits.hr_high == 120 && out.limits.hr_hyst == 5);
    assert_string_equal(out.limits_reason, "COPD, agreed with Dr Berg");
    assert_int_equal(out.sensor, WSENS_NO_SIGNAL);
    assert_string_equal(out.sensor_detail, "no valid readings");
    assert_true(out.quality == 0.75f);
    for (int p = 0; p < NEWS2_NPARAMS; p++) {
        assert_int_equal(out.param[p].have, in.param[p].have);
        assert_true(out.param[p].value == in.param[p].value);
        assert_int_equal(out.param[p].t_ms, in.param[p].t_ms);
        assert_int_equal(out.param[p].automatic, in.param[p].automatic);
        assert_int_equal(out.param[p].stale, in.param[p].stale);
        assert_string_equal(out.param[p].by, in.param[p].by);
        assert_int_equal(out.score.points[p], in.score.points[p]);
    }
    assert_int_equal(out.score.total, 9);
    assert_true(out.score.red && out.score.partial);
    assert_int_equal(out.score.band, NEWS2_BAND_HIGH);
    assert_int_equal(out.score.level, NEWS2_LEVEL_HIGH);
    assert_int_equal(out.score.missing, in.score.missing);
    assert_int_equal(out.score.stale, in.score.stale);
    assert_int_equal(out.score.lower_bound, in.score.lower_bound);
    assert_true(out.score.monitoring_h == 0.5);
    assert_int_equal(out.obs_due_ms, in.obs_due_ms);
    assert_int_equal(out.trend_rr, 1);
    assert_int_equal(out.trend_hr, -1);
    for (int c = 0; c < AC_COUNT; c++) {
        assert_int_equal(out.alarms.a[c].state, in.alarms.a[c].state);
        assert_int_equal(out.alarms.a[c].acked, in.alarms.a[c].acked);
        assert_int_equal(out.alarms.a[c].escalated, in.alarms.a[c].escalated);
        assert_int_equal(out.alarms.a[c].id, in.alarms.a[c].id);
        assert_int_equal(out.alarms.a[c].raised_at, in.alarms.a[c].raised_at);
        assert_string_equal(out.alarms.a[c].acked_by, in.alarms.a[c].acked_by);
    }
    assert_true(out.alarms.a[AC_RR_HIGH].trig_value == 27 &&
                out.alarms.a[AC_RR_HIGH].trig_limit == 25);
    assert_true(isnan(out.alarms.a[AC_APNOEA].trig_value));
    /* What the board derives agrees on both sides. */
    assert_int_equal(alarm_most_urgent(&out.alarms), alarm_most_urgent(&in.alarms));
    assert_true(hist_minute(&out.h_rr, now) == hist_minute(&in.h_rr, now));
    assert_true(isnan(hist_minute(&out.h_hr, now)));
    assert_true(hist_minute(&out.h_news2, now) == 9.0f);
    /* A BED frame for an index beyond the largest ward is malformed. */
    b = fresh();
    assert_int_equal(proto_put_bed(&b, CONFIG_MAX_BEDS, &in, now), 0);
    assert_int_equal(proto_get_bed(buf, b.len, &idx, &out, &mi), -1);
}

static void test_bed_bad_enum_and_truncation(void **state)
{
    static struct ward_bed in, out;
    sample_bed(&in);
    struct proto_buf b = fresh();
    assert_int_equal(proto_put_bed(&b, 0, &in, 0), 0);
    uint32_t idx;
    struct proto_minute mi;
    /* Every truncation (with the length fixed up to match) is refused. */
    for (size_t cut = PROTO_HEADER + 1; cut < b.len; cut += 7) {
        uint8_t t[PROTO_MAX_FRAME];
        memcpy(t, buf, cut);
        uint32_t l = (uint32_t)(cut - PROTO_HEADER);
        t[0] = (uint8_t)(l >> 24), t[1] = (uint8_t)(l >> 16), t[2] = (uint8_t)(l >> 8),
        t[3] = (uint8_t)l;
        assert_int_equal(proto_get_bed(t, cut, &idx, &out, &mi), -1);
    }
    /* The sensor state byte follows the limits reason: find it by value. */
    in.sensor = WSENS_MOTION;
    b = fresh();
    assert_int_equal(proto_put_bed(&b, 0, &in, 0), 0);
    assert_int_equal(proto_get_bed(buf, b.len, &idx, &out, &mi), 0);
    const char *reason = "COPD, agreed with Dr Berg";
    uint8_t *p = memmem(buf, b.len, reason, strlen(reason));
    assert_non_null(p);
    p += strlen(reason);
    assert_int_equal(*p, WSENS_MOTION);
    *p = 99;
    assert_int_equal(proto_get_bed(buf, b.len, &idx, &out, &mi), -1);
}

static void test_trailing_and_wrong_type(void **state)
{
    struct proto_buf b = fresh();
    struct proto_reply r = {7, false, false, "already acknowledged by KN"};
    assert_int_equal(proto_put_reply(&b, &r), 0);
    struct proto_reply g;
    assert_int_equal(proto_get_reply(buf, b.len, &g), 0);
    assert_int_equal(g.req, 7);
    assert_false(g.ok);
    assert_string_equal(g.message, "already acknowledged by KN");
    /* Held (protocol 3): done, not yet recorded; told apart from committed. */
    {
        uint8_t hb[600];
        struct proto_buf h = {hb, 0, sizeof hb, 0, false};
        struct proto_reply hr = {8, true, true, "held: written when the store recovers"}, hg;
        assert_int_equal(proto_put_reply(&h, &hr), 0);
        assert_int_equal(proto_get_reply(hb, h.len, &hg), 0);
        assert_true(hg.ok && hg.held);
        hr.held = false;
        h.len = 0;
        assert_int_equal(proto_put_reply(&h, &hr), 0);
        assert_int_equal(proto_get_reply(hb, h.len, &hg), 0);
        assert_true(hg.ok && !hg.held);
        hb[PROTO_HEADER + 1 + 4] = 3; /* no such status */
        assert_int_equal(proto_get_reply(hb, h.len, &hg), -1);
    }
    struct proto_bye bye;
    assert_int_equal(proto_get_bye(buf, b.len, &bye), -1); /* wrong type */
    /* One byte more in the body (length adjusted): trailing data. */
    buf[b.len] = 0;
    buf[3]++;
    assert_int_equal(proto_get_reply(buf, b.len + 1, &g), -1);
    /* A length that does not match the span given. */
    buf[3]--;
    assert_int_equal(proto_get_reply(buf, b.len - 1, &g), -1);
    /* A status that is not 0, 1 or 2. */
    buf[PROTO_HEADER + 1 + 4] = 3;
    assert_int_equal(proto_get_reply(buf, b.len, &g), -1);
}

static void test_strings(void **state)
{
    /* Too long for its field: refused, not cut. */
    uint8_t f[64] = {0, 0, 0, 0, PT_BYE};
    size_t n = 5;
    f[n++] = 0;
    f[n++] = 3;
    memcpy(f + n, "a\0b", 3);
    n += 3;
    f[3] = (uint8_t)(n - 4);
    struct proto_bye bye;
    assert_int_equal(proto_get_bye(f, n, &bye), -1); /* NUL inside */
    /* Control characters and escape sequences are removed. */
    n = 5;
    f[n++] = 0;
    f[n++] = 9;
    memcpy(f + n, "ab\x1b[2Jcd\x07", 9);
    n += 9;
    f[3] = (uint8_t)(n - 4);
    assert_int_equal(proto_get_bye(f, n, &bye), 0);
    assert_null(strchr(bye.reason, 0x1b));
    assert_null(strchr(bye.reason, 0x07));
    /* A HELLO name longer than PROTO_MAX_NAME. */
    struct proto_buf b = fresh();
    struct proto_hello h = {PROTO_MAGIC, PROTO_VERSION, "x", ""};
    assert_int_equal(proto_put_hello(&b, &h), 0);
    uint8_t big[256];
    memcpy(big, buf, b.len - 2);
    size_t m = b.len - 2;
    big[m++] = 0;
    big[m++] = PROTO_MAX_NAME + 1;
    memset(big + m, 'n', PROTO_MAX_NAME + 1);
    m += PROTO_MAX_NAME + 1;
    big[3] = (uint8_t)(m - 4);
    struct proto_hello g;
    assert_int_equal(proto_get_hello(big, m, &g), -1);
    big[m - PROTO_MAX_NAME - 2]--; /* exactly the maximum: fine */
    big[3]--;
    assert_int_equal(proto_get_hello(big, m - 1, &g), 0);
    assert_int_equal(strlen(g.name), PROTO_MAX_NAME);
}

static void test_cmd_round_trip(void **state)
{
    static struct proto_cmd in, out;
    memset(&in, 0, sizeof in);
    in.req = 99;
    in.cmd.kind = WCMD_LIMITS;
    in.cmd.bed = 3;
    in.cmd.alarm_id = -12;
    strcpy(in.cmd.staff, "KN");
    strcpy(in.cmd.param, "spo2");
    strcpy(in.cmd.value, "95");
    strcpy(in.cmd.ref, "P-1");
    strcpy(in.cmd.prescriber, "Dr Berg");
    in.cmd.on = true;
    in.cmd.limits = (struct alarm_limits){6, 28, 45, 120, 0, 0};
    in.cmd.t0 = 1796108400000LL;
    in.cmd.t1 = 1796137200000LL;
    strcpy(in.cmd.text, "Pasient hoster,\nRR-artefakt æøå");
    in.cmd.check_patient = true;
    in.cmd.admission_id = 4242;
    strcpy(in.cmd.expect_ref, "PAS-77");
    struct proto_buf b = fresh();
    assert_int_equal(proto_put_cmd(&b, &in), 0);
    assert_int_equal(proto_get_cmd(buf, b.len, &out), 0);
    assert_int_equal(out.req, 99);
    assert_int_equal(out.cmd.kind, WCMD_LIMITS);
    assert_int_equal(out.cmd.bed, 3);
    assert_int_equal(out.cmd.alarm_id, -12);
    assert_string_equal(out.cmd.staff, "KN");
    assert_string_equal(out.cmd.param, "spo2");
    assert_string_equal(out.cmd.value, "95");
    assert_string_equal(out.cmd.ref, "P-1");
    assert_string_equal(out.cmd.prescriber, "Dr Berg");
    assert_true(out.cmd.on);
    assert_true(out.cmd.limits.rr_low == 6 && out.cmd.limits.hr_high == 120);
    assert_true(out.cmd.t0 == 1796108400000LL && out.cmd.t1 == 1796137200000LL);
    assert_string_equal(out.cmd.text, "Pasient hoster,\nRR-artefakt æøå");
    /* the patient the command was composed for (version 7) */
    assert_true(out.cmd.check_patient);
    assert_true(out.cmd.admission_id == 4242);
    assert_string_equal(out.cmd.expect_ref, "PAS-77");
    /* Unknown command kinds are malformed. */
    buf[PROTO_HEADER + 1 + 4] = 0;
    assert_int_equal(proto_get_cmd(buf, b.len, &out), -1);
    buf[PROTO_HEADER + 1 + 4] = WCMD_KIND_MAX + 1;
    assert_int_equal(proto_get_cmd(buf, b.len, &out), -1);
}

static void test_handover_frames(void **state)
{
    struct proto_horeq rq = {7, "night", 1796108400000LL, 1796137200000LL, "KN", false, 0}, rg;
    struct proto_buf b = fresh();
    assert_int_equal(proto_put_horeq(&b, &rq), 0);
    assert_int_equal(proto_get_horeq(buf, b.len, &rg), 0);
    assert_int_equal(rg.req, 7);
    assert_string_equal(rg.period, "night");
    assert_string_equal(rg.staff, "KN");
    /* Every view of patient data is audited: a request without a staff id
     * is malformed. */
    rq.staff[0] = 0;
    b = fresh();
    assert_int_equal(proto_put_horeq(&b, &rq), 0);
    assert_int_equal(proto_get_horeq(buf, b.len, &rg), -1);
    strcpy(rq.staff, "KN");
    assert_true(rg.t0 == rq.t0 && rg.t1 == rq.t1);
    /* An empty or backwards period is malformed. */
    rq.t1 = rq.t0;
    b = fresh();
    assert_int_equal(proto_put_horeq(&b, &rq), 0);
    assert_int_equal(proto_get_horeq(buf, b.len, &rg), -1);
    /* Version 6: the server works out the period (#19 defect 2): no
     * period is needed then, and the step is at most 2 (three shifts). */
    rq.resolve = true;
    rq.t0 = rq.t1 = 0;
    rq.period[0] = 0;
    rq.step = 1;
    b = fresh();
    assert_int_equal(proto_put_horeq(&b, &rq), 0);
    assert_int_equal(proto_get_horeq(buf, b.len, &rg), 0);
    assert_true(rg.resolve && rg.step == 1);
    rq.step = 3;
    b = fresh();
    assert_int_equal(proto_put_horeq(&b, &rq), 0);
    assert_int_equal(proto_get_horeq(buf, b.len, &rg), -1);

    static struct proto_hopart p, g;
    memset(&p, 0, sizeof p);
    p.req = 7;
    strcpy(p.period, "night");
    p.t0 = 1796108400000LL;
    p.t1 = 1796137200000LL;
    p.total = 200;
    p.first = PROTO_MAX_HOLINES;
    p.n = PROTO_MAX_HOLINES;
    strcpy(p.head[0], "Observasjonspost 3 - vakt natt");
    strcpy(p.head[2], "Skrevet ut av ÅS");
    for (int i = 0; i < PROTO_MAX_HOLINES; i++) {
        p.line[i].kind = i % 2 ? HL_TEXT : HL_SECTION;
        p.line[i].bed = i == 0 ? -1 : i;
        /* the longest line: 80 columns of two-byte characters */
        for (int k = 0; k < HANDOVER_COLS; k++)
            memcpy(p.line[i].text + 2 * k, "ø", 2);
        p.line[i].text[2 * HANDOVER_COLS] = 0;
    }
    b = fresh();
    assert_int_equal(proto_put_hopart(&b, &p), 0);
    assert_true(b.len < PROTO_MAX_FRAME);
    assert_int_equal(proto_get_hopart(buf, b.len, &g), 0);
    assert_int_equal(g.total, 200);
    assert_int_equal(g.first, PROTO_MAX_HOLINES);
    assert_int_equal(g.n, PROTO_MAX_HOLINES);
    assert_string_equal(g.head[0], p.head[0]);
    assert_string_equal(g.head[2], "Skrevet ut av ÅS");
    assert_string_equal(g.period, "night");
    assert_true(g.t0 == p.t0 && g.t1 == p.t1);
    assert_int_equal(g.line[0].bed, -1);
    assert_int_equal(g.line[5].bed, 5);
    assert_int_equal(g.line[5].kind, HL_TEXT);
    assert_string_equal(g.line[9].text, p.line[9].text);
    /* More lines than the total promises are malformed. */
    p.total = PROTO_MAX_HOLINES + 10;
    b = fresh();
    assert_int_equal(proto_put_hopart(&b, &p), 0);
    assert_int_equal(proto_get_hopart(buf, b.len, &g), -1);
    /* So is an unknown line kind. */
    p.total = 200;
    p.line[3].kind = (enum handover_line_kind)(HL_BLANK + 1);
    b = fresh();
    assert_int_equal(proto_put_hopart(&b, &p), 0);
    assert_int_equal(proto_get_hopart(buf, b.len, &g), -1);
}

static void test_small_messages(void **state)
{
    static struct proto_welcome w, wg;
    memset(&w, 0, sizeof w);
    w.version = PROTO_VERSION;
    strcpy(w.software, "0.1.0");
    strcpy(w.ward, "Observasjonspost 3");
    w.client_id = 5;
    w.nbeds = 12;
    w.now_ms = 1796150000000LL;
    w.audio_pause_s = 120;
    w.nstaff = 2;
    strcpy(w.staff[0], "KN");
    strcpy(w.staff[1], "ÅS");
    struct proto_buf b = fresh();
    assert_int_equal(proto_put_welcome(&b, &w), 0);
    assert_int_equal(proto_get_welcome(buf, b.len, &wg), 0);
    assert_string_equal(wg.ward, "Observasjonspost 3");
    assert_int_equal(wg.nbeds, 12);
    assert_int_equal(wg.nstaff, 2);
    assert_string_equal(wg.staff[1], "ÅS");
    assert_int_equal(wg.audio_pause_s, 120);

    struct proto_state s = {1796150000000LL, false, {1796150120000LL, AP_MEDIUM},
                            "export chart ok, export imatis FAILING since 14:02, 12 waiting"},
                       sg;
    b = fresh();
    assert_int_equal(proto_put_state(&b, &s), 0);
    assert_int_equal(proto_get_state(buf, b.len, &sg), 0);
    assert_int_equal(sg.now_ms, s.now_ms);
    assert_false(sg.store_ok);
    assert_int_equal(sg.audio.paused_until, s.audio.paused_until);
    assert_int_equal(sg.audio.paused_at_priority, AP_MEDIUM);
    assert_string_equal(sg.exports, s.exports);

    struct proto_event e = {1796150000000LL, -1, WEV_COMMAND, true, "audio paused for 120 s by KN",
                            "korridor"},
                       eg;
    b = fresh();
    assert_int_equal(proto_put_event(&b, &e), 0);
    assert_int_equal(proto_get_event(buf, b.len, &eg), 0);
    assert_int_equal(eg.bed, -1);
    assert_true(eg.by_staff);
    assert_string_equal(eg.text, e.text);
    assert_string_equal(eg.from, "korridor");

    struct proto_histreq hr = {3, 2, 100, 200, PROTO_MAX_HISTORY}, hg;
    b = fresh();
    assert_int_equal(proto_put_histreq(&b, &hr), 0);
    assert_int_equal(proto_get_histreq(buf, b.len, &hg), 0);
    assert_int_equal(hg.max, PROTO_MAX_HISTORY);
    hr.max = PROTO_MAX_HISTORY + 1;
    b = fresh();
    assert_int_equal(proto_put_histreq(&b, &hr), 0);
    assert_int_equal(proto_get_histreq(buf, b.len, &hg), -1);

    static struct proto_history h, g;
    h.req = 3;
    h.bed = 2;
    h.n = PROTO_MAX_HISTORY;
    for (int i = 0; i < h.n; i++) {
        h.line[i].t = i;
        memset(h.line[i].text, 'x', sizeof h.line[i].text - 1);
    }
    b = fresh();
    assert_int_equal(proto_put_history(&b, &h), 0);
    assert_true(b.len <= PROTO_MAX_FRAME);
    assert_int_equal(proto_get_history(buf, b.len, &g), 0);
    assert_int_equal(g.n, PROTO_MAX_HISTORY);
    assert_int_equal(strlen(g.line[63].text), sizeof h.line[0].text - 1);
    /* Version 8: each line's parts, for the board's own language. */
    h.n = 2;
    h.line[0] = (struct ward_history_line){.t = 5, .kind = WH_ALARM};
    strcpy(h.line[0].text, "alarm ** RR high escalated by KN");
    strcpy(h.line[0].what, "rr-high");
    strcpy(h.line[0].detail, "escalated");
    strcpy(h.line[0].by, "KN");
    h.line[1] = (struct ward_history_line){.t = 6, .kind = WH_NOTE, .on_alarm = true};
    strcpy(h.line[1].text, "note (ÅS) on alarm: ringte lege");
    strcpy(h.line[1].by, "ÅS");
    b = fresh();
    assert_int_equal(proto_put_history(&b, &h), 0);
    assert_int_equal(proto_get_history(buf, b.len, &g), 0);
    assert_int_equal(g.line[0].kind, WH_ALARM);
    assert_string_equal(g.line[0].what, "rr-high");
    assert_string_equal(g.line[0].detail, "escalated");
    assert_string_equal(g.line[0].by, "KN");
    assert_false(g.line[0].on_alarm);
    assert_int_equal(g.line[1].kind, WH_NOTE);
    assert_true(g.line[1].on_alarm);
    assert_string_equal(g.line[1].by, "ÅS");
    assert_string_equal(g.line[1].text, h.line[1].text);
    /* an unknown kind is malformed */
    h.line[1].kind = WH_COUNT;
    b = fresh();
    assert_int_equal(proto_put_history(&b, &h), 0);
    assert_int_equal(proto_get_history(buf, b.len, &g), -1);
}

static void test_hist_frames(void **state)
{
    static struct ward_bed b;
    static struct hist out;
    static struct proto_hist m, mg;
    hist_clear(&b.h_rr);
    hist_clear(&out);
    int64_t now = 1796150000000LL;
    for (int64_t t = now - 13 * 3600000LL; t <= now; t += 1000)
        if ((t / 60000) % 7)
            hist_add(&b.h_rr, t, (float)(15 + (t / 60000) % 10));
    proto_hist_from(&m, 4, PS_RR, &b.h_rr, now);
    struct proto_buf pb = fresh();
    assert_int_equal(proto_put_hist(&pb, &m), 0);
    assert_true(pb.len <= PROTO_MAX_FRAME);
    assert_int_equal(proto_get_hist(buf, pb.len, &mg), 0);
    assert_int_equal(mg.bed, 4);
    assert_int_equal(mg.count, HIST_MINUTES);
    proto_hist_apply(&mg, &out);
    /* The mirror's sparklines and trend are the server's. */
    float s1[100], s2[100];
    hist_series(&b.h_rr, now, 12 * 3600000LL, s1, 100);
    hist_series(&out, now, 12 * 3600000LL, s2, 100);
    for (int i = 0; i < 100; i++)
        assert_true((isnan(s1[i]) && isnan(s2[i])) || s1[i] == s2[i]);
    assert_int_equal(hist_trend(&b.h_rr, now, 2), hist_trend(&out, now, 2));
    /* A count beyond 12 h is malformed. */
    uint8_t *cnt = buf + PROTO_HEADER + 1 + 4 + 1 + 8;
    cnt[0] = (uint8_t)((HIST_MINUTES + 1) >> 8);
    cnt[1] = (uint8_t)(HIST_MINUTES + 1);
    assert_int_equal(proto_get_hist(buf, pb.len, &mg), -1);
}

static void test_encoder_overflow(void **state)
{
    uint8_t small[16];
    struct proto_buf b = {small, 0, sizeof small, 0, false};
    struct proto_bye bye = {"a reason that does not fit in sixteen bytes"};
    assert_int_equal(proto_put_bye(&b, &bye), -1);
    assert_int_equal(b.len, 0);
    assert_int_equal(proto_put_synced(&b), 0);
    assert_int_equal(b.len, 5);
    assert_int_equal(proto_put_bye(&b, &bye), -1);
    assert_int_equal(b.len, 5); /* the earlier frame stays whole */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hello_bytes),
        cmocka_unit_test(test_frame_lengths),
        cmocka_unit_test(test_bed_round_trip),
        cmocka_unit_test(test_bed_bad_enum_and_truncation),
        cmocka_unit_test(test_trailing_and_wrong_type),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_cmd_round_trip),
        cmocka_unit_test(test_handover_frames),
        cmocka_unit_test(test_small_messages),
        cmocka_unit_test(test_hist_frames),
        cmocka_unit_test(test_encoder_overflow),
    };
    return cmocka_run_group_tests_name("proto", tests, NULL, NULL);
}
