/*
 * forms — the form line at the bottom (initials, values, notes, admit,
 * discharge), the observation set (every NEWS2 field in one form) and the
 * choice of alarm; validation as typed, commands through the view.
 */
#include "ui.h"

static void draw_set(struct ui *u);
static void draw_choose(struct ui *u);
static void choose_key(struct ui *u, int rc, wint_t ch);
static void form_commit(struct ui *u);

/* A parameter as the nurse types it: the chart's short names in any case
 * ("SpO2", "RR"), and the Norwegian ones ("RF", "puls", "BT", "bevissthet",
 * "temperatur", "skala"). NEWS2_NPARAMS for the SpO2 scale, -1 unknown. */
static int obs_name_find(const char *typed)
{
    static const struct {
        const char *name;
        int p;
    } names[] = {
        {"rr", NEWS2_RR},        {"rf", NEWS2_RR},           {"resp", NEWS2_RR},
        {"respirasjon", NEWS2_RR}, {"respirasjonsfrekvens", NEWS2_RR},
        {"spo2", NEWS2_SPO2},    {"sao2", NEWS2_SPO2},       {"metning", NEWS2_SPO2},
        {"o2", NEWS2_O2},        {"oksygen", NEWS2_O2},      {"oxygen", NEWS2_O2},
        {"sbp", NEWS2_SBP},      {"bt", NEWS2_SBP},          {"systolisk", NEWS2_SBP},
        {"blodtrykk", NEWS2_SBP},
        {"hr", NEWS2_HR},        {"puls", NEWS2_HR},         {"pulse", NEWS2_HR},
        {"hf", NEWS2_HR},
        {"acvpu", NEWS2_ACVPU},  {"bevissthet", NEWS2_ACVPU},
        {"temp", NEWS2_TEMP},    {"temperatur", NEWS2_TEMP}, {"temperature", NEWS2_TEMP},
        {"scale", NEWS2_NPARAMS}, {"skala", NEWS2_NPARAMS},
    };
    char t[32];
    size_t n = 0;
    while (*typed == ' ')
        typed++;
    for (; typed[n] && n < sizeof t - 1; n++)
        t[n] = (char)(typed[n] >= 'A' && typed[n] <= 'Z' ? typed[n] - 'A' + 'a' : typed[n]);
    while (n && t[n - 1] == ' ')
        n--;
    t[n] = 0;
    for (size_t i = 0; i < WW_ARRAY_LEN(names); i++)
        if (!strcmp(t, names[i].name))
            return names[i].p;
    return -1;
}

/* A value as typed into what the ward takes: blanks trimmed, a decimal
 * comma made a point where the nurse's locale writes one ("36,5"), "luft"
 * and "oksygen" for air and oxygen. The ward validates the result. */
static void obs_value_norm(const struct ui *u, int p, const char *in, char *out, size_t n)
{
    while (*in == ' ')
        in++;
    ww_strlcpy(out, in, n);
    size_t len = strlen(out);
    while (len && out[len - 1] == ' ')
        out[--len] = 0;
    if (p == NEWS2_O2) {
        if (!strcasecmp(out, "luft"))
            ww_strlcpy(out, "air", n);
        else if (!strcasecmp(out, "oksygen") || !strcasecmp(out, "o"))
            ww_strlcpy(out, "oxygen", n);
        else if (!strcasecmp(out, "a"))
            ww_strlcpy(out, "air", n);
    }
    if (u->comma && (p == NEWS2_TEMP || p == NEWS2_SPO2 || p == NEWS2_SBP || p == NEWS2_RR ||
                     p == NEWS2_HR)) {
        char *c = strchr(out, ',');
        if (c && !strchr(out, '.') && !strchr(c + 1, ','))
            *c = '.';
    }
}

/* Why a typed value of parameter p is refused, in the nurse's language
 * with what is accepted; "" when it is acceptable. */
static void obs_value_error(const struct ui *u, int p, const char *typed, char *err, size_t n)
{
    char v[64];
    double d;
    err[0] = 0;
    obs_value_norm(u, p, typed, v, sizeof v);
    char perr[200];
    if (news2_parse_value(p, v, &d, perr, sizeof perr) == 0)
        return;
    static const char *ranges[NEWS2_NPARAMS] = {"0-80", "50-100", NULL, "40-300",
                                                "20-300", NULL, "25.0-45.0"};
    if (p == NEWS2_O2)
        snprintf(err, n, _("o2: '%s' is not air or oxygen"), typed);
    else if (p == NEWS2_ACVPU)
        snprintf(err, n, _("acvpu: '%s' is not one of A, C, V, P, U"), typed);
    else if (!u->comma && strchr(typed, ','))
        snprintf(err, n, _("%s: '%s': write the decimals with a point (37.5)"),
                 news2_param_name(p), typed);
    else
        snprintf(err, n, _("%s: '%s' is outside the plausible range %s or not a number"),
                 news2_param_name(p), typed, ranges[p]);
}

/* Longest input of the form's current field, in bytes of UTF-8: what the
 * ward, the protocol and the store take whole (hazard H16-9). */
