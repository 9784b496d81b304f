#!/bin/sh
# Raw I/Q radar through the real libiio and iiod, no hardware (tests/README.md):
# in a private mount namespace a tmpfs over /sys/bus holds a fake IIO device
# (name, sampling_frequency, carrier, two scan elements) and a FIFO bound over
# /dev/iio:device0 carries interleaved I/Q that tests/tools/iq_feed
# synthesises (sensors/iqgen) with a known rate. `wardwatch probe` reads it
# through the local backend (poll fd in the loop) and through a real
# `iiod -p PORT` over ip:127.0.0.1:PORT (reader thread); killing iiod must
# raise DISCONNECTED, restarting it must bring readings back. The DSP is
# clocked by samples, so minutes of signal pass in seconds and the local and
# network paths must give identical readings for identical samples.
W=${WARDWATCH_BIN:-bin/wardwatch}
B=${WARDWATCH_BUILD:-build}
case "$W" in /*) ;; *) W=$(pwd)/$W ;; esac
case "$B" in /*) ;; *) B=$(pwd)/$B ;; esac
FEED=$B/tests/tools/iq_feed
# A feeder blocks opening the FIFO until a reader comes: never for ever.
FEEDT="timeout 100 $FEED"

n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
no() { n=$((n + 1)); echo "not ok $n - $1"; }
T=$(mktemp -d); [ -n "${KEEP:-}" ] && echo "# keeping $T" || trap 'rm -rf "$T"' EXIT

# URI errors need no device: exit 2 naming the fault.
usage() { # $1 = text expected on stderr, $2 = URI
  "$W" probe "$2" --seconds 1 >/dev/null 2>"$T/u.err"; rc=$?
  if [ $rc -eq 2 ] && grep -q -- "$1" "$T/u.err"; then ok "probe $2: exit 2 naming '$1'"
  else no "probe $2: rc=$rc"; sed 's/^/# /' "$T/u.err" | head -2; fi
}
usage "device=NAME" "iio:local:"
usage "not a libiio URI" "iio:nowhere?device=x"
usage "unknown iio parameter 'gain'" "iio:local:?device=x&gain=3"
usage "fs: 'fast'" "iio:local:?device=x&fs=fast"
usage "wavelength_mm" "iio:local:?device=x&wavelength_mm=0"
usage "pair up one to one" "iio:local:?device=x&i=voltage0,voltage2&q=voltage1"
usage "both an I and a Q channel" "iio:local:?device=x&i=voltage0,voltage1&q=voltage1,voltage3"
usage "listed twice" "iio:local:?device=x&i=voltage0,voltage0&q=voltage1,voltage3"
# The recording format holds one I/Q pair: several are refused, not mangled.
"$W" record "iio:local:?device=x&i=voltage0,voltage2&q=voltage1,voltage3" -o "$T/multi.rec" --seconds 1 2>"$T/mrec.err"; rc=$?
[ $rc = 1 ] && grep -q "recording the I/Q of 2 range points is not supported" "$T/mrec.err" && [ ! -e "$T/multi.rec" ] &&
  ok "record of 2 range points: refused naming why, no file" || { no "record of 2 range points: rc=$rc"; sed 's/^/# /' "$T/mrec.err"; }

if [ "$(id -u)" != 0 ] || ! unshare -m true 2>/dev/null; then
  echo "ok - iio device tests # SKIP needs root and unshare -m (private mount namespace)"; exit 0
fi
if ! command -v iiod >/dev/null 2>&1; then
  echo "ok - iio device tests # SKIP iiod not installed (Debian package iiod)"; exit 0
fi

# The fake device, inside a namespace: $1 = sampling_frequency ("-" none),
# $2 = scan type, $3 = carrier Hz ("-" none).
cat >"$T/dev.sh" <<'EOF'
mount --make-rprivate / 2>/dev/null
mount -t tmpfs none /sys/bus || exit 1
d=/sys/bus/iio/devices/iio:device0
mkdir -p $d/scan_elements $d/buffer
echo cw-radar > $d/name
[ "$1" = - ] || echo "$1" > $d/sampling_frequency
[ "$3" = - ] || echo "$3" > $d/out_altvoltage0_frequency
for c in $(seq 0 $((${NCH:-2} - 1))); do
  echo 1 > $d/scan_elements/in_voltage${c}_en
  echo $c > $d/scan_elements/in_voltage${c}_index
  echo "$2" > $d/scan_elements/in_voltage${c}_type
done
echo 0 > $d/buffer/enable; echo 1024 > $d/buffer/length; echo 1 > $d/buffer/watermark
rm -f "$FIFO"; mkfifo "$FIFO"
touch /dev/iio:device0 && mount --bind "$FIFO" /dev/iio:device0
EOF
# ns NAME FS TYPE CARRIER BODY: BODY runs in a namespace with the device.
ns() {
  name=$1 fs=$2 type=$3 car=$4; shift 4
  FIFO="$T/fifo-$name" timeout 120 unshare -m sh -c "set -- '$fs' '$type' '$car'; . '$T/dev.sh' && { $1; }"
}

# 1. Local backend: 90 s of a patient breathing 14 /min with HR 66 at 2.5 kHz.
S0=$(date +%s)
ns local 2500 'le:s16/16>>0' 24125000000 "
  $FEEDT --seconds 90 --rr 14 --hr 66 --seed 5 /dev/iio:device0 2>'$T/feed-local' &
  '$W' probe 'iio:local:?device=cw-radar' --json --count 90 --seconds 60 >'$T/local.json' 2>'$T/local.err'
  wait"
S1=$(date +%s)
c=$(grep -c . "$T/local.json")
[ "$c" = 90 ] && ok "local: one reading per second of signal (90 for 90 s, in $((S1 - S0)) s)" ||
  { no "local: $c readings for 90 s of signal"; sed 's/^/# /' "$T/local.err" | head -5; }
grep -q '"t":1.000,' "$T/local.json" && grep -q '"t":90.000,' "$T/local.json" &&
  ok "local: t counts samples (1.000 .. 90.000)" || no "local: t not from the sample count"
# Rates after the 20 s warm-up, within 1.5 /min and 5 /min of the truth.
jq -rs '[.[] | select(.t > 25)] as $a | [$a[] | select(.rr) | (.rr - 14) | fabs] as $r
  | [$a[] | select(.hr) | (.hr - 66) | fabs] as $h
  | "\($a | length) \($r | length) \($h | length) \(if ($r|length) > 0 then ($r|add)/($r|length) else 99 end) \(if ($h|length) > 0 then ($h|add)/($h|length) else 99 end)"' \
  "$T/local.json" >"$T/acc"
read -r nn nr nh mr mh <"$T/acc"
awk -v a="$mr" -v b="$mh" -v nr="$nr" -v nh="$nh" -v n="$nn" 'BEGIN { exit !(n > 0 && a <= 1.5 && b <= 5 && nr >= n * 0.8 && nh >= n * 0.6) }' &&
  ok "local: RR error $(printf %.2f "$mr") /min ($nr of $nn s), HR error $(printf %.2f "$mh") /min ($nh of $nn s) after warm-up" ||
  no "local: RR error $mr ($nr of $nn), HR error $mh ($nh of $nn)"
grep -q "wavelength 12.4 mm (the device's carrier frequency)" "$T/local.err" &&
  ok "carrier frequency attribute gives the wavelength" || no "wavelength not from the carrier"
grep -q "2500 Hz (the device's sampling_frequency)" "$T/local.err" && ok "sampling rate from the device" ||
  no "sampling rate not from the device"

# 2. Device, channel and rate errors name what is wrong.
ns errs - 'le:s16/16>>0' - "
  '$W' probe 'iio:local:?device=nosuch' --seconds 2 >/dev/null 2>'$T/e1'; echo \$? >'$T/e1.rc'
  '$W' probe 'iio:local:?device=cw-radar&q=voltage7' --seconds 2 >/dev/null 2>'$T/e2'; echo \$? >'$T/e2.rc'
  '$W' probe 'iio:local:?device=cw-radar' --seconds 2 >/dev/null 2>'$T/e3'; echo \$? >'$T/e3.rc'"
[ "$(cat "$T/e1.rc")" = 1 ] && grep -q "no IIO device 'nosuch'" "$T/e1" && ok "unknown device: exit 1 naming it" ||
  { no "unknown device"; cat "$T/e1" | sed 's/^/# /'; }
grep -q "no input channel 'voltage7'" "$T/e2" && ok "unknown channel named" || no "unknown channel"
grep -q "no sampling_frequency attribute: give fs=HZ" "$T/e3" && ok "no rate attribute: asks for fs=" ||
  { no "no rate attribute"; sed 's/^/# /' "$T/e3"; }

# 3. fs= given, 12-bit samples, 100 Hz, empty bed: presence false, no rates.
ns empty - 'le:s12/16>>0' - "
  $FEEDT --fs 100 --bits 12 --seconds 60 --empty --seed 9 /dev/iio:device0 2>/dev/null &
  '$W' probe 'iio:local:?device=cw-radar&fs=100' --json --count 60 --seconds 30 >'$T/empty.json' 2>'$T/empty.err'
  wait"
c=$(grep -c '"presence":false' "$T/empty.json"); r=$(grep -c '"rr"\|"hr"' "$T/empty.json")
[ "$c" -ge 50 ] && [ "$r" = 0 ] && ok "empty bed (12-bit, fs=100): absent $c of 60 s, no rate reported" ||
  { no "empty bed: $c absent, $r with a rate"; head -3 "$T/empty.json" | sed 's/^/# /'; sed 's/^/# /' "$T/empty.err"; }
ns s12 - 'le:s12/16>>0' - "
  $FEEDT --fs 250 --bits 12 --seconds 60 --rr 20 --hr 90 --seed 3 /dev/iio:device0 2>'$T/feed-s12' &
  '$W' probe 'iio:local:?device=cw-radar&fs=250&wavelength_mm=5' --json --count 60 --seconds 30 >'$T/s12.json' 2>/dev/null
  wait"
# The generator's rate wanders (set 20, 19.1-19.8 over the last 20 s of this
# seed): judge against its truth at the end ("iq_feed: N samples, rr R ..."),
# within 1 /min, not against the set rate.
tr=$(sed -n 's/.* rr \([0-9.]*\) .*/\1/p' "$T/feed-s12")
r=$(tail -20 "$T/s12.json" | jq -r --argjson t "${tr:-0}" 'select(.rr and ((.rr - $t) | fabs) <= 1) | .t' | grep -c .)
[ "$r" -ge 15 ] && ok "12-bit sign-extended samples at 250 Hz: RR within 1 of the truth ($tr) in $r of the last 20 s" ||
  { no "12-bit samples: RR within 1 of the truth (${tr:-none}) in $r of 20"; tail -3 "$T/s12.json" | sed 's/^/# /'; }

