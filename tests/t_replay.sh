#!/bin/sh
# Recordings end to end: simulator determinism, record/replay equals probe,
# speed independence, damage reported with its offset, scenario alarms, and
# the demo ward producing alarms of every priority early.
W=${WARDWATCH_BIN:-bin/wardwatch}
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
no() { n=$((n + 1)); echo "not ok $n - $1"; }

# Same seed -> identical file; another seed -> different.
"$W" simulate sepsis -o "$T/a.wwrec" --seed 5 --hours 0.2 &&
"$W" simulate sepsis -o "$T/b.wwrec" --seed 5 --hours 0.2 &&
"$W" simulate sepsis -o "$T/c.wwrec" --seed 6 --hours 0.2
if cmp -s "$T/a.wwrec" "$T/b.wwrec" && ! cmp -s "$T/a.wwrec" "$T/c.wwrec"; then
  ok "simulator deterministic by seed"; else no "simulator deterministic by seed"; fi

# Each driver: a capture file recorded then replayed gives the readings probe gives.
for d in ti-vs mr60bha2 mr60bha1; do
  "$W" simulate stable -o "$T/s-$d.wwrec" --sensor "$d" --hours 0.05 --seed 2 2>/dev/null
  "$W" probe "replay:$T/s-$d.wwrec" --json 2>/dev/null | sed 's/"t":[0-9.]*,//' > "$T/p1-$d"
  rm -f "$T/r-$d.wwrec"
  "$W" record "replay:$T/s-$d.wwrec" -o "$T/r-$d.wwrec" 2>/dev/null
  "$W" replay "$T/r-$d.wwrec" --fast --json 2>/dev/null | sed 's/"t":[0-9.]*,"bed":"[^"]*",//' > "$T/p2-$d"
  if [ -s "$T/p1-$d" ] && cmp -s "$T/p1-$d" "$T/p2-$d"; then
    ok "$d: record then replay gives the probe's $(wc -l < "$T/p1-$d") readings"
  else
    no "$d: record then replay differs from probe"; diff "$T/p1-$d" "$T/p2-$d" | head -3 | sed 's/^/# /'
  fi
done

# The real capture through record and replay.
CAP=../shared/data/ti-vitals-iwr1642.bin
[ -r "$CAP" ] || CAP=$(dirname "$0")/../../shared/data/ti-vitals-iwr1642.bin
if [ -r "$CAP" ]; then
  "$W" record "ti-vs:file:$CAP" -o "$T/real.wwrec" --label "IWR1642" 2>/dev/null
  c=$("$W" replay "$T/real.wwrec" --fast --json 2>/dev/null | grep -c '"hr"')
  [ "$c" = 248 ] && ok "real capture: 248 readings after record/replay" || no "real capture replay gave $c readings"
  # #18: the same readings at the same stream times (frame numbers x 50 ms)
  # from the capture and from its recording.
  "$W" probe "ti-vs:file:$CAP" --json 2>/dev/null > "$T/pc"
  "$W" probe "replay:$T/real.wwrec" --json 2>/dev/null > "$T/pr"
  if [ "$(wc -l < "$T/pc")" = 248 ] && cmp -s "$T/pc" "$T/pr" && tail -1 "$T/pr" | grep -q '"t":12.350,'; then
    ok "real capture: probe of the capture and of its recording agree, times to 12.350 s"
  else no "real capture: probe of the recording differs from the capture's"; diff "$T/pc" "$T/pr" | head -3 | sed 's/^/# /'; fi
else
  ok "real capture record/replay # SKIP ../shared/data not present"
fi

# Speed independence: --fast and --speed 200 give the same readings.
"$W" simulate restless -o "$T/sp.wwrec" --sensor mr60bha2 --hours 0.01 --seed 9 2>/dev/null
"$W" replay "$T/sp.wwrec" --fast --json 2>/dev/null | sed 's/"t":[0-9.]*,//' > "$T/f1"
"$W" replay "$T/sp.wwrec" --speed 200 --json 2>/dev/null | sed 's/"t":[0-9.]*,//' > "$T/f2"
if [ -s "$T/f1" ] && cmp -s "$T/f1" "$T/f2"; then ok "same readings at --fast and --speed 200"
else no "readings differ between --fast and --speed 200"; fi

# Damage: a flipped byte is reported with its offset; what came before replays.
cp "$T/a.wwrec" "$T/bad.wwrec"
size=$(stat -c %s "$T/bad.wwrec")
printf '\377\377\377\377' | dd of="$T/bad.wwrec" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
out=$("$W" replay "$T/bad.wwrec" --fast --json 2>"$T/err"); rc=$?
if grep -q "offset [0-9]*" "$T/err" && [ -n "$out" ] && [ $rc -ne 0 ]; then
  ok "damaged recording: $(grep -o 'offset [0-9]*: [a-z ]*' "$T/err" | head -1), earlier data replayed"