static size_t form_limit(const struct ui *u)
{
    switch (u->form) {
    case F_NOTE:
        return u->step == 0 ? WARD_NOTE_MAX : 16;
    case F_ADMIT:
        return u->step == 0 ? 32 /* the ward's limit for a reference */
               : u->step == 1 ? WARD_NOTE_MAX
                              : 16;
    case F_OBS:
        return u->step == 0   ? sizeof ((struct ward_cmd *)0)->param - 1
               : u->step == 1 ? sizeof ((struct ward_cmd *)0)->value - 1
               : u->step == 2 ? sizeof ((struct ward_cmd *)0)->prescriber - 1
                              : 16;
    case F_QUIT:
        return 1;
    default:
        return 16; /* initials (config_staff_syntax: 2-16) */
    }
}

/* The input line: prompt, the end of what is typed (a long note scrolls:
 * "<" marks text before what is shown), and how full the field is
 * ("312/4000") when the field holds more than a short id. */
static void draw_input(struct ui *u, const char *prompt)
{
    size_t limit = form_limit(u), len = strlen(u->input);
    char count[48] = "";
    if (limit > 16)
        snprintf(count, sizeof count, "  %zu/%zu", len, limit);
    char head[400];
    snprintf(head, sizeof head, _("%s: "), prompt);
    /* What is typed must stay on the screen: a prompt too long for the
     * line gives up the middle of what it names, never the field's name
     * ("... | Your initials: ") nor the input. */
    int want = ww_utf8_width(u->input) + 2;
    want = want < 4 ? 4 : want > COLS / 3 ? COLS / 3 : want;
    int headw = COLS - 1 - (int)strlen(count) - want;
    if (ww_utf8_width(head) > headw && headw > 16) {
        const char *bar = strstr(head, " | ");
        for (const char *q = bar; q; q = strstr(q + 3, " | "))
            bar = q;
        char fit[400], shortened[400];
        int tailw = bar ? ww_utf8_width(bar) : 0;
        if (bar && headw - tailw >= 10) {
            char target[400];
            snprintf(target, sizeof target, "%.*s", (int)(bar - head), head);
            ui_fit(u, target, headw - tailw, fit, sizeof fit);
            snprintf(shortened, sizeof shortened, "%s%s", fit, bar);
        } else {
            ui_fit(u, head, headw, shortened, sizeof shortened);
        }
        ww_strlcpy(head, shortened, sizeof head);
    }
    int avail = COLS - 1 - ww_utf8_width(head) - (int)strlen(count) - 1;
    if (avail < 4)
        avail = 4;
    int total = ww_utf8_width(u->input);
    const char *p = u->input;
    bool cut = false;
    while (*p && total > avail - (cut ? 1 : 0)) {
        size_t n;
        total -= ui_char_cols(p, &n);
        p += n;
        cut = true;
    }
    char line[4 * 512];
    snprintf(line, sizeof line, "%s%s%s_%s", head, cut ? "<" : "", p, count);
    move(LINES - 1, 0);
    clrtoeol();
    ui_put(LINES - 1, 0, COLS, line);
}

/* The bed a form acts on and the patient in it now, kept until the command
 * is sent: a form opened for one patient never lands on the next, whoever
 * discharged or admitted meanwhile (the core refuses it, check_patient). */
static void form_bed_set(struct ui *u, size_t bed)
{
    u->form_bed = bed;
    const struct ward_bed *b = bed < nbeds(u) ? bed_at(u, bed) : NULL;
    u->form_adm = b && b->admitted ? b->admission_id : 0;
    ww_strlcpy(u->form_ref, b && b->admitted ? b->patient_ref : "", sizeof u->form_ref);
}

/* Has the form's bed another patient (or none) since the form opened? */
static bool form_patient_changed(struct ui *u)
{
    if (u->form_bed >= nbeds(u))
        return false;
    const struct ward_bed *b = bed_at(u, u->form_bed);
    return (b->admitted ? b->admission_id : 0) != u->form_adm ||
           strcmp(b->admitted ? b->patient_ref : "", u->form_ref) != 0;
}

/* "RR high on Rom 2 dør (PAS-77)" / "Rom 2 dør (PAS-77)": what the open
 * form acts on, from its own bed and alarm id (never the selection now). */
static void form_target(struct ui *u, char *buf, size_t n)
{
    buf[0] = 0;
    if (u->form_bed >= nbeds(u))
        return;
    const struct ward_bed *b = bed_at(u, u->form_bed);
    char who[200];
    const char *ref = u->form_ref[0] ? u->form_ref : _("no patient");
    if (form_patient_changed(u))
        snprintf(who, sizeof who, _("%s (%s) PATIENT CHANGED, now %s: Esc"), b->label, ref,
                 b->admitted ? b->patient_ref : _("no patient"));
    else
        snprintf(who, sizeof who, "%s (%s)", b->label, ref);
    int c = (u->form == F_ACK || u->form == F_RESET || (u->form == F_NOTE && u->note_alarm))
                ? alarm_find_id(&b->alarms, u->note_alarm)
                : -1;
    if (c >= 0)
        snprintf(buf, n, _("%s on %s"), _(alarm_condition_text(c)), who);
    else
        snprintf(buf, n, "%s", who);
}

/* The quit question: what quitting stops depends on where the core runs. */
const char *ui_quit_prompt(const struct ui *u)
{
    return u->o.embedded ? _("Quit? Monitoring in this terminal STOPS (y/n)")
                         : _("Quit this board? Monitoring continues on the server (y/n)");
}

