/* Tests for I/Q streams through the source layer: the scenario simulator's
 * iio recordings replayed into the DSP (sensors/simulate, sensors/source,
 * sensors/dsp): determinism, pacing independence, the clinical trajectory
 * against the scenario's truth, absence, unplug events, damage. */
#include "ww_test.h"
#include "scenario.h"
#include "simulate.h"
#include "source.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *dir;

static int setup(void **state)
{
    dir = ww_test_tmpdir();
    return 0;
}

static int teardown(void **state)
{
    ww_test_rmtree(dir);
    free(dir);
    return 0;
}

#define MAXR 8000
struct got {
    size_t n;
    struct reading r[MAXR];
    int disconnects, connects, ended;
};

static void on_reading(void *ctx, const struct reading *r)
{
    struct got *g = ctx;
    if (g->n < MAXR)
        g->r[g->n++] = *r;
}

static void on_status(void *ctx, enum source_status s, const char *detail)
{
    struct got *g = ctx;
    if (s == SRC_DISCONNECTED)
        g->disconnects++;
    else if (s == SRC_CONNECTED)
        g->connects++;
    else if (s == SRC_ENDED)
        g->ended++;
}

/* Simulate scenario k with the iio driver into dir/NAME. */
static void simulate(const char *name, enum scenario_kind k, uint64_t seed, double seconds,
                     char *path, size_t n)
{
    snprintf(path, n, "%s/%s", dir, name);
    struct sim_spec sp = {.scenario = k, .seed = seed, .seconds = seconds};
    strcpy(sp.driver, "iio");
    strcpy(sp.label, "Rom 4 dør");
    char err[512];
    assert_int_equal(simulate_write(&sp, path, err, sizeof err), 0);
}

/* Replay path through a source, pumping step seconds at a time (0: all at
 * once); returns the last pump's result. */
static int replay(const char *path, double step, struct got *g)
{
    char uri[4400], err[512];
    snprintf(uri, sizeof uri, "replay:%s", path);
    struct source_cb cb = {.reading = on_reading, .status = on_status};
    struct source_opts o = {0};
    memset(g, 0, sizeof *g);
    struct source *s = source_open(uri, &o, NULL, &cb, g, err, sizeof err);
    assert_non_null(s);
    double fs = 0, wl = 0;
    assert_true(source_iq(s, &fs, &wl));
    assert_true(fs == SIM_IQ_FS && wl == SIM_IQ_WAVELENGTH_MM);
    assert_null(source_driver(s));
    int rc;
    double until = step > 0 ? step : 1e12;
    while ((rc = source_pump(s, until, err, sizeof err)) == 0)
        until += step > 0 ? step : 1e12;
    source_close(s);
    return rc;
}

static bool same_reading(const struct reading *a, const struct reading *b)
{
    return a->t == b->t && a->have == b->have && a->rr == b->rr && a->hr == b->hr &&
           a->quality == b->quality && a->presence == b->presence && a->motion == b->motion;
}

static void test_deterministic_and_pacing_independent(void **state)
{
    char a[4300], b[4300];
    simulate("a.wwrec", SCEN_STABLE, 7, 120, a, sizeof a);
    simulate("b.wwrec", SCEN_STABLE, 7, 120, b, sizeof b);
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    assert_non_null(fa);
    assert_non_null(fb);
    int ca, cb;
    long len = 0;
    do {
        ca = fgetc(fa);
        cb = fgetc(fb);
        assert_int_equal(ca, cb);
        len++;
    } while (ca != EOF);
    fclose(fa);
    fclose(fb);
    /* 120 s x 100 Hz x 8 bytes plus framing. */
    assert_true(len > 96000 && len < 110000);
    static struct got g1, g2;
    assert_int_equal(replay(a, 0, &g1), 1);
    assert_int_equal(replay(a, 0.7, &g2), 1);
    assert_int_equal(g1.n, 120);
    assert_int_equal(g2.n, g1.n);
    for (size_t i = 0; i < g1.n; i++)
        assert_true(same_reading(&g1.r[i], &g2.r[i]));
    assert_int_equal(g1.ended, 1);
    /* t from the sample count. */
    assert_true(fabs(g1.r[0].t - 1.0) < 1e-9 && fabs(g1.r[119].t - 120.0) < 1e-9);
}

