/*
 * hl7 — PCD-01/PCD-04 messages, MLLP framing, ACKs (see hl7.h).
 */
#include "hl7.h"
#include "util.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MLLP_SB 0x0b
#define MLLP_EB 0x1c
#define MLLP_CR 0x0d

#define PCD01_PROFILE "IHE_PCD_001^IHE PCD^1.3.6.1.4.1.19376.1.6.1.1.1^ISO"
#define PCD04_PROFILE "IHE_PCD_ACM_001^IHE PCD^1.3.6.1.4.1.19376.1.6.4.4^ISO"

void hl7_time(int64_t ms, char buf[HL7_TIME_LEN])
{
    time_t t = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
    struct tm tm;
    if (!gmtime_r(&t, &tm) || tm.tm_year + 1900 > 9999 || tm.tm_year + 1900 < 0) {
        ww_strlcpy(buf, "00000000000000+0000", HL7_TIME_LEN);
        return;
    }
    strftime(buf, HL7_TIME_LEN, "%Y%m%d%H%M%S+0000", &tm);
}

/* ---- growing string ---------------------------------------------------- */

void hl7_put(struct hl7_str *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}

void hl7_puts(struct hl7_str *b, const char *s) { hl7_put(b, s, strlen(s)); }

void hl7_putf(struct hl7_str *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof tmp)
        n = sizeof tmp - 1; /* callers format numbers and codes only */
    hl7_put(b, tmp, (size_t)n);
}

void hl7_str_esc(struct hl7_str *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '|': hl7_puts(b, "\\F\\"); break;
        case '^': hl7_puts(b, "\\S\\"); break;
        case '~': hl7_puts(b, "\\R\\"); break;
        case '\\': hl7_puts(b, "\\E\\"); break;
        case '&': hl7_puts(b, "\\T\\"); break;
        default:
            if (*p < 0x20 || *p == 0x7f)
                hl7_put(b, " ", 1); /* a CR would end the segment */
            else
                hl7_put(b, (const char *)p, 1);
        }
    }
}

static void put_time(struct hl7_str *b, int64_t ms)
{
    char t[HL7_TIME_LEN];
    hl7_time(ms, t);
    hl7_puts(b, t);
}

/* ---- common segments --------------------------------------------------- */

static void put_msh(struct hl7_str *b, const struct hl7_ident *id, int64_t msg_ms,
                    const char *type, const char *ctl, const char *profile)
{
    hl7_puts(b, "MSH|^~\\&|");
    hl7_str_esc(b, id->app);
    if (id->app_uid[0]) {
        hl7_put(b, "^", 1);
        hl7_str_esc(b, id->app_uid);
        /* 16 hex digits: an EUI-64; anything else is a UUID */
        hl7_puts(b, strlen(id->app_uid) == 16 ? "^EUI-64" : "^UUID");
    }
    hl7_put(b, "|", 1);
    hl7_str_esc(b, id->facility);
    hl7_put(b, "|", 1);
    hl7_str_esc(b, id->receiver_app);
    hl7_put(b, "|", 1);
    hl7_str_esc(b, id->receiver_facility);
    hl7_put(b, "|", 1);
    put_time(b, msg_ms);
    hl7_putf(b, "||%s|", type);
    hl7_str_esc(b, ctl);
    hl7_putf(b, "|%s|2.6|||AL|NE||UNICODE UTF-8|||%s\r", id->demo ? "D" : "P", profile);
}

static void put_pid_pv1(struct hl7_str *b, const struct hl7_ident *id,
                        const struct hl7_subject *s)
{
    hl7_puts(b, "PID|||");
    hl7_str_esc(b, s->patient_ref);
    hl7_puts(b, "^^^");
    hl7_str_esc(b, id->facility);
    hl7_puts(b, "^PI\rPV1||I|");
    hl7_str_esc(b, id->ward);
    hl7_puts(b, "^^");
    hl7_str_esc(b, s->bed_label);
    hl7_put(b, "^", 1);
    hl7_str_esc(b, id->facility);
    hl7_put(b, "\r", 1);
}

