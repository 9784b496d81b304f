/* Tests for the record a nurse reads per patient (hazards H16-8, H16-9,
 * H16-14 in doc/hazards.md): a bed's detail history and trends are of the
 * current admission only; notes of any length are kept whole from the
 * command through the protocol, the store and the handover, and refused,
 * never cut, past their limit; limits are printed as what alarms. */
#include "ww_test.h"
#include "config.h"
#include "handover.h"
#include "proto.h"
#include "store.h"
#include "util.h"
#include "view.h"
#include "ward.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dir;
static char db[4200];
static struct ward_config cfg;

static int setup(void **state)
{
    char err[1024], ini[4200];
    dir = ww_test_tmpdir();
    snprintf(ini, sizeof ini, "%s/w.ini", dir);
    snprintf(db, sizeof db, "%s/ward.db", dir);
    ww_test_write_file(ini, "[ward]\nname = Test\ndatabase = ward.db\n[bed.1]\nlabel = Rom 1\n"
                            "sensor = ti-vs:file:/dev/null\n[bed.2]\nlabel = Rom 2\n");
    if (config_load(ini, &cfg, err, sizeof err) < 0)
        fail_msg("%s", err);
    return 0;
}

static int teardown(void **state)
{
    ww_test_rmtree(dir);
    free(dir);
    return 0;
}

/* Does any of the n history lines contain s? */
static bool hist_has(const struct ward_history_line *h, int n, const char *s)
{
    for (int i = 0; i < n; i++)
        if (strstr(h[i].text, s))
            return true;
    return false;
}

/* A readable note of exactly len bytes of UTF-8 (å is two bytes): whole
 * characters of the sentence repeated, a '.' where the next would not fit. */
static char *long_note(size_t len)
{
    static const char words[] = "Pasienten får morfin 5 mg sc ved smerter, ";
    char *s = malloc(len + 1);
    size_t o = 0, k = 0;
    while (o < len) {
        size_t n = ((unsigned char)words[k] & 0xE0) == 0xC0 ? 2 : 1;
        if (o + n > len) {
            s[o++] = '.';
            continue;
        }
        memcpy(s + o, words + k, n);
        o += n;
        k = (k + n) % (sizeof words - 1);
    }
    if (s[len - 1] == ' ') /* a trailing blank is trimmed as any text's */
        s[len - 1] = '.';
    s[len] = 0;
    return s;
}

/* One text from the database (another connection), "" if none. */
static void db_text(const char *sql, char *out, size_t n)
{
    sqlite3 *d;
    sqlite3_stmt *s;
    out[0] = 0;
    if (sqlite3_open(db, &d) == SQLITE_OK && sqlite3_prepare_v2(d, sql, -1, &s, NULL) == SQLITE_OK) {
        if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
            snprintf(out, n, "%s", (const char *)sqlite3_column_text(s, 0));
        sqlite3_finalize(s);
    }
    sqlite3_close(d);
}

/* H16-8: patient B admitted to the bed patient A left sees none of A's
 * observations, notes and alarms in the bed detail's history; a free bed
 * shows none of them either. */