# 3b. Four range points (i=/q= channel lists; an FMCW-like front-end): the
#     patient in pair 2, receiver noise in the others; the DSP follows pair 2.
export NCH=8; ns multi 250 'le:s16/16>>0' - "
  $FEEDT --fs 250 --points 4 --chest 2 --seconds 60 --rr 18 --hr 80 --wavelength 3.9 --seed 6 /dev/iio:device0 2>/dev/null &
  '$W' probe 'iio:local:?device=cw-radar&i=voltage0,voltage2,voltage4,voltage6&q=voltage1,voltage3,voltage5,voltage7&wavelength_mm=3.9' --json --count 60 --seconds 30 >'$T/multi.json' 2>'$T/multi.err'
  wait"
NCH=2
r=$(tail -30 "$T/multi.json" | grep -c '"rr":\(17\|18\|19\)\.')
c=$(grep -c . "$T/multi.json")
[ "$c" = 60 ] && [ "$r" -ge 25 ] && grep -q "4 range points" "$T/multi.err" &&
  ok "4 range points from one device: RR 18 in $r of the last 30 s, one reading per second" ||
  { no "4 range points: $c readings, RR 18 in $r of 30"; tail -3 "$T/multi.json" | sed 's/^/# /'; sed 's/^/# /' "$T/multi.err" | head -5; }