/* Bottom lines: message and keys or the active form. */
void ui_draw_bottom(struct ui *u)
{
    static const char *prompts[] = {
        [F_ACK] = N_("Acknowledge: your initials"),
        [F_RESET] = N_("Reset latched alarm: your initials"),
        [F_NOTE] = N_("Note"),
        [F_DISCHARGE] = N_("Discharge this patient? Your initials to confirm"),
        [F_PAUSE] = N_("Pause audio: your initials"),
        [F_PRINT] = N_("Print handover: your initials"),
        [F_HANDOVER] = N_("Handover summary (patient data; audited): your initials"),
    };
    if (u->form == F_SET) {
        draw_set(u);
    } else if (u->form == F_CHOOSE) {
        draw_choose(u);
    } else if (u->form != F_NONE) {
        const char *prompt = u->form == F_QUIT ? ui_quit_prompt(u) : _(prompts[u->form]);
        char buf[320];
        if (u->form == F_OBS) {
            static const char *st[] = {N_("Observation (spo2 o2 sbp temp acvpu rr hr scale; "
                                          "Enter alone: the full set)"),
                                       N_("Value"), N_("Prescribed by (clinician)"),
                                       N_("Your initials")};
            prompt = _(st[u->step]);
            if (u->step == 1) {
                snprintf(buf, sizeof buf, _("Value for %s"), u->field[0]);
                prompt = buf;
            }
        } else if (u->form == F_NOTE && u->step == 1) {
            prompt = _("Your initials");
        } else if (u->form == F_ADMIT) {
            static const char *st[] = {N_("Admit: patient reference (pseudonymous)"),
                                       N_("Admission note"), N_("Your initials")};
            prompt = _(st[u->step]);
        }
        /* Every prompt names what it acts on: the bed, the patient and, for
         * acknowledge and reset, the alarm (a form keeps its target). */
        char named[1000];
        char target[300];
        form_target(u, target, sizeof target);
        if (target[0] && u->form != F_QUIT && u->form != F_PAUSE && u->form != F_PRINT) {
            snprintf(named, sizeof named, "%s | %s", target, prompt);
            prompt = named;
        }
        attron(A_BOLD);
        draw_input(u, prompt);
        attroff(A_BOLD);
    } else {
        ui_put(LINES - 1, 0, COLS,
            u->scr == SCR_BOARD ? _("arrows/hjkl move  Enter bed  a ack  r reset  o obs  n note  "
                                    "i admit  d discharge  A alarms  H handover  s sort  p pause  F1/? help  q quit")
            : u->scr == SCR_ALARMS ? _("up/down select  a acknowledge  r reset  n note  Esc back")
            : u->scr == SCR_DETAIL ? _("a ack  r reset  o obs  n note  t trend span  Esc back")
            : u->scr == SCR_HANDOVER ? _("up/down PgUp/PgDn scroll  c shift  p print  Esc back")
                                   : _("Esc back"));
    }
    if (u->msg[0]) {
        attr_t a = ui_msg_attr(u);
        attron(a);
        /* A message wider than the screen wraps onto the line above at a
         * blank (what is past two lines ends in an ellipsis). */
        if (ww_utf8_width(u->msg) > COLS) {
            char first[sizeof u->msg], rest[sizeof u->msg + 8];
            size_t cut = 0, lastsp = 0;
            int used = 0;
            while (u->msg[cut]) {
                size_t len;
                int cw = ui_char_cols(u->msg + cut, &len);
                if (used + cw > COLS)
                    break;
                if (u->msg[cut] == ' ')
                    lastsp = cut;
                used += cw;
                cut += len;
            }
            if (lastsp > (size_t)COLS / 2)
                cut = lastsp;
            memcpy(first, u->msg, cut);
            first[cut] = 0;
            const char *r = u->msg + cut;
            while (*r == ' ')
                r++;
            ui_fit(u, r, COLS, rest, sizeof rest);
            ui_put(LINES - 3, 0, COLS, first);
            ui_put(LINES - 2, 0, COLS, rest);
        } else {
            ui_put(LINES - 2, 0, COLS, u->msg);
        }
        attroff(a);
    }
}

/* Start a form. */
void ui_form_start(struct ui *u, enum form_kind k)
{
    u->form = k;
    u->step = 0;
    u->input[0] = 0;
    memset(u->field, 0, sizeof u->field);
    form_bed_set(u, u->sel);
    u->msg[0] = 0;
}

/* Start form k on the bed and patient of the form now open (the set from
 * the single observation, the acknowledgement from its choice). */
static void form_continue(struct ui *u, enum form_kind k)
{
    size_t bed = u->form_bed;
    int64_t adm = u->form_adm;
    char ref[sizeof u->form_ref];
    ww_strlcpy(ref, u->form_ref, sizeof ref);
    ui_form_start(u, k);
    u->form_bed = bed;
    u->form_adm = adm;
    ww_strlcpy(u->form_ref, ref, sizeof u->form_ref);
}