static void put_device_row(struct hl7_str *b, int setid, const struct hl7_subject *s)
{
    hl7_putf(b, "OBX|%d||69965^MDC_DEV_MON_PHYSIO_MULTI_PARAM_MDS^MDC|1.0.0.0|||||||X", setid);
    if (!s->device_id[0]) { /* no equipment id configured: OBX-18 empty */
        hl7_put(b, "\r", 1);
        return;
    }
    hl7_puts(b, "|||||||");
    hl7_str_esc(b, s->device_id);
    hl7_puts(b, "^^");
    hl7_str_esc(b, s->device_id);
    hl7_puts(b, strlen(s->device_id) == 16 ? "^EUI-64\r" : "^UUID\r");
}

static void put_limits(struct hl7_str *b, double lo, double hi)
{
    hl7_putf(b, "%.0f-%.0f", lo, hi);
}

/* Abnormal flag against alarm limits: an alarm is at <= low or >= high. */
static const char *flag(int v, double lo, double hi)
{
    if (v >= hi)
        return "H";
    if (v <= lo)
        return "L";
    return "N";
}

/* ---- PCD-01 ------------------------------------------------------------ */

struct param_code {
    const char *code, *unit; /* OBX-3 and OBX-6; unit "" none */
    const char *type;        /* OBX-2 */
};

static const struct param_code param_codes[NEWS2_NPARAMS] = {
    [NEWS2_RR] = {"151562^MDC_RESP_RATE^MDC", "264928^MDC_DIM_RESP_PER_MIN^MDC", "NM"},
    [NEWS2_SPO2] = {"150456^MDC_PULS_OXIM_SAT_O2^MDC", "262688^MDC_DIM_PERCENT^MDC", "NM"},
    [NEWS2_O2] = {"o2^Air or oxygen^99WW", "", "ST"},
    [NEWS2_SBP] = {"150021^MDC_PRESS_BLD_NONINV_SYS^MDC", "266016^MDC_DIM_MMHG^MDC", "NM"},
    [NEWS2_HR] = {"149514^MDC_PULS_RATE^MDC", "264864^MDC_DIM_BEAT_PER_MIN^MDC", "NM"},
    [NEWS2_ACVPU] = {"acvpu^ACVPU^99WW", "", "ST"},
    [NEWS2_TEMP] = {"150364^MDC_TEMP_BODY^MDC", "268192^MDC_DIM_DEGC^MDC", "NM"},
};

static void put_manual_value(struct hl7_str *b, const struct hl7_manual *m)
{
    switch (m->param) {
    case NEWS2_O2: hl7_puts(b, m->value >= 0.5 ? "oxygen" : "air"); break;
    case NEWS2_ACVPU: {
        char c[2] = {(char)m->value, 0};
        if (c[0] < 'A' || c[0] > 'Z')
            c[0] = '?';
        hl7_puts(b, c);
        break;
    }
    case NEWS2_TEMP: hl7_putf(b, "%.1f", m->value); break;
    default: hl7_putf(b, "%.0f", m->value); break;
    }
}

