/*
 * cmd_common — helpers shared by the command files (see cmd_common.h).
 */
#include "cmd_common.h"
#include "config.h"

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
