/*
 * monitor — ward + sources + ward clock (see monitor.h).
 */
#include "monitor.h"
#include "export.h"
#include "fhir.h"

#include "log.h"
#include "source.h"
#include "store.h"
#include "util.h"

#include <libintl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One sensor source and the beds it feeds: one bed, or several beds on one
 * multi-patient radar (ti-vs people tracking), told apart by target id. */
struct bed_src {
    struct monitor *m;
    size_t nbeds, cap;
    size_t *beds;  /* grown: a fixed table once opened the port again for */
    int *targets;  /* the 17th bed on one radar (H19-15); tracked-person id, -1 any */
    const char *uri;
    struct source *src;
    bool ended;
    /* A sensor that could not be opened is retried with backoff (a port
     * missing at start — unplugged, a hub still enumerating — is the same
     * technical alarm as one that goes away later, and comes back the same). */
    int backoff_s;
    int64_t retry_mono;
    char why[256]; /* the last reason it could not be opened */
};

struct monitor {
    const struct ward_config *cfg;
    struct ward *ward;
    struct store *st;
    struct loop *loop;
    struct monitor_opts o;
    struct bed_src *srcs;
    size_t nsrcs;
    int64_t start_ms, now_ms, next_tick_ms;
    int64_t mono_start;
    int64_t last_flush_mono;
    int64_t last_retention_mono;
    int64_t last_retention_ward;
    bool retention_backlog;
    int64_t detached_mono; /* the database file went from under us: since */
    int64_t live_mono;     /* live clock: the monotonic time of the last turn */
    bool wall_behind;      /* the wall clock went back; the ward clock goes on */
    monitor_reading_cb rcb;
    void *rctx;
    monitor_tick_cb tcb;
    void *tctx;
    struct export *exp;  /* hospital export (#20), NULL when none */
    bool export_failing; /* the ward's export-failure alarm input */
};

/* A reading from a bed's sensor. */
static void on_reading(void *ctx, const struct reading *r)
{
    struct bed_src *b = ctx;
    for (size_t k = 0; k < b->nbeds; k++) {
        if (b->targets[k] >= 0 && (!(r->have & READING_ID) || r->id != (uint32_t)b->targets[k]))
            continue;
        if (b->m->rcb)
            b->m->rcb(b->m->rctx, b->beds[k], b->m->now_ms, r);
        ward_reading(b->m->ward, b->beds[k], r, b->m->now_ms);
    }
}

/* Transport state into the ward. */
static void on_status(void *ctx, enum source_status s, const char *detail)
{
    struct bed_src *b = ctx;
    enum ward_sensor_state ws = s == SRC_CONNECTED      ? WSENS_STARTING
                                : s == SRC_DISCONNECTED ? WSENS_DISCONNECTED
                                : s == SRC_NO_SIGNAL    ? WSENS_NO_SIGNAL
                                                        : WSENS_NO_SIGNAL;
    if (s == SRC_ENDED) {
        b->ended = true;
        detail = "recording ended";
    }
    for (size_t k = 0; k < b->nbeds; k++)
        ward_sensor_state(b->m->ward, b->beds[k], ws, detail, b->m->now_ms);
}

/* Open (or retry) a bed's sensor source. On failure its beds carry the
 * technical alarm and the next try is scheduled with backoff. */
static void open_source(struct monitor *m, struct bed_src *b)
{
    const struct ward_config *cfg = m->cfg;
    struct source_cb cb = {.reading = on_reading, .status = on_status};
    struct source_opts so = {cfg->no_signal_s, cfg->reconnect_min_s, cfg->reconnect_max_s,
                             m->o.loop_recordings, .retry_absent = true};
    char why[512];
    b->src = source_open(b->uri, &so, m->loop, &cb, b, why, sizeof why);
    if (b->src) {
        if (b->why[0])
            log_msg(LOG_INFO, "bed %s: sensor %s opened after all", cfg->beds[b->beds[0]].label,
                    b->uri);
        b->why[0] = 0;
        b->backoff_s = 0;
        return;
    }
    /* Logged when the reason changes, not every retry. */
    if (strcmp(why, b->why))
        log_msg(LOG_ERROR, "bed %s: %s (retrying)", cfg->beds[b->beds[0]].label, why);
    ww_strlcpy(b->why, why, sizeof b->why);
    for (size_t k = 0; k < b->nbeds; k++)
        ward_sensor_state(m->ward, b->beds[k], WSENS_DISCONNECTED, why, m->now_ms);
    int lo = cfg->reconnect_min_s > 0 ? cfg->reconnect_min_s : 1;
    int hi = cfg->reconnect_max_s >= lo ? cfg->reconnect_max_s : 30;
    b->backoff_s = b->backoff_s <= 0 ? lo : b->backoff_s * 2 > hi ? hi : b->backoff_s * 2;
    b->retry_mono = ww_mono_ms() + (int64_t)b->backoff_s * 1000;
}

