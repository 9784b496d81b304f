/*
 * cmd_handover — `wardwatch handover`: the shift handover summary (ISBAR
 * per bed) from the ward database, on stdout, into a file, or printed.
 *
 *   wardwatch handover [--shift day|evening|night [--at T] | --from T --to T]
 *                      [--bed LABEL] [-o FILE] [--format text|pdf]
 *                      [--print [PRINTER]] [--staff ID] [-c CONFIG] [--db FILE]
 *
 * The period defaults to the shift containing now. Times are ISO 8601,
 * local or with an offset. Every view, export and print is written to the
 * store's audit trail (who, what period, which beds, where to) — that is
 * the only write this command makes, and it is made by the process holding
 * the core: this one for the moment of the write when no core runs, else
 * the server. The summary itself is read through a read-only connection
 * that never migrates: a database of another schema version is refused
 * with both versions named (#19), so a newer command-line binary cannot
 * upgrade a running older server's file.
 */
#include "attach.h"
#include "cmd_common.h"
#include "commands.h"
#include "config.h"
#include "corelock.h"
#include "handover_print.h"
#include "store.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

const char cmd_handover_usage[] =
    "wardwatch handover [--shift day|evening|night [--at T] | --from T --to T]\n"
    "                          [--bed LABEL] [-o FILE] [--format text|pdf]\n"
    "                          [--print [PRINTER]] [--staff ID] [-c CONFIG] [--db FILE]\n";

#define HANDOVER_HELP                                                                          \
    "The shift handover summary (ISBAR per bed) from the ward database.\n"                   \
    "  --shift NAME     a shift of [shifts] (default: the one containing now); the\n"        \
    "                   one containing --at T (default now) or the last ended before\n"      \
    "  --from T --to T  any period; T is ISO 8601: 2026-12-01T07:00, with :SS, Z or\n"       \
    "                   +01:00 optional (local time without an offset)\n"                    \
    "  --bed LABEL      one bed (label or number)\n"                                         \
    "  -o FILE          write to FILE (a .pdf name implies --format pdf)\n"                  \
    "  --format F       text (default; 80 columns, 66-line pages) or pdf (A4)\n"             \
    "  --print [NAME]   print with lp to NAME, else [handover] printer, else the CUPS\n"     \
    "                   default (pdf unless --format text)\n"                                \
    "  --staff ID       who prints (default [handover] staff, else the login name)\n"        \
    "  -c CONFIG        ward configuration; --db FILE the database it names\n"               \
    "Every view, export and print is audited. Exit 0 ok, 1 failure, 2 bad usage.\n"

/* Usage error naming the flag; returns 2. */
static int usage_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_err(const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return cmd_usage_error("handover", cmd_handover_usage, "%s", msg);
}

/* The option's value, or NULL when missing. */
static const char *value(int argc, char **argv, int *i)
{
    if (*i + 1 >= argc || !argv[*i + 1][0])
        return NULL;
    return argv[++*i];
}

struct bed_find {
    const char *want;
    int number;
    char labels[1024];
};

static void on_find_bed(void *ctx, const struct store_bed *b)
{
    struct bed_find *f = ctx;
    char num[16];
    snprintf(num, sizeof num, "%d", b->number);
    if (f->number < 0 && (!strcmp(b->label, f->want) || !strcmp(num, f->want)))
        f->number = b->number;
    size_t l = strlen(f->labels);
    char clean[64];
    ww_sanitize_text(clean, sizeof clean, b->label, false);
    snprintf(f->labels + l, sizeof f->labels - l, "%s'%s'", l ? ", " : "", clean);
}

/* The login name as a fallback "printed by". */
static void login_name(char *buf, size_t n)
{
    struct passwd *pw = getpwuid(geteuid());
    const char *name = pw && pw->pw_name ? pw->pw_name : "unknown";
    ww_sanitize_text(buf, n, name, false);
}

/* Can the audit row be written (below)? Asked before anything is shown,
 * written or printed, so nothing leaves unaudited. 0, or -1 with why. */
