/* Tests for src/hl7: PCD-01 and PCD-04 messages byte for byte against
 * messages written by hand from the segment layouts in
 * ../shared/INTEGRATION.md (IHE PCD TF-2), MLLP framing and deframing, ACK
 * verdicts; then Debian's python3-hl7 parses every message built here and
 * answers with its own ACKs, which our parser must read. */
#include "ww_test.h"
#include "hl7.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define T_MSG 1773144001000LL   /* 2026-03-10 12:00:01 UTC */
#define T_END 1773144000000LL   /* 12:00:00 */
#define T_START 1773143940000LL /* 11:59:00 */
#define T_SPO2 1773143100000LL  /* 11:45:00 */

static struct hl7_ident ident(void)
{
    struct hl7_ident id = {0};
    strcpy(id.app, "WARDWATCH");
    strcpy(id.app_uid, "0012A2FFFE3C4D5E");
    strcpy(id.facility, "STOLAV");
    strcpy(id.receiver_app, "IMATIS");
    strcpy(id.ward, "Obs 3");
    return id;
}

static struct hl7_subject subject(void)
{
    struct hl7_subject s = {0};
    strcpy(s.patient_ref, "12345678901");
    strcpy(s.bed_label, "Rom 1 d\xc3\xb8r"); /* "Rom 1 dør" in UTF-8 */
    strcpy(s.device_id, "0012A2FFFE000001");
    return s;
}

static struct alarm_limits limits(void)
{
    struct alarm_limits l = {.rr_low = 8, .rr_high = 25, .hr_low = 40, .hr_high = 130,
                             .rr_hyst = 2, .hr_hyst = 5};
    return l;
}

static struct hl7_obs obs_full(void)
{
    struct hl7_obs o = {0};
    strcpy(o.control_id, "WW1");
    o.msg_ms = T_MSG;
    o.t0_ms = T_START;
    o.t1_ms = T_END;
    o.subj = subject();
    o.have_rr = o.have_hr = true;
    o.rr = 18;
    o.hr = 131;
    o.rr_ms = o.hr_ms = T_END;
    o.limits = limits();
    o.manual[0] = (struct hl7_manual){.param = NEWS2_SPO2, .value = 95, .t_ms = T_SPO2};
    strcpy(o.manual[0].by, "KN");
    o.manual[1] = (struct hl7_manual){.param = NEWS2_TEMP, .value = 38.1, .t_ms = T_SPO2};
    strcpy(o.manual[1].by, "KN");
    o.manual[2] = (struct hl7_manual){.param = NEWS2_ACVPU, .value = 'C', .t_ms = T_SPO2};
    strcpy(o.manual[2].by, "\xc3\x85S"); /* ÅS */
    o.manual[3] = (struct hl7_manual){.param = NEWS2_O2, .value = 1, .t_ms = T_SPO2};
    strcpy(o.manual[3].by, "KN");
    o.nmanual = 4;
    o.have_news2 = true;
    o.news2_total = 7;
    o.news2_ms = T_END;
    return o;
}

/* Written by hand from INTEGRATION.md's PCD-01 layout: MSH (21 fields),
 * PID-3, PV1-2/3, OBR-3/4/7/8, the device row (OBX-11 X, OBX-18), metric
 * rows (OBX-6/7/8/11/14/17), manual rows (OBX-11 F, OBX-16 who). */
