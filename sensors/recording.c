/*
 * recording — writer and reader of the recorded-session format described in
 * recording.h. The decoder is pure (rec_decode_chunk) so it can be fuzzed;
 * the reader adds buffered file I/O and the per-file checks (time order,
 * declared streams).
 */
#include "recording.h"

#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const uint8_t rec_magic[8] = {'W', 'W', 'R', 'E', 'C', '\r', '\n', 0x1A};

/* Table-less bitwise CRC-32 is too slow for big recordings: build a table. */
static uint32_t crc_table[256];
static void crc_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
}

/* CRC-32 IEEE, incremental. */
uint32_t rec_crc32(uint32_t crc, const void *data, size_t len)
{
    if (!crc_table[1])
        crc_init();
    const uint8_t *p = data;
    crc = ~crc;
    while (len--)
        crc = crc_table[(crc ^ *p++) & 0xFF] ^ (crc >> 8);
    return ~crc;
}

static void put_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static void put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}
static void put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}
static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t get_u64(const uint8_t *p)
{
    return (uint64_t)get_u32(p) | (uint64_t)get_u32(p + 4) << 32;
}

struct rec_writer {
    FILE *f;
    char path[4096];
    uint64_t last_t;
    bool failed;
};

/* Create the file with owner-only permissions and write the header. */
struct rec_writer *rec_writer_open(const char *path, bool overwrite, char *err, size_t errlen)
{
    int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (overwrite ? O_TRUNC : O_EXCL);
    int fd = open(path, flags, 0600);
    if (fd < 0) {
        ww_err(err, errlen, "%s: cannot create recording: %s", path, strerror(errno));
        return NULL;
    }
    struct rec_writer *w = calloc(1, sizeof *w);
    if (!w || !(w->f = fdopen(fd, "wb"))) {
        close(fd);
        free(w);
        ww_err(err, errlen, "%s: out of memory", path);
        return NULL;
    }
    ww_strlcpy(w->path, path, sizeof w->path);
    uint8_t h[REC_HEADER_SIZE];
    memcpy(h, rec_magic, 8);
    put_u16(h + 8, REC_VERSION);
    put_u16(h + 10, 0);
    put_u32(h + 12, rec_crc32(0, h, 12));
    if (fwrite(h, 1, sizeof h, w->f) != sizeof h) {
        ww_err(err, errlen, "%s: write failed: %s", path, strerror(errno));
        fclose(w->f);
        free(w);
        return NULL;
    }
    return w;
}

/* Write one chunk with its CRC. */
int rec_write_chunk(struct rec_writer *w, enum rec_type type, unsigned id, uint64_t t_us,
                    const void *data, size_t len, char *err, size_t errlen)
{
    if (id >= REC_MAX_STREAMS)
        return ww_err(err, errlen, "stream id %u out of range", id);
    if (len > REC_MAX_PAYLOAD)
        return ww_err(err, errlen, "chunk of %zu bytes too large", len);
    if (t_us < w->last_t)
        t_us = w->last_t; /* the format promises non-decreasing time */
    w->last_t = t_us;
    uint8_t h[16];
    h[0] = (uint8_t)type;
    h[1] = (uint8_t)id;
    put_u16(h + 2, 0);
    put_u32(h + 4, (uint32_t)len);
    put_u64(h + 8, t_us);
    uint32_t crc = rec_crc32(rec_crc32(0, h, 16), data, len);
    uint8_t c[4];
    put_u32(c, crc);
    if (fwrite(h, 1, 16, w->f) != 16 || (len && fwrite(data, 1, len, w->f) != len) ||
        fwrite(c, 1, 4, w->f) != 4) {
        w->failed = true;
        return ww_err(err, errlen, "%s: write failed: %s", w->path, strerror(errno));
    }
    return 0;
}

