/*
 * cmd_replay, cmd_record, cmd_simulate — recorded sessions.
 *   record   URI -o FILE [--seconds N] [--label L]: the raw stream as it
 *            arrives, with monotonic timestamps.
 *   replay   FILE [--speed N | --fast] [--json] [--alarms] [-c CONFIG]
 *            [--db FILE] [--loop] [--for SECONDS] [--stats SECONDS]:
 *            the live pipeline, headless, one bed per recorded stream; the
 *            alarm settings come from -c CONFIG (its beds are not used) or
 *            the defaults. --db writes the ward's store as the board does
 *            (the storage-fault and soak tests use it); --loop starts the
 *            recordings over at their end; --for stops after that much
 *            recording time; --stats prints a "stats" line to stderr every
 *            SECONDS of recording time (readings, peak and current RSS,
 *            database bytes, rows queued, store state).
 *   simulate SCENARIO -o FILE [--sensor DRIVER] [--seed N] [--hours H]
 *            [--offset S] [--label L]; or --ward SPEC -o DIR for a whole
 *            demo ward.
 */
#include "cmd_common.h"
#include "commands.h"
#include "config.h"
#include "log.h"
#include "loop.h"
#include "monitor.h"
#include "recording.h"
#include "simulate.h"
#include "source.h"
#include "store.h"
#include "util.h"
#include "ward.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct replay_out {
    bool json, alarms;
    int64_t start;
    struct ward *ward;
    long alarms_raised[4];
    long readings;
};

/* JSON string with escapes (labels are sanitised UTF-8 already). */
static void json_str(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            putchar('\\');
        putchar(*s);
    }
    putchar('"');
}

static void on_reading(void *ctx, size_t bed, int64_t now, const struct reading *r)
{
    struct replay_out *o = ctx;
    o->readings++;
    if (!o->json)
        return;
    printf("{\"t\":%.3f,\"bed\":", (double)(now - o->start) / 1000.0);
    json_str(ward_bed(o->ward, bed)->label);
    char fields[400];
    reading_json_fields(r, fields, sizeof fields);
    fputs(fields, stdout);
    printf("}\n");
}

static void on_event(void *ctx, const struct ward_event *ev)
{
    struct replay_out *o = ctx;
    if (ev->kind == WEV_ALARM && ev->alarm->kind == AE_RAISED)
        o->alarms_raised[ev->alarm->priority]++;
    if (!o->alarms)
        return;
    double t = (double)(ev->t_ms - o->start) / 1000.0;
    const char *bed = ev->bed >= 0 ? ward_bed(o->ward, (size_t)ev->bed)->label : "";
    if (ev->kind == WEV_ALARM) {
        const struct alarm_event *a = ev->alarm;
        printf("{\"t\":%.3f,\"bed\":", t);
        json_str(bed);
        printf(",\"event\":\"%s\",\"alarm\":\"%s\",\"priority\":\"%s\"",
               alarm_event_name(a->kind), alarm_condition_name(a->cond),
               alarm_priority_name(a->priority));
        if (a->staff) {
            printf(",\"staff\":");
            json_str(a->staff);
        }
        printf("}\n");
    } else if (ev->kind == WEV_SCORE) {
        const struct news2_result *s = ev->score;
        printf("{\"t\":%.3f,\"bed\":", t);
        json_str(bed);
        printf(",\"event\":\"score\",\"news2\":%d,\"band\":\"%s\",\"partial\":%s}\n", s->total,
               news2_band_name(s->band), s->partial ? "true" : "false");
    } else if (ev->kind == WEV_SENSOR) {
        printf("{\"t\":%.3f,\"bed\":", t);
        json_str(bed);
        printf(",\"event\":\"sensor\",\"state\":\"%s\"}\n",
               ward_sensor_state_name(ward_bed(o->ward, (size_t)ev->bed)->sensor));
    } else if (ev->kind == WEV_STORE) {
        printf("{\"t\":%.3f,\"event\":\"store\",\"state\":", t);
        json_str(ev->text ? ev->text : "");
        printf("}\n");
    }
    fflush(stdout);
}

/* Current and peak resident set size in KB (from /proc/self/status). */
static void rss_kb(long *cur, long *peak)
{
    *cur = *peak = -1;
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return;
    char line[256];
    while (fgets(line, sizeof line, f)) {
        if (!strncmp(line, "VmRSS:", 6))
            *cur = atol(line + 6);
        else if (!strncmp(line, "VmHWM:", 6))
            *peak = atol(line + 6);
    }
    fclose(f);
}