static void test_history_is_the_admissions(void **state)
{
    char err[512];
    struct store *st = store_open(db, NULL, err, sizeof err);
    assert_non_null(st);
    struct ward *w = ward_new(&cfg, st, err, sizeof err);
    assert_non_null(w);
    int64_t t = 1700000000000LL;
    assert_int_equal(ward_cmd_admit(w, 0, "PAS-A", "A: KOLS", "KN", t, err, sizeof err), 0);
    assert_int_equal(ward_cmd_observation(w, 0, "spo2", "87", "KN", t + 60000, err, sizeof err),
                     0);
    assert_int_equal(ward_cmd_note(w, 0, 0, "A: hoster mye", "KN", t + 120000, err, sizeof err), 0);
    int64_t aid;
    assert_int_equal(store_alarm_raise(st, 1, "rr-high", "medium", t + 180000, &aid, err,
                                       sizeof err),
                     0);
    assert_int_equal(ward_cmd_discharge(w, 0, "KN", t + 600000, err, sizeof err), 0);

    struct ward_history_line h[64];
    int64_t now = t + 700000;
    int n = ward_history(w, 0, now - 12 * 3600000LL, now + 1, h, 64);
    assert_true(n >= 0);
    assert_false(hist_has(h, n, "A: hoster mye"));
    assert_false(hist_has(h, n, "spo2 = 87"));
    assert_false(hist_has(h, n, "RR high"));

    /* A note on the free bed belongs to no patient: shown while free, gone
     * once B is admitted. */
    assert_int_equal(ward_cmd_note(w, 0, 0, "madrass byttet", "KN", t + 650000, err, sizeof err),
                     0);
    n = ward_history(w, 0, now - 12 * 3600000LL, now + 1, h, 64);
    assert_true(hist_has(h, n, "madrass byttet"));

    assert_int_equal(ward_cmd_admit(w, 0, "PAS-B", "B: hoftebrudd", "ES", t + 720000, err,
                                    sizeof err),
                     0);
    assert_int_equal(ward_cmd_note(w, 0, 0, "B: sover", "ES", t + 780000, err, sizeof err), 0);
    now = t + 800000;
    n = ward_history(w, 0, now - 12 * 3600000LL, now + 1, h, 64);
    assert_true(n >= 1);
    assert_true(hist_has(h, n, "B: sover"));
    assert_false(hist_has(h, n, "A: hoster mye"));
    assert_false(hist_has(h, n, "spo2 = 87"));
    assert_false(hist_has(h, n, "madrass byttet"));
    assert_false(hist_has(h, n, "RR high"));
    /* B's own alarm is there. */
    assert_int_equal(store_alarm_raise(st, 1, "hr-high", "medium", t + 790000, &aid, err,
                                       sizeof err),
                     0);
    n = ward_history(w, 0, now - 12 * 3600000LL, now + 1, h, 64);
    assert_true(hist_has(h, n, "HR high"));
    /* The other bed is untouched by all this. */
    assert_int_equal(ward_history(w, 1, now - 12 * 3600000LL, now + 1, h, 64), 0);
    ward_free(w);
    store_close(st);
}

/* Feed RR/HR once a second for n seconds from t0. */
static int64_t feed(struct ward *w, int64_t t0, int n, float rr, float hr)
{
    for (int i = 0; i < n; i++) {
        struct reading r = {.have = READING_RR | READING_HR | READING_PRESENCE, .rr = rr,
                            .hr = hr, .presence = true};
        ward_reading(w, 0, &r, t0 + i * 1000LL);
        ward_tick(w, t0 + i * 1000LL);
    }
    return t0 + n * 1000LL;
}

/* H16-8: the detail's trends and the tile's arrows start empty for a new
 * patient, whether or not the bed's per-minute history was cleared. */