static int audit_possible(const struct ward_config *cfg, char *err, size_t errlen)
{
    char lockwhy[512];
    int lock = corelock_take(cfg->database, lockwhy, sizeof lockwhy);
    if (lock >= 0) {
        corelock_release(lock);
        return 0;
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    bool fits = strlen(cfg->socket) < sizeof sa.sun_path;
    if (fits)
        memcpy(sa.sun_path, cfg->socket, strlen(cfg->socket) + 1);
    bool listening = fd >= 0 && fits && connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
    if (fd >= 0)
        close(fd);
    if (listening)
        return 0;
    return ww_err(err, errlen,
                  "%s, and no monitoring server answers on %s to write the audit row; make the "
                  "handover on that ward's board (H), where it is audited",
                  lockwhy, cfg->socket);
}

/* Write the audit row. The database has one writer: with no monitoring
 * core running, this process takes the core lock and, while it holds it,
 * opens a writer connection for the moment of the write (the schema was
 * checked when the summary was read: nothing is migrated); beside
 * `wardwatch serve` the server writes it (a command over its socket);
 * beside a board running its own core nobody can, and the print or export
 * is reported unaudited (the board's H does it audited). */
static int audit(const struct ward_config *cfg, const struct handover *h, const char *action,
                 int bednum, const char *format, const char *where, bool ok, char *err,
                 size_t errlen)
{
    char lockwhy[512];
    int lock = corelock_take(cfg->database, lockwhy, sizeof lockwhy);
    if (lock >= 0) {
        struct store *w = store_open(cfg->database, NULL, err, errlen);
        int rc = w ? handover_audit(w, h, action, bednum, format, where, ok, err, errlen) : -1;
        store_close(w);
        corelock_release(lock);
        return rc;
    }
    struct ward_cmd c = {.kind = WCMD_HANDOVER_AUDIT, .bed = WARD_CMD_NO_BED};
    for (int i = 0; i < cfg->nbeds; i++)
        if (bednum >= 0 && cfg->beds[i].number == bednum)
            c.bed = (uint32_t)i;
    ww_strlcpy(c.staff, h->printed_by, sizeof c.staff);
    ww_strlcpy(c.param, action + strlen("handover-"), sizeof c.param);
    handover_audit_detail(h, format, where, ok, c.text, sizeof c.text);
    bool absent = false;
    char why[512];
    if (attach_run_command(cfg->socket, "wardwatch handover", &c, 10000, &absent, NULL, 0, why,
                           sizeof why) == 0)
        return 0;
    if (absent)
        return ww_err(err, errlen,
                      "%s, and no monitoring server answers on %s to write it; print or export "
                      "from that ward's board (H) instead",
                      lockwhy, cfg->socket);
    return ww_err(err, errlen, "the monitoring server refused it: %s", why);
}

/* What the command line asked for. */
struct hopts {
    const char *cfgpath, *dbpath, *shift, *from, *to, *at, *bed, *out, *format, *staff;
    const char *printer;
    bool print, pdf;
    int64_t t0, t1, now, at_ms;
};

/* Read the arguments into o: -1 to go on, else the exit status (help: 0,
 * a bad argument: 2 with the flag named). */
static int parse_args(int argc, char **argv, struct hopts *o)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            cmd_usage(stdout, cmd_handover_usage);
            fputs(HANDOVER_HELP, stdout);
            return 0;
        } else if (!strcmp(a, "--print")) {
            o->print = true;
            /* An optional printer name: the next word unless it is an option. */
            if (i + 1 < argc && argv[i + 1][0] && argv[i + 1][0] != '-')
                o->printer = argv[++i];
            continue;
        }
        const char **slot = !strcmp(a, "-c")         ? &o->cfgpath
                            : !strcmp(a, "--db")     ? &o->dbpath
                            : !strcmp(a, "--shift")  ? &o->shift
                            : !strcmp(a, "--from")   ? &o->from
                            : !strcmp(a, "--to")     ? &o->to
                            : !strcmp(a, "--at")     ? &o->at
                            : !strcmp(a, "--bed")    ? &o->bed
                            : !strcmp(a, "-o")       ? &o->out
                            : !strcmp(a, "--format") ? &o->format
                            : !strcmp(a, "--staff")  ? &o->staff
                                                     : NULL;
        if (!slot)
            return usage_err("unknown argument '%s' (accepted: --shift, --at, --from, --to, "
                             "--bed, -o, --format, --print, --staff, -c, --db)",
                             a);
        if (*slot)
            return usage_err("%s given twice", a);
        const char *v = value(argc, argv, &i);
        if (!v)
            return usage_err("%s needs a value", a);
        *slot = v;
    }
    return -1;
}