/* Live validation of what is being typed; returns true when acceptable. */
static bool form_validate(struct ui *u, bool final)
{
    const struct ward_config *c = u->v.ops->config(u->v.ctx);
    char err[512] = "";
    bool initials = (u->form == F_ACK || u->form == F_RESET || u->form == F_DISCHARGE ||
                     u->form == F_PAUSE || u->form == F_PRINT || u->form == F_HANDOVER) ||
                    (u->form == F_OBS && u->step == 3) || (u->form == F_NOTE && u->step == 1) ||
                    (u->form == F_ADMIT && u->step == 2);
    if (initials) {
        if (!u->input[0]) {
            snprintf(err, sizeof err, _("initials or staff id required"));
        } else if (!config_staff_syntax(u->input)) {
            snprintf(err, sizeof err, _("2-16 letters or digits"));
        } else if (!config_staff_valid(c, u->input)) {
            snprintf(err, sizeof err, _("'%s' is not on the ward's staff list"), u->input);
        }
    } else if (u->form == F_OBS && u->step == 0) {
        if (u->input[0] && obs_name_find(u->input) < 0)
            snprintf(err, sizeof err,
                     _("one of spo2 o2 sbp temp acvpu rr hr scale, or Enter alone for the full set"));
    } else if (u->form == F_OBS && u->step == 1) {
        int p = obs_name_find(u->field[0]);
        if (p == NEWS2_NPARAMS) {
            if (strcmp(u->input, "1") && strcmp(u->input, "2"))
                snprintf(err, sizeof err, _("scale: 1 or 2"));
        } else if (p >= 0) {
            obs_value_error(u, p, u->input, err, sizeof err);
        }
    } else if (u->form == F_OBS && u->step == 2) {
        if (strlen(u->input) < 2)
            snprintf(err, sizeof err, _("name the prescribing clinician"));
    } else if (u->form == F_ADMIT && u->step == 0) {
        if (strlen(u->input) < 2)
            snprintf(err, sizeof err, _("a pseudonymous reference of 2-32 characters"));
    } else if (u->form == F_NOTE && u->step == 0 && final && !u->input[0]) {
        snprintf(err, sizeof err, _("empty note"));
    }
    if (err[0] && (final || u->input[0]))
        ui_msg(u, true, "%s", err);
    else
        u->msg[0] = 0;
    return err[0] == 0;
}

/* The answer to the form's command: committed, or the refusal. */
static void on_reply(void *ctx, bool ok, const char *message)
{
    struct ui *u = ctx;
    u->pending = false;
    if (ok && message && *message)
        ui_msg(u, true, _("%s: done, not yet recorded: %s"), u->pending_what,
                message); /* held for the store */
    else if (ok)
        ui_msg(u, false, _("%s by %s"), u->pending_what, u->pending_who);
    else
        ui_msg(u, true, _("refused (%s): %s"), u->pending_target, message);
    u->dirty = true;
}

/* lp's answer to a print (the ward kept running while it worked). */
static void on_print_reply(void *ctx, bool ok, const char *message)
{
    struct ui *u = ctx;
    if (ok)
        ui_msg(u, false, _("handover printed (%s): %s"), u->print_who, message);
    else
        ui_msg(u, true, _("printing failed: %s"), message);
    u->print_who[0] = 0;
    u->dirty = true;
}

/* What the answer will say was done to what ("RR high on Rom 2 dør
 * (PAS-77) acknowledged"), and the target a refusal names. */
static void note_pending(struct ui *u, const struct ward_cmd *c, const char *target)
{
    ww_strlcpy(u->pending_who, c->staff, sizeof u->pending_who);
    static const char *done[] = {
        [WCMD_ACK] = N_("acknowledged"),      [WCMD_RESET] = N_("reset"),
        [WCMD_NOTE] = N_("note saved"),       [WCMD_OBSERVATION] = N_("observation saved"),
        [WCMD_ADMIT] = N_("admitted"),        [WCMD_DISCHARGE] = N_("discharged"),
        [WCMD_SCALE2] = N_("SpO2 scale saved"), [WCMD_AUDIO_PAUSE] = N_("audio paused"),
        [WCMD_OBSERVATIONS] = N_("observation set saved"),
    };
    const char *d = (unsigned)c->kind < WW_ARRAY_LEN(done) && done[c->kind] ? _(done[c->kind])
                                                                          : _("saved");
    ww_strlcpy(u->pending_target, c->kind == WCMD_AUDIO_PAUSE ? _("ward") : target,
               sizeof u->pending_target);
    if (c->kind == WCMD_AUDIO_PAUSE)
        snprintf(u->pending_what, sizeof u->pending_what, "%s", d);
    else if (c->kind == WCMD_ADMIT)
        snprintf(u->pending_what, sizeof u->pending_what, "%s %s: %s", c->ref,
                 bed_at(u, u->form_bed)->label, d);
    else
        snprintf(u->pending_what, sizeof u->pending_what, "%s %s", target, d);
}

/* Commit the form's command: through the view, answered when committed
 * (at once in this process, by the server when attached). */