static void test_trends_are_the_admissions(void **state)
{
    char err[512];
    struct ward *w = ward_new(&cfg, NULL, err, sizeof err);
    assert_non_null(w);
    int64_t t = 1700000000000LL; /* a whole minute */
    assert_int_equal(ward_cmd_admit(w, 0, "PAS-A", "", "KN", t, err, sizeof err), 0);
    t = feed(w, t, 1200, 28, 125); /* A: 20 min of RR 28, HR 125 */
    t = feed(w, t, 600, 14, 70);   /* then 10 min of RR 14 (falling arrow) */
    assert_int_equal(ward_cmd_discharge(w, 0, "KN", t, err, sizeof err), 0);
    int64_t b_at = t + 30000;
    assert_int_equal(ward_cmd_admit(w, 0, "PAS-B", "", "ES", b_at, err, sizeof err), 0);
    int64_t now = feed(w, b_at, 300, 16, 80); /* B: 5 min */
    const struct ward_bed *b = ward_bed(w, 0);

    int64_t cut = (b_at / 60000 + 1) * 60000; /* B's first whole minute */
    float v[60];
    for (int s = 0; s < 3; s++) {
        view_trend(b, s, now, 3600000, v, 60); /* one point a minute */
        int shown = 0;
        for (int i = 0; i < 60; i++) {
            int64_t end = now - 3600000 + (int64_t)(i + 1) * 60000;
            if (end <= cut)
                assert_true(isnan(v[i])); /* before B's first whole minute */
            else if (!isnan(v[i]))
                shown++;
            if (s == 0 && !isnan(v[i]))
                assert_float_equal(v[i], 16, 0.01); /* B's, never A's 28 or 14 */
            if (s == 1 && !isnan(v[i]))
                assert_float_equal(v[i], 80, 0.01);
        }
        if (s < 2)
            assert_true(shown >= 3);
    }
    /* 12 h buckets of 6 min: still nothing of A. */
    float v12[120];
    view_trend(b, 0, now, 12 * 3600000LL, v12, 120);
    for (int i = 0; i < 120; i++)
        assert_true(isnan(v12[i]) || fabsf(v12[i] - 16) < 0.01f);
    /* The arrow compares 15 minutes: none for a 5-minute-old admission. */
    assert_int_equal(view_trend_arrow(b, 0, now), 0);
    assert_int_equal(view_trend_arrow(b, 1, now), 0);

    /* A free bed shows no trend at all; the core emptied the bed's
     * history at the discharge (new_patient -> ward_bed_clear_history). */
    struct ward_bed *copy = malloc(sizeof *copy);
    *copy = *b;
    assert_int_equal(ward_cmd_discharge(w, 0, "ES", now, err, sizeof err), 0);
    assert_true(isnan(hist_minute(&b->h_rr, now - 60000)));
    view_trend(b, 0, now + 1000, 3600000, v, 60);
    for (int i = 0; i < 60; i++)
        assert_true(isnan(v[i]));

    /* ward_bed_clear_history empties what the bed holds. */
    assert_false(isnan(hist_minute(&copy->h_rr, now - 60000)));
    ward_bed_clear_history(copy);
    assert_true(isnan(hist_minute(&copy->h_rr, now - 60000)));
    assert_true(isnan(hist_mean(&copy->h_hr, now - 3600000, now)));
    assert_true(isnan(hist_mean(&copy->h_news2, now - 3600000, now)));
    assert_int_equal(copy->trend_rr, 0);
    free(copy);
    ward_free(w);
}

/* The frame and the commands test_long_notes_kept_whole sends over the wire
 * (static: a frame is large). */
static uint8_t frame[PROTO_MAX_FRAME];
static struct proto_cmd pc, got;

/* test_long_notes_kept_whole: the 2000-byte admission note through the
 * command, the protocol, the ward, the store and the BED frame. */
static void long_admission_round_trip(struct ward *w, const char *adm, int64_t t, char *back)
{
    char err[512];
    /* The example, then a long one. */
    struct ward_cmd c;
    memset(&c, 0, sizeof c);
    c.kind = WCMD_ADMIT;
    c.bed = 0;
    strcpy(c.staff, "KN");
    strcpy(c.ref, "PAS-77");
    assert_int_equal(strlen(adm), 2000);
    assert_true(strlen(adm) < sizeof c.text);
    strcpy(c.text, adm);
    /* over the wire as an attached board sends it */
    pc.req = 7;
    pc.cmd = c;
    struct proto_buf pb = {frame, 0, sizeof frame, 0, false};
    assert_int_equal(proto_put_cmd(&pb, &pc), 0);
    assert_int_equal(proto_get_cmd(frame, pb.len, &got), 0);
    assert_string_equal(got.cmd.text, adm);
    assert_int_equal(ward_cmd_exec(w, &got.cmd, t, err, sizeof err), 0);
    assert_string_equal(ward_bed(w, 0)->admission_note, adm);
    db_text("SELECT note FROM admissions WHERE patient_ref = 'PAS-77'", back, 8192);
    assert_string_equal(back, adm);
    /* the BED frame carries it whole to attached boards */
    pb = (struct proto_buf){frame, 0, sizeof frame, 0, false};
    assert_int_equal(proto_put_bed(&pb, 0, ward_bed(w, 0), t), 0);
    struct ward_bed *mirror = calloc(1, sizeof *mirror);
    uint32_t idx;
    struct proto_minute mi;
    assert_int_equal(proto_get_bed(frame, pb.len, &idx, mirror, &mi), 0);
    assert_string_equal(mirror->admission_note, adm);
    free(mirror);
}

