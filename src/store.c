/*
 * store — SQLite persistence for the ward (contract in store.h).
 *
 * Schema history lives in migrations[]: step N takes user_version N to N+1 in
 * one transaction. A migration, once released, is never edited — a database
 * that already passed it would never see the change; new columns and tables
 * go into a new step. Every statement the store runs is in stmt_sql[] and is
 * prepared once at open, so a schema/SQL mismatch shows at start, not at the
 * first alarm.
 *
 * Queues: samples live in a fixed ring (oldest dropped in a long outage,
 * counted); scores and sensor events in preallocated arrays that only grow
 * if an outage outlasts them, because those rows must never be dropped.
 */
#include "store.h"

#include "log.h"

#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const migrations[STORE_SCHEMA_VERSION] = {
    /* 1: the core record */
    "CREATE TABLE beds(number INTEGER PRIMARY KEY, label TEXT NOT NULL);"
    "CREATE TABLE admissions(id INTEGER PRIMARY KEY, bed INTEGER NOT NULL REFERENCES beds(number),"
    " patient_ref TEXT NOT NULL, admitted_at INTEGER NOT NULL, admitted_by TEXT NOT NULL,"
    " note TEXT NOT NULL DEFAULT '', discharged_at INTEGER, discharged_by TEXT,"
    " scale2 INTEGER NOT NULL DEFAULT 0, scale2_by TEXT, scale2_at INTEGER,"
    " rr_low REAL, rr_high REAL, hr_low REAL, hr_high REAL, limits_reason TEXT, limits_by TEXT);"
    "CREATE TABLE samples(bed INTEGER NOT NULL, t INTEGER NOT NULL, rr10 INTEGER, hr10 INTEGER,"
    " q INTEGER, flags INTEGER NOT NULL, PRIMARY KEY(bed, t)) WITHOUT ROWID;"
    "CREATE TABLE observations(id INTEGER PRIMARY KEY, admission INTEGER REFERENCES "
    "admissions(id), bed INTEGER NOT NULL, param TEXT NOT NULL, value REAL NOT NULL,"
    " entered_by TEXT NOT NULL, t INTEGER NOT NULL);"
    "CREATE TABLE scores(bed INTEGER NOT NULL, t INTEGER NOT NULL, total INTEGER NOT NULL,"
    " p_rr INTEGER, p_spo2 INTEGER, p_o2 INTEGER, p_sbp INTEGER, p_hr INTEGER, p_acvpu INTEGER,"
    " p_temp INTEGER, band INTEGER NOT NULL, partial_mask INTEGER NOT NULL,"
    " PRIMARY KEY(bed, t)) WITHOUT ROWID;"
    "CREATE TABLE alarms(id INTEGER PRIMARY KEY, bed INTEGER NOT NULL, condition TEXT NOT NULL,"
    " priority TEXT NOT NULL, raised_at INTEGER NOT NULL, state TEXT NOT NULL,"
    " acked_by TEXT, acked_at INTEGER, ended_at INTEGER, reset_by TEXT, reset_at INTEGER,"
    " escalated INTEGER NOT NULL DEFAULT 0, last_alert_at INTEGER);"
    "CREATE TABLE alarm_events(id INTEGER PRIMARY KEY, alarm INTEGER NOT NULL REFERENCES "
    "alarms(id), t INTEGER NOT NULL, event TEXT NOT NULL, staff TEXT, detail TEXT);"
    "CREATE TABLE notes(id INTEGER PRIMARY KEY, bed INTEGER NOT NULL, admission INTEGER "
    "REFERENCES admissions(id), alarm INTEGER REFERENCES alarms(id), t INTEGER NOT NULL,"
    " staff TEXT NOT NULL, text TEXT NOT NULL);"
    "CREATE TABLE sensor_events(id INTEGER PRIMARY KEY, bed INTEGER NOT NULL, t INTEGER NOT NULL,"
    " event TEXT NOT NULL, detail TEXT);"
    "CREATE TABLE audit(id INTEGER PRIMARY KEY, t INTEGER NOT NULL, staff TEXT NOT NULL,"
    " action TEXT NOT NULL, bed INTEGER, detail TEXT);"
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
    " BEGIN SELECT RAISE(ABORT, 'audit trail is append-only'); END;"
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
    " BEGIN SELECT RAISE(ABORT, 'audit trail is append-only'); END;",
    /* 2: retention (per-minute samples) and the indexes the queries need */
    "CREATE TABLE samples_minute(bed INTEGER NOT NULL, minute INTEGER NOT NULL,"
    " rr_min INTEGER, rr_med INTEGER, rr_max INTEGER, hr_min INTEGER, hr_med INTEGER,"
    " hr_max INTEGER, n INTEGER NOT NULL, PRIMARY KEY(bed, minute)) WITHOUT ROWID;"
    "CREATE INDEX alarms_open ON alarms(state);"
    "CREATE INDEX alarm_events_t ON alarm_events(t);"
    "CREATE INDEX notes_bed_t ON notes(bed, t);"
    "CREATE INDEX observations_bed_t ON observations(bed, t);"
    "CREATE INDEX observations_adm ON observations(admission, param, t);"
    "CREATE INDEX audit_t ON audit(t);"
    "CREATE INDEX sensor_events_bed_t ON sensor_events(bed, t);"
    "CREATE TRIGGER alarm_events_no_update BEFORE UPDATE ON alarm_events"
    " BEGIN SELECT RAISE(ABORT, 'alarm events are append-only'); END;"
    "CREATE TRIGGER alarm_events_no_delete BEFORE DELETE ON alarm_events"
    " BEGIN SELECT RAISE(ABORT, 'alarm events are append-only'); END;",
    /* 3: where each sample came from; the latched flag (backfilled from the
     * state and the event log); at most one open admission per bed */
    "CREATE TABLE sources(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);"
    "ALTER TABLE samples ADD COLUMN source INTEGER REFERENCES sources(id);"
    "ALTER TABLE alarms ADD COLUMN latched INTEGER NOT NULL DEFAULT 0;"
    "UPDATE alarms SET latched = 1 WHERE state = 'latched' OR (state NOT IN ('reset', 'ended')"
    " AND id IN (SELECT alarm FROM alarm_events WHERE event = 'latched'));"
    "CREATE UNIQUE INDEX admissions_one_open ON admissions(bed) WHERE discharged_at IS NULL;",
    /* 4: retention of the record. The audit trail and the alarm log stay
     * append-only (UPDATE is always refused) but a row may be DELETEd once it
     * is older than the retention in the one-row retention table, by the
     * database's own clock; changing that retention, by wardwatch or by hand,
     * writes an audit row itself. Indexes for the prune's reference checks. */
    "CREATE TABLE retention(id INTEGER PRIMARY KEY CHECK(id = 1),"
    " record_days INTEGER NOT NULL CHECK(record_days >= 30));"
    "INSERT INTO retention(id, record_days) VALUES(1, 3650);"
    "CREATE TRIGGER retention_no_delete BEFORE DELETE ON retention"
    " BEGIN SELECT RAISE(ABORT, 'the retention policy cannot be deleted'); END;"
    "CREATE TRIGGER retention_audited AFTER UPDATE ON retention"
    " BEGIN INSERT INTO audit(t, staff, action, detail) VALUES("
    "  CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER), 'system',"
    "  'retention-changed', 'record_days ' || OLD.record_days || ' -> ' || NEW.record_days); END;"
    "DROP TRIGGER audit_no_delete;"
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
    " WHEN OLD.t >= (julianday('now') - 2440587.5) * 86400000.0"
    "  - (SELECT record_days FROM retention) * 86400000.0"
    " BEGIN SELECT RAISE(ABORT, 'audit trail is append-only (rows leave only after the"
    " retention period)'); END;"
    "DROP TRIGGER alarm_events_no_delete;"
    "CREATE TRIGGER alarm_events_no_delete BEFORE DELETE ON alarm_events"
    " WHEN OLD.t >= (julianday('now') - 2440587.5) * 86400000.0"
    "  - (SELECT record_days FROM retention) * 86400000.0"
    " BEGIN SELECT RAISE(ABORT, 'alarm events are append-only (rows leave only after the"
    " retention period)'); END;"
    "CREATE INDEX alarm_events_alarm ON alarm_events(alarm);"
    "CREATE INDEX notes_alarm ON notes(alarm);"
    "CREATE INDEX notes_admission ON notes(admission);"
    "CREATE INDEX alarms_raised ON alarms(raised_at);"
    "CREATE INDEX admissions_discharged ON admissions(discharged_at);",
    /* 5: per-minute summaries kept live. The store writes each bed-minute's
     * min/median/max as the minute completes, beside its per-second rows;
     * live counts how many of the row's n are still per-second rows (0 once
     * retention folded them away, or for a minute folded before this
     * version). Readers of per-second data skip rows with live > 0. */
    "ALTER TABLE samples_minute ADD COLUMN live INTEGER NOT NULL DEFAULT 0;",
    /* 6: the hospital export's outbox (#20): each message written in the
     * transaction of the data it carries; a delivered row is deleted, a
     * dead-lettered one kept (state 'dead', why). */
    "CREATE TABLE outbox(id INTEGER PRIMARY KEY, dest TEXT NOT NULL,"
    " control_id TEXT NOT NULL, bed INTEGER, created_at INTEGER NOT NULL,"
    " body BLOB NOT NULL, state TEXT NOT NULL DEFAULT 'pending'"
    "  CHECK(state IN ('pending', 'dead')),"
    " dead_at INTEGER, why TEXT, UNIQUE(dest, control_id));"
    "CREATE INDEX outbox_pending ON outbox(dest, state, id);",
};

enum stmt_id {
    S_BEGIN,
    S_COMMIT,
    S_ROLLBACK,
    S_BED,
    S_BED_EXISTS,
    S_SOURCE_ADD,
    S_SOURCE_GET,
    S_SAMPLE,
    S_SCORE,
    S_SENSOR_EV,
    S_AUDIT,
    S_ADMIT,
    S_OPEN_ADM,
    S_DISCHARGE,
    S_SCALE2,
    S_LIMITS,
    S_OBS,
    S_NOTE,
    S_ALARM_RAISE,
    S_ALARM_UPDATE,
    S_ALARM_EVENT,
    S_ALARM_INFO,
    S_LOAD_BEDS,
    S_LOAD_ADM,
    S_LOAD_ALARMS,
    S_LOAD_LATEST,
    S_Q_SAMPLES,
    S_Q_SAMPLES_BED,
    S_Q_SCORES,
    S_Q_SCORES_BED,
    S_Q_OBS,
    S_Q_OBS_BED,
    S_Q_NOTES,
    S_Q_NOTES_BED,
    S_Q_ALARM_EV,
    S_Q_STAY,
    S_Q_STAY_OBS,
    S_Q_STAY_NOTES,
    S_Q_STAY_ALARM_EV,
    S_Q_ADM,
    S_Q_ALARMS,
    S_DS_GROUPS,
    S_DS_ROWS,
    S_DS_PUT,
    S_DS_DELETE,
    S_MIN_PUT,
    S_MIN_LAST,
    S_MIN_TAIL,
    S_Q_MINUTES_BED,
    S_RET_GET,
    S_RET_SET,
    S_PR_SCORES,
    S_PR_MINUTES,
    S_PR_SENSOR_EV,
    S_PR_OBS,
    S_PR_NOTES,
    S_PR_ALARM_EV,
    S_PR_ALARMS,
    S_PR_ADM,
    S_PR_AUDIT,
    S_COUNT
};

#define ALARM_COLS                                                                             \
    "id, bed, condition, priority, raised_at, state, acked_by, acked_at, ended_at, reset_by," \
    " reset_at, escalated, last_alert_at, latched"
#define OBS_COLS "id, admission, bed, param, value, entered_by, t"
#define ADM_COLS                                                                           \
    "id, bed, patient_ref, admitted_at, admitted_by, note, scale2, scale2_by, scale2_at," \
    " rr_low, rr_high, hr_low, hr_high, limits_reason, limits_by, discharged_at"