static void form_commit(struct ui *u)
{
    char err[512];
    char target[300];
    form_target(u, target, sizeof target); /* before the form closes */
    struct ward_cmd c;
    memset(&c, 0, sizeof c);
    c.bed = (uint32_t)u->form_bed;
    c.alarm_id = u->note_alarm;
    c.check_patient = true;
    c.admission_id = u->form_adm;
    ww_strlcpy(c.expect_ref, u->form_ref, sizeof c.expect_ref);
    ww_strlcpy(c.staff, u->input, sizeof c.staff);
    switch (u->form) {
    case F_ACK:
        c.kind = WCMD_ACK;
        break;
    case F_RESET:
        c.kind = WCMD_RESET;
        break;
    case F_DISCHARGE:
        c.kind = WCMD_DISCHARGE;
        break;
    case F_PAUSE:
        c.kind = WCMD_AUDIO_PAUSE;
        break;
    case F_NOTE:
        c.kind = WCMD_NOTE;
        ww_strlcpy(c.text, u->field[0], sizeof c.text);
        break;
    case F_ADMIT:
        c.kind = WCMD_ADMIT;
        ww_strlcpy(c.ref, u->field[0], sizeof c.ref);
        ww_strlcpy(c.text, u->field[1], sizeof c.text);
        break;
    case F_HANDOVER:
        /* Every view of patient data is audited with who: the preview is
         * asked for under these initials (and again under them when the
         * shift is changed with c). */
        ww_strlcpy(u->ho_who, u->input, sizeof u->ho_who);
        u->form = F_NONE;
        u->scr = SCR_HANDOVER;
        ui_handover_load(u, "", 0); /* the current shift */
        return;
    case F_PRINT: {
        /* lp runs beside the ward (it must never hold up the alarms);
         * its answer comes later. */
        if (u->print_who[0]) {
            ui_msg(u, true, _("printing failed: the handover printed by %s is not done yet"),
                    u->print_who);
            u->form = F_NONE;
            return;
        }
        ww_strlcpy(u->print_who, u->input, sizeof u->print_who);
        if (u->v.ops->print_handover(u->v.ctx, u->ho_shift, u->ho_t0, u->ho_t1, u->print_who,
                                     on_print_reply, u, err, sizeof err) < 0) {
            u->print_who[0] = 0;
            ui_msg(u, true, _("printing failed: %s"), err);
        } else if (u->print_who[0]) {
            ui_msg(u, false, _("printing the handover (%s)..."), u->print_who);
        }
        u->form = F_NONE;
        return;
    }
    case F_OBS: {
        int p = obs_name_find(u->field[0]);
        if (p == NEWS2_NPARAMS) {
            c.kind = WCMD_SCALE2;
            c.on = u->field[1][0] == '2';
            ww_strlcpy(c.prescriber, u->field[2], sizeof c.prescriber);
        } else {
            /* the chart's name and the value as the ward reads it */
            c.kind = WCMD_OBSERVATION;
            ww_strlcpy(c.param, news2_param_name(p), sizeof c.param);
            obs_value_norm(u, p, u->field[1], c.value, sizeof c.value);
        }
        break;
    }
    case F_SET: {
        /* One command, one commit, one change of the bed's values: the
         * score moves once, from the whole set. */
        c.kind = WCMD_OBSERVATIONS;
        ww_strlcpy(c.staff, u->set[SET_INITIALS], sizeof c.staff);
        size_t o = 0;
        for (int p = 0; p < NEWS2_NPARAMS; p++) {
            if (!u->set[p][0])
                continue; /* RR, HR left to the radar */
            char v[64];
            obs_value_norm(u, p, u->set[p], v, sizeof v);
            int k = snprintf(c.text + o, sizeof c.text - o, "%s%s=%s", o ? " " : "",
                             news2_param_name(p), v);
            if (k > 0)
                o += (size_t)k;
        }
        break;
    }
    default:
        u->form = F_NONE;
        return;
    }
    u->form = F_NONE;
    if (u->pending) {
        ui_msg(u, true, _("not sent: the previous command is still waiting for the server"));
        return;
    }
    note_pending(u, &c, target);
    u->pending = true;
    ui_msg(u, false, _("sending (%s) ..."), c.staff);
    if (u->v.ops->command(u->v.ctx, &c, on_reply, u, err, sizeof err) < 0) {
        u->pending = false;
        ui_msg(u, true, _("refused: %s"), err);
    }
}

/* The observation set: every NEWS2 field in one form (F_SET). */
void ui_set_start(struct ui *u)
{
    if (u->form == F_OBS)
        form_continue(u, F_SET);
    else
        ui_form_start(u, F_SET);
    memset(u->set, 0, sizeof u->set);
    u->set_focus = 0;
}

/* Why field k of the set is not acceptable ("" when it is). final: at
 * commit, where an empty required field is an error too. */
static void set_field_error(struct ui *u, int k, bool final, char *err, size_t n)
{
    err[0] = 0;
    const char *v = u->set[k];
    if (k == SET_INITIALS) {
        const struct ward_config *c = u->v.ops->config(u->v.ctx);
        if (!v[0]) {
            if (final)
                snprintf(err, n, "%s", _("initials or staff id required"));
        } else if (!config_staff_syntax(v)) {
            snprintf(err, n, "%s", _("2-16 letters or digits"));
        } else if (!config_staff_valid(c, v)) {
            snprintf(err, n, _("'%s' is not on the ward's staff list"), v);
        }
        return;
    }
    if (!v[0]) {
        /* RR and HR are counted by hand only when the nurse counts them:
         * left empty, the radar's values are scored. */
        if (final && k != NEWS2_RR && k != NEWS2_HR)
            snprintf(err, n, _("%s: required in a full set"), news2_param_name(k));
        return;
    }
    obs_value_error(u, k, v, err, n);
}