/* test_long_notes_kept_whole: a WARD_NOTE_MAX-byte nursing note the same way,
 * and the words. */
static void long_note_round_trip(struct ward *w, const char *note, int64_t t, char *back)
{
    char err[512];
    struct ward_cmd c;
    memset(&c, 0, sizeof c);
    c.kind = WCMD_NOTE;
    strcpy(c.staff, "KN");
    strcpy(c.text, note);
    pc.cmd = c;
    struct proto_buf pb = (struct proto_buf){frame, 0, sizeof frame, 0, false};
    assert_int_equal(proto_put_cmd(&pb, &pc), 0);
    assert_int_equal(proto_get_cmd(frame, pb.len, &got), 0);
    assert_string_equal(got.cmd.text, note);
    assert_int_equal(ward_cmd_exec(w, &got.cmd, t + 60000, err, sizeof err), 0);
    db_text("SELECT text FROM notes ORDER BY id DESC LIMIT 1", back, 8192);
    assert_string_equal(back, note);

    /* "får morfin": the words the issue saw cut */
    assert_int_equal(ward_cmd_note(w, 0, 0, "får morfin", "KN", t + 61000, err, sizeof err), 0);
    db_text("SELECT text FROM notes ORDER BY id DESC LIMIT 1", back, 8192);
    assert_string_equal(back, "får morfin");
}

/* test_long_notes_kept_whole: one byte over is refused, nothing stored. */
static void one_byte_over_refused(struct ward *w, int64_t t, char *back)
{
    char err[512];
    /* One byte over: refused, with the reason, nothing stored. */
    char *over = malloc(WARD_NOTE_MAX + 2);
    memset(over, 'x', WARD_NOTE_MAX + 1);
    over[WARD_NOTE_MAX + 1] = 0;
    assert_int_equal(ward_cmd_note(w, 0, 0, over, "KN", t + 62000, err, sizeof err), -1);
    assert_non_null(strstr(err, "too long"));
    assert_non_null(strstr(err, "4000"));
    db_text("SELECT count(*) FROM notes", back, 8192);
    assert_string_equal(back, "2");
    assert_int_equal(ward_cmd_discharge(w, 0, "KN", t + 63000, err, sizeof err), 0);
    assert_int_equal(ward_cmd_admit(w, 0, "PAS-78", over, "KN", t + 64000, err, sizeof err), -1);
    assert_non_null(strstr(err, "too long"));
    assert_false(ward_bed(w, 0)->admitted);
    free(over);
}

/* test_long_notes_kept_whole: the handover prints both notes whole. */
static void handover_keeps_notes(struct store *st, const char *adm, const char *note,
                                 int64_t t)
{
    char err[512];
    /* The handover prints both whole (wrapped, nothing lost). */
    struct handover_request req = {t - 3600000, t + 3600000, "day", -1, t + 3600000, "KN"};
    struct handover *h = handover_build(st, &cfg, &req, err, sizeof err);
    assert_non_null(h);
    size_t nl;
    struct handover_line *v = handover_lines(h, &nl);
    assert_non_null(v);
    /* Joined without the wrapping, the text holds every note's words. */
    size_t cap = 1 << 20, o = 0;
    char *all = malloc(cap);
    for (size_t i = 0; i < nl; i++) {
        const char *s = v[i].text;
        while (*s == ' ')
            s++;
        size_t l = strlen(s);
        assert_true(o + l + 2 < cap);
        if (o && all[o - 1] != ' ' && v[i].text[0] == ' ')
            all[o++] = ' ';
        memcpy(all + o, s, l);
        o += l;
    }
    all[o] = 0;
    /* Compare words, since wrapping turned some spaces into line breaks. */
    char *nospace_all = malloc(cap), *nospace = malloc(8192);
    size_t k = 0;
    for (size_t i = 0; all[i]; i++)
        if (all[i] != ' ')
            nospace_all[k++] = all[i];
    nospace_all[k] = 0;
    k = 0;
    for (size_t i = 0; note[i]; i++)
        if (note[i] != ' ')
            nospace[k++] = note[i];
    nospace[k] = 0;
    assert_non_null(strstr(nospace_all, nospace));
    k = 0;
    for (size_t i = 0; adm[i]; i++)
        if (adm[i] != ' ')
            nospace[k++] = adm[i];
    nospace[k] = 0;
    assert_non_null(strstr(nospace_all, nospace));
    free(nospace_all);
    free(nospace);
    free(all);
    free(v);
    handover_free(h);
}

