/*
 * attach — a board's side of `wardwatch serve`: a mirror of the server's
 * ward, fed over its socket by the snapshot and the changes that follow,
 * offered to the board as a view (view.h), and the command path that sends
 * a command and answers the board when the server's REPLY comes, while the
 * loop keeps running.
 *
 * Losing the server (the socket closes, or nothing arrives for 5 s: a hung
 * server) is shown through the view's link(): VIEW_LOST, the mirror keeps
 * the last data and the board marks it stale. The mirror reconnects by
 * itself (every second) and takes a fresh snapshot. A command while
 * disconnected is refused with a message; a command whose answer the lost
 * connection swallowed is answered "not known whether it was saved".
 */
#ifndef WW_ATTACH_H
#define WW_ATTACH_H

#include "loop.h"
#include "view.h"

#include <stddef.h>

struct attach;

/* A mirror of the ward served on path; name identifies this terminal in the
 * server's log and in events others see ("station", "user@pts/3"). */
struct attach *attach_new(struct loop *l, const char *path, const char *name);
void attach_free(struct attach *a);
/* Connect and take the snapshot, running the loop for up to timeout_ms.
 * 0 when attached; -1 with the reason (no server, refused, timed out), and
 * *absent set when nobody listens there at all (no socket, or a dead
 * server's socket): the only case where a board may start its own core. */
int attach_connect(struct attach *a, int timeout_ms, bool *absent, char *err, size_t errlen);
struct view attach_view(struct attach *a);

/* One command sent by a process that is not a board (`wardwatch handover`
 * auditing through a running server): connect to path, wait for the
 * answer. 0 committed (msg: the server's answer text); -1 with the reason
 * (*absent when no server listens there). */
int attach_run_command(const char *path, const char *name, const struct ward_cmd *c,
                       int timeout_ms, bool *absent, char *msg, size_t msglen, char *err,
                       size_t errlen);

#endif