static const char golden_r01[] =
    "MSH|^~\\&|WARDWATCH^0012A2FFFE3C4D5E^EUI-64|STOLAV|IMATIS||20260310120001+0000||"
    "ORU^R01^ORU_R01|WW1|P|2.6|||AL|NE||UNICODE UTF-8|||"
    "IHE_PCD_001^IHE PCD^1.3.6.1.4.1.19376.1.6.1.1.1^ISO\r"
    "PID|||12345678901^^^STOLAV^PI\r"
    "PV1||I|Obs 3^^Rom 1 d\xc3\xb8r^STOLAV\r"
    "OBR|1||WW1^WARDWATCH|182777000^monitoring of patient^SCT|||20260310115900+0000|"
    "20260310120000+0000\r"
    "OBX|1||69965^MDC_DEV_MON_PHYSIO_MULTI_PARAM_MDS^MDC|1.0.0.0|||||||X|||||||"
    "0012A2FFFE000001^^0012A2FFFE000001^EUI-64\r"
    "OBX|2|NM|151562^MDC_RESP_RATE^MDC|1.1.1.1|18|264928^MDC_DIM_RESP_PER_MIN^MDC|8-25|N|||R|||"
    "20260310120000+0000|||AMEAS^auto-measurement^MDC\r"
    "OBX|3|NM|149514^MDC_PULS_RATE^MDC|1.1.1.2|131|264864^MDC_DIM_BEAT_PER_MIN^MDC|40-130|H|||R|||"
    "20260310120000+0000|||AMEAS^auto-measurement^MDC\r"
    "OBX|4|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.2.1.2|95|262688^MDC_DIM_PERCENT^MDC|||||F|||"
    "20260310114500+0000||KN|MMEAS^manual-measurement^MDC\r"
    "OBX|5|NM|150364^MDC_TEMP_BODY^MDC|1.2.1.7|38.1|268192^MDC_DIM_DEGC^MDC|||||F|||"
    "20260310114500+0000||KN|MMEAS^manual-measurement^MDC\r"
    "OBX|6|ST|acvpu^ACVPU^99WW|1.2.1.6|C||||||F|||"
    "20260310114500+0000||\xc3\x85S|MMEAS^manual-measurement^MDC\r"
    "OBX|7|ST|o2^Air or oxygen^99WW|1.2.1.3|oxygen||||||F|||"
    "20260310114500+0000||KN|MMEAS^manual-measurement^MDC\r"
    "OBX|8|NM|1104051000000101^NEWS2 total score^SCT|1.3.1.1|7|{score}^score^UCUM|||||R|||"
    "20260310120000+0000\r";

static void test_r01_golden(void **state)
{
    struct hl7_ident id = ident();
    struct hl7_obs o = obs_full();
    char err[256];
    size_t len;
    char *m = hl7_build_oru_r01(&id, &o, &len, err, sizeof err);
    if (!m)
        fail_msg("%s", err);
    assert_int_equal(len, strlen(golden_r01));
    assert_string_equal(m, golden_r01);
    free(m);
}

/* A partial set: the total is a lower bound (SN ">="), the NTE says what
 * is missing or stale; no radar pulse this period (no row); demo mode. */
static const char golden_r01_partial[] =
    "MSH|^~\\&|WARDWATCH^0012A2FFFE3C4D5E^EUI-64|STOLAV|IMATIS||20260310120001+0000||"
    "ORU^R01^ORU_R01|WW2|D|2.6|||AL|NE||UNICODE UTF-8|||"
    "IHE_PCD_001^IHE PCD^1.3.6.1.4.1.19376.1.6.1.1.1^ISO\r"
    "PID|||12345678901^^^STOLAV^PI\r"
    "PV1||I|Obs 3^^Rom 1 d\xc3\xb8r^STOLAV\r"
    "OBR|1||WW2^WARDWATCH|182777000^monitoring of patient^SCT|||20260310115900+0000|"
    "20260310120000+0000\r"
    "OBX|1||69965^MDC_DEV_MON_PHYSIO_MULTI_PARAM_MDS^MDC|1.0.0.0|||||||X|||||||"
    "0012A2FFFE000001^^0012A2FFFE000001^EUI-64\r"
    "OBX|2|NM|151562^MDC_RESP_RATE^MDC|1.1.1.1|7|264928^MDC_DIM_RESP_PER_MIN^MDC|8-25|L|||R|||"
    "20260310120000+0000|||AMEAS^auto-measurement^MDC\r"
    "OBX|3|SN|1104051000000101^NEWS2 total score^SCT|1.3.1.1|>=^3|{score}^score^UCUM|||||R|||"
    "20260310120000+0000\r"
    "NTE|1||partial set, total is a lower bound: missing spo2, sbp; stale temp\r";

