/*
 * config — strict loading of the ward INI. iniparser reads the file; a scan
 * of the text first finds syntax errors, duplicate sections and duplicate
 * keys (iniparser silently keeps one) and remembers each key's line so every
 * message can name FILE:LINE. Values then go through typed getters driven by
 * the key tables below.
 */
#include "config.h"

#include "fhir.h"
#include "uri.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <iniparser.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum ktype { K_STR, K_PATH, K_INT, K_DBL, K_SHIFT };

struct kdef {
    const char *key;
    enum ktype type;
    size_t off;  /* offset into struct ward_config */
    size_t size; /* for strings */
    double min, max;
    const char *help;
};

#define S(field) offsetof(struct ward_config, field), sizeof(((struct ward_config *)0)->field)
#define N(field) offsetof(struct ward_config, field), 0

static const struct kdef ward_keys[] = {
    {"name", K_STR, S(name), 0, 0, "ward name, up to 48 bytes"},
    {"database", K_PATH, S(database), 0, 0, "path of the SQLite file"},
    {"staff", K_PATH, S(staff_file), 0, 0, "file of valid staff ids"},
    {"group", K_STR, S(group), 0, 0, "an existing unix group"},
    {"log", K_PATH, S(log_file), 0, 0, "path of the log file"},
};
static const struct kdef alarm_keys[] = {
    {"delay_s", K_INT, N(delay_s), 0, 600, NULL},
    {"delay_high_s", K_INT, N(delay_high_s), 0, 600, NULL},
    {"delay_medium_s", K_INT, N(delay_medium_s), 0, 600, NULL},
    {"delay_low_s", K_INT, N(delay_low_s), 0, 600, NULL},
    {"technical_delay_s", K_INT, N(technical_delay_s), 0, 600, NULL},
    {"apnoea_s", K_INT, N(apnoea_s), 5, 120, NULL},
    {"clear_s", K_INT, N(clear_s), 0, 600, NULL},
    {"physio_clear_s", K_INT, N(physio_clear_s), 0, 600, NULL},
    {"realert_s", K_INT, N(realert_s), 30, 3600, NULL},
    {"escalate_s", K_INT, N(escalate_s), 10, 3600, NULL},
    {"audio_pause_s", K_INT, N(audio_pause_s), 10, 600, NULL},
    {"rr_low", K_DBL, N(rr_low), 0, 80, NULL},
    {"rr_high", K_DBL, N(rr_high), 0, 80, NULL},
    {"hr_low", K_DBL, N(hr_low), 20, 300, NULL},
    {"hr_high", K_DBL, N(hr_high), 20, 300, NULL},
    {"rr_hysteresis", K_DBL, N(rr_hysteresis), 0, 10, NULL},
    {"hr_hysteresis", K_DBL, N(hr_hysteresis), 0, 30, NULL},
    {"score_hysteresis", K_INT, N(score_hysteresis), 0, 4, NULL},
    {"escalate_command", K_PATH, S(escalate_command), 0, 0, "absolute path of an executable"},
};
#define AGE(i) offsetof(struct ward_config, max_age_s) + (i) * sizeof(int), 0
#define MON(i) offsetof(struct ward_config, policy.monitoring_h) + (i) * sizeof(double), 0
static const struct kdef news2_keys[] = {
    {"manual_max_age_h", K_DBL, 0, 0, 0.1, 72, NULL}, /* handled specially */
    {"auto_max_age_s", K_INT, 0, 0, 5, 3600, NULL},   /* handled specially */
    {"rr_max_age_s", K_INT, AGE(NEWS2_RR), 5, 86400, NULL},
    {"hr_max_age_s", K_INT, AGE(NEWS2_HR), 5, 86400, NULL},
    {"spo2_max_age_h", K_DBL, AGE(NEWS2_SPO2), 0.1, 72, NULL},
    {"o2_max_age_h", K_DBL, AGE(NEWS2_O2), 0.1, 72, NULL},
    {"sbp_max_age_h", K_DBL, AGE(NEWS2_SBP), 0.1, 72, NULL},
    {"acvpu_max_age_h", K_DBL, AGE(NEWS2_ACVPU), 0.1, 72, NULL},
    {"temp_max_age_h", K_DBL, AGE(NEWS2_TEMP), 0.1, 72, NULL},
    {"monitoring_h_zero", K_DBL, MON(0), 0, 48, NULL},
    {"monitoring_h_low", K_DBL, MON(1), 0, 48, NULL},
    {"monitoring_h_low_medium", K_DBL, MON(2), 0, 48, NULL},
    {"monitoring_h_medium", K_DBL, MON(3), 0, 48, NULL},
    {"monitoring_h_high", K_DBL, MON(4), 0, 48, NULL},
    {"admission_obs_due_min", K_INT, N(admission_obs_due_min), 0, 720, NULL},
    {"counted_valid_min", K_INT, N(counted_valid_min), 1, 240, NULL},
    {"continuous_obs_min", K_INT, N(continuous_obs_min), 5, 240, NULL},
};
static const struct kdef sensor_keys[] = {
    {"no_signal_s", K_INT, N(no_signal_s), 2, 3600, NULL},
    {"reconnect_min_s", K_INT, N(reconnect_min_s), 1, 60, NULL},
    {"reconnect_max_s", K_INT, N(reconnect_max_s), 1, 600, NULL},
    {"out_of_bed_s", K_INT, N(out_of_bed_s), 1, 3600, NULL},
};
static const struct kdef shift_keys[] = {
    {"day", K_SHIFT, offsetof(struct ward_config, shifts[0]), 0, 0, 0, NULL},
    {"evening", K_SHIFT, offsetof(struct ward_config, shifts[1]), 0, 0, 0, NULL},
    {"night", K_SHIFT, offsetof(struct ward_config, shifts[2]), 0, 0, 0, NULL},
};
static const struct kdef handover_keys[] = {
    {"printer", K_STR, S(printer), 0, 0, "a CUPS printer name"},
    {"staff", K_STR, S(handover_staff), 0, 0, "a staff id, 2-16 letters, digits, - or _"},
};
static const struct kdef retention_keys[] = {
    {"samples_days", K_INT, N(samples_days), 1, 365, NULL},
    {"record_days", K_INT, N(record_days), 30, 36500, NULL},
};
static const struct kdef server_keys[] = {
    {"socket", K_PATH, S(socket), 0, 0, "path of the UNIX socket"},
    {"max_clients", K_INT, N(max_clients), 1, 128, NULL},
    {"client_queue_kb", K_INT, N(client_queue_kb), 64, 65536, NULL},
};