/* Database plus WAL bytes on disk. */
static long long db_bytes(const char *path)
{
    struct stat sb;
    long long n = 0;
    char p[CONFIG_PATH_MAX + 8];
    if (stat(path, &sb) == 0)
        n += sb.st_size;
    snprintf(p, sizeof p, "%s-wal", path);
    if (stat(p, &sb) == 0)
        n += sb.st_size;
    return n;
}

/* What --stats and the loop timer need. */
struct replay_run {
    struct monitor *m;
    struct store *st;
    struct replay_out *o;
    const char *db;
    int64_t until_ms;    /* stop at this ward time; 0 never */
    int64_t stats_every; /* ms of ward time; 0 off */
    int64_t next_stats;
    int64_t last_printed; /* ward time of the last line, -1 none */
};

/* One "stats" line on stderr. */
static void print_stats(struct replay_run *r)
{
    if (monitor_now(r->m) == r->last_printed)
        return;
    r->last_printed = monitor_now(r->m);
    long cur, peak;
    rss_kb(&cur, &peak);
    struct store_stats ss = {0};
    if (r->st)
        store_get_stats(r->st, &ss);
    fprintf(stderr,
            "stats t=%.0f readings=%ld rss_kb=%ld peak_rss_kb=%ld db_bytes=%lld queued=%zu "
            "flushed=%llu dropped=%llu failed_flushes=%llu lost=%llu store=%s\n",
            (double)(monitor_now(r->m) - r->o->start) / 1000.0, r->o->readings, cur, peak,
            r->db ? db_bytes(r->db) : 0LL, r->st ? store_queued(r->st) : (size_t)0,
            (unsigned long long)ss.flushed, (unsigned long long)ss.dropped_samples,
            (unsigned long long)ss.failed_flushes, (unsigned long long)ss.lost_rows,
            !r->st                              ? "none"
            : ward_store_ok(monitor_ward(r->m)) ? "ok"
                                                : "failing");
}

/* Stats due at this ward time? */
static void maybe_stats(struct replay_run *r)
{
    if (r->stats_every <= 0)
        return;
    while (monitor_now(r->m) >= r->next_stats) {
        print_stats(r);
        r->next_stats += r->stats_every;
    }
}

static volatile sig_atomic_t interrupted;
static void on_sigint(int s)
{
    (void)s;
    interrupted = 1;
}

static void on_loop_timer(struct loop *l, int id, void *ctx)
{
    struct replay_run *r = ctx;
    maybe_stats(r);
    if (interrupted || monitor_active_sources(r->m) == 0 ||
        (r->until_ms && monitor_now(r->m) >= r->until_ms))
        loop_stop(l);
}

const char cmd_replay_usage[] =
    "wardwatch replay FILE... [--speed N | --fast] [--json] [--alarms] [-c CONFIG]\n"
    "                        [--db FILE] [--loop] [--for SECONDS] [--stats SECONDS]\n";

struct replay_args {
    const char **files; /* room for every argument: past the bed limit is refused by name */
    int nfiles;
    const char *cfgpath, *dbpath;
    double speed, for_s, stats_s;
    bool fast, loop_rec;
};