/* Validation as typed: the focused field's error on the message line. */
static void set_validate(struct ui *u)
{
    char err[300];
    set_field_error(u, u->set_focus, false, err, sizeof err);
    if (err[0])
        ui_msg(u, true, "%s", err);
    else
        u->msg[0] = 0;
}

/* Enter on the initials: every field checked, the first wrong one gets
 * the cursor and says why; else one command for the whole set. */
static void set_commit(struct ui *u)
{
    char err[300];
    for (int k = 0; k < SET_FIELDS; k++) {
        set_field_error(u, k, true, err, sizeof err);
        if (err[0]) {
            u->set_focus = k;
            ui_msg(u, true, "%s", err);
            return;
        }
    }
    form_commit(u);
}

/* A key in the set form: Tab, Down and Enter go to the next field, Shift-Tab
 * and Up to the previous; Enter on the initials saves. */
static void set_key(struct ui *u, int rc, wint_t ch)
{
    if (rc == OK && ch == 27) {
        u->form = F_NONE;
        ui_msg(u, false, _("cancelled"));
        return;
    }
    bool enter = (rc == OK && (ch == '\n' || ch == '\r')) || (rc == KEY_CODE_YES && ch == KEY_ENTER);
    if (enter && u->set_focus == SET_INITIALS) {
        set_commit(u);
        return;
    }
    if (enter || (rc == OK && ch == '\t') || (rc == KEY_CODE_YES && ch == KEY_DOWN)) {
        u->set_focus = (u->set_focus + 1) % SET_FIELDS;
        set_validate(u);
        return;
    }
    if (rc == KEY_CODE_YES && (ch == KEY_BTAB || ch == KEY_UP)) {
        u->set_focus = (u->set_focus + SET_FIELDS - 1) % SET_FIELDS;
        set_validate(u);
        return;
    }
    char *f = u->set[u->set_focus];
    size_t len = strlen(f);
    if ((rc == KEY_CODE_YES && ch == KEY_BACKSPACE) || (rc == OK && (ch == 127 || ch == 8))) {
        while (len > 0 && ((unsigned char)f[len - 1] & 0xC0) == 0x80)
            len--;
        if (len > 0)
            len--;
        f[len] = 0;
    } else if (rc == OK && ch >= 32 && ch != 127) {
        char mb[MB_LEN_MAX + 1];
        mbstate_t st = {0};
        size_t n = wcrtomb(mb, (wchar_t)ch, &st);
        size_t limit = u->set_focus == SET_INITIALS ? 16 : 15;
        if (n == (size_t)-1)
            return;
        if (len + n > limit) {
            ui_msg(u, true, _("this field is full: at most %zu bytes (%zu typed); "
                               "nothing more is taken"), limit, len);
            return;
        }
        memcpy(f + len, mb, n);
        f[len + n] = 0;
    } else {
        return;
    }
    set_validate(u);
}

/* RR or HR left empty in a set keeps the bed's value: the radar's, or a
 * count still in force, which is what is scored. Say which (H17-33: the
 * label said "empty: radar" while a count of 2 minutes before, 14, was
 * scored beside the radar's 7). */
static void set_label_kept(struct ui *u, int k, char *label, size_t n)
{
    if ((k != NEWS2_RR && k != NEWS2_HR) || u->form_bed >= nbeds(u))
        return;
    const struct ward_bed *b = bed_at(u, u->form_bed);
    const struct ward_value *v = &b->param[k];
    if (!v->have || v->automatic || v->stale)
        return;
    char age[16];
    ui_fmt_age(ward_now(u) - v->t_ms, age, sizeof age);
    snprintf(label, n,
             k == NEWS2_RR ? _("Respiration rate (counted; empty: the count of %s ago)")
                           : _("Pulse (counted; empty: the count of %s ago)"),
             age);
}

/* The set form: a panel over the lower part of the screen, a field a row,
 * each with its check. */