/* Check the arguments against each other and read the times: -1 to go on,
 * else 2 with the flag named. */
static int check_args(struct hopts *o)
{
    if (o->format && strcmp(o->format, "text") && strcmp(o->format, "pdf"))
        return usage_err("--format: '%s' is not a format (accepted: text, pdf)", o->format);
    if (o->shift && strcmp(o->shift, "day") && strcmp(o->shift, "evening") &&
        strcmp(o->shift, "night"))
        return usage_err("--shift: '%s' is not a shift (accepted: day, evening, night)",
                         o->shift);
    if (o->shift && (o->from || o->to))
        return usage_err("--shift excludes --from/--to");
    if ((o->from != NULL) != (o->to != NULL))
        return usage_err("%s needs %s too", o->from ? "--from" : "--to",
                         o->from ? "--to" : "--from");
    if (o->at && !o->shift)
        return usage_err("--at applies to --shift only");
    o->now = o->at_ms = ww_now_ms();
    if (o->from && handover_parse_time(o->from, &o->t0) < 0)
        return usage_err("--from: '%s' is not an ISO 8601 time that exists here (accepted: "
                         "YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM])", o->from);
    if (o->to && handover_parse_time(o->to, &o->t1) < 0)
        return usage_err("--to: '%s' is not an ISO 8601 time that exists here (accepted: "
                         "YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM])", o->to);
    if (o->at && handover_parse_time(o->at, &o->at_ms) < 0)
        return usage_err("--at: '%s' is not an ISO 8601 time (accepted: "
                         "YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM])", o->at);
    if (o->from && o->t1 <= o->t0)
        return usage_err("--to (%s) must be after --from (%s)", o->to, o->from);
    if (o->from && o->t1 - o->t0 > 7LL * 24 * 3600 * 1000)
        return usage_err("--from %s --to %s: a handover covers at most 7 days", o->from, o->to);
    if (!o->format) {
        const char *out = o->out;
        o->format = out && strlen(out) > 4 && !strcasecmp(out + strlen(out) - 4, ".pdf") ? "pdf"
                    : o->print && !out                                                 ? "pdf"
                                                                                       : "text";
    }
    o->pdf = !strcmp(o->format, "pdf");
    if (o->pdf && !o->out && !o->print)
        return usage_err("--format pdf needs -o FILE or --print");
    if (o->printer && !handover_printer_name_ok(o->printer))
        return usage_err("--print: '%s' is not a printer name (no blanks, '/', '#', quotes, "
                         "no leading '-')", o->printer);
    return -1;
}

/* The ward's configuration (or the defaults beside --db alone), who prints,
 * the printer and the period: 0, or the exit status with the message. */
