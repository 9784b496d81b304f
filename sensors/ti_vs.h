/*
 * ti_vs — TI mmWave vital-signs UART stream (IWR1642/1443/6843 running TI's
 * vital-signs lab, or "vital signs with people tracking" from the Radar
 * Toolbox). Pure and incremental: driver interface in driver.h.
 *
 * Frames: 40-byte little-endian header (magic 02 01 04 03 06 05 08 07,
 * version, totalPacketLen, platform, frameNumber, timeCpuCycles,
 * numDetectedObj, numTLVs, subFrameNumber) then numTLVs TLVs of
 * {u32 type, u32 length of the payload, payload}.
 *
 * Decoded:
 *   TLV 6 (68xx/16xx numbering; TLV 0 with tlv=14xx): VitalSignsDemo_OutputStats,
 *     128 bytes (a longer TLV is read for its first 128 bytes, a shorter one
 *     rejects the frame). One reading per frame:
 *     rr = breathingRateEst_FFT, hr = heartRateEst_FFT — the estimates TI's
 *       own GUI shows; in the real IWR1642 capture they agree with the
 *       peak-count and xCorr estimates, whereas heartRateEst_FFT_4Hz locks
 *       on the second harmonic (~207 bpm). A rate that is not finite, <= 0,
 *       rr > 100 or hr > 300 is left out, and both rates are left out when
 *       presence is false (an empty bed's FFT peak is noise, not a rate).
 *     quality = min(qb, qh) with qb = cb / (cb + 1), qh = ch / (ch + 0.25),
 *       cb = confidenceMetricBreathOut, ch = confidenceMetricHeartOut: the lab
 *       reports those on different scales (breath ~1-40, heart ~0.1-0.5), so
 *       each maps to 0..1 with its half-way point at a typical value (cb 1,
 *       ch 0.25); the weaker of the two decides. Negative or NaN: quality 0.
 *     motion = motionDetectedFlag != 0.
 *     presence = sumEnergyBreathWfm >= presence_energy (default 1000; the
 *       real capture with a person at ~0.5 m has 27 000 - 830 000, an empty
 *       room tens) and maxVal >= presence_maxval (default 0: not used).
 *   TLV 1040 (0x410): 136 bytes per tracked person, several per TLV (length
 *     must be a multiple of 136): u16 id, u16 rangeBin, f32 breathDeviation,
 *     f32 heartRate, f32 breathRate, f32 heartWaveform[15], f32
 *     breathWaveform[15]. One reading per person with READING_ID;
 *     presence = breathDeviation != 0 (0 means no patient); rates only when
 *     present and plausible as above. No quality figure exists in this TLV.
 *   TLV 2 (1 with tlv=14xx), the range profile, is valid and unused; any
 *     other TLV type counts as `unknown`.
 *
 * Time: frameNumber x frame_ms (default 50 ms, the lab's 20 fps; use 90 for
 * the people-tracking configuration), relative to the first frame seen.
 * Frame numbers are compared modulo 2^32, so the counter wrapping is just
 * the next frame. A frame number that repeats, goes back (radar reset) or
 * jumps forward by more than an hour's worth of frames continues from the
 * last time plus one period, so time never runs backwards.
 *
 * Resync: on the magic word. TI frames carry no checksum, and a length is
 * never trusted past the next magic word: real captures hold frames cut
 * short (a later SDK's capture cuts every 288-byte packet to 256 bytes).
 * A frame cut by the next magic decodes every TLV that is whole before the
 * cut and counts as a frame and as `truncated`; the bytes of the cut TLV
 * are counted as dropped. A cut frame with not one whole TLV (or a header
 * cut) is bad_frame. Decoding resumes at that magic. Rejected as
 * bad_length (bad_frame when cut): totalPacketLen < 40 or > 65536, numTLVs
 * > 256 or more TLV headers than fit, a TLV running past totalPacketLen, a
 * stats TLV shorter than 128 bytes, a TLV 1040 length that is not a
 * multiple of 136. A frame cut only in its padding is whole. While a frame
 * trickles in, each byte is searched for a magic once, and a cut is
 * noticed as soon as the next magic is complete.
 *
 * Versions accepted: the version field is not checked. Headers of 40
 * bytes (SDK 1.1 to 3.x, every xWR16xx/18xx/68xx firmware, subFrameNumber
 * last) and of 36 bytes (SDK 1.0 and the xWR14xx demos of SDK 1.x: no
 * subFrameNumber) are told apart by which one makes a whole frame's TLV
 * chain end within the 32-byte padding of totalPacketLen (40 when both or
 * neither do); a frame cut short is read with the last whole frame's
 * length, or before any whole frame with the other length only when the
 * first fails and the other makes its first TLV whole and of a known type
 * (header=auto, the default; header=40 or header=36 fixes it).
 *
 * Params: tlv=68xx|16xx|14xx, header=auto|40|36, frame_ms=1..10000, presence_energy=NUMBER>=0,
 * presence_maxval=NUMBER>=0 (baud and pace belong to the transport and are
 * ignored).
 */
#ifndef WW_TI_VS_H
#define WW_TI_VS_H

#include "driver.h"
#include "framer.h"

#include <stdbool.h>

#define TI_VS_MAGIC_LEN 8
#define TI_VS_HEADER_LEN 40
#define TI_VS_HEADER_LEN_SDK10 36 /* SDK 1.0 / xWR14xx SDK 1.x: no subFrameNumber */
#define TI_VS_MAX_PACKET FRAMER_CAP
#define TI_VS_MAX_TLVS 256
#define TI_VS_TLV_STATS 6
#define TI_VS_TLV_RANGE 2
#define TI_VS_TLV_STATS_14XX 0
#define TI_VS_TLV_RANGE_14XX 1
#define TI_VS_TLV_PEOPLE 1040
#define TI_VS_STATS_LEN 128
#define TI_VS_PERSON_LEN 136

/* Parser state; callers allocate ti_vs_driver.state_size bytes. */
struct ti_vs {
    struct parser_stats st;
    reading_cb cb;
    void *ctx;
    bool numbering_14xx;
    uint32_t header_len; /* 40, 36, or 0: per frame (header=auto) */
    uint32_t seen_len;   /* header=auto: the last whole frame's header length */
    double frame_s;
    double presence_energy;
    double presence_maxval;
    bool have_frame;
    uint32_t last_frame;
    double last_t;
    size_t scanned; /* the pending frame has no magic starting in [8, scanned) */
    struct framer fr; /* last: the large buffer */
};

extern const struct sensor_driver ti_vs_driver;

#endif
