/*
 * http — an HTTP POST sender for one destination (the FHIR export), on the
 * core's event loop (loop.h) through libcurl's multi interface: curl's
 * sockets and timer are the loop's fds and timers, so a transfer never
 * waits and never runs a thread of ours (Debian's libcurl resolves names
 * asynchronously inside itself: a slow DNS never stalls the ward).
 *
 * One request in flight; the next is taken only when the current one is
 * settled, as the MLLP sender does (mllp.h):
 *
 *   the owner's judge says HL7_DELIVERED   done, next message
 *   ... says HL7_DEAD                      dead-lettered (done), next; the
 *                                          destination counts as failing
 *                                          until a message is delivered
 *   ... says HL7_RETRY (5xx, a bad answer) the same bytes again after the
 *                                          backoff (doubling, min to max)
 *   no answer within timeout, connect      the same, as HL7_RETRY
 *   refused, any transfer error
 *
 * Messages come from the owner through ops->next, so the owner's outbox is
 * the single place a message lives.
 */
#ifndef WW_HTTP_H
#define WW_HTTP_H

#include "hl7.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct loop;

/* The request body to send now (ops->next fills it; copied by the sender). */
struct http_out {
    int64_t row;
    const char *body;
    size_t len;
};

struct http_ops {
    /* 1 with the oldest pending message, 0 when none. */
    int (*next)(void *ctx, struct http_out *out);
    /* What an answer means (status the HTTP status, body the answer). */
    enum hl7_verdict (*judge)(void *ctx, int64_t row, long status, const char *body, size_t len,
                              char *why, size_t whylen);
    /* The row is settled: HL7_DELIVERED or HL7_DEAD with why. */
    void (*done)(void *ctx, int64_t row, enum hl7_verdict v, const char *why);
};

struct http_params {
    int timeout_ms;                 /* the whole request, connect included */
    int retry_min_ms, retry_max_ms; /* backoff */
    const char *content_type;       /* e.g. "application/fhir+json" */
};

struct http_status {
    bool in_flight;
    int64_t failing_since_ms; /* wall clock of the first failure since the last
                               * settled message; 0 when not failing */
    char last_error[160];
    uint64_t delivered, dead, resent;
};

struct http_sender;

/* NULL with a message (out of memory, libcurl refused to start). */
struct http_sender *http_sender_new(struct loop *l, const char *name, const char *url,
                                    const struct http_params *p, const struct http_ops *ops,
                                    void *ctx, char *err, size_t errlen);
void http_sender_free(struct http_sender *s);
/* Something new is pending: send if idle (cheap; call freely). */
void http_sender_kick(struct http_sender *s);
void http_sender_status(const struct http_sender *s, struct http_status *st);

#endif
