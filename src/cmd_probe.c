/*
 * cmd_probe and cmd_sensors — the commissioning commands a technician uses
 * at the bedside: `wardwatch probe URI` prints every reading one sensor
 * sends (one line each, flushed, JSON lines with --json) and a decode
 * summary; `wardwatch sensors` lists the serial adapters and the driver
 * wardwatch would pick for them.
 */
#include "cmd_common.h"
#include "commands.h"
#include "loop.h"
#include "serial.h"
#include "source.h"
#include "uri.h"
#include "util.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PROBE_OUT (1u << 20) /* JSON lines are gathered here and written in large writes */

struct probe {
    bool json;
    char *out;   /* PROBE_OUT bytes of JSON lines not yet written */
    size_t nout;
    long count, seen;
    struct loop *loop;
    struct source *src;
    bool stop;
    int rc;
};

/* Write out the gathered JSON lines. */
static void flush_out(struct probe *p)
{
    if (p->nout)
        fwrite(p->out, 1, p->nout, stdout);
    p->nout = 0;
    fflush(stdout);
}

/* Print one reading with only the fields the sensor sent. */
static void print_reading(const struct reading *r, bool json)
{
    char line[512];
    int n;
    if (json) {
        char buf[READING_JSON_MAX];
        fwrite(buf, 1, reading_json_line(r, buf), stdout);
        fflush(stdout);
        return;
    } else {
        n = snprintf(line, sizeof line, "t=%9.3f s", r->t);
        if (r->have & READING_ID)
            n += snprintf(line + n, sizeof line - (size_t)n, "  id %u", r->id);
        if (r->have & READING_RR)
            n += snprintf(line + n, sizeof line - (size_t)n, "  RR %5.1f /min", r->rr);
        if (r->have & READING_HR)
            n += snprintf(line + n, sizeof line - (size_t)n, "  HR %5.1f /min", r->hr);
        if (r->have & READING_QUALITY)
            n += snprintf(line + n, sizeof line - (size_t)n, "  quality %.2f", r->quality);
        if (r->have & READING_PRESENCE)
            n += snprintf(line + n, sizeof line - (size_t)n, "  %s",
                          r->presence ? "present" : "nobody");
        if (r->have & READING_MOTION && r->motion)
            n += snprintf(line + n, sizeof line - (size_t)n, "  MOTION");
        if (r->have & READING_DISTANCE)
            n += snprintf(line + n, sizeof line - (size_t)n, "  %.0f cm", r->distance_cm);
        if (r->have & READING_PHASE)
            snprintf(line + n, sizeof line - (size_t)n, "  phases %.3f %.3f %.3f", r->phase_total,
                     r->phase_breath, r->phase_heart);
    }
    puts(line);
    fflush(stdout);
}

/* A reading: print it; stop after --count. */
static void on_reading(void *ctx, const struct reading *r)
{
    struct probe *p = ctx;
    if (p->stop)
        return;
    if (p->out) {
        /* Fast path for files: lines formatted straight into one buffer. */
        if (PROBE_OUT - p->nout < READING_JSON_MAX)
            flush_out(p);
        p->nout += reading_json_line(r, p->out + p->nout);
    } else {
        print_reading(r, p->json);
    }
    if (p->count > 0 && ++p->seen >= p->count) {
        p->stop = true;
        if (p->loop)
            loop_stop(p->loop);
    }
}

/* Status changes (unplug, replug, no signal, end) go to stderr. */
static void on_status(void *ctx, enum source_status s, const char *detail)
{
    static const char *names[] = {"connected", "DISCONNECTED", "NO SIGNAL", "ended"};
    fprintf(stderr, "wardwatch probe: sensor %s: %s\n", names[s], detail ? detail : "");
}

/* --seconds is up. */
static void on_deadline(struct loop *l, int id, void *ctx)
{
    ((struct probe *)ctx)->stop = true;
    loop_stop(l);
}

/* Ctrl-C, TERM or HUP end the probe; a resize does not. */
static void on_signal(struct loop *l, int signo, void *ctx)
{
    if (signo != SIGWINCH) {
        ((struct probe *)ctx)->stop = true;
        loop_stop(l);
    }
}

