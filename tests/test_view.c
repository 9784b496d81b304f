/* Tests for src/view: the embedded back end over a small in-process ward
 * (a monitor of two beds without sensors, a store in a temporary
 * directory, the ward clock fixed at 2026-12-01 10:00 UTC): reads go to the
 * ward, a command is answered before command() returns (committed or
 * refused with the reason) and its effect is read back at once, history
 * lines of the bed's stay, link() says local; the shift periods the core
 * works out from [shifts] (default and the ward's own, steps, bad names);
 * the handover preview audited before it is shown, without the plots. */
#include "ww_test.h"
#include "config.h"
#include "handover.h"
#include "log.h"
#include "loop.h"
#include "monitor.h"
#include "store.h"
#include "util.h"
#include "view.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define T0 1796119200000LL /* 2026-12-01 10:00:00 UTC */

struct fx {
    char *dir;
    char db[4200];
    struct ward_config *cfg;
    struct store *st;
    struct loop *l;
    struct monitor *m;
    struct view v;
};

static int make(void **state, const char *extra)
{
    struct fx *f = calloc(1, sizeof *f);
    f->dir = ww_test_tmpdir();
    char ini[4200], err[512], text[2000];
    snprintf(ini, sizeof ini, "%s/w.ini", f->dir);
    snprintf(f->db, sizeof f->db, "%s/w.db", f->dir);
    snprintf(text, sizeof text,
             "[ward]\nname = Viewpost\ndatabase = w.db\n%s[bed.1]\nlabel = Rom 1\n"
             "[bed.2]\nlabel = Rom 2\n",
             extra);
    ww_test_write_file(ini, text);
    f->cfg = malloc(sizeof *f->cfg);
    if (config_load(ini, f->cfg, err, sizeof err) < 0)
        fail_msg("%s", err);
    f->st = store_open(f->db, NULL, err, sizeof err);
    if (!f->st)
        fail_msg("%s", err);
    f->l = loop_new(false);
    struct monitor_opts mo = {.speed = 1, .start_ms = T0};
    f->m = monitor_new(f->cfg, f->st, f->l, &mo, err, sizeof err);
    if (!f->m)
        fail_msg("%s", err);
    f->v = view_embedded(f->m);
    *state = f;
    return 0;
}

static int setup(void **state)
{
    return make(state, "");
}

static int setup_own_shifts(void **state)
{
    return make(state, "[shifts]\nday = 06:30-14:30\nevening = 14:30-22:00\n"
                       "night = 22:00-06:30\n");
}

