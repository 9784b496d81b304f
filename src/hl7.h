/*
 * hl7 — HL7 v2.6 messages for the hospital export (issue #20), pure: no I/O,
 * no clock reads, no globals. ../shared/INTEGRATION.md has the layouts.
 *
 * - PCD-01 ORU^R01: one message per admitted bed and period (observations).
 * - PCD-04 ORU^R40: one message per alarm transition.
 * - MLLP framing (0x0B message 0x1C 0x0D) and an incremental deframer that
 *   takes bytes as they come (a frame split over reads, several frames in one
 *   read, noise between frames).
 * - ACK parsing and the delivery verdict: success only on AA/CA whose MSA-2
 *   equals the MSH-10 sent.
 *
 * Every time is written YYYYMMDDHHMMSS+0000: UTC with its offset, so a
 * receiver never guesses (Oslo repeats an hour each October). Text from
 * outside (patient reference, labels, staff ids, alarm text) is escaped
 * (| ^ ~ \ & become \F\ \S\ \R\ \E\ \T\; control characters a space); UTF-8
 * passes through byte for byte (MSH-18 says UNICODE UTF-8).
 *
 * CONTAINMENT (OBX-4), stable between messages:
 *   1.0.0.0  the monitoring device (radar)     1.1.1.1  RR (radar)
 *   1.1.1.2  pulse (radar)                     1.2.1.N  manual entry of
 *   1.3.1.1  NEWS2 total                                parameter N (1 = rr)
 * PCD-04 rows of one alert are the source's containment plus .1 to .7.
 *
 * Codes without an MDC or SNOMED CT term (air/oxygen, ACVPU, alarm
 * conditions other than a limit) use the local coding system 99WW (HL7's
 * convention for local tables: 99zzz).
 */
#ifndef WW_HL7_H
#define WW_HL7_H

#include "alarm.h"
#include "news2.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HL7_ID 48      /* control ids, alert ids, device ids */
#define HL7_NAME 64    /* application, facility, ward, bed label */
#define HL7_MAX_MANUAL 16
/* The largest message the deframer accepts; a longer one is an error, not
 * an unbounded buffer. */
#define HL7_MAX_MESSAGE (1024 * 1024)

/* Who sends, where: the same for every message of a destination. */
struct hl7_ident {
    char app[HL7_NAME];       /* MSH-3 namespace id, e.g. "WARDWATCH" */
    char app_uid[HL7_ID];     /* MSH-3 universal id: EUI-64 (16 hex) or UUID */
    char facility[HL7_NAME];  /* MSH-4 and PV1-3 facility */
    char receiver_app[HL7_NAME];      /* MSH-5, may be empty */
    char receiver_facility[HL7_NAME]; /* MSH-6, may be empty */
    char ward[HL7_NAME];      /* PV1-3 point of care */
    bool demo;                /* MSH-11 D instead of P */
};

/* The patient, bed and device a message is about. */
struct hl7_subject {
    char patient_ref[48];     /* PID-3 */
    char bed_label[HL7_NAME]; /* PV1-3 bed */
    char device_id[HL7_ID];   /* OBX-18 of the device row: EUI-64 or UUID */
};

/* A value entered by a person, as entered (rounded by the chart's rule
 * when it was parsed). */
struct hl7_manual {
    enum news2_param param;
    double value;             /* o2: 0 air / 1 oxygen; acvpu: the letter */
    int64_t t_ms;             /* entered at */
    char by[24];              /* staff id */
};

/* One PCD-01 message: a bed over [t0_ms, t1_ms). */
struct hl7_obs {
    char control_id[HL7_ID];  /* MSH-10, also OBR-3 */
    int64_t msg_ms;           /* MSH-7 */
    int64_t t0_ms, t1_ms;     /* OBR-7, OBR-8 */
    struct hl7_subject subj;
    /* radar values: the median over the period, whole numbers (the chart's
     * rounding), observed at t_ms; have false: no row */
    bool have_rr, have_hr;
    int rr, hr;
    int64_t rr_ms, hr_ms;
    struct alarm_limits limits; /* OBX-7 and the abnormal flag */
    struct hl7_manual manual[HL7_MAX_MANUAL];
    size_t nmanual;
    bool have_news2;
    int news2_total;          /* a lower bound when partial */
    bool news2_partial;
    unsigned news2_missing, news2_stale; /* bits (1 << enum news2_param) */
    int64_t news2_ms;
};

/* The attribute codes of PCD-04 rows 2-7 (source, phase, state,
 * inactivation state, priority, type): vendors differ. */
enum hl7_alert_codes { HL7_CODES_2024, HL7_CODES_LEGACY };

enum hl7_phase { HL7_PH_START, HL7_PH_CONTINUE, HL7_PH_END, HL7_PH_UPDATE, HL7_PH_ESCALATE,
                 HL7_PH_RESET };