/* Read the arguments: -1 to go on, else the exit status (help 0, bad 2). */
static int replay_args(int argc, char **argv, struct replay_args *a, struct replay_out *o)
{
    bool speed_set = false;
    for (int i = 1; i < argc; i++) {
        const char *x = argv[i];
        if (!strcmp(x, "--help") || !strcmp(x, "-h")) {
            cmd_usage(stdout, cmd_replay_usage);
            return 0;
        } else if (!strcmp(x, "--fast")) {
            a->fast = true;
        } else if (!strcmp(x, "--json")) {
            o->json = true;
        } else if (!strcmp(x, "--alarms")) {
            o->alarms = true;
        } else if (!strcmp(x, "--speed") && i + 1 < argc) {
            if (ww_parse_double(argv[++i], 0.01, 100000, &a->speed) < 0) {
                fprintf(stderr, "wardwatch replay: --speed: '%s' is not a number in 0.01-100000\n",
                        argv[i]);
                return 2;
            }
            speed_set = true;
        } else if (!strcmp(x, "-c") && i + 1 < argc) {
            a->cfgpath = argv[++i];
        } else if (!strcmp(x, "--db") && i + 1 < argc) {
            a->dbpath = argv[++i];
        } else if (!strcmp(x, "--loop")) {
            a->loop_rec = true;
        } else if ((!strcmp(x, "--for") || !strcmp(x, "--stats")) && i + 1 < argc) {
            double *v = !strcmp(x, "--for") ? &a->for_s : &a->stats_s;
            if (ww_parse_double(argv[++i], 1, 86400.0 * 366, v) < 0) {
                fprintf(stderr, "wardwatch replay: %s: '%s' is not a number of seconds in 1-%d\n",
                        x, argv[i], 86400 * 366);
                return 2;
            }
        } else if (x[0] != '-') {
            a->files[a->nfiles++] = x;
        } else {
            return cmd_usage_error("replay", cmd_replay_usage, "unexpected argument '%s'", x);
        }
    }
    if (!a->nfiles)
        return cmd_usage_error("replay", cmd_replay_usage, "which recordings? (FILE...)");
    if (a->fast && speed_set) {
        fprintf(stderr, "wardwatch replay: --fast and --speed exclude each other\n");
        return 2;
    }
    return -1;
}

/* One bed per recorded stream, over all the files, into cfg: 0, 1 when a
 * file is damaged after its start (what came before is replayed), -1
 * after a message when nothing can be replayed, -2 past the bed limit
 * (named by file and stream, H19-17). */
static int replay_beds(struct ward_config *cfg, const struct replay_args *a)
{
    char err[1024];
    int damaged = 0;
    cfg->nbeds = 0;
    for (int fi = 0; fi < a->nfiles; fi++) {
        const char *file = a->files[fi];
        struct rec_reader *r = rec_reader_open(file, err, sizeof err);
        if (!r) {
            fprintf(stderr, "wardwatch replay: %s\n", err);
            return -1;
        }
        struct rec_chunk c;
        int frc;
        while ((frc = rec_next(r, &c, err, sizeof err)) == 1)
            ;
        for (unsigned s2 = 0; s2 < REC_MAX_STREAMS; s2++) {
            const struct rec_stream *rs = rec_stream(r, s2);
            if (!rs)
                continue;
            if (cfg->nbeds >= CONFIG_MAX_BEDS) {
                fprintf(stderr,
                        "wardwatch replay: %s: stream %u would be bed %d: more than %d beds (the "
                        "ward's limit)\n",
                        file, s2, cfg->nbeds + 1, CONFIG_MAX_BEDS);
                rec_reader_close(r);
                return -2;
            }
            struct config_bed *b = &cfg->beds[cfg->nbeds];
            memset(b, 0, sizeof *b);
            b->number = cfg->nbeds + 1;
            b->target = -1;
            if (rs->label[0])
                ww_strlcpy(b->label, rs->label, sizeof b->label);
            else
                snprintf(b->label, sizeof b->label, "stream %u", s2);
            snprintf(b->sensor, sizeof b->sensor, "replay:%s?stream=%u", file, s2);
            cfg->nbeds++;
        }
        rec_reader_close(r);
        if (frc < 0) {
            fprintf(stderr, "wardwatch replay: %s (replaying what came before)\n", err);
            damaged = 1;
        }
    }
    if (cfg->nbeds == 0) {
        fprintf(stderr, "wardwatch replay: no sensor stream in the recording(s)\n");
        return -1;
    }
    return damaged;
}

/* Each stream is a patient in bed when the recording starts: without an
 * admission no physiological or out-of-bed alarm would show. A bed the
 * database already has a patient in (restored) keeps that admission. */
static void replay_admit(struct ward *w, const struct ward_config *cfg, int64_t start)
{
    char err[1024];
    for (size_t i = 0; i < ward_nbeds(w); i++) {
        if (ward_bed(w, i)->admitted)
            continue;
        if (ward_admit_recording(w, i, cfg->beds[i].sensor, start, err, sizeof err) < 0)
            fprintf(stderr, "wardwatch replay: %s: not admitted: %s\n", cfg->beds[i].label, err);
    }
}

/* Run the recordings, as fast as possible or paced; the seconds of
 * recording replayed, *failed when the paced clock could not start. */
