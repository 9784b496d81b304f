/*
 * cmd_config — `wardwatch config [-c FILE]`: check a ward configuration and
 * print the effective settings, so a technician can validate an INI before
 * restarting the ward.
 */
#include "commands.h"
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Entry point. */
int cmd_config_main(int argc, char **argv)
{
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-c") && i + 1 < argc) {
            path = argv[++i];
        } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("usage: wardwatch config [-c FILE]\n"
                   "Checks the ward configuration and prints the effective settings.\n");
            return 0;
        } else {
            fprintf(stderr, "wardwatch config: unknown argument '%s' (usage: wardwatch config "
                            "[-c FILE])\n",
                    argv[i]);
            return 2;
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
    free(cfg);
    return 0;
}