struct sdef {
    const char *name;
    const struct kdef *keys;
    size_t nkeys;
};
static const struct sdef sections[] = {
    {"ward", ward_keys, WW_ARRAY_LEN(ward_keys)},
    {"alarms", alarm_keys, WW_ARRAY_LEN(alarm_keys)},
    {"news2", news2_keys, WW_ARRAY_LEN(news2_keys)},
    {"sensors", sensor_keys, WW_ARRAY_LEN(sensor_keys)},
    {"shifts", shift_keys, WW_ARRAY_LEN(shift_keys)},
    {"handover", handover_keys, WW_ARRAY_LEN(handover_keys)},
    {"retention", retention_keys, WW_ARRAY_LEN(retention_keys)},
    {"server", server_keys, WW_ARRAY_LEN(server_keys)},
};

/* What the scan of the text found: each key's section and line. */
struct scan_key {
    char section[64];
    char key[64];
    int line;
};
struct scan_sec {
    char name[64];
    int line;
};
/* Both tables grow with the file: the bed limit is checked (and named) where
 * the beds are loaded, not by a table that happens to fill up. */
struct scan {
    struct scan_key *keys;
    size_t nkeys, cap;
    struct scan_sec *secs;
    size_t nsec, seccap;
};

/* Lower-case copy, trimmed (iniparser folds sections and keys to lower case). */
static void lower_trim(char *dst, size_t n, const char *s, size_t len)
{
    while (len && isspace((unsigned char)*s)) {
        s++;
        len--;
    }
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    if (len >= n)
        len = n - 1;
    for (size_t i = 0; i < len; i++)
        dst[i] = (char)tolower((unsigned char)s[i]);
    dst[len] = 0;
}

/* Line of a key (0 when unknown). */
static int key_line(const struct scan *sc, const char *section, const char *key)
{
    for (size_t i = 0; i < sc->nkeys; i++)
        if (!strcmp(sc->keys[i].section, section) && !strcmp(sc->keys[i].key, key))
            return sc->keys[i].line;
    return 0;
}

/* Line of a section header (0 when unknown). */
static int section_line(const struct scan *sc, const char *section)
{
    for (size_t i = 0; i < sc->nsec; i++)
        if (!strcmp(sc->secs[i].name, section))
            return sc->secs[i].line;
    return 0;
}

#define INI_LINE_MAX 1000

/* Read the text: syntax, duplicates, lines. */
static int scan_file(const char *path, struct scan *sc, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return ww_err(err, errlen, "%s: cannot open: %s", path, strerror(errno));
    char line[4096];
    char section[64] = "";
    int lineno = 0;
    int rc = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        size_t len = strlen(line);
        /* iniparser 4.1 reads lines into 1024 bytes and gives up on longer
         * ones without saying where: refuse them here with the line. */
        if (len > INI_LINE_MAX || (len == sizeof line - 1 && line[len - 1] != '\n')) {
            rc = ww_err(err, errlen, "%s:%d: line too long (at most %d bytes)", path, lineno,
                        INI_LINE_MAX);
            break;
        }
        char *s = line;
        while (isspace((unsigned char)*s))
            s++;
        if (!*s || *s == ';' || *s == '#')
            continue;
        if (*s == '[') {
            char *end = strchr(s, ']');
            char *after = end ? end + 1 : NULL;
            while (after && isspace((unsigned char)*after))
                after++;
            if (!end || (after && *after && *after != ';' && *after != '#')) {
                rc = ww_err(err, errlen, "%s:%d: malformed section header", path, lineno);
                break;
            }
            /* iniparser 4.1 cannot read "[x] ; comment" (it said only "could
             * not read the file", without the line) */
            if (after && *after) {
                rc = ww_err(err, errlen,
                            "%s:%d: comment after a section header: put it on a line of its "
                            "own",
                            path, lineno);
                break;
            }
            lower_trim(section, sizeof section, s + 1, (size_t)(end - s - 1));
            if (!section[0]) {
                rc = ww_err(err, errlen, "%s:%d: empty section name", path, lineno);
                break;
            }
            int prev = section_line(sc, section);
            if (prev) {
                rc = ww_err(err, errlen, "%s:%d: [%s]: duplicate section (first at line %d)",
                            path, lineno, section, prev);
                break;
            }
            if (sc->nsec == sc->seccap) {
                size_t ncap = sc->seccap ? sc->seccap * 2 : 32;
                struct scan_sec *ns = realloc(sc->secs, ncap * sizeof *ns);
                if (!ns) {
                    rc = ww_err(err, errlen, "%s:%d: out of memory", path, lineno);
                    break;
                }
                sc->secs = ns;
                sc->seccap = ncap;
            }
            ww_strlcpy(sc->secs[sc->nsec].name, section, sizeof sc->secs[0].name);
            sc->secs[sc->nsec++].line = lineno;
            continue;
        }
        char *eq = strchr(s, '=');
        if (!eq) {
            rc = ww_err(err, errlen, "%s:%d: syntax error: expected 'key = value'", path, lineno);
            break;
        }
        if (!section[0]) {
            rc = ww_err(err, errlen, "%s:%d: key outside any [section]", path, lineno);
            break;
        }
        char key[64];
        lower_trim(key, sizeof key, s, (size_t)(eq - s));
        if (!key[0]) {
            rc = ww_err(err, errlen, "%s:%d: [%s]: empty key name", path, lineno, section);
            break;
        }
        int prev = key_line(sc, section, key);
        if (prev) {
            rc = ww_err(err, errlen, "%s:%d: [%s] %s: duplicate key (first at line %d)", path,
                        lineno, section, key, prev);
            break;
        }
        if (sc->nkeys == sc->cap) {
            sc->cap = sc->cap ? sc->cap * 2 : 64;
            struct scan_key *nk = realloc(sc->keys, sc->cap * sizeof *nk);
            if (!nk) {
                rc = ww_err(err, errlen, "out of memory");
                break;
            }
            sc->keys = nk;
        }
        struct scan_key *k = &sc->keys[sc->nkeys++];
        ww_strlcpy(k->section, section, sizeof k->section);
        ww_strlcpy(k->key, key, sizeof k->key);
        k->line = lineno;
    }
    fclose(f);
    return rc;
}

