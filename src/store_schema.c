/*
 * store_schema — the database's schema history and every statement the
 * store runs (see store_int.h for the parts).
 *
 * Schema history lives in migrations[]: step N takes user_version N to N+1 in
 * one transaction. A migration, once released, is never edited — a database
 * that already passed it would never see the change; new columns and tables
 * go into a new step. Every statement the store runs is in stmt_sql[] and is
 * prepared once at open, so a schema/SQL mismatch shows at start, not at the
 * first alarm. Which alarm states are open and which closed is the one
 * rule's (scoring/alarm.h): {OPEN} and {CLOSED} in a statement become its
 * IN lists when it is prepared.
 */
#include "store_int.h"

#include "alarm.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

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
                      " last_alert_at) VALUES(?1, ?2, ?3, ?4, ?5, ?4)",
    /* ?2 the state after the event and ?6 latched (both from the one rule,
     * alarm_state_after, in store_alarms.c), ?3 event, ?4 staff, ?5 t.
     * Only an open alarm is updated: a closed one is changed by nothing. */
    [S_ALARM_UPDATE] =
        "UPDATE alarms SET state = ?2,"
        /* A re-alert ends the acknowledgement (alarm_events keeps who acked
         * and when) and starts a new escalation period: a restart must
         * restore it unacknowledged and able to escalate again. A latched
         * alarm whose condition came back is no longer ended. */
        " acked_by = CASE WHEN ?3 = 'acknowledged' THEN ?4 WHEN ?3 = 'realerted' THEN NULL"
        "   ELSE acked_by END,"
        " acked_at = CASE WHEN ?3 = 'acknowledged' THEN ?5 WHEN ?3 = 'realerted' THEN NULL"
        "   ELSE acked_at END,"
        " ended_at = CASE WHEN ?3 = 'realerted' THEN NULL"
        "   WHEN ?3 IN ('ended', 'latched', 'superseded') AND ended_at IS NULL"
        "   THEN ?5 ELSE ended_at END,"
        " reset_by = CASE WHEN ?3 = 'reset' THEN ?4 ELSE reset_by END,"
        " reset_at = CASE WHEN ?3 = 'reset' THEN ?5 ELSE reset_at END,"
        " escalated = CASE WHEN ?3 = 'escalated' THEN 1 WHEN ?3 = 'realerted' THEN 0"
        "   ELSE escalated END,"
        " last_alert_at = CASE WHEN ?3 IN ('realerted', 'raised', 'escalated') THEN ?5"
        "   ELSE last_alert_at END,"
        " latched = ?6"
        " WHERE id = ?1 AND state IN {OPEN}",
    [S_ALARM_EVENT] = "INSERT INTO alarm_events(alarm, t, event, staff, detail) VALUES(?1, ?2, ?3,"
                      " ?4, ?5)",
    [S_ALARM_INFO] = "SELECT bed, condition, state FROM alarms WHERE id = ?1",
    [S_LOAD_BEDS] = "SELECT number, label FROM beds ORDER BY number",
    [S_LOAD_ADM] = "SELECT " ADM_COLS " FROM admissions WHERE discharged_at IS NULL ORDER BY id",
    [S_LOAD_ALARMS] = "SELECT " ALARM_COLS ", (SELECT detail FROM alarm_events e"
                      " WHERE e.alarm = alarms.id AND e.event = 'raised' ORDER BY e.id LIMIT 1)"
                      " FROM alarms WHERE state IN {OPEN} ORDER BY id",
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
                   " AND raised_at < ?3 AND (state IN {OPEN}"
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
                 " n = CASE WHEN live > 0 THEN max(n, n - live + excluded.n)"
                 "   ELSE n + excluded.n END,"
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
                      " AND a.state IN {CLOSED} ORDER BY e.t LIMIT ?2)",
    [S_PR_ALARMS] = "DELETE FROM alarms WHERE id IN (SELECT a.id FROM alarms a"
                    " WHERE a.raised_at < ?1 AND +a.state IN {CLOSED}"
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

/* Read PRAGMA user_version with a throwaway statement (before migration). */
int store_read_version(sqlite3 *db)
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
int store_migrate(struct store *st, int target, char *err, size_t errlen)
{
    int version = store_read_version(st->db);
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
    st->version = store_read_version(st->db);
    return 0;
}

/* PRAGMA quick_check: 0 when "ok". */
int store_quick_check(struct store *st, char *err, size_t errlen)
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

/* "('active', 'acknowledged', 'latched')": the recorded alarm states that
 * are open (or closed) by the one rule, as an SQL IN list. */
static void state_list(char *out, size_t n, bool open)
{
    size_t len = (size_t)snprintf(out, n, "(");
    for (int k = 0; k < ARS_COUNT && len < n; k++)
        if (alarm_rec_state_open((enum alarm_rec_state)k) == open)
            len += (size_t)snprintf(out + len, n - len, "%s'%s'", len > 1 ? ", " : "",
                                    alarm_rec_state_name((enum alarm_rec_state)k));
    if (len < n)
        snprintf(out + len, n - len, ")");
}

/* sql with {OPEN} and {CLOSED} replaced by the state lists; -1 when it
 * does not fit. */
static int expand_states(const char *sql, char *out, size_t n)
{
    char open[96], closed[96];
    state_list(open, sizeof open, true);
    state_list(closed, sizeof closed, false);
    size_t len = 0;
    while (*sql) {
        const char *with = NULL;
        size_t skip = 1;
        if (!strncmp(sql, "{OPEN}", 6)) {
            with = open;
            skip = 6;
        } else if (!strncmp(sql, "{CLOSED}", 8)) {
            with = closed;
            skip = 8;
        }
        size_t add = with ? strlen(with) : 1;
        if (len + add >= n)
            return -1;
        memcpy(out + len, with ? with : sql, add);
        len += add;
        sql += skip;
    }
    out[len] = '\0';
    return 0;
}

/* The statements and the retention of a store at this build's schema. */
int store_prepare_all(struct store *st, char *err, size_t errlen)
{
    char sql[4096];
    for (int i = 0; i < S_COUNT; i++) {
        /* an enum store_stmt entry without its SQL, or SQL too long */
        if (!stmt_sql[i] || expand_states(stmt_sql[i], sql, sizeof sql) < 0)
            return ww_err(err, errlen, "%s: statement %d has no usable SQL in this build",
                          st->path, i);
        if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st->st[i], NULL) !=
            SQLITE_OK)
            return ww_err(err, errlen, "%s: the schema does not match this wardwatch: %s",
                          st->path, sqlite3_errmsg(st->db));
    }
    st->record_days = read_record_days(st);
    if (st->record_days < 30)
        return ww_err(err, errlen, "%s: the retention table is missing or damaged", st->path);
    return 0;
}