/* One more bed on a source (a multi-patient radar feeds any number). */
static int add_bed(struct bed_src *b, size_t bed, int target)
{
    if (b->nbeds == b->cap) {
        size_t ncap = b->cap ? b->cap * 2 : 4;
        size_t *nb = realloc(b->beds, ncap * sizeof *nb);
        if (nb)
            b->beds = nb;
        int *nt = nb ? realloc(b->targets, ncap * sizeof *nt) : NULL;
        if (!nt)
            return -1;
        b->targets = nt;
        b->cap = ncap;
    }
    b->beds[b->nbeds] = bed;
    b->targets[b->nbeds++] = target;
    return 0;
}

/* Sources that could not be opened: try again when their backoff is up. */
static void retry_sources(struct monitor *m)
{
    int64_t mono = ww_mono_ms();
    for (size_t i = 0; i < m->nsrcs; i++) {
        struct bed_src *b = &m->srcs[i];
        if (!b->src && !b->ended && b->uri && mono >= b->retry_mono)
            open_source(m, b);
    }
}

/* Open a source per bed. A sensor that cannot be opened now is a technical
 * alarm for its bed, not a reason to stop the ward: it is retried. */
/* What the export needs of a bed (by number): the admitted patient, the
 * label, the limits. */
static int export_bed_info(void *ctx, int number, struct hl7_subject *subj,
                           struct alarm_limits *lim)
{
    struct monitor *m = ctx;
    for (size_t i = 0; i < ward_nbeds(m->ward); i++) {
        const struct ward_bed *b = ward_bed(m->ward, i);
        if (b->number != number)
            continue;
        if (b->admitted)
            ww_strlcpy(subj->patient_ref, b->patient_ref, sizeof subj->patient_ref);
        ww_strlcpy(subj->bed_label, b->label, sizeof subj->bed_label);
        *lim = b->limits;
        /* the equipment id (OBX-18, FHIR Device): a UUID named by the ward
         * and the bed's sensor address, stable across restarts; none for a
         * manual-only bed */
        for (int k = 0; k < m->cfg->nbeds; k++)
            if (m->cfg->beds[k].number == number && m->cfg->beds[k].sensor[0]) {
                char name[HL7_NAME + 600];
                snprintf(name, sizeof name, "urn:wardwatch:sensor:%s|%s", m->cfg->name,
                         m->cfg->beds[k].sensor);
                fhir_uuid5(name, subj->device_id);
            }
        return 0;
    }
    return -1;
}