char *hl7_build_oru_r01(const struct hl7_ident *id, const struct hl7_obs *o, size_t *len,
                        char *err, size_t errlen)
{
    if (!o->control_id[0]) {
        ww_err(err, errlen, "ORU^R01: no control id");
        return NULL;
    }
    if (!o->subj.patient_ref[0]) {
        ww_err(err, errlen, "ORU^R01: no patient reference");
        return NULL;
    }
    if (o->nmanual > HL7_MAX_MANUAL) {
        ww_err(err, errlen, "ORU^R01: %zu manual observations (at most %d)", o->nmanual,
               HL7_MAX_MANUAL);
        return NULL;
    }
    struct hl7_str b = {0};
    put_msh(&b, id, o->msg_ms, "ORU^R01^ORU_R01", o->control_id, PCD01_PROFILE);
    put_pid_pv1(&b, id, &o->subj);
    hl7_puts(&b, "OBR|1||");
    hl7_str_esc(&b, o->control_id);
    hl7_put(&b, "^", 1);
    hl7_str_esc(&b, id->app);
    hl7_puts(&b, "|182777000^monitoring of patient^SCT|||");
    put_time(&b, o->t0_ms);
    hl7_put(&b, "|", 1);
    put_time(&b, o->t1_ms);
    hl7_put(&b, "\r", 1);

    int set = 1;
    put_device_row(&b, set++, &o->subj);
    const struct alarm_limits *l = &o->limits;
    if (o->have_rr) {
        hl7_putf(&b, "OBX|%d|NM|%s|1.1.1.1|%d|%s|", set++, param_codes[NEWS2_RR].code, o->rr,
             param_codes[NEWS2_RR].unit);
        put_limits(&b, l->rr_low, l->rr_high);
        hl7_putf(&b, "|%s|||R|||", flag(o->rr, l->rr_low, l->rr_high));
        put_time(&b, o->rr_ms);
        hl7_puts(&b, "|||AMEAS^auto-measurement^MDC\r");
    }
    if (o->have_hr) {
        hl7_putf(&b, "OBX|%d|NM|%s|1.1.1.2|%d|%s|", set++, param_codes[NEWS2_HR].code, o->hr,
             param_codes[NEWS2_HR].unit);
        put_limits(&b, l->hr_low, l->hr_high);
        hl7_putf(&b, "|%s|||R|||", flag(o->hr, l->hr_low, l->hr_high));
        put_time(&b, o->hr_ms);
        hl7_puts(&b, "|||AMEAS^auto-measurement^MDC\r");
    }
    for (size_t i = 0; i < o->nmanual; i++) {
        const struct hl7_manual *m = &o->manual[i];
        if ((int)m->param < 0 || m->param >= NEWS2_NPARAMS) {
            free(b.p);
            ww_err(err, errlen, "ORU^R01: manual observation %zu: unknown parameter", i);
            return NULL;
        }
        const struct param_code *pc = &param_codes[m->param];
        hl7_putf(&b, "OBX|%d|%s|%s|1.2.1.%d|", set++, pc->type, pc->code, (int)m->param + 1);
        put_manual_value(&b, m);
        hl7_putf(&b, "|%s|||||F|||", pc->unit); /* OBX-6, OBX-11 */
        put_time(&b, m->t_ms);
        hl7_puts(&b, "||");
        hl7_str_esc(&b, m->by);
        hl7_puts(&b, "|MMEAS^manual-measurement^MDC\r");
    }
    if (o->have_news2) {
        if (o->news2_partial)
            hl7_putf(&b, "OBX|%d|SN|1104051000000101^NEWS2 total score^SCT|1.3.1.1|>=^%d", set++,
                 o->news2_total);
        else
            hl7_putf(&b, "OBX|%d|NM|1104051000000101^NEWS2 total score^SCT|1.3.1.1|%d", set++,
                 o->news2_total);
        hl7_puts(&b, "|{score}^score^UCUM|||||R|||");
        put_time(&b, o->news2_ms);
        hl7_put(&b, "\r", 1);
        if (o->news2_partial) {
            /* which parameters the lower bound lacks, in words */
            hl7_puts(&b, "NTE|1||partial set, total is a lower bound:");
            const char *sep = " missing ";
            for (int p = 0; p < NEWS2_NPARAMS; p++)
                if (o->news2_missing & (1u << p)) {
                    hl7_puts(&b, sep);
                    hl7_puts(&b, news2_param_name((enum news2_param)p));
                    sep = ", ";
                }
            sep = o->news2_missing ? "; stale " : " stale ";
            for (int p = 0; p < NEWS2_NPARAMS; p++)
                if (o->news2_stale & (1u << p)) {
                    hl7_puts(&b, sep);
                    hl7_puts(&b, news2_param_name((enum news2_param)p));
                    sep = ", ";
                }
            hl7_put(&b, "\r", 1);
        }
    }
    if (b.oom) {
        free(b.p);
        ww_err(err, errlen, "ORU^R01: out of memory");
        return NULL;
    }
    *len = b.len;
    return b.p;
}

/* ---- PCD-04 ------------------------------------------------------------ */

enum hl7_phase hl7_alert_phase(enum alarm_event_kind k)
{
    switch (k) {
    case AE_RAISED: return HL7_PH_START;
    case AE_ESCALATED: return HL7_PH_ESCALATE;
    case AE_ENDED:
    case AE_SUPERSEDED: return HL7_PH_END;
    case AE_RESET: return HL7_PH_RESET;
    case AE_ACKNOWLEDGED:
    case AE_REALERTED:
    case AE_LATCHED:
    default: return HL7_PH_UPDATE;
    }
}