static const char *const stmt_sql[S_COUNT] = {
    [S_BEGIN] = "BEGIN IMMEDIATE",
    [S_COMMIT] = "COMMIT",
    [S_ROLLBACK] = "ROLLBACK",
    [S_BED] = "INSERT INTO beds(number, label) VALUES(?1, ?2)"
              " ON CONFLICT(number) DO UPDATE SET label = excluded.label",
    [S_BED_EXISTS] = "SELECT 1 FROM beds WHERE number = ?1",
    [S_SOURCE_ADD] = "INSERT INTO sources(name) VALUES(?1) ON CONFLICT(name) DO NOTHING",
    [S_SOURCE_GET] = "SELECT id FROM sources WHERE name = ?1",
    [S_SAMPLE] = "INSERT OR REPLACE INTO samples(bed, t, rr10, hr10, q, flags, source)"
                 " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [S_SCORE] = "INSERT OR REPLACE INTO scores(bed, t, total, p_rr, p_spo2, p_o2, p_sbp, p_hr,"
                " p_acvpu, p_temp, band, partial_mask)"
                " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    [S_SENSOR_EV] = "INSERT INTO sensor_events(bed, t, event, detail) VALUES(?1, ?2, ?3, ?4)",
    [S_AUDIT] = "INSERT INTO audit(t, staff, action, bed, detail) VALUES(?1, ?2, ?3, ?4, ?5)",
    [S_ADMIT] = "INSERT INTO admissions(bed, patient_ref, admitted_at, admitted_by, note)"
                " VALUES(?1, ?2, ?3, ?4, ?5)",
    [S_OPEN_ADM] = "SELECT id FROM admissions WHERE bed = ?1 AND discharged_at IS NULL",
    [S_DISCHARGE] = "UPDATE admissions SET discharged_at = ?2, discharged_by = ?3"
                    " WHERE id = ?1 AND bed = ?4 AND discharged_at IS NULL",
    [S_SCALE2] = "UPDATE admissions SET scale2 = ?2, scale2_by = ?3, scale2_at = ?4"
                 " WHERE id = ?1 AND bed = ?5 AND discharged_at IS NULL",
    [S_LIMITS] = "UPDATE admissions SET rr_low = ?2, rr_high = ?3, hr_low = ?4, hr_high = ?5,"
                 " limits_reason = ?6, limits_by = ?7"
                 " WHERE id = ?1 AND bed = ?8 AND discharged_at IS NULL",
    [S_OBS] = "INSERT INTO observations(admission, bed, param, value, entered_by, t)"
              " VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
    [S_NOTE] = "INSERT INTO notes(bed, admission, alarm, t, staff, text)"
               " VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
    [S_ALARM_RAISE] = "INSERT INTO alarms(bed, condition, priority, raised_at, state,"
                      " last_alert_at) VALUES(?1, ?2, ?3, ?4, 'active', ?4)",
    /* ?2 state, ?3 event, ?4 staff, ?5 t */
    [S_ALARM_UPDATE] =
        "UPDATE alarms SET state = ?2,"
        /* A re-alert ends the acknowledgement (alarm_events keeps who acked
         * and when) and starts a new escalation period: a restart must
         * restore it unacknowledged and able to escalate again. */
        " acked_by = CASE WHEN ?3 = 'acknowledged' THEN ?4 WHEN ?3 = 'realerted' THEN NULL"
        "   ELSE acked_by END,"
        " acked_at = CASE WHEN ?3 = 'acknowledged' THEN ?5 WHEN ?3 = 'realerted' THEN NULL"
        "   ELSE acked_at END,"
        " ended_at = CASE WHEN ?3 IN ('ended', 'latched', 'superseded') AND ended_at IS NULL"
        "   THEN ?5 ELSE ended_at END,"
        " reset_by = CASE WHEN ?3 = 'reset' THEN ?4 ELSE reset_by END,"
        " reset_at = CASE WHEN ?3 = 'reset' THEN ?5 ELSE reset_at END,"
        " escalated = CASE WHEN ?3 = 'escalated' THEN 1 WHEN ?3 = 'realerted' THEN 0"
        "   ELSE escalated END,"
        " last_alert_at = CASE WHEN ?3 IN ('realerted', 'raised', 'escalated') THEN ?5"
        "   ELSE last_alert_at END,"
        " latched = CASE WHEN ?3 = 'latched' THEN 1 WHEN ?3 = 'reset' THEN 0 ELSE latched END"
        " WHERE id = ?1",
    [S_ALARM_EVENT] = "INSERT INTO alarm_events(alarm, t, event, staff) VALUES(?1, ?2, ?3, ?4)",
    [S_ALARM_INFO] = "SELECT bed, condition FROM alarms WHERE id = ?1",
    [S_LOAD_BEDS] = "SELECT number, label FROM beds ORDER BY number",
    [S_LOAD_ADM] = "SELECT " ADM_COLS " FROM admissions WHERE discharged_at IS NULL ORDER BY id",
    [S_LOAD_ALARMS] = "SELECT " ALARM_COLS " FROM alarms"
                      " WHERE state IN ('active', 'acknowledged', 'latched') ORDER BY id",
    [S_LOAD_LATEST] = "SELECT " OBS_COLS " FROM observations o WHERE o.admission = ?1 AND o.id ="
                      " (SELECT id FROM observations WHERE admission = ?1 AND"
                      "  param = o.param ORDER BY t DESC, id DESC LIMIT 1) ORDER BY param",
    [S_Q_SAMPLES] = "SELECT bed, t, rr10, hr10, q, flags FROM samples"
                    " WHERE (?1 < 0 OR bed = ?1) AND t >= ?2 AND t < ?3"
                    " UNION ALL SELECT bed, minute * 60000, rr_med, hr_med, NULL, 0"
                    " FROM samples_minute WHERE (?1 < 0 OR bed = ?1) AND live = 0"
                    " AND minute >= ?2 / 60000 - 1 AND minute <= ?3 / 60000 + 1"
                    " AND minute * 60000 >= ?2 AND minute * 60000 < ?3 ORDER BY 2, 1",
    /* One bed: "(?1 < 0 OR bed = ?1)" above defeats the primary key (a full
     * scan and a sort per call); this one merges two index searches. */
    [S_Q_SAMPLES_BED] = "SELECT bed, t, rr10, hr10, q, flags FROM samples"
                        " WHERE bed = ?1 AND t >= ?2 AND t < ?3"
                        " UNION ALL SELECT bed, minute * 60000, rr_med, hr_med, NULL, 0"
                        " FROM samples_minute WHERE bed = ?1 AND live = 0"
                        " AND minute >= ?2 / 60000 - 1 AND minute <= ?3 / 60000 + 1"
                        " AND minute * 60000 >= ?2 AND minute * 60000 < ?3 ORDER BY 2",
    [S_Q_SCORES] = "SELECT bed, t, total, p_rr, p_spo2, p_o2, p_sbp, p_hr, p_acvpu, p_temp,"
                   " band, partial_mask FROM scores WHERE (?1 < 0 OR bed = ?1) AND t >= ?2"
                   " AND t < ?3 ORDER BY t, bed",
    [S_Q_OBS] = "SELECT " OBS_COLS " FROM observations WHERE (?1 < 0 OR bed = ?1)"
                " AND t >= ?2 AND t < ?3 ORDER BY t, id",
    [S_Q_NOTES] = "SELECT id, bed, alarm, t, staff, text FROM notes WHERE"
                  " (?1 < 0 OR bed = ?1) AND t >= ?2 AND t < ?3 ORDER BY t, id",
    /* The same for one bed, through the (bed, t) key or index (the OR above
     * scans the whole table, which grows for years). */
    [S_Q_SCORES_BED] = "SELECT bed, t, total, p_rr, p_spo2, p_o2, p_sbp, p_hr, p_acvpu, p_temp,"
                       " band, partial_mask FROM scores WHERE bed = ?1 AND t >= ?2"
                       " AND t < ?3 ORDER BY t",
    [S_Q_OBS_BED] = "SELECT " OBS_COLS " FROM observations WHERE bed = ?1"
                    " AND t >= ?2 AND t < ?3 ORDER BY t, id",
    [S_Q_NOTES_BED] = "SELECT id, bed, alarm, t, staff, text FROM notes WHERE"
                      " bed = ?1 AND t >= ?2 AND t < ?3 ORDER BY t, id",
    [S_Q_ALARM_EV] = "SELECT e.alarm, a.bed, a.condition, a.priority, e.t, e.event, e.staff"
                     " FROM alarm_events e JOIN alarms a ON a.id = e.alarm"
                     " WHERE (?1 < 0 OR a.bed = ?1) AND e.t >= ?2 AND e.t < ?3"
                     " ORDER BY e.t, e.id",
    /* A bed's current stay: its open admission, else the time since the
     * last discharge (0 when it never had one). */
    [S_Q_STAY] = "SELECT id, admitted_at FROM admissions WHERE bed = ?1 AND discharged_at IS NULL"
                 " UNION ALL SELECT 0, max(discharged_at) FROM admissions WHERE bed = ?1"
                 " ORDER BY 1 DESC LIMIT 1",
    /* The record of one stay (?4 the admission, NULL: rows entered while no
     * admission was open; ?5 its start): nothing of an earlier patient. */
    [S_Q_STAY_OBS] = "SELECT " OBS_COLS " FROM observations WHERE bed = ?1 AND admission IS ?4"
                     " AND t >= max(?2, ?5) AND t < ?3 ORDER BY t, id",
    [S_Q_STAY_NOTES] = "SELECT id, bed, alarm, t, staff, text FROM notes WHERE bed = ?1"
                       " AND admission IS ?4 AND t >= max(?2, ?5) AND t < ?3 ORDER BY t, id",
    /* Alarms carry no admission: those raised on the bed during the stay. */
    [S_Q_STAY_ALARM_EV] = "SELECT e.alarm, a.bed, a.condition, a.priority, e.t, e.event, e.staff"
                          " FROM alarm_events e JOIN alarms a ON a.id = e.alarm"
                          " WHERE a.bed = ?1 AND a.raised_at >= ?5 AND e.t >= max(?2, ?5)"
                          " AND e.t < ?3 ORDER BY e.t, e.id",
    /* Admissions open at some time in [?2, ?3). */
    [S_Q_ADM] = "SELECT " ADM_COLS " FROM admissions WHERE (?1 < 0 OR bed = ?1)"
                " AND admitted_at < ?3 AND (discharged_at IS NULL OR discharged_at >= ?2)"
                " ORDER BY bed, admitted_at, id",
    /* Alarms shown at some time in [?2, ?3): raised before its end and not
     * reset or ended (without latching) before its start. */
    [S_Q_ALARMS] = "SELECT " ALARM_COLS " FROM alarms WHERE (?1 < 0 OR bed = ?1)"
                   " AND raised_at < ?3 AND (state IN ('active', 'acknowledged', 'latched')"
                   " OR max(coalesce(reset_at, 0), coalesce(ended_at, 0), raised_at) >= ?2)"
                   " ORDER BY raised_at, id",
    [S_DS_GROUPS] = "SELECT number, (SELECT min(t) FROM samples WHERE bed = number) AS t0"
                    " FROM beds WHERE t0 < ?1 ORDER BY t0, number LIMIT ?2",
    [S_DS_ROWS] = "SELECT rr10, hr10 FROM samples WHERE bed = ?1 AND t >= ?2 AND t < ?3",
    /* Folding a minute into its row. A live row already summarises these
     * per-second rows (min/max merge idempotently; n counts the ones folded
     * before plus the ones here). A minute folded before (rows that arrived
     * late after an outage) is merged: min/max/n exact, the median of the
     * larger part kept. Either way the row is no longer live. */
    [S_DS_PUT] = "INSERT INTO samples_minute(bed, minute, rr_min, rr_med, rr_max, hr_min, hr_med,"
                 " hr_max, n, live) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 0)"
                 " ON CONFLICT(bed, minute) DO UPDATE SET"
                 " rr_min = coalesce(min(rr_min, excluded.rr_min), rr_min, excluded.rr_min),"
                 " rr_max = coalesce(max(rr_max, excluded.rr_max), rr_max, excluded.rr_max),"
                 " hr_min = coalesce(min(hr_min, excluded.hr_min), hr_min, excluded.hr_min),"
                 " hr_max = coalesce(max(hr_max, excluded.hr_max), hr_max, excluded.hr_max),"
                 " rr_med = CASE WHEN live > 0 THEN coalesce(rr_med, excluded.rr_med)"
                 "   WHEN excluded.n > n OR rr_med IS NULL THEN"
                 "   coalesce(excluded.rr_med, rr_med) ELSE rr_med END,"
                 " hr_med = CASE WHEN live > 0 THEN coalesce(hr_med, excluded.hr_med)"
                 "   WHEN excluded.n > n OR hr_med IS NULL THEN"
                 "   coalesce(excluded.hr_med, hr_med) ELSE hr_med END,"
                 " n = CASE WHEN live > 0 THEN max(n, n - live + excluded.n) ELSE n + excluded.n END,"
                 " live = 0",
    [S_DS_DELETE] = "DELETE FROM samples WHERE bed = ?1 AND t >= ?2 AND t < ?3",
    /* A completed minute's live summary (?9 values, all still per-second
     * rows). Parts of one minute (a restart inside it) merge as above. */
    [S_MIN_PUT] = "INSERT INTO samples_minute(bed, minute, rr_min, rr_med, rr_max, hr_min, hr_med,"
                  " hr_max, n, live) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)"
                  " ON CONFLICT(bed, minute) DO UPDATE SET"
                  " rr_min = coalesce(min(rr_min, excluded.rr_min), rr_min, excluded.rr_min),"
                  " rr_max = coalesce(max(rr_max, excluded.rr_max), rr_max, excluded.rr_max),"
                  " hr_min = coalesce(min(hr_min, excluded.hr_min), hr_min, excluded.hr_min),"
                  " hr_max = coalesce(max(hr_max, excluded.hr_max), hr_max, excluded.hr_max),"
                  " rr_med = CASE WHEN excluded.n > n OR rr_med IS NULL THEN"
                  "   coalesce(excluded.rr_med, rr_med) ELSE rr_med END,"
                  " hr_med = CASE WHEN excluded.n > n OR hr_med IS NULL THEN"
                  "   coalesce(excluded.hr_med, hr_med) ELSE hr_med END,"
                  " n = n + excluded.n, live = live + excluded.live",
    [S_MIN_LAST] = "SELECT max(minute) FROM samples_minute WHERE bed = ?1",
    [S_MIN_TAIL] = "SELECT t, rr10, hr10 FROM samples WHERE bed = ?1 AND t >= ?2 ORDER BY t"
                   " LIMIT ?3",
    [S_Q_MINUTES_BED] = "SELECT minute, rr_min, rr_med, rr_max, hr_min, hr_med, hr_max, n"
                        " FROM samples_minute WHERE bed = ?1"
                        " AND minute >= ?2 / 60000 - 1 AND minute <= ?3 / 60000 + 1"
                        " AND minute * 60000 >= ?2 AND minute * 60000 < ?3 ORDER BY minute",
    [S_RET_GET] = "SELECT record_days FROM retention WHERE id = 1",
    [S_RET_SET] = "UPDATE retention SET record_days = ?1 WHERE id = 1 AND record_days != ?1",
    /* Record retention, ?1 cutoff (ms), ?2 row budget. Per-bed tables are
     * reached through beds so each bed's (bed, t) key range is read, never a
     * scan of the whole table (CROSS JOIN fixes that order for the planner,
     * which otherwise scans a year of one bed to reach the next; the unary +
     * keeps alarms off the state index, where nearly every alarm is
     * 'ended'). Rows still referenced stay until their referrers have gone
     * (events before alarms, notes and observations before admissions);
     * open alarms keep their events. */
    [S_PR_SCORES] = "DELETE FROM scores WHERE (bed, t) IN (SELECT s.bed, s.t FROM beds b"
                    " CROSS JOIN scores s ON s.bed = b.number AND s.t < ?1 LIMIT ?2)",
    [S_PR_MINUTES] = "DELETE FROM samples_minute WHERE (bed, minute) IN (SELECT s.bed, s.minute"
                     " FROM beds b CROSS JOIN samples_minute s ON s.bed = b.number"
                     " AND s.minute < ?1 / 60000 LIMIT ?2)",
    [S_PR_SENSOR_EV] = "DELETE FROM sensor_events WHERE id IN (SELECT e.id FROM beds b"
                       " CROSS JOIN sensor_events e ON e.bed = b.number AND e.t < ?1 LIMIT ?2)",
    [S_PR_OBS] = "DELETE FROM observations WHERE id IN (SELECT o.id FROM beds b"
                 " CROSS JOIN observations o ON o.bed = b.number AND o.t < ?1 LIMIT ?2)",
    [S_PR_NOTES] = "DELETE FROM notes WHERE id IN (SELECT n.id FROM beds b"
                   " CROSS JOIN notes n ON n.bed = b.number AND n.t < ?1 LIMIT ?2)",
    [S_PR_ALARM_EV] = "DELETE FROM alarm_events WHERE id IN (SELECT e.id FROM alarm_events e"
                      " CROSS JOIN alarms a ON a.id = e.alarm WHERE e.t < ?1"
                      " AND a.state IN ('ended', 'reset') ORDER BY e.t LIMIT ?2)",
    [S_PR_ALARMS] = "DELETE FROM alarms WHERE id IN (SELECT a.id FROM alarms a"
                    " WHERE a.raised_at < ?1 AND +a.state IN ('ended', 'reset')"
                    " AND NOT EXISTS (SELECT 1 FROM alarm_events e WHERE e.alarm = a.id)"
                    " AND NOT EXISTS (SELECT 1 FROM notes n WHERE n.alarm = a.id)"
                    " ORDER BY a.raised_at LIMIT ?2)",
    [S_PR_ADM] = "DELETE FROM admissions WHERE id IN (SELECT a.id FROM admissions a"
                 " WHERE a.discharged_at < ?1"
                 " AND NOT EXISTS (SELECT 1 FROM observations o WHERE o.admission = a.id)"
                 " AND NOT EXISTS (SELECT 1 FROM notes n WHERE n.admission = a.id)"
                 " ORDER BY a.discharged_at LIMIT ?2)",
    [S_PR_AUDIT] = "DELETE FROM audit WHERE id IN (SELECT id FROM audit WHERE t < ?1"
                   " ORDER BY t LIMIT ?2)",
};

struct sample_row {
    struct store_sample s;
    uint32_t source; /* sources.id, 0 none */
};

/* An alarm transition waiting for the database (see store_alarm_raise). */
struct alarm_op {
    int64_t id; /* the id the ward holds (negative: provisional) */
    bool raise;
    int bed;
    char condition[32], priority[8];
    char event[16], state[16], staff[STORE_STAFF_MAX + 1];
    int64_t t;
};

#define IDMAP_CAP 4096

struct sensor_ev_row {
    int bed;
    int64_t t;
    char event[32];
    char detail[128];
};

/* Which source this bed's samples currently come from. */
struct bed_source {
    int bed;
    uint32_t source;
};

#define MAX_BED_SOURCES 256
#define DS_SCRATCH 4096 /* sample values kept for one bed-minute's median */

/* The minute a bed's samples are in, summarised as they are queued (up to
 * MAX_ACC_BEDS beds, any numbers; more are summarised by retention only). */
#define MAX_ACC_BEDS 256
#define ACC_VALUES 64 /* values kept for the median; min/max see every one */
struct minute_acc {
    int bed;
    bool open;
    int64_t minute;
    int n, nrr, nhr;
    int rr_min, rr_max, hr_min, hr_max; /* tenths */
    int rr[ACC_VALUES], hr[ACC_VALUES];
};

/* A completed minute waiting for the next flush (never dropped). */
struct minute_row {
    int bed;
    int64_t minute;
    int n, nrr, nhr;
    int rr[3], hr[3]; /* min, median, max in tenths */
};
#define DEFAULT_MINUTE_CAP (64 * 60) /* an hour of a 64-bed ward */

struct store {
    sqlite3 *db;
    char path[1024];
    int version;
    bool limited; /* opened below the current version: no statements */
    sqlite3_stmt *st[S_COUNT];
    /* sample ring: may drop the oldest in a long outage */
    struct sample_row *samples;
    size_t cap, head, n;
    /* scores and sensor events: never dropped */
    struct store_score *scores;
    size_t nscores, capscores;
    struct sensor_ev_row *sevs;
    size_t nsevs, capsevs;
    /* live per-minute summaries: the open minute of each bed, and the
     * completed ones not yet written */
    struct minute_acc *accs;
    size_t naccs;
    struct minute_row *mins;
    size_t nmins, capmins;
    /* alarm transitions an outage held back, and provisional ids */
    struct alarm_op *aops;
    size_t naops, capaops;
    struct {
        int64_t local, real;
    } idmap[IDMAP_CAP];
    size_t nmap;
    int64_t next_local_id;
    struct bed_source sources[MAX_BED_SOURCES];
    size_t nsources;
    int ds_rr[DS_SCRATCH], ds_hr[DS_SCRATCH];
    int busy_ms;          /* busy timeout while healthy */
    bool busy_short;      /* the short one is set */
    int record_days;      /* from the retention table */
    long prune_pass_rows; /* rows removed in the current retention pass */
    bool healthy;
    char last_error[512];
    struct store_stats stats;
    /* The file this connection has open, to notice it deleted or replaced
     * under us (see store_check_attached). */
    dev_t dev;
    ino_t ino;
    bool detached;
    bool copied; /* the record is safe in PATH.restoring already */
    char group[64];
    /* the hospital export's outbox (#20), see the block at the end */
    sqlite3_stmt *ob[4];
    store_outbox_hook ob_hook;
    void *ob_ctx;
};

#define DEFAULT_SAMPLE_CAP (64 * 3600) /* an hour of a 64-bed ward */
#define DEFAULT_SCORE_CAP (64 * 600)
#define DEFAULT_EVENT_CAP 4096

/* Record an SQLite error (also kept for store_last_error). */
static int db_err(struct store *st, char *err, size_t errlen, const char *what)
{
    ww_err(st->last_error, sizeof st->last_error, "%s: %s: %s", st->path, what,
           sqlite3_errmsg(st->db));
    return ww_err(err, errlen, "%s", st->last_error);
}

/* Step a statement that returns no rows (or ignores them), then reset it. */
static int step_done(sqlite3_stmt *s)
{
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

/* BEGIN IMMEDIATE: take the write lock now so a busy database fails here.
 * While the store is failing, waits for a lock are cut to 100 ms: the loop
 * retries every second and must not stall the ward behind a locked file. */
static bool path_moved(struct store *st);

static int begin(struct store *st, char *err, size_t errlen, const char *what)
{
    if (st->detached || path_moved(st)) {
        st->healthy = false;
        ww_err(st->last_error, sizeof st->last_error,
               "%s: %s: the database file was deleted or replaced under the running server; "
               "the record is kept in the open connection and is being put back",
               st->path, what);
        return ww_err(err, errlen, "%s", st->last_error);
    }
    bool want_short = !st->healthy;
    if (want_short != st->busy_short) {
        sqlite3_busy_timeout(st->db, want_short ? 100 : st->busy_ms);
        st->busy_short = want_short;
    }
    if (step_done(st->st[S_BEGIN]) < 0) {
        st->healthy = false;
        return db_err(st, err, errlen, what);
    }
    return 0;
}

/* Roll back the open transaction after a validation refusal (no error). */
static void rollback(struct store *st)
{
    if (!sqlite3_get_autocommit(st->db))
        step_done(st->st[S_ROLLBACK]);
}

/* Roll back after a failed statement and report it. */
static int fail(struct store *st, char *err, size_t errlen, const char *what)
{
    db_err(st, err, errlen, what);
    rollback(st);
    st->healthy = false;
    return -1;
}

/* COMMIT, or roll back and report: callers confirm only after this. */
static int commit(struct store *st, char *err, size_t errlen, const char *what)
{
    if (step_done(st->st[S_COMMIT]) < 0)
        return fail(st, err, errlen, what);
    st->healthy = true;
    return 0;
}

/* Bind text, NULL when absent or empty. */
static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
    if (v && *v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(s, i);
}

/* Bind an id, NULL when 0 (none). */
static void bind_id(sqlite3_stmt *s, int i, int64_t id)
{
    if (id > 0)
        sqlite3_bind_int64(s, i, id);
    else
        sqlite3_bind_null(s, i);
}

/* Bind a rate as integer tenths, NULL if NaN or out of any sane range. */
/* A rate as the integer tenths it is stored as; false when not storable. */
static bool to_tenths(float v, int *out)
{
    if (!(isfinite(v) && v >= 0 && v < 10000))
        return false;
    *out = (int)lroundf(v * 10.0f);
    return true;
}

static void bind_tenths(sqlite3_stmt *s, int i, float v)
{
    int t;
    if (to_tenths(v, &t))
        sqlite3_bind_int(s, i, t);
    else
        sqlite3_bind_null(s, i);
}

/* Copy a text column into a buffer. */
static void col_text(sqlite3_stmt *s, int i, char *dst, size_t n)
{
    const unsigned char *v = sqlite3_column_text(s, i);
    ww_strlcpy(dst, v ? (const char *)v : "", n);
}

/* Sanitise outside text into dst; refuse it (naming the field) when empty
 * and required, or longer than the field rather than cutting it silently. */
static int clean_text(char *dst, size_t n, const char *src, bool keep_newlines, bool required,
                      const char *field, char *err, size_t errlen)
{
    if (!src)
        src = "";
    if (strlen(src) >= n)
        return ww_err(err, errlen, "%s is too long (%zu bytes, at most %zu)", field, strlen(src),
                      n - 1);
    ww_sanitize_text(dst, n, src, keep_newlines);
    if (required && !dst[0])
        return ww_err(err, errlen, "%s is missing", field);
    return 0;
}

/* Create the file with tight permissions before SQLite opens it, so there
 * is no moment with wider ones. An existing file is left as it is. */
static int create_file(const char *path, const char *group, char *err, size_t errlen)
{
    bool grp = group && *group;
    struct group *g = NULL;
    if (grp && !(g = getgrnam(group)))
        return ww_err(err, errlen, "%s: unix group '%s' does not exist", path, group);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, grp ? 0640 : 0600);
    if (fd < 0) {
        if (errno == EEXIST)
            return 0;
        return ww_err(err, errlen, "%s: cannot create the database: %s", path, strerror(errno));
    }
    if (grp) {
        /* umask 077 took the group bit away: put it back after chown. */
        if (fchown(fd, (uid_t)-1, g->gr_gid) < 0 || fchmod(fd, 0640) < 0) {
            int e = errno;
            close(fd);
            unlink(path);
            return ww_err(err, errlen, "%s: cannot give group '%s' read access: %s", path, group,
                          strerror(e));
        }
    }
    close(fd);
    return 0;
}

/* Read PRAGMA user_version with a throwaway statement (before migration). */
static int read_version(sqlite3 *db)
{
    sqlite3_stmt *s;
    int v = -1;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL) == SQLITE_OK) {
        if (sqlite3_step(s) == SQLITE_ROW)
            v = sqlite3_column_int(s, 0);
        sqlite3_finalize(s);
    }
    return v;
}