/* Defaults. */
void config_defaults(struct ward_config *c)
{
    memset(c, 0, sizeof *c);
    ww_strlcpy(c->name, "Ward", sizeof c->name);
    ww_strlcpy(c->database, "/var/lib/wardwatch/ward.db", sizeof c->database);
    c->delay_s = 20;
    c->delay_high_s = c->delay_medium_s = c->delay_low_s = -1; /* = delay_s */
    c->technical_delay_s = 10;
    c->apnoea_s = 20;
    c->clear_s = 10;
    c->physio_clear_s = 60;
    c->realert_s = 180;
    c->escalate_s = 120;
    c->audio_pause_s = 120;
    c->rr_low = 8;
    c->rr_high = 25;
    c->hr_low = 40;
    c->hr_high = 131;
    c->rr_hysteresis = 2;
    c->hr_hysteresis = 5;
    c->score_hysteresis = 2;
    c->admission_obs_due_min = 0;
    c->counted_valid_min = 15;
    c->continuous_obs_min = 30;
    for (int p = 0; p < NEWS2_NPARAMS; p++)
        c->max_age_s[p] = 6 * 3600;
    c->max_age_s[NEWS2_RR] = c->max_age_s[NEWS2_HR] = 60;
    c->policy = news2_policy_default();
    c->no_signal_s = 30;
    c->reconnect_min_s = 1;
    c->reconnect_max_s = 30;
    c->out_of_bed_s = 30;
    static const struct config_shift sh[3] = {
        {"day", 7 * 60, 15 * 60}, {"evening", 15 * 60, 23 * 60}, {"night", 23 * 60, 7 * 60}};
    memcpy(c->shifts, sh, sizeof sh);
    c->samples_days = 7;
    c->record_days = 3650;
    ww_strlcpy(c->socket, "/run/wardwatch/ward.sock", sizeof c->socket);
    c->max_clients = 32;
    c->client_queue_kb = 1024;
}

/* Search order. */
const char *config_pick_path(const char *path)
{
    if (path && *path)
        return path;
    const char *env = getenv("WARDWATCH_CONFIG");
    if (env && *env)
        return env;
    return WARDWATCH_SYSCONFDIR "/wardwatch/wardwatch.ini";
}

/* Staff id syntax: 2-16 characters of letters, digits, '-', '_' (UTF-8 letters allowed). */
bool config_staff_syntax(const char *id)
{
    size_t chars = 0;
    const unsigned char *s = (const unsigned char *)id;
    while (*s) {
        if (*s >= 0x80) {
            /* a multi-byte UTF-8 letter such as Æ Ø Å: accept well-formed sequences */
            int n = (*s & 0xE0) == 0xC0 ? 2 : (*s & 0xF0) == 0xE0 ? 3 : 0;
            if (!n)
                return false;
            for (int i = 1; i < n; i++)
                if ((s[i] & 0xC0) != 0x80)
                    return false;
            s += n;
        } else if (isalnum(*s) || *s == '-' || *s == '_') {
            s++;
        } else {
            return false;
        }
        chars++;
    }
    return chars >= 2 && chars <= 16 && strlen(id) < 24;
}

/* Staff id allowed to sign? */
bool config_staff_valid(const struct ward_config *c, const char *id)
{
    if (!id || !config_staff_syntax(id))
        return false;
    if (c->nstaff == 0)
        return true;
    for (int i = 0; i < c->nstaff; i++)
        if (!strcasecmp(c->staff[i], id))
            return true;
    return false;
}

/* Resolve a path relative to the INI's directory; -1 when the result does
 * not fit in n bytes (never cut silently: a cut path names another file). */
static int resolve_path(char *dst, size_t n, const char *ini, const char *v)
{
    const char *slash = v[0] == '/' ? NULL : strrchr(ini, '/');
    int len =
        slash ? snprintf(dst, n, "%.*s/%s", (int)(slash - ini), ini, v) : snprintf(dst, n, "%s", v);
    return len < 0 || (size_t)len >= n ? -1 : 0;
}

/* Parse HH:MM-HH:MM. */
static int parse_shift(const char *v, struct config_shift *sh)
{
    int h1, m1, h2, m2;
    char tail;
    if (strlen(v) != 11 || sscanf(v, "%2d:%2d-%2d:%2d%c", &h1, &m1, &h2, &m2, &tail) != 4)
        return -1;
    for (int i = 0; i < 11; i++)
        if (i != 2 && i != 5 && i != 8 && !isdigit((unsigned char)v[i]))
            return -1;
    if (h1 > 23 || h2 > 23 || m1 > 59 || m2 > 59 || (h1 == h2 && m1 == m2))
        return -1;
    sh->start_min = h1 * 60 + m1;
    sh->end_min = h2 * 60 + m2;
    return 0;
}

/* Error with FILE:LINE: [section] key: prefix. */
static int key_err(char *err, size_t errlen, const char *path, int line, const char *section,
                   const char *key, const char *fmt, ...) __attribute__((format(printf, 7, 8)));
static int key_err(char *err, size_t errlen, const char *path, int line, const char *section,
                   const char *key, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return ww_err(err, errlen, "%s:%d: [%s] %s: %s", path, line, section, key, msg);
}

/* Apply one key of a fixed section. */
static int apply_key(struct ward_config *c, const struct kdef *k, const char *section,
                     const char *v, const char *path, int line, char *err, size_t errlen)
{
    char *base = (char *)c;
    long l;
    double d;
    char clean[CONFIG_PATH_MAX];
    switch (k->type) {
    case K_STR:
        ww_sanitize_text(clean, sizeof clean, v, false);
        if (!clean[0])
            return key_err(err, errlen, path, line, section, k->key, "empty (accepted: %s)",
                           k->help);
        if (strlen(clean) >= k->size || strlen(clean) > 48)
            return key_err(err, errlen, path, line, section, k->key, "too long (accepted: %s)",
                           k->help);
        ww_strlcpy(base + k->off, clean, k->size);
        return 0;
    case K_PATH:
        if (!v[0])
            return key_err(err, errlen, path, line, section, k->key, "empty (accepted: %s)",
                           k->help);
        for (const char *p = v; *p; p++)
            if ((unsigned char)*p < 0x20)
                return key_err(err, errlen, path, line, section, k->key,
                               "control character in path");
        if (!strcmp(k->key, "escalate_command") && v[0] != '/')
            return key_err(err, errlen, path, line, section, k->key, "must be an absolute path");
        if (resolve_path(base + k->off, k->size, path, v) < 0)
            return key_err(err, errlen, path, line, section, k->key,
                           "path too long (at most %zu bytes once relative to %s's directory)",
                           k->size - 1, path);
        return 0;
    case K_INT:
        if (ww_parse_long(v, (long)k->min, (long)k->max, &l) < 0)
            return key_err(err, errlen, path, line, section, k->key,
                           "'%s' is not a whole number in %g-%g", v, k->min, k->max);
        *(int *)(base + k->off) = (int)l;
        return 0;
    case K_DBL:
        if (ww_parse_double(v, k->min, k->max, &d) < 0)
            return key_err(err, errlen, path, line, section, k->key,
                           "'%s' is not a number in %g-%g (use '.' for decimals)", v, k->min,
                           k->max);
        if (k->off >= offsetof(struct ward_config, max_age_s) &&
            k->off < offsetof(struct ward_config, max_age_s) + sizeof c->max_age_s)
            *(int *)(base + k->off) = (int)(d * 3600.0 + 0.5); /* hours -> seconds */
        else
            *(double *)(base + k->off) = d;
        return 0;
    case K_SHIFT:
        if (parse_shift(v, (struct config_shift *)(base + k->off)) < 0)
            return key_err(err, errlen, path, line, section, k->key,
                           "'%s' is not a shift like 07:00-15:00", v);
        return 0;
    }
    return 0;
}