/* Encode and write a stream declaration. */
int rec_write_stream(struct rec_writer *w, unsigned id, const struct rec_stream *s, uint64_t t_us,
                     char *err, size_t errlen)
{
    uint8_t buf[20 + sizeof s->uri + sizeof s->label + sizeof s->note];
    size_t n = 0;
    buf[n++] = (uint8_t)s->kind;
    buf[n++] = (uint8_t)s->clock;
    buf[n++] = 0;
    buf[n++] = 0;
    memcpy(buf + n, &s->fs_hz, 8);
    n += 8;
    memcpy(buf + n, &s->wavelength_mm, 8);
    n += 8;
    const char *strs[3] = {s->uri, s->label, s->note};
    size_t caps[3] = {sizeof s->uri, sizeof s->label, sizeof s->note};
    for (int i = 0; i < 3; i++) {
        size_t l = strnlen(strs[i], caps[i] - 1);
        memcpy(buf + n, strs[i], l);
        n += l;
        buf[n++] = 0;
    }
    return rec_write_chunk(w, REC_STREAM, id, t_us, buf, n, err, errlen);
}

/* Write an event chunk. */
int rec_write_event(struct rec_writer *w, unsigned id, uint64_t t_us, enum rec_event ev,
                    const char *text, char *err, size_t errlen)
{
    uint8_t buf[512];
    size_t l = strnlen(text ? text : "", sizeof buf - 2);
    buf[0] = (uint8_t)ev;
    memcpy(buf + 1, text ? text : "", l);
    buf[1 + l] = 0;
    return rec_write_chunk(w, REC_EVENT, id, t_us, buf, l + 2, err, errlen);
}

/* Finish the file durably. */
int rec_writer_close(struct rec_writer *w, uint64_t t_us, char *err, size_t errlen)
{
    int rc = 0;
    if (!w)
        return 0;
    if (rec_write_chunk(w, REC_END, 0, t_us, NULL, 0, err, errlen) < 0)
        rc = -1;
    if (fflush(w->f) != 0 || fsync(fileno(w->f)) != 0) {
        if (rc == 0)
            ww_err(err, errlen, "%s: write failed: %s", w->path, strerror(errno));
        rc = -1;
    }
    if (fclose(w->f) != 0 && rc == 0) {
        ww_err(err, errlen, "%s: close failed: %s", w->path, strerror(errno));
        rc = -1;
    }
    if (w->failed)
        rc = -1;
    free(w);
    return rc;
}

/* Decode one chunk in memory. */
long rec_decode_chunk(const uint8_t *buf, size_t len, struct rec_chunk *out, char *err,
                      size_t errlen)
{
    if (len < 16)
        return 0;
    unsigned type = buf[0];
    if (type < REC_STREAM || type > REC_END) {
        ww_err(err, errlen, "unknown chunk type %u", type);
        return -1;
    }
    if (buf[1] >= REC_MAX_STREAMS) {
        ww_err(err, errlen, "stream id %u out of range", buf[1]);
        return -1;
    }
    uint32_t plen = get_u32(buf + 4);
    if (plen > REC_MAX_PAYLOAD) {
        ww_err(err, errlen, "impossible chunk length %u", plen);
        return -1;
    }
    if (len < (size_t)plen + REC_CHUNK_OVERHEAD)
        return 0;
    uint32_t want = get_u32(buf + 16 + plen);
    if (rec_crc32(0, buf, 16 + (size_t)plen) != want) {
        ww_err(err, errlen, "checksum mismatch");
        return -1;
    }
    if ((type == REC_IQ && plen % 8) || (type == REC_EVENT && plen < 2) ||
        (type == REC_END && plen != 0)) {
        ww_err(err, errlen, "bad payload length %u for chunk type %u", plen, type);
        return -1;
    }
    out->type = (enum rec_type)type;
    out->stream = buf[1];
    out->t_us = get_u64(buf + 8);
    out->data = buf + 16;
    out->len = plen;
    return (long)plen + REC_CHUNK_OVERHEAD;
}

/* Decode a STREAM payload (strings must be terminated and fit). */
/* Name of a clock. */
const char *rec_clock_name(enum rec_clock c)
{
    static const char *const names[] = {"unstated", "wall", "stream", "line", "samples"};
    return (unsigned)c <= REC_CLOCK_MAX ? names[c] : "unknown";
}

