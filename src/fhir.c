/*
 * fhir — FHIR R4 transaction bundles and their answers (see fhir.h).
 */
#include "fhir.h"
#include "util.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CAT_SYSTEM "http://terminology.hl7.org/CodeSystem/observation-category"
#define UCUM "http://unitsofmeasure.org"
#define MDC "urn:iso:std:iso:11073:10101"
#define LOINC "http://loinc.org"
#define SNOMED "http://snomed.info/sct"
#define DAR "http://terminology.hl7.org/CodeSystem/data-absent-reason"
#define VS "http://hl7.org/fhir/StructureDefinition/"

void fhir_time(int64_t ms, char buf[FHIR_TIME_LEN])
{
    time_t t = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
    struct tm tm;
    if (!gmtime_r(&t, &tm) || tm.tm_year + 1900 > 9999 || tm.tm_year + 1900 < 0) {
        ww_strlcpy(buf, "0000-01-01T00:00:00+00:00", FHIR_TIME_LEN);
        return;
    }
    strftime(buf, FHIR_TIME_LEN, "%Y-%m-%dT%H:%M:%S+00:00", &tm);
}

/* ---- SHA-1 (FIPS 180-4) for name-based UUIDs --------------------------- */

static uint32_t rol(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

static void sha1_block(uint32_t h[5], const unsigned char *p)
{
    uint32_t w[80];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 80; i++)
        w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (int i = 0; i < 80; i++) {
        uint32_t f, k;
        if (i < 20) {
            f = (b & c) | (~b & d);
            k = 0x5a827999;
        } else if (i < 40) {
            f = b ^ c ^ d;
            k = 0x6ed9eba1;
        } else if (i < 60) {
            f = (b & c) | (b & d) | (c & d);
            k = 0x8f1bbcdc;
        } else {
            f = b ^ c ^ d;
            k = 0xca62c1d6;
        }
        uint32_t t = rol(a, 5) + f + e + k + w[i];
        e = d;
        d = c;
        c = rol(b, 30);
        b = a;
        a = t;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
}

/* SHA-1 of a then b (the UUID's namespace then its name). */
static void sha1_2(const unsigned char *a, size_t na, const unsigned char *b, size_t nb,
                   unsigned char out[20])
{
    uint32_t h[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};
    unsigned char blk[64];
    size_t fill = 0;
    uint64_t total = (uint64_t)(na + nb);
    for (size_t i = 0; i < na + nb; i++) {
        blk[fill++] = i < na ? a[i] : b[i - na];
        if (fill == 64) {
            sha1_block(h, blk);
            fill = 0;
        }
    }
    blk[fill++] = 0x80;
    if (fill > 56) {
        memset(blk + fill, 0, 64 - fill);
        sha1_block(h, blk);
        fill = 0;
    }
    memset(blk + fill, 0, 56 - fill);
    for (int i = 0; i < 8; i++)
        blk[56 + i] = (unsigned char)((total * 8) >> (56 - 8 * i));
    sha1_block(h, blk);
    for (int i = 0; i < 5; i++)
        for (int j = 0; j < 4; j++)
            out[4 * i + j] = (unsigned char)(h[i] >> (24 - 8 * j));
}

void fhir_uuid5(const char *name, char out[37])
{
    /* the URL namespace, 6ba7b811-9dad-11d1-80b4-00c04fd430c8 (RFC 4122 C) */
    static const unsigned char ns[16] = {0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1,
                                         0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8};
    unsigned char h[20];
    sha1_2(ns, sizeof ns, (const unsigned char *)name, strlen(name), h);
    h[6] = (unsigned char)((h[6] & 0x0f) | 0x50);
    h[8] = (unsigned char)((h[8] & 0x3f) | 0x80);
    char *p = out;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *p++ = '-';
        p += sprintf(p, "%02x", h[i]);
    }
    *p = 0;
}

/* ---- growing JSON text ------------------------------------------------- */

/* A JSON string: quotes, backslashes and control characters escaped, UTF-8
 * as it is (RFC 8259 7). */
