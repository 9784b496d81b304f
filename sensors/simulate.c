/*
 * simulate — scenario truth to sensor bytes to a recording (simulate.h).
 */
#include "simulate.h"

#include "encode.h"
#include "iqgen.h"
#include "mr60bha2.h"
#include "recording.h"
#include "util.h"

#include <errno.h>
#include <math.h>
#include <sys/stat.h>
#include <stdio.h>
#include <string.h>

/* Recorded URI per driver: what a ward would configure for the module. */
void simulate_uri(const char *driver, char *buf, size_t n)
{
    if (!strcmp(driver, "ti-vs"))
        snprintf(buf, n, "ti-vs:usb:0451:bef3:SIM?frame_ms=50");
    else if (!strcmp(driver, "mr60bha2"))
        snprintf(buf, n, "mr60bha2:usb:1a86:7523:SIM?period_ms=125");
    else if (!strcmp(driver, "iio"))
        snprintf(buf, n, "iio:ip:10.20.1.12?device=cw-radar&fs=%d&wavelength_mm=%.1f", SIM_IQ_FS,
                 SIM_IQ_WAVELENGTH_MM);
    else
        snprintf(buf, n, "mr60bha1:usb:1a86:7523:SIM?period_ms=250");
}

/* I/Q of the scenario's chest through a 24 GHz CW radar behind an ADC: the
 * generator (sensors/iqgen.h) is steered once a second by the story's truth
 * and one REC_IQ chunk is written per second of samples. Receiver DC,
 * I/Q imbalance and noise are those of a real front-end; unplug episodes
 * are events and no samples, like a bedside box dropping off the network. */
/* The truth of each whole second, for latency and accuracy checks. */
static void put_truth(const struct sim_spec *spec, double t, const struct scenario_truth *tr,
                      long *last)
{
    long sec = (long)floor(t + 1e-9);
    if (!spec->truth || sec == *last)
        return;
    *last = sec;
    fprintf(spec->truth, "%ld %.2f %.2f %d %d %d %d\n", sec, tr->rr, tr->hr, tr->present,
            tr->motion, tr->apnoea, tr->connected);
}

static int simulate_iq(const struct sim_spec *spec, struct rec_writer *w, struct scenario *sc,
                       char *err, size_t errlen)
{
    static struct iqgen g;
    struct iqgen_params p;
    iqgen_defaults(&p);
    p.fs_hz = SIM_IQ_FS;
    p.wavelength_mm = SIM_IQ_WAVELENGTH_MM;
    p.snr_db = 20;
    p.echo_amp = 1500;
    p.dc_i = 420;
    p.dc_q = -260;
    p.gain_imb = 1.08;
    p.phase_imb_deg = 6;
    p.breath_mm = 4 + 2 * scenario_uniform(sc);
    if (iqgen_init(&g, &p, spec->seed, err, errlen) < 0)
        return -1;
    float fi[SIM_IQ_FS], fq[SIM_IQ_FS];
    uint8_t chunk[SIM_IQ_FS * 8];
    bool connected = true;
    struct scenario_truth tr;
    long last_truth = -1;
    for (double t = 0; t < spec->seconds; t += 1) {
        scenario_step(sc, t, &tr);
        put_truth(spec, t, &tr, &last_truth);
        if (tr.connected != connected) {
            connected = tr.connected;
            if (rec_write_event(w, 0, (uint64_t)(t * 1e6),
                                connected ? REC_EV_CONNECT : REC_EV_DISCONNECT,
                                connected ? "iiod host back on the network"
                                          : "iiod host unreachable",
                                err, errlen) < 0)
                return -1;
        }
        if (!connected)
            continue;
        p.present = tr.present;
        p.motion = tr.motion;
        p.apnoea = tr.apnoea;
        if (tr.rr >= 2)
            p.rr_bpm = tr.rr;
        p.hr_bpm = tr.hr < 20 ? 20 : tr.hr;
        if (iqgen_set(&g, &p, err, errlen) < 0)
            return -1;
        iqgen_generate(&g, fi, fq, SIM_IQ_FS);
        rec_pack_iq(fi, fq, SIM_IQ_FS, chunk);
        /* Stamped at the end of the second they cover, as they would
         * arrive. */
        if (rec_write_chunk(w, REC_IQ, 0, (uint64_t)((t + 1) * 1e6), chunk, sizeof chunk, err,
                            errlen) < 0)
            return -1;
    }
    return 0;
}

