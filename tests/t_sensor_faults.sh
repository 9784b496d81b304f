#!/bin/sh
# Sensor faults in one matrix, through the whole monitoring core
# (`wardwatch serve`, real libserialport and libiio, no hardware): a ward of
# four beds in one private mount namespace —
#   1  ti-vs on /dev/ttyS0: a pty from tests/tools/sensor_emu (ioctl shim)
#   2  iio:local: radar-a, a fake IIO device fed through a FIFO
#   3  iio:ip:127.0.0.1:PORT radar-b, the same kind of device behind a real iiod
#   4  iio:local: radar-c, a radar that sees nobody, then a patient
# Each fault must end in the right technical alarm in the database within a
# stated bound, and the alarm must end once the fault clears:
#   unplug (emulator closes)        -> sensor-disconnected; replug -> ended
#   only garbage on the line        -> no-signal; frames again -> ended
#   bit errors in every 3rd frame   -> no technical alarm, readings go on
#   every frame corrupt             -> no-signal
#   stalled I/Q stream              -> no-signal; samples again -> ended
#   iiod killed (SIGKILL)           -> sensor-disconnected; iiod back -> ended
#   nobody in the bed               -> out-of-bed; patient back -> ended
# INI: no_signal_s 4, technical_delay_s 2, clear_s 2, out_of_bed_s 6,
# reconnect 1..2 s. Bounds: no_signal_s + technical_delay_s + 4 s of slack
# for a "no signal" alarm, technical_delay_s + 4 s for a disconnect,
# reconnect_max_s + clear_s + 6 s for recovery; out of bed: the DSP needs
# about 5 s to see nobody, then out_of_bed_s + technical_delay_s (20 s).
W=${WARDWATCH_BIN:-bin/wardwatch}
B=${WARDWATCH_BUILD:-build}
case "$W" in /*) ;; *) W=$(pwd)/$W ;; esac
case "$B" in /*) ;; *) B=$(pwd)/$B ;; esac
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
SHIM=$B/tests/ioctl_shim.so
EMU=$B/tests/tools/sensor_emu
FEED=$B/tests/tools/iq_feed
CLIENT=$B/tests/tools/ww_client

if [ "$(id -u)" != 0 ] || ! unshare -m true 2>/dev/null; then
  echo "ok - sensor fault matrix # SKIP needs root and unshare -m"; exit 0
fi
for c in iiod sqlite3; do
  command -v $c >/dev/null 2>&1 || { echo "ok - sensor fault matrix # SKIP $c not installed"; exit 0; }
done
if [ ! -e /sys/class/tty/ttyS0 ] || [ ! -e /dev/ttyS0 ]; then
  echo "ok - sensor fault matrix # SKIP no /sys/class/tty/ttyS0 to borrow"; exit 0
fi
T=$(mktemp -d); [ -n "${KEEP:-}" ] && echo "# keeping $T" || trap 'rm -rf "$T"' EXIT
PORT=$((33000 + $$ % 2000))

cat >"$T/ward.ini" <<EOF
[ward]
name = Fault matrix
database = $T/ward.db
[alarms]
technical_delay_s = 2
clear_s = 2
[sensors]
no_signal_s = 4
out_of_bed_s = 6
reconnect_min_s = 1
reconnect_max_s = 2
[server]
socket = $T/ward.sock
[bed.1]
label = Seng 1 serial
sensor = ti-vs:/dev/ttyS0
[bed.2]
label = Seng 2 lokal
sensor = iio:local:?device=radar-a
[bed.3]
label = Seng 3 nett
sensor = iio:ip:127.0.0.1:$PORT?device=radar-b
[bed.4]
label = Seng 4 tom
sensor = iio:local:?device=radar-c
EOF

# The script run inside the namespace. It writes "NAME SECONDS" lines to
# $T/times: how long each expectation took (or "NAME timeout").
cat >"$T/inside.sh" <<'EOF'
set -u
mount --make-rprivate / 2>/dev/null
mount -t tmpfs none /sys/bus || exit 1
mkdev() { # index name
  d=/sys/bus/iio/devices/iio:device$1
  mkdir -p $d/scan_elements $d/buffer
  echo $2 > $d/name; echo 2500 > $d/sampling_frequency
  for c in 0 1; do
    echo 1 > $d/scan_elements/in_voltage${c}_en; echo $c > $d/scan_elements/in_voltage${c}_index
    echo 'le:s16/16>>0' > $d/scan_elements/in_voltage${c}_type
  done
  echo 0 > $d/buffer/enable; echo 1024 > $d/buffer/length; echo 1 > $d/buffer/watermark
  mkfifo "$T/fifo$1"; touch /dev/iio:device$1; mount --bind "$T/fifo$1" /dev/iio:device$1
}
mkdev 0 radar-a; mkdev 1 radar-b; mkdev 2 radar-c
# The real ttyS0 is covered for good by a plain file: a port that cannot be
# opened as a tty (libserialport fails on its termios), i.e. unplugged.
: >"$T/unplugged"; mount --bind "$T/unplugged" /dev/ttyS0 || exit 1
sql() { sqlite3 -cmd '.timeout 2000' "$T/ward.db" "$1" 2>/dev/null; }
now() { date +%s.%N; }
# wait_for NAME BOUND SQL: until SQL returns a non-empty row, at most BOUND s.
wait_for() {
  t0=$(now)
  while :; do
    r=$(sql "$3")
    el=$(echo "$(now) $t0" | awk '{ printf "%.1f", $1 - $2 }')
    if [ -n "$r" ]; then echo "$1 $el" >>"$T/times"; return 0; fi
    if awk -v e="$el" -v b="$2" 'BEGIN { exit !(e > b) }'; then echo "$1 timeout" >>"$T/times"; return 1; fi
    sleep 0.2
  done
}
open_alarm() { echo "SELECT id FROM alarms WHERE bed = $1 AND condition = '$2' AND ended_at IS NULL LIMIT 1"; }
# No technical alarm of the sensor open on bed $1 (a phase starts from there).
healthy() { echo "SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM alarms WHERE bed = $1 AND ended_at IS NULL AND condition IN ('no-signal', 'sensor-disconnected'))"; }
maxid() { sql "SELECT coalesce(max(id), 0) FROM alarms WHERE bed = $1"; }
ended_alarm() { echo "SELECT id FROM alarms WHERE bed = $1 AND condition = '$2' AND ended_at IS NOT NULL LIMIT 1"; }
emu() { # driver frames rate [options]: a new pty bound over /dev/ttyS0
  rm -f "$T/pty"
  # shellcheck disable=SC2086 # $4 holds options, word-split on purpose
  "$EMU" "$1" "$2" "$3" "$T/pty" $4 >/dev/null 2>&1 &
  EMUPID=$!
  k=0
  while [ ! -s "$T/pty" ] && [ $k -lt 100 ]; do sleep 0.05; k=$((k + 1)); done
  # The dead pty comes off and the new one goes on; in between the path is
  # the placeholder mounted above, never the real ttyS0 (a reconnect that opened
  # that, seen in CI, found a port that opens and stays silent, and bed 1
  # sat in no-signal for the rest of the run).
  [ -n "${PTY_ON:-}" ] && umount /dev/ttyS0
  mount --bind "$(cat "$T/pty")" /dev/ttyS0 && PTY_ON=1
}

# feed N ARGS...: a feeder on /dev/iio:deviceN; F$N is its pid (a timeout
# bounds it should this script die).
feed() {
  d=$1; shift
  timeout 300 "$FEED" --seconds 600 --realtime "$@" /dev/iio:device$d 2>/dev/null &
  w=$!; k=0
  while ! c=$(pgrep -P $w) && [ $k -lt 50 ]; do sleep 0.02; k=$((k + 1)); done
  eval "F$d=\${c:-\$w}"
}
iiod -p $PORT >"$T/iiod.log" 2>&1 & IIOD=$!
emu ti-vs 0 20 ""
feed 0 --reopen --seed 2
feed 1 --reopen --seed 3
feed 2 --seed 4
sleep 0.5
LD_PRELOAD="$SHIM" "$W" serve -c "$T/ward.ini" 2>"$T/serve.log" & SRV=$!
k=0; until "$CLIENT" "$T/ward.sock" hello >/dev/null 2>&1 || [ $k -ge 50 ]; do sleep 0.1; k=$((k + 1)); done
# Every bed starts healthy (whatever a slow start raised has ended).
for b in 1 2 3; do wait_for "healthy-$b" 30 "$(healthy $b)"; done
# Bed 4 has a patient, admitted; then the radar sees nobody: out of bed.
"$CLIENT" "$T/ward.sock" admit 3 P-4 KN >"$T/admit" 2>&1
sleep 3
kill $F2; feed 2 --empty --seed 4
wait_for empty-bed 20 "$(open_alarm 4 out-of-bed)"
# Bed 1: every third frame spoiled must not alarm (checked at the end).
kill $EMUPID; wait $EMUPID 2>/dev/null
wait_for unplug 8 "$(open_alarm 1 sensor-disconnected)"
emu ti-vs 0 20 "--corrupt 3"
wait_for replug 12 "$(ended_alarm 1 sensor-disconnected)"
base=$(maxid 1)
sleep 8
sql "SELECT count(*) FROM alarms WHERE bed = 1 AND id > $base" >"$T/biterr-alarms"
kill $EMUPID; wait $EMUPID 2>/dev/null
wait_for unplug2 8 "$(open_alarm 1 sensor-disconnected)"
# Garbage only (from a healthy sensor).
emu ti-vs 0 20 ""
wait_for healthy-1b 20 "$(healthy 1)"
kill $EMUPID; wait $EMUPID 2>/dev/null
emu garbage 0 20 ""
wait_for garbage 10 "$(open_alarm 1 no-signal)"
kill $EMUPID; wait $EMUPID 2>/dev/null
emu ti-vs 0 20 ""
wait_for garbage-clear 12 "$(ended_alarm 1 no-signal)"
# Every frame corrupt.
kill $EMUPID; wait $EMUPID 2>/dev/null
sql "SELECT count(*) FROM alarms WHERE bed = 1 AND condition = 'no-signal'" >"$T/ns-before"
emu ti-vs 0 20 "--corrupt 1"
wait_for allcorrupt 12 "SELECT id FROM alarms WHERE bed = 1 AND condition = 'no-signal' AND ended_at IS NULL AND id > (SELECT coalesce(max(id), 0) FROM alarms WHERE bed = 1 AND condition = 'no-signal' AND ended_at IS NOT NULL)"
kill $EMUPID; wait $EMUPID 2>/dev/null
emu ti-vs 0 20 ""
# Bed 2: stall the I/Q stream (the feeder stopped), then resume.
kill -STOP $F0
wait_for stall 10 "$(open_alarm 2 no-signal)"
kill -CONT $F0
wait_for stall-clear 12 "$(ended_alarm 2 no-signal)"
# Bed 3: iiod killed, then back.
kill -KILL $IIOD; wait $IIOD 2>/dev/null
wait_for iiod-kill 8 "$(open_alarm 3 sensor-disconnected)"
iiod -p $PORT >>"$T/iiod.log" 2>&1 & IIOD=$!
wait_for iiod-back 12 "$(ended_alarm 3 sensor-disconnected)"
# Bed 4: the patient comes back.
kill $F2; feed 2 --seed 5
wait_for back-in-bed 20 "$(ended_alarm 4 out-of-bed)"
# The core kept running throughout and readings flowed on every bed.
kill -0 $SRV && echo alive >"$T/alive"
sql "SELECT bed, count(*) FROM samples GROUP BY bed ORDER BY bed" >"$T/samples"
kill $SRV; wait $SRV
kill -KILL $IIOD 2>/dev/null  # iiod lingers ~40 s on SIGTERM
kill $EMUPID $F0 $F1 $F2 2>/dev/null; wait
EOF

T="$T" W="$W" EMU="$EMU" FEED="$FEED" SHIM="$SHIM" PORT="$PORT" CLIENT="$CLIENT" timeout 400 unshare -m sh "$T/inside.sh" \
  >"$T/inside.out" 2>&1

n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
no() { n=$((n + 1)); echo "not ok $n - $1"; }
touch "$T/times"
check() { # NAME BOUND TEXT
  v=$(awk -v k="$1" '$1 == k { print $2 }' "$T/times")
  if [ -n "$v" ] && [ "$v" != timeout ]; then ok "$3: after $v s (bound $2 s)"
  else no "$3: ${v:-not reached}"; fi
}
grep -q '^ok' "$T/admit" 2>/dev/null && ok "patient admitted on bed 4 through the server" ||
  no "admission on bed 4: $(cat "$T/admit" 2>/dev/null)"
check empty-bed 20 "nobody in bed 4 -> out-of-bed alarm"
check unplug 8 "serial unplugged -> sensor-disconnected"
check replug 12 "serial replugged -> disconnected alarm ended"
b=$(cat "$T/biterr-alarms" 2>/dev/null)
[ "$b" = 0 ] && ok "bit errors in every 3rd frame: no technical alarm, frames still decoded" ||
  no "bit errors raised no-signal (${b:-?})"
check unplug2 8 "unplugged again -> sensor-disconnected"
check garbage 10 "only garbage on the line -> no-signal"
check garbage-clear 12 "valid frames again -> no-signal ended"
check allcorrupt 12 "every frame corrupt -> no-signal"
check stall 10 "stalled I/Q stream (local) -> no-signal"
check stall-clear 12 "samples again -> no-signal ended"
check iiod-kill 8 "iiod killed -> sensor-disconnected on the network bed"
check iiod-back 12 "iiod back -> disconnected alarm ended"
check back-in-bed 20 "patient back in bed 4 -> out-of-bed ended"
[ -s "$T/alive" ] && ok "the monitoring core ran through every fault" || no "serve died"
c=$(awk '{ split($0, a, "|"); if (a[2] > 0) n++ } END { print n + 0 }' "$T/samples" 2>/dev/null || echo 0)
[ "$c" -ge 3 ] && ok "readings stored for $c beds" || no "readings stored for ${c:-0} beds"
[ -s "$T/alive" ] && ! grep -q timeout "$T/times" 2>/dev/null ||
  { sed 's/^/# /' "$T/times" "$T/inside.out" 2>/dev/null; tail -20 "$T/serve.log" 2>/dev/null | sed 's/^/# serve: /'; }
exit 0