static void put_str(struct hl7_str *b, const char *s)
{
    hl7_put(b, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            char e[2] = {'\\', (char)*p};
            hl7_put(b, e, 2);
        } else if (*p < 0x20) {
            hl7_putf(b, "\\u%04x", *p);
        } else {
            hl7_put(b, (const char *)p, 1);
        }
    }
    hl7_put(b, "\"", 1);
}

/* A search value in a URL query: FHIR's escapes (\ before , | $ \), then
 * every byte but unreserved ones and : / percent-encoded (RFC 3986). */
static void put_query_value(struct hl7_str *b, const char *s, bool fhir_escape)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (fhir_escape && strchr(",|$\\", *p))
            hl7_puts(b, "%5C");
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~:/", *p))
            hl7_put(b, (const char *)p, 1);
        else
            hl7_putf(b, "%%%02X", *p);
    }
}

/* ---- the bundle -------------------------------------------------------- */

struct ref {
    char system[160], value[256];
    char uuid[37];
};

static void ref_make(struct ref *r, const char *system, const char *value)
{
    ww_strlcpy(r->system, system, sizeof r->system);
    ww_strlcpy(r->value, value, sizeof r->value);
    /* SYSTEM|VALUE; both fit (each is shorter than its array) */
    char name[sizeof r->system + sizeof r->value + 2];
    size_t ns = strlen(r->system);
    memcpy(name, r->system, ns);
    name[ns] = '|';
    memcpy(name + ns + 1, r->value, strlen(r->value) + 1);
    fhir_uuid5(name, r->uuid);
}

/* {"fullUrl":...,"resource":{"resourceType":TYPE,["meta":...,]"identifier":[...] */
static void entry_open(struct hl7_str *b, const struct ref *r, const char *type,
                       const char *profile)
{
    hl7_puts(b, "{\"fullUrl\":\"urn:uuid:");
    hl7_puts(b, r->uuid);
    hl7_puts(b, "\",\"resource\":{\"resourceType\":\"");
    hl7_puts(b, type);
    hl7_put(b, "\"", 1);
    if (profile) {
        hl7_puts(b, ",\"meta\":{\"profile\":[");
        put_str(b, profile);
        hl7_puts(b, "]}");
    }
    hl7_puts(b, ",\"identifier\":[{\"system\":");
    put_str(b, r->system);
    hl7_puts(b, ",\"value\":");
    put_str(b, r->value);
    hl7_puts(b, "}]");
}

/* },"request":{conditional create}} */
static void entry_close(struct hl7_str *b, const struct ref *r, const char *type)
{
    hl7_puts(b, "},\"request\":{\"method\":\"POST\",\"url\":\"");
    hl7_puts(b, type);
    hl7_puts(b, "\",\"ifNoneExist\":\"identifier=");
    struct hl7_str q = {0};
    put_query_value(&q, r->system, false);
    hl7_put(&q, "|", 1);
    put_query_value(&q, r->value, true);
    if (q.oom)
        b->oom = true;
    else
        hl7_puts(b, q.p ? q.p : "");
    free(q.p);
    hl7_puts(b, "\"}}");
}

static void put_ref(struct hl7_str *b, const char *key, const struct ref *r)
{
    hl7_putf(b, ",\"%s\":{\"reference\":\"urn:uuid:%s\"}", key, r->uuid);
}

static void put_category(struct hl7_str *b, const char *code, const char *display)
{
    hl7_puts(b, ",\"category\":[{\"coding\":[{\"system\":\"" CAT_SYSTEM "\",\"code\":\"");
    hl7_puts(b, code);
    hl7_puts(b, "\",\"display\":\"");
    hl7_puts(b, display);
    hl7_puts(b, "\"}],\"text\":\"");
    hl7_puts(b, display);
    hl7_puts(b, "\"}]");
}

struct rate {
    const char *param, *profile, *loinc, *loinc_display, *mdc, *mdc_name, *unit;
};
static const struct rate rate_rr = {"rr", "http://hl7.org/fhir/StructureDefinition/resprate",
                                    "9279-1", "Respiratory rate", "151562", "MDC_RESP_RATE",
                                    "breaths/minute"};