static void draw_set(struct ui *u)
{
    static const char *labels[SET_FIELDS] = {
        N_("Respiration rate (counted; empty: radar)"), N_("SpO2 (%)"),
        N_("Air or oxygen (air/oxygen)"),                N_("Systolic BP (mmHg)"),
        N_("Pulse (counted; empty: radar)"),           N_("ACVPU (A C V P U)"),
        N_("Temperature (degC)"),                      N_("Your initials (sign the set)"),
    };
    int top = LINES - 3 - SET_FIELDS - 1;
    if (top < 1)
        top = 1;
    char target[300], line[700];
    form_target(u, target, sizeof target);
    attron(A_BOLD | A_REVERSE);
    ui_putf(top, 0, COLS, _(" Observation set: %s"), target);
    attroff(A_BOLD | A_REVERSE);
    int lw = 0;
    for (int k = 0; k < SET_FIELDS; k++) {
        char label[160];
        snprintf(label, sizeof label, "%s", _(labels[k]));
        set_label_kept(u, k, label, sizeof label);
        int w = ww_utf8_width(label);
        if (w > lw)
            lw = w;
    }
    if (lw > COLS / 2)
        lw = COLS / 2;
    for (int k = 0; k < SET_FIELDS; k++) {
        int y = top + 1 + k;
        bool on = k == u->set_focus;
        char err[300];
        set_field_error(u, k, false, err, sizeof err);
        char label[160];
        snprintf(label, sizeof label, "%s", _(labels[k]));
        set_label_kept(u, k, label, sizeof label);
        int pad = lw - ww_utf8_width(label);
        snprintf(line, sizeof line, "%s%s%*s [%s%s]", on ? "> " : "  ", label, pad > 0 ? pad : 0,
                 "", u->set[k], on ? "_" : "");
        move(y, 0);
        clrtoeol();
        if (on)
            attron(A_BOLD);
        ui_put(y, 0, COLS, line);
        if (on)
            attroff(A_BOLD);
        int x = ww_utf8_width(line) + 2;
        if (x < COLS - 4) {
            if (err[0]) {
                attron(A_BOLD | (u->colour ? COLOR_PAIR(CP_HIGH) : 0));
                ui_put(y, x, COLS - x, err);
                attroff(A_BOLD | (u->colour ? COLOR_PAIR(CP_HIGH) : 0));
            } else if (u->set[k][0]) {
                ui_put(y, x, COLS - x, _("ok"));
            }
        }
    }
    move(LINES - 1, 0);
    clrtoeol();
    ui_put(LINES - 1, 0, COLS,
        _("Tab/Down next  Shift-Tab/Up back  Enter next; on initials saves the set  Esc cancel"));
}

/* The choice of alarm for an acknowledge or reset on a bed with several
 * (F_CHOOSE): Up/Down or the alarm's number, Enter takes it. The rows are
 * the alarms by id, so a re-sort or a new alarm never moves the choice. */
static void choose_key(struct ui *u, int rc, wint_t ch)
{
    if (rc == OK && ch == 27) {
        u->form = F_NONE;
        ui_msg(u, false, _("cancelled"));
        return;
    }
    if ((rc == KEY_CODE_YES && ch == KEY_UP) || (rc == OK && ch == 'k')) {
        if (u->choice_sel > 0)
            u->choice_sel--;
        return;
    }
    if ((rc == KEY_CODE_YES && ch == KEY_DOWN) || (rc == OK && (ch == 'j' || ch == '\t'))) {
        if (u->choice_sel + 1 < u->choice_n)
            u->choice_sel++;
        return;
    }
    bool take = (rc == OK && (ch == '\n' || ch == '\r')) || (rc == KEY_CODE_YES && ch == KEY_ENTER);
    if (rc == OK && ch >= '1' && ch <= '9' && (int)(ch - '1') < u->choice_n) {
        u->choice_sel = (int)(ch - '1');
        take = true;
    }
    if (!take)
        return;
    const struct ward_bed *b = bed_at(u, u->form_bed);
    int64_t id = u->choice_id[u->choice_sel];
    if (alarm_find_id(&b->alarms, id) < 0) {
        ui_msg(u, true, _("that alarm is no longer shown on %s: choose another"), b->label);
        return;
    }
    form_continue(u, u->choice_for);
    u->note_alarm = id;
}

static void draw_choose(struct ui *u)
{
    const struct ward_bed *b = bed_at(u, u->form_bed);
    int top = LINES - 3 - u->choice_n - 1;
    if (top < 1)
        top = 1;
    char target[300];
    form_target(u, target, sizeof target);
    attron(A_BOLD | A_REVERSE);
    ui_putf(top, 0, COLS,
         u->choice_for == F_ACK ? _(" Acknowledge which alarm on %s?") : _(" Reset which latched alarm on %s?"),
         target);
    attroff(A_BOLD | A_REVERSE);
    int64_t now = ward_now(u);
    for (int i = 0; i < u->choice_n && top + 1 + i < LINES - 2; i++) {
        int y = top + 1 + i;
        int c = alarm_find_id(&b->alarms, u->choice_id[i]);
        move(y, 0);
        clrtoeol();
        if (c < 0) {
            ui_putf(y, 0, COLS, "%s%d  %s", i == u->choice_sel ? "> " : "  ", i + 1,
                 _("(no longer shown)"));
            continue;
        }
        const struct alarm *a = &b->alarms.a[c];
        char age[16];
        ui_fmt_age(now - a->raised_at, age, sizeof age);
        attr_t at = ui_prio_attr(u, alarm_priority_of(c), a->acked) | (i == u->choice_sel ? A_UNDERLINE : 0);
        attron(at);
        ui_putf(y, 0, COLS, "%s%d  %-3s %s  %s  %s", i == u->choice_sel ? "> " : "  ", i + 1,
             alarm_priority_marker(alarm_priority_of(c)), _(alarm_condition_text(c)),
             _(alarm_state_name(a)), age);
        attroff(at);
    }
    move(LINES - 1, 0);
    clrtoeol();
    ui_put(LINES - 1, 0, COLS, _("Up/Down or its number chooses  Enter takes it  Esc cancel"));
}

