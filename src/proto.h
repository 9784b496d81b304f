/*
 * proto — the wire protocol between `wardwatch serve` and attached boards,
 * pure: encoders write into caller buffers, decoders read from byte spans,
 * no I/O, no allocation, no clocks. Specified in doc/protocol.md; this
 * header is its C form.
 *
 * FRAMES. A frame is a 4-byte big-endian length L, then L bytes: one type
 * byte and the type's body. 1 <= L <= PROTO_MAX_FRAME - 4; anything else is
 * malformed. Bodies are sequences of big-endian fields:
 *   u8 u16 u32 i8 i16 i32 i64 (two's complement), f32 f64 (IEEE 754 bits),
 *   str = u16 byte count + that many bytes of UTF-8, no NUL, each string
 *   with its own maximum (below); received text is sanitised (util.h).
 * A body must be consumed exactly: short bodies, trailing bytes, enum values
 * out of range, counts beyond their bounds are malformed. A peer that sends
 * anything malformed is disconnected (the server never stops for it).
 *
 * SESSION. The board connects and sends HELLO (magic, its version). The
 * server answers WELCOME (or BYE with the reason when the version is not
 * spoken), then the snapshot: STATE, for every bed BED and three HIST
 * frames (RR, HR, NEWS2 per-minute history of 12 h), then SYNCED. After
 * that, changes as they happen: STATE and every BED after each ward second
 * (readings at 1 Hz), EVENT and the affected BED at once for alarm
 * transitions and commands. CMD is answered by REPLY (same request id)
 * only after the server committed the command, or with the refusal; the
 * BED frames carrying its effect are sent before the REPLY. HISTREQ is
 * answered by HISTORY. HOREQ (version 2) is answered by the handover's
 * lines in HOPART frames, the last one when first + n = total, or by a
 * REPLY refusing it. BYE precedes a close by the server (shutdown, server
 * full, another version, a malformed message); a slow client is dropped
 * without one (its queue is what is full).
 */
#ifndef WW_PROTO_H
#define WW_PROTO_H

#include "handover.h"
#include "ward.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 2: handover preview (HOREQ / HOPART), CMD carries a period (t0, t1) and
 * the print-handover and handover-audit commands.
 * 3: the radar values beside a counted RR/HR (see doc/protocol.md).
 * 4: notes whole: CMD text and the BED admission note up to WARD_NOTE_MAX
 * (4000) bytes; an older peer would cut or refuse them, so it is refused
 * at HELLO with both versions named.
 * 5: HOREQ carries the staff id of who views the preview (audited).
 * 6: the server works out shift periods from its own [shifts] (HOREQ
 * resolve/step, HOPART the period it made); BED carries the value and
 * limit that raised each alarm; the alarm condition export-failure and the
 * export status in STATE.
 * 7: CMD carries the patient its form was opened for (check_patient,
 * admission id, reference): the server refuses it on a bed whose patient
 * changed since; an older board would send commands without it.
 * 8: HISTORY lines carry their parts (kind, what, detail, by) for the board
 * to word them in its own language. */
#define PROTO_VERSION 8
#define PROTO_MAGIC 0x57575244u /* "WWRD" */
#define PROTO_MAX_FRAME 65536   /* bytes, header included */
#define PROTO_HEADER 4
#define PROTO_MAX_HISTORY 64 /* lines in one HISTORY */
#define PROTO_MAX_HOLINES 96 /* handover lines in one HOPART */
#define PROTO_MAX_HOTOTAL 200000 /* handover lines in all */
#define PROTO_MAX_HOHEAD 255 /* each of the three header lines */
#define PROTO_MAX_NAME 63    /* client and ward names */
#define PROTO_MAX_EVENT 300
#define PROTO_MAX_MESSAGE 511
/* Epoch minutes on the wire (histories): 0 .. year ~4000. */
#define PROTO_MIN_MINUTE 0
#define PROTO_MAX_MINUTE 1100000000LL