/* Load the staff list. */
static int load_staff(struct ward_config *c, const char *ini, int line, char *err, size_t errlen)
{
    FILE *f = fopen(c->staff_file, "r");
    if (!f)
        return ww_err(err, errlen, "%s:%d: [ward] staff: cannot open %s: %s", ini, line,
                      c->staff_file, strerror(errno));
    char buf[256];
    int ln = 0, rc = 0;
    while (fgets(buf, sizeof buf, f)) {
        ln++;
        char *s = buf;
        while (isspace((unsigned char)*s))
            s++;
        size_t len = strlen(s);
        while (len && isspace((unsigned char)s[len - 1]))
            s[--len] = 0;
        if (!*s || *s == '#')
            continue;
        if (!config_staff_syntax(s)) {
            rc = ww_err(err, errlen,
                        "%s:%d: staff id '%s' is not 2-16 letters, digits, '-' or '_'",
                        c->staff_file, ln, s);
            break;
        }
        if (c->nstaff >= CONFIG_MAX_STAFF) {
            rc = ww_err(err, errlen, "%s:%d: more than %d staff ids", c->staff_file, ln,
                        CONFIG_MAX_STAFF);
            break;
        }
        ww_strlcpy(c->staff[c->nstaff++], s, sizeof c->staff[0]);
    }
    fclose(f);
    return rc;
}

/* Parse a [bed.N] section. */
static int load_bed(struct ward_config *c, dictionary *d, const char *sec, const struct scan *sc,
                    const char *path, char *err, size_t errlen)
{
    int sline = section_line(sc, sec);
    long num;
    if (ww_parse_long(sec + 4, 1, 9999, &num) < 0 || sec[4] == '0' || sec[4] == '+')
        return ww_err(err, errlen, "%s:%d: [%s]: bed sections are [bed.N] with N 1-9999", path,
                      sline, sec);
    if (c->nbeds >= CONFIG_MAX_BEDS)
        return ww_err(err, errlen, "%s:%d: [%s]: more than %d beds (the ward's limit)", path,
                      sline, sec, CONFIG_MAX_BEDS);
    struct config_bed *b = &c->beds[c->nbeds];
    memset(b, 0, sizeof *b);
    b->number = (int)num;
    b->target = -1;
    b->line = sline;
    for (size_t i = 0; i < sc->nkeys; i++) {
        const struct scan_key *k = &sc->keys[i];
        if (strcmp(k->section, sec))
            continue;
        char full[160];
        snprintf(full, sizeof full, "%s:%s", sec, k->key);
        const char *v = iniparser_getstring(d, full, "");
        if (!strcmp(k->key, "label")) {
            ww_sanitize_text(b->label, sizeof b->label, v, false);
            if (!b->label[0])
                return key_err(err, errlen, path, k->line, sec, "label", "empty");
            if (strlen(b->label) > 32)
                return key_err(err, errlen, path, k->line, sec, "label",
                               "longer than 32 bytes");
        } else if (!strcmp(k->key, "sensor")) {
            struct sensor_uri u;
            char why[256];
            if (uri_parse(v, &u, why, sizeof why) < 0)
                return key_err(err, errlen, path, k->line, sec, "sensor", "%s", why);
            if ((u.kind == URI_FILE || u.kind == URI_REPLAY) && u.address[0] != '/') {
                /* Captures and recordings are found next to the INI. */
                char abs[sizeof u.address];
                if (resolve_path(abs, sizeof abs, path, u.address) < 0)
                    return key_err(err, errlen, path, k->line, sec, "sensor",
                                   "path too long once relative to the directory of %s", path);
                ww_strlcpy(u.address, abs, sizeof u.address);
                if (uri_format(&u, b->sensor, sizeof b->sensor) < 0)
                    return key_err(err, errlen, path, k->line, sec, "sensor",
                                   "URI too long once the path is made absolute (at most %zu "
                                   "bytes)",
                                   sizeof b->sensor - 1);
            } else if (ww_strlcpy(b->sensor, v, sizeof b->sensor) >= sizeof b->sensor) {
                return key_err(err, errlen, path, k->line, sec, "sensor", "URI too long");
            }
        } else if (!strcmp(k->key, "target")) {
            long t;
            if (ww_parse_long(v, 0, 65535, &t) < 0)
                return key_err(err, errlen, path, k->line, sec, "target",
                               "'%s' is not a tracked-person id 0-65535", v);
            b->target = (int)t;
        } else {
            return key_err(err, errlen, path, k->line, sec, k->key,
                           "unknown key (accepted: label, sensor, target)");
        }
    }
    if (!b->label[0])
        return ww_err(err, errlen, "%s:%d: [%s] label: missing (every bed needs a label)", path,
                      sline, sec);
    for (int i = 0; i < c->nbeds; i++) {
        if (!strcmp(c->beds[i].label, b->label))
            return key_err(err, errlen, path, key_line(sc, sec, "label"), sec, "label",
                           "'%s' is already the label of [bed.%d]", b->label, c->beds[i].number);
        if (b->sensor[0] && !strcmp(c->beds[i].sensor, b->sensor) &&
            (b->target < 0 || c->beds[i].target < 0 || b->target == c->beds[i].target))
            return key_err(err, errlen, path, key_line(sc, sec, "sensor"), sec, "sensor",
                           "already used by [bed.%d] (two beds may share a multi-patient radar "
                           "only with distinct target ids)",
                           c->beds[i].number);
    }
    c->nbeds++;
    return 0;
}

