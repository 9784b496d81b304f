#!/bin/sh
# Faults nobody notices (issue #21), against `wardwatch serve` on a private
# ward (temporary database and socket, recordings from `simulate`):
#   paths that block: a FIFO without a writer, /dev/zero, a directory, a
#     symlink loop as sensors — serve still listens, the other beds are
#     monitored, each odd bed gets its technical alarm, `wardwatch config`
#     warns about each, SIGTERM stops serve within 3 s;
#   a flood of connections that never say HELLO — boards still attach, the
#     log stays short, max_clients still counts boards only;
#   the database deleted under a running server — noticed within seconds,
#     store alarm, the record restored with everything committed;
#   a restart of an accelerated replay on the same database — the ward clock
#     never goes back.
W=${WARDWATCH_BIN:-bin/wardwatch}
case "$W" in /*) ;; *) W=$(pwd)/$W ;; esac
B=${WARDWATCH_BUILD:-build}
case "$B" in /*) ;; *) B=$(pwd)/$B ;; esac
C=$B/tests/tools/ww_client
FLOOD=$B/tests/tools/ww_flood
if ! command -v sqlite3 >/dev/null 2>&1; then echo "ok - faults # SKIP sqlite3 not installed"; exit 0; fi
T=$(mktemp -d)
SPID=
FPID=
cleanup() {
  [ -n "$SPID" ] && kill "$SPID" 2>/dev/null
  [ -n "$FPID" ] && kill "$FPID" 2>/dev/null
  [ -n "${KEEP:-}" ] && echo "# keeping $T" || rm -rf "$T"
}
trap cleanup EXIT
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
no() { n=$((n + 1)); echo "not ok $n - $1"; }
sql() { sqlite3 "$T/ward.db" "$1" 2>/dev/null; }
export LANG=C.UTF-8 LC_ALL=C.UTF-8

printf '1 ti-vs sepsis 11 3000 Seng 1\n2 mr60bha2 stable 12 0 Seng 2\n' >"$T/spec"
if ! "$W" simulate --ward "$T/spec" -o "$T/rec" --hours 0.5 >"$T/sim.log" 2>&1; then
  echo "not ok 1 - simulate the test ward: $(cat "$T/sim.log")"; exit 0
fi
mkfifo "$T/fifo"
mkdir "$T/dir"
# A huge recording that does not declare the stream a bed names is given up
# after its first 65536 chunks, not read to its end before the loop runs
# (SIGTERM is only read by the loop).
"$W" simulate stable -o "$T/long.wwrec" --sensor ti-vs --hours 1 --seed 1 >/dev/null 2>&1
t0=$(date +%s%N)
"$W" probe "replay:$T/long.wwrec?stream=5" >/dev/null 2>"$T/long.err"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
grep -q "no stream 5 declared in the first 65536 chunks" "$T/long.err" &&
  ok "a recording without the bed's stream is given up after its first chunks (${ms} ms)" ||
  no "recording without the stream: $(cat "$T/long.err")"
ln -s "$T/loop2" "$T/loop1"; ln -s "$T/loop1" "$T/loop2"
SOCK=$T/ward.sock
write_ini() { # extra beds
  cat >"$T/ward.ini" <<EOF
[ward]
name = Faults
database = $T/ward.db
[alarms]
technical_delay_s = 1
[server]
socket = $SOCK
max_clients = 3
[bed.1]
label = Seng 1
sensor = replay:$T/rec/bed01.wwrec
[bed.2]
label = Seng 2
sensor = replay:$T/rec/bed02.wwrec
EOF
  [ -n "$1" ] && cat >>"$T/ward.ini" <<EOF
[bed.3]
label = fifo
sensor = ti-vs:file:$T/fifo
[bed.4]
label = zero
sensor = ti-vs:file:/dev/zero
[bed.5]
label = katalog
sensor = replay:$T/dir
[bed.6]
label = lokke
sensor = ti-vs:file:$T/loop1
EOF
}
start_server() { # speed
  "$W" serve -c "$T/ward.ini" --speed "$1" 2>>"$T/serve.log" &
  SPID=$!
  i=0; while [ $i -lt 50 ] && ! [ -S "$SOCK" ]; do sleep 0.1; i=$((i + 1)); done
  [ -S "$SOCK" ]
}
stop_server() { # seconds allowed; 0 when serve exited in time
  kill -TERM "$SPID" 2>/dev/null
  i=0; while [ $i -lt $(($1 * 10)) ] && kill -0 "$SPID" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
  if kill -0 "$SPID" 2>/dev/null; then kill -9 "$SPID"; wait "$SPID" 2>/dev/null; SPID=; return 1; fi
  wait "$SPID" 2>/dev/null; SPID=; return 0
}

# --- 1. Paths that block or never end -------------------------------------
write_ini odd
"$W" config -c "$T/ward.ini" >/dev/null 2>"$T/config.err"
w=$(grep -c "warning: .*sensor: " "$T/config.err")
if [ "$w" = 4 ] && grep -q "fifo is a FIFO" "$T/config.err" &&
   grep -q "/dev/zero is a character device" "$T/config.err" &&
   grep -q "dir is a directory" "$T/config.err" && grep -q "symbolic links" "$T/config.err"; then
  ok "config warns about a FIFO, /dev/zero, a directory and a symlink loop as sensors"
else no "config warnings ($w): $(cat "$T/config.err")"; fi
if start_server 10; then
  ok "serve with a FIFO, /dev/zero, a directory and a symlink loop as sensors listens"
  sleep 2
  out=$("$C" "$SOCK" hello 2>&1)
  [ "$out" = "synced 6 beds" ] && ok "a board attaches to that ward" || no "attach: $out"
  tech=$(sql "SELECT COUNT(DISTINCT b.label) FROM alarms a JOIN beds b ON b.number = a.bed
              WHERE a.condition = 'sensor-disconnected'
                AND b.label IN ('fifo','zero','katalog','lokke');")
  [ "$tech" = 4 ] && ok "each odd sensor path is its bed's technical alarm" ||
    no "technical alarms on the odd beds: '$tech' ($(sql "SELECT bed, condition FROM alarms" | tr '\n' ' '))"
  rr=$(sql "SELECT COUNT(*) FROM samples s JOIN beds b ON b.number = s.bed WHERE b.label = 'Seng 1';")
  [ "${rr:-0}" -gt 0 ] && ok "the rest of the ward is monitored ($rr samples of Seng 1)" ||
    no "no samples for Seng 1"
  if stop_server 3; then ok "SIGTERM stops serve within 3 s"; else no "serve ignored SIGTERM for 3 s"; fi
else
  no "serve with odd sensor paths did not listen within 5 s: $(tail -3 "$T/serve.log")"
  stop_server 1 && ok "SIGTERM stops serve within 3 s" || no "serve hung and ignored SIGTERM"
fi

# --- 2. A flood of connections that never say HELLO -------------------------
write_ini
cat "$T/serve.log" >>"$T/all.log" 2>/dev/null; rm -f "$T/serve.log"
if start_server 10; then
  "$FLOOD" "$SOCK" 8 300 >"$T/flood.out" 2>&1 &
  FPID=$!
  sleep 1
  good=0; i=0
  while [ $i -lt 5 ]; do
    out=$("$C" "$SOCK" hello 2>&1)
    [ "$out" = "synced 2 beds" ] && good=$((good + 1))
    i=$((i + 1)); sleep 0.5
  done
  [ $good = 5 ] && ok "during the flood every board attaches (5 of 5)" ||
    no "during the flood only $good of 5 boards attached (last: $out)"
  # A board slow to say HELLO (a loaded machine, a board starting up) is
  # not pushed out by the flood's newer connections (H21-3b): the flood
  # makes room with its own.
  out=$("$C" "$SOCK" late 400 2>&1)
  [ "$out" = "synced 2 beds" ] &&
    ok "during the flood a board that says HELLO after 400 ms attaches" ||
    no "during the flood a board 400 ms late with HELLO: $out"
  # max_clients = 3 counts identified boards only: three attach, a fourth
  # is told the server is full, whatever the flood holds.
  out=$("$C" "$SOCK" full 3 2>&1)
  echo "$out" | grep -q "bye: server full: 3 boards attached" &&
    ok "max_clients counts boards, not unidentified connections" || no "max_clients during the flood: $out"
  wait "$FPID"; FPID=
  conns=$(sed -n 's/ connections//p' "$T/flood.out")
  lines=$(wc -l <"$T/serve.log")
  [ "${conns:-0}" -gt 500 ] && [ "$lines" -lt 60 ] &&
    ok "the log stays short: $lines lines for ${conns} unidentified connections" ||
    no "log lines $lines for ${conns:-0} connections: $(sort "$T/serve.log" | uniq -c | sort -rn | head -3)"
  stop_server 3 || no "serve ignored SIGTERM after the flood"
else
  no "serve did not start: $(tail -3 "$T/serve.log")"
fi

# --- 3. The database deleted (then replaced) under a running server -------
write_ini
cat "$T/serve.log" >>"$T/all.log" 2>/dev/null; rm -f "$T/ward.db"* "$T/serve.log"
if start_server 10; then
  sleep 1
  out=$("$C" "$SOCK" admit 0 P-FØR AB 2>&1)
  [ "$out" = ok ] || no "admit before the deletion: $out"
  rm -f "$T/ward.db" "$T/ward.db-wal" "$T/ward.db-shm"
  i=0; while [ $i -lt 30 ] && ! grep -q "database file was deleted" "$T/serve.log"; do sleep 0.1; i=$((i + 1)); done
  grep -q "database file was deleted" "$T/serve.log" &&
    ok "the deleted database is noticed within 3 s" || no "deletion not noticed in 3 s"
  out=$("$C" "$SOCK" admit 1 P-UNDER AB 2>&1)
  case "$out" in "refused: "*deleted*) ok "a command while the file is gone is refused, not confirmed";;
    *) no "a command while the file is gone: $out";; esac
  i=0; while [ $i -lt 100 ] && ! grep -q "restored from the open connection" "$T/serve.log"; do sleep 0.1; i=$((i + 1)); done
  sleep 1.5
  [ -f "$T/ward.db" ] && [ "$(sql "PRAGMA integrity_check;")" = ok ] &&
    ok "the database is back at its path, intact" || no "no intact database at the path: $(tail -3 "$T/serve.log")"
  [ "$(sql "SELECT COUNT(*) FROM admissions WHERE patient_ref = 'P-FØR';")" = 1 ] &&
    ok "what was committed before the deletion is in it" || no "the admission committed before is lost"
  [ "$(sql "SELECT COUNT(*) FROM audit WHERE action = 'database-restored' AND detail LIKE '%deleted%';")" = 1 ] &&
    ok "the restore is audited" || no "no audit row of the restore: $(sql "SELECT action, detail FROM audit")"
  [ "$(sql "SELECT COUNT(DISTINCT bed) FROM alarms WHERE condition = 'store-failure';")" = 2 ] &&
    ok "the store-failure alarm was raised on every bed" || no "store-failure alarms: $(sql "SELECT bed, condition, state FROM alarms")"
  gap=$(sql "SELECT MAX(t - p) FROM (SELECT t, LAG(t) OVER (ORDER BY t) p FROM samples WHERE bed = 1);")
  [ "$gap" = 1000 ] && ok "no second of samples lost across the deletion" || no "largest gap in bed 1 samples: $gap ms"
  out=$("$C" "$SOCK" admit 1 P-ETTER AB 2>&1)
  [ "$out" = ok ] && ok "commands are committed again after the restore" || no "after the restore: $out"
  # Another file put at the path: kept aside, the record put back.
  echo "not ours" >"$T/other"; mv "$T/other" "$T/ward.db"
  i=0; while [ $i -lt 100 ] && [ "$(grep -c "restored from the open connection" "$T/serve.log")" -lt 2 ]; do sleep 0.1; i=$((i + 1)); done
  sleep 0.5
  kept=$(for f in "$T"/ward.db.replaced-*; do case "$f" in *-wal|*-shm) ;; *) cat "$f";; esac; done 2>/dev/null)
  [ "$kept" = "not ours" ] && [ "$(sql "SELECT COUNT(*) FROM admissions;")" = 2 ] &&
    ok "a file put in its place is kept aside and the record put back" ||
    no "replaced: kept '$kept', admissions $(sql "SELECT COUNT(*) FROM admissions;")"
  stop_server 3 || no "serve ignored SIGTERM"
  [ "$(sql "SELECT COUNT(*) FROM admissions;")" = 2 ] && ok "after the stop the database holds the record" ||
    no "after the stop: $(ls "$T")"
else
  no "serve did not start: $(tail -3 "$T/serve.log")"
fi

# Deleted, then serve stopped (or killed) before the record was put back.
for how in TERM KILL; do
  cat "$T/serve.log" >>"$T/all.log" 2>/dev/null; rm -f "$T/ward.db"* "$T/serve.log"
  write_ini; sed -i 's/^technical_delay_s = 1/technical_delay_s = 60/' "$T/ward.ini"
  if start_server 1; then
    out=$("$C" "$SOCK" admit 0 P-$how AB 2>&1)
    rm -f "$T/ward.db" "$T/ward.db-wal" "$T/ward.db-shm"
    sleep 1.5
    if [ $how = TERM ]; then
      stop_server 3 || no "serve ignored SIGTERM"
      [ "$out" = ok ] && [ "$(sql "SELECT COUNT(*) FROM admissions WHERE patient_ref = 'P-TERM';")" = 1 ] &&
        ok "stopped right after the deletion: the record is put back at the stop" || no "after a stop: $out $(ls "$T")"
    else
      kill -9 "$SPID"; wait "$SPID" 2>/dev/null; SPID=
      [ "$out" = ok ] && [ "$(sqlite3 "$T/ward.db.restoring" "SELECT COUNT(*) FROM admissions WHERE patient_ref = 'P-KILL';" 2>/dev/null)" = 1 ] &&
        ok "killed right after the deletion: the record is on disk (DATABASE.restoring)" || no "after SIGKILL: $out $(ls "$T")"
    fi
  else no "serve did not start: $(tail -3 "$T/serve.log")"; fi
done

# --- 4. The ward clock on a restart of an accelerated replay --------------
write_ini
cat "$T/serve.log" >>"$T/all.log" 2>/dev/null; rm -f "$T/ward.db"* "$T/serve.log"
if start_server 200; then
  sleep 3
  stop_server 3 || no "serve ignored SIGTERM"
  last=$(sql "SELECT MAX(t) FROM samples;")
  before=$(sql "SELECT COUNT(*) FROM samples;")
  now=$(($(date +%s) * 1000))
  if [ "${last:-0}" -gt $((now + 300000)) ]; then
    start_server 200 || no "restart: $(tail -3 "$T/serve.log")"
    sleep 1.5
    stop_server 3 || no "serve ignored SIGTERM"
    after=$(sql "SELECT COUNT(*) FROM samples WHERE t <= $last;")
    more=$(sql "SELECT COUNT(*) FROM samples WHERE t > $last;")
    [ "$after" = "$before" ] && [ "${more:-0}" -gt 0 ] &&
      ok "a restarted accelerated ward continues its clock (nothing written before the record's end)" ||
      no "clock went back: $before samples up to the end before, $after after, $more later"
    "$W" serve -c "$T/ward.ini" 2>"$T/live.log" &
    LPID=$!
    i=0; while [ $i -lt 30 ] && kill -0 $LPID 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
    if kill -0 $LPID 2>/dev/null; then kill $LPID; wait $LPID; no "a live serve runs on a record ahead of the clock"
    else
      wait $LPID; rc=$?
      [ $rc != 0 ] && grep -q "after the clock's" "$T/live.log" &&
        ok "a live serve refuses a record that is ahead of the wall clock" || no "live serve: rc $rc $(cat "$T/live.log")"
    fi
  else no "the accelerated ward did not run ahead of the wall clock ($last vs $now)"; fi
else
  no "serve did not start: $(tail -3 "$T/serve.log")"
fi

# --- 5. Handover previews: audited with who and where, rate-limited -------
write_ini
cat "$T/serve.log" >>"$T/all.log" 2>/dev/null; rm -f "$T/ward.db"* "$T/serve.log"
if start_server 10; then
  sleep 1
  now=$(($(date +%s) * 1000)); okc=0; refused=0; i=0
  while [ $i -lt 8 ]; do  # two requests each: 16 asked from one terminal
    out=$("$C" "$SOCK" handover $((now - 86400000)) $((now + 86400000)) KN 2>&1)
    okc=$((okc + $(echo "$out" | grep -c "^handover ")))
    refused=$((refused + $(echo "$out" | grep -c "too many handover previews")))
    i=$((i + 1))
  done
  views=$(sql "SELECT COUNT(*) FROM audit WHERE action = 'handover-view' AND staff = 'KN'
               AND detail LIKE 'handover preview % at board % (handover, uid %';")
  [ "$okc" -ge 1 ] && [ "$views" = "$okc" ] &&
    ok "every handover preview sent is audited with who and where ($views rows)" ||
    no "previews sent $okc, audit rows '$views': $(sql "SELECT staff, detail FROM audit")"
  [ "$okc" -le 6 ] && [ "$refused" -ge 8 ] &&
    ok "previews are rate-limited per terminal across reconnects ($okc sent, $refused refused)" ||
    no "rate limit: $okc sent, $refused refused"
  stop_server 3 || no "serve ignored SIGTERM"
else
  no "serve did not start: $(tail -3 "$T/serve.log")"
fi

# --- 6. The core lock file deleted under a running server ----------------
write_ini
cat "$T/serve.log" >>"$T/all.log" 2>/dev/null; rm -f "$T/ward.db"* "$T/serve.log"
if start_server 10; then
  rm -f "$T/ward.db.lock"
  sleep 1.5
  sed "s#^socket = .*#socket = $T/second.sock#" "$T/ward.ini" >"$T/second.ini"
  timeout 10 "$W" serve -c "$T/second.ini" --speed 10 >"$T/second.log" 2>&1 &
  P2=$!
  i=0; while [ $i -lt 30 ] && kill -0 $P2 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
  if kill -0 $P2 2>/dev/null; then kill $P2; wait $P2; no "a second core started after the lock file was deleted"
  else wait $P2; grep -q "another monitoring core (pid $SPID" "$T/second.log" &&
    ok "the lock file is re-created: a second core on the database is refused" || no "second core: $(cat "$T/second.log")"; fi
  stop_server 3 || no "serve ignored SIGTERM"
else
  no "serve did not start: $(tail -3 "$T/serve.log")"
fi

# --- 7. The system clock set back and forward under a live serve ----------
FT=
for f in /usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1 /usr/lib/faketime/libfaketime.so.1; do
  [ -f "$f" ] && FT=$f && break
done
case "$W" in *-san) FT= ;; esac  # the sanitizers' runtime must come first
if [ -z "$FT" ]; then
  n=$((n + 1)); echo "ok $n - wall-clock jumps # SKIP libfaketime not installed (or a sanitizer build)"
else
  write_ini
  cat "$T/serve.log" >>"$T/all.log" 2>/dev/null; rm -f "$T/ward.db"* "$T/serve.log"
  echo "+0" >"$T/faketime"
  LD_PRELOAD=$FT FAKETIME_TIMESTAMP_FILE=$T/faketime FAKETIME_NO_CACHE=1 \
    FAKETIME_DONT_FAKE_MONOTONIC=1 "$W" serve -c "$T/ward.ini" 2>>"$T/serve.log" &
  SPID=$!
  i=0; while [ $i -lt 50 ] && ! [ -S "$SOCK" ]; do sleep 0.1; i=$((i + 1)); done
  sleep 2.5
  echo "-3600" >"$T/faketime"   # an hour back
  sleep 1.2
  t1=$(sql "SELECT MAX(t) FROM samples WHERE bed = 1;")
  sleep 3
  t2=$(sql "SELECT MAX(t) FROM samples WHERE bed = 1;")
  back=$(sql "SELECT COUNT(*) FROM samples WHERE bed = 1 AND t < $(( ${t1:-0} - 3000000 ));")
  [ "${t2:-0}" -ge $(( ${t1:-0} + 2000 )) ] && [ "$back" = 0 ] && grep -q "system clock went back" "$T/serve.log" &&
    ok "the system clock set back an hour: the ward clock goes on, the record stays in order" ||
    no "clock set back: samples to $t1 then $t2, $back written in the past; $(grep -i clock "$T/serve.log" | head -2)"
  echo "+7200" >"$T/faketime"   # then forward past where it was
  sleep 2.5
  t3=$(sql "SELECT MAX(t) FROM samples WHERE bed = 1;")
  [ "${t3:-0}" -gt $(( ${t2:-0} + 3600000 )) ] && grep -q "system clock jumped forward" "$T/serve.log" &&
    ok "the system clock jumped forward: followed and logged" || no "clock forward: $t2 -> $t3"
  stop_server 3 || no "serve ignored SIGTERM"
fi

# --- 8. The database made read-only, as the non-root service user ---------
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1 && id nobody >/dev/null 2>&1; then
  AS="setpriv --reuid=$(id -u nobody) --regid=$(id -g nobody) --clear-groups"
  write_ini
  cat "$T/serve.log" >>"$T/all.log" 2>/dev/null; rm -f "$T/ward.db"* "$T/serve.log"
  chmod 755 "$T"; chown -R nobody "$T"
  $AS "$W" serve -c "$T/ward.ini" --speed 10 2>>"$T/serve.log" &
  SPID=$!
  i=0; while [ $i -lt 50 ] && ! [ -S "$SOCK" ]; do sleep 0.1; i=$((i + 1)); done
  sleep 0.5
  chmod 0444 "$T/ward.db"
  out=$($AS "$C" "$SOCK" admit 0 P-RO AB 2>&1)
  sleep 1.5
  stop_server 3 || no "serve ignored SIGTERM"
  [ "$out" = ok ] && [ "$(sql "SELECT COUNT(*) FROM admissions WHERE patient_ref = 'P-RO';")" = 1 ] &&
    ok "chmod 0444 under a running server: its open file still takes every commit" || no "read-only under serve: $out"
  $AS "$W" serve -c "$T/ward.ini" --speed 10 >"$T/ro.log" 2>&1
  grep -q "not writable by this user (uid $(id -u nobody))" "$T/ro.log" &&
    ok "a restart on the read-only database is refused in plain words" || no "restart read-only: $(cat "$T/ro.log")"
  cat "$T/ro.log" >>"$T/all.log"
  chown -R root "$T"
else
  n=$((n + 1)); echo "ok $n - read-only database as a service user # SKIP needs root, setpriv and user nobody"
fi

# --- 9. A resize storm on a board ------------------------------------------
if command -v tmux >/dev/null 2>&1; then
  S=ww-faults-$$
  tmux -L $S new-session -d -x 120 -y 40 "\"$W\" --demo --speed 10 2>>\"$T/board.err\"; echo exit \$? >>\"$T/board.err\"; sleep 30"
  sleep 2
  i=1
  while [ $i -le 150 ]; do
    tmux -L $S resize-window -t 0 -x $(( (i * 37) % 200 + 1 )) -y $(( (i * 13) % 60 + 1 )) 2>/dev/null
    i=$((i + 1))
  done
  for k in 1 2 3 4 5; do tmux -L $S resize-window -x 1 -y 1; tmux -L $S resize-window -x 2 -y 3; done
  tmux -L $S resize-window -x 100 -y 30
  sleep 1.2; c1=$(tmux -L $S capture-pane -p | head -1); sleep 1.2; c2=$(tmux -L $S capture-pane -p | head -1)
  tmux -L $S kill-server 2>/dev/null
  cat "$T/board.err" >>"$T/all.log" 2>/dev/null
  if ! grep -q "^exit" "$T/board.err" 2>/dev/null && echo "$c2" | grep -q "| Observasjonspost 3 (demo)" && [ "$c1" != "$c2" ]; then
    ok "a resize storm (160 sizes down to 1x1): the board survives, redraws and its clock runs"
  else no "after the resize storm: '$c2' $(cat "$T/board.err" 2>/dev/null | tail -2)"; fi
else
  n=$((n + 1)); echo "ok $n - resize storm # SKIP tmux not installed"
fi

# Every serve above ran under this build (sanitizers when it is one): none
# may have reported anything.
cat "$T/serve.log" "$T"/second.log "$T"/live.log >>"$T/all.log" 2>/dev/null
if grep -q "Sanitizer\|runtime error" "$T/all.log"; then
  no "a sanitizer reported in serve: $(grep -m3 "Sanitizer\|runtime error" "$T/all.log")"
else ok "no sanitizer report from any serve"; fi
