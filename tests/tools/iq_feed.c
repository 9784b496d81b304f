/*
 * iq_feed — writes synthetic radar I/Q (sensors/iqgen) as a raw IIO scan
 * stream: interleaved little-endian I and Q, s16 or s12-in-16, for the fake
 * IIO device of the integration tests (a FIFO bound over /dev/iio:deviceN).
 *
 *   iq_feed [--fs HZ] [--seconds S] [--rr N] [--hr N] [--wavelength MM]
 *           [--empty] [--realtime] [--bits 16|12] [--seed N] [--dc N]
 *           [--reopen] [--points N --chest P] [FILE]
 *
 * Writes to FILE (opened for writing, e.g. the FIFO) or stdout, as fast as
 * the reader takes it unless --realtime. With --reopen a reader that goes
 * away (EPIPE: iiod killed) is waited for by opening FILE again, as a real
 * device keeps sampling whoever reads it. Prints the truth to stderr at the
 * end: "iq_feed: N samples, rr R hr H".
 *
 * --points N writes N I/Q pairs per frame (range points of an FMCW or pulsed
 * front-end: channels voltage0 .. voltage(2N-1)); the patient is in pair P
 * (--chest, default 0), the others carry receiver noise only.
 */
#include "iqgen.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int write_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* What the command line asks for (see the top). */
struct feed_opts {
    struct iqgen_params p;
    double seconds;
    int bits, points, chest;
    long seed;
    bool realtime, reopen;
    const char *out;
};

/* Parses the command line into o: 0, or the exit code 2 after saying why. */
static int parse_args(int argc, char **argv, struct feed_opts *o)
{
    iqgen_defaults(&o->p);
    o->p.fs_hz = 2500;
    o->p.wavelength_mm = 12.4;
    o->p.snr_db = 25;
    o->p.echo_amp = 3000;
    o->seconds = 60;
    o->bits = 16, o->points = 1, o->chest = 0;
    o->seed = 1;
    o->realtime = false, o->reopen = false;
    o->out = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--fs") && v)
            o->p.fs_hz = atof(argv[++i]);
        else if (!strcmp(a, "--seconds") && v)
            o->seconds = atof(argv[++i]);
        else if (!strcmp(a, "--rr") && v)
            o->p.rr_bpm = atof(argv[++i]);
        else if (!strcmp(a, "--hr") && v)
            o->p.hr_bpm = atof(argv[++i]);
        else if (!strcmp(a, "--wavelength") && v)
            o->p.wavelength_mm = atof(argv[++i]);
        else if (!strcmp(a, "--dc") && v)
            o->p.dc_i = o->p.dc_q = atof(argv[++i]);
        else if (!strcmp(a, "--bits") && v)
            o->bits = atoi(argv[++i]);
        else if (!strcmp(a, "--seed") && v)
            o->seed = atol(argv[++i]);
        else if (!strcmp(a, "--points") && v)
            o->points = atoi(argv[++i]);
        else if (!strcmp(a, "--chest") && v)
            o->chest = atoi(argv[++i]);
        else if (!strcmp(a, "--empty"))
            o->p.present = false;
        else if (!strcmp(a, "--reopen"))
            o->reopen = true;
        else if (!strcmp(a, "--realtime"))
            o->realtime = true;
        else if (a[0] != '-' && !o->out)
            o->out = a;
        else {
            fprintf(stderr, "iq_feed: unexpected argument '%s'\n", a);
            return 2;
        }
    }
    if (o->points < 1 || o->points > 16 || o->chest < 0 || o->chest >= o->points) {
        fprintf(stderr, "iq_feed: --points 1..16 and --chest 0..points-1\n");
        return 2;
    }
    return 0;
}

/* The next n frames into buf: the patient's I/Q in pair chest, receiver
 * noise in the others, clipped to +-lim. */
static void fill_block(struct iqgen *g, struct iqgen *noise, int points, int chest, double lim,
                       long n, int16_t *buf)
{
    static float fi[4096], fq[4096], ni[4096], nq[4096];
    iqgen_generate(g, fi, fq, (size_t)n);
    for (int pt = 0; pt < points; pt++) {
        const float *si = fi, *sq = fq;
        if (pt != chest) {
            iqgen_generate(&noise[pt], ni, nq, (size_t)n);
            si = ni;
            sq = nq;
        }
        for (long k = 0; k < n; k++) {
            double vi = si[k] > lim ? lim : si[k] < -lim ? -lim : si[k];
            double vq = sq[k] > lim ? lim : sq[k] < -lim ? -lim : sq[k];
            /* Little-endian on the wire; this host is little-endian too. */
            buf[2 * (k * points + pt)] = (int16_t)vi;
            buf[2 * (k * points + pt) + 1] = (int16_t)vq;
        }
    }
}

int main(int argc, char **argv)
{
    static struct feed_opts o;
    int rc = parse_args(argc, argv, &o);
    if (rc)
        return rc;
    struct iqgen_params p = o.p;
    int points = o.points;
    const char *out = o.out;
    signal(SIGPIPE, SIG_IGN);
    static struct iqgen g, noise[16];
    char err[256];
    if (iqgen_init(&g, &p, (uint64_t)o.seed, err, sizeof err) < 0) {
        fprintf(stderr, "iq_feed: %s\n", err);
        return 2;
    }
    struct iqgen_params pn = p;
    pn.present = false;
    for (int k = 0; k < points; k++)
        if (iqgen_init(&noise[k], &pn, (uint64_t)o.seed + 100 + k, err, sizeof err) < 0) {
            fprintf(stderr, "iq_feed: %s\n", err);
            return 2;
        }
    int fd = 1;
    if (out && (fd = open(out, O_WRONLY | O_CLOEXEC)) < 0) {
        fprintf(stderr, "iq_feed: %s: %s\n", out, strerror(errno));
        return 1;
    }
    long total = (long)(o.seconds * p.fs_hz);
    long block = (long)(p.fs_hz / 20);
    if (block < 1)
        block = 1;
    if (block > 4096 / points)
        block = 4096 / points;
    int16_t buf[8192];
    double lim = o.bits == 12 ? 2047 : 32767;
    int64_t t0 = ww_mono_ms();
    long done = 0;
    while (done < total) {
        long n = total - done < block ? total - done : block;
        fill_block(&g, noise, points, o.chest, lim, n, buf);
        int wr;
        while ((wr = write_all(fd, buf, (size_t)n * 4 * points)) < 0 && errno == EPIPE && o.reopen && out) {
            close(fd);
            if ((fd = open(out, O_WRONLY | O_CLOEXEC)) < 0)
                break;
        }
        if (wr < 0) {
            fprintf(stderr, "iq_feed: write: %s after %ld samples\n", strerror(errno), done);
            return 1;
        }
        done += n;
        if (o.realtime) {
            int64_t due = t0 + (int64_t)(done * 1000.0 / p.fs_hz);
            int64_t now = ww_mono_ms();
            if (due > now) {
                struct timespec ts = {(due - now) / 1000, ((due - now) % 1000) * 1000000L};
                nanosleep(&ts, NULL);
            }
        }
    }
    struct iqgen_truth tr;
    iqgen_truth(&g, &tr);
    fprintf(stderr, "iq_feed: %ld samples, rr %.1f hr %.1f\n", done, tr.rr_bpm, tr.hr_bpm);
    return 0;
}