const char *hl7_phase_name(enum hl7_phase p)
{
    static const char *const n[] = {"start", "continue", "end", "update", "escalate", "reset"};
    return (unsigned)p < WW_ARRAY_LEN(n) ? n[p] : "update";
}

const char *hl7_alert_state(const struct hl7_alert *a)
{
    /* The flags give the state after the transition; the one rule
     * (alarm_state_after, idempotent) applies the transition itself. */
    enum alarm_rec_state before = a->latched ? ARS_LATCHED
                                  : a->acked ? ARS_ACKNOWLEDGED
                                             : ARS_ACTIVE;
    enum alarm_rec_state s = alarm_state_after(before, a->kind);
    if (!alarm_rec_state_open(s))
        return "inactive";
    return s == ARS_LATCHED ? "latched" : "active";
}

const char *hl7_alert_inactivation(const struct hl7_alert *a)
{
    return a->acked && a->kind != AE_REALERTED ? "alert-acknowledged" : "enabled";
}

/* The condition's event code (row 1) and the source's containment. */
static void cond_codes(enum alarm_condition c, const char **event, const char **cont,
                       const char **metric, const char **unit)
{
    *metric = *unit = NULL;
    switch (c) {
    case AC_RR_HIGH:
    case AC_RR_LOW:
        *event = c == AC_RR_HIGH ? "196648^MDC_EVT_HI^MDC" : "196670^MDC_EVT_LO^MDC";
        *cont = "1.1.1.1";
        *metric = param_codes[NEWS2_RR].code;
        *unit = param_codes[NEWS2_RR].unit;
        return;
    case AC_HR_HIGH:
    case AC_HR_LOW:
        *event = c == AC_HR_HIGH ? "196648^MDC_EVT_HI^MDC" : "196670^MDC_EVT_LO^MDC";
        *cont = "1.1.1.2";
        *metric = param_codes[NEWS2_HR].code;
        *unit = param_codes[NEWS2_HR].unit;
        return;
    case AC_APNOEA: *event = "apnoea^Apnoea^99WW"; *cont = "1.1.1.1"; return;
    case AC_NEWS2_HIGH: *event = "news2-high^NEWS2 high^99WW"; *cont = "1.3.1.1"; return;
    case AC_NEWS2_MEDIUM: *event = "news2-medium^NEWS2 medium^99WW"; *cont = "1.3.1.1"; return;
    case AC_NEWS2_LOW_MEDIUM:
        *event = "news2-low-medium^NEWS2 single parameter 3^99WW";
        *cont = "1.3.1.1";
        return;
    case AC_DISCONNECTED:
        *event = "sensor-disconnected^Sensor disconnected^99WW";
        break;
    case AC_NO_SIGNAL: *event = "no-signal^No valid signal^99WW"; break;
    case AC_OUT_OF_BED: *event = "out-of-bed^Out of bed^99WW"; break;
    case AC_STORE_FAILURE: *event = "store-failure^Store failure^99WW"; break;
    case AC_OBS_OVERDUE: *event = "obs-overdue^Observations overdue^99WW"; break;
    case AC_EXPORT_FAILURE: *event = "export-failure^Export failure^99WW"; break;
    default: *event = "alarm^Alarm^99WW"; break;
    }
    *cont = "1.0.0.0";
}

static bool cond_technical(enum alarm_condition c)
{
    return c == AC_DISCONNECTED || c == AC_NO_SIGNAL || c == AC_OUT_OF_BED ||
           c == AC_STORE_FAILURE || c == AC_OBS_OVERDUE || c == AC_EXPORT_FAILURE;
}

/* Rows 2-7 attribute codes: [0] source ... [5] type. The older vendor
 * samples (INTEGRATION.md: 68164-68168; e.g. Draeger's 2019 and GE Mural's
 * PCD-04) number source, phase, state, inactivation state and priority
 * 68164-68168 and keep 68485 MDC_ATTR_ALERT_TYPE for the type: five codes
 * for six rows, so the legacy set's last row is the 2024 one on purpose. */
