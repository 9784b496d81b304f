/* Tests for src/fhir: the transaction Bundle byte for byte against bundles
 * written by hand from the FHIR R4 specification (Bundle, Observation, the
 * vital-signs profiles resprate and heartrate: category vital-signs, LOINC
 * 9279-1 / 8867-4, UCUM /min; transaction entries with request.ifNoneExist)
 * and ../shared/INTEGRATION.md; fullUrl UUIDs are RFC 4122 version 5 of
 * SYSTEM|VALUE in the URL namespace, the expected ones computed with
 * Python's uuid.uuid5 (an independent implementation); and the verdicts on
 * transaction-responses and HTTP statuses (R4 3.1.0.11.3 / 3.1.0.2). */
#include "ww_test.h"
#include "fhir.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define T_END 1773144000000LL   /* 2026-03-10 12:00:00 UTC */
#define T_START 1773143940000LL /* 11:59:00 */

static struct fhir_ident ident(void)
{
    struct fhir_ident id = {0};
    strcpy(id.ward, "Obs 3");
    return id;
}

static struct hl7_obs obs_full(void)
{
    struct hl7_obs o = {0};
    strcpy(o.control_id, "WWF1-1773143940");
    o.t0_ms = T_START;
    o.t1_ms = o.msg_ms = T_END;
    strcpy(o.subj.patient_ref, "12345678901");
    strcpy(o.subj.bed_label, "Rom 1 d\xc3\xb8r"); /* "Rom 1 dør" */
    strcpy(o.subj.device_id, "0012A2FFFE000001");
    o.have_rr = o.have_hr = true;
    o.rr = 18;
    o.hr = 131;
    o.rr_ms = o.hr_ms = T_END - 2000;
    o.have_news2 = true;
    o.news2_total = 3;
    o.news2_ms = T_END;
    return o;
}

#define PAT_UUID "fdb17072-c967-5766-a9ea-bd9ab195e012"
#define DEV_UUID "01b6b009-c90d-5570-a01b-5645823173c8"
#define RR_UUID "3eab361e-39e7-55d1-9a8c-e5887d40c19d"
#define HR_UUID "4ffc224d-a40b-5efb-abc9-533fe203111a"
#define N2_UUID "15812080-0357-5c1d-a894-f2928823529c"

#define PATIENT_ENTRY                                                                          \
    "{\"fullUrl\":\"urn:uuid:" PAT_UUID "\",\"resource\":{\"resourceType\":\"Patient\","      \
    "\"identifier\":[{\"system\":\"urn:wardwatch:patient-ref\",\"value\":\"12345678901\"}]}," \
    "\"request\":{\"method\":\"POST\",\"url\":\"Patient\",\"ifNoneExist\":"                   \
    "\"identifier=urn:wardwatch:patient-ref|12345678901\"}}"

#define VITAL_CAT                                                                              \
    "\"category\":[{\"coding\":[{\"system\":"                                                  \
    "\"http://terminology.hl7.org/CodeSystem/observation-category\",\"code\":\"vital-signs\"," \
    "\"display\":\"Vital Signs\"}],\"text\":\"Vital Signs\"}]"

/* the time of the period's last value, UTC with its offset */
#define PERIOD "\"effectiveDateTime\":\"2026-03-10T11:59:58+00:00\""