/* Apply migrations up to target, each step in its own transaction. */
static int migrate(struct store *st, int target, char *err, size_t errlen)
{
    int version = read_version(st->db);
    if (version < 0)
        return ww_err(err, errlen, "%s: cannot read the schema version: %s", st->path,
                      sqlite3_errmsg(st->db));
    if (version > STORE_SCHEMA_VERSION)
        return ww_err(err, errlen,
                      "%s: database schema version %d is newer than this wardwatch (%d): it was "
                      "written by a newer wardwatch; run that version, or restore a backup made "
                      "before the upgrade",
                      st->path, version, STORE_SCHEMA_VERSION);
    for (int v = version; v < target; v++) {
        char *msg = NULL;
        char sql[64];
        snprintf(sql, sizeof sql, "PRAGMA user_version = %d;", v + 1);
        if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK ||
            sqlite3_exec(st->db, migrations[v], NULL, NULL, &msg) != SQLITE_OK ||
            sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK ||
            sqlite3_exec(st->db, "COMMIT", NULL, NULL, &msg) != SQLITE_OK) {
            ww_err(err, errlen,
                   "%s: migration from schema version %d to %d failed (nothing changed): %s",
                   st->path, v, v + 1, msg ? msg : sqlite3_errmsg(st->db));
            sqlite3_free(msg);
            sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
            return -1;
        }
    }
    st->version = read_version(st->db);
    return 0;
}

/* PRAGMA quick_check: 0 when "ok". */
static int quick_check(struct store *st, char *err, size_t errlen)
{
    sqlite3_stmt *q;
    char what[200] = "";
    int ok = 0;
    if (sqlite3_prepare_v2(st->db, "PRAGMA quick_check", -1, &q, NULL) == SQLITE_OK) {
        int rc = sqlite3_step(q);
        if (rc == SQLITE_ROW) {
            const char *r = (const char *)sqlite3_column_text(q, 0);
            ok = r && !strcmp(r, "ok");
            ww_strlcpy(what, r ? r : "", sizeof what);
        } else {
            ww_strlcpy(what, sqlite3_errmsg(st->db), sizeof what);
        }
        sqlite3_finalize(q);
    } else {
        ww_strlcpy(what, sqlite3_errmsg(st->db), sizeof what);
    }
    if (ok)
        return 0;
    /* The first finding is enough here (`wardwatch check` lists them all). */
    for (char *c = what; *c; c++)
        if (*c == '\n')
            *c = ' ';
    if (strlen(what) > 100)
        strcpy(what + 96, "...");
    return ww_err(err, errlen,
                  "%s: the database is damaged or not a wardwatch database (%s). wardwatch will "
                  "not write to it. Move it aside (mv %s %s.damaged) and restore the latest "
                  "`wardwatch backup` copy in its place, or start with a new file; "
                  "`wardwatch check %s` shows what is wrong",
                  st->path, what, st->path, st->path, st->path);
}

/* The record retention stored in the database (-1 when unreadable). */
static int read_record_days(struct store *st)
{
    sqlite3_stmt *s = st->st[S_RET_GET];
    int v = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : -1;
    sqlite3_reset(s);
    return v;
}

/* See store.h. */
int store_check_writable(const char *path, char *err, size_t errlen)
{
    if (access(path, F_OK) == 0 && access(path, W_OK) < 0)
        return ww_err(err, errlen,
                      "%s: the database file is not writable by this user (uid %d): %s; check "
                      "its owner and mode (ls -l %s)",
                      path, (int)geteuid(), strerror(errno), path);
    char dir[1100];
    ww_strlcpy(dir, path, sizeof dir);
    char *slash = strrchr(dir, '/');
    if (slash)
        *(slash == dir ? slash + 1 : slash) = '\0';
    else
        ww_strlcpy(dir, ".", sizeof dir);
    if (access(dir, W_OK | X_OK) < 0)
        return ww_err(err, errlen,
                      "%s: its directory %s is not writable by this user (uid %d): %s; SQLite "
                      "keeps its -wal and -shm files there",
                      path, dir, (int)geteuid(), strerror(errno));
    return 0;
}

/* Open with the defaults. */
struct store *store_open(const char *path, const char *group, char *err, size_t errlen)
{
    struct store_options o = {.group = group};
    return store_open_with(path, &o, err, errlen);
}

/* The statements and the retention of a store at this build's schema. */
static int prepare_all(struct store *st, char *err, size_t errlen)
{
    for (int i = 0; i < S_COUNT; i++)
        if (sqlite3_prepare_v3(st->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &st->st[i],
                               NULL) != SQLITE_OK)
            return ww_err(err, errlen, "%s: the schema does not match this wardwatch: %s",
                          st->path, sqlite3_errmsg(st->db));
    st->record_days = read_record_days(st);
    if (st->record_days < 30)
        return ww_err(err, errlen, "%s: the retention table is missing or damaged", st->path);
    return 0;
}

/* A reader's connection: read-only, no migration, this build's schema only.
 * Why: a newer command-line binary reading beside an older running server
 * must not upgrade the server's file under it (nor an older one write to a
 * newer file); the core that holds the lock is the only one that migrates. */
static int open_db_readonly(struct store *st, char *err, size_t errlen)
{
    if (sqlite3_open_v2(st->path, &st->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_FULLMUTEX,
                        NULL) != SQLITE_OK)
        return ww_err(err, errlen, "%s: cannot open the database to read it: %s", st->path,
                      st->db ? sqlite3_errmsg(st->db) : "out of memory");
    st->busy_ms = 2000;
    sqlite3_busy_timeout(st->db, st->busy_ms);
    sqlite3_extended_result_codes(st->db, 1);
    int version = read_version(st->db);
    if (version < 0)
        return ww_err(err, errlen, "%s: cannot read the schema version (not a wardwatch "
                      "database?): %s", st->path, sqlite3_errmsg(st->db));
    st->version = version;
    if (version > STORE_SCHEMA_VERSION)
        return ww_err(err, errlen,
                      "%s: database schema version %d is newer than this wardwatch reads "
                      "(version %d): it was written by a newer wardwatch; use that version's "
                      "command, nothing was changed",
                      st->path, version, STORE_SCHEMA_VERSION);
    if (version < STORE_SCHEMA_VERSION)
        return ww_err(err, errlen,
                      "%s: database schema version %d is older than this wardwatch reads "
                      "(version %d); this command only reads and does not upgrade it: start "
                      "the ward's monitoring core of this version (wardwatch serve or the "
                      "board) to upgrade it, or use the wardwatch that wrote it; nothing was "
                      "changed",
                      st->path, version, STORE_SCHEMA_VERSION);
    return prepare_all(st, err, errlen);
}

/* Configure the connection, check, migrate and prepare. */
static int open_db(struct store *st, const struct store_options *o, char *err, size_t errlen)
{
    if (o->readonly)
        return open_db_readonly(st, err, errlen);
    if (create_file(st->path, o->group, err, errlen) < 0)
        return -1;
    if (sqlite3_open_v2(st->path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX,
                        NULL) != SQLITE_OK)
        return ww_err(err, errlen, "%s: cannot open the database: %s", st->path,
                      st->db ? sqlite3_errmsg(st->db) : "out of memory");
    st->busy_ms = o->busy_timeout_ms > 0 ? o->busy_timeout_ms : 2000;
    sqlite3_busy_timeout(st->db, st->busy_ms);
    sqlite3_extended_result_codes(st->db, 1);
    /* A damaged file is refused before anything writes to it. */
    if (quick_check(st, err, errlen) < 0)
        return -1;
    sqlite3_stmt *s;
    char mode[16] = "";
    if (sqlite3_prepare_v2(st->db, "PRAGMA journal_mode=WAL", -1, &s, NULL) == SQLITE_OK) {
        if (sqlite3_step(s) == SQLITE_ROW)
            col_text(s, 0, mode, sizeof mode);
        sqlite3_finalize(s);
    }
    if (strcmp(mode, "wal"))
        return ww_err(err, errlen,
                      "%s: cannot switch the database to WAL mode (%s); it must be on a local "
                      "file system",
                      st->path, mode[0] ? mode : sqlite3_errmsg(st->db));
    char *msg = NULL;
    if (sqlite3_exec(st->db, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;", NULL, NULL,
                     &msg) != SQLITE_OK) {
        ww_err(err, errlen, "%s: cannot configure the database: %s", st->path, msg);
        sqlite3_free(msg);
        return -1;
    }
    int target = o->schema_version > 0 ? o->schema_version : STORE_SCHEMA_VERSION;
    if (target > STORE_SCHEMA_VERSION)
        target = STORE_SCHEMA_VERSION;
    if (migrate(st, target, err, errlen) < 0)
        return -1;
    if (target < STORE_SCHEMA_VERSION) {
        st->limited = true;
        return 0;
    }
    return prepare_all(st, err, errlen);
}

/* Open with options; every queue is allocated here, once. */
struct store *store_open_with(const char *path, const struct store_options *opt, char *err,
                              size_t errlen)
{
    static const struct store_options defaults;
    const struct store_options *o = opt ? opt : &defaults;
    if (!path || !*path) {
        ww_err(err, errlen, "no database file given");
        return NULL;
    }
    struct store *st = calloc(1, sizeof *st);
    if (!st) {
        ww_err(err, errlen, "out of memory");
        return NULL;
    }
    if (ww_strlcpy(st->path, path, sizeof st->path) >= sizeof st->path) {
        ww_err(err, errlen, "database path is too long (%zu bytes)", strlen(path));
        free(st);
        return NULL;
    }
    st->cap = o->sample_capacity ? o->sample_capacity : DEFAULT_SAMPLE_CAP;
    st->capscores = o->score_capacity ? o->score_capacity : DEFAULT_SCORE_CAP;
    st->capsevs = o->event_capacity ? o->event_capacity : DEFAULT_EVENT_CAP;
    st->samples = malloc(st->cap * sizeof *st->samples);
    st->scores = malloc(st->capscores * sizeof *st->scores);
    st->sevs = malloc(st->capsevs * sizeof *st->sevs);
    st->accs = calloc(MAX_ACC_BEDS, sizeof *st->accs);
    st->capmins = DEFAULT_MINUTE_CAP;
    st->mins = malloc(st->capmins * sizeof *st->mins);
    st->capaops = 256;
    st->aops = malloc(st->capaops * sizeof *st->aops);
    st->next_local_id = -1;
    if (!st->samples || !st->scores || !st->sevs || !st->aops || !st->accs || !st->mins) {
        ww_err(err, errlen, "out of memory for the write queues");
        store_close(st);
        return NULL;
    }
    /* The -wal and -shm files SQLite makes must not be wider either. */
    mode_t old = umask(077);
    int rc = open_db(st, o, err, errlen);
    umask(old);
    if (rc < 0) {
        store_close(st);
        return NULL;
    }
    struct stat sb;
    if (stat(st->path, &sb) == 0) {
        st->dev = sb.st_dev;
        st->ino = sb.st_ino;
    }
    if (o->group)
        ww_strlcpy(st->group, o->group, sizeof st->group);
    st->healthy = true;
    return st;
}

/* Is the file at the path no longer the one open (deleted, or another
 * file put there)? Marks the store detached, once, with a log line. */
