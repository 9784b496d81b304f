#!/bin/sh
# Crash consistency: `wardwatch serve` replays a four-bed ward (sepsis,
# opioid, AF, unplug scenarios at --speed 200, alarms coming and going) while
# tests/tools/ww_client sends commands as fast as the server answers them
# (notes, observations, acknowledgements, each only after the previous one
# was confirmed), and is killed with SIGKILL at a random moment, KILLS times
# (default 50; `make crash-soak` runs 1000). After every kill:
#   - the database passes PRAGMA integrity_check;
#   - every note and acknowledgement the server confirmed is stored, and at
#     least as many observations as it confirmed;
# and after the last one a restarted server shows exactly the alarms the
# database holds open, with the same acknowledged state.
W=${WARDWATCH_BIN:-bin/wardwatch}
B=${WARDWATCH_BUILD:-build}
case "$W" in /*) ;; *) W=$(pwd)/$W ;; esac
case "$B" in /*) ;; *) B=$(pwd)/$B ;; esac
CLIENT=$B/tests/tools/ww_client
KILLS=${KILLS:-50}
command -v sqlite3 >/dev/null 2>&1 || { echo "ok - crash consistency # SKIP sqlite3 not installed"; exit 0; }
T=$(mktemp -d); [ -n "${KEEP:-}" ] && echo "# keeping $T" || trap 'rm -rf "$T"' EXIT
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
no() { n=$((n + 1)); echo "not ok $n - $1"; }

i=1
for spec in "sepsis 11 3000" "opioid 13 3600" "afib 14 0" "unplug 17 1600"; do
  set -- $spec
  "$W" simulate "$1" -o "$T/bed$i.wwrec" --sensor ti-vs --seed "$2" --offset "$3" --hours 2 \
    --label "Seng $i" 2>/dev/null || { no "simulate $1"; exit 0; }
  i=$((i + 1))
done
cat >"$T/ward.ini" <<EOF
[ward]
name = Crash test
database = $T/ward.db
[alarms]
delay_s = 2
technical_delay_s = 2
escalate_s = 30
realert_s = 60
[server]
socket = $T/ward.sock
[bed.1]
label = Seng 1
sensor = replay:$T/bed1.wwrec
[bed.2]
label = Seng 2
sensor = replay:$T/bed2.wwrec
[bed.3]
label = Seng 3
sensor = replay:$T/bed3.wwrec
[bed.4]
label = Seng 4
sensor = replay:$T/bed4.wwrec
EOF

q() { sqlite3 -cmd '.timeout 3000' "$T/ward.db" "$1" 2>&1; }
start() { # [SPEED]
  "$W" serve -c "$T/ward.ini" --speed "${1:-200}" 2>>"$T/serve.log" &
  SRV=$!
  k=0
  until "$CLIENT" "$T/ward.sock" hello >/dev/null 2>&1; do
    k=$((k + 1))
    if [ $k -ge 100 ] || ! kill -0 $SRV 2>/dev/null; then return 1; fi
    sleep 0.05
  done
}

bad_integrity=0 lost=0 kills=0 confirmed=0 nstart=0
for it in $(seq 1 "$KILLS"); do
  if ! start; then
    no "serve did not come up for kill $it"; tail -5 "$T/serve.log" | sed 's/^/# /'; break
  fi
  nstart=$((nstart + 1))
  # A patient in every bed (only an occupied bed scores and alarms); the
  # admissions are in the database from then on.
  if [ "$nstart" = 1 ]; then
    for b in 0 1 2 3; do "$CLIENT" "$T/ward.sock" admit $b "P-$b" KN >/dev/null 2>&1; done
  fi
  "$CLIENT" "$T/ward.sock" burst "k$it" 1000000 KN >"$T/conf" 2>/dev/null &
  C=$!
  # A random moment 50-550 ms into the burst.
  sleep "$(awk -v s="$it" 'BEGIN { srand(s * 7919); printf "%.3f", 0.05 + rand() * 0.5 }')"
  kill -KILL $SRV; wait $SRV 2>/dev/null
  wait $C 2>/dev/null
  kills=$((kills + 1))
  r=$(q "PRAGMA integrity_check")
  if [ "$r" != ok ]; then
    bad_integrity=$((bad_integrity + 1)); echo "# kill $it: integrity_check: $r" | head -3
  fi
  notes=$(sed -n 's/^confirmed note //p' "$T/conf")
  nn=$(printf '%s\n' $notes | grep -c .)
  acks=$(sed -n 's/^confirmed ack //p' "$T/conf" | sort -u)
  na=$(printf '%s\n' $acks | grep -c .)
  no_obs=$(grep -c '^confirmed obs' "$T/conf")
  confirmed=$((confirmed + nn + na + no_obs))
  echo "$no_obs" >>"$T/obs-confirmed"
  if [ "$nn" -gt 0 ]; then
    list=$(printf "'%s'," $notes | sed 's/,$//')
    got=$(q "SELECT count(*) FROM notes WHERE text IN ($list)")
    [ "$got" = "$nn" ] || { lost=$((lost + nn - got)); echo "# kill $it: $got of $nn confirmed notes stored"; }
  fi
  if [ "$na" -gt 0 ]; then
    list=$(printf '%s,' $acks | sed 's/,$//')
    got=$(q "SELECT count(DISTINCT alarm) FROM alarm_events WHERE event = 'acknowledged' AND alarm IN ($list)")
    [ "$got" = "$na" ] || { lost=$((lost + na - got)); echo "# kill $it: $got of $na confirmed acknowledgements stored"; }
  fi
done
want_obs=$(awk '{ s += $1 } END { print s + 0 }' "$T/obs-confirmed" 2>/dev/null || echo 0)
got_obs=$(q "SELECT count(*) FROM observations WHERE entered_by = 'KN'")
[ "$kills" = "$KILLS" ] && ok "$kills SIGKILLs of serve while it replayed and took commands" ||
  no "only $kills of $KILLS kills ran"
[ "$bad_integrity" = 0 ] && ok "integrity_check ok after every kill" ||
  no "integrity_check failed after $bad_integrity kills"
[ "$lost" = 0 ] && [ "$confirmed" -gt 0 ] && ok "every confirmed note and acknowledgement stored ($confirmed commands confirmed in all)" ||
  no "$lost confirmed commands missing (of $confirmed)"
[ "${got_obs:-0}" -ge "$want_obs" ] && ok "observations stored: $got_obs for $want_obs confirmed" ||
  no "observations: $got_obs stored for $want_obs confirmed"

# Restart (paced at real time, so nothing can end within the clear delay
# before the snapshot): the server shows what the database holds open.
q "SELECT id, CASE WHEN state = 'latched' THEN 'latched' ELSE 'active' END,
          CASE WHEN state = 'acknowledged' OR (state = 'latched' AND coalesce(acked_by, '') <> '')
               THEN 'acked' ELSE 'unacked' END
   FROM alarms WHERE state IN ('active', 'acknowledged', 'latched') ORDER BY id" |
  tr '|' ' ' | sort >"$T/open"
if start 1; then
  "$CLIENT" "$T/ward.sock" alarms | awk '{ print $2, $4, $5 }' | sort >"$T/shown"
  kill $SRV; wait $SRV 2>/dev/null
  if [ -s "$T/open" ] && cmp -s "$T/shown" "$T/open"; then
    ok "restart restores the $(grep -c . "$T/open") open alarms with their acknowledgements"
  elif [ ! -s "$T/open" ]; then
    no "no open alarm to restore (the scenarios should leave some)"
  else
    no "restored alarms differ from the database"; diff "$T/open" "$T/shown" | head -6 | sed 's/^/# /'
  fi
else
  no "serve did not restart after the last kill"
fi
