/* store_fixture: see store_fixture.h. */
#include "store_fixture.h"
#include "ww_test.h"
#include "store.h"

#include <sqlite3.h>
#include <stdio.h>

int fx_raw_sql(const char *db, const char *sql)
{
    sqlite3 *d;
    sqlite3_open(db, &d);
    sqlite3_busy_timeout(d, 100);
    int rc = sqlite3_exec(d, sql, NULL, NULL, NULL);
    sqlite3_close(d);
    return rc;
}

long long fx_raw_int(const char *db, const char *sql)
{
    sqlite3 *d;
    sqlite3_stmt *s;
    long long v = -1;
    sqlite3_open(db, &d);
    if (sqlite3_prepare_v2(d, sql, -1, &s, NULL) == SQLITE_OK) {
        if (sqlite3_step(s) == SQLITE_ROW)
            v = sqlite3_column_int64(s, 0);
        sqlite3_finalize(s);
    }
    sqlite3_close(d);
    return v;
}

long long fx_count_of(const char *db, const char *table)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
    return fx_raw_int(db, sql);
}

struct store *fx_open_ward(const char *db, char *err, size_t errlen)
{
    struct store *st = store_open(db, NULL, err, errlen);
    if (!st)
        fail_msg("store_open: %s", err);
    const char *labels[3] = {"Rom 1", "Rom 2", "Rom 3"};
    for (int b = 1; b <= 3; b++)
        if (store_sync_bed(st, b, labels[b - 1], err, errlen) != 0)
            fail_msg("store_sync_bed %d: %s", b, err);
    return st;
}