struct monitor *monitor_new(const struct ward_config *cfg, struct store *st, struct loop *l,
                            const struct monitor_opts *o, char *err, size_t errlen)
{
    struct monitor *m = calloc(1, sizeof *m);
    if (!m) {
        ww_err(err, errlen, "out of memory");
        return NULL;
    }
    m->cfg = cfg;
    m->st = st;
    m->loop = l;
    m->o = *o;
    if (m->o.speed <= 0)
        m->o.speed = 1;
    m->ward = ward_new(cfg, st, err, errlen);
    m->srcs = calloc((size_t)cfg->nbeds + 1, sizeof *m->srcs);
    if (!m->ward || !m->srcs) {
        monitor_free(m);
        return NULL;
    }
    /* A store that cannot take the new retention now (locked, full) must
     * not keep the ward from monitoring: the old one stays until a restart. */
    char rwhy[512];
    if (st && store_set_record_days(st, cfg->record_days, rwhy, sizeof rwhy) < 0)
        log_msg(LOG_WARN, "retention: record_days stays %d: %s", store_record_days(st), rwhy);
    /* Per-minute summaries of what a crash or stop left open (or, once,
     * of everything an older wardwatch kept); a failure leaves the minutes
     * queued for the next flush. */
    long rec = st ? store_recover_minutes(st, rwhy, sizeof rwhy) : 0;
    if (rec < 0)
        log_msg(LOG_WARN, "store: per-minute summaries not yet written: %s", rwhy);
    else if (rec > 1000)
        log_msg(LOG_INFO, "store: %ld bed-minutes summarised from earlier samples", rec);
    if (m->o.export && st && cfg->nexports) {
        struct hl7_ident id = {0};
        ww_strlcpy(id.app, "WARDWATCH", sizeof id.app);
        ww_strlcpy(id.ward, cfg->name, sizeof id.ward);
        /* MSH-3's universal id: a UUID named by the ward, stable */
        char name[HL7_NAME + 32];
        snprintf(name, sizeof name, "urn:wardwatch:ward:%s", cfg->name);
        fhir_uuid5(name, id.app_uid);
        id.demo = !m->o.live_clock;
        /* Monitoring comes first: a destination that cannot be resolved
         * (DNS down at start) leaves the ward monitoring, without export,
         * and says so; the outbox keeps nothing new until a restart. */
        char why[512];
        m->exp = export_new(l, st, cfg, &id, export_bed_info, m, why, sizeof why);
        if (!m->exp)
            log_msg(LOG_ERROR, "%s: the ward runs WITHOUT the hospital export", why);
    }
    m->start_ms = m->now_ms =
        (!m->o.live_clock && m->o.start_ms > 0 ? m->o.start_ms : ww_now_ms()) / 1000 * 1000;
    m->next_tick_ms = m->now_ms;
    for (int i = 0; i < cfg->nbeds; i++) {
        if (!cfg->beds[i].sensor[0])
            continue;
        /* Beds on one multi-patient radar share its source. */
        struct bed_src *shared = NULL;
        for (size_t k = 0; k < m->nsrcs && !shared; k++)
            if (!strcmp(m->srcs[k].uri, cfg->beds[i].sensor))
                shared = &m->srcs[k];
        struct bed_src *b = shared ? shared : &m->srcs[m->nsrcs];
        if (add_bed(b, (size_t)i, cfg->beds[i].target) < 0) {
            ww_err(err, errlen, "bed %s: out of memory for its sensor %s",
                   cfg->beds[i].label, cfg->beds[i].sensor);
            monitor_free(m);
            return NULL;
        }
        if (shared) {
            if (!shared->src)
                ward_sensor_state(m->ward, (size_t)i, WSENS_DISCONNECTED, "sensor not available",
                                  m->now_ms);
            continue;
        }
        b->m = m;
        b->uri = cfg->beds[i].sensor;
        m->nsrcs++;
        open_source(m, b);
    }
    return m;
}

/* Free. */
void monitor_free(struct monitor *m)
{
    if (!m)
        return;
    export_free(m->exp);
    for (size_t i = 0; i <= m->nsrcs && m->srcs; i++) {
        source_close(m->srcs[i].src);
        free(m->srcs[i].beds);
        free(m->srcs[i].targets);
    }
    free(m->srcs);
    ward_free(m->ward);
    free(m);
}

struct ward *monitor_ward(struct monitor *m)
{
    return m->ward;
}

struct loop *monitor_loop(struct monitor *m)
{
    return m->loop;
}

void monitor_on_reading(struct monitor *m, monitor_reading_cb cb, void *ctx)
{
    m->rcb = cb;
    m->rctx = ctx;
}

void monitor_on_tick(struct monitor *m, monitor_tick_cb cb, void *ctx)
{
    m->tcb = cb;
    m->tctx = ctx;
}

int64_t monitor_now(const struct monitor *m)
{
    return m->now_ms;
}

int64_t monitor_start_ms(const struct monitor *m)
{
    return m->start_ms;
}

/* Sources still delivering. */
int monitor_active_sources(const struct monitor *m)
{
    int n = 0;
    for (size_t i = 0; i < m->nsrcs; i++)
        n += m->srcs[i].src && !m->srcs[i].ended;
    return n;
}