struct simw {
    struct rec_writer *w;
    struct scenario sc;
    char *err;
    size_t errlen;
    int failed;
    uint8_t buf[8192];
    size_t n;
};

/* Append bytes to the chunk being built. */
static void put(struct simw *s, const uint8_t *b, size_t n)
{
    if (s->n + n <= sizeof s->buf) {
        memcpy(s->buf + s->n, b, n);
        s->n += n;
    }
}

/* Write the pending bytes as one chunk at time t. */
static void flush(struct simw *s, double t)
{
    if (s->n && !s->failed &&
        rec_write_chunk(s->w, REC_BYTES, 0, (uint64_t)(t * 1e6), s->buf, s->n, s->err,
                        s->errlen) < 0)
        s->failed = 1;
    s->n = 0;
}

/* Now and then a few bytes of line noise, as real serial lines have. */
static void maybe_garbage(struct simw *s)
{
    if (scenario_uniform(&s->sc) < 0.002) {
        uint8_t g[13];
        for (size_t i = 0; i < sizeof g; i++)
            g[i] = (uint8_t)(scenario_uniform(&s->sc) * 256);
        put(s, g, sizeof g);
    }
}

/* Measured values: truth plus sensor noise; nonsense during motion. */
static void measured(struct simw *s, const struct scenario_truth *tr, float *rr, float *hr)
{
    if (tr->motion) {
        *rr = (float)(5 + 40 * scenario_uniform(&s->sc));
        *hr = (float)(40 + 120 * scenario_uniform(&s->sc));
        return;
    }
    *rr = tr->apnoea ? 0.0f : (float)(tr->rr + 0.6 * scenario_gauss(&s->sc));
    *hr = (float)(tr->hr + 2.0 * scenario_gauss(&s->sc));
    if (*rr < 0)
        *rr = 0;
}

/* One TI vital-signs stats frame. */
static size_t encode_ti_tick(const struct scenario_truth *tr, float rr, float hr, uint32_t frame,
                             uint8_t *b, size_t cap)
{
    struct ti_vs_stats st = {tr->present ? rr : 0, tr->present ? hr : 0,
                             tr->motion ? 0.2f : 6.0f, tr->motion ? 0.05f : 0.4f,
                             tr->present ? 60000.0f : 200.0f, tr->motion ? 1.0f : 0.0f};
    return encode_ti_vs_stats(b, cap, frame, &st, 0, 0);
}

/* One MR60BHA2 frame: breathing, heart rate, distance, presence and phases
 * in the module's cycle of eight. */
static size_t encode_m2_tick(struct simw *s, uint64_t pkt, double t,
                             const struct scenario_truth *tr, float rr, float hr, uint8_t *b,
                             size_t cap)
{
    static const uint16_t cycle[8] = {MR60BHA2_BREATH,  MR60BHA2_HEART,  MR60BHA2_PHASES,
                                      MR60BHA2_DISTANCE, MR60BHA2_PRESENCE,
                                      MR60BHA2_PHASES,  MR60BHA2_PHASES, MR60BHA2_PHASES};
    uint16_t type = cycle[pkt % 8];
    bool still = tr->present && !tr->motion;
    if (type == MR60BHA2_BREATH)
        return encode_mr60bha2_f32(b, cap, (uint16_t)pkt, type, still ? rr : 0);
    if (type == MR60BHA2_HEART)
        return encode_mr60bha2_f32(b, cap, (uint16_t)pkt, type, still ? hr : 0);
    if (type == MR60BHA2_PRESENCE) {
        uint8_t p = tr->present;
        return encode_mr60bha2(b, cap, (uint16_t)pkt, type, &p, 1);
    }
    if (type == MR60BHA2_DISTANCE) {
        uint8_t d[8] = {tr->present ? 1 : 0, 0, 0, 0};
        float cm = tr->present ? 70.0f + (float)scenario_uniform(&s->sc) * 5 : 0;
        memcpy(d + 4, &cm, 4);
        return encode_mr60bha2(b, cap, (uint16_t)pkt, type, d, 8);
    }
    float ph[3] = {(float)sin(t), (float)sin(t * tr->rr / 60.0 * 6.283),
                   (float)sin(t * tr->hr / 60.0 * 6.283)};
    return encode_mr60bha2(b, cap, (uint16_t)pkt, type, ph, 12);
}

