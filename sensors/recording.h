/*
 * recording — wardwatch's recorded-session format, version 2 (reads 1 and 2).
 *
 * A recording holds one or more sensor streams exactly as they arrived: the
 * raw bytes of serial sensors and the I/Q sample blocks of iio sensors, each
 * with a monotonic timestamp, so a replay runs the very same drivers, parsers
 * and DSP as live monitoring. Layout (all integers little-endian):
 *
 *   file header, 16 bytes:
 *     0  8  magic "WWREC\r\n\032"
 *     8  2  format version (2; version 1 files are read too)
 *    10  2  reserved (0)
 *    12  4  CRC-32 of bytes 0..11
 *   then chunks until an END chunk or the end of the file:
 *     0  1  type (REC_STREAM, REC_BYTES, REC_IQ, REC_EVENT, REC_END)
 *     1  1  stream id (0..REC_MAX_STREAMS-1)
 *     2  2  reserved (0)
 *     4  4  payload length (<= REC_MAX_PAYLOAD)
 *     8  8  t: microseconds since the recording started (monotonic clock;
 *           never decreasing within the file)
 *    16  n  payload
 *   16+n 4  CRC-32 (IEEE) of the 16 header bytes and the payload
 *
 *   REC_STREAM payload: u8 kind (REC_KIND_BYTES / REC_KIND_IQ), u8 clock
 *     (enum rec_clock: which clock the chunks' t were taken from; version 2,
 *     0 in version 1 files), u16 reserved, f64 fs_hz (iq), f64 wavelength_mm (iq), then three
 *     NUL-terminated UTF-8 strings: sensor URI (driver and settings), bed
 *     label, free-text note. Declares a stream before its data.
 *   REC_BYTES payload: the bytes as read from the transport.
 *   REC_IQ payload: n pairs of f32 I, f32 Q.
 *   REC_EVENT payload: u8 event (REC_EV_DISCONNECT / REC_EV_CONNECT /
 *     REC_EV_NOTE) then NUL-terminated text.
 *   REC_END: empty payload; a file without one was cut short (still usable).
 *
 * A damaged file (bad magic, bad CRC, impossible length, time going
 * backwards, data for an undeclared stream) stops the reader with a message
 * naming the byte offset; everything before the damage has been delivered.
 */
#ifndef WW_RECORDING_H
#define WW_RECORDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define REC_VERSION 2
#define REC_VERSION_MIN 1 /* the oldest version this wardwatch reads */
#define REC_MAX_STREAMS 64
#define REC_MAX_PAYLOAD (1u << 20)
#define REC_HEADER_SIZE 16
#define REC_CHUNK_OVERHEAD 20

enum rec_type { REC_STREAM = 1, REC_BYTES = 2, REC_IQ = 3, REC_EVENT = 4, REC_END = 5 };
enum rec_kind { REC_KIND_BYTES = 1, REC_KIND_IQ = 2 };
/* The clock that timed a stream's chunks. */
enum rec_clock {
    REC_CLOCK_UNSTATED = 0, /* version 1 files, or a writer that did not say */
    REC_CLOCK_WALL = 1,     /* arrival time: the host's monotonic clock (live sensors), or the simulator's */
    REC_CLOCK_STREAM = 2,   /* the protocol's own clock (TI frame numbers x frame period) */
    REC_CLOCK_LINE = 3,     /* a capture's byte count at the line rate (no clock in it) */
    REC_CLOCK_SAMPLES = 4,  /* I/Q sample count / sampling rate */
};
#define REC_CLOCK_MAX REC_CLOCK_SAMPLES

/* Name of a clock for messages ("stream", "line"...). */
const char *rec_clock_name(enum rec_clock c);

enum rec_event { REC_EV_DISCONNECT = 1, REC_EV_CONNECT = 2, REC_EV_NOTE = 3 };

struct rec_stream {
    bool declared;
    enum rec_kind kind;
    enum rec_clock clock;
    double fs_hz;
    double wavelength_mm;
    char uri[1024];
    char label[64];
    char note[256];
};

struct rec_chunk {
    enum rec_type type;
    unsigned stream;
    uint64_t t_us;
    const uint8_t *data; /* payload (valid until the next call) */
    size_t len;
    uint64_t offset; /* file offset of the chunk */
};

/* Writer. */
struct rec_writer;
/* Create path (0600, refuses to overwrite unless overwrite) and write the header. */
struct rec_writer *rec_writer_open(const char *path, bool overwrite, char *err, size_t errlen);
/* Declare stream id with its description. */
int rec_write_stream(struct rec_writer *w, unsigned id, const struct rec_stream *s, uint64_t t_us,
                     char *err, size_t errlen);
/* Append a data chunk (REC_BYTES, REC_IQ) or event (REC_EVENT: data = u8 + text). */
int rec_write_chunk(struct rec_writer *w, enum rec_type type, unsigned id, uint64_t t_us,
                    const void *data, size_t len, char *err, size_t errlen);
/* Write an event with text. */
int rec_write_event(struct rec_writer *w, unsigned id, uint64_t t_us, enum rec_event ev,
                    const char *text, char *err, size_t errlen);
/* Write REC_END, flush, fsync and close; returns -1 if anything failed. */
int rec_writer_close(struct rec_writer *w, uint64_t t_us, char *err, size_t errlen);

/* Reader. */
struct rec_reader;
/* Open and check the file header. */
struct rec_reader *rec_reader_open(const char *path, char *err, size_t errlen);
/* Next chunk: 1 got one, 0 clean end (END chunk or end of file on a chunk
 * boundary), -1 damage (message names the offset). STREAM chunks are also
 * decoded into the reader's stream table. */
int rec_next(struct rec_reader *r, struct rec_chunk *out, char *err, size_t errlen);
/* The declared stream id, or NULL. */
const struct rec_stream *rec_stream(const struct rec_reader *r, unsigned id);
/* True when the file ended without an END chunk. */
bool rec_truncated(const struct rec_reader *r);
/* Rewind to the first chunk (for looping a demo). */
int rec_rewind(struct rec_reader *r, char *err, size_t errlen);
void rec_reader_close(struct rec_reader *r);

/* Pure: decode one chunk from memory. Returns the bytes it used (>0), 0 when
 * more bytes are needed, -1 on damage (message). For fuzzing and the reader. */
long rec_decode_chunk(const uint8_t *buf, size_t len, struct rec_chunk *out, char *err,
                      size_t errlen);
/* Pure: decode a STREAM payload. */
int rec_decode_stream(const uint8_t *p, size_t len, struct rec_stream *s, char *err,
                      size_t errlen);

/* REC_IQ payloads: n samples as f32 I, f32 Q pairs, little-endian (8 n
 * bytes at out) and back (n = len / 8 samples into i[], q[]). */
void rec_pack_iq(const float *i, const float *q, size_t n, uint8_t *out);
void rec_unpack_iq(const uint8_t *p, size_t n, float *i, float *q);

/* CRC-32 (IEEE 802.3), incremental: start with crc = 0. */
uint32_t rec_crc32(uint32_t crc, const void *data, size_t len);

#endif
