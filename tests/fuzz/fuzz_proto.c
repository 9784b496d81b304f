/* libFuzzer harness: the serve/board protocol decoders (src/proto). The
 * input is walked as a byte stream the way server and board read a socket:
 * frames split by proto_frame, every frame handed to every decoder (so the
 * type checks are exercised too). Checks:
 * - nothing reads outside the frame (ASan) or overflows (UBSan);
 * - a frame of one type is accepted by at most its own decoder;
 * - what decodes re-encodes to a frame that decodes again and encodes to
 *   the same bytes (decode . encode is the identity on decoded messages);
 * - decoded strings are NUL-terminated within their fields;
 * - a BED frame applied to a mirror bed leaves its histories usable. */
#include "proto.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(x)                                                                                   \
    do {                                                                                           \
        if (!(x))                                                                                  \
            abort();                                                                               \
    } while (0)

static uint8_t enc1[PROTO_MAX_FRAME], enc2[PROTO_MAX_FRAME];

static struct proto_buf buf_of(uint8_t *p)
{
    return (struct proto_buf){p, 0, PROTO_MAX_FRAME, 0, false};
}

/* Re-encode m with put, decode it with get into m2, re-encode m2: the two
 * encodings must be identical. */
#define ROUND_TRIP(T, put, get, m)                                                                 \
    do {                                                                                           \
        static T m2_;                                                                              \
        struct proto_buf b1_ = buf_of(enc1), b2_ = buf_of(enc2);                                   \
        CHECK(put(&b1_, (m)) == 0);                                                                \
        CHECK(get(enc1, b1_.len, &m2_) == 0);                                                      \
        CHECK(put(&b2_, &m2_) == 0);                                                               \
        CHECK(b1_.len == b2_.len && memcmp(enc1, enc2, b1_.len) == 0);                             \
    } while (0)

static int accepted;

static void one_frame(const uint8_t *f, size_t n)
{
    uint8_t type = proto_frame_type(f);
    accepted = 0;
    static struct proto_hello hello;
    if (proto_get_hello(f, n, &hello) == 0) {
        accepted++;
        CHECK(type == PT_HELLO);
        CHECK(strlen(hello.name) <= PROTO_MAX_NAME);
        ROUND_TRIP(struct proto_hello, proto_put_hello, proto_get_hello, &hello);
    }
    static struct proto_welcome w;
    if (proto_get_welcome(f, n, &w) == 0) {
        accepted++;
        CHECK(type == PT_WELCOME && w.nbeds <= CONFIG_MAX_BEDS && w.nstaff <= CONFIG_MAX_STAFF);
        ROUND_TRIP(struct proto_welcome, proto_put_welcome, proto_get_welcome, &w);
    }
    static struct proto_state st;
    if (proto_get_state(f, n, &st) == 0) {
        accepted++;
        ROUND_TRIP(struct proto_state, proto_put_state, proto_get_state, &st);
    }
    static struct ward_bed bed, bed2;
    static struct proto_minute mi;
    uint32_t idx;
    memset(&bed, 0, sizeof bed);
    hist_clear(&bed.h_rr);
    hist_clear(&bed.h_hr);
    hist_clear(&bed.h_news2);
    if (proto_get_bed(f, n, &idx, &bed, &mi) == 0) {
        accepted++;
        CHECK(type == PT_BED && idx < CONFIG_MAX_BEDS);
        CHECK(strlen(bed.label) < sizeof bed.label);
        CHECK(mi.minute >= PROTO_MIN_MINUTE && mi.minute <= PROTO_MAX_MINUTE);
        proto_minute_apply(&mi, &bed);
        float series[32];
        hist_series(&bed.h_rr, mi.minute * 60000, 3600000, series, 32);
        /* Re-encode at the minute it carried; the decoded copy encodes alike. */
        struct proto_buf b1 = buf_of(enc1), b2 = buf_of(enc2);
        CHECK(proto_put_bed(&b1, idx, &bed, mi.minute * 60000) == 0);
        bed2 = bed;
        struct proto_minute mi2;
        CHECK(proto_get_bed(enc1, b1.len, &idx, &bed2, &mi2) == 0);
        CHECK(proto_put_bed(&b2, idx, &bed2, mi.minute * 60000) == 0);
        CHECK(b1.len == b2.len && memcmp(enc1, enc2, b1.len) == 0);
    }
    static struct proto_hist h;
    if (proto_get_hist(f, n, &h) == 0) {
        accepted++;
        CHECK(h.count <= HIST_MINUTES && h.series < PS_COUNT);
        proto_hist_apply(&h, &bed.h_hr);
        ROUND_TRIP(struct proto_hist, proto_put_hist, proto_get_hist, &h);
    }
    if (proto_get_synced(f, n) == 0) {
        accepted++;
        CHECK(type == PT_SYNCED);
    }
    static struct proto_event e;
    if (proto_get_event(f, n, &e) == 0) {
        accepted++;
        ROUND_TRIP(struct proto_event, proto_put_event, proto_get_event, &e);
    }
    static struct proto_cmd c;
    if (proto_get_cmd(f, n, &c) == 0) {
        accepted++;
        CHECK(c.cmd.kind >= WCMD_ACK && c.cmd.kind <= WCMD_KIND_MAX);
        CHECK(strlen(c.cmd.text) < sizeof c.cmd.text);
        ROUND_TRIP(struct proto_cmd, proto_put_cmd, proto_get_cmd, &c);
    }
    static struct proto_reply r;
    if (proto_get_reply(f, n, &r) == 0) {
        accepted++;
        ROUND_TRIP(struct proto_reply, proto_put_reply, proto_get_reply, &r);
    }
    static struct proto_histreq hr;
    if (proto_get_histreq(f, n, &hr) == 0) {
        accepted++;
        ROUND_TRIP(struct proto_histreq, proto_put_histreq, proto_get_histreq, &hr);
    }
    static struct proto_history hy;
    if (proto_get_history(f, n, &hy) == 0) {
        accepted++;
        CHECK(hy.n <= PROTO_MAX_HISTORY);
        ROUND_TRIP(struct proto_history, proto_put_history, proto_get_history, &hy);
    }
    static struct proto_horeq ho;
    if (proto_get_horeq(f, n, &ho) == 0) {
        accepted++;
        CHECK(ho.t0 < ho.t1);
        ROUND_TRIP(struct proto_horeq, proto_put_horeq, proto_get_horeq, &ho);
    }
    static struct proto_hopart hp;
    if (proto_get_hopart(f, n, &hp) == 0) {
        accepted++;
        CHECK(hp.n <= PROTO_MAX_HOLINES && hp.first + hp.n <= hp.total);
        ROUND_TRIP(struct proto_hopart, proto_put_hopart, proto_get_hopart, &hp);
    }
    static struct proto_bye bye;
    if (proto_get_bye(f, n, &bye) == 0) {
        accepted++;
        ROUND_TRIP(struct proto_bye, proto_put_bye, proto_get_bye, &bye);
    }
    CHECK(accepted <= 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t off = 0, fl;
    int k;
    while ((k = proto_frame(data + off, size - off, &fl)) == 1) {
        CHECK(fl >= PROTO_HEADER + 1 && fl <= size - off && fl <= PROTO_MAX_FRAME);
        one_frame(data + off, fl);
        off += fl;
    }
    return 0;
}