static bool path_moved(struct store *st)
{
    if (st->detached)
        return true;
    if (!st->ino || st->limited)
        return false;
    struct stat sb;
    bool gone = false;
    if (stat(st->path, &sb) == 0) {
        if (sb.st_dev == st->dev && sb.st_ino == st->ino)
            return false;
    } else if (errno == ENOENT) {
        gone = true;
    } else {
        return false; /* cannot tell (a permission problem shows itself in writes) */
    }
    st->detached = true;
    st->healthy = false;
    ww_err(st->last_error, sizeof st->last_error,
           "%s: the database file was %s under the running server; the record is kept in the "
           "open connection and is being put back",
           st->path, gone ? "deleted" : "replaced by another file");
    log_msg(LOG_ERROR, "%s", st->last_error);
    return true;
}

/* See store.h. */
bool store_check_attached(struct store *st)
{
    return !path_moved(st);
}

static int open_db(struct store *st, const struct store_options *o, char *err, size_t errlen);
static int backup_db(sqlite3 *src, const char *dest, char *err, size_t errlen);

/* Move a file that is not ours out of the way (with its -wal and -shm). */
static int move_aside(const char *path, const char *suffix, char *moved, size_t n, char *err,
                      size_t errlen)
{
    static const char *ext[] = {"", "-wal", "-shm"};
    moved[0] = '\0';
    for (size_t i = 0; i < WW_ARRAY_LEN(ext); i++) {
        char from[1100], to[1200];
        snprintf(from, sizeof from, "%s%s", path, ext[i]);
        snprintf(to, sizeof to, "%s%s%s", path, suffix, ext[i]);
        if (rename(from, to) < 0 && errno != ENOENT)
            return ww_err(err, errlen, "cannot move %s aside: %s", from, strerror(errno));
        if (i == 0)
            ww_strlcpy(moved, to, n);
    }
    return 0;
}

/* See store.h. */
int store_secure_copy(struct store *st, char *err, size_t errlen)
{
    if (!st->detached || !st->db)
        return 0;
    char tmp[1100];
    struct stat sb;
    snprintf(tmp, sizeof tmp, "%s.restoring", st->path);
    if (st->copied && stat(tmp, &sb) == 0)
        return 0;
    unlink(tmp);
    if (backup_db(st->db, tmp, err, errlen) < 0)
        return -1;
    st->copied = true;
    log_msg(LOG_WARN, "%s: the record is copied to %s until it is put back", st->path, tmp);
    return 0;
}

/* See store.h. */
int store_reattach(struct store *st, int64_t now_ms, char *err, size_t errlen)
{
    if (!st->detached)
        return 0;
    char tmp[1100], moved[1200] = "";
    struct stat sb;
    if (!st->db)
        goto reopen; /* the copy is in place already; an earlier reopen failed */
    /* 1. The whole record onto disk first, from the open connection (it
     * still reads the deleted file and its WAL). */
    snprintf(tmp, sizeof tmp, "%s.restoring", st->path);
    /* Writes were refused since the copy was made: it is the whole record. */
    if (!st->copied || stat(tmp, &sb) < 0) {
        unlink(tmp);
        if (backup_db(st->db, tmp, err, errlen) < 0)
            return -1;
    }
    st->copied = false;
    if (st->group[0]) {
        struct group *g = getgrnam(st->group);
        if (!g || chown(tmp, (uid_t)-1, g->gr_gid) < 0 || chmod(tmp, 0640) < 0)
            log_msg(LOG_WARN, "%s: cannot give group '%s' read access: %s", tmp, st->group,
                    g ? strerror(errno) : "no such group");
    }
    /* 2. The old connection closes: it checkpoints into the file it has
     * open and removes its own -wal and -shm by name. */
    for (int i = 0; i < S_COUNT; i++) {
        sqlite3_finalize(st->st[i]);
        st->st[i] = NULL;
    }
    sqlite3_close(st->db);
    st->db = NULL;
    st->busy_short = false;
    /* 3. Whatever is still at the path (another hand's file, a -wal that
     * must never be replayed into the copy) is kept beside it, and the copy
     * goes into place. */
    char wal[1100], shm[1100];
    snprintf(wal, sizeof wal, "%s-wal", st->path);
    snprintf(shm, sizeof shm, "%s-shm", st->path);
    if (lstat(st->path, &sb) == 0 || lstat(wal, &sb) == 0 || lstat(shm, &sb) == 0) {
        char suffix[64];
        snprintf(suffix, sizeof suffix, ".replaced-%lld", (long long)(now_ms / 1000));
        if (move_aside(st->path, suffix, moved, sizeof moved, err, errlen) < 0) {
            log_msg(LOG_ERROR, "%s: working from %s", err, tmp);
            ww_strlcpy(st->path, tmp, sizeof st->path);
            goto reopen;
        }
        if (lstat(moved, &sb) < 0)
            moved[0] = '\0'; /* only a stale -wal or -shm was there */
    }
    if (rename(tmp, st->path) < 0) {
        log_msg(LOG_ERROR, "cannot put %s back at %s (%s): working from %s", tmp, st->path,
                strerror(errno), tmp);
        ww_strlcpy(st->path, tmp, sizeof st->path);
    }
reopen:;
    struct store_options o = {.group = st->group[0] ? st->group : NULL,
                              .busy_timeout_ms = st->busy_ms};
    mode_t old = umask(077);
    int rc = open_db(st, &o, err, errlen);
    umask(old);
    if (rc < 0) {
        /* The copy is on disk; without a connection nothing can be
         * written: say so loudly (every write fails until a restart). */
        log_msg(LOG_ERROR, "%s: restored, but cannot reopen it (retrying): %s", st->path, err);
        for (int i = 0; i < S_COUNT; i++) {
            sqlite3_finalize(st->st[i]);
            st->st[i] = NULL;
        }
        sqlite3_close(st->db);
        st->db = NULL;
        return -1;
    }
    if (stat(st->path, &sb) == 0) {
        st->dev = sb.st_dev;
        st->ino = sb.st_ino;
    }
    st->detached = false;
    char detail[STORE_REASON_MAX + 1];
    snprintf(detail, sizeof detail, "database file %s under the running server; restored from "
             "the open connection%s%s", moved[0] ? "replaced" : "deleted",
             moved[0] ? ", the other file kept as " : "", moved);
    log_msg(LOG_WARN, "%s: %s", st->path, detail);
    if (store_audit(st, "wardwatch", "database-restored", -1, detail, now_ms, err, errlen) < 0)
        return -1;
    return 0;
}

/* See store.h. Each part is an index lookup (per bed on the tables keyed
 * by bed and time; the newest row of the rowid tables). */