else no "damaged recording not reported (rc=$rc)"; sed 's/^/# /' "$T/err"; fi
head -c $((size / 3)) "$T/a.wwrec" > "$T/cut.wwrec"
"$W" replay "$T/cut.wwrec" --fast --json >/dev/null 2>"$T/err2"
grep -q "cut short" "$T/err2" && ok "truncated recording reported" || no "truncated recording not reported"
echo "not a recording" > "$T/junk.wwrec"
"$W" replay "$T/junk.wwrec" --fast >/dev/null 2>"$T/err3"; rc=$?
[ $rc -eq 1 ] && grep -q "offset 0: not a wardwatch recording" "$T/err3" && ok "not a recording: clear error" || no "junk file: rc=$rc"

# Scenarios produce their clinical trajectory in alarms.
"$W" simulate sepsis -o "$T/sep.wwrec" --seed 3 --hours 2 2>/dev/null
al=$("$W" replay "$T/sep.wwrec" --fast --alarms 2>/dev/null)
if printf '%s\n' "$al" | grep -q '"alarm":"rr-high"' && printf '%s\n' "$al" | grep -q '"alarm":"hr-high"' &&
   printf '%s\n' "$al" | grep -q '"alarm":"news2-medium"'; then ok "sepsis: RR high, HR high and NEWS2 medium alarms"
else no "sepsis alarms missing"; fi
first=$(printf '%s\n' "$al" | grep '"event":"raised"' | head -1 | sed 's/.*"t":\([0-9]*\).*/\1/')
[ "${first:-0}" -gt 1200 ] && ok "sepsis: no alarm while still stable (first at ${first} s)" || no "sepsis alarmed early at ${first} s"
"$W" simulate opioid -o "$T/op.wwrec" --seed 3 --hours 1 --offset 3600 2>/dev/null
"$W" replay "$T/op.wwrec" --fast --alarms 2>/dev/null | grep -q '"alarm":"apnoea","priority":"high"' &&
  ok "opioid: apnoea alarm, high priority" || no "opioid: no apnoea alarm"
"$W" simulate stable -o "$T/st.wwrec" --seed 4 --hours 1 2>/dev/null
c=$("$W" replay "$T/st.wwrec" --fast --alarms 2>/dev/null | grep -c '"event":"raised"')
[ "$c" -eq 0 ] && ok "stable patient: no alarm in an hour" || no "stable patient raised $c alarms"
"$W" simulate unplug -o "$T/un.wwrec" --seed 17 --hours 1 --offset 1600 2>/dev/null
"$W" replay "$T/un.wwrec" --fast --alarms 2>/dev/null | grep -q '"alarm":"sensor-disconnected"' &&
  ok "unplugged sensor: technical alarm" || no "unplug not alarmed"

# Usage errors.
"$W" replay >/dev/null 2>&1; [ $? -eq 2 ] && ok "replay without a file: exit 2" || no "replay usage"
"$W" replay x --fast --speed 3 >/dev/null 2>&1; [ $? -eq 2 ] && ok "--fast with --speed: exit 2" || no "--fast --speed"
"$W" simulate nosuch -o "$T/x" >/dev/null 2>&1; [ $? -eq 2 ] && ok "unknown scenario: exit 2" || no "unknown scenario"

# The demo ward: within the first 10 minutes of ward time (one minute at
# --speed 10) it shows alarms of every priority.
D=$(cd "$(dirname "$0")/.." && pwd)/data/demo
"$W" simulate --ward "$D/scenarios.txt" -o "$T/demo" --hours 0.25 2>/dev/null
"$W" replay "$T"/demo/*.wwrec --fast --alarms -c "$D/ward.ini" > "$T/demo.out" 2> "$T/demo.err"
early=$(grep '"event":"raised"' "$T/demo.out" | awk -F'"t":' '{split($2,a,","); if (a[1] < 600) print}')
h=$(printf '%s\n' "$early" | grep -c '"priority":"high"')
m=$(printf '%s\n' "$early" | grep -c '"priority":"medium"')
l=$(printf '%s\n' "$early" | grep -c '"priority":"low"')
if [ "$h" -ge 1 ] && [ "$m" -ge 1 ] && [ "$l" -ge 1 ]; then
  ok "demo ward: $h high, $m medium, $l low alarms in its first 10 minutes ($(sed 's/.*time (\(.*\)); .*/\1/' "$T/demo.err"))"
else no "demo ward early alarms: high $h medium $m low $l"; fi