int rec_decode_stream(const uint8_t *p, size_t len, struct rec_stream *s, char *err,
                      size_t errlen)
{
    memset(s, 0, sizeof *s);
    if (len < 20)
        return ww_err(err, errlen, "stream declaration too short");
    if (p[0] != REC_KIND_BYTES && p[0] != REC_KIND_IQ)
        return ww_err(err, errlen, "unknown stream kind %u", p[0]);
    s->kind = (enum rec_kind)p[0];
    if (p[1] > REC_CLOCK_MAX)
        return ww_err(err, errlen, "unknown clock %u in stream declaration", p[1]);
    s->clock = (enum rec_clock)p[1];
    memcpy(&s->fs_hz, p + 4, 8);
    memcpy(&s->wavelength_mm, p + 12, 8);
    if (s->kind == REC_KIND_IQ && !(s->fs_hz > 0 && s->fs_hz <= 1e6))
        return ww_err(err, errlen, "bad sampling rate in I/Q stream declaration");
    size_t off = 20;
    char *dst[3] = {s->uri, s->label, s->note};
    size_t caps[3] = {sizeof s->uri, sizeof s->label, sizeof s->note};
    for (int i = 0; i < 3; i++) {
        const uint8_t *z = memchr(p + off, 0, len - off);
        if (!z)
            return ww_err(err, errlen, "unterminated text in stream declaration");
        size_t l = (size_t)(z - (p + off));
        if (l >= caps[i])
            return ww_err(err, errlen, "text too long in stream declaration");
        /* Text from a file is shown and stored: make it safe first. */
        char raw[1024];
        memcpy(raw, p + off, l);
        raw[l] = 0;
        ww_sanitize_text(dst[i], caps[i], raw, false);
        off += l + 1;
    }
    if (!s->uri[0])
        return ww_err(err, errlen, "stream declaration without a sensor URI");
    s->declared = true;
    return 0;
}

struct rec_reader {
    FILE *f;
    char path[4096];
    uint8_t *buf; /* holds one whole chunk */
    uint64_t offset;
    uint64_t last_t;
    bool ended, truncated, damaged;
    struct rec_stream streams[REC_MAX_STREAMS];
};

/* Open a recording and check its header. */
struct rec_reader *rec_reader_open(const char *path, char *err, size_t errlen)
{
    struct rec_reader *r = calloc(1, sizeof *r);
    if (!r) {
        ww_err(err, errlen, "out of memory");
        return NULL;
    }
    ww_strlcpy(r->path, path, sizeof r->path);
    r->f = ww_fopen_regular(path, err, errlen); /* never blocks on a FIFO or device */
    if (!r->f) {
        free(r);
        return NULL;
    }
    r->buf = malloc(REC_MAX_PAYLOAD + REC_CHUNK_OVERHEAD);
    if (!r->buf || rec_rewind(r, err, errlen) < 0) {
        if (!r->buf)
            ww_err(err, errlen, "out of memory");
        rec_reader_close(r);
        return NULL;
    }
    return r;
}

/* Back to the first chunk; re-checks the header. */
int rec_rewind(struct rec_reader *r, char *err, size_t errlen)
{
    uint8_t h[REC_HEADER_SIZE];
    if (fseek(r->f, 0, SEEK_SET) != 0)
        return ww_err(err, errlen, "%s: cannot seek", r->path);
    size_t n = fread(h, 1, sizeof h, r->f);
    if (n < sizeof h || memcmp(h, rec_magic, 8) != 0)
        return ww_err(err, errlen, "%s: offset 0: not a wardwatch recording", r->path);
    if (rec_crc32(0, h, 12) != get_u32(h + 12))
        return ww_err(err, errlen, "%s: offset 0: damaged file header", r->path);
    unsigned version = (unsigned)h[8] | (unsigned)h[9] << 8;
    if (version < REC_VERSION_MIN || version > REC_VERSION)
        return ww_err(err, errlen,
                      "%s: recording format version %u, this wardwatch reads %u to %u", r->path,
                      version, REC_VERSION_MIN, REC_VERSION);
    r->offset = REC_HEADER_SIZE;
    r->last_t = 0;
    r->ended = r->truncated = r->damaged = false;
    memset(r->streams, 0, sizeof r->streams);
    return 0;
}