static double replay_run(struct replay_run *run, struct loop *l, const struct replay_args *a,
                         bool *failed)
{
    struct monitor *m = run->m;
    if (a->fast) {
        /* In steps so --stats can sample along the way. */
        double total = a->for_s > 0 ? a->for_s : 86400.0 * 366;
        double step = a->stats_s > 0 ? a->stats_s : total, simulated = 0;
        for (;;) {
            /* monitor_run_fast advances from the current ward time. */
            double want = total - simulated < step ? total - simulated : step;
            double done = monitor_run_fast(m, want);
            simulated += done;
            maybe_stats(run);
            if (simulated >= total - 1e-6 || (done < want && monitor_active_sources(m) == 0))
                break;
        }
        return simulated;
    }
    signal(SIGINT, on_sigint);
    signal(SIGTERM, on_sigint);
    if (monitor_start(m) < 0 || loop_add_timer(l, 100, true, on_loop_timer, run) < 0) {
        fprintf(stderr, "wardwatch replay: the ward's clock cannot be started\n");
        *failed = true;
    } else {
        loop_run(l);
    }
    return (double)(monitor_now(m) - run->o->start) / 1000.0;
}

/* The store's and the run's summary lines on stderr. */
static void replay_report(struct replay_run *run, const struct replay_args *a, int nbeds,
                          double simulated, int64_t t0)
{
    char err[1024];
    const struct replay_out *o = run->o;
    if (run->st) {
        /* Last rows out; a store still failing keeps them counted as queued. */
        ward_flush(o->ward, err, sizeof err);
        if (a->stats_s > 0)
            print_stats(run);
        struct store_stats ss;
        store_get_stats(run->st, &ss);
        fprintf(stderr,
                "wardwatch replay: store %s: %llu rows written, %zu still queued, %llu samples "
                "dropped, %llu rows lost, %llu failed flushes\n",
                a->dbpath, (unsigned long long)ss.flushed, store_queued(run->st),
                (unsigned long long)ss.dropped_samples, (unsigned long long)ss.lost_rows,
                (unsigned long long)ss.failed_flushes);
    }
    double wall = (double)(ww_mono_ms() - t0) / 1000.0;
    fprintf(stderr,
            "wardwatch replay: %d bed(s), %.0f s of recording in %.2f s (%.0fx real time); "
            "alarms raised: %ld high, %ld medium, %ld low\n",
            nbeds, simulated, wall, wall > 0 ? simulated / wall : 0, o->alarms_raised[AP_HIGH],
            o->alarms_raised[AP_MEDIUM], o->alarms_raised[AP_LOW]);
}

/* wardwatch replay, with room for as many files as arguments. */
static int replay_main(int argc, char **argv, const char **files)
{
    struct replay_args a = {.speed = 1, .files = files};
    struct replay_out o = {0};
    int rc = replay_args(argc, argv, &a, &o);
    if (rc >= 0)
        return rc;
    char err[1024];
    struct ward_config *cfg = malloc(sizeof *cfg);
    if (!cfg)
        return 1;
    if (a.cfgpath) {
        if (config_load(a.cfgpath, cfg, err, sizeof err) < 0) {
            fprintf(stderr, "wardwatch: %s\n", err);
            free(cfg);
            return 2;
        }
    } else {
        config_defaults(cfg);
    }
    int damaged = replay_beds(cfg, &a);
    if (damaged < 0) {
        free(cfg);
        return damaged == -2 ? 2 : 1;
    }
    /* Replaying into a database makes this the ward's core there: not
     * beside a running one (the file has one writer). */
    if (a.dbpath)
        ww_strlcpy(cfg->database, a.dbpath, sizeof cfg->database);
    struct cmd_core core;
    struct cmd_core_opts co = {.store = a.dbpath != NULL,
                               .mo = {.speed = a.speed, .loop_recordings = a.loop_rec}};
    if (cmd_core_start(&core, cfg, &co, err, sizeof err) < 0) {
        fprintf(stderr, "wardwatch replay: %s\n", err);
        free(cfg);
        return 1;
    }
    o.ward = monitor_ward(core.m);
    o.start = monitor_start_ms(core.m);
    replay_admit(o.ward, cfg, o.start);
    monitor_on_reading(core.m, on_reading, &o);
    ward_set_listener(o.ward, on_event, &o);
    struct replay_run run = {.m = core.m,
                             .st = core.st,
                             .o = &o,
                             .db = a.dbpath,
                             .until_ms = a.for_s > 0 ? o.start + (int64_t)(a.for_s * 1000) : 0,
                             .stats_every = (int64_t)(a.stats_s * 1000),
                             .next_stats = o.start + (int64_t)(a.stats_s * 1000),
                             .last_printed = -1};
    int64_t t0 = ww_mono_ms();
    bool failed = false;
    double simulated = replay_run(&run, core.l, &a, &failed);
    replay_report(&run, &a, cfg->nbeds, simulated, t0);
    bool unsaved = core.st && store_queued(core.st) > 0;
    cmd_core_stop(&core);
    free(cfg);
    return damaged || failed || unsaved ? 1 : 0;
}