static const struct rate rate_hr = {"hr", "http://hl7.org/fhir/StructureDefinition/heartrate",
                                    "8867-4", "Heart rate", "149514", "MDC_PULS_RATE",
                                    "beats/minute"};

static void put_effective(struct hl7_str *b, int64_t t)
{
    char s[FHIR_TIME_LEN];
    fhir_time(t, s);
    hl7_putf(b, ",\"effectiveDateTime\":\"%s\"", s);
}

static void put_rate(struct hl7_str *b, const struct rate *k, const struct ref *r,
                     const struct ref *pat, const struct ref *dev, int value, int64_t t)
{
    entry_open(b, r, "Observation", k->profile);
    hl7_puts(b, ",\"status\":\"preliminary\"");
    put_category(b, "vital-signs", "Vital Signs");
    hl7_putf(b,
         ",\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"%s\",\"display\":"
         "\"%s\"},{\"system\":\"" MDC "\",\"code\":\"%s\",\"display\":\"%s\"}],\"text\":\"%s\"}",
         k->loinc, k->loinc_display, k->mdc, k->mdc_name, k->loinc_display);
    put_ref(b, "subject", pat);
    put_effective(b, t);
    hl7_putf(b,
         ",\"valueQuantity\":{\"value\":%d,\"unit\":\"%s\",\"system\":\"" UCUM
         "\",\"code\":\"/min\"}",
         value, k->unit);
    hl7_puts(b, ",\"method\":{\"text\":\"contactless radar\"}");
    if (dev)
        put_ref(b, "device", dev);
    entry_close(b, r, "Observation");
}

/* ---- values entered by hand --------------------------------------------- */

/* How a parameter entered by hand is coded: the R4 vital-signs profile and
 * its LOINC code (the profile's fixed coding first), the MDC term PCD-01's
 * OBX-3 carries as a second coding, the UCUM unit. Air/oxygen and ACVPU are
 * no R4 vital sign: coded values (SNOMED CT) on category survey, no profile. */
struct manual_code {
    const char *profile, *loinc, *loinc_display, *loinc2, *loinc2_display;
    const char *mdc, *mdc_name, *unit, *ucum;
    int decimals; /* as the chart shows it: temperature to 0.1 */
};
static const struct manual_code manual_codes[NEWS2_NPARAMS] = {
    [NEWS2_RR] = {VS "resprate", "9279-1", "Respiratory rate", NULL, NULL, "151562",
                  "MDC_RESP_RATE", "breaths/minute", "/min", 0},
    [NEWS2_SPO2] = {VS "oxygensat", "2708-6", "Oxygen saturation in Arterial blood", "59408-5",
                    "Oxygen saturation in Arterial blood by Pulse oximetry", "150456",
                    "MDC_PULS_OXIM_SAT_O2", "%", "%", 0},
    [NEWS2_SBP] = {VS "bp", "85354-9", "Blood pressure panel with all children optional", NULL,
                   NULL, "150021", "MDC_PRESS_BLD_NONINV_SYS", "mmHg", "mm[Hg]", 0},
    [NEWS2_HR] = {VS "heartrate", "8867-4", "Heart rate", NULL, NULL, "149514", "MDC_PULS_RATE",
                  "beats/minute", "/min", 0},
    [NEWS2_TEMP] = {VS "bodytemp", "8310-5", "Body temperature", NULL, NULL, "150364",
                    "MDC_TEMP_BODY", "Cel", "Cel", 1},
};

static void put_coding(struct hl7_str *b, const char *system, const char *code,
                       const char *display)
{
    hl7_puts(b, "{\"system\":\"");
    hl7_puts(b, system);
    hl7_puts(b, "\",\"code\":\"");
    hl7_puts(b, code);
    hl7_puts(b, "\",\"display\":\"");
    hl7_puts(b, display);
    hl7_puts(b, "\"}");
}

static void put_quantity(struct hl7_str *b, const struct manual_code *k, double v)
{
    hl7_puts(b, "\"valueQuantity\":{\"value\":");
    hl7_putf(b, "%.*f", k->decimals, v);
    hl7_putf(b, ",\"unit\":\"%s\",\"system\":\"" UCUM "\",\"code\":\"%s\"}", k->unit, k->ucum);
}

