/*
 * export — the hospital export (#20): PCD-04 alarm messages into the store's
 * outbox inside each alarm transition's own transaction, and one MLLP
 * sender per hl7 destination draining it on the core's loop. Alarms of a
 * destination go to "NAME/alarms" on their own connection, so an
 * observation backlog never delays them.
 *
 * Observations: export_tick once a ward second collects each admitted
 * bed's radar RR and pulse (whole numbers, not stale) in histograms; the
 * first store flush after a period of period_s ends (periods aligned to the
 * ward clock's multiples of period_s) puts one ORU^R01 per admitted bed into
 * the outbox of "NAME": the medians (rounded by the chart's rule), the
 * limits, the manual observations entered in the period as entered and by
 * whom, the NEWS2 total (partial marked). protocol = fhir: the same per
 * bed and period as a FHIR R4 transaction Bundle (fhir.h) over HTTP
 * (http.h); no alarms.
 *
 * A destination failing (its sender retrying, or every message refused
 * and dead-lettered) longer than its fail_alarm_min, by the ward clock, is
 * a technical alarm (export_failing, AC_EXPORT_FAILURE on every admitted
 * bed) until a message is delivered again; export_summary says, for the status line, how each
 * destination fares and how far behind it is.
 *
 * An RR or pulse limit alarm's start message carries the value and the
 * limit that raised it (PCD-04 row 2 and the text "RR 26 >= 25"), taken
 * from the bed in the tick that raised it; a start written later (held
 * through a store outage) has no value rather than a later one.
 *
 * Ids: control id (MSH-10) "WWA<event row>"; alert id (OBR-3) "A<alarm>"
 * at start, "A<alarm>-<event row>" after, with OBR-29 "A<alarm>": stable
 * across restarts and resends, unique per destination.
 */
#ifndef WW_EXPORT_H
#define WW_EXPORT_H

#include "config.h"
#include "hl7.h"

#include <stdbool.h>
#include <stdint.h>

struct loop;
struct store;

/* What the core knows of a bed for a message: 0, or -1 when the bed
 * number is unknown (the message is then built without patient data: a
 * technical alarm on a free bed). */
typedef int (*export_bed_info_cb)(void *ctx, int bed_number, struct hl7_subject *subj,
                                  struct alarm_limits *lim);

struct export;

/* Senders for cfg's hl7 exports; registers the store's outbox hook. NULL
 * with a message (an address that does not resolve). With no exports,
 * returns an export that does nothing. */
struct export *export_new(struct loop *l, struct store *st, const struct ward_config *cfg,
                          const struct hl7_ident *ident, export_bed_info_cb info, void *info_ctx,
                          char *err, size_t errlen);
void export_free(struct export *e);
/* Once a ward second, before ward_tick: an alarm raised in this tick is
 * sent with the value and limit that raised it (read from w's bed then). */
struct ward;
void export_before_tick(struct export *e, const struct ward *w, int64_t now_ms);
/* Once a ward second, after ward_tick (w: the ward the hook reads). */
void export_tick(struct export *e, const struct ward *w, int64_t now_ms);
/* After the store wrote something (each flush, each command): wake the
 * senders. Cheap. */
void export_kick(struct export *e);

struct export_status {
    char dest[48];            /* "imatis/alarms" */
    int64_t pending, dead;
    int64_t oldest_ms;        /* created_at of the oldest pending, 0 none */
    int64_t failing_since_ms; /* 0 not failing */
    char last_error[160];
};
/* Status of destination i (0 <= i < export_count); -1 past the end. */
int export_count(const struct export *e);
int export_status(struct export *e, int i, struct export_status *out);
/* As of the last export_tick: whether any destination has been failing
 * longer than its fail_alarm_min; text "export to chart failing since
 * 14:02" (the first such). */
bool export_failing(const struct export *e, char *text, size_t n);
/* "export chart ok, export imatis/alarms FAILING since 14:02, 12 waiting",
 * "export chart 3 min behind" (the oldest pending message's age). */
void export_summary(const struct export *e, char *buf, size_t n);

#endif