/* Print the decode summary. */
static void summary(struct source *src)
{
    struct parser_stats st;
    source_stats(src, &st);
    if (source_iq(src, NULL, NULL)) {
        struct dsp_stats d;
        source_dsp_stats(src, &d);
        fprintf(stderr,
                "wardwatch probe: iio I/Q via %s: %llu samples, %llu seconds analysed, "
                "%llu with RR, %llu with HR; %llu absent, %llu with motion, %llu bad "
                "(%llu invalid samples)\n",
                source_describe(src), (unsigned long long)d.samples,
                (unsigned long long)d.seconds, (unsigned long long)d.rr_readings,
                (unsigned long long)d.hr_readings, (unsigned long long)d.absent_seconds,
                (unsigned long long)d.motion_seconds, (unsigned long long)d.bad_seconds,
                (unsigned long long)d.invalid);
        return;
    }
    fprintf(stderr,
            "wardwatch probe: %s via %s: %llu bytes, %llu frames decoded (%llu of them cut "
            "short), %llu readings; dropped: %llu bytes while resynchronising or of TLVs cut "
            "short, %llu bad checksums, %llu bad lengths, %llu malformed frames, %llu frames "
            "of unused types\n",
            source_driver(src)->name, source_describe(src), (unsigned long long)st.bytes,
            (unsigned long long)st.frames, (unsigned long long)st.truncated,
            (unsigned long long)st.readings, (unsigned long long)st.dropped_bytes,
            (unsigned long long)st.bad_checksum, (unsigned long long)st.bad_length,
            (unsigned long long)st.bad_frame,
            (unsigned long long)st.unknown);
}

const char cmd_probe_usage[] = "wardwatch probe URI [--seconds N] [--count N] [--json]\n";
const char cmd_sensors_usage[] = "wardwatch sensors\n";
static const char probe_help[] =
    "Prints every reading one sensor sends, one line each (JSON lines with --json),\n"
    "then a decode summary on stderr. Stops at the end of a file: capture or\n"
    "replay: recording, after --count readings, after --seconds, or on Ctrl-C.\n"
    "A serial sensor that is unplugged is reported on stderr and reopened when it\n"
    "returns (by USB ids for usb: URIs); probe keeps trying until --seconds is up,\n"
    "or until Ctrl-C without --seconds. Exit: 0 ok, 1 the sensor could not be\n"
    "opened or the file is damaged, 2 usage error.\n";

/* Entry point of probe. */
int cmd_probe_main(int argc, char **argv)
{
    struct probe p = {0};
    const char *uri = NULL;
    double seconds = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            cmd_usage(stdout, cmd_probe_usage);
            fputs(probe_help, stdout);
            return 0;
        } else if (!strcmp(a, "--json")) {
            p.json = true;
        } else if (!strcmp(a, "--seconds") || !strcmp(a, "--count")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "wardwatch probe: %s needs a value\n", a);
                return 2;
            }
            const char *v = argv[++i];
            if (!strcmp(a, "--seconds") ? ww_parse_double(v, 0.1, 86400 * 7, &seconds) < 0
                                        : ww_parse_long(v, 1, 1000000000, &p.count) < 0) {
                fprintf(stderr, "wardwatch probe: %s: '%s' is not a positive number\n", a, v);
                return 2;
            }
        } else if (a[0] == '-' || uri) {
            return cmd_usage_error("probe", cmd_probe_usage, "unexpected argument '%s'", a);
        } else {
            uri = a;
        }
    }
    if (!uri)
        return cmd_usage_error("probe", cmd_probe_usage, "which sensor? (a URI)");
    char err[1024];
    struct sensor_uri parsed;
    if (uri_parse(uri, &parsed, err, sizeof err) < 0) {
        fprintf(stderr, "wardwatch probe: %s\n", err);
        return 2;
    }
    p.loop = loop_new(true);
    if (!p.loop) {
        fprintf(stderr, "wardwatch probe: cannot set up the event loop (signalfd)\n");
        return 1;
    }
    struct source_cb cb = {.reading = on_reading, .status = on_status};
    struct source_opts opts = {.no_signal_s = 10, .reconnect_min_s = 1, .reconnect_max_s = 8};
    p.src = source_open(uri, &opts, p.loop, &cb, &p, err, sizeof err);
    if (!p.src) {
        fprintf(stderr, "wardwatch probe: %s\n", err);
        loop_free(p.loop);
        /* A driver parameter refused is a usage error; a device that is
         * not there is a runtime failure. */
        return strstr(err, "parameter") || strstr(err, "accepted") ? 2 : 1;
    }
    if (source_pumped(p.src)) {
        /* Capture or recording: as fast as possible (or at the stream's pace
         * with ?pace=realtime), until its end, --count or --seconds. Read
         * as fast as possible, JSON lines are written in large writes after
         * each pump (paced, each line is flushed as it comes). */
        double until = 0;
        int64_t start = ww_mono_ms();
        int rc = 0;
        bool rt = strstr(uri, "pace=realtime") != NULL;
        if (p.json && !rt)
            p.out = malloc(PROBE_OUT);
        while (!p.stop && rc == 0) {
            until = rt ? (ww_mono_ms() - start) / 1000.0 : until + 3600;
            if (seconds > 0 && until > seconds)
                until = seconds;
            rc = source_pump(p.src, until, err, sizeof err);
            if (p.out)
                flush_out(&p);
            if (seconds > 0 && until >= seconds)
                break;
            if (rt && rc == 0) {
                struct timespec ts = {0, 20000000};
                nanosleep(&ts, NULL);
            }
        }
        if (rc < 0) {
            fprintf(stderr, "wardwatch probe: %s\n", err);
            p.rc = 1;
        }
    } else {
        loop_on_signal(p.loop, on_signal, &p);
        if (seconds > 0)
            loop_add_timer(p.loop, (int64_t)(seconds * 1000), false, on_deadline, &p);
        loop_run(p.loop);
    }
    if (p.out) {
        flush_out(&p);
        free(p.out);
    }
    summary(p.src);
    source_close(p.src);
    loop_free(p.loop);
    return p.rc;
}