/* Systolic as the R4 bp profile wants it: a panel with a systolic and a
 * diastolic component; the chart's NEWS2 form takes no diastolic, so its
 * component says why it has no value (vs-3). */
static void put_bp(struct hl7_str *b, const struct manual_code *k, double sbp)
{
    hl7_puts(b, ",\"component\":[{\"code\":{\"coding\":[");
    put_coding(b, LOINC, "8480-6", "Systolic blood pressure");
    hl7_put(b, ",", 1);
    put_coding(b, MDC, k->mdc, k->mdc_name);
    hl7_puts(b, "],\"text\":\"Systolic blood pressure\"},");
    put_quantity(b, k, sbp);
    hl7_puts(b, "},{\"code\":{\"coding\":[");
    put_coding(b, LOINC, "8462-4", "Diastolic blood pressure");
    hl7_puts(b, "],\"text\":\"Diastolic blood pressure\"},\"dataAbsentReason\":{\"coding\":[");
    put_coding(b, DAR, "unsupported", "Unsupported");
    hl7_puts(b, "]}}]");
}

/* ACVPU's letter and air/oxygen as SNOMED CT findings; a letter outside
 * ACVPU (never stored: news2_plausible) as text only. */
static void put_coded_value(struct hl7_str *b, const struct hl7_manual *m)
{
    static const struct {
        char letter;
        const char *code, *display;
    } acvpu[] = {{'A', "248234008", "Mentally alert"},
                 {'C', "130987000", "Acute confusion"},
                 {'V', "300202002", "Responds to voice"},
                 {'P', "450847001", "Responds to pain"},
                 {'U', "422768004", "Unresponsive"}};
    const char *code = NULL, *display = NULL;
    char text[2] = {'?', 0};
    if (m->param == NEWS2_O2) {
        bool o2 = m->value >= 0.5;
        code = o2 ? "371825009" : "722742002";
        display = o2 ? "Patient on oxygen" : "Breathing room air";
    } else {
        for (size_t i = 0; i < WW_ARRAY_LEN(acvpu); i++)
            if ((int)m->value == acvpu[i].letter) {
                code = acvpu[i].code;
                display = acvpu[i].display;
                text[0] = acvpu[i].letter;
            }
    }
    hl7_puts(b, ",\"valueCodeableConcept\":{");
    if (code) {
        hl7_puts(b, "\"coding\":[");
        put_coding(b, SNOMED, code, display);
        hl7_puts(b, "],");
    }
    hl7_puts(b, "\"text\":");
    put_str(b, m->param == NEWS2_O2 ? display : text);
    hl7_put(b, "}", 1);
}

/* One value a nurse entered: status final (a person vouches for it: OBX-11
 * F in PCD-01), effective when entered, performer who entered it. */
static void put_manual(struct hl7_str *b, const struct ref *r, const struct ref *pat,
                       const struct hl7_manual *m)
{
    const struct manual_code *k = &manual_codes[m->param];
    bool coded = m->param == NEWS2_O2 || m->param == NEWS2_ACVPU;
    entry_open(b, r, "Observation", coded ? NULL : k->profile);
    hl7_puts(b, ",\"status\":\"final\"");
    if (coded)
        put_category(b, "survey", "Survey");
    else
        put_category(b, "vital-signs", "Vital Signs");
    hl7_puts(b, ",\"code\":{");
    if (m->param == NEWS2_O2) {
        hl7_puts(b, "\"text\":\"Air or oxygen\"}");
    } else if (m->param == NEWS2_ACVPU) {
        hl7_puts(b, "\"coding\":[");
        put_coding(b, SNOMED, "1104441000000107",
                   "ACVPU (Alert Confusion Voice Pain Unresponsive) scale score");
        hl7_puts(b, "],\"text\":\"ACVPU\"}");
    } else {
        hl7_puts(b, "\"coding\":[");
        put_coding(b, LOINC, k->loinc, k->loinc_display);
        if (k->loinc2) {
            hl7_put(b, ",", 1);
            put_coding(b, LOINC, k->loinc2, k->loinc2_display);
        }
        if (m->param != NEWS2_SBP) { /* the panel's MDC code is its component's */
            hl7_put(b, ",", 1);
            put_coding(b, MDC, k->mdc, k->mdc_name);
        }
        hl7_puts(b, "],\"text\":\"");
        hl7_puts(b, k->loinc_display);
        hl7_puts(b, "\"}");
    }
    put_ref(b, "subject", pat);
    put_effective(b, m->t_ms);
    if (m->by[0]) {
        hl7_puts(b, ",\"performer\":[{\"type\":\"Practitioner\",\"identifier\":{\"system\":\"" 
                 FHIR_STAFF_SYSTEM "\",\"value\":");
        put_str(b, m->by);
        hl7_puts(b, "},\"display\":");
        put_str(b, m->by);
        hl7_puts(b, "}]");
    }
    if (coded) {
        put_coded_value(b, m);
    } else if (m->param == NEWS2_SBP) {
        put_bp(b, k, m->value);
    } else {
        hl7_put(b, ",", 1);
        put_quantity(b, k, m->value);
    }
    entry_close(b, r, "Observation");
}