static const char *const attr_2024[6] = {
    "68480^MDC_ATTR_ALERT_SOURCE^MDC",   "68481^MDC_ATTR_EVENT_PHASE^MDC",
    "68482^MDC_ATTR_ALARM_STATE^MDC",    "68483^MDC_ATTR_ALARM_INACTIVATION_STATE^MDC",
    "68484^MDC_ATTR_ALARM_PRIORITY^MDC", "68485^MDC_ATTR_ALERT_TYPE^MDC",
};
static const char *const attr_legacy[6] = {
    "68164^MDC_ATTR_ALERT_SOURCE^MDC",   "68165^MDC_ATTR_EVENT_PHASE^MDC",
    "68166^MDC_ATTR_ALARM_STATE^MDC",    "68167^MDC_ATTR_ALARM_INACTIVATION_STATE^MDC",
    "68168^MDC_ATTR_ALARM_PRIORITY^MDC", "68485^MDC_ATTR_ALERT_TYPE^MDC",
};

static void put_attr_row(struct hl7_str *b, int set, const char *code, const char *cont, int n,
                         const char *value, int64_t t, const char *by)
{
    hl7_putf(b, "OBX|%d|ST|%s|%s.%d|", set, code, cont, n);
    hl7_str_esc(b, value);
    hl7_puts(b, "||||||R|||");
    put_time(b, t);
    if (by && by[0]) {
        hl7_puts(b, "||");
        hl7_str_esc(b, by);
    }
    hl7_put(b, "\r", 1);
}

char *hl7_build_oru_r40(const struct hl7_ident *id, enum hl7_alert_codes codes,
                        const struct hl7_alert *a, size_t *len, char *err, size_t errlen)
{
    if (!a->control_id[0] || !a->alert_id[0]) {
        ww_err(err, errlen, "ORU^R40: no control id or alert id");
        return NULL;
    }
    enum hl7_phase ph = hl7_alert_phase(a->kind);
    if ((ph == HL7_PH_START) != (a->parent_id[0] == 0)) {
        ww_err(err, errlen, "ORU^R40: %s: the start message has no parent id, every later "
               "one has it", hl7_phase_name(ph));
        return NULL;
    }
    if ((unsigned)a->cond >= AC_COUNT) {
        ww_err(err, errlen, "ORU^R40: unknown alarm condition %d", (int)a->cond);
        return NULL;
    }
    const char *const *attr = codes == HL7_CODES_LEGACY ? attr_legacy : attr_2024;
    const char *event, *cont, *metric, *unit;
    cond_codes(a->cond, &event, &cont, &metric, &unit);

    struct hl7_str b = {0};
    put_msh(&b, id, a->msg_ms, "ORU^R40^ORU_R40", a->control_id, PCD04_PROFILE);
    put_pid_pv1(&b, id, &a->subj);
    hl7_puts(&b, "OBR|1||");
    hl7_str_esc(&b, a->alert_id);
    hl7_put(&b, "^", 1);
    hl7_str_esc(&b, id->app);
    hl7_puts(&b, "|196616^MDC_EVT_ALARM^MDC|||");
    put_time(&b, a->t_ms);
    if (a->parent_id[0]) {
        /* OBR-29 (EIP): the filler id of the start message */
        hl7_puts(&b, "||||||||||||||||||||||^"); /* 22 */
        hl7_str_esc(&b, a->parent_id);
        hl7_put(&b, "&", 1);
        hl7_str_esc(&b, id->app);
    }
    hl7_put(&b, "\r", 1);

    put_device_row(&b, 1, &a->subj);
    int set = 2;
    /* row 1: what the alarm is */
    hl7_putf(&b, "OBX|%d|ST|%s|%s.1|", set++, event, cont);
    hl7_str_esc(&b, a->text);
    hl7_puts(&b, "||||||R|||");
    put_time(&b, a->t_ms);
    hl7_put(&b, "\r", 1);
    /* row 2: the source, with its value and limits when it is a metric */
    if (metric && a->have_value) {
        bool rr = a->cond == AC_RR_HIGH || a->cond == AC_RR_LOW;
        double lo = rr ? a->limits.rr_low : a->limits.hr_low;
        double hi = rr ? a->limits.rr_high : a->limits.hr_high;
        hl7_putf(&b, "OBX|%d|NM|%s|%s.2|%d|%s|", set++, metric, cont, a->value, unit);
        put_limits(&b, lo, hi);
        hl7_putf(&b, "|%s|||R|||", flag(a->value, lo, hi));
        put_time(&b, a->t_ms);
        hl7_put(&b, "\r", 1);
    } else {
        const char *src = cond_technical(a->cond) ? "device"
                          : a->cond == AC_APNOEA  ? "respiration"
                                                  : "NEWS2";
        put_attr_row(&b, set++, attr[0], cont, 2, src, a->t_ms, NULL);
    }
    put_attr_row(&b, set++, attr[1], cont, 3, hl7_phase_name(ph), a->t_ms, NULL);
    put_attr_row(&b, set++, attr[2], cont, 4, hl7_alert_state(a), a->t_ms, NULL);
    /* who acknowledged (or reset) stands in OBX-16 of the inactivation row */
    put_attr_row(&b, set++, attr[3], cont, 5, hl7_alert_inactivation(a), a->t_ms, a->by);
    static const char *const prio[] = {"PN", "PL", "PM", "PH"};
    put_attr_row(&b, set++, attr[4], cont, 6,
                 (unsigned)a->priority < 4 ? prio[a->priority] : "PN", a->t_ms, NULL);
    put_attr_row(&b, set++, attr[5], cont, 7, cond_technical(a->cond) ? "ST" : "SP", a->t_ms,
                 NULL);
    if (b.oom) {
        free(b.p);
        ww_err(err, errlen, "ORU^R40: out of memory");
        return NULL;
    }
    *len = b.len;
    return b.p;
}

