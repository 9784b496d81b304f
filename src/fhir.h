/*
 * fhir — FHIR R4 for the hospital export (issue #20), pure: no I/O, no
 * clock reads, no globals. ../shared/INTEGRATION.md has the facts.
 *
 * One transaction Bundle per admitted bed and period, built from the same
 * struct hl7_obs the PCD-01 message is built from, with entries in this
 * order (each present only when it has something to say):
 *
 *   Patient      identifier PATIENT_SYSTEM|patient reference
 *   Device       identifier urn:wardwatch:device|WARD/BED (or the
 *                equipment id when one is configured)
 *   Observation  respiratory rate (profile resprate, LOINC 9279-1 with the
 *                MDC code 151562 MDC_RESP_RATE as a second coding, UCUM /min)
 *   Observation  pulse (profile heartrate, LOINC 8867-4 with MDC 149514
 *                MDC_PULS_RATE, UCUM /min)
 *   Observation  each value a nurse entered in the period (hl7_obs.manual),
 *                status final, effective when entered, performer the staff
 *                id (identifier urn:wardwatch:staff|ID, no resource), on the
 *                R4 vital-signs profiles:
 *                  rr    resprate   LOINC 9279-1, MDC 151562, UCUM /min
 *                  hr    heartrate  LOINC 8867-4, MDC 149514, UCUM /min
 *                  spo2  oxygensat  LOINC 2708-6 and 59408-5 (by pulse
 *                                   oximetry), MDC 150456, UCUM %
 *                  sbp   bp         LOINC 85354-9 panel: component 8480-6
 *                                   (MDC 150021) in mm[Hg], and 8462-4 with
 *                                   dataAbsentReason unsupported (the
 *                                   NEWS2 form takes no diastolic; the
 *                                   profile requires the component)
 *                  temp  bodytemp   LOINC 8310-5, MDC 150364, UCUM Cel
 *                and, no R4 vital sign, category survey, SNOMED CT values:
 *                  acvpu 1104441000000107 ACVPU scale score (a UK-edition
 *                        concept, as the NEWS2 total): A 248234008, C
 *                        130987000, V 300202002, P 450847001, U 422768004
 *                  o2    code text "Air or oxygen": 722742002 breathing
 *                        room air, 371825009 patient on oxygen
 *                identifier WARD/BED/manual/PARAM/ENTERED (UTC second)
 *   Observation  NEWS2 total (SNOMED CT 1104051000000101, category survey,
 *                derivedFrom the inputs the bundle holds: the values
 *                entered by hand, and the radar's rates unless that rate was
 *                entered by hand too (the hand count is the one scored); a
 *                partial set has comparator >= and a note naming what is
 *                missing)
 *
 * Every entry is a POST with ifNoneExist "identifier=SYSTEM|VALUE" and a
 * deterministic identifier (ward, bed, parameter, period start), so a resent
 * bundle creates nothing twice; fullUrl is a name-based UUID (RFC 4122
 * version 5, SHA-1, URL namespace) of the same SYSTEM|VALUE, so a bundle is
 * the same bytes every time it is made. Observations name the method
 * "contactless radar", are "preliminary" (device data nobody validated: OBX-11
 * R in PCD-01). effectiveDateTime is the time of the period's last value (as
 * PCD-01's OBX-14; the period itself is in the identifier): an
 * effectivePeriod fails the vital-signs profile's vs-1 in Medplum's
 * validator, which a strict server would refuse. Times are written
 * YYYY-MM-DDTHH:MM:SS+00:00 (UTC with its offset).
 *
 * Answers: fhir_verdict reads the HTTP status and the transaction-response
 * and says what the sender does (the hl7_verdict the MLLP sender uses).
 */
#ifndef WW_FHIR_H
#define WW_FHIR_H

#include "hl7.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FHIR_PATIENT_SYSTEM_DEFAULT "urn:wardwatch:patient-ref"
#define FHIR_OBS_SYSTEM "urn:wardwatch:observation"
#define FHIR_DEVICE_SYSTEM "urn:wardwatch:device"
#define FHIR_STAFF_SYSTEM "urn:wardwatch:staff"

/* Who sends: the same for every bundle of a destination. */
struct fhir_ident {
    char ward[HL7_NAME];            /* part of every identifier */
    char patient_system[128];       /* Patient.identifier.system */
};

/* "YYYY-MM-DDTHH:MM:SS+00:00" (26 bytes with the NUL) for epoch ms. */
#define FHIR_TIME_LEN 26
void fhir_time(int64_t ms, char buf[FHIR_TIME_LEN]);

/* The version 5 UUID (lower-case, 36 characters) of name in the URL
 * namespace (RFC 4122 4.3). */
void fhir_uuid5(const char *name, char out[37]);

/* The transaction Bundle for bed number bed and o's period (malloc'd JSON,
 * *len its length, *nentries the number of entries). NULL with a message:
 * no patient reference, out of memory. */
char *fhir_build_bundle(const struct fhir_ident *id, int bed, const struct hl7_obs *o,
                        size_t *len, int *nentries, char *err, size_t errlen);

/* The number of entries of a bundle as stored (-1 not a bundle). */
int fhir_bundle_entries(const char *body, size_t len);

/* What the sender does with the answer to a bundle of nentries entries:
 *   2xx and a transaction-response whose nentries entries all have a 2xx
 *       status                                  HL7_DELIVERED
 *   4xx (but 408 and 429), or a 4xx entry      HL7_DEAD (never resent)
 *   5xx, 408, 429, anything else (an unreadable
 *       answer, a missing entry, 1xx/3xx)       HL7_RETRY (resent as is:
 *                                               ifNoneExist makes that safe)
 * why says what was wrong (for the log and the dead letter). */
enum hl7_verdict fhir_verdict(long http_status, const char *body, size_t len, int nentries,
                              char *why, size_t whylen);

#endif
