/*
 * ti_vs — TI mmWave vital-signs UART stream (IWR1642/1443/6843 running TI's
 * vital-signs lab, or "vital signs with people tracking").
 *
 * Frames: 40-byte header (magic 02 01 04 03 06 05 08 07, totalPacketLen,
 * frameNumber, numTLVs...) then TLVs. Decoded:
 *   TLV 6 (68xx/16xx numbering; TLV 0 with tlv=14xx): VitalSignsDemo_OutputStats.
 *     rr = breathingRateEst_FFT, hr = heartRateEst_FFT (the estimates TI's own
 *     GUI shows); a rate of 0 is left out. quality = min(cb/(cb+1),
 *     ch/(ch+0.25)) from confidenceMetricBreathOut (cb) and
 *     confidenceMetricHeartOut (ch), which the lab reports on those scales
 *     (breath ~1-40, heart ~0.1-1). motion = motionDetectedFlag != 0.
 *     presence = sumEnergyBreathWfm >= presence_energy (param, default 1000).
 *   TLV 1040 (0x410): 136 bytes per tracked person (several per TLV); one
 *     reading each with READING_ID; breathDeviation == 0 means nobody there
 *     (presence false, no rates).
 * Time: frame number x frame_ms (param, default 50) from the first frame; a
 * frame number that goes back (wrap, radar reset) continues from the last
 * time plus one period, so time never runs backwards.
 * Resync: on the magic word; a frame shorter than its length claims (the next
 * magic appears inside it) is dropped and counted (bad_frame).
 * Params: tlv=68xx|14xx, frame_ms=1..10000, presence_energy=NUMBER.
 */
#ifndef WW_TI_VS_H
#define WW_TI_VS_H

#include "driver.h"
#include "framer.h"

#include <stdbool.h>

#define TI_VS_MAGIC_LEN 8
#define TI_VS_HEADER_LEN 40
#define TI_VS_TLV_STATS 6
#define TI_VS_TLV_STATS_14XX 0
#define TI_VS_TLV_PEOPLE 1040
#define TI_VS_STATS_LEN 128
#define TI_VS_PERSON_LEN 136

struct ti_vs {
    struct framer fr;
    struct parser_stats st;
    reading_cb cb;
    void *ctx;
    bool numbering_14xx;
    double frame_s;
    double presence_energy;
    bool have_frame;
    uint32_t last_frame;
    double last_t;
};

extern const struct sensor_driver ti_vs_driver;

#endif
