/*
 * handover — the shift handover summary (ISBAR per bed), in three layers:
 *
 *   handover_build()   the model: queries the store over a period and fills
 *                      a struct handover (ward figures, one struct
 *                      handover_bed per bed). Every text taken from the
 *                      store is sanitised here, so renderers never see a
 *                      control character. No output, no clock (now is
 *                      passed in).
 *   handover_lines()   the content as logical lines of at most
 *                      HANDOVER_COLS display columns (UTF-8 width, æøå
 *                      count one), shared by every renderer and the board's
 *                      preview, so they all say the same thing.
 *   renderers          handover_write_text() (80 columns, pages of
 *                      HANDOVER_PAGE_LINES lines with header, "page x of y"
 *                      and the not-the-patient-record footer) and
 *                      handover_write_pdf() (A4, cairo + pango, plus small
 *                      RR / HR / NEWS2 plots per bed; in handover_print.h).
 *
 * Periods: shifts come from the configuration ([shifts], local time, may
 * cross midnight); handover_shift_period() resolves one to epoch ms with
 * mktime(tm_isdst = -1), so a night across a DST change is 7 or 9 hours
 * long, not 8. handover_parse_time() reads ISO 8601 local or with offset.
 *
 * The PDF and printing are declared apart, in handover_print.h: the
 * monitoring core includes this header for the model and the audit, and
 * must not reach lp, pango or cairo (doc/design.md, scripts/layers.sh).
 */
#ifndef WW_HANDOVER_H
#define WW_HANDOVER_H

#include "config.h"
#include "store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define HANDOVER_COLS 80
#define HANDOVER_PAGE_LINES 66
#define HANDOVER_FOOTER "Working summary for handover - not the patient record."

/* A value series for statistics and plots. */
struct handover_series {
    int64_t *t;
    float *v;
    size_t n, cap;
};

struct handover_stats {
    size_t n;
    float min, median, max; /* NaN when n == 0 */
};

/* A point of the NEWS2 trajectory. */
struct handover_point {
    int64_t t;
    int score;    /* -1: no score in force */
    bool partial; /* a lower bound */
};

/* One alarm as it stood at the end of the period. */
struct handover_alarm {
    int64_t id;
    char condition[32];
    char priority[8];
    int64_t raised_at;
    char state[16];   /* at the end of the period: active acknowledged latched ended reset */
    char acked_by[24]; /* last acknowledgement before the end, "" none */
    int64_t acked_at;
    bool latched; /* condition over, waits for a reset */
};

struct handover_event {
    int64_t t;
    int64_t alarm_id;
    char condition[32];
    char priority[8];
    char event[16];
    char staff[24];
};

struct handover_obs {
    int64_t t;
    char param[8];
    double value;
    char by[24];
};

struct handover_note {
    int64_t t;
    char by[24];
    char text[STORE_NOTE_MAX + 1];
};

struct handover_bed {
    int number;
    char label[64];
    bool occupied; /* an admission was open at some time in the period */

    /* I: identification */
    char patient_ref[40];
    int64_t admitted_at, discharged_at; /* discharged_at 0: still admitted */
    char admitted_by[24];
    bool admitted_in_period;
    bool scale2;
    char scale2_by[24];
    int64_t scale2_at;

    /* S: situation at the end of the period */
    bool have_score;
    int64_t score_t;
    int total, parts[7], band, level; /* enum news2_band / news2_level */
    unsigned partial_mask;
    int64_t last_complete_t; /* last complete set (no part missing or stale), 0 none */
    struct handover_alarm *open; /* shown at the end: active, acknowledged or latched */
    size_t nopen;

    /* B: background */
    char background[STORE_ADMISSION_NOTE_MAX + 1];

    /* A: assessment */
    struct handover_series rr, hr, news2; /* per-minute medians; NEWS2 per score */
    bool *news2_partial; /* beside news2.v: that score was partial (a lower bound) */
    struct handover_stats rr_stats, hr_stats;
    /* The NEWS2 trajectory: the score in force (the last one stored at or
     * before the moment) at the start of the patient's time in the period,
     * at every full local hour of it and at its end (the end of the period,
     * the printing time if earlier, or the discharge). */
    struct handover_point *points;
    size_t npoints;
    /* Over the scores in force during the period. A partial score is a
     * lower bound (CLINICAL.md): it can raise the highest but cannot be
     * the first or the lowest, which count complete sets only (the radar-
     * only score of an admission's first seconds is neither). -1 none. */
    int news2_first;   /* the first complete score */
    int64_t news2_first_t;
    int news2_min;     /* the lowest complete score */
    int news2_max;     /* the highest, complete or partial */
    bool news2_max_partial; /* only a partial score reached news2_max */
    int news2_last;    /* in force at the end */
    bool news2_last_partial;
    struct handover_obs *obs;
    size_t nobs;
    struct handover_note *notes;
    size_t nnotes;