/* Read and check the next chunk. */
int rec_next(struct rec_reader *r, struct rec_chunk *out, char *err, size_t errlen)
{
    char why[160];
    if (r->ended)
        return 0;
    if (r->damaged)
        return ww_err(err, errlen, "%s: damaged recording", r->path);
    size_t n = fread(r->buf, 1, 16, r->f);
    if (n == 0) {
        r->truncated = true; /* no END chunk: cut short, but what we had is good */
        r->ended = true;
        return 0;
    }
    if (n < 16)
        goto truncated;
    uint32_t plen = get_u32(r->buf + 4);
    if (plen <= REC_MAX_PAYLOAD) {
        size_t more = (size_t)plen + 4;
        if (fread(r->buf + 16, 1, more, r->f) != more)
            goto truncated;
    }
    long used = rec_decode_chunk(r->buf, 16 + (size_t)plen + 4, out, why, sizeof why);
    if (used <= 0) {
        r->damaged = true;
        return ww_err(err, errlen, "%s: offset %llu: %s", r->path, (unsigned long long)r->offset,
                      used == 0 ? "truncated chunk" : why);
    }
    out->offset = r->offset;
    if (out->t_us < r->last_t) {
        r->damaged = true;
        return ww_err(err, errlen, "%s: offset %llu: time goes backwards", r->path,
                      (unsigned long long)r->offset);
    }
    r->last_t = out->t_us;
    if (out->type == REC_STREAM) {
        if (rec_decode_stream(out->data, out->len, &r->streams[out->stream], why, sizeof why) <
            0) {
            r->damaged = true;
            return ww_err(err, errlen, "%s: offset %llu: %s", r->path,
                          (unsigned long long)r->offset, why);
        }
    } else if ((out->type == REC_BYTES || out->type == REC_IQ) &&
               !r->streams[out->stream].declared) {
        r->damaged = true;
        return ww_err(err, errlen, "%s: offset %llu: data for undeclared stream %u", r->path,
                      (unsigned long long)r->offset, out->stream);
    } else if ((out->type == REC_BYTES && r->streams[out->stream].kind != REC_KIND_BYTES) ||
               (out->type == REC_IQ && r->streams[out->stream].kind != REC_KIND_IQ)) {
        r->damaged = true;
        return ww_err(err, errlen, "%s: offset %llu: data of the wrong kind for stream %u",
                      r->path, (unsigned long long)r->offset, out->stream);
    }
    r->offset += (uint64_t)used;
    if (out->type == REC_END) {
        r->ended = true;
        return 0;
    }
    return 1;
truncated:
    r->damaged = true;
    r->truncated = true;
    return ww_err(err, errlen, "%s: offset %llu: recording cut short inside a chunk", r->path,
                  (unsigned long long)r->offset);
}

/* Declared stream or NULL. */
const struct rec_stream *rec_stream(const struct rec_reader *r, unsigned id)
{
    return id < REC_MAX_STREAMS && r->streams[id].declared ? &r->streams[id] : NULL;
}

/* Ended without END. */
bool rec_truncated(const struct rec_reader *r)
{
    return r->truncated;
}

/* Close. */
void rec_reader_close(struct rec_reader *r)
{
    if (!r)
        return;
    if (r->f)
        fclose(r->f);
    free(r->buf);
    free(r);
}

/* Pack I/Q samples into a REC_IQ payload (see recording.h). */
void rec_pack_iq(const float *i, const float *q, size_t n, uint8_t *out)
{
    for (size_t k = 0; k < n; k++) {
        uint32_t ui, uq;
        memcpy(&ui, &i[k], 4);
        memcpy(&uq, &q[k], 4);
        for (int b = 0; b < 4; b++) {
            out[8 * k + b] = (uint8_t)(ui >> (8 * b));
            out[8 * k + 4 + b] = (uint8_t)(uq >> (8 * b));
        }
    }
}

/* Unpack n samples of a REC_IQ payload. */
void rec_unpack_iq(const uint8_t *p, size_t n, float *i, float *q)
{
    for (size_t k = 0; k < n; k++) {
        const uint8_t *b = p + 8 * k;
        uint32_t ui = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
                      (uint32_t)b[3] << 24;
        uint32_t uq = (uint32_t)b[4] | (uint32_t)b[5] << 8 | (uint32_t)b[6] << 16 |
                      (uint32_t)b[7] << 24;
        memcpy(&i[k], &ui, 4);
        memcpy(&q[k], &uq, 4);
    }
}