enum proto_type {
    /* board -> server */
    PT_HELLO = 0x01,
    PT_CMD = 0x02,
    PT_HISTREQ = 0x03,
    PT_HOREQ = 0x04,
    /* server -> board */
    PT_WELCOME = 0x81,
    PT_BED = 0x82,
    PT_HIST = 0x83,
    PT_STATE = 0x84,
    PT_SYNCED = 0x85,
    PT_EVENT = 0x86,
    PT_REPLY = 0x87,
    PT_HISTORY = 0x88,
    PT_BYE = 0x89,
    PT_HOPART = 0x8A,
};

enum proto_series { PS_RR, PS_HR, PS_NEWS2, PS_COUNT };

struct proto_hello {
    uint32_t magic;
    uint16_t version;
    char software[32];
    char name[PROTO_MAX_NAME + 1]; /* the terminal ("station", "user@pts/3") */
};

struct proto_welcome {
    uint16_t version;
    char software[32];
    char ward[64];
    uint32_t client_id;
    uint32_t nbeds;
    int64_t now_ms;
    int audio_pause_s;
    int nstaff; /* 0: any well-formed id may sign */
    char staff[CONFIG_MAX_STAFF][24];
};

struct proto_state {
    int64_t now_ms;
    bool store_ok;
    struct alarm_audio audio;
    char exports[200]; /* how each hospital export fares ("" none; version 6) */
};

/* A bed's per-minute history: count minutes ending at newest_minute. */
struct proto_hist {
    uint32_t bed;
    uint8_t series;
    int64_t newest_minute;
    uint16_t count; /* <= HIST_MINUTES */
    float sum[HIST_MINUTES];
    uint16_t n[HIST_MINUTES];
};

/* The current minute of the three histories, carried by every BED. */
struct proto_minute {
    int64_t minute;
    float sum[PS_COUNT];
    uint16_t n[PS_COUNT];
};

struct proto_event {
    int64_t t_ms;
    int32_t bed;   /* -1 ward-wide */
    uint8_t kind;  /* enum ward_event_kind */
    bool by_staff; /* someone did it (acknowledgement, reset, command) */
    char text[PROTO_MAX_EVENT + 1];
    char from[PROTO_MAX_NAME + 1]; /* the terminal it came from, "" none */
};

struct proto_cmd {
    uint32_t req;
    struct ward_cmd cmd;
};

struct proto_reply {
    uint32_t req;
    bool ok;   /* done: committed, or held for the store's recovery */
    bool held; /* done but not yet recorded (message says so) */
    char message[PROTO_MAX_MESSAGE + 1];
};

struct proto_histreq {
    uint32_t req;
    uint32_t bed;
    int64_t t0, t1;
    uint16_t max;
};

struct proto_history {
    uint32_t req;
    uint32_t bed;
    uint16_t n;
    struct ward_history_line line[PROTO_MAX_HISTORY];
};

/* The handover preview of [t0, t1) (period: the shift's name or ""). */
struct proto_horeq {
    uint32_t req;
    char period[16];
    int64_t t0, t1;
    char staff[24]; /* who views it (required: every view is audited) */
    /* version 6: resolve: the server works out the period from its
     * [shifts] (t0, t1 ignored): the shift named period ("" the current
     * one) moved step shifts on in the ward's order; else [t0, t1). */
    bool resolve;
    uint8_t step; /* 0..2 */
};

/* Lines first .. first + n - 1 of total; head is the page header (every
 * part carries it). */
struct proto_hopart {
    uint32_t req;
    uint32_t total, first;
    uint16_t n;
    char head[3][PROTO_MAX_HOHEAD + 1];
    /* version 6: the period the preview is of (as resolved by the server) */
    char period[16];
    int64_t t0, t1;
    struct handover_line line[PROTO_MAX_HOLINES];
};

struct proto_bye {
    char reason[PROTO_MAX_MESSAGE + 1];
};

/* A frame being written into a caller buffer. */
struct proto_buf {
    uint8_t *p;
    size_t len, cap;
    size_t start; /* where the current frame begins */
    bool overflow;
};