# 4. The stream stops (the writer idles): NO SIGNAL within the 10 s watchdog,
#    and a stream that starts again is read again.
ns stall 2500 'le:s16/16>>0' - "
  exec 3<>/dev/iio:device0
  '$W' probe 'iio:local:?device=cw-radar' --json --seconds 16 >'$T/stall.json' 2>'$T/stall.err' &
  p=\$!
  $FEEDT --seconds 3 --seed 4 /dev/iio:device0 2>/dev/null
  sleep 13
  $FEEDT --seconds 2 --seed 4 --realtime /dev/iio:device0 2>/dev/null
  wait \$p"
grep -q "NO SIGNAL: no I/Q samples for 10 s" "$T/stall.err" && ok "stalled stream: NO SIGNAL after 10 s" ||
  { no "stalled stream not reported"; sed 's/^/# /' "$T/stall.err"; }
[ "$(grep -c 'sensor connected' "$T/stall.err")" -ge 2 ] && ok "stream back after the stall: connected again" ||
  { no "no reconnect after the stall"; sed 's/^/# /' "$T/stall.err"; }

# 5. The same device through a real iiod, read over the network: identical
#    readings for identical samples; iiod killed -> DISCONNECTED; restarted ->
#    readings again.
PORT=$((31000 + $$ % 2000))
ns net 2500 'le:s16/16>>0' 24125000000 "
  iiod -p $PORT >'$T/iiod.log' 2>&1 & i=\$!
  sleep 0.5
  $FEEDT --seconds 90 --rr 14 --hr 66 --seed 5 /dev/iio:device0 2>/dev/null &
  '$W' probe 'iio:ip:127.0.0.1:$PORT?device=cw-radar' --json --count 90 --seconds 60 >'$T/net.json' 2>'$T/net.err'
  wait \$!
  $FEEDT --seconds 200 --rr 16 --hr 70 --realtime --reopen /dev/iio:device0 2>/dev/null & f=\$!
  '$W' probe 'iio:ip:127.0.0.1:$PORT?device=cw-radar' --json --seconds 18 >'$T/kill.json' 2>'$T/kill.err' & p=\$!
  sleep 6; kill -KILL \$i; wait \$i 2>/dev/null
  date +%s.%N >'$T/killed'
  sleep 3
  iiod -p $PORT >>'$T/iiod.log' 2>&1 & i=\$!
  wait \$p
  kill -KILL \$i; kill \$f 2>/dev/null; wait"