static void test_r01_partial(void **state)
{
    struct hl7_ident id = ident();
    id.demo = true;
    struct hl7_obs o = obs_full();
    strcpy(o.control_id, "WW2");
    o.rr = 7;
    o.have_hr = false;
    o.nmanual = 0;
    o.news2_total = 3;
    o.news2_partial = true;
    o.news2_missing = 1u << NEWS2_SPO2 | 1u << NEWS2_SBP;
    o.news2_stale = 1u << NEWS2_TEMP;
    char err[256];
    size_t len;
    char *m = hl7_build_oru_r01(&id, &o, &len, err, sizeof err);
    if (!m)
        fail_msg("%s", err);
    assert_string_equal(m, golden_r01_partial);
    free(m);
}

/* Text from outside cannot break a field, a component or a segment. */
static void test_escaping(void **state)
{
    struct hl7_ident id = ident();
    strcpy(id.ward, "Obs|3^A~B\\C&D");
    struct hl7_obs o = obs_full();
    strcpy(o.subj.patient_ref, "P&1|x");
    strcpy(o.subj.bed_label, "\xc3\xa6\xc3\xb8\xc3\xa5\r2"); /* æøå CR 2 */
    strcpy(o.manual[0].by, "K^N");
    o.nmanual = 1;
    char err[256];
    size_t len;
    char *m = hl7_build_oru_r01(&id, &o, &len, err, sizeof err);
    if (!m)
        fail_msg("%s", err);
    assert_non_null(strstr(m, "PID|||P\\T\\1\\F\\x^^^STOLAV^PI\r"));
    assert_non_null(strstr(m, "PV1||I|Obs\\F\\3\\S\\A\\R\\B\\E\\C\\T\\D^^\xc3\xa6\xc3\xb8\xc3\xa5 2^"
                              "STOLAV\r"));
    assert_non_null(strstr(m, "||K\\S\\N|MMEAS"));
    /* exactly the 9 segments (MSH PID PV1 OBR, device, RR, pulse, SpO2,
     * NEWS2): no CR smuggled in */
    int segs = 0;
    for (size_t i = 0; i < len; i++)
        segs += m[i] == '\r';
    assert_int_equal(segs, 9);
    free(m);
}

/* PCD-04: start of an RR high alarm, written by hand from the layout:
 * OBR-3 the alert id, OBR-4 MDC_EVT_ALARM, rows .1-.7 under the source's
 * containment, codes 68481-68485 (2024). */
static const char golden_r40_start[] =
    "MSH|^~\\&|WARDWATCH^0012A2FFFE3C4D5E^EUI-64|STOLAV|IMATIS||20260310120001+0000||"
    "ORU^R40^ORU_R40|WW3|P|2.6|||AL|NE||UNICODE UTF-8|||"
    "IHE_PCD_ACM_001^IHE PCD^1.3.6.1.4.1.19376.1.6.4.4^ISO\r"
    "PID|||12345678901^^^STOLAV^PI\r"
    "PV1||I|Obs 3^^Rom 1 d\xc3\xb8r^STOLAV\r"
    "OBR|1||A17-1^WARDWATCH|196616^MDC_EVT_ALARM^MDC|||20260310120000+0000\r"
    "OBX|1||69965^MDC_DEV_MON_PHYSIO_MULTI_PARAM_MDS^MDC|1.0.0.0|||||||X|||||||"
    "0012A2FFFE000001^^0012A2FFFE000001^EUI-64\r"
    "OBX|2|ST|196648^MDC_EVT_HI^MDC|1.1.1.1.1|RR 26 >= 25||||||R|||20260310120000+0000\r"
    "OBX|3|NM|151562^MDC_RESP_RATE^MDC|1.1.1.1.2|26|264928^MDC_DIM_RESP_PER_MIN^MDC|8-25|H|||R|||"
    "20260310120000+0000\r"
    "OBX|4|ST|68481^MDC_ATTR_EVENT_PHASE^MDC|1.1.1.1.3|start||||||R|||20260310120000+0000\r"
    "OBX|5|ST|68482^MDC_ATTR_ALARM_STATE^MDC|1.1.1.1.4|active||||||R|||20260310120000+0000\r"
    "OBX|6|ST|68483^MDC_ATTR_ALARM_INACTIVATION_STATE^MDC|1.1.1.1.5|enabled||||||R|||"
    "20260310120000+0000\r"
    "OBX|7|ST|68484^MDC_ATTR_ALARM_PRIORITY^MDC|1.1.1.1.6|PM||||||R|||20260310120000+0000\r"
    "OBX|8|ST|68485^MDC_ATTR_ALERT_TYPE^MDC|1.1.1.1.7|SP||||||R|||20260310120000+0000\r";