static int teardown(void **state)
{
    struct fx *f = *state;
    monitor_free(f->m);
    loop_free(f->l);
    store_close(f->st);
    free(f->cfg);
    ww_test_rmtree(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

static struct {
    int n;
    bool ok;
    char msg[600];
} reply;
static void on_reply(void *ctx, bool ok, const char *message)
{
    reply.n++;
    reply.ok = ok;
    ww_strlcpy(reply.msg, message, sizeof reply.msg);
}

static void test_reads_are_the_wards(void **state)
{
    struct fx *f = *state;
    const struct view_ops *o = f->v.ops;
    void *c = f->v.ctx;
    assert_int_equal(o->nbeds(c), 2);
    assert_string_equal(o->bed(c, 0)->label, "Rom 1");
    assert_string_equal(o->bed(c, 1)->label, "Rom 2");
    assert_ptr_equal(o->bed(c, 1), ward_bed(monitor_ward(f->m), 1));
    assert_string_equal(o->config(c)->name, "Viewpost");
    assert_int_equal(o->now(c), T0);
    assert_true(o->store_ok(c));
    assert_int_equal(o->audio(c)->paused_until, 0);
    char detail[100] = "x";
    int64_t since = 5;
    assert_int_equal(o->link(c, detail, sizeof detail, &since), VIEW_LOCAL);
    assert_string_equal(detail, "");
    assert_int_equal(since, 0);
    char want[200], got[200];
    monitor_sensor_summary(f->m, want, sizeof want);
    o->sensor_summary(c, got, sizeof got);
    assert_string_equal(got, want);
}

static void test_commands_answered_at_once(void **state)
{
    struct fx *f = *state;
    const struct view_ops *o = f->v.ops;
    void *c = f->v.ctx;
    static struct ward_cmd cmd;
    memset(&cmd, 0, sizeof cmd);
    cmd.kind = WCMD_ADMIT;
    cmd.bed = 1;
    strcpy(cmd.ref, "P-0042");
    strcpy(cmd.staff, "KN");
    strcpy(cmd.text, "from A&E");
    char err[300] = "";
    memset(&reply, 0, sizeof reply);
    assert_int_equal(o->command(c, &cmd, on_reply, NULL, err, sizeof err), 0);
    assert_int_equal(reply.n, 1); /* before command() returned */
    assert_true(reply.ok);
    assert_string_equal(reply.msg, "");
    assert_true(o->bed(c, 1)->admitted);
    assert_string_equal(o->bed(c, 1)->patient_ref, "P-0042");
    /* a second admission of the same bed: refused, with the reason */
    strcpy(cmd.ref, "P-0043");
    assert_int_equal(o->command(c, &cmd, on_reply, NULL, err, sizeof err), 0);
    assert_int_equal(reply.n, 2);
    assert_false(reply.ok);
    assert_true(reply.msg[0] != 0);
    assert_string_equal(o->bed(c, 1)->patient_ref, "P-0042");
    /* a note, then the bed's history has it */
    memset(&cmd, 0, sizeof cmd);
    cmd.kind = WCMD_NOTE;
    cmd.bed = 1;
    strcpy(cmd.staff, "KN");
    strcpy(cmd.text, "walked to the window");
    assert_int_equal(o->command(c, &cmd, on_reply, NULL, err, sizeof err), 0);
    assert_true(reply.ok);
    char ferr[300];
    assert_int_equal(ward_flush(monitor_ward(f->m), ferr, sizeof ferr), 0);
    struct ward_history_line lines[16];
    int n = o->history(c, 1, T0 - 3600000, T0 + 3600000, lines, 16);
    int found = 0;
    for (int i = 0; i < n; i++)
        found += strstr(lines[i].text, "walked to the window") != NULL;
    assert_int_equal(found, 1);
    /* not on the other bed */
    n = o->history(c, 0, T0 - 3600000, T0 + 3600000, lines, 16);
    for (int i = 0; i < n; i++)
        assert_null(strstr(lines[i].text, "walked to the window"));
    /* audio pause, ward-wide */
    memset(&cmd, 0, sizeof cmd);
    cmd.kind = WCMD_AUDIO_PAUSE;
    strcpy(cmd.staff, "KN");
    assert_int_equal(o->command(c, &cmd, on_reply, NULL, err, sizeof err), 0);
    assert_true(reply.ok);
    assert_true(o->audio(c)->paused_until > T0);
}

static void test_default_shift_periods(void **state)
{
    struct fx *f = *state;
    char name[16], err[300];
    int64_t t0, t1;
    /* 10:00 UTC is in the default day shift 07:00-15:00 */
    assert_int_equal(view_shift_period(f->cfg, "", 0, T0, name, sizeof name, &t0, &t1, err,
                                       sizeof err),
                     0);
    assert_string_equal(name, "day");
    assert_int_equal(t0, T0 - 3 * 3600000LL);
    assert_int_equal(t1, T0 + 5 * 3600000LL);
    assert_int_equal(view_shift_period(f->cfg, NULL, 1, T0, name, sizeof name, &t0, &t1, err,
                                       sizeof err),
                     0);
    assert_string_equal(name, "evening");
    assert_int_equal(view_shift_period(f->cfg, "day", 2, T0, name, sizeof name, &t0, &t1, err,
                                       sizeof err),
                     0);
    assert_string_equal(name, "night");
    assert_int_equal(view_shift_period(f->cfg, "night", 1, T0, name, sizeof name, &t0, &t1, err,
                                       sizeof err),
                     0);
    assert_string_equal(name, "day");
    assert_int_equal(view_shift_period(f->cfg, "lunch", 0, T0, name, sizeof name, &t0, &t1, err,
                                       sizeof err),
                     -1);
    assert_string_equal(err, "unknown shift 'lunch' (accepted: day, evening, night)");
    assert_int_equal(view_shift_period(f->cfg, "day", 3, T0, name, sizeof name, &t0, &t1, err,
                                       sizeof err),
                     -1);
    assert_non_null(strstr(err, "shift step 3"));
}

static void test_the_wards_own_shifts(void **state)
{
    struct fx *f = *state;
    char name[16], err[300];
    int64_t t0, t1;
    assert_int_equal(view_shift_period(f->cfg, "", 0, T0, name, sizeof name, &t0, &t1, err,
                                       sizeof err),
                     0);
    assert_string_equal(name, "day");
    assert_int_equal(t0, T0 - 3 * 3600000LL - 30 * 60000LL); /* 06:30 */
    assert_int_equal(t1, T0 + 4 * 3600000LL + 30 * 60000LL); /* 14:30 */
}

struct got_ho {
    int n;
    bool ok;
    char why[300], period[16], head0[256];
    int64_t t0, t1;
    size_t lines, plots;
};
static void on_handover(void *ctx, struct view_handover *h, const char *why)
{
    struct got_ho *g = ctx;
    g->n++;
    g->ok = h != NULL;
    ww_strlcpy(g->why, why, sizeof g->why);
    if (!h)
        return;
    ww_strlcpy(g->period, h->period, sizeof g->period);
    ww_strlcpy(g->head0, h->head[0], sizeof g->head0);
    g->t0 = h->t0;
    g->t1 = h->t1;
    g->lines = h->n;
    for (size_t i = 0; i < h->n; i++)
        g->plots += h->lines[i].kind == HL_PLOT;
}

static int audit_rows(const char *db, const char *action, const char *like)
{
    sqlite3 *d;
    int n = -1;
    if (sqlite3_open_v2(db, &d, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        return -1;
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(d, "SELECT count(*) FROM audit WHERE action = ? AND detail LIKE ?", -1,
                           &s, NULL) == SQLITE_OK) {
        sqlite3_bind_text(s, 1, action, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, like, -1, SQLITE_STATIC);
        if (sqlite3_step(s) == SQLITE_ROW)
            n = sqlite3_column_int(s, 0);
        sqlite3_finalize(s);
    }
    sqlite3_close(d);
    return n;
}

static void test_handover_preview_audited(void **state)
{
    struct fx *f = *state;
    const struct view_ops *o = f->v.ops;
    void *c = f->v.ctx;
    char err[300] = "";
    char ferr[300];
    static struct ward_cmd cmd;
    memset(&cmd, 0, sizeof cmd);
    cmd.kind = WCMD_ADMIT;
    cmd.bed = 0;
    strcpy(cmd.ref, "P-7");
    strcpy(cmd.staff, "KN");
    assert_int_equal(o->command(c, &cmd, on_reply, NULL, err, sizeof err), 0);
    assert_int_equal(ward_flush(monitor_ward(f->m), ferr, sizeof ferr), 0);
    struct got_ho g = {0};
    assert_int_equal(o->handover(c, "", 0, "KN", on_handover, &g, err, sizeof err), 0);
    assert_int_equal(g.n, 1); /* in-process: answered before it returned */
    if (!g.ok)
        fail_msg("preview refused: %s", g.why);
    assert_string_equal(g.period, "day");
    assert_int_equal(g.t0, T0 - 3 * 3600000LL);
    assert_int_equal(g.t1, T0 + 5 * 3600000LL);
    assert_non_null(strstr(g.head0, "Viewpost"));
    assert_true(g.lines > 0);
    assert_int_equal(g.plots, 0); /* plots are for paper */
    assert_int_equal(ward_flush(monitor_ward(f->m), ferr, sizeof ferr), 0);
    assert_int_equal(audit_rows(f->db, "handover-view", "handover preview day %"), 1);
    /* an unknown shift is refused at once, nothing audited */
    g.n = 0;
    assert_int_equal(o->handover(c, "lunch", 0, "KN", on_handover, &g, err, sizeof err), -1);
    assert_int_equal(g.n, 0);
    assert_non_null(strstr(err, "unknown shift 'lunch'"));
    assert_int_equal(ward_flush(monitor_ward(f->m), ferr, sizeof ferr), 0);
    assert_int_equal(audit_rows(f->db, "handover-view", "%lunch%"), 0);
}

static void test_handover_from_drops_plots(void **state)
{
    struct fx *f = *state;
    char why[300];
    struct handover *h = ward_handover(monitor_ward(f->m), "day", T0 - 3 * 3600000LL,
                                       T0 + 5 * 3600000LL, "-", T0, why, sizeof why);
    if (!h)
        fail_msg("%s", why);
    size_t n;
    struct handover_line *all = handover_lines(h, &n);
    assert_non_null(all);
    size_t plots = 0;
    for (size_t i = 0; i < n; i++)
        plots += all[i].kind == HL_PLOT;
    free(all);
    struct view_handover vh;
    assert_int_equal(view_handover_from(h, &vh), 0);
    handover_free(h);
    assert_int_equal(vh.n, n - plots);
    for (size_t i = 0; i < vh.n; i++)
        assert_int_not_equal(vh.lines[i].kind, HL_PLOT);
    view_handover_free(&vh);
    assert_null(vh.lines);
    assert_int_equal(vh.n, 0);
}

int main(void)
{
    setenv("TZ", "UTC", 1);
    tzset();
    log_set_tty_owned(true);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_reads_are_the_wards, setup, teardown),
        cmocka_unit_test_setup_teardown(test_commands_answered_at_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_default_shift_periods, setup, teardown),
        cmocka_unit_test_setup_teardown(test_the_wards_own_shifts, setup_own_shifts, teardown),
        cmocka_unit_test_setup_teardown(test_handover_preview_audited, setup, teardown),
        cmocka_unit_test_setup_teardown(test_handover_from_drops_plots, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
