/*
 * store_fixture — what the store's tests share: a ward database looked at
 * through a second sqlite3 connection (what really reached the file), and a
 * store with beds 1..3.
 */
#ifndef WW_STORE_FIXTURE_H
#define WW_STORE_FIXTURE_H

#include <stddef.h>

struct store;

/* Run SQL on db through a separate connection; returns the sqlite3 rc. */
int fx_raw_sql(const char *db, const char *sql);
/* One integer from a query on a separate connection (-1 when none). */
long long fx_raw_int(const char *db, const char *sql);
/* Rows of a table (after the store is closed or between its writes). */
long long fx_count_of(const char *db, const char *table);
/* store_open(db) with beds 1..3 ("Rom 1".."Rom 3") synced; fails the test
 * otherwise, the message in err. */
struct store *fx_open_ward(const char *db, char *err, size_t errlen);

#endif
