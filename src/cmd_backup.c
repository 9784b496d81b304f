/*
 * cmd_backup — `wardwatch backup -o FILE [-c CONFIG] [--db FILE]` makes a
 * consistent copy of the (possibly live) ward database with SQLite's backup
 * API, into a new 0600 file that is never an existing one, then verifies the
 * copy as `wardwatch check` would. The database is --db, or the one the ward
 * configuration names.
 */
#include "commands.h"
#include "config.h"
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BACKUP_USAGE "usage: wardwatch backup -o FILE [-c CONFIG] [--db FILE]"

/* The database the configuration names; 0, or the exit status. */
static int config_database(const char *cfgpath, char *db, size_t n)
{
    struct ward_config *cfg = malloc(sizeof *cfg);
    char err[1024];
    if (!cfg) {
        fprintf(stderr, "wardwatch backup: out of memory\n");
        return 1;
    }
    if (config_load(cfgpath, cfg, err, sizeof err) < 0) {
        fprintf(stderr, "wardwatch backup: %s\n", err);
        free(cfg);
        return 2;
    }
    snprintf(db, n, "%s", cfg->database);
    free(cfg);
    return 0;
}

/* Entry point. */
int cmd_backup_main(int argc, char **argv)
{
    const char *cfgpath = NULL, *dbpath = NULL, *out = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            printf("%s\nCopies the ward database (safe while wardwatch runs) into a new file "
                   "readable by its owner only, and verifies the copy.\n",
                   BACKUP_USAGE);
            return 0;
        }
        const char **slot = !strcmp(a, "-o")     ? &out
                            : !strcmp(a, "-c")   ? &cfgpath
                            : !strcmp(a, "--db") ? &dbpath
                                                 : NULL;
        if (!slot) {
            fprintf(stderr, "wardwatch backup: unknown argument '%s' (accepted: -o FILE, -c CONFIG, "
                            "--db FILE)\n%s\n",
                    a, BACKUP_USAGE);
            return 2;
        }
        if (i + 1 >= argc || !argv[i + 1][0]) {
            fprintf(stderr, "wardwatch backup: %s needs a file name\n%s\n", a, BACKUP_USAGE);
            return 2;
        }
        *slot = argv[++i];
    }
    if (!out) {
        fprintf(stderr, "wardwatch backup: -o FILE is required (the new backup file)\n%s\n",
                BACKUP_USAGE);
        return 2;
    }
    char db[4096], err[2048];
    if (dbpath) {
        snprintf(db, sizeof db, "%s", dbpath);
    } else {
        int rc = config_database(cfgpath, db, sizeof db);
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