int64_t store_last_time(struct store *st)
{
    static const char sql[] =
        "SELECT MAX(COALESCE(("
        " SELECT MAX(x) FROM (SELECT (SELECT MAX(t) FROM samples WHERE bed = b.number) x"
        " FROM beds b UNION ALL SELECT (SELECT MAX(t) FROM scores WHERE bed = b.number)"
        " FROM beds b)), 0),"
        " COALESCE((SELECT MAX(t) FROM audit), 0),"
        " COALESCE((SELECT MAX(t) FROM alarm_events), 0),"
        " COALESCE((SELECT raised_at FROM alarms ORDER BY id DESC LIMIT 1), 0),"
        " COALESCE((SELECT t FROM sensor_events ORDER BY id DESC LIMIT 1), 0),"
        " COALESCE((SELECT t FROM observations ORDER BY id DESC LIMIT 1), 0),"
        " COALESCE((SELECT t FROM notes ORDER BY id DESC LIMIT 1), 0))";
    sqlite3_stmt *s;
    int64_t t = 0;
    if (!st->db || sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
        return -1;
    if (sqlite3_step(s) == SQLITE_ROW)
        t = sqlite3_column_int64(s, 0);
    else
        t = -1;
    sqlite3_finalize(s);
    return t;
}

/* Close, finalising statements (queued rows not flushed are discarded). */
void store_close(struct store *st)
{
    if (!st)
        return;
    for (int i = 0; i < S_COUNT; i++)
        sqlite3_finalize(st->st[i]);
    for (size_t i = 0; i < WW_ARRAY_LEN(st->ob); i++)
        sqlite3_finalize(st->ob[i]);
    if (st->db)
        sqlite3_close(st->db);
    st->db = NULL;
    free(st->samples);
    free(st->scores);
    free(st->sevs);
    free(st->accs);
    free(st->mins);
    free(st->aops);
    free(st);
}

/* Schema version after migration. */
int store_schema_version(const struct store *st)
{
    return st->version;
}

/* Health after the last write. */
bool store_healthy(const struct store *st)
{
    return st->healthy;
}

/* Last error text ("" when none). */
const char *store_last_error(const struct store *st)
{
    return st->last_error;
}

/* Counters. */
void store_get_stats(const struct store *st, struct store_stats *out)
{
    *out = st->stats;
}

/* Bed row (insert, or update the label). */
int store_sync_bed(struct store *st, int bed, const char *label, char *err, size_t errlen)
{
    char clean[STORE_LABEL_MAX + 1];
    if (bed < 0)
        return ww_err(err, errlen, "bed number %d is negative", bed);
    if (clean_text(clean, sizeof clean, label, false, true, "bed label", err, errlen) < 0)
        return -1;
    sqlite3_stmt *s = st->st[S_BED];
    sqlite3_bind_int(s, 1, bed);
    sqlite3_bind_text(s, 2, clean, -1, SQLITE_TRANSIENT);
    if (step_done(s) < 0) {
        st->healthy = false;
        return db_err(st, err, errlen, "cannot store the bed");
    }
    return 0;
}

/* Source of a bed's samples from now on (sources row made on first use). */
int store_set_source(struct store *st, int bed, const char *source, char *err, size_t errlen)
{
    char clean[STORE_LABEL_MAX + 1];
    uint32_t id = 0;
    if (clean_text(clean, sizeof clean, source, false, false, "sample source", err, errlen) < 0)
        return -1;
    if (clean[0]) {
        sqlite3_bind_text(st->st[S_SOURCE_ADD], 1, clean, -1, SQLITE_TRANSIENT);
        if (step_done(st->st[S_SOURCE_ADD]) < 0) {
            st->healthy = false;
            return db_err(st, err, errlen, "cannot store the sample source");
        }
        sqlite3_stmt *g = st->st[S_SOURCE_GET];
        sqlite3_bind_text(g, 1, clean, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(g) == SQLITE_ROW)
            id = (uint32_t)sqlite3_column_int64(g, 0);
        sqlite3_reset(g);
        sqlite3_clear_bindings(g);
        if (!id)
            return db_err(st, err, errlen, "cannot look up the sample source");
    }
    for (size_t i = 0; i < st->nsources; i++)
        if (st->sources[i].bed == bed) {
            st->sources[i].source = id;
            return 0;
        }
    if (st->nsources == MAX_BED_SOURCES)
        return ww_err(err, errlen, "more than %d beds with a sample source", MAX_BED_SOURCES);
    st->sources[st->nsources++] = (struct bed_source){bed, id};
    return 0;
}

/* Current source id of a bed (0 none). */
static uint32_t source_of(const struct store *st, int bed)
{
    for (size_t i = 0; i < st->nsources; i++)
        if (st->sources[i].bed == bed)
            return st->sources[i].source;
    return 0;
}

static void acc_add(struct store *st, const struct store_sample *s);

/* Queue a sample (ring; oldest dropped and counted when full) and fold it
 * into its bed's open minute. */
void store_queue_sample(struct store *st, const struct store_sample *s)
{
    if (st->n == st->cap) {
        st->head = (st->head + 1) % st->cap;
        st->n--;
        st->stats.dropped_samples++;
    }
    struct sample_row *r = &st->samples[(st->head + st->n) % st->cap];
    r->s = *s;
    r->source = source_of(st, s->bed);
    st->n++;
    st->stats.queued++;
    acc_add(st, s);
}

/* Make room for one more row in a never-dropped queue. Only an outage longer
 * than the preallocated size gets here; doubling keeps it rare. */
static bool make_room(struct store *st, void **arr, size_t *cap, size_t n, size_t elem)
{
    if (n < *cap)
        return true;
    void *p = *cap <= SIZE_MAX / 2 / elem ? realloc(*arr, *cap * 2 * elem) : NULL;
    if (!p) {
        st->stats.lost_rows++;
        st->healthy = false;
        ww_err(st->last_error, sizeof st->last_error,
               "%s: out of memory queueing rows during a write outage; %llu lost", st->path,
               (unsigned long long)st->stats.lost_rows);
        return false;
    }
    *arr = p;
    *cap *= 2;
    return true;
}

/* Sort up to ACC_VALUES ints (insertion: faster than qsort at this size). */
static void sort_small(int *v, int n)
{
    for (int i = 1; i < n; i++) {
        int x = v[i], j = i;
        while (j > 0 && v[j - 1] > x) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
}

/* min, lower median (always a measured value, as bind_summary), max. */
static void summarise(int *out, int *v, int n, int lo, int hi)
{
    sort_small(v, n);
    out[0] = lo;
    out[1] = v[(n - 1) / 2];
    out[2] = hi;
}

/* Close a bed's open minute into the minute queue. */
static void acc_close(struct store *st, int bed, struct minute_acc *a)
{
    if (!a->open)
        return;
    a->open = false;
    void *arr = st->mins;
    bool ok = make_room(st, &arr, &st->capmins, st->nmins, sizeof *st->mins);
    st->mins = arr;
    if (!ok)
        return;
    struct minute_row *m = &st->mins[st->nmins++];
    m->bed = bed;
    m->minute = a->minute;
    m->n = a->n;
    m->nrr = a->nrr;
    m->nhr = a->nhr;
    if (a->nrr)
        summarise(m->rr, a->rr, a->nrr < ACC_VALUES ? a->nrr : ACC_VALUES, a->rr_min, a->rr_max);
    if (a->nhr)
        summarise(m->hr, a->hr, a->nhr < ACC_VALUES ? a->nhr : ACC_VALUES, a->hr_min, a->hr_max);
    st->stats.queued++;
}

/* Fold one value (tenths) into a minute's slots and extremes. */
static void acc_value(int *vals, int *nv, int *lo, int *hi, int v)
{
    if (*nv == 0 || v < *lo)
        *lo = v;
    if (*nv == 0 || v > *hi)
        *hi = v;
    if (*nv < ACC_VALUES)
        vals[*nv] = v;
    if (*nv < INT_MAX)
        (*nv)++;
}

/* The accumulator of a bed (a new one when create and there is room). */
static struct minute_acc *acc_of(struct store *st, int bed, bool create)
{
    for (size_t i = 0; i < st->naccs; i++)
        if (st->accs[i].bed == bed)
            return &st->accs[i];
    if (!create || st->naccs == MAX_ACC_BEDS)
        return NULL;
    struct minute_acc *a = &st->accs[st->naccs++];
    a->bed = bed;
    a->open = false;
    return a;
}

/* One per-second value pair (tenths; has_* false for NULL) into its bed's
 * open minute; a value of another minute closes the open one first. */
static void acc_tenths(struct store *st, int bed, int64_t t, bool has_rr, int rr, bool has_hr,
                       int hr)
{
    struct minute_acc *a = t < 0 ? NULL : acc_of(st, bed, true);
    if (!a)
        return;
    int64_t m = t / 60000;
    if (a->open && a->minute != m)
        acc_close(st, bed, a);
    if (!a->open) {
        a->open = true;
        a->minute = m;
        a->n = a->nrr = a->nhr = 0;
    }
    if (has_rr)
        acc_value(a->rr, &a->nrr, &a->rr_min, &a->rr_max, rr);
    if (has_hr)
        acc_value(a->hr, &a->nhr, &a->hr_min, &a->hr_max, hr);
    a->n++;
}

/* A queued sample into its minute. The per-second row and the summary use
 * the same integer tenths, so retention folds to the same numbers later. */
static void acc_add(struct store *st, const struct store_sample *s)
{
    int rr = 0, hr = 0;
    bool has_rr = to_tenths(s->rr, &rr), has_hr = to_tenths(s->hr, &hr);
    acc_tenths(st, s->bed, s->t, has_rr, rr, has_hr, hr);
}

/* Queue a score (never dropped). */
void store_queue_score(struct store *st, const struct store_score *s)
{
    void *arr = st->scores;
    bool ok = make_room(st, &arr, &st->capscores, st->nscores, sizeof *st->scores);
    st->scores = arr;
    if (!ok)
        return;
    st->scores[st->nscores++] = *s;
    st->stats.queued++;
}

/* Queue a sensor event (never dropped). */
void store_queue_sensor_event(struct store *st, int bed, int64_t t, const char *event,
                              const char *detail)
{
    void *arr = st->sevs;
    bool ok = make_room(st, &arr, &st->capsevs, st->nsevs, sizeof *st->sevs);
    st->sevs = arr;
    if (!ok)
        return;
    struct sensor_ev_row *r = &st->sevs[st->nsevs++];
    r->bed = bed;
    r->t = t;
    ww_sanitize_text(r->event, sizeof r->event, event && *event ? event : "?", false);
    ww_sanitize_text(r->detail, sizeof r->detail, detail ? detail : "", false);
    st->stats.queued++;
}

/* Rows waiting. */
size_t store_queued(const struct store *st)
{
    return st->n + st->nscores + st->nsevs + st->nmins + st->naops;
}

/* Insert one queued sample. */
static int put_sample(struct store *st, const struct sample_row *r)
{
    sqlite3_stmt *s = st->st[S_SAMPLE];
    sqlite3_bind_int(s, 1, r->s.bed);
    sqlite3_bind_int64(s, 2, r->s.t);
    bind_tenths(s, 3, r->s.rr);
    bind_tenths(s, 4, r->s.hr);
    if (isfinite(r->s.quality) && r->s.quality >= 0 && r->s.quality <= 1)
        sqlite3_bind_int(s, 5, (int)lroundf(r->s.quality * 100.0f));
    else
        sqlite3_bind_null(s, 5);
    sqlite3_bind_int(s, 6, (int)r->s.flags);
    bind_id(s, 7, r->source);
    return step_done(s);
}

/* Insert one queued score. */
static int put_score(struct store *st, const struct store_score *r)
{
    sqlite3_stmt *s = st->st[S_SCORE];
    sqlite3_bind_int(s, 1, r->bed);
    sqlite3_bind_int64(s, 2, r->t);
    sqlite3_bind_int(s, 3, r->total);
    for (int p = 0; p < 7; p++) {
        if (r->parts[p] >= 0)
            sqlite3_bind_int(s, 4 + p, r->parts[p]);
        else
            sqlite3_bind_null(s, 4 + p);
    }
    sqlite3_bind_int(s, 11, r->band);
    sqlite3_bind_int(s, 12, (int)r->partial_mask);
    return step_done(s);
}

/* Insert one queued sensor event. */
static int put_sensor_event(struct store *st, const struct sensor_ev_row *r)
{
    sqlite3_stmt *s = st->st[S_SENSOR_EV];
    sqlite3_bind_int(s, 1, r->bed);
    sqlite3_bind_int64(s, 2, r->t);
    sqlite3_bind_text(s, 3, r->event, -1, SQLITE_TRANSIENT);
    bind_text(s, 4, r->detail);
    return step_done(s);
}

/* Bind min/median/max (tenths) at i..i+2, NULL when the minute had none. */
static void bind_three(sqlite3_stmt *s, int i, const int *v, bool have)
{
    for (int k = 0; k < 3; k++) {
        if (have)
            sqlite3_bind_int(s, i + k, v[k]);
        else
            sqlite3_bind_null(s, i + k);
    }
}

/* Insert (or merge) one completed minute's live summary. */
static int put_minute(struct store *st, const struct minute_row *r)
{
    sqlite3_stmt *s = st->st[S_MIN_PUT];
    sqlite3_bind_int(s, 1, r->bed);
    sqlite3_bind_int64(s, 2, r->minute);
    bind_three(s, 3, r->rr, r->nrr > 0);
    bind_three(s, 6, r->hr, r->nhr > 0);
    sqlite3_bind_int(s, 9, r->n);
    return step_done(s);
}

static int put_alarm_ops(struct store *st);
static int drain_alarm_ops(struct store *st, char *err, size_t errlen);
static int outbox_alarm(struct store *st, int64_t alarm_id, int64_t event_id, int bed,
                        const char *cond, const char *priority, const char *event,
                        const char *state, const char *who, int64_t t);
static int64_t real_alarm_id(const struct store *st, int64_t id);

/* One transaction for everything queued; the queues are emptied only after
 * COMMIT, so a failure anywhere leaves every row for the next try. */
int store_flush(struct store *st, char *err, size_t errlen)
{
    if (store_queued(st) == 0)
        return 0;
    if (begin(st, err, errlen, "cannot write samples") < 0) {
        st->stats.failed_flushes++;
        return -1;
    }
    size_t nmap = st->nmap;
    if (put_alarm_ops(st) < 0) {
        st->nmap = nmap;
        goto failed;
    }
    for (size_t i = 0; i < st->n; i++)
        if (put_sample(st, &st->samples[(st->head + i) % st->cap]) < 0)
            goto failed;
    for (size_t i = 0; i < st->nscores; i++)
        if (put_score(st, &st->scores[i]) < 0)
            goto failed;
    for (size_t i = 0; i < st->nsevs; i++)
        if (put_sensor_event(st, &st->sevs[i]) < 0)
            goto failed;
    for (size_t i = 0; i < st->nmins; i++)
        if (put_minute(st, &st->mins[i]) < 0)
            goto failed;
    if (st->ob_hook && st->ob_hook(st->ob_ctx, st, NULL) < 0) /* outbox (#20) */
        goto failed;
    if (commit(st, err, errlen, "cannot write samples") < 0) {
        st->nmap = nmap;
        st->stats.failed_flushes++;
        return -1;
    }
    st->stats.flushed += store_queued(st);
    st->n = st->head = 0;
    st->nscores = st->nsevs = st->naops = st->nmins = 0;
    return 0;
failed:
    st->nmap = nmap;
    st->stats.failed_flushes++;
    return fail(st, err, errlen, "cannot write samples");
}

/* Insert an audit row inside the current transaction. */
static int audit_row(struct store *st, const char *staff, const char *action, int bed,
                     const char *detail, int64_t t)
{
    sqlite3_stmt *s = st->st[S_AUDIT];
    sqlite3_bind_int64(s, 1, t);
    sqlite3_bind_text(s, 2, staff && *staff ? staff : "system", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, action, -1, SQLITE_TRANSIENT);
    if (bed >= 0)
        sqlite3_bind_int(s, 4, bed);
    else
        sqlite3_bind_null(s, 4);
    bind_text(s, 5, detail);
    return step_done(s);
}

/* A staff id (or prescriber) for a command: required, sanitised, bounded. */
static int clean_staff(char *dst, size_t n, const char *staff, const char *field, char *err,
                       size_t errlen)
{
    return clean_text(dst, n, staff, false, true, field, err, errlen);
}

/* Does the bed exist in the beds table? */
static bool bed_exists(struct store *st, int bed)
{
    sqlite3_stmt *s = st->st[S_BED_EXISTS];
    sqlite3_bind_int(s, 1, bed);
    bool yes = sqlite3_step(s) == SQLITE_ROW;
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return yes;
}

/* Open admission on a bed (0 none, -1 on a database error). */
static int64_t open_admission(struct store *st, int bed)
{
    sqlite3_stmt *s = st->st[S_OPEN_ADM];
    sqlite3_bind_int(s, 1, bed);
    int rc = sqlite3_step(s);
    int64_t id = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : rc == SQLITE_DONE ? 0 : -1;
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return id;
}

/* Run one bound command statement plus its audit row in a transaction.
 * must_change: refuse (roll back) when no row matched. *rowid gets the
 * command row's id (before the audit row is inserted). */
static int command(struct store *st, sqlite3_stmt *s, bool must_change, const char *nochange,
                   const char *staff, const char *action, int bed, const char *detail, int64_t t,
                   int64_t *rowid, char *err, size_t errlen)
{
    if (begin(st, err, errlen, action) < 0) {
        sqlite3_clear_bindings(s);
        return -1;
    }
    if (step_done(s) < 0)
        return fail(st, err, errlen, action);
    if (must_change && sqlite3_changes(st->db) == 0) {
        rollback(st);
        return ww_err(err, errlen, "%s: %s", action, nochange);
    }
    if (rowid)
        *rowid = sqlite3_last_insert_rowid(st->db);
    if (audit_row(st, staff, action, bed, detail, t) < 0)
        return fail(st, err, errlen, action);
    return commit(st, err, errlen, action);
}

/* Admit a patient to a bed that has no open admission. */
int store_admit(struct store *st, int bed, const char *patient_ref, const char *note,
                const char *staff, int64_t t, int64_t *admission_id, char *err, size_t errlen)
{
    char ref[STORE_REF_MAX + 1], clean[STORE_ADMISSION_NOTE_MAX + 1], who[STORE_STAFF_MAX + 1];
    if (clean_text(ref, sizeof ref, patient_ref, false, true, "patient reference", err, errlen) <
            0 ||
        clean_text(clean, sizeof clean, note, true, false, "admission note", err, errlen) < 0 ||
        clean_staff(who, sizeof who, staff, "staff id", err, errlen) < 0)
        return -1;
    if (!bed_exists(st, bed))
        return ww_err(err, errlen, "admit: bed %d is not in the ward's bed list", bed);
    int64_t open = open_admission(st, bed);
    if (open < 0)
        return db_err(st, err, errlen, "admit");
    if (open > 0)
        return ww_err(err, errlen, "admit: bed %d already has an open admission (%lld)", bed,
                      (long long)open);
    sqlite3_stmt *s = st->st[S_ADMIT];
    sqlite3_bind_int(s, 1, bed);
    sqlite3_bind_text(s, 2, ref, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 3, t);
    sqlite3_bind_text(s, 4, who, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 5, clean, -1, SQLITE_TRANSIENT);
    int64_t id = 0;
    if (command(st, s, false, NULL, who, "admit", bed, ref, t, &id, err, errlen) < 0)
        return -1;
    if (admission_id)
        *admission_id = id;
    return 0;
}

/* Discharge an open admission. */
int store_discharge(struct store *st, int64_t admission_id, int bed, const char *staff, int64_t t,
                    char *err, size_t errlen)
{
    char who[STORE_STAFF_MAX + 1], detail[48];
    if (clean_staff(who, sizeof who, staff, "staff id", err, errlen) < 0)
        return -1;
    snprintf(detail, sizeof detail, "admission %lld", (long long)admission_id);
    sqlite3_stmt *s = st->st[S_DISCHARGE];
    sqlite3_bind_int64(s, 1, admission_id);
    sqlite3_bind_int64(s, 2, t);
    sqlite3_bind_text(s, 3, who, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(s, 4, bed);
    return command(st, s, true, "no open admission with this id on this bed", who, "discharge",
                   bed, detail, t, NULL, err, errlen);
}

/* Scale 2 on (with its prescriber) or off. */
int store_set_scale2(struct store *st, int64_t admission_id, int bed, bool on,
                     const char *prescriber, const char *staff, int64_t t, char *err,
                     size_t errlen)
{
    char who[STORE_STAFF_MAX + 1], by[STORE_STAFF_MAX + 1], detail[96];
    if (clean_staff(who, sizeof who, staff, "staff id", err, errlen) < 0 ||
        clean_text(by, sizeof by, prescriber, false, on, "prescriber", err, errlen) < 0)
        return -1;
    snprintf(detail, sizeof detail, "SpO2 scale %d%s%s", on ? 2 : 1, by[0] ? " prescribed by " : "",
             by);
    sqlite3_stmt *s = st->st[S_SCALE2];
    sqlite3_bind_int64(s, 1, admission_id);
    sqlite3_bind_int(s, 2, on);
    bind_text(s, 3, by);
    sqlite3_bind_int64(s, 4, t);
    sqlite3_bind_int(s, 5, bed);
    return command(st, s, true, "no open admission with this id on this bed", who, "scale2", bed,
                   detail, t, NULL, err, errlen);
}

/* Check one low/high pair of limits. */
static int check_pair(const char *name, double lo, double hi, char *err, size_t errlen)
{
    if (!isfinite(lo) || !isfinite(hi) || lo < 0 || hi > 1000)
        return ww_err(err, errlen, "limits: %s limits %g-%g are not numbers in 0-1000", name, lo,
                      hi);
    if (lo >= hi)
        return ww_err(err, errlen, "limits: %s low limit %g is not below the high limit %g", name,
                      lo, hi);
    return 0;
}

/* Individual limits, with the reason. */
int store_set_limits(struct store *st, int64_t admission_id, int bed, double rr_low,
                     double rr_high, double hr_low, double hr_high, const char *reason,
                     const char *staff, int64_t t, char *err, size_t errlen)
{
    char clean[STORE_REASON_MAX + 1], who[STORE_STAFF_MAX + 1], detail[STORE_REASON_MAX + 80];
    if (check_pair("RR", rr_low, rr_high, err, errlen) < 0 ||
        check_pair("HR", hr_low, hr_high, err, errlen) < 0 ||
        clean_text(clean, sizeof clean, reason, false, true, "limits reason", err, errlen) < 0 ||
        clean_staff(who, sizeof who, staff, "staff id", err, errlen) < 0)
        return -1;
    snprintf(detail, sizeof detail, "RR %g-%g HR %g-%g: %s", rr_low, rr_high, hr_low, hr_high,
             clean);
    sqlite3_stmt *s = st->st[S_LIMITS];
    sqlite3_bind_int64(s, 1, admission_id);
    sqlite3_bind_double(s, 2, rr_low);
    sqlite3_bind_double(s, 3, rr_high);
    sqlite3_bind_double(s, 4, hr_low);
    sqlite3_bind_double(s, 5, hr_high);
    sqlite3_bind_text(s, 6, clean, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 7, who, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(s, 8, bed);
    return command(st, s, true, "no open admission with this id on this bed", who, "limits", bed,
                   detail, t, NULL, err, errlen);
}

/* The observation parameters the store accepts. */
static const char *const obs_params[] = {"rr", "spo2", "o2", "sbp", "hr", "acvpu", "temp", "scale"};

/* Observation entered by staff. */
int store_add_observation(struct store *st, int64_t admission_id, int bed, const char *param,
                          double value, const char *staff, int64_t t, char *err, size_t errlen)
{
    char who[STORE_STAFF_MAX + 1], detail[64];
    bool known = false;
    for (size_t i = 0; param && i < WW_ARRAY_LEN(obs_params); i++)
        known |= !strcmp(param, obs_params[i]);
    if (!known)
        return ww_err(err, errlen,
                      "observation: unknown parameter '%.16s' (accepted: rr spo2 o2 sbp hr "
                      "acvpu temp scale)",
                      param ? param : "");
    if (!isfinite(value))
        return ww_err(err, errlen, "observation: %s value is not a number", param);
    if (clean_staff(who, sizeof who, staff, "staff id", err, errlen) < 0)
        return -1;
    snprintf(detail, sizeof detail, "%s=%g", param, value);
    sqlite3_stmt *s = st->st[S_OBS];
    bind_id(s, 1, admission_id);
    sqlite3_bind_int(s, 2, bed);
    sqlite3_bind_text(s, 3, param, -1, SQLITE_TRANSIENT);
    sqlite3_bind_double(s, 4, value);
    sqlite3_bind_text(s, 5, who, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 6, t);
    return command(st, s, false, NULL, who, "observation", bed, detail, t, NULL, err, errlen);
}

/* A whole set of observations in one transaction: every row and its audit
 * row, or none. */
int store_add_observations(struct store *st, int64_t admission_id, int bed,
                           const char *const *params, const double *values, size_t n,
                           const char *staff, int64_t t, char *err, size_t errlen)
{
    char who[STORE_STAFF_MAX + 1], detail[64];
    if (n == 0)
        return ww_err(err, errlen, "observation set: no values");
    for (size_t k = 0; k < n; k++) {
        bool known = false;
        for (size_t i = 0; params[k] && i < WW_ARRAY_LEN(obs_params); i++)
            known |= !strcmp(params[k], obs_params[i]);
        if (!known)
            return ww_err(err, errlen, "observation: unknown parameter '%.16s'",
                          params[k] ? params[k] : "");
        if (!isfinite(values[k]))
            return ww_err(err, errlen, "observation: %s value is not a number", params[k]);
    }
    if (clean_staff(who, sizeof who, staff, "staff id", err, errlen) < 0)
        return -1;
    if (begin(st, err, errlen, "observation") < 0)
        return -1;
    for (size_t k = 0; k < n; k++) {
        sqlite3_stmt *s = st->st[S_OBS];
        bind_id(s, 1, admission_id);
        sqlite3_bind_int(s, 2, bed);
        sqlite3_bind_text(s, 3, params[k], -1, SQLITE_TRANSIENT);
        sqlite3_bind_double(s, 4, values[k]);
        sqlite3_bind_text(s, 5, who, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(s, 6, t);
        if (step_done(s) < 0)
            return fail(st, err, errlen, "observation");
        snprintf(detail, sizeof detail, "%s=%g", params[k], values[k]);
        if (audit_row(st, who, "observation", bed, detail, t) < 0)
            return fail(st, err, errlen, "observation");
    }
    return commit(st, err, errlen, "observation");
}

/* Does an alarm exist? Fills its bed and condition when it does. */
static bool alarm_info(struct store *st, int64_t id, int *bed, char *cond, size_t n)
{
    sqlite3_stmt *q = st->st[S_ALARM_INFO];
    sqlite3_bind_int64(q, 1, id);
    bool yes = sqlite3_step(q) == SQLITE_ROW;
    if (yes) {
        if (bed)
            *bed = sqlite3_column_int(q, 0);
        if (cond)
            col_text(q, 1, cond, n);
    }
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    return yes;
}

/* Nursing note, optionally on an alarm. */
int store_add_note(struct store *st, int bed, int64_t admission_id, int64_t alarm_id,
                   const char *text, const char *staff, int64_t t, int64_t *note_id, char *err,
                   size_t errlen)
{
    char clean[STORE_NOTE_MAX + 1], who[STORE_STAFF_MAX + 1], detail[64];
    if (clean_text(clean, sizeof clean, text, true, true, "note text", err, errlen) < 0 ||
        clean_staff(who, sizeof who, staff, "staff id", err, errlen) < 0)
        return -1;
    if (alarm_id < 0) {
        /* An alarm raised during an outage: its provisional id. */
        int64_t given = alarm_id;
        if (drain_alarm_ops(st, err, errlen) < 0)
            return -1;
        alarm_id = real_alarm_id(st, given);
        if (!alarm_id)
            return ww_err(err, errlen, "note: no alarm %lld", (long long)given);
    }
    if (alarm_id > 0 && !alarm_info(st, alarm_id, NULL, NULL, 0))
        return ww_err(err, errlen, "note: no alarm %lld", (long long)alarm_id);
    sqlite3_stmt *s = st->st[S_NOTE];
    sqlite3_bind_int(s, 1, bed);
    bind_id(s, 2, admission_id);
    bind_id(s, 3, alarm_id);
    sqlite3_bind_int64(s, 4, t);
    sqlite3_bind_text(s, 5, who, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 6, clean, -1, SQLITE_TRANSIENT);
    if (alarm_id > 0)
        snprintf(detail, sizeof detail, "note on alarm %lld", (long long)alarm_id);
    else
        snprintf(detail, sizeof detail, "note");
    int64_t id = 0;
    if (command(st, s, false, NULL, who, "note", bed, detail, t, &id, err, errlen) < 0)
        return -1;
    if (note_id)
        *note_id = id;
    return 0;
}

/* Is s one of the names in list? */
static bool one_of(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; s && i < n; i++)
        if (!strcmp(s, list[i]))
            return true;
    return false;
}

/* The alarm row and its "raised" event inside the open transaction. */
static int raise_rows(struct store *st, int bed, const char *condition, const char *priority,
                      int64_t t, int64_t *id)
{
    sqlite3_stmt *s = st->st[S_ALARM_RAISE];
    sqlite3_bind_int(s, 1, bed);
    sqlite3_bind_text(s, 2, condition, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, priority, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 4, t);
    if (step_done(s) < 0)
        return -1;
    *id = sqlite3_last_insert_rowid(st->db);
    sqlite3_stmt *e = st->st[S_ALARM_EVENT];
    sqlite3_bind_int64(e, 1, *id);
    sqlite3_bind_int64(e, 2, t);
    sqlite3_bind_text(e, 3, "raised", -1, SQLITE_STATIC);
    sqlite3_bind_null(e, 4);
    if (step_done(e) < 0)
        return -1;
    return outbox_alarm(st, *id, sqlite3_last_insert_rowid(st->db), bed, condition, priority,
                        "raised", "active", "", t);
}

/* A transition's row update, event and (with a staff id) audit row inside
 * the open transaction. */
static int event_rows(struct store *st, int64_t alarm_id, const char *event, const char *state,
                      const char *who, int bed, const char *cond, int64_t t)
{
    sqlite3_stmt *u = st->st[S_ALARM_UPDATE];
    sqlite3_bind_int64(u, 1, alarm_id);
    sqlite3_bind_text(u, 2, state, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(u, 3, event, -1, SQLITE_TRANSIENT);
    bind_text(u, 4, who);
    sqlite3_bind_int64(u, 5, t);
    if (step_done(u) < 0)
        return -1;
    sqlite3_stmt *e = st->st[S_ALARM_EVENT];
    sqlite3_bind_int64(e, 1, alarm_id);
    sqlite3_bind_int64(e, 2, t);
    sqlite3_bind_text(e, 3, event, -1, SQLITE_TRANSIENT);
    bind_text(e, 4, who);
    if (step_done(e) < 0)
        return -1;
    int64_t event_id = sqlite3_last_insert_rowid(st->db);
    if (who[0]) {
        char detail[96], action[32];
        snprintf(detail, sizeof detail, "alarm %lld %s", (long long)alarm_id, cond);
        snprintf(action, sizeof action, "alarm-%s", event);
        if (audit_row(st, who, action, bed, detail, t) < 0)
            return -1;
    }
    return outbox_alarm(st, alarm_id, event_id, bed, cond, NULL, event, state, who, t);
}

/* The stored id of an alarm the ward knows by a provisional (negative) id;
 * 0 while its raise is still queued. */
static int64_t real_alarm_id(const struct store *st, int64_t id)
{
    if (id > 0)
        return id;
    for (size_t i = st->nmap; i-- > 0;)
        if (st->idmap[i].local == id)
            return st->idmap[i].real;
    return 0;
}

/* Remember local -> real; the oldest half goes when the table is full
 * (alarms raised during an outage long ago, long since ended). */
static void map_alarm_id(struct store *st, int64_t local, int64_t real)
{
    if (st->nmap == IDMAP_CAP) {
        memmove(st->idmap, st->idmap + IDMAP_CAP / 2, IDMAP_CAP / 2 * sizeof *st->idmap);
        st->nmap = IDMAP_CAP / 2;
    }
    st->idmap[st->nmap].local = local;
    st->idmap[st->nmap].real = real;
    st->nmap++;
}

/* Queue an automatic alarm transition the database did not take now. */
static bool queue_alarm_op(struct store *st, const struct alarm_op *op)
{
    void *arr = st->aops;
    bool ok = make_room(st, &arr, &st->capaops, st->naops, sizeof *st->aops);
    st->aops = arr;
    if (!ok)
        return false;
    st->aops[st->naops++] = *op;
    st->stats.queued++;
    return true;
}

/* Write the queued alarm transitions, in order, inside the open
 * transaction. New id mappings are kept only if the caller commits
 * (*nmap_before restores them otherwise). */
static int put_alarm_ops(struct store *st)
{
    for (size_t i = 0; i < st->naops; i++) {
        const struct alarm_op *op = &st->aops[i];
        if (op->raise) {
            int64_t id;
            if (raise_rows(st, op->bed, op->condition, op->priority, op->t, &id) < 0)
                return -1;
            map_alarm_id(st, op->id, id);
            continue;
        }
        int64_t id = real_alarm_id(st, op->id);
        int bed = -1;
        char cond[32] = "";
        if (!id || !alarm_info(st, id, &bed, cond, sizeof cond)) {
            st->stats.lost_rows++; /* its raise is gone: nothing to attach it to */
            continue;
        }
        if (event_rows(st, id, op->event, op->state, op->staff, bed, cond, op->t) < 0)
            return -1;
    }
    return 0;
}

/* Write queued alarm transitions now, in their own transaction. */
static int drain_alarm_ops(struct store *st, char *err, size_t errlen)
{
    if (!st->naops)
        return 0;
    size_t nmap = st->nmap;
    if (begin(st, err, errlen, "alarm") < 0)
        return -1;
    if (put_alarm_ops(st) < 0) {
        st->nmap = nmap;
        return fail(st, err, errlen, "alarm");
    }
    if (commit(st, err, errlen, "alarm") < 0) {
        st->nmap = nmap;
        return -1;
    }
    st->stats.flushed += st->naops;
    st->naops = 0;
    return 0;
}

/* Raise: the alarm row and its "raised" event. When the database cannot
 * take it now (full, read-only, locked), the raise is queued under a
 * provisional negative id and written by the next successful flush: an
 * alarm of the machine is never lost to a store outage. */
int store_alarm_raise(struct store *st, int bed, const char *condition, const char *priority,
                      int64_t t, int64_t *alarm_id, char *err, size_t errlen)
{
    if (!condition || !*condition || strlen(condition) >= 32)
        return ww_err(err, errlen, "alarm: condition name missing or too long");
    if (!priority || !*priority || strlen(priority) >= 8)
        return ww_err(err, errlen, "alarm: priority missing or too long");
    int64_t id = 0;
    /* Queued transitions go first, so the record keeps their order. */
    if (drain_alarm_ops(st, err, errlen) == 0 && begin(st, err, errlen, "alarm") == 0) {
        if (raise_rows(st, bed, condition, priority, t, &id) < 0)
            fail(st, err, errlen, "alarm");
        else if (commit(st, err, errlen, "alarm") == 0) {
            *alarm_id = id;
            return 0;
        }
    }
    struct alarm_op op = {.id = st->next_local_id--, .raise = true, .bed = bed, .t = t};
    ww_strlcpy(op.condition, condition, sizeof op.condition);
    ww_strlcpy(op.priority, priority, sizeof op.priority);
    st->healthy = false;
    if (!queue_alarm_op(st, &op))
        return -1;
    *alarm_id = op.id;
    return 0;
}

static const char *const alarm_events[] = {"raised", "acknowledged", "realerted", "escalated",
                                           "ended",  "latched",      "reset",     "superseded"};
static const char *const alarm_states[] = {"active", "acknowledged", "latched", "ended", "reset"};

/* Alarm transition: row update, event, and audit when a person did it. A
 * person's transition (with a staff id) is confirmed only once committed;
 * the machine's own (no staff id) are queued like a raise when the database
 * cannot take them now. */
int store_alarm_event(struct store *st, int64_t alarm_id, const char *event, const char *state,
                      const char *staff, int64_t t, char *err, size_t errlen)
{
    char who[STORE_STAFF_MAX + 1] = "";
    if (!one_of(event, alarm_events, WW_ARRAY_LEN(alarm_events)))
        return ww_err(err, errlen,
                      "alarm %lld: unknown event '%.16s' (accepted: raised acknowledged "
                      "realerted escalated ended latched reset superseded)",
                      (long long)alarm_id, event ? event : "");
    if (!one_of(state, alarm_states, WW_ARRAY_LEN(alarm_states)))
        return ww_err(err, errlen,
                      "alarm %lld: unknown state '%.16s' (accepted: active acknowledged latched "
                      "ended reset)",
                      (long long)alarm_id, state ? state : "");
    bool personal = !strcmp(event, "acknowledged") || !strcmp(event, "reset");
    if (clean_text(who, sizeof who, staff, false, personal, "staff id", err, errlen) < 0)
        return -1;
    if (alarm_id == 0)
        return ww_err(err, errlen, "alarm: no alarm 0");
    int drained = drain_alarm_ops(st, err, errlen);
    int64_t id = real_alarm_id(st, alarm_id);
    if (drained == 0 && id) {
        int bed = -1;
        char cond[32] = "";
        if (!alarm_info(st, id, &bed, cond, sizeof cond))
            return ww_err(err, errlen, "alarm: no alarm %lld", (long long)alarm_id);
        if (begin(st, err, errlen, "alarm") == 0) {
            if (event_rows(st, id, event, state, who, bed, cond, t) < 0)
                fail(st, err, errlen, "alarm");
            else if (commit(st, err, errlen, "alarm") == 0)
                return 0;
        }
    } else if (drained == 0 && alarm_id > 0) {
        return ww_err(err, errlen, "alarm: no alarm %lld", (long long)alarm_id);
    } else if (drained == 0 && !st->naops) {
        /* A provisional id the store never issued or has forgotten. */
        return ww_err(err, errlen, "alarm: no alarm %lld", (long long)alarm_id);
    }
    /* The database cannot take it now. The machine's transitions and a
     * person's acknowledgement or reset are held in order, with who did it,
     * and written (event and audit row) by the next successful flush: a
     * nurse must be able to silence an alarm during an outage, and what
     * she did must reach the record. The caller is told it is held (1). */
    struct alarm_op op = {.id = alarm_id, .t = t};
    ww_strlcpy(op.event, event, sizeof op.event);
    ww_strlcpy(op.state, state, sizeof op.state);
    ww_strlcpy(op.staff, who, sizeof op.staff);
    st->healthy = false;
    if (!queue_alarm_op(st, &op))
        return ww_err(err, errlen, "alarm %lld: not recorded (out of memory)", (long long)alarm_id);
    if (who[0]) {
        ww_err(err, errlen,
               "the store cannot write now: %s by %s is held and will be written when the store "
               "recovers",
               event, who);
        return 1;
    }
    return 0;
}

/* Generic audit row. */
int store_audit(struct store *st, const char *staff, const char *action, int bed,
                const char *detail, int64_t t, char *err, size_t errlen)
{
    char who[STORE_STAFF_MAX + 1], act[32], det[STORE_REASON_MAX + 1];
    if (clean_text(who, sizeof who, staff, false, false, "staff id", err, errlen) < 0 ||
        clean_text(act, sizeof act, action, false, true, "audit action", err, errlen) < 0 ||
        clean_text(det, sizeof det, detail, false, false, "audit detail", err, errlen) < 0)
        return -1;
    if (begin(st, err, errlen, "audit") < 0)
        return -1;
    if (audit_row(st, who, act, bed, det, t) < 0)
        return fail(st, err, errlen, "audit");
    return commit(st, err, errlen, "audit");
}

/* End a query loop: reset the reused statement and report a failed step. */
static int finish(struct store *st, sqlite3_stmt *s, int rc, char *err, size_t errlen)
{
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    if (rc != SQLITE_DONE)
        return db_err(st, err, errlen, "cannot read the database");
    return 0;
}

/* Beds. */
int store_load_beds(struct store *st, void (*cb)(void *, const struct store_bed *), void *ctx,
                    char *err, size_t errlen)
{
    sqlite3_stmt *s = st->st[S_LOAD_BEDS];
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct store_bed b = {0};
        b.number = sqlite3_column_int(s, 0);
        col_text(s, 1, b.label, sizeof b.label);
        cb(ctx, &b);
    }
    return finish(st, s, rc, err, errlen);
}

/* Bind bed (or all), t0, t1 as ?1 ?2 ?3. */
static void bind_range(sqlite3_stmt *s, int bed, int64_t t0, int64_t t1);

/* Read an admission row (ADM_COLS). */
static void read_admission(sqlite3_stmt *s, struct store_admission *a)
{
    memset(a, 0, sizeof *a);
    a->id = sqlite3_column_int64(s, 0);
    a->bed = sqlite3_column_int(s, 1);
    col_text(s, 2, a->patient_ref, sizeof a->patient_ref);
    a->admitted_at = sqlite3_column_int64(s, 3);
    col_text(s, 4, a->admitted_by, sizeof a->admitted_by);
    col_text(s, 5, a->note, sizeof a->note);
    a->scale2 = sqlite3_column_int(s, 6) != 0;
    col_text(s, 7, a->scale2_by, sizeof a->scale2_by);
    a->scale2_at = sqlite3_column_int64(s, 8);
    a->has_limits = sqlite3_column_type(s, 9) != SQLITE_NULL;
    a->rr_low = sqlite3_column_double(s, 9);
    a->rr_high = sqlite3_column_double(s, 10);
    a->hr_low = sqlite3_column_double(s, 11);
    a->hr_high = sqlite3_column_double(s, 12);
    col_text(s, 13, a->limits_reason, sizeof a->limits_reason);
    col_text(s, 14, a->limits_by, sizeof a->limits_by);
    a->discharged_at = sqlite3_column_int64(s, 15);
}

/* Open admissions. */
int store_load_admissions(struct store *st, void (*cb)(void *, const struct store_admission *),
                          void *ctx, char *err, size_t errlen)
{
    sqlite3_stmt *s = st->st[S_LOAD_ADM];
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct store_admission a;
        read_admission(s, &a);
        cb(ctx, &a);
    }
    return finish(st, s, rc, err, errlen);
}

/* Admissions open at some time in [t0, t1), discharged ones too. */
int store_query_admissions(struct store *st, int bed, int64_t t0, int64_t t1,
                           void (*cb)(void *, const struct store_admission *), void *ctx,
                           char *err, size_t errlen)
{
    sqlite3_stmt *s = st->st[S_Q_ADM];
    bind_range(s, bed, t0, t1);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct store_admission a;
        read_admission(s, &a);
        cb(ctx, &a);
    }
    return finish(st, s, rc, err, errlen);
}

/* Read an alarm row (ALARM_COLS). */
static void read_alarm(sqlite3_stmt *s, struct store_alarm *a)
{
    memset(a, 0, sizeof *a);
    a->id = sqlite3_column_int64(s, 0);
    a->bed = sqlite3_column_int(s, 1);
    col_text(s, 2, a->condition, sizeof a->condition);
    col_text(s, 3, a->priority, sizeof a->priority);
    a->raised_at = sqlite3_column_int64(s, 4);
    col_text(s, 5, a->state, sizeof a->state);
    col_text(s, 6, a->acked_by, sizeof a->acked_by);
    a->acked_at = sqlite3_column_int64(s, 7);
    a->ended_at = sqlite3_column_int64(s, 8);
    col_text(s, 9, a->reset_by, sizeof a->reset_by);
    a->reset_at = sqlite3_column_int64(s, 10);
    a->escalated = sqlite3_column_int(s, 11) != 0;
    a->last_alert_at = sqlite3_column_int64(s, 12);
    a->latched = sqlite3_column_int(s, 13) != 0;
}

/* Alarms still shown (active, acknowledged, latched). */
int store_load_open_alarms(struct store *st, void (*cb)(void *, const struct store_alarm *),
                           void *ctx, char *err, size_t errlen)
{
    sqlite3_stmt *s = st->st[S_LOAD_ALARMS];
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct store_alarm a;
        read_alarm(s, &a);
        cb(ctx, &a);
    }
    return finish(st, s, rc, err, errlen);
}

/* Alarms shown at some time in [t0, t1), in the order raised. */
int store_query_alarms(struct store *st, int bed, int64_t t0, int64_t t1,
                       void (*cb)(void *, const struct store_alarm *), void *ctx, char *err,
                       size_t errlen)
{
    sqlite3_stmt *s = st->st[S_Q_ALARMS];
    bind_range(s, bed, t0, t1);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct store_alarm a;
        read_alarm(s, &a);
        cb(ctx, &a);
    }
    return finish(st, s, rc, err, errlen);
}