static int configure(struct hopts *o, struct ward_config *cfg, char *who, size_t whon)
{
    char err[2048];
    struct stat sb;
    if (o->cfgpath || !o->dbpath || stat(config_pick_path(NULL), &sb) == 0) {
        if (config_load(o->cfgpath, cfg, err, sizeof err) < 0) {
            fprintf(stderr, "wardwatch handover: %s\n", err);
            return 2;
        }
    } else {
        config_defaults(cfg);
    }
    if (o->dbpath)
        snprintf(cfg->database, sizeof cfg->database, "%s", o->dbpath);
    if (o->staff && !config_staff_valid(cfg, o->staff)) {
        fprintf(stderr, "wardwatch handover: --staff: '%s' is not a valid staff id (accepted: "
                        "2-16 letters, digits, '-' or '_'%s)\n",
                o->staff, cfg->nstaff ? ", listed in the ward's staff file" : "");
        return 2;
    }
    if (o->staff)
        ww_strlcpy(who, o->staff, whon);
    else if (cfg->handover_staff[0])
        ww_strlcpy(who, cfg->handover_staff, whon);
    else
        login_name(who, whon);
    if (!o->printer && cfg->printer[0])
        o->printer = cfg->printer;
    if (o->shift && handover_shift_period(cfg, o->shift, o->at_ms, &o->t0, &o->t1, err,
                                          sizeof err) < 0) {
        fprintf(stderr, "wardwatch handover: --shift: %s\n", err);
        return 2;
    }
    if (!o->shift && !o->from) {
        o->shift = handover_current_shift(cfg, o->now);
        if (handover_shift_period(cfg, o->shift, o->now, &o->t0, &o->t1, err, sizeof err) < 0) {
            fprintf(stderr, "wardwatch handover: %s\n", err);
            return 2;
        }
    }
    return 0;
}

/* The database, read-only (it must exist: nothing is created, nothing
 * migrated), and the bed asked for: 0, or the exit status. */
static int open_reader(const struct hopts *o, const struct ward_config *cfg, struct store **st,
                       int *bednum)
{
    char err[2048];
    struct stat sb;
    if (stat(cfg->database, &sb) < 0) {
        fprintf(stderr, "wardwatch handover: %s: %s (no ward database there)\n", cfg->database,
                strerror(errno));
        return 1;
    }
    struct store_options so = {.readonly = true};
    *st = store_open_with(cfg->database, &so, err, sizeof err);
    if (!*st) {
        fprintf(stderr, "wardwatch handover: %s\n", err);
        return 1;
    }
    *bednum = -1;
    if (!o->bed)
        return 0;
    struct bed_find f = {.want = o->bed, .number = -1};
    if (store_load_beds(*st, on_find_bed, &f, err, sizeof err) < 0) {
        fprintf(stderr, "wardwatch handover: %s\n", err);
        return 1;
    }
    if (f.number < 0) {
        char clean[128];
        ww_sanitize_text(clean, sizeof clean, o->bed, false);
        fprintf(stderr, "wardwatch handover: --bed: no bed '%s' (accepted: %s)\n", clean,
                f.labels[0] ? f.labels : "no beds in this database");
        return 2;
    }
    *bednum = f.number;
    return 0;
}

/* Render h to file (text or PDF) or, without one, as text on stdout: 0 or 1. */
static int write_summary(const struct handover *h, const char *file, bool pdf)
{
    char err[2048];
    if (!file) {
        if (handover_write_text(h, stdout) < 0 || fflush(stdout) != 0) {
            fprintf(stderr, "wardwatch handover: cannot write the summary: %s\n",
                    strerror(errno));
            return 1;
        }
        return 0;
    }
    if (pdf) {
        if (handover_write_pdf(h, file, err, sizeof err) < 0) {
            fprintf(stderr, "wardwatch handover: %s\n", err);
            return 1;
        }
        return 0;
    }
    int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f || handover_write_text(h, f) < 0 || fclose(f) != 0) {
        fprintf(stderr, "wardwatch handover: %s: %s\n", file, strerror(errno));
        if (!f && fd >= 0)
            close(fd);
        return 1;
    }
    return 0;
}