/* Median of the RR (or HR) readings with t in [t0, t1). */
static double median_rate(const struct got *g, double t0, double t1, bool hr, size_t *count)
{
    static float v[MAXR];
    size_t n = 0;
    for (size_t i = 0; i < g->n; i++) {
        const struct reading *r = &g->r[i];
        if (r->t >= t0 && r->t < t1 && (r->have & (hr ? READING_HR : READING_RR)))
            v[n++] = hr ? r->hr : r->rr;
    }
    *count = n;
    if (!n)
        return NAN;
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && v[j - 1] > v[j]; j--) {
            float t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    return v[n / 2];
}

/* The scenario's own truth: mean RR and HR over [t0, t1). */
static void truth(enum scenario_kind k, uint64_t seed, double t0, double t1, double *rr,
                  double *hr)
{
    struct scenario s;
    struct scenario_truth tr;
    scenario_init(&s, k, seed, 0, 0);
    /* The simulator draws the breathing depth from the same PRNG first. */
    (void)scenario_uniform(&s);
    double sr = 0, sh = 0;
    int n = 0;
    for (double t = 0; t < t1; t += 1) {
        scenario_step(&s, t, &tr);
        if (t >= t0) {
            sr += tr.rr;
            sh += tr.hr;
            n++;
        }
    }
    *rr = sr / n;
    *hr = sh / n;
}

static void test_sepsis_trajectory(void **state)
{
    char p[4300];
    simulate("sepsis.wwrec", SCEN_SEPSIS, 11, 5400, p, sizeof p);
    static struct got g;
    assert_int_equal(replay(p, 0, &g), 1);
    assert_int_equal(g.n, 5400);
    double windows[][2] = {{60, 660}, {2400, 3000}, {4800, 5400}};
    double last_rr = 0, last_hr = 0;
    for (size_t w = 0; w < 3; w++) {
        size_t nr, nh;
        double rr = median_rate(&g, windows[w][0], windows[w][1], false, &nr);
        double hr = median_rate(&g, windows[w][0], windows[w][1], true, &nh);
        double trr, thr;
        truth(SCEN_SEPSIS, 11, windows[w][0], windows[w][1], &trr, &thr);
        print_message("sepsis %4.0f-%4.0f s: RR %.1f (truth %.1f, %zu s), HR %.1f (truth %.1f, "
                      "%zu s)\n",
                      windows[w][0], windows[w][1], rr, trr, nr, hr, thr, nh);
        assert_true(nr > 500 && nh > 400);
        assert_true(fabs(rr - trr) < 1.5);
        assert_true(fabs(hr - thr) < 5);
        assert_true(rr > last_rr && hr > last_hr); /* rising */
        last_rr = rr;
        last_hr = hr;
    }
}

static void test_empty_bed_reports_no_rate(void **state)
{
    char p[4300];
    simulate("empty.wwrec", SCEN_EMPTY, 3, 300, p, sizeof p);
    static struct got g;
    assert_int_equal(replay(p, 0, &g), 1);
    assert_int_equal(g.n, 300);
    size_t absent = 0;
    for (size_t i = 0; i < g.n; i++) {
        assert_false(g.r[i].have & (READING_RR | READING_HR));
        if ((g.r[i].have & READING_PRESENCE) && !g.r[i].presence)
            absent++;
    }
    assert_true(absent > 280);
}

static void test_unplug_events_and_damage(void **state)
{
    char p[4300];
    simulate("unplug.wwrec", SCEN_UNPLUG, 17, 3600, p, sizeof p);
    static struct got g;
    assert_int_equal(replay(p, 0, &g), 1);
    assert_true(g.disconnects >= 1);
    assert_true(g.connects >= 1);
    assert_true(g.n > 3000 && g.n < 3600); /* no samples while unplugged */
    size_t full = g.n;
    /* Cut the file in the middle of a chunk: what came before still
     * replays, and the error names the offset. */
    struct stat st;
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(truncate(p, st.st_size / 2 + 3), 0);
    char uri[4400], err[512];
    snprintf(uri, sizeof uri, "replay:%s", p);
    struct source_cb cb = {.reading = on_reading, .status = on_status};
    struct source_opts o = {0};
    memset(&g, 0, sizeof g);
    struct source *s = source_open(uri, &o, NULL, &cb, &g, err, sizeof err);
    assert_non_null(s);
    int rc = source_pump(s, 1e12, err, sizeof err);
    source_close(s);
    assert_true(rc == 1 || rc == -1);
    assert_true(g.n > full / 2 - 60 && g.n < full / 2 + 60);
    if (rc < 0)
        assert_non_null(strstr(err, "offset"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_deterministic_and_pacing_independent, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_sepsis_trajectory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_bed_reports_no_rate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unplug_events_and_damage, setup, teardown),
    };
    return cmocka_run_group_tests_name("iqsource", tests, NULL, NULL);
}