/* Bring pumped sources up to the ward clock and tick each whole second. */
static void advance_to(struct monitor *m, int64_t target_ms)
{
    char err[512];
    while (m->next_tick_ms <= target_ms) {
        m->now_ms = m->next_tick_ms;
        double stream_s = (double)(m->now_ms - m->start_ms) / 1000.0;
        for (size_t i = 0; i < m->nsrcs; i++) {
            struct bed_src *b = &m->srcs[i];
            if (!b->src || b->ended || !source_pumped(b->src))
                continue;
            if (source_pump(b->src, stream_s, err, sizeof err) < 0) {
                log_msg(LOG_ERROR, "%s", err);
                b->ended = true;
                for (size_t k = 0; k < b->nbeds; k++)
                    ward_sensor_state(m->ward, b->beds[k], WSENS_NO_SIGNAL, err, m->now_ms);
            }
        }
        export_before_tick(m->exp, m->ward, m->now_ms);
        ward_tick(m->ward, m->now_ms);
        export_tick(m->exp, m->ward, m->now_ms);
        char why[160];
        bool failing = export_failing(m->exp, why, sizeof why);
        if (failing != m->export_failing) {
            m->export_failing = failing;
            ward_set_export_failure(m->ward, failing);
            if (failing)
                log_msg(LOG_ERROR, "%s: a technical alarm on every admitted bed", why);
            else
                log_msg(LOG_INFO, "export recovered: its technical alarm ends");
        }
        m->next_tick_ms += 1000;
    }
    m->now_ms = target_ms;
}

/* Retention runs once a minute, or every second while there is a backlog,
 * by the wall clock or by the ward clock, whichever comes first: live both
 * agree; a fast replay (days in minutes) keeps its retention in step with
 * the days it simulates instead of falling behind by its speed. */
static bool retention_due(const struct monitor *m, int64_t mono)
{
    int64_t wall = mono - m->last_retention_mono, ward = m->now_ms - m->last_retention_ward;
    if (m->retention_backlog)
        return wall >= 1000 || ward >= 10000;
    return wall >= 60000 || ward >= 60000;
}

/* Flush the store at most once a wall second; retention when due. */
#define MONITOR_FLUSH_ROWS 16384 /* about 8 min of a 32-bed ward at 1 Hz */

/* The database file deleted or replaced under us: writes fail from the
 * moment it is noticed (the ward's store-failure alarm on every board, its
 * rows queued); the record is put back once that alarm has had its
 * technical delay to show (at most 30 s), then the queue is written. */
static void check_database_file(struct monitor *m, int64_t mono)
{
    if (store_check_attached(m->st)) {
        m->detached_mono = 0;
        return;
    }
    char err[512];
    if (!m->detached_mono) {
        m->detached_mono = mono;
        /* On disk at once: a crash while the alarm shows loses nothing. */
        if (store_secure_copy(m->st, err, sizeof err) < 0)
            log_msg(LOG_ERROR, "%s", err);
    }
    int64_t hold = (int64_t)((double)m->cfg->technical_delay_s * 1000.0 / m->o.speed) + 2000;
    if (hold > 30000)
        hold = 30000;
    if (mono - m->detached_mono < hold)
        return;
    if (store_reattach(m->st, m->now_ms, err, sizeof err) < 0) {
        log_msg(LOG_ERROR, "database not yet put back (retrying each second): %s", err);
        return;
    }
    m->detached_mono = 0;
}

static void maybe_flush(struct monitor *m)
{
    int64_t mono = ww_mono_ms();
    char err[512];
    if (m->st && mono - m->last_flush_mono >= 1000)
        check_database_file(m, mono);
    /* Once a wall-clock second; sooner when a replay faster than real time
     * has queued many rows (a healthy store only: an outage retries each
     * second), which bounds the queue's memory and the transaction size. */
    if (mono - m->last_flush_mono >= 1000 ||
        (m->st && store_queued(m->st) >= MONITOR_FLUSH_ROWS && ward_store_ok(m->ward))) {
        m->last_flush_mono = mono;
        ward_flush(m->ward, err, sizeof err);
        export_kick(m->exp);
    }
    /* Retention: per-second samples older than samples_days become
     * per-minute rows in small batches (600 rows) so the loop never stalls. */
    if (m->st && ward_store_ok(m->ward) && retention_due(m, mono)) {
        m->last_retention_mono = mono;
        m->last_retention_ward = m->now_ms;
        long r = store_downsample(m->st, m->now_ms - (int64_t)m->cfg->samples_days * 86400000LL,
                                  600, err, sizeof err);
        if (r < 0)
            log_msg(LOG_WARN, "retention: %s", err);
        /* The record past record_days, in the same small batches, once the
         * samples have no backlog. */
        long p = 0;
        if (r == 0) {
            p = store_prune_record(m->st, m->now_ms, 600, err, sizeof err);
            if (p < 0)
                log_msg(LOG_WARN, "retention: %s", err);
        }
        m->retention_backlog = r > 0 || p >= 600;
    }
}