/* Print file with lp; lp's request line (or "failed: why") into msg: 0 or 1. */
static int print_summary(const struct hopts *o, const struct handover *h, const char *file,
                         char *msg, size_t msglen)
{
    char title[700], l1[200], l2[200], l3[200], err[2048];
    handover_header(h, l1, l2, l3, sizeof l1);
    if (o->bed)
        snprintf(title, sizeof title, "%s, bed %s, %s", l1, o->bed, l2);
    else
        snprintf(title, sizeof title, "%s, %s", l1, l2);
    if (handover_print(file, o->printer, title, msg, msglen, err, sizeof err) < 0) {
        fprintf(stderr, "wardwatch handover: printing failed: %s\n", err);
        snprintf(msg, msglen, "failed: %.900s", err);
        return 1;
    }
    fprintf(stderr, "wardwatch handover: sent to %s: %s\n",
            o->printer ? o->printer : "the default printer", msg[0] ? msg : "ok");
    return 0;
}

/* Make the summary, put it where it was asked for, and audit that:
 * 0 or 1. */
static int deliver(const struct hopts *o, const struct ward_config *cfg, const struct handover *h,
                   int bednum)
{
    int rc = 0;
    char tmp[64] = "", msg[1024] = "", where[1100], err[2048];
    const char *file = o->out;
    if (!file && o->print) {
        snprintf(tmp, sizeof tmp, "/tmp/wardwatch-handover.XXXXXX");
        int fd = mkstemp(tmp);
        if (fd < 0) {
            fprintf(stderr, "wardwatch handover: cannot make a temporary file: %s\n",
                    strerror(errno));
            return 1;
        }
        close(fd);
        file = tmp;
    }
    rc = write_summary(h, file, o->pdf);
    /* A file not written is not audited (nothing left); stdout that could
     * not be written is, as failed. */
    if (rc == 0 && o->print)
        rc = print_summary(o, h, file, msg, sizeof msg);
    else if (rc && file) {
        if (tmp[0])
            unlink(tmp);
        return rc;
    }
    if (tmp[0])
        unlink(tmp);
    /* Audit: who, what period, which beds, where to (and how it went). */
    if (o->print)
        snprintf(where, sizeof where, "printer %s%s%.900s", o->printer ? o->printer : "(default)",
                 msg[0] ? ": " : "", msg);
    else if (o->out)
        snprintf(where, sizeof where, "file %.1000s", o->out);
    else
        snprintf(where, sizeof where, "stdout");
    const char *action = o->print ? "handover-print" : o->out ? "handover-export" : "handover-view";
    if (audit(cfg, h, action, bednum, o->format, where, rc == 0, err, sizeof err) < 0) {
        fprintf(stderr, "wardwatch handover: could not audit the %s: %s\n", action + 9, err);
        rc = 1;
    }
    return rc;
}

/* Entry point: arguments, configuration, the database read-only, the
 * model, then the output and its audit. */
int cmd_handover_main(int argc, char **argv)
{
    struct hopts o = {0};
    int rc = parse_args(argc, argv, &o);
    if (rc < 0)
        rc = check_args(&o);
    if (rc >= 0)
        return rc;
    struct ward_config *cfg = malloc(sizeof *cfg);
    if (!cfg) {
        fprintf(stderr, "wardwatch handover: out of memory\n");
        return 1;
    }
    char who[24], err[2048];
    struct store *st = NULL;
    struct handover *h = NULL;
    int bednum = -1;
    if ((rc = configure(&o, cfg, who, sizeof who)) != 0 ||
        (rc = open_reader(&o, cfg, &st, &bednum)) != 0)
        goto done;
    if (audit_possible(cfg, err, sizeof err) < 0) {
        fprintf(stderr, "wardwatch handover: nothing made: %s\n", err);
        rc = 1;
        goto done;
    }
    struct handover_request req = {o.t0, o.t1, o.shift, bednum, o.now, who};
    h = handover_build(st, cfg, &req, err, sizeof err);
    if (!h) {
        fprintf(stderr, "wardwatch handover: %s\n", err);
        rc = 1;
        goto done;
    }
    rc = deliver(&o, cfg, h, bednum);
done:
    handover_free(h);
    store_close(st);
    free(cfg);
    return rc;
}