struct rec_ctx {
    struct rec_writer *w;
    int64_t mono0;
    struct source *src;
    const char *uri, *label;
    bool pumped;
    bool declared;
    bool failed;
    enum rec_clock clock; /* the clock that timed the chunks (for the message) */
    char err[512];
};

/* Time of a chunk: the stream's own for pumped sources, else arrival. */
static uint64_t rec_now(const struct rec_ctx *rc)
{
    return rc->pumped ? (uint64_t)(source_time(rc->src) * 1e6)
                      : (uint64_t)(ww_mono_ms() - rc->mono0) * 1000;
}

/* Declare the stream before its first chunk: by then an I/Q source knows
 * its sampling rate and wavelength. The stream is described by the
 * sensor's own URI (for a recording being re-recorded: the URI it was
 * recorded from). False when it cannot be declared yet. */
static bool rec_declare(struct rec_ctx *rc, uint64_t t)
{
    if (rc->declared)
        return true;
    struct rec_stream rs = {.kind = REC_KIND_BYTES, .clock = source_clock(rc->src)};
    if (source_iq(rc->src, &rs.fs_hz, &rs.wavelength_mm)) {
        if (rs.fs_hz <= 0)
            return false;
        rs.kind = REC_KIND_IQ;
    }
    const char *orig = source_recorded_uri(rc->src);
    ww_strlcpy(rs.uri, orig ? orig : rc->uri, sizeof rs.uri);
    const char *rl = source_recorded_label(rc->src);
    ww_sanitize_text(rs.label, sizeof rs.label, *rc->label ? rc->label : rl ? rl : "", false);
    snprintf(rs.note, sizeof rs.note, "recorded by wardwatch %s", WARDWATCH_VERSION);
    if (rec_write_stream(rc->w, 0, &rs, t, rc->err, sizeof rc->err) < 0)
        rc->failed = true;
    rc->declared = true;
    return !rc->failed;
}

static void rec_raw(void *ctx, const uint8_t *buf, size_t n)
{
    struct rec_ctx *rc = ctx;
    uint64_t t = rec_now(rc);
    if (!rec_declare(rc, t))
        return;
    while (n && !rc->failed) {
        size_t k = n > REC_MAX_PAYLOAD ? REC_MAX_PAYLOAD : n;
        if (rec_write_chunk(rc->w, REC_BYTES, 0, t, buf, k, rc->err, sizeof rc->err) < 0)
            rc->failed = true;
        buf += k;
        n -= k;
    }
}

/* I/Q samples: one REC_IQ chunk of f32 I, Q pairs (little-endian) per
 * block as it arrived. */
static void rec_iq(void *ctx, const float *i, const float *q, size_t n)
{
    struct rec_ctx *rc = ctx;
    uint64_t t = rec_now(rc);
    if (!rec_declare(rc, t))
        return;
    uint8_t buf[8 * 1024];
    while (n && !rc->failed) {
        size_t k = n > 1024 ? 1024 : n;
        rec_pack_iq(i, q, k, buf);
        if (rec_write_chunk(rc->w, REC_IQ, 0, t, buf, k * 8, rc->err, sizeof rc->err) < 0)
            rc->failed = true;
        i += k;
        q += k;
        n -= k;
    }
}

static void rec_reading(void *ctx, const struct reading *r)
{
}

static void rec_status(void *ctx, enum source_status s, const char *detail)
{
    struct rec_ctx *rc = ctx;
    uint64_t t = rec_now(rc);
    if ((s == SRC_DISCONNECTED || s == SRC_CONNECTED) && rec_declare(rc, t))
        rec_write_event(rc->w, 0, t, s == SRC_CONNECTED ? REC_EV_CONNECT : REC_EV_DISCONNECT,
                        detail, rc->err, sizeof rc->err);
    fprintf(stderr, "wardwatch record: %s\n", detail ? detail : "");
}