static void put_news2(struct hl7_str *b, const struct ref *r, const struct ref *pat,
                      const struct hl7_obs *o, const struct ref *const *from, size_t nfrom)
{
    entry_open(b, r, "Observation", NULL);
    hl7_puts(b, ",\"status\":\"preliminary\"");
    put_category(b, "survey", "Survey");
    hl7_puts(b, ",\"code\":{\"coding\":[{\"system\":\"http://snomed.info/sct\",\"code\":"
             "\"1104051000000101\"}],\"text\":\"NEWS2 total score\"}");
    put_ref(b, "subject", pat);
    put_effective(b, o->news2_ms);
    hl7_putf(b, ",\"valueQuantity\":{\"value\":%d,%s\"unit\":\"score\",\"system\":\"" UCUM
            "\",\"code\":\"{score}\"}",
         o->news2_total, o->news2_partial ? "\"comparator\":\">=\"," : "");
    if (o->news2_partial) {
        /* which parameters the lower bound lacks, in words (as PCD-01's NTE) */
        hl7_puts(b, ",\"note\":[{\"text\":\"partial set, total is a lower bound:");
        const char *sep = " missing ";
        for (int p = 0; p < NEWS2_NPARAMS; p++)
            if (o->news2_missing & (1u << p)) {
                hl7_puts(b, sep);
                hl7_puts(b, news2_param_name((enum news2_param)p));
                sep = ", ";
            }
        sep = o->news2_missing ? "; stale " : " stale ";
        for (int p = 0; p < NEWS2_NPARAMS; p++)
            if (o->news2_stale & (1u << p)) {
                hl7_puts(b, sep);
                hl7_puts(b, news2_param_name((enum news2_param)p));
                sep = ", ";
            }
        hl7_puts(b, "\"}]");
    }
    for (size_t i = 0; i < nfrom; i++)
        hl7_putf(b, "%s{\"reference\":\"urn:uuid:%s\"}", i ? "," : ",\"derivedFrom\":[",
                 from[i]->uuid);
    if (nfrom)
        hl7_put(b, "]", 1);
    entry_close(b, r, "Observation");
}

/* What a bundle cannot be made without: -1 with a message. */
static int check_obs(int bed, const struct hl7_obs *o, char *err, size_t errlen)
{
    if (!o->subj.patient_ref[0])
        return ww_err(err, errlen, "FHIR bundle: bed %d: no patient reference", bed);
    if (o->nmanual > HL7_MAX_MANUAL)
        return ww_err(err, errlen, "FHIR bundle: bed %d: %zu manual observations (at most %d)",
                      bed, o->nmanual, HL7_MAX_MANUAL);
    for (size_t i = 0; i < o->nmanual; i++)
        if ((unsigned)o->manual[i].param >= NEWS2_NPARAMS)
            return ww_err(err, errlen, "FHIR bundle: bed %d: manual observation %zu: unknown "
                          "parameter %d", bed, i, (int)o->manual[i].param);
    return 0;
}

