/*
 * cmd_check — `wardwatch check [-c CONFIG] [--db FILE | FILE]` verifies a
 * ward database or a backup of one without changing it (read-only open):
 * integrity_check, foreign_key_check, the schema version against this
 * binary's, and row counts. Exit 0 when sound, 1 when not.
 */
#include "cmd_common.h"
#include "commands.h"
#include "config.h"
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char cmd_check_usage[] = "wardwatch check [-c CONFIG] [--db FILE | FILE]\n";

/* Entry point. */
int cmd_check_main(int argc, char **argv)
{
    const char *cfgpath = NULL, *dbpath = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            cmd_usage(stdout, cmd_check_usage);
            printf("Verifies a ward database or a backup (read-only): integrity, foreign "
                   "keys, schema version and row counts.\n");
            return 0;
        }
        if (!strcmp(a, "-c") || !strcmp(a, "--db")) {
            if (i + 1 >= argc || !argv[i + 1][0]) {
                return cmd_usage_error("check", cmd_check_usage, "%s needs a file name", a);
            }
            if (!strcmp(a, "-c"))
                cfgpath = argv[++i];
            else if (dbpath) {
                return cmd_usage_error("check", cmd_check_usage,
                                       "give one database (--db FILE or FILE)");
            } else
                dbpath = argv[++i];
        } else if (a[0] == '-' && a[1]) {
            return cmd_usage_error("check", cmd_check_usage,
                                   "unknown option '%s' (accepted: -c CONFIG, --db FILE)", a);
        } else if (dbpath) {
            return cmd_usage_error("check", cmd_check_usage,
                                   "give one database (--db FILE or FILE), not also '%s'", a);
        } else {
            dbpath = a;
        }
    }
    char db[4096], err[2048];
    if (dbpath) {
        snprintf(db, sizeof db, "%s", dbpath);
    } else {
        int rc = cmd_config_database("check", cfgpath, db, sizeof db);
        if (rc)
            return rc;
    }
    if (store_check_file(db, stdout, err, sizeof err) < 0) {
        fprintf(stderr, "wardwatch check: %s\n", err);
        return 1;
    }
    return 0;
}