/* ---- MLLP -------------------------------------------------------------- */

char *hl7_mllp_frame(const char *msg, size_t len, size_t *outlen)
{
    char *p = malloc(len + 3);
    if (!p)
        return NULL;
    p[0] = MLLP_SB;
    memcpy(p + 1, msg, len);
    p[len + 1] = MLLP_EB;
    p[len + 2] = MLLP_CR;
    *outlen = len + 3;
    return p;
}

void hl7_deframer_init(struct hl7_deframer *d) { memset(d, 0, sizeof *d); }

void hl7_deframer_free(struct hl7_deframer *d)
{
    free(d->buf);
    memset(d, 0, sizeof *d);
}

/*
 * The buffer holds complete frames not yet taken (SB msg EB CR each),
 * then the open frame from d->open when in_frame. Bytes outside a frame
 * (noise, a stray EB CR) are dropped and counted. An SB inside an open frame
 * starts it over: the peer gave the earlier one up.
 */
static int append(struct hl7_deframer *d, unsigned char c, char *err, size_t errlen)
{
    if (d->len + 1 > d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 4096;
        char *nb = realloc(d->buf, cap);
        if (!nb)
            return ww_err(err, errlen, "MLLP: out of memory");
        d->buf = nb;
        d->cap = cap;
    }
    d->buf[d->len++] = (char)c;
    return 0;
}

int hl7_deframer_feed(struct hl7_deframer *d, const void *data, size_t n, char *err,
                      size_t errlen)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = p[i];
        if (!d->in_frame) {
            if (c != MLLP_SB) {
                d->discarded++;
                continue;
            }
            d->in_frame = true;
            d->open = d->len;
        } else if (c == MLLP_SB) {
            d->discarded += d->len - d->open;
            d->len = d->open;
        }
        if (append(d, c, err, errlen) < 0)
            return -1;
        size_t flen = d->len - d->open;
        if (c == MLLP_CR && flen >= 3 && (unsigned char)d->buf[d->len - 2] == MLLP_EB)
            d->in_frame = false;
        else if (flen > (size_t)HL7_MAX_MESSAGE + 3)
            return ww_err(err, errlen, "MLLP frame longer than %d bytes", HL7_MAX_MESSAGE);
    }
    return 0;
}