/* Read an observation row (OBS_COLS). */
static void read_obs(sqlite3_stmt *s, struct store_observation *o)
{
    memset(o, 0, sizeof *o);
    o->id = sqlite3_column_int64(s, 0);
    o->admission = sqlite3_column_int64(s, 1);
    o->bed = sqlite3_column_int(s, 2);
    col_text(s, 3, o->param, sizeof o->param);
    o->value = sqlite3_column_double(s, 4);
    col_text(s, 5, o->by, sizeof o->by);
    o->t = sqlite3_column_int64(s, 6);
}

/* Latest value of each parameter. */
int store_load_latest_observations(struct store *st, int64_t admission_id,
                                   void (*cb)(void *, const struct store_observation *),
                                   void *ctx, char *err, size_t errlen)
{
    sqlite3_stmt *s = st->st[S_LOAD_LATEST];
    sqlite3_bind_int64(s, 1, admission_id);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct store_observation o;
        read_obs(s, &o);
        cb(ctx, &o);
    }
    return finish(st, s, rc, err, errlen);
}

/* Bind bed (or all), t0, t1 as ?1 ?2 ?3. */
static void bind_range(sqlite3_stmt *s, int bed, int64_t t0, int64_t t1)
{
    sqlite3_bind_int(s, 1, bed);
    sqlite3_bind_int64(s, 2, t0);
    sqlite3_bind_int64(s, 3, t1);
}

