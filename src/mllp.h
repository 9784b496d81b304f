/*
 * mllp — an HL7 sender over MLLP for one destination connection, on the
 * core's event loop (loop.h): non-blocking socket, never a thread, never a
 * wait. One message in flight; the next is taken only when the peer's ACK
 * settled the current one:
 *
 *   AA/CA with MSA-2 = the MSH-10 sent   delivered (done, next message)
 *   AE/CE with that MSA-2                dead-lettered (done, never resent;
 *                                        the destination counts as failing
 *                                        until a message is delivered)
 *   AR/CR with that MSA-2                resent after the backoff, same bytes
 *   an ACK for another control id        ignored (a late ACK of an earlier
 *                                        message never settles this one)
 *   no ACK within ack_timeout            socket closed, reconnect after the
 *                                        backoff, the same bytes resent
 *   connect refused, peer closed         reconnect with backoff (doubling
 *                                        from retry_min to retry_max)
 *
 * Messages come from the owner through ops->next (the oldest pending one,
 * again and again until ops->done settles it), so the owner's outbox is the
 * single place a message lives: a sender can be freed and made anew (a
 * restart) and simply asks again.
 *
 * The address is resolved once, when the sender is made (before the loop
 * runs): a DNS lookup on the loop could stall the ward for seconds.
 */
#ifndef WW_MLLP_H
#define WW_MLLP_H

#include "hl7.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct loop;

/* The message to send now (ops->next fills it; msg stays the owner's until
 * the next call of next or done). */
struct mllp_out {
    int64_t row;              /* the owner's id for it */
    char control_id[HL7_ID];  /* its MSH-10 */
    const char *msg;          /* unframed, segments ended by CR */
    size_t len;
};

struct mllp_ops {
    /* 1 with the oldest pending message, 0 when none. */
    int (*next)(void *ctx, struct mllp_out *out);
    /* The message row is settled: delivered (HL7_DELIVERED) or dead
     * (HL7_DEAD, why from the ACK). */
    void (*done)(void *ctx, int64_t row, enum hl7_verdict v, const char *why);
};

struct mllp_params {
    int ack_timeout_ms;
    int retry_min_ms, retry_max_ms; /* backoff */
};

struct mllp_status {
    bool connected;
    bool in_flight;
    char control_id[HL7_ID];  /* in flight */
    int64_t failing_since_ms; /* wall clock of the first failure since the last
                               * settled message; 0 when not failing */
    char last_error[160];
    uint64_t delivered, dead, resent, stray_acks;
};

struct mllp_sender;

/* NULL with a message when host:port cannot be resolved. name is for logs. */
struct mllp_sender *mllp_sender_new(struct loop *l, const char *name, const char *host, int port,
                                    const struct mllp_params *p, const struct mllp_ops *ops,
                                    void *ctx, char *err, size_t errlen);
void mllp_sender_free(struct mllp_sender *s);
/* Something new is pending: connect or send if idle (cheap; call freely). */
void mllp_sender_kick(struct mllp_sender *s);
void mllp_sender_status(const struct mllp_sender *s, struct mllp_status *st);

#endif