int hl7_deframer_next(struct hl7_deframer *d, char **msg, size_t *len)
{
    size_t limit = d->in_frame ? d->open : d->len; /* complete frames end here */
    for (size_t i = 2; i < limit; i++) {
        if ((unsigned char)d->buf[i] != MLLP_CR || (unsigned char)d->buf[i - 1] != MLLP_EB)
            continue;
        size_t n = i - 2; /* between SB (buf[0]) and EB */
        char *m = malloc(n + 1);
        if (!m)
            return 0;
        memcpy(m, d->buf + 1, n);
        m[n] = 0;
        memmove(d->buf, d->buf + i + 1, d->len - (i + 1));
        d->len -= i + 1;
        if (d->in_frame)
            d->open -= i + 1;
        *msg = m;
        *len = n;
        return 1;
    }
    return 0;
}

/* ---- ACK --------------------------------------------------------------- */

static const char *const ack_names[] = {"AA", "AE", "AR", "CA", "CE", "CR"};

const char *hl7_ack_code_name(enum hl7_ack_code c)
{
    return (unsigned)c < WW_ARRAY_LEN(ack_names) ? ack_names[c] : "?";
}

/* Field k (0 = segment id) of segment seg[0..n), separator fs, into out. */
static void field(const char *seg, size_t n, char fs, int k, char *out, size_t outlen)
{
    size_t i = 0;
    for (int f = 0; f < k && i < n; i++)
        if (seg[i] == fs)
            f++;
    size_t j = 0;
    if (k > 0 && i == 0)
        i = n;
    while (i < n && seg[i] != fs && j + 1 < outlen)
        out[j++] = seg[i++];
    out[j] = 0;
}

int hl7_ack_parse(const char *msg, size_t len, struct hl7_ack *ack, char *err, size_t errlen)
{
    memset(ack, 0, sizeof *ack);
    if (len < 8 || memcmp(msg, "MSH", 3) != 0)
        return ww_err(err, errlen, "ACK does not start with MSH");
    char fs = msg[3];
    bool have_msa = false;
    char errtext[128] = "";
    size_t i = 0;
    while (i < len) {
        size_t e = i;
        while (e < len && msg[e] != '\r' && msg[e] != '\n')
            e++;
        const char *seg = msg + i;
        size_t n = e - i;
        if (n >= 4 && memcmp(seg, "MSA", 3) == 0 && seg[3] == fs && !have_msa) {
            char code[8];
            field(seg, n, fs, 1, code, sizeof code);
            int c = -1;
            for (size_t k = 0; k < WW_ARRAY_LEN(ack_names); k++)
                if (strcmp(code, ack_names[k]) == 0)
                    c = (int)k;
            if (c < 0)
                return ww_err(err, errlen, "ACK: MSA-1 '%.7s' is not AA, AE, AR, CA, CE or CR",
                              code);
            ack->code = (enum hl7_ack_code)c;
            field(seg, n, fs, 2, ack->control_id, sizeof ack->control_id);
            field(seg, n, fs, 3, ack->text, sizeof ack->text);
            have_msa = true;
        } else if (n >= 4 && memcmp(seg, "ERR", 3) == 0 && seg[3] == fs && !errtext[0]) {
            /* ERR-8 user message, else ERR-3 the code */
            field(seg, n, fs, 8, errtext, sizeof errtext);
            if (!errtext[0])
                field(seg, n, fs, 3, errtext, sizeof errtext);
        }
        i = e;
        while (i < len && (msg[i] == '\r' || msg[i] == '\n'))
            i++;
    }
    if (!have_msa)
        return ww_err(err, errlen, "ACK has no MSA segment");
    if (!ack->text[0] && errtext[0])
        ww_strlcpy(ack->text, errtext, sizeof ack->text);
    return 0;
}

enum hl7_verdict hl7_ack_verdict(const struct hl7_ack *ack, const char *sent_id)
{
    if (!sent_id[0] || strcmp(ack->control_id, sent_id) != 0)
        return HL7_STRAY;
    switch (ack->code) {
    case HL7_AA:
    case HL7_CA: return HL7_DELIVERED;
    case HL7_AE:
    case HL7_CE: return HL7_DEAD;
    default: return HL7_RETRY;
    }
}
