/*
 * cmd_config — `wardwatch config [-c FILE]`: check a ward configuration and
 * print the effective settings, so a technician can validate an INI before
 * restarting the ward.
 */
#include "cmd_common.h"
#include "commands.h"
#include "config.h"
#include "uri.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Sensor paths that are valid text but cannot work now: a capture or
 * recording that is not a regular file (a FIFO, /dev/zero, a directory, a
 * symlink loop, missing), a serial node that is missing or not a character
 * device. serve refuses the first kind for that bed (technical alarm) and
 * retries the second; saying so here lets the technician fix the INI before
 * the restart. Warnings only (stderr): returns their count. */
static int warn_sensor_paths(const struct ward_config *cfg)
{
    int n = 0;
    for (int i = 0; i < cfg->nbeds; i++) {
        const struct config_bed *b = &cfg->beds[i];
        struct sensor_uri u;
        char why[1200];
        if (!b->sensor[0] || uri_parse(b->sensor, &u, why, sizeof why) < 0)
            continue;
        if (u.kind == URI_FILE || u.kind == URI_REPLAY) {
            if (ww_check_regular(u.address, why, sizeof why) == 0)
                continue;
        } else if (u.kind == URI_DEV) {
            struct stat st;
            if (stat(u.address, &st) < 0)
                snprintf(why, sizeof why,
                         "%s: %s (the bed shows a disconnected sensor until it appears)",
                         u.address, strerror(errno));
            else if (!S_ISCHR(st.st_mode))
                snprintf(why, sizeof why, "%s is %s, not a serial device", u.address,
                         ww_file_kind(st.st_mode));
            else
                continue;
        } else {
            continue;
        }
        fprintf(stderr, "wardwatch: warning: %s:%d: [bed.%d] (%s) sensor: %s\n", cfg->path,
                b->line, b->number, b->label, why);
        n++;
    }
    return n;
}

const char cmd_config_usage[] = "wardwatch config [-c FILE]\n";

/* Entry point. */
int cmd_config_main(int argc, char **argv)
{
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-c") && i + 1 < argc) {
            path = argv[++i];
        } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            cmd_usage(stdout, cmd_config_usage);
            printf("Checks the ward configuration and prints the effective settings.\n");
            return 0;
        } else {
            return cmd_usage_error("config", cmd_config_usage, "unknown argument '%s'", argv[i]);
        }
    }
    struct ward_config *cfg = malloc(sizeof *cfg);
    char err[1024];
    if (!cfg)
        return 1;
    if (config_load(path, cfg, err, sizeof err) < 0) {
        fprintf(stderr, "wardwatch: %s\n", err);
        free(cfg);
        return 2;
    }
    config_dump(stdout, cfg);
    warn_sensor_paths(cfg);
    free(cfg);
    return 0;
}