static struct hl7_alert alert_start(void)
{
    struct hl7_alert a = {0};
    strcpy(a.control_id, "WW3");
    a.msg_ms = T_MSG;
    strcpy(a.alert_id, "A17-1");
    a.t_ms = T_END;
    a.subj = subject();
    a.cond = AC_RR_HIGH;
    a.priority = AP_MEDIUM;
    a.kind = AE_RAISED;
    a.have_value = true;
    a.value = 26;
    a.limits = limits();
    strcpy(a.text, "RR 26 >= 25");
    return a;
}

static void test_r40_start_golden(void **state)
{
    struct hl7_ident id = ident();
    struct hl7_alert a = alert_start();
    char err[256];
    size_t len;
    char *m = hl7_build_oru_r40(&id, HL7_CODES_2024, &a, &len, err, sizeof err);
    if (!m)
        fail_msg("%s", err);
    assert_string_equal(m, golden_r40_start);
    free(m);
}

/* The acknowledgement of a technical alarm with the older vendor codes
 * (68164-68168): a new alert id in OBR-3, the start's in OBR-29 (22 field
 * separators after OBR-7), who acknowledged in OBX-16 of row .5. */
static const char golden_r40_ack_legacy[] =
    "MSH|^~\\&|WARDWATCH^0012A2FFFE3C4D5E^EUI-64|STOLAV|IMATIS||20260310120001+0000||"
    "ORU^R40^ORU_R40|WW4|P|2.6|||AL|NE||UNICODE UTF-8|||"
    "IHE_PCD_ACM_001^IHE PCD^1.3.6.1.4.1.19376.1.6.4.4^ISO\r"
    "PID|||12345678901^^^STOLAV^PI\r"
    "PV1||I|Obs 3^^Rom 1 d\xc3\xb8r^STOLAV\r"
    "OBR|1||A18-2^WARDWATCH|196616^MDC_EVT_ALARM^MDC|||20260310120000+0000"
    "||||||||||" "||||||||||" "||" /* OBR-8 .. OBR-29 */
    "^A18-1&WARDWATCH\r"
    "OBX|1||69965^MDC_DEV_MON_PHYSIO_MULTI_PARAM_MDS^MDC|1.0.0.0|||||||X|||||||"
    "0012A2FFFE000001^^0012A2FFFE000001^EUI-64\r"
    "OBX|2|ST|no-signal^No valid signal^99WW|1.0.0.0.1|No valid signal||||||R|||"
    "20260310120000+0000\r"
    "OBX|3|ST|68164^MDC_ATTR_ALERT_SOURCE^MDC|1.0.0.0.2|device||||||R|||20260310120000+0000\r"
    "OBX|4|ST|68165^MDC_ATTR_EVENT_PHASE^MDC|1.0.0.0.3|update||||||R|||20260310120000+0000\r"
    "OBX|5|ST|68166^MDC_ATTR_ALARM_STATE^MDC|1.0.0.0.4|active||||||R|||20260310120000+0000\r"
    "OBX|6|ST|68167^MDC_ATTR_ALARM_INACTIVATION_STATE^MDC|1.0.0.0.5|alert-acknowledged||||||R|||"
    "20260310120000+0000||KN\r"
    "OBX|7|ST|68168^MDC_ATTR_ALARM_PRIORITY^MDC|1.0.0.0.6|PM||||||R|||20260310120000+0000\r"
    "OBX|8|ST|68485^MDC_ATTR_ALERT_TYPE^MDC|1.0.0.0.7|ST||||||R|||20260310120000+0000\r";

static struct hl7_alert alert_ack(void)
{
    struct hl7_alert a = {0};
    strcpy(a.control_id, "WW4");
    a.msg_ms = T_MSG;
    strcpy(a.alert_id, "A18-2");
    strcpy(a.parent_id, "A18-1");
    a.t_ms = T_END;
    a.subj = subject();
    a.cond = AC_NO_SIGNAL;
    a.priority = AP_MEDIUM;
    a.kind = AE_ACKNOWLEDGED;
    a.acked = true;
    strcpy(a.by, "KN");
    strcpy(a.text, "No valid signal");
    return a;
}