/* HOST:PORT or [IPv6]:PORT. */
static int parse_address(const char *v, char *host, size_t hostlen, int *port)
{
    const char *colon;
    const char *h = v;
    size_t hl;
    if (v[0] == '[') {
        const char *end = strchr(v, ']');
        if (!end || end[1] != ':')
            return -1;
        h = v + 1;
        hl = (size_t)(end - h);
        colon = end + 1;
    } else {
        colon = strrchr(v, ':');
        if (!colon || strchr(v, ':') != colon)
            return -1;
        hl = (size_t)(colon - v);
    }
    if (hl == 0 || hl >= hostlen)
        return -1;
    for (size_t i = 0; i < hl; i++)
        if (!isalnum((unsigned char)h[i]) && !strchr(".-_:", h[i]))
            return -1;
    long p;
    if (ww_parse_long(colon + 1, 1, 65535, &p) < 0)
        return -1;
    memcpy(host, h, hl);
    host[hl] = 0;
    *port = (int)p;
    return 0;
}

/* A text key of [export.NAME]: HL7-safe (escaped anyway), 1-31 bytes. */
static int export_text(char *dst, size_t n, const char *v)
{
    ww_sanitize_text(dst, n, v, false);
    return dst[0] && strlen(v) < n ? 0 : -1;
}

/* The section name, the limit and the defaults of an [export.NAME] section,
 * and its protocol (which decides the keys it may have). */
static int export_head(struct ward_config *c, dictionary *d, const char *sec,
                       const struct scan *sc, const char *path, char *err, size_t errlen)
{
    int sline = section_line(sc, sec);
    const char *name = sec + 7;
    size_t nl = strlen(name);
    bool ok = nl > 0 && nl < sizeof c->exports[0].name;
    for (size_t i = 0; ok && i < nl; i++)
        ok = isalnum((unsigned char)name[i]) || name[i] == '-' || name[i] == '_';
    if (!ok)
        return ww_err(err, errlen,
                      "%s:%d: [%s]: export sections are [export.NAME] with NAME 1-31 letters, "
                      "digits, '-' or '_'",
                      path, sline, sec);
    if (c->nexports >= CONFIG_MAX_EXPORTS)
        return ww_err(err, errlen, "%s:%d: [%s]: more than %d exports", path, sline, sec,
                      CONFIG_MAX_EXPORTS);
    struct config_export *e = &c->exports[c->nexports];
    memset(e, 0, sizeof *e);
    ww_strlcpy(e->name, name, sizeof e->name);
    e->period_s = 60;
    e->alarms = true;
    e->ack_timeout_s = 10;
    e->fail_alarm_min = 10;
    e->line = sline;
    int proto_line = key_line(sc, sec, "protocol");
    if (!proto_line)
        return ww_err(err, errlen, "%s:%d: [%s] protocol: missing (accepted: hl7, fhir)", path,
                      sline, sec);
    char full[160];
    snprintf(full, sizeof full, "%s:protocol", sec);
    const char *pv = iniparser_getstring(d, full, "");
    if (!strcmp(pv, "hl7"))
        e->protocol = EXPORT_HL7;
    else if (!strcmp(pv, "fhir"))
        e->protocol = EXPORT_FHIR;
    else
        return key_err(err, errlen, path, proto_line, sec, "protocol",
                       "'%s' is not a protocol (accepted: hl7, fhir)", pv);
    return 0;
}

/* The destination keys of an [export.NAME] section: address, url,
 * patient_system. 1 when the key is none of them. */
static int export_dest_key(struct config_export *e, const char *sec, const struct scan_key *k,
                           const char *v, const char *path, char *err, size_t errlen)
{
    bool hl7 = e->protocol == EXPORT_HL7;
    if (!strcmp(k->key, "address")) {
        if (parse_address(v, e->host, sizeof e->host, &e->port) < 0)
            return key_err(err, errlen, path, k->line, sec, k->key,
                           "'%s' is not HOST:PORT (port 1-65535; IPv6 as [ADDR]:PORT)", v);
    } else if (!strcmp(k->key, "url")) {
        if (hl7)
            return key_err(err, errlen, path, k->line, sec, k->key,
                           "only for protocol = fhir (this section is hl7: use address)");
        if ((strncmp(v, "http://", 7) && strncmp(v, "https://", 8)) || strpbrk(v, " \t") ||
            strlen(v) < 9 || ww_strlcpy(e->url, v, sizeof e->url) >= sizeof e->url)
            return key_err(err, errlen, path, k->line, sec, k->key,
                           "'%s' is not an http:// or https:// URL (at most %zu bytes)", v,
                           sizeof e->url - 1);
    } else if (!strcmp(k->key, "patient_system")) {
        if (hl7)
            return key_err(err, errlen, path, k->line, sec, k->key,
                           "only for protocol = fhir (this section is hl7)");
        /* a URI (RFC 3986 scheme ':' ...), put in JSON and in a query */
        bool uri = isalpha((unsigned char)v[0]) && strchr(v, ':') &&
                   strlen(v) < sizeof e->patient_system;
        for (const char *q = v; uri && *q; q++)
            uri = isalnum((unsigned char)*q) || strchr(":/.-_~%#?=@+", *q);
        if (!uri)
            return key_err(err, errlen, path, k->line, sec, k->key,
                           "'%s' is not a URI such as urn:oid:2.16.578.1.12.4.1.4.1 "
                           "(letters, digits and :/.-_~%%#?=@+, at most %zu bytes)",
                           v, sizeof e->patient_system - 1);
        ww_strlcpy(e->patient_system, v, sizeof e->patient_system);
    } else {
        return 1;
    }
    return 0;
}

