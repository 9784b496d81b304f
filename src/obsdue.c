/*
 * obsdue — when the next full set of observations is due (contract and the
 * clinical rule in obsdue.h). Moved here from the ward core so the
 * handover uses the same rule, not a copy of it.
 */
#include "obsdue.h"

/* Manual parts: all but the radar's RR and HR, which are part of the set
 * too on a bed without a sensor. */
bool obsdue_manual_part(bool has_sensor, int p)
{
    return (p != NEWS2_RR && p != NEWS2_HR) || !has_sensor;
}

/* How long a value counts (obsdue.h). */
int64_t obsdue_max_age_ms(const struct ward_config *c, bool has_sensor, int p, bool automatic)
{
    if ((p == NEWS2_RR || p == NEWS2_HR) && !automatic)
        return has_sensor ? (int64_t)c->counted_valid_min * 60000
                          : (int64_t)c->max_age_s[NEWS2_SPO2] * 1000;
    return (int64_t)c->max_age_s[p] * 1000;
}

/* Every manual part present and fresh. */
bool obsdue_set_complete(const struct ward_config *c, bool has_sensor,
                         const struct obsdue_part parts[NEWS2_NPARAMS], int64_t now)
{
    for (int p = 0; p < NEWS2_NPARAMS; p++) {
        const struct obsdue_part *v = &parts[p];
        if (obsdue_manual_part(has_sensor, p) &&
            (!v->have || now - v->t > obsdue_max_age_ms(c, has_sensor, p, v->automatic)))
            return false;
    }
    return true;
}

/* A new set completed at now (obsdue.h). */
bool obsdue_set_new(const struct ward_config *c, bool has_sensor,
                    const struct obsdue_part parts[NEWS2_NPARAMS], int64_t now)
{
    if (!obsdue_set_complete(c, has_sensor, parts, now))
        return false;
    for (int p = 0; p < NEWS2_NPARAMS; p++)
        if (obsdue_manual_part(has_sensor, p) && now - parts[p].t > OBSDUE_SET_WINDOW_MS)
            return false;
    return true;
}

/* The due time (obsdue.h). */
int64_t obsdue_due(const struct ward_config *c, bool has_sensor, int64_t admitted_at,
                   int64_t set_at, int due_level, const struct obsdue_part parts[NEWS2_NPARAMS])
{
    int part;
    return obsdue_due_why(c, has_sensor, admitted_at, set_at, due_level, parts, &part);
}

/* The due time and what made it so (obsdue.h). */
int64_t obsdue_due_why(const struct ward_config *c, bool has_sensor, int64_t admitted_at,
                       int64_t set_at, int due_level, const struct obsdue_part parts[NEWS2_NPARAMS],
                       int *part)
{
    *part = -1;
    if (!set_at)
        return admitted_at + (int64_t)c->admission_obs_due_min * 60000;
    int lv = due_level >= 0 && due_level < NEWS2_NLEVELS ? due_level : NEWS2_LEVEL_ZERO;
    double h = c->policy.monitoring_h[lv];
    int64_t due = set_at + (h > 0 ? (int64_t)(h * 3600000.0)
                                  : (int64_t)c->continuous_obs_min * 60000);
    /* A part that goes stale (or is missing) makes the set due then. */
    for (int p = 0; p < NEWS2_NPARAMS; p++) {
        if (!obsdue_manual_part(has_sensor, p))
            continue;
        const struct obsdue_part *v = &parts[p];
        int64_t until =
            v->have ? v->t + obsdue_max_age_ms(c, has_sensor, p, v->automatic) : set_at;
        if (until < due) {
            due = until;
            *part = p;
        }
    }
    return due;
}

/* Overdue from the due millisecond on. */
bool obsdue_overdue(int64_t due, int64_t now)
{
    return now >= due;
}
