/*
 * print — handover prints for a ward: the printer the command layer
 * installs on the core (see print.h for why it is not the core's own).
 */
#include "print.h"

#include "config.h"
#include "handover_print.h"
#include "log.h"
#include "util.h"
#include "ward.h"

#include <stdlib.h>
#include <string.h>

/* A handover being printed (lp runs under the core's loop). */
struct print_job {
    struct printer *pr;
    struct handover *h;
    struct handover_print_job *job;
    char printer[128];
    ward_print_cb cb;
    void *ctx;
};

struct printer {
    struct ward *w;
    struct print_job jobs[PRINT_MAX_JOBS]; /* slots with a job in use */
};

/* Audit a print of j's handover through the core: where it went and lp's
 * words, at the time and by the staff of the handover. */
static int audit_print(const struct print_job *j, const char *text, bool ok, char *aerr, size_t n)
{
    char where[1200], detail[2048];
    snprintf(where, sizeof where, "printer %s: %s", j->printer[0] ? j->printer : "(default)",
             text);
    handover_audit_detail(j->h, "pdf", where, ok, detail, sizeof detail);
    return ward_cmd_handover_audit(j->pr->w, WARD_CMD_NO_BED, "print", detail, j->h->printed_by,
                                   j->h->printed_at, aerr, n);
}

static void job_clear(struct print_job *j)
{
    struct printer *pr = j->pr;
    handover_free(j->h);
    memset(j, 0, sizeof *j);
    j->pr = pr;
}

/* lp has ended: audit the print (ok or failed), then answer. */
static void print_done(void *ctx, int rc, const char *text)
{
    struct print_job *j = ctx;
    char aerr[512], msg[1200];
    int arc = audit_print(j, text, rc == 0, aerr, sizeof aerr);
    if (rc == 0 && arc < 0)
        snprintf(msg, sizeof msg, "printed, but the audit failed: %s", aerr);
    else
        ww_strlcpy(msg, text, sizeof msg);
    log_msg(rc == 0 ? LOG_INFO : LOG_WARN, "handover print by %s: %s", j->h->printed_by, msg);
    ward_print_cb cb = j->cb;
    void *cbctx = j->ctx;
    job_clear(j);
    cb(cbctx, rc == 0 && arc == 0, msg);
}

static int print_start(void *pctx, struct loop *l, const char *period_name, int64_t t0,
                       int64_t t1, const char *staff, int64_t now, ward_print_cb cb, void *ctx,
                       char *err, size_t errlen)
{
    struct printer *pr = pctx;
    struct print_job *j = NULL;
    for (int i = 0; i < PRINT_MAX_JOBS && !j; i++)
        if (!pr->jobs[i].job)
            j = &pr->jobs[i];
    if (!j)
        return ww_err(err, errlen, "%d handover prints are still running; try again shortly",
                      PRINT_MAX_JOBS);
    struct handover *h = ward_handover(pr->w, period_name, t0, t1, staff, now, err, errlen);
    if (!h)
        return -1;
    j->h = h;
    j->cb = cb;
    j->ctx = ctx;
    ww_strlcpy(j->printer, ward_config(pr->w)->printer, sizeof j->printer);
    char why[1024];
    j->job = handover_print_pdf_start(l, h, j->printer[0] ? j->printer : NULL, print_done, j, why,
                                      sizeof why);
    if (!j->job) {
        /* Not even started: audited as a failed print, and said. */
        char aerr[512];
        audit_print(j, why, false, aerr, sizeof aerr);
        job_clear(j);
        return ww_err(err, errlen, "%s", why);
    }
    return 0;
}

static void print_forget(void *pctx, void *ctx)
{
    struct printer *pr = pctx;
    for (int i = 0; i < PRINT_MAX_JOBS; i++)
        if (pr->jobs[i].job && pr->jobs[i].ctx == ctx) {
            handover_print_cancel(pr->jobs[i].job);
            job_clear(&pr->jobs[i]);
        }
}

static void print_release(void *pctx)
{
    struct printer *pr = pctx;
    for (int i = 0; i < PRINT_MAX_JOBS; i++)
        if (pr->jobs[i].job)
            handover_print_cancel(pr->jobs[i].job);
    for (int i = 0; i < PRINT_MAX_JOBS; i++)
        handover_free(pr->jobs[i].h);
    free(pr);
}

static const struct ward_printer print_ops = {print_start, print_forget, print_release};

void print_install(struct ward *w)
{
    struct printer *pr = calloc(1, sizeof *pr);
    if (!pr) {
        log_msg(LOG_ERROR, "out of memory: this ward cannot print handovers");
        return;
    }
    pr->w = w;
    for (int i = 0; i < PRINT_MAX_JOBS; i++)
        pr->jobs[i].pr = pr;
    ward_set_printer(w, &print_ops, pr);
}