/* One MR60BHA1 frame: presence, motion, breathing rate, heart rate in turn. */
static size_t encode_m1_tick(uint64_t pkt, const struct scenario_truth *tr, float rr, float hr,
                             uint8_t *b, size_t cap)
{
    uint8_t v;
    switch (pkt % 4) {
    case 0:
        v = tr->present;
        return encode_mr60bha1(b, cap, 0x80, 0x01, &v, 1);
    case 1:
        v = tr->motion ? 2 : tr->present ? 1 : 0;
        return encode_mr60bha1(b, cap, 0x80, 0x02, &v, 1);
    case 2:
        v = (uint8_t)(tr->present && !tr->motion ? lrintf(rr) : 0);
        return encode_mr60bha1(b, cap, 0x81, 0x02, &v, 1);
    default:
        v = (uint8_t)(tr->present && !tr->motion ? lrintf(hr) : 0);
        return encode_mr60bha1(b, cap, 0x85, 0x02, &v, 1);
    }
}

/* The serial modules' byte stream, one frame per module period, with
 * unplug episodes as events. */
static void simulate_bytes(const struct sim_spec *spec, struct simw *s)
{
    bool ti = !strcmp(spec->driver, "ti-vs"), m2 = !strcmp(spec->driver, "mr60bha2");
    double period = ti ? 0.05 : m2 ? 0.125 : 0.25;
    bool connected = true;
    uint32_t frame = 1;
    uint64_t pkt = 0;
    struct scenario_truth tr;
    float rr = 0, hr = 0;
    long last_truth = -1;
    for (double t = 0; t < spec->seconds && !s->failed; t += period, pkt++) {
        scenario_step(&s->sc, t, &tr);
        put_truth(spec, t, &tr, &last_truth);
        if (tr.connected != connected) {
            connected = tr.connected;
            if (rec_write_event(s->w, 0, (uint64_t)(t * 1e6),
                                connected ? REC_EV_CONNECT : REC_EV_DISCONNECT,
                                connected ? "adapter plugged back in" : "adapter unplugged",
                                s->err, s->errlen) < 0)
                s->failed = 1;
        }
        if (!connected)
            continue;
        /* A fresh measurement once a second, as the modules update. */
        if (pkt % (uint64_t)(1.0 / period + 0.5) == 0)
            measured(s, &tr, &rr, &hr);
        uint8_t b[512];
        size_t n = ti   ? encode_ti_tick(&tr, rr, hr, frame++, b, sizeof b)
                   : m2 ? encode_m2_tick(s, pkt, t, &tr, rr, hr, b, sizeof b)
                        : encode_m1_tick(pkt, &tr, rr, hr, b, sizeof b);
        put(s, b, n);
        maybe_garbage(s);
        flush(s, t);
    }
}

/* The recording's one stream: kind, clock, URI, label and a note naming
 * the scenario. */
static int write_stream_header(const struct sim_spec *spec, struct simw *s, bool iq)
{
    /* Chunks are stamped with their simulated arrival time, as a live
     * sensor's are with the wall clock. */
    struct rec_stream rs = {.kind = iq ? REC_KIND_IQ : REC_KIND_BYTES, .clock = REC_CLOCK_WALL};
    if (iq) {
        rs.fs_hz = SIM_IQ_FS;
        rs.wavelength_mm = SIM_IQ_WAVELENGTH_MM;
    }
    simulate_uri(spec->driver, rs.uri, sizeof rs.uri);
    ww_strlcpy(rs.label, spec->label, sizeof rs.label);
    snprintf(rs.note, sizeof rs.note, "simulated: %s, seed %llu, offset %.0f s",
             scenario_describe(spec->scenario), (unsigned long long)spec->seed, spec->offset_s);
    return rec_write_stream(s->w, 0, &rs, 0, s->err, s->errlen);
}