static void test_r40_ack_legacy_golden(void **state)
{
    struct hl7_ident id = ident();
    struct hl7_alert a = alert_ack();
    char err[256];
    size_t len;
    char *m = hl7_build_oru_r40(&id, HL7_CODES_LEGACY, &a, &len, err, sizeof err);
    if (!m)
        fail_msg("%s", err);
    assert_string_equal(m, golden_r40_ack_legacy);
    free(m);
}

/* Every transition's phase, state and inactivation state; priorities. */
static void test_r40_transitions(void **state)
{
    struct hl7_alert a = alert_start();
    struct {
        enum alarm_event_kind k;
        bool latched, acked;
        const char *phase, *st, *inact;
    } t[] = {
        {AE_RAISED, false, false, "start", "active", "enabled"},
        {AE_ACKNOWLEDGED, false, true, "update", "active", "alert-acknowledged"},
        {AE_REALERTED, false, true, "update", "active", "enabled"},
        {AE_ESCALATED, false, false, "escalate", "active", "enabled"},
        {AE_LATCHED, true, false, "update", "latched", "enabled"},
        {AE_ESCALATED, true, false, "escalate", "latched", "enabled"}, /* H19-20 */
        {AE_REALERTED, false, false, "update", "active", "enabled"},
        {AE_ACKNOWLEDGED, true, true, "update", "latched", "alert-acknowledged"},
        {AE_RESET, false, true, "reset", "inactive", "alert-acknowledged"},
        {AE_ENDED, false, false, "end", "inactive", "enabled"},
        {AE_SUPERSEDED, false, false, "end", "inactive", "enabled"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        a.kind = t[i].k;
        a.latched = t[i].latched;
        a.acked = t[i].acked;
        assert_string_equal(hl7_phase_name(hl7_alert_phase(a.kind)), t[i].phase);
        assert_string_equal(hl7_alert_state(&a), t[i].st);
        assert_string_equal(hl7_alert_inactivation(&a), t[i].inact);
    }
    struct hl7_ident id = ident();
    char err[256];
    size_t len;
    a = alert_start();
    a.cond = AC_APNOEA;
    a.priority = AP_HIGH;
    a.have_value = false;
    char *m = hl7_build_oru_r40(&id, HL7_CODES_2024, &a, &len, err, sizeof err);
    assert_non_null(m);
    assert_non_null(strstr(m, "|1.1.1.1.6|PH|"));
    assert_non_null(strstr(m, "|68480^MDC_ATTR_ALERT_SOURCE^MDC|1.1.1.1.2|respiration|"));
    free(m);
    /* a later message without the start's id, or a start with one: refused */
    a.kind = AE_ENDED;
    assert_null(hl7_build_oru_r40(&id, HL7_CODES_2024, &a, &len, err, sizeof err));
    assert_non_null(strstr(err, "parent"));
    a.kind = AE_RAISED;
    strcpy(a.parent_id, "X");
    assert_null(hl7_build_oru_r40(&id, HL7_CODES_2024, &a, &len, err, sizeof err));
}

/* Oslo repeats 02:00-03:00 local on 2026-10-25: the two 02:30s are an hour
 * apart and must stay so in every message. */
static void test_dst_repeated_hour(void **state)
{
    char *tz = getenv("TZ") ? strdup(getenv("TZ")) : NULL;
    setenv("TZ", "Europe/Oslo", 1);
    tzset();
    int64_t first = 1792888200000LL, second = 1792891800000LL; /* 00:30, 01:30 UTC */
    time_t a = (time_t)(first / 1000), b = (time_t)(second / 1000);
    struct tm ta, tb;
    localtime_r(&a, &ta);
    localtime_r(&b, &tb);
    /* the ambiguity is real: both are 02:30 on the wall clock */
    assert_int_equal(ta.tm_hour, 2);
    assert_int_equal(tb.tm_hour, 2);
    assert_int_equal(ta.tm_min, tb.tm_min);
    char t1[HL7_TIME_LEN], t2[HL7_TIME_LEN];
    hl7_time(first, t1);
    hl7_time(second, t2);
    assert_string_equal(t1, "20261025003000+0000");
    assert_string_equal(t2, "20261025013000+0000");
    if (tz)
        setenv("TZ", tz, 1);
    else
        unsetenv("TZ");
    free(tz);
    tzset();
}

/* Oslo skips 02:00-03:00 local on 2026-03-29 (CET to CEST at 01:00 UTC): a
 * minute's period across the jump runs from 01:59:30 to 03:00:30 on the wall
 * clock. Every time of the message is UTC and says so, so the receiver sees
 * the one minute it was, and nothing lands in the hour that did not exist. */
static void test_dst_spring_gap(void **state)
{
    char *tz = getenv("TZ") ? strdup(getenv("TZ")) : NULL;
    setenv("TZ", "Europe/Oslo", 1);
    tzset();
    int64_t t0 = 1774745970000LL, t1 = 1774746030000LL; /* 00:59:30, 01:00:30 UTC */
    time_t a = (time_t)(t0 / 1000), b = (time_t)(t1 / 1000);
    struct tm ta, tb;
    localtime_r(&a, &ta);
    localtime_r(&b, &tb);
    /* the gap is real: 01:59 CET, then 03:00 CEST */
    assert_int_equal(ta.tm_hour, 1);
    assert_int_equal(tb.tm_hour, 3);
    assert_int_equal(ta.tm_isdst, 0);
    assert_int_equal(tb.tm_isdst, 1);
    struct hl7_ident id = ident();
    struct hl7_obs o = obs_full();
    o.t0_ms = t0;
    o.t1_ms = o.msg_ms = o.news2_ms = t1;
    o.rr_ms = o.hr_ms = t1 - 1000;
    o.nmanual = 1;
    o.manual[0].t_ms = t0 + 15000; /* entered at 01:59:45 CET */
    char err[256];
    size_t len;
    char *m = hl7_build_oru_r01(&id, &o, &len, err, sizeof err);
    if (!m)
        fail_msg("%s", err);
    assert_non_null(strstr(m, "|||20260329005930+0000|20260329010030+0000\r"));   /* OBR-7/8 */
    assert_non_null(strstr(m, "|R|||20260329010029+0000|||AMEAS"));               /* OBX-14 */
    assert_non_null(strstr(m, "|F|||20260329005945+0000||KN|MMEAS"));             /* manual */
    assert_null(strstr(m, "2026032902"));  /* no time in the hour that never was */
    assert_null(strstr(m, "2026032903"));  /* nor local CEST */
    free(m);
    if (tz)
        setenv("TZ", tz, 1);
    else
        unsetenv("TZ");
    free(tz);
    tzset();
}

/* ---- MLLP --------------------------------------------------------------- */

static void test_mllp_frame(void **state)
{
    size_t n;
    char *f = hl7_mllp_frame("MSH|x\r", 6, &n);
    assert_int_equal(n, 9);
    assert_memory_equal(f, "\x0bMSH|x\r\x1c\r", 9);
    free(f);
}

static void test_deframer(void **state)
{
    struct hl7_deframer d;
    hl7_deframer_init(&d);
    char err[128], *m;
    size_t len;
    /* noise, then a frame split byte by byte: nothing until its last byte */
    const char one[] = "xx\x0bMSH|1\r\x1c\r";
    for (size_t i = 0; i + 1 < sizeof one - 1; i++) {
        assert_int_equal(hl7_deframer_feed(&d, one + i, 1, err, sizeof err), 0);
        assert_int_equal(hl7_deframer_next(&d, &m, &len), 0);
    }
    assert_int_equal(hl7_deframer_feed(&d, one + sizeof one - 2, 1, err, sizeof err), 0);
    assert_int_equal(hl7_deframer_next(&d, &m, &len), 1);
    assert_int_equal(len, 6);
    assert_string_equal(m, "MSH|1\r");
    free(m);
    assert_int_equal(d.discarded, 2);
    /* three frames and half a fourth in one read; an EB inside a frame that
     * is not followed by CR is data; an SB restarts an unfinished frame */
    const char many[] = "\x0b" "A\x1c" "B\r\x1c\r\x0b\x1c\r\x0bjunk\x0b" "C\r\x1c\r\x0b" "D";
    assert_int_equal(hl7_deframer_feed(&d, many, sizeof many - 1, err, sizeof err), 0);
    assert_int_equal(hl7_deframer_next(&d, &m, &len), 1);
    assert_int_equal(len, 4);
    assert_memory_equal(m, "A\x1c" "B\r", 4);
    free(m);
    assert_int_equal(hl7_deframer_next(&d, &m, &len), 1);
    assert_int_equal(len, 0);
    free(m);
    assert_int_equal(hl7_deframer_next(&d, &m, &len), 1);
    assert_string_equal(m, "C\r");
    free(m);
    assert_int_equal(hl7_deframer_next(&d, &m, &len), 0);
    assert_int_equal(hl7_deframer_feed(&d, "E\x1c\r", 3, err, sizeof err), 0);
    assert_int_equal(hl7_deframer_next(&d, &m, &len), 1);
    assert_string_equal(m, "DE");
    free(m);
    hl7_deframer_free(&d);
    /* an endless frame is an error, not an endless buffer */
    hl7_deframer_init(&d);
    char *big = malloc(65536);
    memset(big, 'a', 65536);
    int rc = hl7_deframer_feed(&d, "\x0b", 1, err, sizeof err);
    for (int i = 0; i < HL7_MAX_MESSAGE / 65536 + 2 && rc == 0; i++)
        rc = hl7_deframer_feed(&d, big, 65536, err, sizeof err);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(err, "longer than"));
    free(big);
    hl7_deframer_free(&d);
}

