#!/bin/sh
# An acknowledgement during a store outage (H16-12, #21 item 4), end to end
# through `wardwatch serve` and the socket: the database is locked by another
# process, the ward raises "Store write failure" (a provisional alarm id), a
# board acknowledges it: the reply says "held", never "committed"; once the
# lock is gone the acknowledgement and its audit row are in the database.
W=${WARDWATCH_BIN:-bin/wardwatch}
B=${WARDWATCH_BUILD:-build}
case "$W" in /*) ;; *) W=$(pwd)/$W ;; esac
case "$B" in /*) ;; *) B=$(pwd)/$B ;; esac
C=$B/tests/tools/ww_client
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
no() { n=$((n + 1)); echo "not ok $n - $1"; }
command -v sqlite3 >/dev/null 2>&1 || { echo "ok - held acknowledgement # SKIP no sqlite3 shell"; exit 0; }
T=$(mktemp -d); trap 'kill $SPID $LPID 2>/dev/null; rm -rf "$T"' EXIT
"$W" simulate stable -o "$T/bed.wwrec" --sensor mr60bha2 --seed 5 --hours 1 >/dev/null 2>&1
cat >"$T/ward.ini" <<EOF
[ward]
name = Held
database = $T/ward.db
[alarms]
technical_delay_s = 1
[server]
socket = $T/ward.sock
[bed.1]
label = Rom 1
sensor = replay:$T/bed.wwrec
EOF
"$W" serve -c "$T/ward.ini" --speed 2 2>"$T/serve.log" &
SPID=$!
i=0; while [ $i -lt 50 ] && ! [ -S "$T/ward.sock" ]; do sleep 0.1; i=$((i + 1)); done
"$C" "$T/ward.sock" admit 0 P-1 KN >/dev/null 2>&1
sleep 1
# Lock the database for 12 s from another process.
(printf 'BEGIN EXCLUSIVE;\n'; sleep 12; printf 'ROLLBACK;\n') | sqlite3 "$T/ward.db" &
LPID=$!
# Wait for the store-failure alarm: raised during the outage, so shown with a
# provisional (negative) id.
i=0
while [ $i -lt 60 ]; do
  "$C" "$T/ward.sock" alarms >"$T/alarms" 2>/dev/null
  grep -q '^alarm -[0-9]* 0 active unacked' "$T/alarms" && break
  sleep 0.2; i=$((i + 1))
done
grep -q '^alarm -' "$T/alarms" && ok "store-failure alarm raised during the outage (provisional id)" ||
  no "no alarm with a provisional id: $(cat "$T/alarms")"

sql() { sqlite3 -cmd '.timeout 5000' "$T/ward.db" "$1" 2>/dev/null; }
"$C" "$T/ward.sock" ack 0 BB >"$T/ack" 2>&1
if grep -q '^held: .*held' "$T/ack"; then ok "acknowledgement during the outage: held, not committed ($(cut -c1-60 "$T/ack"))"
else no "acknowledgement during the outage: $(cat "$T/ack")"; fi
wait $LPID 2>/dev/null
sleep 3
c=$(sql "SELECT count(*) FROM audit WHERE staff = 'BB' AND action = 'alarm-acknowledged'")
e=$(sql "SELECT count(*) FROM alarm_events e JOIN alarms a ON a.id = e.alarm WHERE e.event = 'acknowledged' AND e.staff = 'BB' AND a.condition = 'store-failure'")
[ "$c" = 1 ] && [ "$e" = 1 ] && ok "after the outage the acknowledgement and its audit row are stored" ||
  no "after the outage: $c audit rows, $e events by BB"
kill $SPID; wait $SPID 2>/dev/null
grep -q "held: " "$T/serve.log" && ok "the server log says held" || no "the server log does not say held"