/* test_long_notes_kept_whole: the history line of a long note. */
static void history_line_ends_whole(struct ward *w, const char *note, int64_t t)
{
    char err[512];
    /* The detail's history line of a long note ends on a whole character
     * and says it goes on. */
    struct ward_history_line hl[8];
    assert_int_equal(ward_cmd_admit(w, 0, "PAS-79", "", "KN", t + 70000, err, sizeof err), 0);
    assert_int_equal(ward_cmd_note(w, 0, 0, note, "KN", t + 71000, err, sizeof err), 0);
    int n = ward_history(w, 0, t, t + 72000, hl, 8);
    assert_int_equal(n, 1);
    size_t l = strlen(hl[0].text);
    assert_true(l > 150);
    assert_string_equal(hl[0].text + l - 3, "\u2026");
    char clean[sizeof hl[0].text];
    ww_sanitize_text(clean, sizeof clean, hl[0].text, false);
    assert_string_equal(clean, hl[0].text); /* valid UTF-8 throughout */
}

/* H16-9: an admission note and a nursing note of 2000 and 4000 bytes of
 * UTF-8 are kept whole through the command as a board sends it, the
 * protocol, the ward, the store and the handover; one byte more is refused
 * with the reason and nothing is stored. */
static void test_long_notes_kept_whole(void **state)
{
    char err[512];
    struct store *st = store_open(db, NULL, err, sizeof err);
    assert_non_null(st);
    struct ward *w = ward_new(&cfg, st, err, sizeof err);
    assert_non_null(w);
    int64_t t = 1700000000000LL;

    char *adm = long_note(2000);
    char *back = malloc(8192);
    long_admission_round_trip(w, adm, t, back);

    char *note = long_note(WARD_NOTE_MAX);
    long_note_round_trip(w, note, t, back);
    one_byte_over_refused(w, t, back);
    handover_keeps_notes(st, adm, note, t);
    history_line_ends_whole(w, note, t);

    free(back);
    free(note);
    free(adm);
    ward_free(w);
    store_close(st);
}

/* H16-14: the handover says what happens at the limits, never a range. */
static void test_limits_say_what_alarms(void **state)
{
    char err[512];
    struct store *st = store_open(db, NULL, err, sizeof err);
    assert_non_null(st);
    struct ward *w = ward_new(&cfg, st, err, sizeof err);
    assert_non_null(w);
    int64_t t = 1700000000000LL;
    assert_int_equal(ward_cmd_admit(w, 0, "PAS-1", "", "KN", t, err, sizeof err), 0);
    assert_int_equal(ward_cmd_admit(w, 1, "PAS-2", "", "KN", t, err, sizeof err), 0);
    struct alarm_limits lim = ward_bed(w, 1)->limits;
    lim.rr_low = 6;
    lim.rr_high = 30;
    assert_int_equal(ward_cmd_limits(w, 1, &lim, "KOLS", "KN", t + 1000, err, sizeof err), 0);
    struct handover_request req = {t - 3600000, t + 3600000, "day", -1, t + 3600000, "KN"};
    struct handover *h = handover_build(st, &cfg, &req, err, sizeof err);
    assert_non_null(h);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_true(handover_write_text(h, f) >= 1);
    fclose(f);
    assert_non_null(strstr(text, "Alarm at RR <= 8 or >= 25, HR <= 40 or >= 131 (ward default"));
    assert_non_null(strstr(text, "Alarm at RR <= 6 or >= 30, HR <= 40 or >= 131 (individual"));
    assert_null(strstr(text, "RR 8-25"));
    assert_null(strstr(text, "RR 6-30"));
    free(text);
    handover_free(h);
    ward_free(w);
    store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_history_is_the_admissions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trends_are_the_admissions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_notes_kept_whole, setup, teardown),
        cmocka_unit_test_setup_teardown(test_limits_say_what_alarms, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