static void rec_stop(struct loop *l, int id, void *ctx)
{
    (void)ctx;
    loop_stop(l);
}

static void rec_check(struct loop *l, int id, void *ctx)
{
    if (interrupted || ((struct rec_ctx *)ctx)->failed)
        loop_stop(l);
}

const char cmd_record_usage[] = "wardwatch record URI -o FILE [--seconds N] [--label L]\n";

/* wardwatch record. */
int cmd_record_main(int argc, char **argv)
{
    const char *uri = NULL, *out = NULL, *label = "";
    double seconds = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            cmd_usage(stdout, cmd_record_usage);
            puts("Records what one sensor sends, with the time of each read, for replay.");
            return 0;
        } else if (!strcmp(argv[i], "-o") && i + 1 < argc)
            out = argv[++i];
        else if (!strcmp(argv[i], "--label") && i + 1 < argc)
            label = argv[++i];
        else if (!strcmp(argv[i], "--seconds") && i + 1 < argc) {
            if (ww_parse_double(argv[++i], 0.1, 86400 * 7, &seconds) < 0) {
                fprintf(stderr, "wardwatch record: --seconds: '%s' is not a positive number\n",
                        argv[i]);
                return 2;
            }
        } else if (argv[i][0] != '-' && !uri)
            uri = argv[i];
        else {
            return cmd_usage_error("record", cmd_record_usage, "unexpected argument '%s'",
                                   argv[i]);
        }
    }
    if (!uri || !out)
        return cmd_usage_error("record", cmd_record_usage, "%s is required",
                               !uri ? "the sensor's URI" : "-o FILE");
    char err[1024];
    struct rec_ctx rc = {0};
    rc.w = rec_writer_open(out, false, err, sizeof err);
    if (!rc.w) {
        fprintf(stderr, "wardwatch record: %s\n", err);
        return 1;
    }
    struct loop *l = loop_new(false);
    struct source_cb cb = {
        .reading = rec_reading, .status = rec_status, .raw = rec_raw, .iq = rec_iq};
    struct source_opts so = {.no_signal_s = 10, .reconnect_min_s = 1, .reconnect_max_s = 8};
    rc.mono0 = ww_mono_ms();
    rc.uri = uri;
    rc.label = label;
    rc.src = source_open(uri, &so, l, &cb, &rc, err, sizeof err);
    if (!rc.src) {
        fprintf(stderr, "wardwatch record: %s\n", err);
        rec_writer_close(rc.w, 0, NULL, 0);
        remove(out);
        loop_free(l);
        return 1;
    }
    rc.pumped = source_pumped(rc.src);
    rec_declare(&rc, 0);

    if (rc.pumped) {
        int r;
        do
            r = source_pump(rc.src, seconds > 0 ? seconds : 1e12, err, sizeof err);
        while (r == 0 && !rc.failed && !(seconds > 0 && source_time(rc.src) >= seconds));
    } else {
        signal(SIGINT, on_sigint);
        if (seconds > 0)
            loop_add_timer(l, (int64_t)(seconds * 1000), false, rec_stop, &rc);
        loop_add_timer(l, 200, true, rec_check, &rc);
        loop_run(l);
    }
    rc.clock = source_clock(rc.src);
    uint64_t tend = rc.pumped ? (uint64_t)(source_time(rc.src) * 1e6)
                              : (uint64_t)(ww_mono_ms() - rc.mono0) * 1000;
    struct parser_stats ps;
    source_stats(rc.src, &ps);
    source_close(rc.src);
    loop_free(l);
    int close_rc = rec_writer_close(rc.w, tend, err, sizeof err);
    if (rc.failed || close_rc < 0) {
        fprintf(stderr, "wardwatch record: %s\n", rc.failed ? rc.err : err);
        return 1;
    }
    if (!rc.declared) {
        fprintf(stderr, "wardwatch record: the sensor never delivered data; %s holds no stream\n",
                out);
        return 1;
    }
    fprintf(stderr, "wardwatch record: %llu bytes, %llu frames written to %s (%.3f s, %s clock)\n",
            (unsigned long long)ps.bytes, (unsigned long long)ps.frames, out, (double)tend / 1e6,
            rec_clock_name(rc.clock));
    return 0;
}

const char cmd_simulate_usage[] =
    "wardwatch simulate SCENARIO -o FILE [--sensor ti-vs|mr60bha2|mr60bha1|iio]\n"
    "                          [--seed N] [--hours H] [--offset S] [--label L] [--truth FILE]\n"
    "       wardwatch simulate --ward SPEC -o DIR [--hours H]\n";