/* Tenths column as a rate, NaN when NULL. */
static float col_tenths(sqlite3_stmt *s, int i)
{
    return sqlite3_column_type(s, i) == SQLITE_NULL ? NAN : (float)sqlite3_column_int(s, i) / 10.0f;
}

/* Samples in a range: per-second rows, then per-minute medians where the
 * per-second ones were pruned. */
int store_query_samples(struct store *st, int bed, int64_t t0, int64_t t1,
                        void (*cb)(void *, const struct store_sample *), void *ctx, char *err,
                        size_t errlen)
{
    sqlite3_stmt *s = st->st[bed >= 0 ? S_Q_SAMPLES_BED : S_Q_SAMPLES];
    bind_range(s, bed, t0, t1);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct store_sample r;
        r.bed = sqlite3_column_int(s, 0);
        r.t = sqlite3_column_int64(s, 1);
        r.rr = col_tenths(s, 2);
        r.hr = col_tenths(s, 3);
        r.quality = sqlite3_column_type(s, 4) == SQLITE_NULL
                        ? NAN
                        : (float)sqlite3_column_int(s, 4) / 100.0f;
        r.flags = (unsigned)sqlite3_column_int(s, 5);
        cb(ctx, &r);
    }
    return finish(st, s, rc, err, errlen);
}

/* Scores in a range. */
int store_query_scores(struct store *st, int bed, int64_t t0, int64_t t1,
                       void (*cb)(void *, const struct store_score *), void *ctx, char *err,
                       size_t errlen)
{
    sqlite3_stmt *s = st->st[bed >= 0 ? S_Q_SCORES_BED : S_Q_SCORES];
    bind_range(s, bed, t0, t1);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct store_score r;
        r.bed = sqlite3_column_int(s, 0);
        r.t = sqlite3_column_int64(s, 1);
        r.total = sqlite3_column_int(s, 2);
        for (int p = 0; p < 7; p++)
            r.parts[p] =
                sqlite3_column_type(s, 3 + p) == SQLITE_NULL ? -1 : sqlite3_column_int(s, 3 + p);
        r.band = sqlite3_column_int(s, 10);
        r.partial_mask = (unsigned)sqlite3_column_int(s, 11);
        cb(ctx, &r);
    }
    return finish(st, s, rc, err, errlen);
}

/* Observations in a range. */
int store_query_observations(struct store *st, int bed, int64_t t0, int64_t t1,
                             void (*cb)(void *, const struct store_observation *), void *ctx,
                             char *err, size_t errlen)
{
    sqlite3_stmt *s = st->st[bed >= 0 ? S_Q_OBS_BED : S_Q_OBS];
    bind_range(s, bed, t0, t1);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct store_observation o;
        read_obs(s, &o);
        cb(ctx, &o);
    }
    return finish(st, s, rc, err, errlen);
}

/* Step a bound note query (id, bed, alarm, t, staff, text) to its end. */
static int run_notes(struct store *st, sqlite3_stmt *s,
                     void (*cb)(void *, const struct store_note *), void *ctx, char *err,
                     size_t errlen)
{
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct store_note n = {0};
        n.id = sqlite3_column_int64(s, 0);
        n.bed = sqlite3_column_int(s, 1);
        n.alarm_id = sqlite3_column_int64(s, 2);
        n.t = sqlite3_column_int64(s, 3);
        col_text(s, 4, n.by, sizeof n.by);
        col_text(s, 5, n.text, sizeof n.text);
        cb(ctx, &n);
    }
    return finish(st, s, rc, err, errlen);
}

/* Step a bound alarm-event query to its end. */
static int run_alarm_events(struct store *st, sqlite3_stmt *s,
                            void (*cb)(void *, const struct store_alarm_event *), void *ctx,
                            char *err, size_t errlen)
{
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct store_alarm_event e = {0};
        e.alarm_id = sqlite3_column_int64(s, 0);
        e.bed = sqlite3_column_int(s, 1);
        col_text(s, 2, e.condition, sizeof e.condition);
        col_text(s, 3, e.priority, sizeof e.priority);
        e.t = sqlite3_column_int64(s, 4);
        col_text(s, 5, e.event, sizeof e.event);
        col_text(s, 6, e.staff, sizeof e.staff);
        cb(ctx, &e);
    }
    return finish(st, s, rc, err, errlen);
}

/* Notes in a range. */
int store_query_notes(struct store *st, int bed, int64_t t0, int64_t t1,
                      void (*cb)(void *, const struct store_note *), void *ctx, char *err,
                      size_t errlen)
{
    sqlite3_stmt *s = st->st[bed >= 0 ? S_Q_NOTES_BED : S_Q_NOTES];
    bind_range(s, bed, t0, t1);
    return run_notes(st, s, cb, ctx, err, errlen);
}

/* Alarm events in a range (the alarm log). */
int store_query_alarm_events(struct store *st, int bed, int64_t t0, int64_t t1,
                             void (*cb)(void *, const struct store_alarm_event *), void *ctx,
                             char *err, size_t errlen)
{
    sqlite3_stmt *s = st->st[S_Q_ALARM_EV];
    bind_range(s, bed, t0, t1);
    return run_alarm_events(st, s, cb, ctx, err, errlen);
}

/* The stay a bed is in now. */
int store_current_stay(struct store *st, int bed, struct store_stay *out, char *err,
                       size_t errlen)
{
    sqlite3_stmt *s = st->st[S_Q_STAY];
    memset(out, 0, sizeof *out);
    out->bed = bed;
    sqlite3_bind_int(s, 1, bed);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        out->admission = sqlite3_column_int64(s, 0);
        out->since = sqlite3_column_int64(s, 1); /* NULL (never discharged): 0 */
        rc = sqlite3_step(s);
    }
    return finish(st, s, rc, err, errlen);
}

/* Bind a stay and a range for the S_Q_STAY_* statements. */
static void bind_stay(sqlite3_stmt *s, const struct store_stay *stay, int64_t t0, int64_t t1)
{
    bind_range(s, stay->bed, t0, t1);
    bind_id(s, 4, stay->admission);
    sqlite3_bind_int64(s, 5, stay->since);
}

int store_query_stay_observations(struct store *st, const struct store_stay *stay, int64_t t0,
                                  int64_t t1, void (*cb)(void *, const struct store_observation *),
                                  void *ctx, char *err, size_t errlen)
{
    sqlite3_stmt *s = st->st[S_Q_STAY_OBS];
    bind_stay(s, stay, t0, t1);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct store_observation o;
        read_obs(s, &o);
        cb(ctx, &o);
    }
    return finish(st, s, rc, err, errlen);
}

int store_query_stay_notes(struct store *st, const struct store_stay *stay, int64_t t0,
                           int64_t t1, void (*cb)(void *, const struct store_note *), void *ctx,
                           char *err, size_t errlen)
{
    sqlite3_stmt *s = st->st[S_Q_STAY_NOTES];
    bind_stay(s, stay, t0, t1);
    return run_notes(st, s, cb, ctx, err, errlen);
}

int store_query_stay_alarm_events(struct store *st, const struct store_stay *stay, int64_t t0,
                                  int64_t t1, void (*cb)(void *, const struct store_alarm_event *),
                                  void *ctx, char *err, size_t errlen)
{
    sqlite3_stmt *s = st->st[S_Q_STAY_ALARM_EV];
    bind_stay(s, stay, t0, t1);
    return run_alarm_events(st, s, cb, ctx, err, errlen);
}

/* qsort order for ints. */
static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* Bind min/median/max of n values (sorted in place) at i, i+1, i+2. */
static void bind_summary(sqlite3_stmt *s, int i, int *v, int n)
{
    if (n == 0) {
        for (int k = 0; k < 3; k++)
            sqlite3_bind_null(s, i + k);
        return;
    }
    qsort(v, (size_t)n, sizeof *v, cmp_int);
    /* Lower median for an even count: always a value that was measured. */
    sqlite3_bind_int(s, i, v[0]);
    sqlite3_bind_int(s, i + 1, v[(n - 1) / 2]);
    sqlite3_bind_int(s, i + 2, v[n - 1]);
}

/* Fold one bed-minute into samples_minute and delete its rows; returns the
 * rows deleted or -1. */
static long fold_minute(struct store *st, int bed, int64_t m)
{
    sqlite3_stmt *r = st->st[S_DS_ROWS];
    int nrr = 0, nhr = 0, n = 0, rc;
    sqlite3_bind_int(r, 1, bed);
    sqlite3_bind_int64(r, 2, m * 60000);
    sqlite3_bind_int64(r, 3, (m + 1) * 60000);
    /* Per-second rows: 60 a minute; the scratch holds far more. */
    while ((rc = sqlite3_step(r)) == SQLITE_ROW) {
        if (sqlite3_column_type(r, 0) != SQLITE_NULL && nrr < DS_SCRATCH)
            st->ds_rr[nrr++] = sqlite3_column_int(r, 0);
        if (sqlite3_column_type(r, 1) != SQLITE_NULL && nhr < DS_SCRATCH)
            st->ds_hr[nhr++] = sqlite3_column_int(r, 1);
        n++;
    }
    sqlite3_reset(r);
    sqlite3_clear_bindings(r);
    if (rc != SQLITE_DONE)
        return -1;
    sqlite3_stmt *p = st->st[S_DS_PUT];
    sqlite3_bind_int(p, 1, bed);
    sqlite3_bind_int64(p, 2, m);
    bind_summary(p, 3, st->ds_rr, nrr);
    bind_summary(p, 6, st->ds_hr, nhr);
    sqlite3_bind_int(p, 9, n);
    if (step_done(p) < 0)
        return -1;
    sqlite3_stmt *d = st->st[S_DS_DELETE];
    sqlite3_bind_int(d, 1, bed);
    sqlite3_bind_int64(d, 2, m * 60000);
    sqlite3_bind_int64(d, 3, (m + 1) * 60000);
    if (step_done(d) < 0)
        return -1;
    return sqlite3_changes(st->db);
}

/* Downsample and prune old per-second samples in small batches: about
 * max_rows rows (max_rows/60 bed-minutes, at least one) per call, in one
 * transaction, oldest minute of each bed first. Each step finds a bed's
 * oldest sample through the (bed, t) key, so a large table costs no scan. */
long store_downsample_and_prune(struct store *st, int64_t older_than_ms, int max_rows, char *err,
                                size_t errlen)
{
    if (max_rows <= 0)
        return ww_err(err, errlen, "retention: max_rows %d must be positive", max_rows);
    if (older_than_ms < 0)
        return ww_err(err, errlen, "retention: cutoff %lld is before 1970",
                      (long long)older_than_ms);
    int64_t cut = older_than_ms / 60000 * 60000; /* whole minutes only */
    int budget = max_rows / 60 > 0 ? max_rows / 60 : 1;
    enum { MAX_GROUPS = 256 };
    struct {
        int bed;
        int64_t m;
    } todo[MAX_GROUPS];
    long removed = 0;
    if (begin(st, err, errlen, "retention") < 0)
        return -1;
    while (budget > 0) {
        int ntodo = 0, rc;
        /* Collect first: the deletes must not run under the open scan. */
        sqlite3_stmt *g = st->st[S_DS_GROUPS];
        sqlite3_bind_int64(g, 1, cut);
        sqlite3_bind_int(g, 2, budget < MAX_GROUPS ? budget : MAX_GROUPS);
        while ((rc = sqlite3_step(g)) == SQLITE_ROW && ntodo < MAX_GROUPS) {
            todo[ntodo].bed = sqlite3_column_int(g, 0);
            todo[ntodo].m = sqlite3_column_int64(g, 1) / 60000;
            ntodo++;
        }
        sqlite3_reset(g);
        sqlite3_clear_bindings(g);
        if (rc != SQLITE_DONE && rc != SQLITE_ROW)
            return fail(st, err, errlen, "retention");
        if (ntodo == 0)
            break;
        for (int i = 0; i < ntodo; i++) {
            long k = fold_minute(st, todo[i].bed, todo[i].m);
            if (k < 0)
                return fail(st, err, errlen, "retention");
            removed += k;
        }
        budget -= ntodo;
    }
    if (commit(st, err, errlen, "retention") < 0)
        return -1;
    return removed;
}

/* Summarise the per-second rows after each bed's last summarised minute:
 * the minute a crash or a stop left open (a few dozen rows), or everything
 * kept before schema version 5 (a one-time pass on upgrade). Read in chunks,
 * the minutes written as they collect so the queue stays small. */
long store_recover_minutes(struct store *st, char *err, size_t errlen)
{
    if (st->limited)
        return ww_err(err, errlen, "%s: opened below the current schema version", st->path);
    int beds[MAX_ACC_BEDS], nbeds = 0, rc;
    sqlite3_stmt *b = st->st[S_LOAD_BEDS];
    while ((rc = sqlite3_step(b)) == SQLITE_ROW)
        if (nbeds < MAX_ACC_BEDS)
            beds[nbeds++] = sqlite3_column_int(b, 0);
    if (finish(st, b, rc, err, errlen) < 0)
        return -1;
    long minutes = 0;
    enum { CHUNK = 36000 };
    for (int i = 0; i < nbeds; i++) {
        struct minute_acc *a = acc_of(st, beds[i], true);
        if (!a || a->open) /* no room; or samples queued already: live */
            continue;
        sqlite3_stmt *l = st->st[S_MIN_LAST];
        sqlite3_bind_int(l, 1, beds[i]);
        int64_t from = 0;
        if ((rc = sqlite3_step(l)) == SQLITE_ROW && sqlite3_column_type(l, 0) != SQLITE_NULL)
            from = (sqlite3_column_int64(l, 0) + 1) * 60000;
        if (rc == SQLITE_ROW)
            rc = SQLITE_DONE;
        if (finish(st, l, rc, err, errlen) < 0)
            return -1;
        for (;;) {
            size_t before = st->nmins;
            int rows = 0;
            sqlite3_stmt *q = st->st[S_MIN_TAIL];
            sqlite3_bind_int(q, 1, beds[i]);
            sqlite3_bind_int64(q, 2, from);
            sqlite3_bind_int(q, 3, CHUNK);
            while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
                int64_t t = sqlite3_column_int64(q, 0);
                bool has_rr = sqlite3_column_type(q, 1) != SQLITE_NULL;
                bool has_hr = sqlite3_column_type(q, 2) != SQLITE_NULL;
                acc_tenths(st, beds[i], t, has_rr, sqlite3_column_int(q, 1), has_hr,
                           sqlite3_column_int(q, 2));
                from = t + 1;
                rows++;
            }
            if (finish(st, q, rc, err, errlen) < 0)
                return -1;
            minutes += (long)(st->nmins - before);
            if (rows < CHUNK)
                break;
            if (store_flush(st, err, errlen) < 0)
                return -1;
        }
        if (a->open) {
            acc_close(st, beds[i], a);
            minutes++;
        }
    }
    if (store_flush(st, err, errlen) < 0)
        return -1;
    return minutes;
}

