/*
 * proto — frames and bodies of the serve/board protocol (see proto.h and
 * doc/protocol.md). Writers append big-endian fields to a proto_buf and
 * patch the frame length at the end; readers walk a bounded cursor that
 * turns every short read, bad count or bad enum into one "bad" flag, so each
 * decoder is a straight list of fields checked once at the end.
 */
#include "proto.h"

#include "util.h"

#include <math.h>
#include <string.h>

/* ---- writing ---- */

static void w_bytes(struct proto_buf *b, const void *p, size_t n)
{
    if (b->overflow || n > b->cap - b->len) {
        b->overflow = true;
        return;
    }
    memcpy(b->p + b->len, p, n);
    b->len += n;
}

static void w_u8(struct proto_buf *b, uint8_t v)
{
    w_bytes(b, &v, 1);
}

static void w_u16(struct proto_buf *b, uint16_t v)
{
    uint8_t x[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    w_bytes(b, x, 2);
}

static void w_u32(struct proto_buf *b, uint32_t v)
{
    uint8_t x[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    w_bytes(b, x, 4);
}

static void w_u64(struct proto_buf *b, uint64_t v)
{
    w_u32(b, (uint32_t)(v >> 32));
    w_u32(b, (uint32_t)v);
}

static void w_i64(struct proto_buf *b, int64_t v)
{
    w_u64(b, (uint64_t)v);
}

static void w_f32(struct proto_buf *b, float v)
{
    uint32_t u;
    memcpy(&u, &v, 4);
    w_u32(b, u);
}

static void w_f64(struct proto_buf *b, double v)
{
    uint64_t u;
    memcpy(&u, &v, 8);
    w_u64(b, u);
}

/* A string of at most max bytes (cut on a UTF-8 character boundary). */
static void w_str(struct proto_buf *b, const char *s, size_t max)
{
    size_t n = strnlen(s, max + 1);
    if (n > max) {
        n = max;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    w_u16(b, (uint16_t)n);
    w_bytes(b, s, n);
}

/* Start a frame: a length to patch, then the type. */
static void begin(struct proto_buf *b, uint8_t type)
{
    b->start = b->len;
    b->overflow = false;
    w_u32(b, 0);
    w_u8(b, type);
}

/* Finish a frame; -1 and nothing appended when it did not fit. */
static int end(struct proto_buf *b)
{
    size_t total = b->len - b->start;
    if (b->overflow || total > PROTO_MAX_FRAME) {
        b->len = b->start;
        b->overflow = false;
        return -1;
    }
    uint32_t l = (uint32_t)(total - PROTO_HEADER);
    uint8_t *h = b->p + b->start;
    h[0] = (uint8_t)(l >> 24);
    h[1] = (uint8_t)(l >> 16);
    h[2] = (uint8_t)(l >> 8);
    h[3] = (uint8_t)l;
    return 0;
}

/* ---- reading ---- */

struct rd {
    const uint8_t *p;
    size_t n, off;
    bool bad;
};

static const uint8_t *r_bytes(struct rd *r, size_t n)
{
    if (r->bad || n > r->n - r->off) {
        r->bad = true;
        return NULL;
    }
    const uint8_t *p = r->p + r->off;
    r->off += n;
    return p;
}

static uint8_t r_u8(struct rd *r)
{
    const uint8_t *p = r_bytes(r, 1);
    return p ? p[0] : 0;
}

static uint16_t r_u16(struct rd *r)
{
    const uint8_t *p = r_bytes(r, 2);
    return p ? (uint16_t)((p[0] << 8) | p[1]) : 0;
}

static uint32_t r_u32(struct rd *r)
{
    const uint8_t *p = r_bytes(r, 4);
    return p ? ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3] : 0;
}

static uint64_t r_u64(struct rd *r)
{
    uint64_t hi = r_u32(r);
    return (hi << 32) | r_u32(r);
}

static int64_t r_i64(struct rd *r)
{
    return (int64_t)r_u64(r);
}

static float r_f32(struct rd *r)
{
    uint32_t u = r_u32(r);
    float v;
    memcpy(&v, &u, 4);
    return v;
}

static double r_f64(struct rd *r)
{
    uint64_t u = r_u64(r);
    double v;
    memcpy(&v, &u, 8);
    return v;
}

/* A bool byte must be 0 or 1. */
static bool r_bool(struct rd *r)
{
    uint8_t v = r_u8(r);
    if (v > 1)
        r->bad = true;
    return v == 1;
}

/* An enum value below limit. */
static unsigned r_enum(struct rd *r, unsigned limit)
{
    uint8_t v = r_u8(r);
    if (v >= limit)
        r->bad = true;
    return v < limit ? v : 0;
}

/* A string into dst (cap bytes with the NUL): longer than cap - 1 or with a
 * NUL is malformed; the rest is sanitised like any text from outside. */
static void r_str(struct rd *r, char *dst, size_t cap, bool keep_newlines)
{
    dst[0] = 0;
    uint16_t n = r_u16(r);
    if (r->bad || n > cap - 1) {
        r->bad = true;
        return;
    }
    const uint8_t *p = r_bytes(r, n);
    if (!p || memchr(p, 0, n)) {
        r->bad = true;
        return;
    }
    char tmp[WARD_NOTE_MAX + 1];
    if (n >= sizeof tmp) {
        r->bad = true;
        return;
    }
    memcpy(tmp, p, n);
    tmp[n] = 0;
    /* Twice: removing a control character can uncover a leading blank that
     * only a second pass trims, and a decoded message must re-encode to
     * itself (the fuzz harness checks it). */
    ww_sanitize_text(dst, cap, tmp, keep_newlines);
    ww_strlcpy(tmp, dst, sizeof tmp);
    ww_sanitize_text(dst, cap, tmp, keep_newlines);
}

/* Start reading a whole frame of the expected type. */
static struct rd rd_open(const uint8_t *frame, size_t n, uint8_t type)
{
    struct rd r = {frame, n, 0, false};
    size_t fl;
    if (proto_frame(frame, n, &fl) != 1 || fl != n || frame[PROTO_HEADER] != type)
        r.bad = true;
    else
        r.off = PROTO_HEADER + 1;
    return r;
}

/* The frame was consumed exactly and nothing was wrong. */
static int rd_close(const struct rd *r)
{
    return r->bad || r->off != r->n ? -1 : 0;
}

/* ---- frames ---- */

int proto_frame(const uint8_t *p, size_t n, size_t *frame_len)
{
    if (n < PROTO_HEADER)
        return 0;
    uint32_t l = ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
    if (l == 0 || l > PROTO_MAX_FRAME - PROTO_HEADER)
        return -1;
    if (n < PROTO_HEADER + (size_t)l)
        return 0;
    *frame_len = PROTO_HEADER + (size_t)l;
    return 1;
}

uint8_t proto_frame_type(const uint8_t *frame)
{
    return frame[PROTO_HEADER];
}

const char *proto_type_name(uint8_t t)
{
    switch (t) {
    case PT_HELLO:
        return "HELLO";
    case PT_CMD:
        return "CMD";
    case PT_HISTREQ:
        return "HISTREQ";
    case PT_WELCOME:
        return "WELCOME";
    case PT_BED:
        return "BED";
    case PT_HIST:
        return "HIST";
    case PT_STATE:
        return "STATE";
    case PT_SYNCED:
        return "SYNCED";
    case PT_EVENT:
        return "EVENT";
    case PT_REPLY:
        return "REPLY";
    case PT_HISTORY:
        return "HISTORY";
    case PT_BYE:
        return "BYE";
    case PT_HOREQ:
        return "HOREQ";
    case PT_HOPART:
        return "HOPART";
    }
    return "?";
}

/* ---- messages ---- */

int proto_put_hello(struct proto_buf *b, const struct proto_hello *m)
{
    begin(b, PT_HELLO);
    w_u32(b, m->magic);
    w_u16(b, m->version);
    w_str(b, m->software, sizeof m->software - 1);
    w_str(b, m->name, sizeof m->name - 1);
    return end(b);
}

int proto_get_hello(const uint8_t *f, size_t n, struct proto_hello *m)
{
    struct rd r = rd_open(f, n, PT_HELLO);
    m->magic = r_u32(&r);
    m->version = r_u16(&r);
    r_str(&r, m->software, sizeof m->software, false);
    r_str(&r, m->name, sizeof m->name, false);
    return rd_close(&r);
}

int proto_put_welcome(struct proto_buf *b, const struct proto_welcome *m)
{
    begin(b, PT_WELCOME);
    w_u16(b, m->version);
    w_str(b, m->software, sizeof m->software - 1);
    w_str(b, m->ward, sizeof m->ward - 1);
    w_u32(b, m->client_id);
    w_u32(b, m->nbeds);
    w_i64(b, m->now_ms);
    w_u32(b, (uint32_t)m->audio_pause_s);
    int ns = m->nstaff < 0 ? 0 : m->nstaff > CONFIG_MAX_STAFF ? CONFIG_MAX_STAFF : m->nstaff;
    w_u16(b, (uint16_t)ns);
    for (int i = 0; i < ns; i++)
        w_str(b, m->staff[i], sizeof m->staff[i] - 1);
    return end(b);
}

int proto_get_welcome(const uint8_t *f, size_t n, struct proto_welcome *m)
{
    struct rd r = rd_open(f, n, PT_WELCOME);
    m->version = r_u16(&r);
    r_str(&r, m->software, sizeof m->software, false);
    r_str(&r, m->ward, sizeof m->ward, false);
    m->client_id = r_u32(&r);
    m->nbeds = r_u32(&r);
    if (m->nbeds > CONFIG_MAX_BEDS)
        r.bad = true;
    m->now_ms = r_i64(&r);
    uint32_t ap = r_u32(&r);
    if (ap > 86400)
        r.bad = true;
    m->audio_pause_s = (int)(ap > 86400 ? 0 : ap);
    uint16_t ns = r_u16(&r);
    if (ns > CONFIG_MAX_STAFF)
        r.bad = true;
    m->nstaff = 0;
    for (uint16_t i = 0; i < ns && !r.bad; i++)
        r_str(&r, m->staff[m->nstaff++], sizeof m->staff[0], false);
    return rd_close(&r);
}

int proto_put_state(struct proto_buf *b, const struct proto_state *m)
{
    begin(b, PT_STATE);
    w_i64(b, m->now_ms);
    w_u8(b, m->store_ok);
    w_i64(b, m->audio.paused_until);
    w_u8(b, (uint8_t)m->audio.paused_at_priority);
    w_str(b, m->exports, sizeof m->exports - 1);
    return end(b);
}

int proto_get_state(const uint8_t *f, size_t n, struct proto_state *m)
{
    struct rd r = rd_open(f, n, PT_STATE);
    m->now_ms = r_i64(&r);
    m->store_ok = r_bool(&r);
    m->audio.paused_until = r_i64(&r);
    m->audio.paused_at_priority = (enum alarm_priority)r_enum(&r, AP_HIGH + 1);
    r_str(&r, m->exports, sizeof m->exports, false);
    return rd_close(&r);
}

/* One NEWS2 parameter value. */
static void w_value(struct proto_buf *b, const struct ward_value *v)
{
    w_u8(b, (uint8_t)((v->have ? 1 : 0) | (v->automatic ? 2 : 0) | (v->stale ? 4 : 0)));
    w_f64(b, v->value);
    w_i64(b, v->t_ms);
    w_str(b, v->by, sizeof v->by - 1);
}

static void r_value(struct rd *r, struct ward_value *v)
{
    uint8_t f = r_u8(r);
    if (f & ~7u)
        r->bad = true;
    v->have = f & 1;
    v->automatic = f & 2;
    v->stale = f & 4;
    v->value = r_f64(r);
    v->t_ms = r_i64(r);
    r_str(r, v->by, sizeof v->by, false);
}

int proto_put_bed(struct proto_buf *b, uint32_t index, const struct ward_bed *bed, int64_t now)
{
    begin(b, PT_BED);
    w_u32(b, index);
    w_u32(b, (uint32_t)bed->number);
    w_str(b, bed->label, sizeof bed->label - 1);
    w_u8(b,
         (uint8_t)((bed->admitted ? 1 : 0) | (bed->scale2 ? 2 : 0) | (bed->score_valid ? 4 : 0) |
                   (bed->obs_overdue ? 8 : 0) | (bed->present ? 16 : 0) | (bed->motion ? 32 : 0)));
    w_i64(b, bed->admission_id);
    w_str(b, bed->patient_ref, sizeof bed->patient_ref - 1);
    w_i64(b, bed->admitted_at);
    w_str(b, bed->admission_note, sizeof bed->admission_note - 1);
    w_str(b, bed->scale2_by, sizeof bed->scale2_by - 1);
    w_i64(b, bed->scale2_at);
    const struct alarm_limits *l = &bed->limits;
    w_f64(b, l->rr_low);
    w_f64(b, l->rr_high);
    w_f64(b, l->hr_low);
    w_f64(b, l->hr_high);
    w_f64(b, l->rr_hyst);
    w_f64(b, l->hr_hyst);
    w_str(b, bed->limits_reason, sizeof bed->limits_reason - 1);
    w_u8(b, (uint8_t)bed->sensor);
    w_i64(b, bed->sensor_since);
    w_str(b, bed->sensor_detail, sizeof bed->sensor_detail - 1);
    w_i64(b, bed->last_reading_ms);
    w_f32(b, bed->quality);
    for (int p = 0; p < NEWS2_NPARAMS; p++)
        w_value(b, &bed->param[p]);
    w_value(b, &bed->radar_rr); /* beside a hand count (protocol 3) */
    w_value(b, &bed->radar_hr);
    const struct news2_result *s = &bed->score;
    w_u16(b, (uint16_t)(s->total < 0 ? 0 : s->total > 1000 ? 1000 : s->total));
    for (int p = 0; p < NEWS2_NPARAMS; p++)
        w_u8(b, (uint8_t)(s->points[p] < 0 ? 0xFF : s->points[p] > 3 ? 3 : s->points[p]));
    w_u8(b, (uint8_t)((s->red ? 1 : 0) | (s->partial ? 2 : 0)));
    w_u8(b, (uint8_t)s->band);
    w_u8(b, (uint8_t)s->level);
    w_u32(b, s->missing);
    w_u32(b, s->stale);
    w_u32(b, s->lower_bound);
    w_f64(b, s->monitoring_h);
    w_i64(b, bed->last_complete_ms);
    w_i64(b, bed->obs_due_ms);
    w_u8(b, (uint8_t)(bed->trend_rr + 1));
    w_u8(b, (uint8_t)(bed->trend_hr + 1));
    w_u8(b, AC_COUNT);
    for (int c = 0; c < AC_COUNT; c++) {
        const struct alarm *a = &bed->alarms.a[c];
        w_u8(b, (uint8_t)a->state);
        if (a->state == AS_NONE)
            continue;
        w_u8(b, (uint8_t)((a->acked ? 1 : 0) | (a->escalated ? 2 : 0)));
        w_i64(b, a->id);
        w_i64(b, a->raised_at);
        w_i64(b, a->acked_at);
        w_i64(b, a->last_alert_at);
        w_str(b, a->acked_by, sizeof a->acked_by - 1);
        w_f64(b, a->trig_value);
        w_f64(b, a->trig_limit);
    }
    struct proto_minute mi;
    proto_minute_from(&mi, bed, now);
    w_i64(b, mi.minute);
    for (int k = 0; k < PS_COUNT; k++) {
        w_f32(b, mi.sum[k]);
        w_u16(b, mi.n[k]);
    }
    return end(b);
}

int proto_get_bed(const uint8_t *f, size_t n, uint32_t *index, struct ward_bed *bed,
                  struct proto_minute *mi)
{
    struct rd r = rd_open(f, n, PT_BED);
    *index = r_u32(&r);
    if (*index >= CONFIG_MAX_BEDS)
        r.bad = true;
    uint32_t number = r_u32(&r);
    if (number > 9999)
        r.bad = true;
    bed->number = (int)(number > 9999 ? 0 : number);
    r_str(&r, bed->label, sizeof bed->label, false);
    uint8_t fl = r_u8(&r);
    if (fl & ~63u)
        r.bad = true;
    bed->admitted = fl & 1;
    bed->scale2 = fl & 2;
    bed->score_valid = fl & 4;
    bed->obs_overdue = fl & 8;
    bed->present = fl & 16;
    bed->motion = fl & 32;
    bed->admission_id = r_i64(&r);
    r_str(&r, bed->patient_ref, sizeof bed->patient_ref, false);
    bed->admitted_at = r_i64(&r);
    r_str(&r, bed->admission_note, sizeof bed->admission_note, true);
    r_str(&r, bed->scale2_by, sizeof bed->scale2_by, false);
    bed->scale2_at = r_i64(&r);
    struct alarm_limits *l = &bed->limits;
    l->rr_low = r_f64(&r);
    l->rr_high = r_f64(&r);
    l->hr_low = r_f64(&r);
    l->hr_high = r_f64(&r);
    l->rr_hyst = r_f64(&r);
    l->hr_hyst = r_f64(&r);
    r_str(&r, bed->limits_reason, sizeof bed->limits_reason, false);
    bed->sensor = (enum ward_sensor_state)r_enum(&r, WSENS_MOTION + 1);
    bed->sensor_since = r_i64(&r);
    r_str(&r, bed->sensor_detail, sizeof bed->sensor_detail, false);
    bed->last_reading_ms = r_i64(&r);
    bed->quality = r_f32(&r);
    for (int p = 0; p < NEWS2_NPARAMS; p++)
        r_value(&r, &bed->param[p]);
    r_value(&r, &bed->radar_rr);
    r_value(&r, &bed->radar_hr);
    struct news2_result *s = &bed->score;
    uint16_t total = r_u16(&r);
    if (total > 1000)
        r.bad = true;
    s->total = total;
    for (int p = 0; p < NEWS2_NPARAMS; p++) {
        uint8_t pts = r_u8(&r);
        if (pts > 3 && pts != 0xFF)
            r.bad = true;
        s->points[p] = pts == 0xFF ? -1 : pts;
    }
    uint8_t sf = r_u8(&r);
    if (sf & ~3u)
        r.bad = true;
    s->red = sf & 1;
    s->partial = sf & 2;
    s->band = (enum news2_band)r_enum(&r, NEWS2_BAND_HIGH + 1);
    s->level = (enum news2_level)r_enum(&r, NEWS2_NLEVELS);
    s->missing = r_u32(&r);
    s->stale = r_u32(&r);
    s->lower_bound = r_u32(&r);
    s->monitoring_h = r_f64(&r);
    bed->last_complete_ms = r_i64(&r);
    bed->obs_due_ms = r_i64(&r);
    bed->trend_rr = (int)r_enum(&r, 3) - 1;
    bed->trend_hr = (int)r_enum(&r, 3) - 1;
    if (r_u8(&r) != AC_COUNT)
        r.bad = true;
    for (int c = 0; c < AC_COUNT && !r.bad; c++) {
        struct alarm *a = &bed->alarms.a[c];
        a->state = (enum alarm_state)r_enum(&r, AS_LATCHED + 1);
        if (a->state == AS_NONE) {
            a->acked = a->escalated = false;
            a->id = a->raised_at = a->acked_at = a->last_alert_at = 0;
            a->acked_by[0] = 0;
            a->trig_value = a->trig_limit = NAN;
            continue;
        }
        uint8_t af = r_u8(&r);
        if (af & ~3u)
            r.bad = true;
        a->acked = af & 1;
        a->escalated = af & 2;
        a->id = r_i64(&r);
        a->raised_at = r_i64(&r);
        a->acked_at = r_i64(&r);
        a->last_alert_at = r_i64(&r);
        r_str(&r, a->acked_by, sizeof a->acked_by, false);
        a->trig_value = r_f64(&r); /* NaN: nothing to say (technical, restored) */
        a->trig_limit = r_f64(&r);
    }
    mi->minute = r_i64(&r);
    if (mi->minute < PROTO_MIN_MINUTE || mi->minute > PROTO_MAX_MINUTE)
        r.bad = true;
    for (int k = 0; k < PS_COUNT; k++) {
        mi->sum[k] = r_f32(&r);
        mi->n[k] = r_u16(&r);
    }
    return rd_close(&r);
}

int proto_put_hist(struct proto_buf *b, const struct proto_hist *m)
{
    begin(b, PT_HIST);
    w_u32(b, m->bed);
    w_u8(b, m->series);
    w_i64(b, m->newest_minute);
    uint16_t count = m->count > HIST_MINUTES ? HIST_MINUTES : m->count;
    w_u16(b, count);
    for (unsigned i = 0; i < count; i++) {
        w_f32(b, m->sum[i]);
        w_u16(b, m->n[i]);
    }
    return end(b);
}

int proto_get_hist(const uint8_t *f, size_t n, struct proto_hist *m)
{
    struct rd r = rd_open(f, n, PT_HIST);
    m->bed = r_u32(&r);
    if (m->bed >= CONFIG_MAX_BEDS)
        r.bad = true;
    m->series = (uint8_t)r_enum(&r, PS_COUNT);
    m->newest_minute = r_i64(&r);
    if (m->newest_minute < PROTO_MIN_MINUTE || m->newest_minute > PROTO_MAX_MINUTE)
        r.bad = true;
    m->count = r_u16(&r);
    if (m->count > HIST_MINUTES)
        r.bad = true;
    for (unsigned i = 0; i < m->count && !r.bad; i++) {
        m->sum[i] = r_f32(&r);
        m->n[i] = r_u16(&r);
    }
    return rd_close(&r);
}

int proto_put_synced(struct proto_buf *b)
{
    begin(b, PT_SYNCED);
    return end(b);
}

int proto_get_synced(const uint8_t *f, size_t n)
{
    struct rd r = rd_open(f, n, PT_SYNCED);
    return rd_close(&r);
}

int proto_put_event(struct proto_buf *b, const struct proto_event *m)
{
    begin(b, PT_EVENT);
    w_i64(b, m->t_ms);
    w_u32(b, (uint32_t)m->bed);
    w_u8(b, m->kind);
    w_u8(b, m->by_staff);
    w_str(b, m->text, PROTO_MAX_EVENT);
    w_str(b, m->from, PROTO_MAX_NAME);
    return end(b);
}

int proto_get_event(const uint8_t *f, size_t n, struct proto_event *m)
{
    struct rd r = rd_open(f, n, PT_EVENT);
    m->t_ms = r_i64(&r);
    m->bed = (int32_t)r_u32(&r);
    if (m->bed < -1 || m->bed >= CONFIG_MAX_BEDS)
        r.bad = true;
    m->kind = (uint8_t)r_enum(&r, WEV_STORE + 1);
    m->by_staff = r_bool(&r);
    r_str(&r, m->text, sizeof m->text, false);
    r_str(&r, m->from, sizeof m->from, false);
    return rd_close(&r);
}

int proto_put_cmd(struct proto_buf *b, const struct proto_cmd *m)
{
    const struct ward_cmd *c = &m->cmd;
    begin(b, PT_CMD);
    w_u32(b, m->req);
    w_u8(b, (uint8_t)c->kind);
    w_u32(b, c->bed);
    w_i64(b, c->alarm_id);
    w_str(b, c->staff, sizeof c->staff - 1);
    w_str(b, c->param, sizeof c->param - 1);
    w_str(b, c->value, sizeof c->value - 1);
    w_str(b, c->ref, sizeof c->ref - 1);
    w_str(b, c->prescriber, sizeof c->prescriber - 1);
    w_u8(b, c->on);
    w_f64(b, c->limits.rr_low);
    w_f64(b, c->limits.rr_high);
    w_f64(b, c->limits.hr_low);
    w_f64(b, c->limits.hr_high);
    w_i64(b, c->t0);
    w_i64(b, c->t1);
    w_str(b, c->text, sizeof c->text - 1);
    w_u8(b, c->check_patient);
    w_i64(b, c->admission_id);
    w_str(b, c->expect_ref, sizeof c->expect_ref - 1);
    return end(b);
}

int proto_get_cmd(const uint8_t *f, size_t n, struct proto_cmd *m)
{
    struct ward_cmd *c = &m->cmd;
    memset(c, 0, sizeof *c);
    struct rd r = rd_open(f, n, PT_CMD);
    m->req = r_u32(&r);
    uint8_t k = r_u8(&r);
    if (k < WCMD_ACK || k > WCMD_KIND_MAX)
        r.bad = true;
    c->kind = (enum ward_cmd_kind)k;
    c->bed = r_u32(&r);
    c->alarm_id = r_i64(&r);
    r_str(&r, c->staff, sizeof c->staff, false);
    r_str(&r, c->param, sizeof c->param, false);
    r_str(&r, c->value, sizeof c->value, false);
    r_str(&r, c->ref, sizeof c->ref, false);
    r_str(&r, c->prescriber, sizeof c->prescriber, false);
    c->on = r_bool(&r);
    c->limits.rr_low = r_f64(&r);
    c->limits.rr_high = r_f64(&r);
    c->limits.hr_low = r_f64(&r);
    c->limits.hr_high = r_f64(&r);
    c->t0 = r_i64(&r);
    c->t1 = r_i64(&r);
    r_str(&r, c->text, sizeof c->text, true);
    c->check_patient = r_bool(&r);
    c->admission_id = r_i64(&r);
    r_str(&r, c->expect_ref, sizeof c->expect_ref, false);
    return rd_close(&r);
}

int proto_put_reply(struct proto_buf *b, const struct proto_reply *m)
{
    begin(b, PT_REPLY);
    w_u32(b, m->req);
    w_u8(b, (uint8_t)(!m->ok ? 0 : m->held ? 2 : 1));
    w_str(b, m->message, PROTO_MAX_MESSAGE);
    return end(b);
}

int proto_get_reply(const uint8_t *f, size_t n, struct proto_reply *m)
{
    struct rd r = rd_open(f, n, PT_REPLY);
    m->req = r_u32(&r);
    uint8_t st = r_u8(&r); /* 0 refused, 1 committed, 2 held (protocol 3) */
    if (st > 2)
        r.bad = true;
    m->ok = st == 1 || st == 2;
    m->held = st == 2;
    r_str(&r, m->message, sizeof m->message, false);
    return rd_close(&r);
}

int proto_put_histreq(struct proto_buf *b, const struct proto_histreq *m)
{
    begin(b, PT_HISTREQ);
    w_u32(b, m->req);
    w_u32(b, m->bed);
    w_i64(b, m->t0);
    w_i64(b, m->t1);
    w_u16(b, m->max);
    return end(b);
}

int proto_get_histreq(const uint8_t *f, size_t n, struct proto_histreq *m)
{
    struct rd r = rd_open(f, n, PT_HISTREQ);
    m->req = r_u32(&r);
    m->bed = r_u32(&r);
    m->t0 = r_i64(&r);
    m->t1 = r_i64(&r);
    m->max = r_u16(&r);
    if (m->max > PROTO_MAX_HISTORY)
        r.bad = true;
    return rd_close(&r);
}

int proto_put_history(struct proto_buf *b, const struct proto_history *m)
{
    begin(b, PT_HISTORY);
    w_u32(b, m->req);
    w_u32(b, m->bed);
    uint16_t count = m->n > PROTO_MAX_HISTORY ? PROTO_MAX_HISTORY : m->n;
    w_u16(b, count);
    for (unsigned i = 0; i < count; i++) {
        const struct ward_history_line *l = &m->line[i];
        w_i64(b, l->t);
        w_str(b, l->text, sizeof l->text - 1);
        w_u8(b, l->kind);
        w_u8(b, l->on_alarm);
        w_str(b, l->what, sizeof l->what - 1);
        w_str(b, l->detail, sizeof l->detail - 1);
        w_str(b, l->by, sizeof l->by - 1);
    }
    return end(b);
}

int proto_get_history(const uint8_t *f, size_t n, struct proto_history *m)
{
    struct rd r = rd_open(f, n, PT_HISTORY);
    m->req = r_u32(&r);
    m->bed = r_u32(&r);
    m->n = r_u16(&r);
    if (m->n > PROTO_MAX_HISTORY)
        r.bad = true;
    for (unsigned i = 0; i < m->n && !r.bad; i++) {
        struct ward_history_line *l = &m->line[i];
        l->t = r_i64(&r);
        r_str(&r, l->text, sizeof l->text, false);
        l->kind = r_u8(&r);
        l->on_alarm = r_bool(&r);
        r_str(&r, l->what, sizeof l->what, false);
        r_str(&r, l->detail, sizeof l->detail, false);
        r_str(&r, l->by, sizeof l->by, false);
        if (l->kind >= WH_COUNT)
            r.bad = true;
    }
    return rd_close(&r);
}

int proto_put_bye(struct proto_buf *b, const struct proto_bye *m)
{
    begin(b, PT_BYE);
    w_str(b, m->reason, PROTO_MAX_MESSAGE);
    return end(b);
}

int proto_get_bye(const uint8_t *f, size_t n, struct proto_bye *m)
{
    struct rd r = rd_open(f, n, PT_BYE);
    r_str(&r, m->reason, sizeof m->reason, false);
    return rd_close(&r);
}

/* ---- histories ---- */

static const struct hist *series_of(const struct ward_bed *b, int s)
{
    return s == PS_RR ? &b->h_rr : s == PS_HR ? &b->h_hr : &b->h_news2;
}

/* A history as the 12 h of minutes ending at now. */
void proto_hist_from(struct proto_hist *m, uint32_t bed, enum proto_series s, const struct hist *h,
                     int64_t now)
{
    m->bed = bed;
    m->series = (uint8_t)s;
    m->newest_minute = hist_minute_of(now);
    m->count = HIST_MINUTES;
    for (unsigned i = 0; i < HIST_MINUTES; i++) {
        int64_t minute = m->newest_minute - HIST_MINUTES + 1 + i;
        float sum;
        unsigned cnt;
        if (hist_get_minute(h, minute, &sum, &cnt)) {
            m->sum[i] = sum;
            m->n[i] = (uint16_t)(cnt > 65535 ? 65535 : cnt);
        } else {
            m->sum[i] = 0;
            m->n[i] = 0;
        }
    }
}

/* Replace the minutes a HIST frame covers. */
void proto_hist_apply(const struct proto_hist *m, struct hist *h)
{
    for (unsigned i = 0; i < m->count && i < HIST_MINUTES; i++)
        hist_set_minute(h, m->newest_minute - m->count + 1 + i, m->sum[i], m->n[i]);
}

/* The minute now is in, for every series. */
void proto_minute_from(struct proto_minute *m, const struct ward_bed *bed, int64_t now)
{
    m->minute = hist_minute_of(now);
    for (int k = 0; k < PS_COUNT; k++) {
        float sum;
        unsigned cnt;
        if (hist_get_minute(series_of(bed, k), m->minute, &sum, &cnt)) {
            m->sum[k] = sum;
            m->n[k] = (uint16_t)(cnt > 65535 ? 65535 : cnt);
        } else {
            m->sum[k] = 0;
            m->n[k] = 0;
        }
    }
}

void proto_minute_apply(const struct proto_minute *m, struct ward_bed *bed)
{
    hist_set_minute(&bed->h_rr, m->minute, m->sum[PS_RR], m->n[PS_RR]);
    hist_set_minute(&bed->h_hr, m->minute, m->sum[PS_HR], m->n[PS_HR]);
    hist_set_minute(&bed->h_news2, m->minute, m->sum[PS_NEWS2], m->n[PS_NEWS2]);
}

int proto_put_horeq(struct proto_buf *b, const struct proto_horeq *m)
{
    begin(b, PT_HOREQ);
    w_u32(b, m->req);
    w_str(b, m->period, sizeof m->period - 1);
    w_i64(b, m->t0);
    w_i64(b, m->t1);
    w_str(b, m->staff, sizeof m->staff - 1);
    w_u8(b, m->resolve);
    w_u8(b, m->step);
    return end(b);
}

int proto_get_horeq(const uint8_t *f, size_t n, struct proto_horeq *m)
{
    struct rd r = rd_open(f, n, PT_HOREQ);
    m->req = r_u32(&r);
    r_str(&r, m->period, sizeof m->period, false);
    m->t0 = r_i64(&r);
    m->t1 = r_i64(&r);
    r_str(&r, m->staff, sizeof m->staff, false);
    m->resolve = r_bool(&r);
    m->step = r_u8(&r);
    if ((!m->resolve && m->t1 <= m->t0) || !m->staff[0] || m->step > 2)
        r.bad = true;
    return rd_close(&r);
}

int proto_put_hopart(struct proto_buf *b, const struct proto_hopart *m)
{
    begin(b, PT_HOPART);
    w_u32(b, m->req);
    w_u32(b, m->total);
    w_u32(b, m->first);
    uint16_t count = m->n > PROTO_MAX_HOLINES ? PROTO_MAX_HOLINES : m->n;
    w_u16(b, count);
    for (int i = 0; i < 3; i++)
        w_str(b, m->head[i], PROTO_MAX_HOHEAD);
    w_str(b, m->period, sizeof m->period - 1);
    w_i64(b, m->t0);
    w_i64(b, m->t1);
    for (unsigned i = 0; i < count; i++) {
        w_u8(b, (uint8_t)m->line[i].kind);
        w_u16(b, (uint16_t)(m->line[i].bed < 0 ? 0xFFFF : m->line[i].bed));
        w_str(b, m->line[i].text, sizeof m->line[i].text - 1);
    }
    return end(b);
}

int proto_get_hopart(const uint8_t *f, size_t n, struct proto_hopart *m)
{
    struct rd r = rd_open(f, n, PT_HOPART);
    m->req = r_u32(&r);
    m->total = r_u32(&r);
    m->first = r_u32(&r);
    m->n = r_u16(&r);
    if (m->n > PROTO_MAX_HOLINES || m->total > PROTO_MAX_HOTOTAL || m->first > m->total ||
        m->n > m->total - m->first)
        r.bad = true;
    for (int i = 0; i < 3; i++)
        r_str(&r, m->head[i], sizeof m->head[i], false);
    r_str(&r, m->period, sizeof m->period, false);
    m->t0 = r_i64(&r);
    m->t1 = r_i64(&r);
    if (m->t1 <= m->t0)
        r.bad = true;
    for (unsigned i = 0; i < m->n && !r.bad; i++) {
        m->line[i].kind = (enum handover_line_kind)r_enum(&r, HL_BLANK + 1);
        uint16_t bed = r_u16(&r); /* an entry of the handover, 0xFFFF the ward */
        m->line[i].bed = bed == 0xFFFF ? -1 : bed;
        r_str(&r, m->line[i].text, sizeof m->line[i].text, false);
    }
    return rd_close(&r);
}