/* One PCD-04 message: one transition of one alarm. */
struct hl7_alert {
    char control_id[HL7_ID];  /* MSH-10 */
    int64_t msg_ms;           /* MSH-7 */
    char alert_id[HL7_ID];    /* OBR-3: new for every message */
    char parent_id[HL7_ID];   /* OBR-29: the start message's alert id; "" at start */
    int64_t t_ms;             /* when the transition happened (OBR-7, OBX-14) */
    struct hl7_subject subj;
    enum alarm_condition cond;
    enum alarm_priority priority;
    enum alarm_event_kind kind;
    bool latched;             /* the alarm is latched after this transition */
    bool acked;               /* ... acknowledged after it */
    char by[24];              /* who acknowledged or reset ("" none) */
    /* the source metric's value (RR/HR limit alarms); have_value false: none */
    bool have_value;
    int value;
    struct alarm_limits limits;
    char text[128];           /* e.g. "RR 26 >= 25" */
};

/* "YYYYMMDDHHMMSS+0000" (20 bytes with the NUL) for epoch ms, in UTC. */
#define HL7_TIME_LEN 20
void hl7_time(int64_t ms, char buf[HL7_TIME_LEN]);

/* Append s to a growing string escaped for an HL7 field. */
struct hl7_str {
    char *p;
    size_t len, cap;
    bool oom;
};
void hl7_str_esc(struct hl7_str *b, const char *s);

/* Build a message (segments ended by CR, no framing). malloc'd, *len set;
 * NULL with a message (missing id, out of memory). */
char *hl7_build_oru_r01(const struct hl7_ident *id, const struct hl7_obs *o, size_t *len,
                        char *err, size_t errlen);
char *hl7_build_oru_r40(const struct hl7_ident *id, enum hl7_alert_codes codes,
                        const struct hl7_alert *a, size_t *len, char *err, size_t errlen);

/* Phase, alarm state and inactivation state of a transition (the texts
 * PCD-04 rows 3-5 carry). */
enum hl7_phase hl7_alert_phase(enum alarm_event_kind k);
const char *hl7_phase_name(enum hl7_phase p);
const char *hl7_alert_state(const struct hl7_alert *a);
const char *hl7_alert_inactivation(const struct hl7_alert *a);

/* MLLP: the framed copy of msg (malloc'd, *outlen set), NULL out of memory. */
char *hl7_mllp_frame(const char *msg, size_t len, size_t *outlen);

/* Incremental MLLP deframer. Feed bytes as read; take whole messages out. */
struct hl7_deframer {
    char *buf;
    size_t len, cap;
    bool in_frame;
    size_t open;             /* start of the open frame in buf */
    size_t discarded;        /* bytes outside any frame, thrown away */
};
void hl7_deframer_init(struct hl7_deframer *d);
void hl7_deframer_free(struct hl7_deframer *d);
/* -1 (with a message) when a frame grows past HL7_MAX_MESSAGE or memory
 * runs out: the connection should be dropped. */
int hl7_deframer_feed(struct hl7_deframer *d, const void *data, size_t n, char *err,
                      size_t errlen);
/* 1 and a malloc'd message (without framing, NUL-terminated) when one is
 * complete, 0 when none yet. */
int hl7_deframer_next(struct hl7_deframer *d, char **msg, size_t *len);

/* An ACK as received. */
enum hl7_ack_code { HL7_AA, HL7_AE, HL7_AR, HL7_CA, HL7_CE, HL7_CR };
struct hl7_ack {
    enum hl7_ack_code code;
    char control_id[HL7_ID]; /* MSA-2: the MSH-10 acknowledged */
    char text[128];          /* MSA-3 or ERR, for the log */
};
/* Parse an ACK message (segments ended by CR, LF or CRLF). -1 with a
 * message when it has no MSH or MSA, or MSA-1 is not one of the six codes. */
int hl7_ack_parse(const char *msg, size_t len, struct hl7_ack *ack, char *err, size_t errlen);
const char *hl7_ack_code_name(enum hl7_ack_code c);

/* What the sender does with an ACK for the message it sent with sent_id. */
enum hl7_verdict {
    HL7_DELIVERED,  /* AA/CA for this message: delete it from the outbox */
    HL7_DEAD,       /* AE/CE for this message: content error, never resend */
    HL7_RETRY,      /* AR/CR for this message: resend with the same MSH-10 */
    HL7_STRAY,      /* an ACK for another message: ignore it, keep waiting */
};
enum hl7_verdict hl7_ack_verdict(const struct hl7_ack *ack, const char *sent_id);

/* The growing text both message builders write into (hl7.c, fhir.c):
 * append n bytes, a C string, or a short formatted number or code; after a
 * failed allocation b->oom is set and further writes do nothing. */
void hl7_put(struct hl7_str *b, const char *s, size_t n);
void hl7_puts(struct hl7_str *b, const char *s);
__attribute__((format(printf, 2, 3))) void hl7_putf(struct hl7_str *b, const char *fmt, ...);

#endif