char *fhir_build_bundle(const struct fhir_ident *id, int bed, const struct hl7_obs *o,
                        size_t *len, int *nentries, char *err, size_t errlen)
{
    if (check_obs(bed, o, err, errlen) < 0)
        return NULL;
    char t0[FHIR_TIME_LEN], v[256];
    fhir_time(o->t0_ms, t0);
    /* the period start in the identifier, compact: 2026-03-29T01:00:00Z */
    char start[24];
    snprintf(start, sizeof start, "%.19sZ", t0);

    struct ref pat, dev, rr, hr, n2;
    ref_make(&pat, id->patient_system[0] ? id->patient_system : FHIR_PATIENT_SYSTEM_DEFAULT,
             o->subj.patient_ref);
    if (o->subj.device_id[0])
        ww_strlcpy(v, o->subj.device_id, sizeof v);
    else
        snprintf(v, sizeof v, "%s/%d", id->ward, bed);
    ref_make(&dev, FHIR_DEVICE_SYSTEM, v);
    snprintf(v, sizeof v, "%s/%d/rr/%s", id->ward, bed, start);
    ref_make(&rr, FHIR_OBS_SYSTEM, v);
    snprintf(v, sizeof v, "%s/%d/hr/%s", id->ward, bed, start);
    ref_make(&hr, FHIR_OBS_SYSTEM, v);
    snprintf(v, sizeof v, "%s/%d/news2/%s", id->ward, bed, start);
    ref_make(&n2, FHIR_OBS_SYSTEM, v);
    /* a value entered by hand: parameter and the second it was entered */
    struct ref man[HL7_MAX_MANUAL];
    for (size_t i = 0; i < o->nmanual; i++) {
        char at[FHIR_TIME_LEN];
        fhir_time(o->manual[i].t_ms, at);
        snprintf(v, sizeof v, "%s/%d/manual/%s/%.19sZ", id->ward, bed,
                 news2_param_name(o->manual[i].param), at);
        ref_make(&man[i], FHIR_OBS_SYSTEM, v);
    }

    struct hl7_str b = {0};
    int n = 0;
    hl7_puts(&b, "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[");
    entry_open(&b, &pat, "Patient", NULL);
    entry_close(&b, &pat, "Patient");
    n++;
    bool have_dev = o->have_rr || o->have_hr;
    if (have_dev) {
        hl7_put(&b, ",", 1);
        entry_open(&b, &dev, "Device", NULL);
        hl7_puts(&b, ",\"deviceName\":[{\"name\":");
        char name[HL7_NAME * 2 + 32];
        snprintf(name, sizeof name, "contactless radar, %s, bed %s", id->ward,
                 o->subj.bed_label[0] ? o->subj.bed_label : "?");
        put_str(&b, name);
        hl7_puts(&b, ",\"type\":\"user-friendly-name\"}]");
        entry_close(&b, &dev, "Device");
        n++;
    }
    if (o->have_rr) {
        hl7_put(&b, ",", 1);
        put_rate(&b, &rate_rr, &rr, &pat, &dev, o->rr, o->rr_ms);
        n++;
    }
    if (o->have_hr) {
        hl7_put(&b, ",", 1);
        put_rate(&b, &rate_hr, &hr, &pat, &dev, o->hr, o->hr_ms);
        n++;
    }
    /* what the score was made of, as far as this bundle holds it: a rate
     * entered by hand in the period is the one scored (a hand count counts
     * over the radar's while it is fresh), else the radar's */
    const struct ref *from[2 + HL7_MAX_MANUAL];
    size_t nfrom = 0;
    bool hand_rr = false, hand_hr = false;
    for (size_t i = 0; i < o->nmanual; i++) {
        hand_rr |= o->manual[i].param == NEWS2_RR;
        hand_hr |= o->manual[i].param == NEWS2_HR;
    }
    if (o->have_rr && !hand_rr)
        from[nfrom++] = &rr;
    if (o->have_hr && !hand_hr)
        from[nfrom++] = &hr;
    for (size_t i = 0; i < o->nmanual; i++) {
        hl7_put(&b, ",", 1);
        put_manual(&b, &man[i], &pat, &o->manual[i]);
        from[nfrom++] = &man[i];
        n++;
    }
    if (o->have_news2) {
        hl7_put(&b, ",", 1);
        put_news2(&b, &n2, &pat, o, from, nfrom);
        n++;
    }
    hl7_puts(&b, "]}");
    if (b.oom) {
        free(b.p);
        ww_err(err, errlen, "FHIR bundle: out of memory");
        return NULL;
    }
    *len = b.len;
    *nentries = n;
    return b.p;
}