#define SIM_SCENARIOS "stable sepsis opioid afib copd out-of-bed unplug restless bradycardia empty"
static const char sim_help[] = "--truth FILE writes the true RR/HR/presence/... of each second.\n"
                               "scenarios: " SIM_SCENARIOS "\n";

/* wardwatch simulate. */
int cmd_simulate_main(int argc, char **argv)
{
    struct sim_spec sp = {.seed = 1, .seconds = 3600};
    const char *out = NULL, *ward = NULL, *scen = NULL;
    ww_strlcpy(sp.driver, "ti-vs", sizeof sp.driver);
    double hours = 1;
    const char *truth = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        long l;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            cmd_usage(stdout, cmd_simulate_usage);
            fputs(sim_help, stdout);
            return 0;
        } else if (!strcmp(a, "-o") && v) {
            out = v;
            i++;
        } else if (!strcmp(a, "--ward") && v) {
            ward = v;
            i++;
        } else if (!strcmp(a, "--truth") && v) {
            truth = v;
            i++;
        } else if (!strcmp(a, "--sensor") && v) {
            ww_strlcpy(sp.driver, v, sizeof sp.driver);
            i++;
        } else if (!strcmp(a, "--label") && v) {
            ww_sanitize_text(sp.label, sizeof sp.label, v, false);
            i++;
        } else if (!strcmp(a, "--seed") && v) {
            if (ww_parse_long(v, 0, 2147483647L, &l) < 0) {
                fprintf(stderr, "wardwatch simulate: --seed: '%s' is not 0-2147483647\n", v);
                return 2;
            }
            sp.seed = (uint64_t)l;
            i++;
        } else if ((!strcmp(a, "--hours") || !strcmp(a, "--offset")) && v) {
            double d;
            if (ww_parse_double(v, 0, !strcmp(a, "--hours") ? 48 : 86400 * 2, &d) < 0) {
                fprintf(stderr, "wardwatch simulate: %s: '%s' is out of range\n", a, v);
                return 2;
            }
            if (!strcmp(a, "--hours"))
                hours = d;
            else
                sp.offset_s = d;
            i++;
        } else if (a[0] != '-' && !scen) {
            scen = a;
        } else {
            return cmd_usage_error("simulate", cmd_simulate_usage, "unexpected argument '%s'", a);
        }
    }
    char err[1024];
    if (ward) {
        if (!out)
            return cmd_usage_error("simulate", cmd_simulate_usage, "--ward needs -o DIR");
        if (simulate_ward(ward, out, hours, err, sizeof err) < 0) {
            fprintf(stderr, "wardwatch simulate: %s\n", err);
            return 1;
        }
        return 0;
    }
    if (!scen || !out)
        return cmd_usage_error("simulate", cmd_simulate_usage, "%s is required",
                               !scen ? "a SCENARIO (or --ward SPEC)" : "-o FILE");
    int k = scenario_find(scen);
    if (k < 0) {
        return cmd_usage_error("simulate", cmd_simulate_usage,
                               "unknown scenario '%s' (accepted: " SIM_SCENARIOS ")", scen);
    }
    sp.scenario = k;
    sp.seconds = hours * 3600;
    if (!sp.label[0])
        ww_strlcpy(sp.label, scen, sizeof sp.label);
    if (truth && !(sp.truth = fopen(truth, "w"))) {
        fprintf(stderr, "wardwatch simulate: --truth %s: %s\n", truth, strerror(errno));
        return 1;
    }
    int rc = simulate_write(&sp, out, err, sizeof err);
    if (sp.truth && fclose(sp.truth) != 0 && rc == 0) {
        fprintf(stderr, "wardwatch simulate: --truth %s: %s\n", truth, strerror(errno));
        return 1;
    }
    if (rc < 0) {
        fprintf(stderr, "wardwatch simulate: %s\n", err);
        return strstr(err, "accepted") ? 2 : 1;
    }
    return 0;
}

/* wardwatch replay. */
int cmd_replay_main(int argc, char **argv)
{
    const char **files = calloc((size_t)argc, sizeof *files);
    if (!files) {
        fprintf(stderr, "wardwatch replay: out of memory\n");
        return 1;
    }
    int rc = replay_main(argc, argv, files);
    free(files);
    return rc;
}