/* Known adapters and the driver they usually carry. */
static const struct {
    int vid, pid;
    const char *what, *driver;
    bool guess;
} known[] = {
    {0x0451, 0xbef3, "TI XDS110 (mmWave EVM)", "ti-vs", false},
    {0x10c4, 0xea60, "Silicon Labs CP210x", "ti-vs or mr60bha2", true},
    {0x1a86, 0x7523, "QinHeng CH340", "mr60bha2 or mr60bha1", true},
    {0x1a86, 0x55d4, "QinHeng CH9102", "mr60bha2", true},
    {0x0403, 0x6001, "FTDI FT232R", "any (generic adapter)", true},
};

/* Entry point of sensors. */
int cmd_sensors_main(int argc, char **argv)
{
    if (argc > 1) {
        if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
            cmd_usage(stdout, cmd_sensors_usage);
            puts("Lists serial ports, their USB ids and the driver wardwatch would use.");
            return 0;
        }
        return cmd_usage_error("sensors", cmd_sensors_usage, "unexpected argument '%s'",
                               argv[1]);
    }
    struct serial_info info[64];
    char err[256];
    int n = serial_list(info, 64, err, sizeof err);
    if (n < 0) {
        fprintf(stderr, "wardwatch sensors: %s\n", err);
        return 1;
    }
    if (n == 0)
        puts("no serial ports found");
    for (int i = 0; i < n; i++) {
        printf("%s", info[i].name);
        if (info[i].vid >= 0) {
            printf("  usb %04x:%04x", info[i].vid, info[i].pid);
            if (info[i].serial[0])
                printf("  serial %s", info[i].serial);
        }
        printf("  %s\n", info[i].description);
        const char *drv = NULL;
        bool guess = true;
        for (size_t k = 0; k < WW_ARRAY_LEN(known); k++)
            if (known[k].vid == info[i].vid && known[k].pid == info[i].pid) {
                drv = known[k].driver;
                guess = known[k].guess;
                printf("    adapter: %s\n", known[k].what);
            }
        if (drv) {
            printf("    driver: %s%s\n", drv, guess ? " (a guess: this adapter is used by "
                                                      "several modules; probe to be sure)"
                                                    : "");
            const char *d1 = drv;
            char first[32];
            size_t l = strcspn(d1, " ");
            snprintf(first, sizeof first, "%.*s", (int)l, d1);
            printf("    uri: %s:usb:%04x:%04x%s%s\n", first, info[i].vid, info[i].pid,
                   info[i].serial[0] ? ":" : "", info[i].serial);
        } else if (info[i].vid < 0) {
            printf("    not a USB adapter: use %s with an explicit driver, e.g. ti-vs:%s\n",
                   info[i].name, info[i].name);
        }
    }
    return 0;
}