/* ---- ACKs --------------------------------------------------------------- */

static enum hl7_verdict verdict_of(const char *ack, const char *sent)
{
    struct hl7_ack a;
    char err[128];
    if (hl7_ack_parse(ack, strlen(ack), &a, err, sizeof err) < 0)
        fail_msg("%s", err);
    return hl7_ack_verdict(&a, sent);
}

static void test_ack(void **state)
{
    const char *h = "MSH|^~\\&|IMATIS||WARDWATCH|STOLAV|20260310120002+0000||ACK^R01^ACK|9|P|2.6\r";
    char buf[512];
    struct {
        const char *msa;
        const char *sent;
        enum hl7_verdict v;
    } t[] = {
        {"MSA|AA|WW1\r", "WW1", HL7_DELIVERED}, {"MSA|CA|WW1\r", "WW1", HL7_DELIVERED},
        {"MSA|AE|WW1|bad OBX\r", "WW1", HL7_DEAD}, {"MSA|CE|WW1\r", "WW1", HL7_DEAD},
        {"MSA|AR|WW1\r", "WW1", HL7_RETRY},        {"MSA|CR|WW1\r", "WW1", HL7_RETRY},
        /* a late ACK for the earlier message never deletes the next one */
        {"MSA|AA|WW0\r", "WW1", HL7_STRAY},        {"MSA|AA|WW11\r", "WW1", HL7_STRAY},
        {"MSA|AA|\r", "WW1", HL7_STRAY},            {"MSA|AA\r", "WW1", HL7_STRAY},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        snprintf(buf, sizeof buf, "%s%s", h, t[i].msa);
        if (verdict_of(buf, t[i].sent) != t[i].v)
            fail_msg("%s: wrong verdict", t[i].msa);
    }
    /* LF and CRLF segment ends, another field separator, ERR text */
    struct hl7_ack a;
    char err[128];
    const char *lf = "MSH#^~\\&#X\nMSA#AE#WW7\r\nERR###207#E####bad value\n";
    assert_int_equal(hl7_ack_parse(lf, strlen(lf), &a, err, sizeof err), 0);
    assert_int_equal(a.code, HL7_AE);
    assert_string_equal(a.control_id, "WW7");
    assert_string_equal(a.text, "bad value");
    const char *bad[] = {"MSA|AA|WW1\r", "MSH|^~\\&|X\r", "MSH|^~\\&|X\rMSA|OK|WW1\r", ""};
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(hl7_ack_parse(bad[i], strlen(bad[i]), &a, err, sizeof err), -1);
}