/* Per-minute summaries of one bed over [t0, t1), by minute start. */
int store_query_minutes(struct store *st, int bed, int64_t t0, int64_t t1,
                        void (*cb)(void *, const struct store_minute *), void *ctx, char *err,
                        size_t errlen)
{
    if (bed < 0)
        return ww_err(err, errlen, "per-minute summaries are read one bed at a time");
    sqlite3_stmt *s = st->st[S_Q_MINUTES_BED];
    bind_range(s, bed, t0, t1);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct store_minute m;
        m.bed = bed;
        m.t = sqlite3_column_int64(s, 0) * 60000;
        m.rr_min = col_tenths(s, 1);
        m.rr_med = col_tenths(s, 2);
        m.rr_max = col_tenths(s, 3);
        m.hr_min = col_tenths(s, 4);
        m.hr_med = col_tenths(s, 5);
        m.hr_max = col_tenths(s, 6);
        m.n = sqlite3_column_int(s, 7);
        cb(ctx, &m);
    }
    return finish(st, s, rc, err, errlen);
}

/* Set the record retention (the retention table's trigger audits a change). */
int store_set_record_days(struct store *st, int days, char *err, size_t errlen)
{
    if (days < 30 || days > 36500)
        return ww_err(err, errlen, "retention: record_days %d is not in 30-36500", days);
    if (days == st->record_days)
        return 0;
    sqlite3_bind_int(st->st[S_RET_SET], 1, days);
    if (step_done(st->st[S_RET_SET]) < 0) {
        st->healthy = false;
        return db_err(st, err, errlen, "cannot store the retention");
    }
    st->record_days = days;
    return 0;
}

/* The record retention in days. */
int store_record_days(const struct store *st)
{
    return st->record_days;
}

/* Delete up to *budget rows with one prune statement; -1 on error. */
static long prune_step(struct store *st, enum stmt_id id, int64_t cut, long *budget)
{
    if (*budget <= 0)
        return 0;
    sqlite3_stmt *s = st->st[id];
    sqlite3_bind_int64(s, 1, cut);
    sqlite3_bind_int64(s, 2, *budget);
    if (step_done(s) < 0)
        return -1;
    long n = sqlite3_changes(st->db);
    *budget -= n;
    return n;
}

/* Record retention in small batches (see store.h). */
long store_prune_record(struct store *st, int64_t now_ms, int max_rows, char *err, size_t errlen)
{
    if (max_rows <= 0)
        return ww_err(err, errlen, "retention: max_rows %d must be positive", max_rows);
    int64_t keep = (int64_t)st->record_days * 86400000LL;
    /* The triggers judge age by the database's clock: never ask for more
     * than they allow (a fast replay's ward clock runs ahead of it), and
     * keep a minute in hand for the time between here and the trigger. */
    int64_t cut = now_ms - keep;
    int64_t wall_cut = ww_now_ms() - keep - 60000;
    if (wall_cut < cut)
        cut = wall_cut;
    if (cut <= 0)
        return 0;
    static const enum stmt_id order[] = {S_PR_SCORES, S_PR_MINUTES, S_PR_SENSOR_EV,
                                         S_PR_OBS,    S_PR_NOTES,   S_PR_ALARM_EV,
                                         S_PR_ALARMS, S_PR_ADM,     S_PR_AUDIT};
    long budget = max_rows, removed = 0;
    if (begin(st, err, errlen, "retention") < 0)
        return -1;
    for (size_t i = 0; i < WW_ARRAY_LEN(order); i++) {
        long n = prune_step(st, order[i], cut, &budget);
        if (n < 0)
            return fail(st, err, errlen, "retention");
        removed += n;
    }
    st->prune_pass_rows += removed;
    /* A pass ends when a batch had room to spare: the removal is audited
     * once per pass, in the transaction of its last batch. */
    if (budget > 0 && st->prune_pass_rows > 0) {
        char detail[96];
        snprintf(detail, sizeof detail, "%ld rows older than %d days (before %lld)",
                 st->prune_pass_rows, st->record_days, (long long)cut);
        if (audit_row(st, "system", "retention-prune", -1, detail, now_ms) < 0)
            return fail(st, err, errlen, "retention");
    }
    if (commit(st, err, errlen, "retention") < 0)
        return -1;
    if (budget > 0)
        st->prune_pass_rows = 0;
    return removed;
}

/* Older name of store_downsample_and_prune. */
long store_downsample(struct store *st, int64_t cutoff_ms, int max_rows, char *err,
                      size_t errlen)
{
    return store_downsample_and_prune(st, cutoff_ms, max_rows, err, errlen);
}

/* Copy src into a new 0600 file with the backup API in one step (a single
 * read transaction, so the copy is consistent even while the ward writes). */
static int backup_db(sqlite3 *src, const char *dest, char *err, size_t errlen)
{
    if (!dest || !*dest)
        return ww_err(err, errlen, "backup: no destination file given");
    mode_t old = umask(077);
    int fd = open(dest, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        int e = errno;
        umask(old);
        if (e == EEXIST)
            return ww_err(err, errlen, "%s: already exists; a backup never overwrites a file",
                          dest);
        return ww_err(err, errlen, "%s: cannot create the backup: %s", dest, strerror(e));
    }
    close(fd);
    sqlite3 *out = NULL;
    int rc = sqlite3_open_v2(dest, &out, SQLITE_OPEN_READWRITE, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_backup *b = sqlite3_backup_init(out, "main", src, "main");
        if (b) {
            /* A writer holding the lock: retry for up to about 5 s. */
            for (int tries = 0; tries < 250; tries++) {
                rc = sqlite3_backup_step(b, -1);
                if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
                    break;
                sqlite3_sleep(20);
            }
            sqlite3_backup_finish(b);
            if (rc == SQLITE_DONE)
                rc = sqlite3_errcode(out);
        } else {
            rc = sqlite3_errcode(out);
        }
    }
    if (rc != SQLITE_OK && rc != SQLITE_DONE) {
        ww_err(err, errlen, "%s: backup failed: %s", dest,
               rc == SQLITE_BUSY || rc == SQLITE_LOCKED ? "the database stayed locked"
               : out ? sqlite3_errmsg(out) : sqlite3_errstr(rc));
        sqlite3_close(out);
        unlink(dest);
        umask(old);
        return -1;
    }
    sqlite3_close(out);
    umask(old);
    return 0;
}

/* Backup API copy of the open store. */
int store_backup(struct store *st, const char *dest, char *err, size_t errlen)
{
    return backup_db(st->db, dest, err, errlen);
}

/* Open a database file read-only, with a clear message when that fails. */
static sqlite3 *open_readonly(const char *path, char *err, size_t errlen)
{
    sqlite3 *db = NULL;
    if (!path || !*path) {
        ww_err(err, errlen, "no database file given");
        return NULL;
    }
    if (access(path, R_OK) != 0) {
        ww_err(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        ww_err(err, errlen, "%s: cannot open: %s", path,
               db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_busy_timeout(db, 2000);
    return db;
}

/* Backup of a database file another process may be writing. */
int store_backup_file(const char *src, const char *dest, char *err, size_t errlen)
{
    sqlite3 *db = open_readonly(src, err, errlen);
    if (!db)
        return -1;
    int rc = backup_db(db, dest, err, errlen);
    sqlite3_close(db);
    return rc;
}

/* The tables store_check_file counts, with the version that made each. */
static const struct {
    const char *name;
    int since;
} check_tables[] = {
    {"beds", 1},      {"admissions", 1},    {"samples", 1}, {"samples_minute", 2},
    {"scores", 1},    {"observations", 1},  {"alarms", 1},  {"alarm_events", 1},
    {"notes", 1},     {"sensor_events", 1}, {"audit", 1},   {"sources", 3},
    {"retention", 4},
};

/* Run integrity_check; print and count problems. -1 when it cannot run. */
static int integrity(sqlite3 *db, const char *path, FILE *report, int *problems, char *err,
                     size_t errlen)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, NULL) != SQLITE_OK)
        return ww_err(err, errlen, "%s: not a SQLite database, or damaged beyond checking: %s",
                      path, sqlite3_errmsg(db));
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *r = (const char *)sqlite3_column_text(s, 0);
        if (r && strcmp(r, "ok")) {
            (*problems)++;
            fprintf(report, "integrity: %s\n", r);
        }
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        return ww_err(err, errlen,
                      "%s: damaged (%s); restore the latest `wardwatch backup` copy that "
                      "`wardwatch check` finds sound",
                      path, sqlite3_errmsg(db));
    return 0;
}

/* Verify a database file. */
int store_check_file(const char *path, FILE *report, char *err, size_t errlen)
{
    sqlite3 *db = open_readonly(path, err, errlen);
    if (!db)
        return -1;
    int problems = 0;
    if (integrity(db, path, report, &problems, err, errlen) < 0) {
        sqlite3_close(db);
        return -1;
    }
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db, "PRAGMA foreign_key_check", -1, &s, NULL) == SQLITE_OK) {
        while (sqlite3_step(s) == SQLITE_ROW) {
            problems++;
            fprintf(report, "foreign key: %s row %lld refers to a missing %s row\n",
                    (const char *)sqlite3_column_text(s, 0), (long long)sqlite3_column_int64(s, 1),
                    (const char *)sqlite3_column_text(s, 2));
        }
        sqlite3_finalize(s);
    }
    int version = read_version(db);
    fprintf(report, "%s: schema version %d (this wardwatch: %d)\n", path, version,
            STORE_SCHEMA_VERSION);
    for (size_t i = 0; i < WW_ARRAY_LEN(check_tables); i++) {
        char sql[96];
        /* Table names come from the constant list above, never from input. */
        snprintf(sql, sizeof sql, "SELECT count(*) FROM \"%s\"", check_tables[i].name);
        long long n = -1;
        if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK) {
            if (sqlite3_step(s) == SQLITE_ROW)
                n = sqlite3_column_int64(s, 0);
            sqlite3_finalize(s);
        }
        if (n >= 0) {
            fprintf(report, "  %-15s %lld rows\n", check_tables[i].name, n);
        } else if (version >= check_tables[i].since) {
            problems++;
            fprintf(report, "  %-15s missing\n", check_tables[i].name);
        }
    }
    sqlite3_close(db);
    if (version > STORE_SCHEMA_VERSION)
        return ww_err(err, errlen,
                      "%s: schema version %d is newer than this wardwatch (%d); check it with "
                      "the wardwatch that wrote it",
                      path, version, STORE_SCHEMA_VERSION);
    if (version < 1)
        return ww_err(err, errlen, "%s: not a wardwatch database (schema version %d)", path,
                      version);
    if (problems)
        return ww_err(err, errlen,
                      "%s: %d problem(s) found; restore the latest `wardwatch backup` copy that "
                      "`wardwatch check` finds sound",
                      path, problems);
    fprintf(report, "%s: ok\n", path);
    return 0;
}

/* ==== Outbox of the hospital export (#20) ================================
 * Kept in this one block (and the hook calls in raise_rows, event_rows and
 * store_flush). The export module (the hook's owner) adds its messages from
 * inside the store's own transactions, so a message exists exactly when the
 * data it carries does: an alarm transition rolled back (or held by an
 * outage, then written by a later flush) takes its message with it. */

enum { OB_PUT, OB_NEXT, OB_DELETE, OB_DEAD };
static const char *const ob_sql[] = {
    /* the same control id is the same message (a bed's period made again
     * after the clock stepped back): kept once, never a failed flush */
    [OB_PUT] = "INSERT OR IGNORE INTO outbox(dest, control_id, bed, created_at, body)"
               " VALUES(?,?,?,?,?)",
    [OB_NEXT] = "SELECT id, control_id, bed, created_at, body FROM outbox"
                " WHERE dest = ? AND state = 'pending' ORDER BY id LIMIT 1",
    [OB_DELETE] = "DELETE FROM outbox WHERE id = ? AND state = 'pending'",
    [OB_DEAD] = "UPDATE outbox SET state = 'dead', dead_at = ?2, why = ?3"
                " WHERE id = ?1 AND state = 'pending'",
};

static sqlite3_stmt *ob_stmt(struct store *st, int k)
{
    if (!st->ob[k] && sqlite3_prepare_v2(st->db, ob_sql[k], -1, &st->ob[k], NULL) != SQLITE_OK)
        st->ob[k] = NULL;
    return st->ob[k];
}

void store_set_outbox_hook(struct store *st, store_outbox_hook hook, void *ctx)
{
    st->ob_hook = hook;
    st->ob_ctx = ctx;
}

static int outbox_alarm(struct store *st, int64_t alarm_id, int64_t event_id, int bed,
                        const char *cond, const char *priority, const char *event,
                        const char *state, const char *who, int64_t t)
{
    if (!st->ob_hook)
        return 0;
    struct store_alarm_tx a = {.alarm_id = alarm_id,
                               .event_id = event_id,
                               .bed = bed,
                               .condition = cond,
                               .priority = priority,
                               .event = event,
                               .state = state,
                               .staff = who,
                               .t = t};
    return st->ob_hook(st->ob_ctx, st, &a);
}

int store_outbox_put(struct store *st, const char *dest, const char *control_id, int bed,
                     int64_t t, const char *body, size_t len)
{
    if (sqlite3_get_autocommit(st->db))
        return -1; /* only inside the store's transaction (from the hook) */
    sqlite3_stmt *s = ob_stmt(st, OB_PUT);
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, dest, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, control_id, -1, SQLITE_TRANSIENT);
    if (bed >= 0)
        sqlite3_bind_int(s, 3, bed);
    else
        sqlite3_bind_null(s, 3);
    sqlite3_bind_int64(s, 4, t);
    sqlite3_bind_blob(s, 5, body, (int)len, SQLITE_TRANSIENT);
    return step_done(s);
}

int store_outbox_next(struct store *st, const char *dest, struct store_outbox_row *row,
                      char *err, size_t errlen)
{
    memset(row, 0, sizeof *row);
    sqlite3_stmt *s = ob_stmt(st, OB_NEXT);
    if (!s)
        return db_err(st, err, errlen, "outbox");
    sqlite3_bind_text(s, 1, dest, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        row->id = sqlite3_column_int64(s, 0);
        ww_strlcpy(row->control_id, (const char *)sqlite3_column_text(s, 1),
                   sizeof row->control_id);
        row->bed = sqlite3_column_type(s, 2) == SQLITE_NULL ? -1 : sqlite3_column_int(s, 2);
        row->created_at = sqlite3_column_int64(s, 3);
        int n = sqlite3_column_bytes(s, 4);
        row->body = malloc((size_t)n + 1);
        if (!row->body) {
            sqlite3_reset(s);
            return ww_err(err, errlen, "outbox: out of memory");
        }
        memcpy(row->body, sqlite3_column_blob(s, 4), (size_t)n);
        row->body[n] = 0;
        row->len = (size_t)n;
        sqlite3_reset(s);
        return 1;
    }
    sqlite3_reset(s);
    if (rc == SQLITE_DONE)
        return 0;
    return db_err(st, err, errlen, "outbox");
}

void store_outbox_row_free(struct store_outbox_row *row)
{
    free(row->body);
    row->body = NULL;
}

int store_outbox_settle(struct store *st, int64_t id, bool delivered, const char *why, int64_t t,
                        char *err, size_t errlen)
{
    sqlite3_stmt *s = ob_stmt(st, delivered ? OB_DELETE : OB_DEAD);
    if (!s)
        return db_err(st, err, errlen, "outbox");
    sqlite3_bind_int64(s, 1, id);
    if (!delivered) {
        sqlite3_bind_int64(s, 2, t);
        bind_text(s, 3, why);
    }
    if (step_done(s) < 0)
        return db_err(st, err, errlen, "outbox");
    return sqlite3_changes(st->db) == 1 ? 0 : ww_err(err, errlen, "outbox: no pending row %lld",
                                                     (long long)id);
}

int store_outbox_pending(struct store *st, const char *dest, int64_t *count, int64_t *oldest,
                         int64_t *dead, char *err, size_t errlen)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT count(*) FILTER (WHERE state = 'pending'),"
                           " min(created_at) FILTER (WHERE state = 'pending'),"
                           " count(*) FILTER (WHERE state = 'dead') FROM outbox WHERE dest = ?",
                           -1, &s, NULL) != SQLITE_OK)
        return db_err(st, err, errlen, "outbox");
    sqlite3_bind_text(s, 1, dest, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *count = sqlite3_column_int64(s, 0);
        *oldest = sqlite3_column_int64(s, 1);
        *dead = sqlite3_column_int64(s, 2);
    }
    sqlite3_finalize(s);
    return rc == SQLITE_ROW ? 0 : db_err(st, err, errlen, "outbox");
}
