/*
 * corelock — at most one monitoring core per database. Exactly one process
 * may write a ward's SQLite file (doc/design.md): `wardwatch serve`, or a board
 * running the core in-process. Each takes an exclusive flock on DATABASE.lock
 * (next to the database, holding the owner's pid) before opening the store
 * and keeps it until it exits, so a second core is refused with the pid of
 * the first, whichever kind either is.
 */
#ifndef WW_CORELOCK_H
#define WW_CORELOCK_H

#include <stddef.h>

/* Take the lock for database: an fd to keep open, or -1 with a message
 * (naming the holder when another core has it). */
int corelock_take(const char *database, char *err, size_t errlen);
/* The lock file deleted (or replaced) under a running core would let a
 * second core start on the same database. Called each second by the core:
 * 0 while the file at DATABASE.lock is the one *fd locks; when it is gone,
 * a new one is created and locked (and *fd replaced): 1; -1 with a message
 * when another process holds the lock at the path now (a second core got
 * in meanwhile). */
int corelock_check(int *fd, const char *database, char *err, size_t errlen);
/* Let go (closing the fd releases the lock; the file stays). */
void corelock_release(int fd);

#endif