/* One key of an [export.NAME] section other than protocol. */
static int export_key(struct config_export *e, const char *sec, const struct scan_key *k,
                      const char *v, const char *path, char *err, size_t errlen)
{
    static const char *const hl7_only[] = {"address", "alarms", "alarm_codes", "receiver"};
    long l;
    for (size_t j = 0; j < WW_ARRAY_LEN(hl7_only); j++)
        if (e->protocol == EXPORT_FHIR && !strcmp(k->key, hl7_only[j]))
            return key_err(err, errlen, path, k->line, sec, k->key,
                           "only for protocol = hl7 (this section is fhir)");
    int rc = export_dest_key(e, sec, k, v, path, err, errlen);
    if (rc <= 0)
        return rc;
    if (!strcmp(k->key, "facility")) {
        if (export_text(e->facility, sizeof e->facility, v) < 0)
            return key_err(err, errlen, path, k->line, sec, k->key,
                           "empty or longer than %zu bytes", sizeof e->facility - 1);
    } else if (!strcmp(k->key, "receiver")) {
        if (export_text(e->receiver, sizeof e->receiver, v) < 0)
            return key_err(err, errlen, path, k->line, sec, k->key,
                           "empty or longer than %zu bytes", sizeof e->receiver - 1);
    } else if (!strcmp(k->key, "period_s")) {
        if (ww_parse_long(v, 10, 3600, &l) < 0)
            return key_err(err, errlen, path, k->line, sec, k->key,
                           "'%s' is not a whole number in 10-3600", v);
        e->period_s = (int)l;
    } else if (!strcmp(k->key, "ack_timeout_s")) {
        if (ww_parse_long(v, 1, 300, &l) < 0)
            return key_err(err, errlen, path, k->line, sec, k->key,
                           "'%s' is not a whole number in 1-300", v);
        e->ack_timeout_s = (int)l;
    } else if (!strcmp(k->key, "fail_alarm_min")) {
        if (ww_parse_long(v, 1, 1440, &l) < 0)
            return key_err(err, errlen, path, k->line, sec, k->key,
                           "'%s' is not a whole number in 1-1440", v);
        e->fail_alarm_min = (int)l;
    } else if (!strcmp(k->key, "alarms")) {
        if (strcmp(v, "yes") && strcmp(v, "no"))
            return key_err(err, errlen, path, k->line, sec, k->key, "'%s' is not yes or no", v);
        e->alarms = !strcmp(v, "yes");
    } else if (!strcmp(k->key, "alarm_codes")) {
        if (!strcmp(v, "2024"))
            e->alarm_codes = EXPORT_CODES_2024;
        else if (!strcmp(v, "legacy"))
            e->alarm_codes = EXPORT_CODES_LEGACY;
        else
            return key_err(err, errlen, path, k->line, sec, k->key,
                           "'%s' is not 2024 (68480-68485) or legacy (68164-68168)", v);
    } else {
        return key_err(err, errlen, path, k->line, sec, k->key,
                       "unknown key (accepted: protocol, address, url, facility, receiver, "
                       "period_s, alarms, ack_timeout_s, alarm_codes, fail_alarm_min, "
                       "patient_system)");
    }
    return 0;
}

/* What an [export.NAME] section must have, and a destination no other
 * export has. */
static int export_finish(const struct ward_config *c, const struct config_export *e,
                         const char *sec, const struct scan *sc, const char *path, char *err,
                         size_t errlen)
{
    bool hl7 = e->protocol == EXPORT_HL7;
    if (hl7 && !e->host[0])
        return ww_err(err, errlen, "%s:%d: [%s] address: missing (protocol hl7 needs HOST:PORT)",
                      path, e->line, sec);
    if (hl7 && !e->facility[0])
        return ww_err(err, errlen, "%s:%d: [%s] facility: missing (protocol hl7 sends it in "
                      "MSH-4 and PV1-3)", path, e->line, sec);
    if (!hl7 && !e->url[0])
        return ww_err(err, errlen, "%s:%d: [%s] url: missing (protocol fhir needs the base URL)",
                      path, e->line, sec);
    for (int i = 0; i < c->nexports; i++) {
        const struct config_export *o = &c->exports[i];
        bool same = o->protocol == e->protocol &&
                    (hl7 ? !strcmp(o->host, e->host) && o->port == e->port
                         : !strcmp(o->url, e->url));
        if (same)
            return key_err(err, errlen, path, key_line(sc, sec, hl7 ? "address" : "url"), sec,
                           hl7 ? "address" : "url",
                           "already the destination of [export.%s] (every message would go "
                           "twice)", o->name);
    }
    return 0;
}

/* Parse an [export.NAME] section (#20): head, keys, what it must have. */
static int load_export(struct ward_config *c, dictionary *d, const char *sec,
                       const struct scan *sc, const char *path, char *err, size_t errlen)
{
    if (export_head(c, d, sec, sc, path, err, errlen) < 0)
        return -1;
    struct config_export *e = &c->exports[c->nexports];
    for (size_t i = 0; i < sc->nkeys; i++) {
        const struct scan_key *k = &sc->keys[i];
        if (strcmp(k->section, sec) || !strcmp(k->key, "protocol"))
            continue;
        char full[160];
        snprintf(full, sizeof full, "%s:%s", sec, k->key);
        if (export_key(e, sec, k, iniparser_getstring(d, full, ""), path, err, errlen) < 0)
            return -1;
    }
    if (export_finish(c, e, sec, sc, path, err, errlen) < 0)
        return -1;
    c->nexports++;
    return 0;
}

/* Sort beds by number. */
static int bed_cmp(const void *a, const void *b)
{
    return ((const struct config_bed *)a)->number - ((const struct config_bed *)b)->number;
}

/* Every section must be known: fixed sections by table, beds and exports by
 * pattern (and loaded here). */
static int load_sections(struct ward_config *c, dictionary *d, const struct scan *sc,
                         const char *path, char *err, size_t errlen)
{
    for (size_t s = 0; s < sc->nsec; s++) {
        const char *sec = sc->secs[s].name;
        if (!strncmp(sec, "bed.", 4)) {
            if (load_bed(c, d, sec, sc, path, err, errlen) < 0)
                return -1;
            continue;
        }
        if (!strncmp(sec, "export.", 7)) {
            if (load_export(c, d, sec, sc, path, err, errlen) < 0)
                return -1;
            continue;
        }
        bool known = false;
        for (size_t i = 0; i < WW_ARRAY_LEN(sections); i++)
            known |= !strcmp(sections[i].name, sec);
        if (!known)
            return ww_err(err, errlen,
                          "%s:%d: [%s]: unknown section (accepted: ward, alarms, news2, "
                          "sensors, shifts, handover, retention, server, bed.N, export.NAME)",
                          path, sc->secs[s].line, sec);
    }
    return 0;
}

/* [news2]'s general ages: applied before the keys, so that explicit
 * per-parameter ages win over them. */
static int load_general_ages(struct ward_config *c, dictionary *d, const struct scan *sc,
                             const char *path, char *err, size_t errlen)
{
    double manual_h = -1;
    long auto_s = -1;
    for (size_t i = 0; i < sc->nkeys; i++) {
        const struct scan_key *k = &sc->keys[i];
        if (strcmp(k->section, "news2"))
            continue;
        char full[160];
        snprintf(full, sizeof full, "news2:%s", k->key);
        const char *v = iniparser_getstring(d, full, "");
        if (!strcmp(k->key, "manual_max_age_h") && ww_parse_double(v, 0.1, 72, &manual_h) < 0)
            return key_err(err, errlen, path, k->line, "news2", k->key,
                           "'%s' is not a number in 0.1-72 (use '.' for decimals)", v);
        if (!strcmp(k->key, "auto_max_age_s") && ww_parse_long(v, 5, 3600, &auto_s) < 0)
            return key_err(err, errlen, path, k->line, "news2", k->key,
                           "'%s' is not a whole number in 5-3600", v);
    }
    if (manual_h > 0)
        for (int p = 0; p < NEWS2_NPARAMS; p++)
            if (p != NEWS2_RR && p != NEWS2_HR)
                c->max_age_s[p] = (int)(manual_h * 3600 + 0.5);
    if (auto_s > 0)
        c->max_age_s[NEWS2_RR] = c->max_age_s[NEWS2_HR] = (int)auto_s;
    return 0;
}