/* The live ward clock: the wall clock, but never backwards. When the wall
 * clock is set back (by hand, a bad NTP step) the ward clock goes on by the
 * monotonic clock until the wall clock has caught up, so alarms keep being
 * evaluated and the record stays in order; a jump forward is followed (the
 * time is true) and logged. */
#define WALL_BACK_SLACK_MS 2000
#define WALL_JUMP_LOG_MS 60000

static int64_t live_target(struct monitor *m)
{
    int64_t wall = ww_now_ms(), mono = ww_mono_ms();
    int64_t cont = m->now_ms + (m->live_mono ? mono - m->live_mono : 0);
    m->live_mono = mono;
    if (wall < cont - WALL_BACK_SLACK_MS) {
        if (!m->wall_behind)
            log_msg(LOG_ERROR,
                    "the system clock went back %lld s: the ward clock goes on by the "
                    "monotonic clock until the system clock catches up",
                    (long long)(cont - wall) / 1000);
        m->wall_behind = true;
        return cont;
    }
    if (wall > cont + WALL_JUMP_LOG_MS)
        log_msg(LOG_WARN, "the system clock jumped forward %lld s",
                (long long)(wall - cont) / 1000);
    else if (m->wall_behind)
        log_msg(LOG_INFO, "the system clock has caught up with the ward clock");
    m->wall_behind = false;
    return wall > m->now_ms ? wall : m->now_ms; /* within the slack: wait, never back */
}

/* Loop timer: move the ward clock. */
static void on_timer(struct loop *l, int id, void *ctx)
{
    struct monitor *m = ctx;
    int64_t target;
    if (m->o.live_clock)
        target = live_target(m);
    else
        target = m->start_ms + (int64_t)((double)(ww_mono_ms() - m->mono_start) * m->o.speed);
    int64_t before = m->next_tick_ms;
    retry_sources(m);
    advance_to(m, target);
    maybe_flush(m);
    if (m->tcb && m->next_tick_ms != before)
        m->tcb(m->tctx, m->now_ms);
}

/* Paced start. */
int monitor_start(struct monitor *m)
{
    m->mono_start = ww_mono_ms();
    m->last_flush_mono = m->mono_start;
    m->last_retention_mono = m->mono_start;
    int64_t period = m->o.live_clock ? 200 : (m->o.speed > 20 ? 20 : 100);
    if (loop_add_timer(m->loop, period, true, on_timer, m) < 0) {
        log_msg(LOG_ERROR, "the ward's clock cannot be started (out of memory): nothing would "
                           "be monitored");
        return -1;
    }
    return 0;
}

/* As fast as possible. */
double monitor_run_fast(struct monitor *m, double seconds)
{
    /* From the current ward time, as monitor.h says (not from the start:
     * a second call would then do nothing). */
    int64_t from = m->now_ms;
    int64_t end = from + (int64_t)(seconds * 1000);
    while (m->now_ms < end) {
        int64_t step = m->now_ms + 1000 > end ? end : m->now_ms + 1000;
        advance_to(m, step);
        maybe_flush(m);
        if (m->nsrcs && monitor_active_sources(m) == 0)
            break;
    }
    char err[512];
    ward_flush(m->ward, err, sizeof err);
    return (double)(m->now_ms - from) / 1000.0;
}

/* Sensor summary for the status line. */
void monitor_sensor_summary(const struct monitor *m, char *buf, size_t n)
{
    /* the hospital export first, when there is one (how each destination
     * fares): the board appends the names of faulty sensors to the end */
    size_t o = 0;
    if (export_count(m->exp) && n > 4) {
        export_summary(m->exp, buf, n - 3);
        o = strlen(buf);
        snprintf(buf + o, n - o, " | ");
        o += 3;
    }
    ward_sensor_summary(ward_bed(m->ward, 0), ward_nbeds(m->ward), buf + o, n - o);
}

void monitor_export_summary(const struct monitor *m, char *buf, size_t n)
{
    export_summary(m->exp, buf, n);
}