if cmp -s "$T/local.json" "$T/net.json"; then ok "ip:127.0.0.1:$PORT through iiod: the same 90 readings as local:"
else no "network readings differ from local ($(grep -c . "$T/net.json") lines)"; sed 's/^/# /' "$T/net.err" | head -5; fi
grep -q "DISCONNECTED: ip:127.0.0.1:$PORT: the IIO stream stopped" "$T/kill.err" &&
  ok "iiod killed: DISCONNECTED naming the host" || { no "iiod kill not reported"; sed 's/^/# /' "$T/kill.err"; }
[ "$(grep -c 'sensor connected' "$T/kill.err")" -ge 2 ] && ok "iiod restarted: connected again" ||
  no "no reconnect after iiod restart"
# Readings before the kill and after the restart, t increasing throughout.
awk -F'[:,]' '{ t = $2 + 0; if (NR > 1 && t <= last) bad = 1; last = t } END { exit bad || NR < 8 }' "$T/kill.json" &&
  ok "readings before and after the outage ($(grep -c . "$T/kill.json")), t increasing" ||
  { no "readings around the outage"; sed 's/^/# /' "$T/kill.json" | tail -3; }

# 5b. The network "pulled": iiod stopped (SIGSTOP) keeps the TCP connection
#     open but silent; the refill's context timeout (5 s) ends it, then the
#     link reconnects once iiod answers again (SIGCONT).
PORT2=$((PORT + 1))
ns hang 2500 'le:s16/16>>0' - "
  iiod -p $PORT2 >/dev/null 2>&1 & i=\$!
  sleep 0.5
  $FEEDT --seconds 200 --realtime --reopen /dev/iio:device0 2>/dev/null & f=\$!
  '$W' probe 'iio:ip:127.0.0.1:$PORT2?device=cw-radar' --json --seconds 17 >'$T/hang.json' 2>'$T/hang.err' & p=\$!
  sleep 3; kill -STOP \$i
  k=0; while [ \$k -lt 60 ] && ! grep -q DISCONNECTED '$T/hang.err'; do sleep 0.2; k=\$((k + 1)); done
  echo \$k >'$T/hang.ticks'
  sleep 2; kill -CONT \$i
  wait \$p
  kill -KILL \$i; kill \$f 2>/dev/null; wait"
k=$(cat "$T/hang.ticks" 2>/dev/null || echo 99)
grep -q "DISCONNECTED: ip:127.0.0.1:$PORT2: the IIO stream stopped" "$T/hang.err" && [ "$k" -le 40 ] &&
  ok "silent peer (iiod stopped): DISCONNECTED after $(awk -v k="$k" 'BEGIN { print k / 5 }') s (bound 8 s: the 5 s context timeout)" ||
  { no "silent peer not reported as a timeout"; sed 's/^/# /' "$T/hang.err" | head -4; }
[ "$(grep -c 'sensor connected' "$T/hang.err")" -ge 2 ] && ok "peer answers again: connected again" ||
  { no "no reconnect after the peer came back"; sed 's/^/# /' "$T/hang.err" | head -6; }

# 6. record through libiio, then replay: the same readings as probing live.
ns rec 2500 'le:s16/16>>0' - "
  $FEEDT --seconds 40 --rr 12 --hr 75 --seed 8 /dev/iio:device0 2>/dev/null &
  '$W' probe 'iio:local:?device=cw-radar' --json --count 40 --seconds 30 >'$T/live.json' 2>/dev/null
  wait
  $FEEDT --seconds 40 --rr 12 --hr 75 --seed 8 /dev/iio:device0 2>/dev/null & f=\$!
  '$W' record 'iio:local:?device=cw-radar' -o '$T/iq.wwrec' --seconds 20 2>'$T/rec.err' &
  r=\$!
  wait \$f; sleep 1; kill -INT \$r; wait \$r"