static const char golden_full[] =
    "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":["
    PATIENT_ENTRY ","
    "{\"fullUrl\":\"urn:uuid:" DEV_UUID "\",\"resource\":{\"resourceType\":\"Device\","
    "\"identifier\":[{\"system\":\"urn:wardwatch:device\",\"value\":\"0012A2FFFE000001\"}],"
    "\"deviceName\":[{\"name\":\"contactless radar, Obs 3, bed Rom 1 d\xc3\xb8r\","
    "\"type\":\"user-friendly-name\"}]},"
    "\"request\":{\"method\":\"POST\",\"url\":\"Device\",\"ifNoneExist\":"
    "\"identifier=urn:wardwatch:device|0012A2FFFE000001\"}},"
    /* respiratory rate */
    "{\"fullUrl\":\"urn:uuid:" RR_UUID "\",\"resource\":{\"resourceType\":\"Observation\","
    "\"meta\":{\"profile\":[\"http://hl7.org/fhir/StructureDefinition/resprate\"]},"
    "\"identifier\":[{\"system\":\"urn:wardwatch:observation\","
    "\"value\":\"Obs 3/1/rr/2026-03-10T11:59:00Z\"}],"
    "\"status\":\"preliminary\"," VITAL_CAT ","
    "\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"9279-1\","
    "\"display\":\"Respiratory rate\"},{\"system\":\"urn:iso:std:iso:11073:10101\","
    "\"code\":\"151562\",\"display\":\"MDC_RESP_RATE\"}],\"text\":\"Respiratory rate\"},"
    "\"subject\":{\"reference\":\"urn:uuid:" PAT_UUID "\"}," PERIOD ","
    "\"valueQuantity\":{\"value\":18,\"unit\":\"breaths/minute\","
    "\"system\":\"http://unitsofmeasure.org\",\"code\":\"/min\"},"
    "\"method\":{\"text\":\"contactless radar\"},"
    "\"device\":{\"reference\":\"urn:uuid:" DEV_UUID "\"}},"
    "\"request\":{\"method\":\"POST\",\"url\":\"Observation\",\"ifNoneExist\":"
    "\"identifier=urn:wardwatch:observation|Obs%203/1/rr/2026-03-10T11:59:00Z\"}},"
    /* pulse */
    "{\"fullUrl\":\"urn:uuid:" HR_UUID "\",\"resource\":{\"resourceType\":\"Observation\","
    "\"meta\":{\"profile\":[\"http://hl7.org/fhir/StructureDefinition/heartrate\"]},"
    "\"identifier\":[{\"system\":\"urn:wardwatch:observation\","
    "\"value\":\"Obs 3/1/hr/2026-03-10T11:59:00Z\"}],"
    "\"status\":\"preliminary\"," VITAL_CAT ","
    "\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"8867-4\","
    "\"display\":\"Heart rate\"},{\"system\":\"urn:iso:std:iso:11073:10101\","
    "\"code\":\"149514\",\"display\":\"MDC_PULS_RATE\"}],\"text\":\"Heart rate\"},"
    "\"subject\":{\"reference\":\"urn:uuid:" PAT_UUID "\"}," PERIOD ","
    "\"valueQuantity\":{\"value\":131,\"unit\":\"beats/minute\","
    "\"system\":\"http://unitsofmeasure.org\",\"code\":\"/min\"},"
    "\"method\":{\"text\":\"contactless radar\"},"
    "\"device\":{\"reference\":\"urn:uuid:" DEV_UUID "\"}},"
    "\"request\":{\"method\":\"POST\",\"url\":\"Observation\",\"ifNoneExist\":"
    "\"identifier=urn:wardwatch:observation|Obs%203/1/hr/2026-03-10T11:59:00Z\"}},"
    /* NEWS2 */
    "{\"fullUrl\":\"urn:uuid:" N2_UUID "\",\"resource\":{\"resourceType\":\"Observation\","
    "\"identifier\":[{\"system\":\"urn:wardwatch:observation\","
    "\"value\":\"Obs 3/1/news2/2026-03-10T11:59:00Z\"}],"
    "\"status\":\"preliminary\","
    "\"category\":[{\"coding\":[{\"system\":"
    "\"http://terminology.hl7.org/CodeSystem/observation-category\",\"code\":\"survey\","
    "\"display\":\"Survey\"}],\"text\":\"Survey\"}],"
    "\"code\":{\"coding\":[{\"system\":\"http://snomed.info/sct\","
    "\"code\":\"1104051000000101\"}],\"text\":\"NEWS2 total score\"},"
    "\"subject\":{\"reference\":\"urn:uuid:" PAT_UUID "\"},"
    "\"effectiveDateTime\":\"2026-03-10T12:00:00+00:00\","
    "\"valueQuantity\":{\"value\":3,\"unit\":\"score\","
    "\"system\":\"http://unitsofmeasure.org\",\"code\":\"{score}\"},"
    "\"derivedFrom\":[{\"reference\":\"urn:uuid:" RR_UUID "\"},"
    "{\"reference\":\"urn:uuid:" HR_UUID "\"}]},"
    "\"request\":{\"method\":\"POST\",\"url\":\"Observation\",\"ifNoneExist\":"
    "\"identifier=urn:wardwatch:observation|Obs%203/1/news2/2026-03-10T11:59:00Z\"}}"
    "]}";

static void test_bundle_full(void **state)
{
    struct fhir_ident id = ident();
    struct hl7_obs o = obs_full();
    char err[256];
    size_t len;
    int n = 0;
    char *b = fhir_build_bundle(&id, 1, &o, &len, &n, err, sizeof err);
    assert_non_null(b);
    assert_string_equal(b, golden_full);
    assert_int_equal(len, strlen(golden_full));
    assert_int_equal(n, 5);
    /* the same period made again (a retry, a restart) is the same bytes */
    char *b2 = fhir_build_bundle(&id, 1, &o, &len, &n, err, sizeof err);
    assert_string_equal(b, b2);
    free(b);
    free(b2);
}

/* Values a nurse entered, written by hand from the R4 vital-signs profiles
 * (oxygensat: LOINC 2708-6 fixed, UCUM %; bp: panel 85354-9 with the
 * systolic 8480-6 and diastolic 8462-4 components in mm[Hg], a component
 * without a value has a dataAbsentReason (vs-3); bodytemp: 8310-5, Cel;
 * resprate 9279-1), the MDC terms of PCD-01's OBX-3 (INTEGRATION.md), and
 * SNOMED CT for what R4 has no vital sign for: ACVPU 1104441000000107 with
 * its findings (C: 130987000 Acute confusion), air/oxygen 371825009 Patient
 * on oxygen. Status final (a person vouches: OBX-11 F), performer the
 * staff id. The NEWS2 total is derived from them and from the radar's
 * pulse, not from the radar's RR: the hand count was scored. */
#define MAN_SPO2 "bfb8d9fe-1432-5881-bceb-69bcfce5a583"
#define MAN_O2 "8573fd4e-e518-57ac-b293-43f889918fc2"
#define MAN_SBP "028399b5-f77c-5a7c-b258-666a0939c597"
#define MAN_ACVPU "5901bc8d-8af1-559f-a53a-696c07cb5c55"
#define MAN_TEMP "fe4f2465-3cc3-5ce0-ad5e-1526dcad0ef8"
#define MAN_RR "6bf12f29-39c3-52e9-9e34-ebf31dfc394b"

#define MAN_OPEN(uuid, profile, ident)                                                         \
    "{\"fullUrl\":\"urn:uuid:" uuid "\",\"resource\":{\"resourceType\":\"Observation\","      \
    profile "\"identifier\":[{\"system\":\"urn:wardwatch:observation\","                      \
    "\"value\":\"Obs 3/1/manual/" ident "\"}],\"status\":\"final\","
#define MAN_CLOSE(ident)                                                                       \
    "},\"request\":{\"method\":\"POST\",\"url\":\"Observation\",\"ifNoneExist\":"              \
    "\"identifier=urn:wardwatch:observation|Obs%203/1/manual/" ident "\"}}"
#define SUBJ "\"subject\":{\"reference\":\"urn:uuid:" PAT_UUID "\"},"
#define BY_KN                                                                                  \
    "\"performer\":[{\"type\":\"Practitioner\",\"identifier\":{\"system\":"                    \
    "\"urn:wardwatch:staff\",\"value\":\"KN\"},\"display\":\"KN\"}],"
#define SURVEY_CAT                                                                             \
    "\"category\":[{\"coding\":[{\"system\":"                                                  \
    "\"http://terminology.hl7.org/CodeSystem/observation-category\",\"code\":\"survey\","      \
    "\"display\":\"Survey\"}],\"text\":\"Survey\"}]"

static const char golden_manual[] =
    MAN_OPEN(MAN_SPO2, "\"meta\":{\"profile\":[\"http://hl7.org/fhir/StructureDefinition/oxygensat\"]},",
             "spo2/2026-03-10T11:59:30Z")
    VITAL_CAT ",\"code\":{\"coding\":["
    "{\"system\":\"http://loinc.org\",\"code\":\"2708-6\",\"display\":\"Oxygen saturation in "
    "Arterial blood\"},"
    "{\"system\":\"http://loinc.org\",\"code\":\"59408-5\",\"display\":\"Oxygen saturation in "
    "Arterial blood by Pulse oximetry\"},"
    "{\"system\":\"urn:iso:std:iso:11073:10101\",\"code\":\"150456\",\"display\":"
    "\"MDC_PULS_OXIM_SAT_O2\"}],\"text\":\"Oxygen saturation in Arterial blood\"},"
    SUBJ "\"effectiveDateTime\":\"2026-03-10T11:59:30+00:00\"," BY_KN
    "\"valueQuantity\":{\"value\":94,\"unit\":\"%\",\"system\":\"http://unitsofmeasure.org\","
    "\"code\":\"%\"}"
    MAN_CLOSE("spo2/2026-03-10T11:59:30Z") ","
    /* air or oxygen */
    MAN_OPEN(MAN_O2, "", "o2/2026-03-10T11:59:30Z")
    SURVEY_CAT ",\"code\":{\"text\":\"Air or oxygen\"},"
    SUBJ "\"effectiveDateTime\":\"2026-03-10T11:59:30+00:00\"," BY_KN
    "\"valueCodeableConcept\":{\"coding\":[{\"system\":\"http://snomed.info/sct\","
    "\"code\":\"371825009\",\"display\":\"Patient on oxygen\"}],\"text\":\"Patient on oxygen\"}"
    MAN_CLOSE("o2/2026-03-10T11:59:30Z") ","
    /* systolic, as a blood pressure panel */
    MAN_OPEN(MAN_SBP, "\"meta\":{\"profile\":[\"http://hl7.org/fhir/StructureDefinition/bp\"]},",
             "sbp/2026-03-10T11:59:31Z")
    VITAL_CAT ",\"code\":{\"coding\":["
    "{\"system\":\"http://loinc.org\",\"code\":\"85354-9\",\"display\":\"Blood pressure panel "
    "with all children optional\"}],\"text\":\"Blood pressure panel with all children "
    "optional\"},"
    SUBJ "\"effectiveDateTime\":\"2026-03-10T11:59:31+00:00\"," BY_KN
    "\"component\":[{\"code\":{\"coding\":["
    "{\"system\":\"http://loinc.org\",\"code\":\"8480-6\",\"display\":\"Systolic blood "
    "pressure\"},"
    "{\"system\":\"urn:iso:std:iso:11073:10101\",\"code\":\"150021\",\"display\":"
    "\"MDC_PRESS_BLD_NONINV_SYS\"}],\"text\":\"Systolic blood pressure\"},"
    "\"valueQuantity\":{\"value\":92,\"unit\":\"mmHg\",\"system\":\"http://unitsofmeasure.org\","
    "\"code\":\"mm[Hg]\"}},"
    "{\"code\":{\"coding\":["
    "{\"system\":\"http://loinc.org\",\"code\":\"8462-4\",\"display\":\"Diastolic blood "
    "pressure\"}],\"text\":\"Diastolic blood pressure\"},"
    "\"dataAbsentReason\":{\"coding\":[{\"system\":"
    "\"http://terminology.hl7.org/CodeSystem/data-absent-reason\",\"code\":\"unsupported\","
    "\"display\":\"Unsupported\"}]}}]"
    MAN_CLOSE("sbp/2026-03-10T11:59:31Z") ","
    /* ACVPU */
    MAN_OPEN(MAN_ACVPU, "", "acvpu/2026-03-10T11:59:32Z")
    SURVEY_CAT ",\"code\":{\"coding\":[{\"system\":\"http://snomed.info/sct\","
    "\"code\":\"1104441000000107\",\"display\":\"ACVPU (Alert Confusion Voice Pain "
    "Unresponsive) scale score\"}],\"text\":\"ACVPU\"},"
    SUBJ "\"effectiveDateTime\":\"2026-03-10T11:59:32+00:00\"," BY_KN
    "\"valueCodeableConcept\":{\"coding\":[{\"system\":\"http://snomed.info/sct\","
    "\"code\":\"130987000\",\"display\":\"Acute confusion\"}],\"text\":\"C\"}"
    MAN_CLOSE("acvpu/2026-03-10T11:59:32Z") ","
    /* temperature, to 0.1; nobody named: no performer */
    MAN_OPEN(MAN_TEMP, "\"meta\":{\"profile\":[\"http://hl7.org/fhir/StructureDefinition/bodytemp\"]},",
             "temp/2026-03-10T11:59:33Z")
    VITAL_CAT ",\"code\":{\"coding\":["
    "{\"system\":\"http://loinc.org\",\"code\":\"8310-5\",\"display\":\"Body temperature\"},"
    "{\"system\":\"urn:iso:std:iso:11073:10101\",\"code\":\"150364\",\"display\":"
    "\"MDC_TEMP_BODY\"}],\"text\":\"Body temperature\"},"
    SUBJ "\"effectiveDateTime\":\"2026-03-10T11:59:33+00:00\","
    "\"valueQuantity\":{\"value\":38.5,\"unit\":\"Cel\",\"system\":\"http://unitsofmeasure.org\","
    "\"code\":\"Cel\"}"
    MAN_CLOSE("temp/2026-03-10T11:59:33Z") ","
    /* a hand count of RR */
    MAN_OPEN(MAN_RR, "\"meta\":{\"profile\":[\"http://hl7.org/fhir/StructureDefinition/resprate\"]},",
             "rr/2026-03-10T11:59:34Z")
    VITAL_CAT ",\"code\":{\"coding\":["
    "{\"system\":\"http://loinc.org\",\"code\":\"9279-1\",\"display\":\"Respiratory rate\"},"
    "{\"system\":\"urn:iso:std:iso:11073:10101\",\"code\":\"151562\",\"display\":"
    "\"MDC_RESP_RATE\"}],\"text\":\"Respiratory rate\"},"
    SUBJ "\"effectiveDateTime\":\"2026-03-10T11:59:34+00:00\"," BY_KN
    "\"valueQuantity\":{\"value\":22,\"unit\":\"breaths/minute\","
    "\"system\":\"http://unitsofmeasure.org\",\"code\":\"/min\"}"
    MAN_CLOSE("rr/2026-03-10T11:59:34Z") ","
    /* NEWS2 */
    "{\"fullUrl\":\"urn:uuid:" N2_UUID "\",\"resource\":{\"resourceType\":\"Observation\","
    "\"identifier\":[{\"system\":\"urn:wardwatch:observation\","
    "\"value\":\"Obs 3/1/news2/2026-03-10T11:59:00Z\"}],"
    "\"status\":\"preliminary\"," SURVEY_CAT ","
    "\"code\":{\"coding\":[{\"system\":\"http://snomed.info/sct\","
    "\"code\":\"1104051000000101\"}],\"text\":\"NEWS2 total score\"}," SUBJ
    "\"effectiveDateTime\":\"2026-03-10T12:00:00+00:00\","
    "\"valueQuantity\":{\"value\":9,\"unit\":\"score\","
    "\"system\":\"http://unitsofmeasure.org\",\"code\":\"{score}\"},"
    "\"derivedFrom\":[{\"reference\":\"urn:uuid:" HR_UUID "\"},"
    "{\"reference\":\"urn:uuid:" MAN_SPO2 "\"},{\"reference\":\"urn:uuid:" MAN_O2 "\"},"
    "{\"reference\":\"urn:uuid:" MAN_SBP "\"},{\"reference\":\"urn:uuid:" MAN_ACVPU "\"},"
    "{\"reference\":\"urn:uuid:" MAN_TEMP "\"},{\"reference\":\"urn:uuid:" MAN_RR "\"}]},"
    "\"request\":{\"method\":\"POST\",\"url\":\"Observation\",\"ifNoneExist\":"
    "\"identifier=urn:wardwatch:observation|Obs%203/1/news2/2026-03-10T11:59:00Z\"}}"
    "]}";

static void add_manual(struct hl7_obs *o, enum news2_param p, double v, int64_t t,
                       const char *by)
{
    struct hl7_manual *m = &o->manual[o->nmanual++];
    m->param = p;
    m->value = v;
    m->t_ms = t;
    strcpy(m->by, by);
}

static void test_bundle_manual(void **state)
{
    struct fhir_ident id = ident();
    struct hl7_obs o = obs_full();
    o.news2_total = 9;
    add_manual(&o, NEWS2_SPO2, 94, T_END - 30000, "KN");
    add_manual(&o, NEWS2_O2, 1, T_END - 30000, "KN");
    add_manual(&o, NEWS2_SBP, 92, T_END - 29000, "KN");
    add_manual(&o, NEWS2_ACVPU, 'C', T_END - 28000, "KN");
    add_manual(&o, NEWS2_TEMP, 38.5, T_END - 27000, "");
    add_manual(&o, NEWS2_RR, 22, T_END - 26000, "KN");
    char err[256];
    size_t len;
    int n = 0;
    char *b = fhir_build_bundle(&id, 1, &o, &len, &n, err, sizeof err);
    if (!b)
        fail_msg("%s", err);
    /* Patient, Device and the radar's rates as in the full bundle, then
     * the values entered and the total */
    const char *n2 = strstr(golden_full, "{\"fullUrl\":\"urn:uuid:" N2_UUID);
    assert_non_null(n2);
    size_t head = (size_t)(n2 - golden_full);
    char *want = malloc(head + sizeof golden_manual);
    assert_non_null(want);
    memcpy(want, golden_full, head);
    memcpy(want + head, golden_manual, sizeof golden_manual);
    assert_string_equal(b, want);
    assert_int_equal(n, 11);
    assert_int_equal(len, strlen(want));
    free(want);
    free(b);
    /* an unknown parameter is refused, naming it */
    o.manual[2].param = (enum news2_param)NEWS2_NPARAMS;
    assert_null(fhir_build_bundle(&id, 1, &o, &len, &n, err, sizeof err));
    assert_non_null(strstr(err, "manual observation 2: unknown parameter"));
}

/* A bed with only manual values: the Patient and the NEWS2 total (partial:
 * a lower bound, comparator >=, what is missing in a note), no Device, no
 * derivedFrom. */
static void test_bundle_partial(void **state)
{
    struct fhir_ident id = ident();
    struct hl7_obs o = obs_full();
    o.have_rr = o.have_hr = false;
    o.news2_partial = true;
    o.news2_total = 5;
    o.news2_missing = 1u << NEWS2_SPO2 | 1u << NEWS2_TEMP;
    o.news2_stale = 1u << NEWS2_SBP;
    static const char golden[] =
        "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[" PATIENT_ENTRY ","
        "{\"fullUrl\":\"urn:uuid:" N2_UUID "\",\"resource\":{\"resourceType\":\"Observation\","
        "\"identifier\":[{\"system\":\"urn:wardwatch:observation\","
        "\"value\":\"Obs 3/1/news2/2026-03-10T11:59:00Z\"}],"
        "\"status\":\"preliminary\","
        "\"category\":[{\"coding\":[{\"system\":"
        "\"http://terminology.hl7.org/CodeSystem/observation-category\",\"code\":\"survey\","
        "\"display\":\"Survey\"}],\"text\":\"Survey\"}],"
        "\"code\":{\"coding\":[{\"system\":\"http://snomed.info/sct\","
        "\"code\":\"1104051000000101\"}],\"text\":\"NEWS2 total score\"},"
        "\"subject\":{\"reference\":\"urn:uuid:" PAT_UUID "\"},"
        "\"effectiveDateTime\":\"2026-03-10T12:00:00+00:00\","
        "\"valueQuantity\":{\"value\":5,\"comparator\":\">=\",\"unit\":\"score\","
        "\"system\":\"http://unitsofmeasure.org\",\"code\":\"{score}\"},"
        "\"note\":[{\"text\":\"partial set, total is a lower bound: missing spo2, temp; "
        "stale sbp\"}]},"
        "\"request\":{\"method\":\"POST\",\"url\":\"Observation\",\"ifNoneExist\":"
        "\"identifier=urn:wardwatch:observation|Obs%203/1/news2/2026-03-10T11:59:00Z\"}}"
        "]}";
    char err[256];
    size_t len;
    int n = 0;
    char *b = fhir_build_bundle(&id, 1, &o, &len, &n, err, sizeof err);
    assert_non_null(b);
    assert_string_equal(b, golden);
    assert_int_equal(n, 2);
    free(b);
}

/* Text from outside: JSON-escaped in the resource (RFC 8259), FHIR-search
 * escaped (\|) and percent-encoded in ifNoneExist (RFC 3986), and the
 * identifier the UUID is made of is the text as it is. */
static void test_bundle_escaping(void **state)
{
    struct fhir_ident id = ident();
    strcpy(id.patient_system, "urn:oid:2.16.578.1.12.4.1.4.1");
    struct hl7_obs o = obs_full();
    o.have_rr = o.have_hr = o.have_news2 = false;
    strcpy(o.subj.patient_ref, "12 \"x\"|y\\\x01");
    char err[256];
    size_t len;
    int n = 0;
    char *b = fhir_build_bundle(&id, 1, &o, &len, &n, err, sizeof err);
    assert_non_null(b);
    assert_non_null(strstr(b, "\"value\":\"12 \\\"x\\\"|y\\\\\\u0001\""));
    assert_non_null(strstr(
        b, "\"ifNoneExist\":\"identifier=urn:oid:2.16.578.1.12.4.1.4.1|12%20%22x%22%5C%7Cy%5C%5C%01\""));
    assert_int_equal(n, 1);
    free(b);
    strcpy(o.subj.patient_ref, "");
    assert_null(fhir_build_bundle(&id, 1, &o, &len, &n, err, sizeof err));
    assert_non_null(strstr(err, "no patient reference"));
}

static void test_uuid5_and_time(void **state)
{
    char u[37];
    fhir_uuid5("http://python.org/", u);
    assert_string_equal(u, "4c565f0d-3f5a-5890-b41b-20cf47701c5e");
    fhir_uuid5("", u);
    assert_string_equal(u, "1b4db7eb-4057-5ddf-91e0-36dec72071f5");
    fhir_uuid5("urn:wardwatch:patient-ref|12 \"x\"|y", u);
    assert_string_equal(u, "fe484af0-b3f5-572a-9511-3503223135c2");
    /* a name longer than one SHA-1 block (55+ bytes with the namespace) */
    fhir_uuid5("urn:wardwatch:observation|Obs 3/1/news2/2026-03-10T11:59:00Z", u);
    assert_string_equal(u, N2_UUID);
    char t[FHIR_TIME_LEN];
    /* Oslo's repeated hour, 2026-10-25 02:30 local the second time: UTC */
    fhir_time(1792891800000LL, t);
    assert_string_equal(t, "2026-10-25T01:30:00+00:00");
    fhir_time(0, t);
    assert_string_equal(t, "1970-01-01T00:00:00+00:00");
}

/* Oslo's October night has 02:30 twice (CEST, then CET): the two periods
 * must be two observations. Identifiers in local time would make the
 * second a duplicate of the first, which ifNoneExist then silently drops. */
static void test_repeated_hour_is_two_periods(void **state)
{
    struct fhir_ident id = ident();
    struct hl7_obs o = obs_full();
    o.have_hr = o.have_news2 = false;
    char err[256];
    size_t len;
    int n;
    o.t0_ms = 1792888200000LL; /* 02:30 CEST = 00:30 UTC */
    o.t1_ms = o.rr_ms = o.t0_ms + 60000;
    char *a = fhir_build_bundle(&id, 1, &o, &len, &n, err, sizeof err);
    o.t0_ms = 1792891800000LL; /* 02:30 CET = 01:30 UTC */
    o.t1_ms = o.rr_ms = o.t0_ms + 60000;
    char *b = fhir_build_bundle(&id, 1, &o, &len, &n, err, sizeof err);
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(strstr(a, "\"value\":\"Obs 3/1/rr/2026-10-25T00:30:00Z\""));
    assert_non_null(strstr(a, "urn:uuid:53f1b261-6434-53b3-9e8a-63b222bcba0a"));
    assert_non_null(strstr(a, "\"effectiveDateTime\":\"2026-10-25T00:31:00+00:00\""));
    assert_non_null(strstr(b, "\"value\":\"Obs 3/1/rr/2026-10-25T01:30:00Z\""));
    assert_non_null(strstr(b, "urn:uuid:7701dbe3-6fb1-5c31-ba62-0c8e170e7f1e"));
    assert_non_null(strstr(b, "\"effectiveDateTime\":\"2026-10-25T01:31:00+00:00\""));
    free(a);
    free(b);
}

/* Oslo's March night skips 02:00-03:00 (01:00 UTC): the minute before the
 * jump (01:59 CET) and the minute after (03:00 CEST) are consecutive
 * periods, identified and timed in UTC whatever the process's zone. */
static void test_spring_gap_periods(void **state)
{
    char *tz = getenv("TZ") ? strdup(getenv("TZ")) : NULL;
    setenv("TZ", "Europe/Oslo", 1);
    tzset();
    struct fhir_ident id = ident();
    struct hl7_obs o = obs_full();
    o.have_hr = o.have_news2 = false;
    char err[256];
    size_t len;
    int n;
    o.t0_ms = 1774745940000LL; /* 00:59 UTC = 01:59 CET */
    o.t1_ms = o.t0_ms + 60000;
    o.rr_ms = o.t1_ms - 1000;
    char *a = fhir_build_bundle(&id, 1, &o, &len, &n, err, sizeof err);
    o.t0_ms = 1774746000000LL; /* 01:00 UTC = 03:00 CEST */
    o.t1_ms = o.t0_ms + 60000;
    o.rr_ms = o.t1_ms - 1000;
    char *b = fhir_build_bundle(&id, 1, &o, &len, &n, err, sizeof err);
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(strstr(a, "\"value\":\"Obs 3/1/rr/2026-03-29T00:59:00Z\""));
    assert_non_null(strstr(a, "\"effectiveDateTime\":\"2026-03-29T00:59:59+00:00\""));
    assert_non_null(strstr(b, "\"value\":\"Obs 3/1/rr/2026-03-29T01:00:00Z\""));
    assert_non_null(strstr(b, "\"effectiveDateTime\":\"2026-03-29T01:00:59+00:00\""));
    free(a);
    free(b);
    if (tz)
        setenv("TZ", tz, 1);
    else
        unsetenv("TZ");
    free(tz);
    tzset();
}

#define TR_OK                                                                                  \
    "{\"resourceType\":\"Bundle\",\"type\":\"transaction-response\",\"entry\":["               \
    "{\"response\":{\"status\":\"201 Created\",\"location\":\"Patient/1/_history/1\"}},"       \
    "{\"response\":{\"status\":\"200 OK\"}}]}"

static enum hl7_verdict verdict(long code, const char *body, int n, char *why, size_t wl)
{
    return fhir_verdict(code, body, body ? strlen(body) : 0, n, why, wl);
}

static void test_verdicts(void **state)
{
    char why[256];
    /* 201 created, 200 = the conditional create found it: both delivered */
    assert_int_equal(verdict(200, TR_OK, 2, why, sizeof why), HL7_DELIVERED);
    assert_int_equal(verdict(200, TR_OK, 3, why, sizeof why), HL7_RETRY);
    assert_non_null(strstr(why, "2 entries for the 3 sent"));
    /* a content error: dead, never resent; the OperationOutcome says why */
    assert_int_equal(
        verdict(400,
                "{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"error\","
                "\"code\":\"invalid\",\"diagnostics\":\"Missing required property\"}]}",
                2, why, sizeof why),
        HL7_DEAD);
    assert_string_equal(why, "HTTP 400: Missing required property");
    assert_int_equal(verdict(422, NULL, 2, why, sizeof why), HL7_DEAD);
    assert_int_equal(verdict(412, "", 2, why, sizeof why), HL7_DEAD);
    /* the server's trouble, or too busy: resent */
    assert_int_equal(verdict(500, "oops", 2, why, sizeof why), HL7_RETRY);
    assert_string_equal(why, "HTTP 500");
    assert_int_equal(verdict(503, NULL, 2, why, sizeof why), HL7_RETRY);
    assert_int_equal(verdict(408, NULL, 2, why, sizeof why), HL7_RETRY);
    assert_int_equal(verdict(429, NULL, 2, why, sizeof why), HL7_RETRY);
    assert_int_equal(verdict(302, NULL, 2, why, sizeof why), HL7_RETRY);
    /* 200 but not what a transaction answers */
    assert_int_equal(verdict(200, "<html>", 2, why, sizeof why), HL7_RETRY);
    assert_non_null(strstr(why, "not JSON"));
    assert_int_equal(verdict(200, "", 2, why, sizeof why), HL7_RETRY);
    assert_int_equal(
        verdict(200, "{\"resourceType\":\"Bundle\",\"type\":\"batch-response\",\"entry\":[]}", 0,
                why, sizeof why),
        HL7_RETRY);
    assert_non_null(strstr(why, "batch-response"));
    /* per entry */
    assert_int_equal(
        verdict(200,
                "{\"resourceType\":\"Bundle\",\"type\":\"transaction-response\",\"entry\":["
                "{\"response\":{\"status\":\"201\"}},{\"response\":{\"status\":\"400 Bad "
                "Request\",\"outcome\":{\"resourceType\":\"OperationOutcome\",\"issue\":[{"
                "\"details\":{\"text\":\"bad code\"}}]}}}]}",
                2, why, sizeof why),
        HL7_DEAD);
    assert_string_equal(why, "transaction-response entry 2: 400: bad code");
    assert_int_equal(
        verdict(200,
                "{\"resourceType\":\"Bundle\",\"type\":\"transaction-response\",\"entry\":["
                "{\"response\":{\"status\":\"503 Unavailable\"}},{\"response\":{\"status\":\"201\"}}]}",
                2, why, sizeof why),
        HL7_RETRY);
    assert_int_equal(
        verdict(200,
                "{\"resourceType\":\"Bundle\",\"type\":\"transaction-response\",\"entry\":["
                "{\"response\":{\"status\":\"20x\"}},{\"response\":{}}]}",
                2, why, sizeof why),
        HL7_RETRY);
    assert_non_null(strstr(why, "entry 1: status '20x' is not an HTTP status"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bundle_full),
        cmocka_unit_test(test_bundle_partial),
        cmocka_unit_test(test_bundle_manual),
        cmocka_unit_test(test_bundle_escaping),
        cmocka_unit_test(test_uuid5_and_time),
        cmocka_unit_test(test_repeated_hour_is_two_periods),
        cmocka_unit_test(test_spring_gap_periods),
        cmocka_unit_test(test_verdicts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