/* Write one recording. */
int simulate_write(const struct sim_spec *spec, const char *path, char *err, size_t errlen)
{
    static struct simw s; /* big buffer: keep it off the stack */
    memset(&s, 0, sizeof s);
    s.err = err;
    s.errlen = errlen;
    if (strcmp(spec->driver, "ti-vs") && strcmp(spec->driver, "mr60bha2") &&
        strcmp(spec->driver, "mr60bha1") && strcmp(spec->driver, "iio"))
        return ww_err(err, errlen,
                      "simulate: driver '%s' (accepted: ti-vs, mr60bha2, mr60bha1, iio)",
                      spec->driver);
    s.w = rec_writer_open(path, true, err, errlen);
    if (!s.w)
        return -1;
    scenario_init(&s.sc, spec->scenario, spec->seed, spec->ramp_s, spec->offset_s);
    bool iq = !strcmp(spec->driver, "iio");
    if (write_stream_header(spec, &s, iq) < 0) {
        rec_writer_close(s.w, 0, NULL, 0);
        return -1;
    }
    if (iq) {
        int rc = simulate_iq(spec, s.w, &s.sc, err, errlen);
        if (rec_writer_close(s.w, (uint64_t)(spec->seconds * 1e6), rc < 0 ? NULL : err,
                             rc < 0 ? 0 : errlen) < 0)
            rc = -1;
        return rc;
    }
    simulate_bytes(spec, &s);
    if (rec_writer_close(s.w, (uint64_t)(spec->seconds * 1e6), s.failed ? NULL : err,
                         s.failed ? 0 : errlen) < 0 ||
        s.failed)
        return -1;
    return 0;
}

/* One line of a ward spec: NUMBER DRIVER SCENARIO SEED OFFSET_S LABEL... */
int simulate_ward(const char *spec, const char *dir, double hours, char *err, size_t errlen)
{
    FILE *f = fopen(spec, "r");
    if (!f)
        return ww_err(err, errlen, "%s: %s", spec, strerror(errno));
    mkdir(dir, 0755);
    char line[512];
    int ln = 0, rc = 0;
    while (fgets(line, sizeof line, f)) {
        ln++;
        char *s = line;
        while (*s == ' ' || *s == '\t')
            s++;
        if (*s == '#' || *s == '\n' || !*s)
            continue;
        int number, n = 0;
        char driver[16], scen[32];
        unsigned long long seed;
        double offset;
        if (sscanf(s, "%d %15s %31s %llu %lf %n", &number, driver, scen, &seed, &offset, &n) <
                5 ||
            n == 0) {
            rc = ww_err(err, errlen,
                        "%s:%d: expected NUMBER DRIVER SCENARIO SEED OFFSET_S LABEL", spec, ln);
            break;
        }
        struct sim_spec sp = {0};
        int k = scenario_find(scen);
        if (k < 0) {
            rc = ww_err(err, errlen, "%s:%d: unknown scenario '%s'", spec, ln, scen);
            break;
        }
        sp.scenario = k;
        ww_strlcpy(sp.driver, driver, sizeof sp.driver);
        sp.seed = seed;
        sp.offset_s = offset;
        sp.seconds = hours * 3600;
        char label[64];
        ww_sanitize_text(label, sizeof label, s + n, false);
        ww_strlcpy(sp.label, label, sizeof sp.label);
        char path[1024];
        snprintf(path, sizeof path, "%s/bed%02d.wwrec", dir, number);
        char why[512];
        if (simulate_write(&sp, path, why, sizeof why) < 0) {
            rc = ww_err(err, errlen, "%s:%d: %s", spec, ln, why);
            break;
        }
    }
    fclose(f);
    return rc;
}