/* The keys of the fixed sections, by table; the [ward] staff key's line
 * goes to *staff_line. */
static int load_fixed_keys(struct ward_config *c, dictionary *d, const struct scan *sc,
                           const char *path, int *staff_line, char *err, size_t errlen)
{
    for (size_t i = 0; i < sc->nkeys; i++) {
        const struct scan_key *k = &sc->keys[i];
        if (!strncmp(k->section, "bed.", 4) || !strncmp(k->section, "export.", 7))
            continue;
        const struct sdef *sd = NULL;
        for (size_t s = 0; s < WW_ARRAY_LEN(sections); s++)
            if (!strcmp(sections[s].name, k->section))
                sd = &sections[s];
        const struct kdef *kd = NULL;
        for (size_t j = 0; sd && j < sd->nkeys; j++)
            if (!strcmp(sd->keys[j].key, k->key))
                kd = &sd->keys[j];
        if (!kd) {
            char accepted[512] = "";
            for (size_t j = 0; sd && j < sd->nkeys; j++) {
                strncat(accepted, j ? ", " : "", sizeof accepted - strlen(accepted) - 1);
                strncat(accepted, sd->keys[j].key, sizeof accepted - strlen(accepted) - 1);
            }
            return key_err(err, errlen, path, k->line, k->section, k->key,
                           "unknown key (accepted: %s)", accepted);
        }
        if (!strcmp(k->key, "manual_max_age_h") || !strcmp(k->key, "auto_max_age_s"))
            continue;
        char full[160];
        snprintf(full, sizeof full, "%s:%s", k->section, k->key);
        const char *v = iniparser_getstring(d, full, "");
        if (apply_key(c, kd, k->section, v, path, k->line, err, errlen) < 0)
            return -1;
        if (!strcmp(k->key, "staff"))
            *staff_line = k->line;
    }
    return 0;
}

/* [alarms] escalate_command: an executable nobody else may change. */
static int check_escalate(const struct ward_config *c, const struct scan *sc, const char *path,
                          char *err, size_t errlen)
{
    int line = key_line(sc, "alarms", "escalate_command");
    struct stat st;
    if (c->escalate_command[0] != '/')
        return key_err(err, errlen, path, line, "alarms", "escalate_command",
                       "must be an absolute path");
    if (stat(c->escalate_command, &st) < 0 || !S_ISREG(st.st_mode) || !(st.st_mode & 0111))
        return key_err(err, errlen, path, line, "alarms", "escalate_command",
                       "%s is not an executable file", c->escalate_command);
    if (st.st_mode & 0002)
        return key_err(err, errlen, path, line, "alarms", "escalate_command",
                       "%s is world-writable: refusing to run it", c->escalate_command);
    struct stat ist;
    if (stat(path, &ist) == 0 && (ist.st_mode & 0002))
        return key_err(err, errlen, path, line, "alarms", "escalate_command",
                       "the configuration file is world-writable and names a command to run; "
                       "chmod o-w %s",
                       path);
    return 0;
}

/* Checks between keys, and the staff file. */
static int cross_check(struct ward_config *c, const struct scan *sc, const char *path,
                       int staff_line, char *err, size_t errlen)
{
    if (!section_line(sc, "ward") || !key_line(sc, "ward", "name"))
        return ww_err(err, errlen, "%s:%d: [ward] name: missing (the ward needs a name)", path,
                      section_line(sc, "ward"));
    if (c->delay_high_s < 0)
        c->delay_high_s = c->delay_s;
    if (c->delay_medium_s < 0)
        c->delay_medium_s = c->delay_s;
    if (c->delay_low_s < 0)
        c->delay_low_s = c->delay_s;
    if (c->rr_low >= c->rr_high)
        return key_err(err, errlen, path, key_line(sc, "alarms", "rr_low"), "alarms", "rr_low",
                       "must be below rr_high (%g)", c->rr_high);
    if (c->hr_low >= c->hr_high)
        return key_err(err, errlen, path, key_line(sc, "alarms", "hr_low"), "alarms", "hr_low",
                       "must be below hr_high (%g)", c->hr_high);
    if (c->reconnect_min_s > c->reconnect_max_s)
        return key_err(err, errlen, path, key_line(sc, "sensors", "reconnect_min_s"), "sensors",
                       "reconnect_min_s", "must not exceed reconnect_max_s (%d)",
                       c->reconnect_max_s);
    if (c->group[0] && !getgrnam(c->group))
        return key_err(err, errlen, path, key_line(sc, "ward", "group"), "ward", "group",
                       "no such unix group '%s'", c->group);
    if (c->escalate_command[0] && check_escalate(c, sc, path, err, errlen) < 0)
        return -1;
    if (c->staff_file[0] && load_staff(c, path, staff_line, err, errlen) < 0)
        return -1;
    if (c->printer[0] && (c->printer[0] == '-' || strpbrk(c->printer, " /#\\'\"")))
        return key_err(err, errlen, path, key_line(sc, "handover", "printer"), "handover",
                       "printer",
                       "'%s' is not a CUPS printer name (no blanks, '/', '#', quotes, no "
                       "leading '-')",
                       c->printer);
    if (c->handover_staff[0] && !config_staff_valid(c, c->handover_staff))
        return key_err(err, errlen, path, key_line(sc, "handover", "staff"), "handover", "staff",
                       "'%s' is not a valid staff id (2-16 letters, digits, '-' or '_'%s)",
                       c->handover_staff, c->nstaff ? ", listed in the staff file" : "");
    return 0;
}

/* Load, validate and fill cfg: the text's syntax and lines, the sections,
 * the general then the particular keys, the checks between them. */
