/* reading — the JSON form of a reading, shared by probe and replay. */
#include "reading.h"

#include <stdio.h>

/* Append the fields the sensor reported as JSON members (",\"rr\":14.20"...). */
int reading_json_fields(const struct reading *r, char *buf, size_t n)
{
    int o = 0;
#define ADD(...)                                                                                  \
    do {                                                                                          \
        if (o >= 0 && (size_t)o < n)                                                             \
            o += snprintf(buf + o, n - (size_t)o, __VA_ARGS__);                                  \
    } while (0)
    buf[0] = 0;
    if (r->have & READING_ID)
        ADD(",\"id\":%u", r->id);
    if (r->have & READING_RR)
        ADD(",\"rr\":%.2f", r->rr);
    if (r->have & READING_HR)
        ADD(",\"hr\":%.2f", r->hr);
    if (r->have & READING_QUALITY)
        ADD(",\"quality\":%.2f", r->quality);
    if (r->have & READING_PRESENCE)
        ADD(",\"presence\":%s", r->presence ? "true" : "false");
    if (r->have & READING_MOTION)
        ADD(",\"motion\":%s", r->motion ? "true" : "false");
    if (r->have & READING_DISTANCE)
        ADD(",\"distance_cm\":%.1f", r->distance_cm);
    if (r->have & READING_PHASE)
        ADD(",\"phase\":[%.4f,%.4f,%.4f]", r->phase_total, r->phase_breath, r->phase_heart);
#undef ADD
    return o;
}