/* ---- answers ----------------------------------------------------------- */

/* The first issue's diagnostics or details.text of an OperationOutcome. */
static void outcome_text(json_t *oo, char *out, size_t n)
{
    json_t *issue = json_array_get(json_object_get(oo, "issue"), 0);
    const char *d = json_string_value(json_object_get(issue, "diagnostics"));
    if (!d)
        d = json_string_value(json_object_get(json_object_get(issue, "details"), "text"));
    if (d)
        snprintf(out, n, ": %.120s", d);
    else
        out[0] = 0;
}

enum hl7_verdict fhir_verdict(long http_status, const char *body, size_t len, int nentries,
                              char *why, size_t whylen)
{
    json_error_t je;
    json_t *root = body && len ? json_loadb(body, len, 0, &je) : NULL;
    char oo[140] = "";
    enum hl7_verdict v;
    if (http_status < 200 || http_status > 299) {
        if (root)
            outcome_text(root, oo, sizeof oo);
        bool dead = http_status >= 400 && http_status <= 499 && http_status != 408 &&
                    http_status != 429;
        snprintf(why, whylen, "HTTP %ld%s", http_status, oo);
        json_decref(root);
        return dead ? HL7_DEAD : HL7_RETRY;
    }
    if (!root) {
        snprintf(why, whylen, "HTTP %ld with an answer that is not JSON%s%.80s", http_status,
                 body && len ? ": " : "", body && len ? je.text : "");
        return HL7_RETRY;
    }
    const char *rt = json_string_value(json_object_get(root, "resourceType"));
    const char *type = json_string_value(json_object_get(root, "type"));
    json_t *entries = json_object_get(root, "entry");
    if (!rt || strcmp(rt, "Bundle") || !type || strcmp(type, "transaction-response") ||
        !json_is_array(entries)) {
        snprintf(why, whylen, "HTTP %ld but the answer is not a transaction-response Bundle "
                              "(resourceType %.40s, type %.40s)",
                 http_status, rt ? rt : "none", type ? type : "none");
        json_decref(root);
        return HL7_RETRY;
    }
    if ((int)json_array_size(entries) != nentries) {
        snprintf(why, whylen, "transaction-response has %zu entries for the %d sent",
                 json_array_size(entries), nentries);
        json_decref(root);
        return HL7_RETRY;
    }
    v = HL7_DELIVERED;
    why[0] = 0;
    for (int i = 0; i < nentries; i++) {
        json_t *resp = json_object_get(json_array_get(entries, (size_t)i), "response");
        const char *st = json_string_value(json_object_get(resp, "status"));
        long code = 0;
        if (st) {
            char digits[4] = {0};
            memcpy(digits, st, strnlen(st, 3));
            if (ww_parse_long(digits, 100, 599, &code) < 0 ||
                (st[3] && st[3] != ' '))
                code = 0;
        }
        if (code >= 200 && code <= 299)
            continue;
        outcome_text(json_object_get(resp, "outcome"), oo, sizeof oo);
        bool dead = code >= 400 && code <= 499 && code != 408 && code != 429;
        if (code == 0)
            snprintf(why, whylen, "transaction-response entry %d: status '%.20s' is not an "
                                  "HTTP status",
                     i + 1, st ? st : "(none)");
        else
            snprintf(why, whylen, "transaction-response entry %d: %ld%s", i + 1, code, oo);
        v = dead ? HL7_DEAD : HL7_RETRY;
        break;
    }
    json_decref(root);
    return v;
}

int fhir_bundle_entries(const char *body, size_t len)
{
    json_error_t je;
    json_t *root = json_loadb(body, len, 0, &je);
    json_t *e = json_object_get(root, "entry");
    int n = json_is_array(e) ? (int)json_array_size(e) : -1;
    json_decref(root);
    return n;
}