int config_load(const char *path_or_null, struct ward_config *c, char *err, size_t errlen)
{
    const char *path = config_pick_path(path_or_null);
    config_defaults(c);
    ww_strlcpy(c->path, path, sizeof c->path);
    struct scan sc = {0};
    dictionary *d = NULL;
    int rc = -1;
    int staff_line = 0;
    if (scan_file(path, &sc, err, errlen) < 0)
        goto out;
    iniparser_set_error_callback(NULL);
    d = iniparser_load(path);
    if (!d) {
        ww_err(err, errlen, "%s: iniparser could not read the file", path);
        goto out;
    }
    if (load_sections(c, d, &sc, path, err, errlen) < 0 ||
        load_general_ages(c, d, &sc, path, err, errlen) < 0 ||
        load_fixed_keys(c, d, &sc, path, &staff_line, err, errlen) < 0 ||
        cross_check(c, &sc, path, staff_line, err, errlen) < 0)
        goto out;
    qsort(c->beds, (size_t)c->nbeds, sizeof c->beds[0], bed_cmp);
    rc = 0;
out:
    if (d)
        iniparser_freedict(d);
    free(sc.keys);
    free(sc.secs);
    return rc;
}

/* Effective configuration as INI text. */
void config_dump(FILE *f, const struct ward_config *c)
{
    fprintf(f, "; effective configuration loaded from %s\n[ward]\nname = %s\ndatabase = %s\n",
            c->path, c->name, c->database);
    if (c->staff_file[0])
        fprintf(f, "staff = %s   ; %d ids\n", c->staff_file, c->nstaff);
    if (c->group[0])
        fprintf(f, "group = %s\n", c->group);
    if (c->log_file[0])
        fprintf(f, "log = %s\n", c->log_file);
    fprintf(f,
            "\n[alarms]\ndelay_high_s = %d\ndelay_medium_s = %d\ndelay_low_s = %d\n"
            "technical_delay_s = %d\napnoea_s = %d\nclear_s = %d\nrealert_s = %d\n"
            "escalate_s = %d\naudio_pause_s = %d\nrr_low = %g\nrr_high = %g\nhr_low = %g\n"
            "hr_high = %g\nrr_hysteresis = %g\nhr_hysteresis = %g\nscore_hysteresis = %d\nphysio_clear_s = %d\n",
            c->delay_high_s, c->delay_medium_s, c->delay_low_s, c->technical_delay_s,
            c->apnoea_s, c->clear_s, c->realert_s, c->escalate_s, c->audio_pause_s, c->rr_low,
            c->rr_high, c->hr_low, c->hr_high, c->rr_hysteresis, c->hr_hysteresis,
            c->score_hysteresis, c->physio_clear_s);
    if (c->escalate_command[0])
        fprintf(f, "escalate_command = %s\n", c->escalate_command);
    fprintf(f, "\n[news2]\n");
    fprintf(f, "rr_max_age_s = %d\nhr_max_age_s = %d\n", c->max_age_s[NEWS2_RR],
            c->max_age_s[NEWS2_HR]);
    static const int manual[] = {NEWS2_SPO2, NEWS2_O2, NEWS2_SBP, NEWS2_ACVPU, NEWS2_TEMP};
    for (size_t i = 0; i < WW_ARRAY_LEN(manual); i++)
        fprintf(f, "%s_max_age_h = %g\n", news2_param_name(manual[i]),
                c->max_age_s[manual[i]] / 3600.0);
    static const char *lv[] = {"zero", "low", "low_medium", "medium", "high"};
    for (int i = 0; i < NEWS2_NLEVELS; i++)
        fprintf(f, "monitoring_h_%s = %g\n", lv[i], c->policy.monitoring_h[i]);
    fprintf(f, "admission_obs_due_min = %d\ncounted_valid_min = %d\ncontinuous_obs_min = %d\n",
            c->admission_obs_due_min, c->counted_valid_min, c->continuous_obs_min);
    fprintf(f,
            "\n[sensors]\nno_signal_s = %d\nreconnect_min_s = %d\nreconnect_max_s = %d\n"
            "out_of_bed_s = %d\n\n[shifts]\n",
            c->no_signal_s, c->reconnect_min_s, c->reconnect_max_s, c->out_of_bed_s);
    for (int i = 0; i < 3; i++)
        fprintf(f, "%s = %02d:%02d-%02d:%02d\n", c->shifts[i].name, c->shifts[i].start_min / 60,
                c->shifts[i].start_min % 60, c->shifts[i].end_min / 60,
                c->shifts[i].end_min % 60);
    if (c->printer[0] || c->handover_staff[0])
        fprintf(f, "\n[handover]\n");
    if (c->printer[0])
        fprintf(f, "printer = %s\n", c->printer);
    if (c->handover_staff[0])
        fprintf(f, "staff = %s\n", c->handover_staff);
    fprintf(f, "\n[retention]\nsamples_days = %d\nrecord_days = %d\n\n[server]\nsocket = %s\n",
            c->samples_days, c->record_days, c->socket);
    fprintf(f, "max_clients = %d\nclient_queue_kb = %d\n", c->max_clients, c->client_queue_kb);
    for (int i = 0; i < c->nbeds; i++) {
        fprintf(f, "\n[bed.%d]\nlabel = %s\n", c->beds[i].number, c->beds[i].label);
        if (c->beds[i].sensor[0])
            fprintf(f, "sensor = %s\n", c->beds[i].sensor);
        if (c->beds[i].target >= 0)
            fprintf(f, "target = %d\n", c->beds[i].target);
    }
    for (int i = 0; i < c->nexports; i++) {
        const struct config_export *e = &c->exports[i];
        fprintf(f, "\n[export.%s]\nprotocol = %s\n", e->name,
                e->protocol == EXPORT_HL7 ? "hl7" : "fhir");
        if (e->protocol == EXPORT_HL7)
            fprintf(f, strchr(e->host, ':') ? "address = [%s]:%d\n" : "address = %s:%d\n",
                    e->host, e->port);
        else
            fprintf(f, "url = %s\n", e->url);
        if (e->facility[0])
            fprintf(f, "facility = %s\n", e->facility);
        if (e->receiver[0])
            fprintf(f, "receiver = %s\n", e->receiver);
        fprintf(f, "period_s = %d\n", e->period_s);
        if (e->protocol == EXPORT_HL7)
            fprintf(f, "alarms = %s\nack_timeout_s = %d\nalarm_codes = %s\n",
                    e->alarms ? "yes" : "no", e->ack_timeout_s,
                    e->alarm_codes == EXPORT_CODES_LEGACY ? "legacy" : "2024");
        else
            fprintf(f, "ack_timeout_s = %d\npatient_system = %s\n", e->ack_timeout_s,
                    e->patient_system[0] ? e->patient_system : FHIR_PATIENT_SYSTEM_DEFAULT);
        fprintf(f, "fail_alarm_min = %d\n", e->fail_alarm_min);
    }
}