"$W" replay "$T/iq.wwrec" --json --fast >"$T/replay.json" 2>"$T/replay.err"
# replay stamps readings with the ward clock (the recording's arrival
# times) and the bed: compare what the sensor reported.
jq -c 'del(.t, .bed)' "$T/replay.json" >"$T/r1"
jq -c 'del(.t)' "$T/live.json" >"$T/r0"
if [ -s "$T/r0" ] && cmp -s "$T/r0" "$T/r1"; then ok "record + replay of an iio sensor: the same $(grep -c . "$T/r0") readings as live"
else no "replayed readings differ ($(grep -c . "$T/r0") live, $(grep -c . "$T/r1") replayed)"; diff "$T/r0" "$T/r1" | head -4 | sed 's/^/# /'; sed 's/^/# /' "$T/rec.err" "$T/replay.err" | head -6; fi

# 7. Real radar through a real iiod: Acconeer's A121 recording of a seated
#    breathing person (60.5 GHz, 21 range points, 20 frames/s; kept outside
#    the repository, ../shared/data/acconeer-a121) written as it is into a
#    device of 42 channels (21 I/Q pairs) and read over the network with the
#    21 pairs listed: RR after the 20 s warm-up in >= 80 % of the seconds,
#    each 15.5-19.8 /min (Acconeer's own application: 17.5-18.8; an offline
#    phase spectrum: 17.7-18.0).
A121=""
for d in "${WARDWATCH_SHARED:+$WARDWATCH_SHARED/data}" ../shared/data ../../shared/data; do
  [ -n "$d" ] && [ -f "$d/acconeer-a121/breathing-sitting.iq21" ] && { A121=$(cd "$d" && pwd)/acconeer-a121; break; }
done
# a121 FILE SECONDS LO HI WHAT: FILE written into a device of 21 I/Q pairs,
# read through iiod; RR after warm-up in >= 80 % of the seconds, all LO-HI.
a121() {
  I=$(seq -s, 0 2 40 | sed 's/[0-9][0-9]*/voltage&/g'); Q=$(seq -s, 1 2 41 | sed 's/[0-9][0-9]*/voltage&/g')
  PORT3=$((PORT + 2))
  export NCH=42; ns a121 20 'le:s16/16>>0' 60500000000 "
    iiod -p $PORT3 >/dev/null 2>&1 & i=\$!
    sleep 0.5
    cat '$A121/$1' >/dev/iio:device0 &
    '$W' probe 'iio:ip:127.0.0.1:$PORT3?device=cw-radar&i=$I&q=$Q&buffer=20' --json --count $2 --seconds 60 >'$T/a121.json' 2>'$T/a121.err'
    kill -KILL \$i; wait"
  NCH=2
  jq -rs --argjson lo "$3" --argjson hi "$4" '[.[] | select(.t > 20.5)] as $a | [$a[] | select(.rr)] as $r
    | "\($a | length) \($r | length) \([$r[] | select(.rr < $lo or .rr > $hi)] | length)"' "$T/a121.json" >"$T/a121.acc" 2>/dev/null
  read -r na nr nbad <"$T/a121.acc"
  [ "${na:-0}" -ge $(($2 - 21)) ] && [ "$((nr * 5))" -ge "$((na * 4))" ] && [ "${nbad:-1}" = 0 ] && grep -q "21 range points" "$T/a121.err" &&
    ok "$5 (21 range points) through iiod: RR in $nr of $na s after warm-up, all $3-$4 /min" ||
    { no "$5 through iiod: ${na:-?} s, RR in ${nr:-?}, ${nbad:-?} outside $3-$4"; tail -3 "$T/a121.json" | sed 's/^/# /'; sed 's/^/# /' "$T/a121.err" | head -5; }
}
if [ -z "$A121" ]; then
  echo "ok - real A121 recordings through iiod # SKIP ../shared/data/acconeer-a121 not found"
else
  a121 breathing-sitting.iq21 38 15.5 19.8 "real A121 recording"
  # 8. Its second recording ("no-presence": Acconeer's presence processor
  #    off, not an empty room): a seated person at 0.42-0.48 m breathing
  #    20.1-21.5 /min in a 20 s window (11 breaths counted: 20.5 /min).
  a121 no-presence.iq21 33 18 22 "second real A121 recording, a person at 0.45 m"
fi