/* Enter in a form: next step or commit. */
static void form_enter(struct ui *u)
{
    if (!form_validate(u, true))
        return;
    int steps = u->form == F_OBS ? 4 : u->form == F_NOTE ? 2 : u->form == F_ADMIT ? 3 : 1;
    if (u->form == F_OBS && u->step == 0 && !u->input[0]) {
        ui_set_start(u); /* Enter alone: the whole set in one form */
        return;
    }
    if (u->step < steps - 1) {
        ww_strlcpy(u->field[u->step], u->input, sizeof u->field[0]);
        u->step++;
        /* Scale 1 needs no prescriber; other observations skip that step too. */
        if (u->form == F_OBS && u->step == 2 &&
            (obs_name_find(u->field[0]) != NEWS2_NPARAMS || u->field[1][0] != '2'))
            u->step = 3;
        u->input[0] = 0;
        return;
    }
    form_commit(u);
}

/* A key inside a form. */
void ui_form_key(struct ui *u, int rc, wint_t ch)
{
    if (u->form == F_SET) {
        set_key(u, rc, ch);
        return;
    }
    if (u->form == F_CHOOSE) {
        choose_key(u, rc, ch);
        return;
    }
    if (u->form == F_OBS && u->step == 0 && !u->input[0] && rc == OK && ch == '\t') {
        ui_set_start(u); /* Tab in the empty name: the full set */
        return;
    }
    if (u->form == F_QUIT) {
        if (rc == OK && (ch == 'y' || ch == 'Y' || ch == 'j' || ch == 'J'))
            loop_stop(u->loop);
        u->form = F_NONE;
        return;
    }
    if (rc == OK && ch == 27) { /* Esc: cancel without a trace */
        u->form = F_NONE;
        ui_msg(u, false, _("cancelled"));
        return;
    }
    if ((rc == OK && (ch == '\n' || ch == '\r')) || (rc == KEY_CODE_YES && ch == KEY_ENTER)) {
        form_enter(u);
        return;
    }
    size_t len = strlen(u->input);
    if ((rc == KEY_CODE_YES && ch == KEY_BACKSPACE) || (rc == OK && (ch == 127 || ch == 8))) {
        /* drop one UTF-8 character */
        while (len > 0 && ((unsigned char)u->input[len - 1] & 0xC0) == 0x80)
            len--;
        if (len > 0)
            len--;
        u->input[len] = 0;
    } else if (rc == OK && ch >= 32 && ch != 127) {
        char mb[MB_LEN_MAX + 1];
        mbstate_t st = {0};
        size_t n = wcrtomb(mb, (wchar_t)ch, &st);
        size_t limit = form_limit(u);
        if (n != (size_t)-1 && len + n > limit) {
            /* Refused whole, never cut: the nurse sees why (H16-9). */
            ui_msg(u, true, _("this field is full: at most %zu bytes (%zu typed); "
                               "nothing more is taken"), limit, len);
            return;
        }
        if (n != (size_t)-1) {
            memcpy(u->input + len, mb, n);
            u->input[len + n] = 0;
        }
    }
    form_validate(u, false);
}

/* 'a' or 'r' on the selected bed: the alarm to act on, asked for when there
 * are several (see the cases below). */
void ui_ack_or_reset(struct ui *u, wint_t ch)
{
    /* The alarm on screen when the key was pressed, by its id: if another
     * terminal got there first the server refuses instead of acting on
     * whatever has become the most urgent meanwhile. */
    /* 'a' takes the most urgent alarm nobody has acknowledged, 'r' the
     * most urgent latched one, whatever else is shown (H16-16). */
    const struct ward_bed *b = bed_at(u, u->sel);
    int c = -1;
    for (int k = 0; k < AC_COUNT; k++) {
        const struct alarm *a = &b->alarms.a[k];
        bool fits = a->state != AS_NONE && (ch == 'a' ? !a->acked : a->state == AS_LATCHED);
        if (fits && (c < 0 || alarm_urgency_cmp(k, a, c, &b->alarms.a[c]) < 0))
            c = k;
    }
    if (c < 0) {
        if (alarm_most_urgent(&b->alarms) < 0)
            ui_msg(u, true, _("no alarm on %s"), b->label);
        else if (ch == 'a')
            ui_msg(u, true, _("every alarm on %s is already acknowledged"), b->label);
        else
            ui_msg(u, true, _("no latched alarm to reset on %s"), b->label);
        return;
    }
    /* Several: the nurse picks (most urgent first, preselected). */
    int cand[AC_COUNT], nc = 0;
    for (int k = 0; k < AC_COUNT; k++) {
        const struct alarm *a = &b->alarms.a[k];
        if (a->state != AS_NONE && (ch == 'a' ? !a->acked : a->state == AS_LATCHED))
            cand[nc++] = k;
    }
    for (int i = 1; i < nc; i++)
        for (int j = i; j > 0 && alarm_urgency_cmp(cand[j], &b->alarms.a[cand[j]], cand[j - 1],
                                                   &b->alarms.a[cand[j - 1]]) < 0;
             j--) {
            int t = cand[j];
            cand[j] = cand[j - 1];
            cand[j - 1] = t;
        }
    if (nc > 1) {
        ui_form_start(u, F_CHOOSE);
        u->choice_for = ch == 'a' ? F_ACK : F_RESET;
        u->choice_n = nc;
        u->choice_sel = 0;
        for (int i = 0; i < nc; i++)
            u->choice_id[i] = b->alarms.a[cand[i]].id;
        return;
    }
    ui_form_start(u, ch == 'a' ? F_ACK : F_RESET);
    u->note_alarm = b->alarms.a[c].id;
}
