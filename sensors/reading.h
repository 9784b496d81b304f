/*
 * reading — what every sensor driver emits, whatever its transport: one
 * frame's or one packet's worth of vital-sign values. A field is meaningful
 * only when its bit is set in `have`; drivers set only what the sensor
 * actually reported in that frame. Time comes from the stream (frame number x
 * frame period, sample index / sampling rate), never from a clock read, so a
 * recording replays identically at any speed.
 */
#ifndef WW_READING_H
#define WW_READING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum reading_field {
    READING_RR = 1u << 0,       /* respiration rate, /min */
    READING_HR = 1u << 1,       /* heart rate, /min */
    READING_QUALITY = 1u << 2,  /* 0..1, from the sensor's confidence figures */
    READING_PRESENCE = 1u << 3, /* someone in the sensor's field */
    READING_MOTION = 1u << 4,   /* gross body motion: rates unreliable */
    READING_DISTANCE = 1u << 5, /* cm */
    READING_PHASE = 1u << 6,    /* phase_total/breath/heart */
    READING_ID = 1u << 7,       /* id: tracked-person id of a multi-patient radar */
};

struct reading {
    double t;         /* seconds since the stream started, from the stream */
    uint32_t have;    /* enum reading_field bits */
    uint32_t id;      /* patient/target id (READING_ID) */
    float rr;         /* /min */
    float hr;         /* /min */
    float quality;    /* 0 (useless) .. 1 (excellent) */
    bool presence;
    bool motion;
    float distance_cm;
    float phase_total, phase_breath, phase_heart;
};

/* The reported fields as JSON members, each with a leading comma. */
int reading_json_fields(const struct reading *r, char *buf, size_t n);
/* Bytes a JSON line can take at most: t (a double, up to 320 characters)
 * and every member (a float's "%.4f" is at most 45 characters). */
#define READING_JSON_MAX 1024
/* One JSON line, {"t":12.350,"rr":14.20,...}\n, into buf (at least
 * READING_JSON_MAX bytes, not NUL-terminated); returns its length. The same
 * text as printf with "%.3f" for t and the formats of reading_json_fields. */
size_t reading_json_line(const struct reading *r, char *buf);
/* v as printf's "%.<prec>f" (prec 0..4) at p, at most 320 bytes, not
 * NUL-terminated; returns the end. */
char *reading_put_fixed(char *p, double v, int prec);

/* Callback a parser calls once per decoded reading. */
typedef void (*reading_cb)(void *ctx, const struct reading *r);

#endif
