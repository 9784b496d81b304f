/*
 * server — the listening side of `wardwatch serve`: a UNIX-domain socket on
 * the monitor's loop where bed-boards attach (protocol in proto.h and
 * doc/protocol.md).
 *
 * Everything runs on the loop thread. Each attached board has a bounded
 * input buffer (one frame) and an output queue; a board whose queue holds
 * more than client_queue_kb of unread data is dropped, so a hung terminal
 * never holds the ward back, and a board that sends anything malformed is
 * closed without affecting the others. After every ward second all boards
 * get the ward's state; alarm transitions and commands are sent at once.
 * Commands run through ward_cmd_exec: their effect and the REPLY reach the
 * boards only once the ward has committed them to the store.
 *
 * The socket is created 0660 and its directory (when serve creates it)
 * 0770, owned by the configured group (else the process's): attaching is
 * the right to acknowledge and chart, so it is the ward group's alone. A
 * stale socket of a dead server is replaced; a live one is refused.
 */
#ifndef WW_SERVER_H
#define WW_SERVER_H

#include "loop.h"

#include <stddef.h>

struct monitor;
struct server;

struct server_opts {
    const char *path;  /* socket */
    const char *group; /* owning group of socket and directory, NULL/"" own */
    int max_clients;
    size_t queue_limit; /* bytes */
};

/* 0 when nobody listens on path (no socket, or a dead server's); -1 with
 * the reason (a live server, or something that is not a socket) otherwise.
 * serve asks before it opens anything. */
int server_socket_free(const char *path, char *err, size_t errlen);
/* Listen on o->path and serve m's ward on l (sets the ward's listener and the
 * monitor's tick hook). NULL with a message when the socket cannot be made. */
struct server *server_new(struct monitor *m, struct loop *l, const struct server_opts *o, char *err,
                          size_t errlen);
/* Tell every board, close, remove the socket. */
void server_free(struct server *s);
/* Boards attached now. */
int server_clients(const struct server *s);

#endif
