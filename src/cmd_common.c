/*
 * cmd_common — helpers shared by the command files (see cmd_common.h).
 */
#include "cmd_common.h"
#include "config.h"
#include "corelock.h"
#include "log.h"
#include "loop.h"
#include "store.h"
#include "util.h"
#include "ward.h"

#include <stdarg.h>
#include <stdlib.h>

void cmd_usage(FILE *f, const char *usage)
{
    fprintf(f, "usage: %s", usage);
}

int cmd_usage_error(const char *cmd, const char *usage, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (cmd)
        fprintf(stderr, "wardwatch %s: ", cmd);
    else
        fputs("wardwatch: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    cmd_usage(stderr, usage);
    return 2;
}

int cmd_config_database(const char *cmd, const char *cfgpath, char *db, size_t n)
{
    struct ward_config *cfg = malloc(sizeof *cfg);
    char err[1024];
    if (!cfg) {
        fprintf(stderr, "wardwatch %s: out of memory\n", cmd);
        return 1;
    }
    if (config_load(cfgpath, cfg, err, sizeof err) < 0) {
        fprintf(stderr, "wardwatch %s: %s\n", cmd, err);
        free(cfg);
        return 2;
    }
    snprintf(db, n, "%s", cfg->database);
    free(cfg);
    return 0;
}

int cmd_core_start(struct cmd_core *c, const struct ward_config *cfg,
                   const struct cmd_core_opts *o, char *err, size_t errlen)
{
    *c = (struct cmd_core){.lock = -1, .reattach = o->reattach, .flush = o->flush};
    struct monitor_opts mo = o->mo;
    if (o->store) {
        /* The only core on this database: a second would be a second writer. */
        c->lock = corelock_take(cfg->database, err, errlen);
        if (c->lock < 0)
            goto fail;
        if (o->check_writable && store_check_writable(cfg->database, err, errlen) < 0)
            goto fail;
        /* A damaged file is refused here, with how to recover. */
        c->st = store_open(cfg->database, cfg->group[0] ? cfg->group : NULL, err, errlen);
        if (!c->st)
            goto fail;
        if (o->before_monitor && o->before_monitor(c->st, cfg->database, &mo, err, errlen) < 0)
            goto fail;
    }
    c->l = loop_new(o->signals);
    if (!c->l) {
        ww_err(err, errlen, "cannot create the event loop");
        goto fail;
    }
    c->m = monitor_new(cfg, c->st, c->l, &mo, err, errlen);
    if (!c->m)
        goto fail;
    char rerr[1024];
    if (c->st && ward_restore(monitor_ward(c->m), monitor_now(c->m), rerr, sizeof rerr) < 0)
        log_msg(LOG_ERROR, "restore: %s", rerr);
    return 0;
fail:
    cmd_core_stop(c);
    return -1;
}

void cmd_core_stop(struct cmd_core *c)
{
    char err[1024];
    /* Stopped while the database file was gone: put it back first. */
    if (c->reattach && c->st && !store_check_attached(c->st) &&
        store_reattach(c->st, c->m ? monitor_now(c->m) : ww_now_ms(), err, sizeof err) < 0)
        log_msg(LOG_ERROR, "database not put back at the stop: %s", err);
    if (c->m && c->flush)
        ward_flush(monitor_ward(c->m), err, sizeof err);
    monitor_free(c->m);
    store_close(c->st);
    corelock_release(c->lock);
    loop_free(c->l);
    *c = (struct cmd_core){.lock = -1};
}
