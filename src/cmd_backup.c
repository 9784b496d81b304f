/*
 * cmd_backup — `wardwatch backup -o FILE [-c CONFIG] [--db FILE]` makes a
 * consistent copy of the (possibly live) ward database with SQLite's backup
 * API, into a new 0600 file that is never an existing one, then verifies the
 * copy as `wardwatch check` would. The database is --db, or the one the ward
 * configuration names.
 */
#include "cmd_common.h"
#include "commands.h"
#include "config.h"
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char cmd_backup_usage[] = "wardwatch backup -o FILE [-c CONFIG] [--db FILE]\n";

/* Entry point. */
int cmd_backup_main(int argc, char **argv)
{
    const char *cfgpath = NULL, *dbpath = NULL, *out = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            cmd_usage(stdout, cmd_backup_usage);
            printf("Copies the ward database (safe while wardwatch runs) into a new file "
                   "readable by its owner only, and verifies the copy.\n");
            return 0;
        }
        const char **slot = !strcmp(a, "-o")     ? &out
                            : !strcmp(a, "-c")   ? &cfgpath
                            : !strcmp(a, "--db") ? &dbpath
                                                 : NULL;
        if (!slot) {
            return cmd_usage_error("backup", cmd_backup_usage,
                                   "unknown argument '%s' (accepted: -o FILE, -c CONFIG, "
                                   "--db FILE)",
                                   a);
        }
        if (i + 1 >= argc || !argv[i + 1][0]) {
            return cmd_usage_error("backup", cmd_backup_usage, "%s needs a file name", a);
        }
        *slot = argv[++i];
    }
    if (!out) {
        return cmd_usage_error("backup", cmd_backup_usage,
                               "-o FILE is required (the new backup file)");
    }
    char db[4096], err[2048];
    if (dbpath) {
        snprintf(db, sizeof db, "%s", dbpath);
    } else {
        int rc = cmd_config_database("backup", cfgpath, db, sizeof db);
        if (rc)
            return rc;
    }
    if (store_backup_file(db, out, err, sizeof err) < 0) {
        fprintf(stderr, "wardwatch backup: %s\n", err);
        return 1;
    }
    if (store_check_file(out, stdout, err, sizeof err) < 0) {
        fprintf(stderr, "wardwatch backup: the copy does not verify: %s\n", err);
        return 1;
    }
    printf("backup of %s written to %s\n", db, out);
    return 0;
}