/* ---- python3-hl7 ------------------------------------------------------- */

/* Debian's python3-hl7 lives under /usr/bin/python3 (a python3 earlier on
 * PATH may be another interpreter). */
static const char *python_with_hl7(void)
{
    static const char *const py[] = {"/usr/bin/python3", "python3"};
    for (size_t i = 0; i < 2; i++) {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "%s -c 'import hl7' >/dev/null 2>&1", py[i]);
        if (system(cmd) == 0)
            return py[i];
    }
    return NULL;
}

static void write_bytes(const char *path, const char *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(p, 1, n, f), n);
    fclose(f);
}

static char *read_all(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *p = malloc(65536);
    *n = fread(p, 1, 65535, f);
    p[*n] = 0;
    fclose(f);
    return p;
}

/* Every kind of message we build, parsed by python3-hl7 (tests/hl7_check.py
 * checks fields by position, unescapes text and reads every time back as an
 * instant); its ACKs, read by our parser, deliver each message. */
static void test_python_hl7(void **state)
{
    const char *py = python_with_hl7();
    if (!py) {
        print_message("# SKIP: python3-hl7 not installed (sh scripts/deps.sh test)\n");
        skip();
    }
    char *dir = ww_test_tmpdir();
    struct hl7_ident id = ident();
    char err[256], path[4200];
    size_t len;
    char *msgs[8];
    int n = 0;
    struct hl7_obs o = obs_full();
    msgs[n++] = hl7_build_oru_r01(&id, &o, &len, err, sizeof err);
    o.news2_partial = true;
    o.news2_missing = 1u << NEWS2_SBP;
    strcpy(o.control_id, "WW2");
    strcpy(o.subj.patient_ref, "P&1|x^~\\");
    strcpy(o.subj.bed_label, "\xc3\xa6\xc3\xb8\xc3\xa5");
    /* across the Oslo DST change: the repeated 02:30 */
    o.t0_ms = 1792888200000LL;
    o.t1_ms = o.rr_ms = o.hr_ms = o.news2_ms = 1792891800000LL;
    msgs[n++] = hl7_build_oru_r01(&id, &o, &len, err, sizeof err);
    struct hl7_alert a = alert_start();
    msgs[n++] = hl7_build_oru_r40(&id, HL7_CODES_2024, &a, &len, err, sizeof err);
    a = alert_ack();
    msgs[n++] = hl7_build_oru_r40(&id, HL7_CODES_LEGACY, &a, &len, err, sizeof err);
    for (int i = 0; i < n; i++) {
        assert_non_null(msgs[i]);
        snprintf(path, sizeof path, "%s/m%d.hl7", dir, i);
        write_bytes(path, msgs[i], strlen(msgs[i]));
    }
    const char *script = getenv("WW_HL7_CHECK") ? getenv("WW_HL7_CHECK") : "tests/hl7_check.py";
    FILE *probe = fopen(script, "r");
    if (!probe)
        script = "../tests/hl7_check.py";
    else
        fclose(probe);
    char cmd[8800];
    snprintf(cmd, sizeof cmd, "%s %s %s %d", py, script, dir, n);
    int rc = system(cmd);
    assert_int_equal(rc, 0);
    const char *ids[] = {"WW1", "WW2", "WW3", "WW4"};
    for (int i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/m%d.ack", dir, i);
        size_t an = 0;
        char *ack = read_all(path, &an);
        assert_non_null(ack);
        struct hl7_ack k;
        if (hl7_ack_parse(ack, an, &k, err, sizeof err) < 0)
            fail_msg("python's ACK %d: %s", i, err);
        assert_int_equal(hl7_ack_verdict(&k, ids[i]), HL7_DELIVERED);
        assert_int_equal(hl7_ack_verdict(&k, "WW9"), HL7_STRAY);
        free(ack);
        free(msgs[i]);
    }
    ww_test_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_r01_golden),
        cmocka_unit_test(test_r01_partial),
        cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_r40_start_golden),
        cmocka_unit_test(test_r40_ack_legacy_golden),
        cmocka_unit_test(test_r40_transitions),
        cmocka_unit_test(test_dst_repeated_hour),
        cmocka_unit_test(test_dst_spring_gap),
        cmocka_unit_test(test_mllp_frame),
        cmocka_unit_test(test_deframer),
        cmocka_unit_test(test_ack),
        cmocka_unit_test(test_python_hl7),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