    /* R: recommendation */
    /* When the next full set is due at the end of the period, by the one
     * rule the board uses (src/obsdue.h), replayed over the record. */
    int64_t obs_due;
    bool obs_overdue;
    int64_t set_at;      /* the last complete set entered, 0 none since admission */
    double monitoring_h; /* interval of the worst level since set_at (0: continuous) */
    int due_part;        /* the parameter whose value goes stale before the interval
                          * ends and so sets obs_due; -1 the interval does */
    int64_t due_part_t;  /* when that value was entered, 0 missing */
    bool own_limits;
    double rr_low, rr_high, hr_low, hr_high;
    char limits_reason[STORE_REASON_MAX + 1];
    char limits_by[24];
    struct handover_event *events; /* alarm log of the period */
    size_t nevents;
};

/* Alarm figures of the ward by priority (0 high, 1 medium, 2 low). */
struct handover_alarm_figures {
    int raised, acked, unacked;
    int ack_median_s, ack_max_s; /* -1 when none was acknowledged */
};

struct handover {
    char ward[64];
    char period_name[16]; /* "day", "evening", "night" or "" for --from/--to */
    int64_t t0, t1;       /* [t0, t1) epoch ms */
    int64_t printed_at;
    char printed_by[24];
    struct handover_alarm_figures alarms[3];
    struct handover_bed *beds;
    size_t nbeds;
    size_t noccupied;
    int continuous_obs_min; /* [news2] continuous_obs_min: a full set this often */
};

struct handover_request {
    int64_t t0, t1;
    const char *period_name; /* may be NULL */
    int bed;                 /* bed number, or -1 for all */
    int64_t now;             /* "printed at" */
    const char *staff;       /* "printed by" */
};

/* Build the model from the store; -1 with a message. Free with handover_free. */
struct handover *handover_build(struct store *st, const struct ward_config *cfg,
                                const struct handover_request *req, char *err, size_t errlen);
void handover_free(struct handover *h);

/* The shift of that name ("day", "evening", "night") containing or, when
 * none does, last ending before now (local time): [t0, t1) in epoch ms. */
int handover_shift_period(const struct ward_config *cfg, const char *name, int64_t now,
                          int64_t *t0, int64_t *t1, char *err, size_t errlen);
/* The shift named "day" ... starting on the local date y-m-d. */
int handover_shift_on(const struct ward_config *cfg, const char *name, int y, int m, int d,
                      int64_t *t0, int64_t *t1, char *err, size_t errlen);
/* The shift containing now (for the board's default). */
const char *handover_current_shift(const struct ward_config *cfg, int64_t now);

/* ISO 8601: YYYY-MM-DDTHH:MM[:SS] (or a space for T), local time, or with
 * Z / +HH:MM / +HHMM / +HH. */
int handover_parse_time(const char *s, int64_t *ms);
/* Local time as "YYYY-MM-DD HH:MM" plus the UTC offset ("+01:00"). */
void handover_fmt_time(int64_t ms, char *buf, size_t n);
/* ISO 8601 with offset, for audit details. */
void handover_fmt_iso(int64_t ms, char *buf, size_t n);

/* Logical lines of the content; kind tells renderers what a line is. */
enum handover_line_kind {
    HL_TITLE,   /* ward summary lines */
    HL_BED,     /* a bed's heading */
    HL_SECTION, /* an ISBAR section heading */
    HL_TEXT,
    HL_PLOT, /* place of the bed's plots (text: nothing) */
    HL_BLANK,
};
struct handover_line {
    enum handover_line_kind kind;
    int bed; /* index into beds, -1 ward */
    char text[4 * HANDOVER_COLS + 1];
};
/* All lines; *n set; free() the result. NULL when out of memory. */
struct handover_line *handover_lines(const struct handover *h, size_t *n);

/* Page header: l1 ward and shift, l2 the period, l3 printed at and by
 * (each buffer n bytes). */
void handover_header(const struct handover *h, char *l1, char *l2, char *l3, size_t n);

/* Text: pages of HANDOVER_PAGE_LINES lines; returns pages written or -1. */
int handover_write_text(const struct handover *h, FILE *f);
/* The audit detail of a view, export or print of h (below) into buf. */
void handover_audit_detail(const struct handover *h, const char *format, const char *where,
                           bool ok, char *buf, size_t n);
/* Audit a view, export or print of h: action "handover-view",
 * "handover-export" or "handover-print"; detail names the period, the
 * occupied beds, the format, where it went and whether that worked. */
int handover_audit(struct store *st, const struct handover *h, const char *action, int bed,
                   const char *format, const char *where, bool ok, char *err, size_t errlen);

/* Column-counting UTF-8 helpers (exported for tests). */
/* Copy at most cols display columns of s into dst (whole characters). */
size_t handover_fit(char *dst, size_t n, const char *s, int cols);

#endif