/* Split a byte stream: 1 and *frame_len (header included) when p starts
 * with a whole frame, 0 when more bytes are needed, -1 when the length is
 * malformed (0 or beyond PROTO_MAX_FRAME) -- close the peer. */
int proto_frame(const uint8_t *p, size_t n, size_t *frame_len);
/* The type and body of a whole frame (from proto_frame). */
uint8_t proto_frame_type(const uint8_t *frame);

/* Encoders: append one frame to b; -1 (b unchanged) when it does not fit
 * in b or in PROTO_MAX_FRAME. */
int proto_put_hello(struct proto_buf *b, const struct proto_hello *m);
int proto_put_welcome(struct proto_buf *b, const struct proto_welcome *m);
int proto_put_state(struct proto_buf *b, const struct proto_state *m);
int proto_put_bed(struct proto_buf *b, uint32_t index, const struct ward_bed *bed, int64_t now_ms);
int proto_put_hist(struct proto_buf *b, const struct proto_hist *m);
int proto_put_synced(struct proto_buf *b);
int proto_put_event(struct proto_buf *b, const struct proto_event *m);
int proto_put_cmd(struct proto_buf *b, const struct proto_cmd *m);
int proto_put_reply(struct proto_buf *b, const struct proto_reply *m);
int proto_put_histreq(struct proto_buf *b, const struct proto_histreq *m);
int proto_put_history(struct proto_buf *b, const struct proto_history *m);
int proto_put_bye(struct proto_buf *b, const struct proto_bye *m);
int proto_put_horeq(struct proto_buf *b, const struct proto_horeq *m);
int proto_put_hopart(struct proto_buf *b, const struct proto_hopart *m);

/* Decoders of one whole frame (header included, n its length, as found by
 * proto_frame) of their type: 0, or -1 when malformed or of another type
 * (the output is then unspecified). */
int proto_get_hello(const uint8_t *frame, size_t n, struct proto_hello *m);
int proto_get_welcome(const uint8_t *frame, size_t n, struct proto_welcome *m);
int proto_get_state(const uint8_t *frame, size_t n, struct proto_state *m);
/* A BED frame into *bed: every field on the wire is overwritten, the
 * histories, smoothing windows and alarm debounce state are not touched
 * (the caller keeps its own); *index is checked by the caller. */
int proto_get_bed(const uint8_t *frame, size_t n, uint32_t *index, struct ward_bed *bed,
                  struct proto_minute *minute);
int proto_get_hist(const uint8_t *frame, size_t n, struct proto_hist *m);
int proto_get_synced(const uint8_t *frame, size_t n);
int proto_get_event(const uint8_t *frame, size_t n, struct proto_event *m);
int proto_get_cmd(const uint8_t *frame, size_t n, struct proto_cmd *m);
int proto_get_reply(const uint8_t *frame, size_t n, struct proto_reply *m);
int proto_get_histreq(const uint8_t *frame, size_t n, struct proto_histreq *m);
int proto_get_history(const uint8_t *frame, size_t n, struct proto_history *m);
int proto_get_bye(const uint8_t *frame, size_t n, struct proto_bye *m);
int proto_get_horeq(const uint8_t *frame, size_t n, struct proto_horeq *m);
int proto_get_hopart(const uint8_t *frame, size_t n, struct proto_hopart *m);

/* The history of a bed as HIST frames (series s, the 12 h ending at now)
 * and back: fill m from h; apply m to h (replacing those minutes). */
void proto_hist_from(struct proto_hist *m, uint32_t bed, enum proto_series s, const struct hist *h,
                     int64_t now_ms);
void proto_hist_apply(const struct proto_hist *m, struct hist *h);
/* The current minute of a bed's histories, and applying it to a mirror. */
void proto_minute_from(struct proto_minute *m, const struct ward_bed *bed, int64_t now_ms);
void proto_minute_apply(const struct proto_minute *m, struct ward_bed *bed);

const char *proto_type_name(uint8_t type);

#endif
