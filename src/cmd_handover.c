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
 * the only write this command makes.
 */
#include "attach.h"
#include "commands.h"
#include "config.h"
#include "corelock.h"
#include "handover.h"
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

#define HANDOVER_USAGE                                                                         \
    "usage: wardwatch handover [--shift day|evening|night [--at T] | --from T --to T]\n"     \
    "                          [--bed LABEL] [-o FILE] [--format text|pdf]\n"                \
    "                          [--print [PRINTER]] [--staff ID] [-c CONFIG] [--db FILE]\n"

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
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "wardwatch handover: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n%s", HANDOVER_USAGE);
    va_end(ap);
    return 2;
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
 * core running, this process takes the core lock for the moment of the
 * write; beside `wardwatch serve` the server writes it (a command over its
 * socket); beside a board running its own core nobody can, and the print
 * or export is reported unaudited (the board's H does it audited). */
static int audit(const struct ward_config *cfg, struct store *st, const struct handover *h,
                 const char *action, int bednum, const char *format, const char *where, bool ok,
                 char *err, size_t errlen)
{
    char lockwhy[512];
    int lock = corelock_take(cfg->database, lockwhy, sizeof lockwhy);
    if (lock >= 0) {
        int rc = handover_audit(st, h, action, bednum, format, where, ok, err, errlen);
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

/* Entry point. */
int cmd_handover_main(int argc, char **argv)
{
    const char *cfgpath = NULL, *dbpath = NULL, *shift = NULL, *from = NULL, *to = NULL;
    const char *at = NULL, *bed = NULL, *out = NULL, *format = NULL, *staff = NULL;
    const char *printer = NULL;
    bool print = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            printf("%s%s", HANDOVER_USAGE, HANDOVER_HELP);
            return 0;
        } else if (!strcmp(a, "--print")) {
            print = true;
            /* An optional printer name: the next word unless it is an option. */
            if (i + 1 < argc && argv[i + 1][0] && argv[i + 1][0] != '-')
                printer = argv[++i];
            continue;
        }
        slot = !strcmp(a, "-c")         ? &cfgpath
               : !strcmp(a, "--db")     ? &dbpath
               : !strcmp(a, "--shift")  ? &shift
               : !strcmp(a, "--from")   ? &from
               : !strcmp(a, "--to")     ? &to
               : !strcmp(a, "--at")     ? &at
               : !strcmp(a, "--bed")    ? &bed
               : !strcmp(a, "-o")       ? &out
               : !strcmp(a, "--format") ? &format
               : !strcmp(a, "--staff")  ? &staff
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
    if (format && strcmp(format, "text") && strcmp(format, "pdf"))
        return usage_err("--format: '%s' is not a format (accepted: text, pdf)", format);
    if (shift && strcmp(shift, "day") && strcmp(shift, "evening") && strcmp(shift, "night"))
        return usage_err("--shift: '%s' is not a shift (accepted: day, evening, night)", shift);
    if (shift && (from || to))
        return usage_err("--shift excludes --from/--to");
    if ((from != NULL) != (to != NULL))
        return usage_err("%s needs %s too", from ? "--from" : "--to", from ? "--to" : "--from");
    if (at && !shift)
        return usage_err("--at applies to --shift only");
    int64_t t0 = 0, t1 = 0, now = ww_now_ms(), at_ms = now;
    if (from && handover_parse_time(from, &t0) < 0)
        return usage_err("--from: '%s' is not an ISO 8601 time that exists here (accepted: "
                         "YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM])", from);
    if (to && handover_parse_time(to, &t1) < 0)
        return usage_err("--to: '%s' is not an ISO 8601 time that exists here (accepted: "
                         "YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM])", to);
    if (at && handover_parse_time(at, &at_ms) < 0)
        return usage_err("--at: '%s' is not an ISO 8601 time (accepted: "
                         "YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM])", at);
    if (from && t1 <= t0)
        return usage_err("--to (%s) must be after --from (%s)", to, from);
    if (from && t1 - t0 > 7LL * 24 * 3600 * 1000)
        return usage_err("--from %s --to %s: a handover covers at most 7 days", from, to);
    if (!format)
        format = out && strlen(out) > 4 && !strcasecmp(out + strlen(out) - 4, ".pdf") ? "pdf"
                 : print && !out                                                  ? "pdf"
                                                                                  : "text";
    bool pdf = !strcmp(format, "pdf");
    if (pdf && !out && !print)
        return usage_err("--format pdf needs -o FILE or --print");
    if (printer && !handover_printer_name_ok(printer))
        return usage_err("--print: '%s' is not a printer name (no blanks, '/', '#', quotes, "
                         "no leading '-')", printer);

    char err[2048];
    struct ward_config *cfg = malloc(sizeof *cfg);
    if (!cfg) {
        fprintf(stderr, "wardwatch handover: out of memory\n");
        return 1;
    }
    struct stat sb;
    if (cfgpath || !dbpath || stat(config_pick_path(NULL), &sb) == 0) {
        if (config_load(cfgpath, cfg, err, sizeof err) < 0) {
            fprintf(stderr, "wardwatch handover: %s\n", err);
            free(cfg);
            return 2;
        }
    } else {
        config_defaults(cfg);
    }
    if (dbpath)
        snprintf(cfg->database, sizeof cfg->database, "%s", dbpath);
    if (staff && !config_staff_valid(cfg, staff)) {
        fprintf(stderr, "wardwatch handover: --staff: '%s' is not a valid staff id (accepted: "
                        "2-16 letters, digits, '-' or '_'%s)\n",
                staff, cfg->nstaff ? ", listed in the ward's staff file" : "");
        free(cfg);
        return 2;
    }
    char who[24];
    if (staff)
        ww_strlcpy(who, staff, sizeof who);
    else if (cfg->handover_staff[0])
        ww_strlcpy(who, cfg->handover_staff, sizeof who);
    else
        login_name(who, sizeof who);
    if (!printer && cfg->printer[0])
        printer = cfg->printer;

    if (shift && handover_shift_period(cfg, shift, at_ms, &t0, &t1, err, sizeof err) < 0) {
        fprintf(stderr, "wardwatch handover: --shift: %s\n", err);
        free(cfg);
        return 2;
    }
    if (!shift && !from) {
        shift = handover_current_shift(cfg, now);
        if (handover_shift_period(cfg, shift, now, &t0, &t1, err, sizeof err) < 0) {
            fprintf(stderr, "wardwatch handover: %s\n", err);
            free(cfg);
            return 2;
        }
    }

    /* The store: it must exist (opening would create it). */
    if (stat(cfg->database, &sb) < 0) {
        fprintf(stderr, "wardwatch handover: %s: %s (no ward database there)\n", cfg->database,
                strerror(errno));
        free(cfg);
        return 1;
    }
    struct store *st = store_open(cfg->database, NULL, err, sizeof err);
    if (!st) {
        fprintf(stderr, "wardwatch handover: %s\n", err);
        free(cfg);
        return 1;
    }
    int bednum = -1;
    if (bed) {
        struct bed_find f = {.want = bed, .number = -1};
        if (store_load_beds(st, on_find_bed, &f, err, sizeof err) < 0) {
            fprintf(stderr, "wardwatch handover: %s\n", err);
            store_close(st);
            free(cfg);
            return 1;
        }
        if (f.number < 0) {
            char clean[128];
            ww_sanitize_text(clean, sizeof clean, bed, false);
            fprintf(stderr, "wardwatch handover: --bed: no bed '%s' (accepted: %s)\n", clean,
                    f.labels[0] ? f.labels : "no beds in this database");
            store_close(st);
            free(cfg);
            return 2;
        }
        bednum = f.number;
    }

    if (audit_possible(cfg, err, sizeof err) < 0) {
        fprintf(stderr, "wardwatch handover: nothing made: %s\n", err);
        store_close(st);
        free(cfg);
        return 1;
    }
    struct handover_request req = {t0, t1, shift, bednum, now, who};
    struct handover *h = handover_build(st, cfg, &req, err, sizeof err);
    if (!h) {
        fprintf(stderr, "wardwatch handover: %s\n", err);
        store_close(st);
        free(cfg);
        return 1;
    }

    /* Output: a named file, a temporary file for printing, or stdout. */
    int rc = 0;
    char tmp[64] = "", msg[1024] = "", where[1100];
    const char *file = out;
    if (!file && print) {
        snprintf(tmp, sizeof tmp, "/tmp/wardwatch-handover.XXXXXX");
        int fd = mkstemp(tmp);
        if (fd < 0) {
            fprintf(stderr, "wardwatch handover: cannot make a temporary file: %s\n",
                    strerror(errno));
            rc = 1;
            goto done;
        }
        close(fd);
        file = tmp;
    }
    if (file) {
        if (pdf) {
            if (handover_write_pdf(h, file, err, sizeof err) < 0) {
                fprintf(stderr, "wardwatch handover: %s\n", err);
                rc = 1;
                goto done;
            }
        } else {
            int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
            FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
            if (!f || handover_write_text(h, f) < 0 || fclose(f) != 0) {
                fprintf(stderr, "wardwatch handover: %s: %s\n", file, strerror(errno));
                if (!f && fd >= 0)
                    close(fd);
                rc = 1;
                goto done;
            }
        }
    } else if (handover_write_text(h, stdout) < 0 || fflush(stdout) != 0) {
        fprintf(stderr, "wardwatch handover: cannot write the summary: %s\n", strerror(errno));
        rc = 1;
    }
    if (print && rc == 0) {
        char title[700], l1[200], l2[200], l3[200];
        handover_header(h, l1, l2, l3, sizeof l1);
        if (bed)
            snprintf(title, sizeof title, "%s, bed %s, %s", l1, bed, l2);
        else
            snprintf(title, sizeof title, "%s, %s", l1, l2);
        if (handover_print(file, printer, title, msg, sizeof msg, err, sizeof err) < 0) {
            fprintf(stderr, "wardwatch handover: printing failed: %s\n", err);
            snprintf(msg, sizeof msg, "failed: %.900s", err);
            rc = 1;
        } else {
            fprintf(stderr, "wardwatch handover: sent to %s: %s\n",
                    printer ? printer : "the default printer", msg[0] ? msg : "ok");
        }
    }

    /* Audit: who, what period, which beds, where to (and how it went). */
    if (print)
        snprintf(where, sizeof where, "printer %s%s%.900s", printer ? printer : "(default)",
                 msg[0] ? ": " : "", msg);
    else if (out)
        snprintf(where, sizeof where, "file %.1000s", out);
    else
        snprintf(where, sizeof where, "stdout");
    const char *action = print ? "handover-print" : out ? "handover-export" : "handover-view";
    if (audit(cfg, st, h, action, bednum, format, where, rc == 0, err, sizeof err) < 0) {
        fprintf(stderr, "wardwatch handover: could not audit the %s: %s\n", action + 9, err);
        rc = 1;
    }
done:
    if (tmp[0])
        unlink(tmp);
    handover_free(h);
    store_close(st);
    free(cfg);
    return rc;
}
