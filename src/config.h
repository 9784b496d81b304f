/*
 * config — the ward's INI configuration, loaded with iniparser and checked
 * strictly. iniparser's own getters are lax (getint("08") is 0, getdouble
 * depends on the locale, words read as 0), so every value goes through a
 * strict typed getter with a range; unknown sections and keys, duplicate
 * sections and keys, duplicate beds and labels, malformed sensor URIs and
 * syntax errors are refused. Every error reads
 *     FILE:LINE: [section] key: what is wrong (accepted: ...)
 * and nothing starts on a broken configuration (callers exit 2).
 *
 * Search order: the -c path, else $WARDWATCH_CONFIG, else
 * /etc/wardwatch/wardwatch.ini. See etc/wardwatch.ini for every key.
 */
#ifndef WW_CONFIG_H
#define WW_CONFIG_H

#include "news2.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define CONFIG_MAX_BEDS 1024 /* a larger ward is refused by name (H19-14) */
#define CONFIG_MAX_STAFF 256
#define CONFIG_PATH_MAX 1024
#define CONFIG_MAX_EXPORTS 8

/* [export.NAME]: a hospital system the monitoring core sends to (#20). */
enum config_export_protocol { EXPORT_HL7, EXPORT_FHIR };
enum config_alarm_codes { EXPORT_CODES_2024, EXPORT_CODES_LEGACY }; /* = enum hl7_alert_codes */
struct config_export {
    char name[32];             /* NAME: lower case letters, digits, - _ */
    enum config_export_protocol protocol;
    char host[256];            /* hl7: address = HOST:PORT ([v6]:PORT) */
    int port;
    char url[512];             /* fhir: http:// or https:// base */
    char patient_system[128];  /* fhir: Patient.identifier.system ("" default) */
    char facility[32];         /* MSH-4 and PV1-3 (hl7: required) */
    char receiver[32];         /* MSH-5, may be empty */
    int period_s;              /* one observation message per bed per period */
    bool alarms;               /* hl7: ORU^R40 on every alarm transition */
    int ack_timeout_s;
    enum config_alarm_codes alarm_codes; /* PCD-04 attribute codes */
    int fail_alarm_min;        /* failing this long raises a technical alarm */
    int line;                  /* of the section header */
};

struct config_bed {
    int number;      /* from [bed.N] */
    char label[64];  /* UTF-8, sanitised, <= 32 bytes of text */
    char sensor[1024]; /* URI, "" for a manual-only bed */
    int target;      /* tracked-person id for multi-patient radars, -1 none */
    int line;        /* line of the section header, for messages */
};

struct config_shift {
    char name[16];
    int start_min, end_min; /* minutes after local midnight */
};

struct ward_config {
    char path[CONFIG_PATH_MAX]; /* the file that was loaded */

    /* [ward] */
    char name[64];
    char database[CONFIG_PATH_MAX];
    char staff_file[CONFIG_PATH_MAX];
    char group[64];
    char log_file[CONFIG_PATH_MAX];
    int nstaff;
    char staff[CONFIG_MAX_STAFF][24];

    /* [alarms] */
    int delay_s, delay_high_s, delay_medium_s, delay_low_s, technical_delay_s;
    int apnoea_s, clear_s, physio_clear_s, realert_s, escalate_s, audio_pause_s;
    double rr_low, rr_high, hr_low, hr_high, rr_hysteresis, hr_hysteresis;
    int score_hysteresis; /* NEWS2 alarms end this many points below their trigger */
    char escalate_command[CONFIG_PATH_MAX];

    /* [news2] */
    int max_age_s[NEWS2_NPARAMS];      /* in enum news2_param order */
    struct news2_policy policy;         /* monitoring_h[5]: zero, low, low-medium, medium, high */
    int admission_obs_due_min; /* first full set due this long after admission (0: at once) */
    int counted_valid_min;     /* a hand-counted RR/HR outranks the radar this long */
    int continuous_obs_min;    /* a full set at least this often at continuous monitoring */

    /* [sensors] */
    int no_signal_s, reconnect_min_s, reconnect_max_s, out_of_bed_s;

    /* [shifts] */
    struct config_shift shifts[3]; /* day, evening, night */

    /* [handover] */
    char printer[128];        /* default for handover --print; "" = CUPS default */
    char handover_staff[24];  /* default "printed by"; "" = the login name */

    /* [retention] */
    int samples_days, record_days;

    /* [server] */
    char socket[CONFIG_PATH_MAX];
    int max_clients;     /* attached boards at once */
    int client_queue_kb; /* a board further behind than this is dropped */

    int nbeds;
    struct config_bed beds[CONFIG_MAX_BEDS];

    int nexports;
    struct config_export exports[CONFIG_MAX_EXPORTS];
};

/* Fill in every default (no beds). */
void config_defaults(struct ward_config *cfg);
/* The path the search order picks for an explicit path_or_NULL. */
const char *config_pick_path(const char *path_or_null);
/* Load and validate; -1 with "FILE:LINE: [section] key: ..." in err. */
int config_load(const char *path_or_null, struct ward_config *cfg, char *err, size_t errlen);
/* Whether a staff id may sign (syntax always; the list when there is one). */
bool config_staff_valid(const struct ward_config *cfg, const char *id);
/* Syntax of a staff id: 2-16 characters, letters (UTF-8 too), digits, - _. */
bool config_staff_syntax(const char *id);
/* Print the effective configuration. */
void config_dump(FILE *f, const struct ward_config *cfg);

#endif
