#!/bin/sh
# `wardwatch news2` from the outside: the JSON object's exact shape, the text
# table, rounding edges through the command line, and exit codes with error
# messages naming the flag and the accepted range (nothing on stdout then).
W=${WARDWATCH_BIN:-bin/wardwatch}
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; }

# check NAME RC SUBSTRING CMD...: exit status and a substring of stdout+stderr.
check() {
  name=$1; want_rc=$2; want=$3; shift 3
  out=$("$@" 2>&1); rc=$?
  if [ "$rc" -eq "$want_rc" ] && printf '%s' "$out" | grep -qF -- "$want"; then
    ok "$name"
  else
    notok "$name (rc=$rc, want $want_rc; output: $out)"
  fi
}

# json NAME EXPECTED CMD...: stdout is exactly one line, exactly EXPECTED.
json() {
  name=$1; want=$2; shift 2
  out=$("$@" 2>/dev/null); rc=$?
  if [ "$rc" -eq 0 ] && [ "$out" = "$want" ]; then
    ok "$name"
  else
    notok "$name (rc=$rc; got: $out; want: $want)"
  fi
}

# usage NAME SUBSTRING CMD...: exit 2, message on stderr, stdout empty.
usage() {
  name=$1; want=$2; shift 2
  errf=$(mktemp)
  out=$("$@" 2>"$errf"); rc=$?
  err=$(cat "$errf"); rm -f "$errf"
  if [ "$rc" -eq 2 ] && [ -z "$out" ] && printf '%s' "$err" | grep -qF -- "$want"; then
    ok "$name"
  else
    notok "$name (rc=$rc, stdout: $out, stderr: $err; want: $want)"
  fi
}

json "json full set" \
  '{"total":8,"parts":{"rr":3,"spo2":1,"o2":0,"sbp":1,"hr":2,"acvpu":0,"temp":1},"band":"high","red":true,"partial":false,"missing":[],"monitoring_hours":0}' \
  "$W" news2 --rr 24.6 --spo2 94 --o2 air --sbp 105 --hr 112 --acvpu A --temp 38.4 --json
json "json all normal" \
  '{"total":0,"parts":{"rr":0,"spo2":0,"o2":0,"sbp":0,"hr":0,"acvpu":0,"temp":0},"band":"low","red":false,"partial":false,"missing":[],"monitoring_hours":12}' \
  "$W" news2 --json --temp 37.0 --acvpu a --hr 70 --sbp 120 --o2 air --spo2 97 --rr 16
json "json maximum 20" \
  '{"total":20,"parts":{"rr":3,"spo2":3,"o2":2,"sbp":3,"hr":3,"acvpu":3,"temp":3},"band":"high","red":true,"partial":false,"missing":[],"monitoring_hours":0}' \
  "$W" news2 --rr 30 --spo2 85 --o2 oxygen --sbp 80 --hr 140 --acvpu U --temp 34.0 --json
json "json partial radar only" \
  '{"total":4,"parts":{"rr":3,"hr":1},"band":"low-medium","red":true,"partial":true,"missing":["spo2","o2","sbp","acvpu","temp"],"monitoring_hours":1}' \
  "$W" news2 --rr 24.5 --hr 90.5 --json
json "json medium 1-4 interval" \
  '{"total":2,"parts":{"rr":2},"band":"low","red":false,"partial":true,"missing":["spo2","o2","sbp","hr","acvpu","temp"],"monitoring_hours":4}' \
  "$W" news2 --rr 20.5 --json
json "json no values at all" \
  '{"total":0,"parts":{},"band":"low","red":false,"partial":true,"missing":["rr","spo2","o2","sbp","hr","acvpu","temp"],"monitoring_hours":12}' \
  "$W" news2 --json
json "json scale 2 without o2 is a lower bound" \
  '{"total":0,"parts":{"spo2":0},"band":"low","red":false,"partial":true,"missing":["rr","o2","sbp","hr","acvpu","temp"],"monitoring_hours":12}' \
  "$W" news2 --spo2 97 --scale 2 --json

# The object parses as JSON with the right types (jq when installed).
if command -v jq >/dev/null 2>&1; then
  out=$("$W" news2 --rr 26 --hr 120 --json); rc=$?
  if [ "$rc" -eq 0 ] && printf '%s\n' "$out" |
     jq -e '(.total|type)=="number" and (.parts|type)=="object" and (.band|type)=="string"
            and (.red|type)=="boolean" and (.partial|type)=="boolean"
            and (.missing|type)=="array" and (.monitoring_hours|type)=="number"
            and (keys_unsorted == ["total","parts","band","red","partial","missing","monitoring_hours"])
            and .total==5 and .band=="medium"' >/dev/null; then
    ok "json parses with the documented keys and types"
  else
    notok "json parses with the documented keys and types"
  fi
else
  ok "json parses with the documented keys and types # SKIP jq not installed"
fi

check "scale 2 on oxygen" 0 '"spo2":3,"o2":2' "$W" news2 --spo2 97 --scale 2 --o2 oxygen --json
check "scale 2 on air" 0 '"spo2":0,"o2":0' "$W" news2 --spo2 97 --scale 2 --o2 air --json
check "scale 2 88 on oxygen" 0 '"spo2":0' "$W" news2 --spo2 88 --scale 2 --o2 oxygen --json
check "scale 1 on oxygen" 0 '"spo2":0,"o2":2' "$W" news2 --spo2 97 --scale 1 --o2 oxygen --json
check "rr 8.4 rounds to 8" 0 '"rr":3' "$W" news2 --rr 8.4 --json
check "rr 8.5 rounds to 9" 0 '"rr":1' "$W" news2 --rr 8.5 --json
check "sbp 219.5 rounds to 220" 0 '"sbp":3' "$W" news2 --sbp 219.5 --json
check "temperature typed 35.05" 0 '"temp":1' "$W" news2 --temp 35.05 --json
check "temperature typed 35.049" 0 '"temp":3' "$W" news2 --temp 35.049 --json
check "temperature typed 38.05" 0 '"temp":1' "$W" news2 --temp 38.05 --json
check "temperature typed 39.05" 0 '"temp":2' "$W" news2 --temp 39.05 --json
check "new confusion" 0 '"acvpu":3' "$W" news2 --acvpu C --json
check "text output partial" 0 'NEWS2 >= 3 (partial), at least low-medium risk' "$W" news2 --rr 8.4
# The value shown is the value scored (rounded once by the chart), what was
# typed beside it: "8.4 ... 3" read as 8.4 scoring 3, a band it is not in.
check "text output table: the scored value, the typed one beside it" 0 'Respiration rate   8        3   (typed 8.4)' "$W" news2 --rr 8.4
check "text: temperature 35.05 shown as the 35.1 scored" 0 'Temperature        35.1     1   (typed 35.05)' "$W" news2 --temp 35.05
check "text: pulse 130.5 shown as the 131 scored" 0 'Pulse              131      3   (typed 130.5)' "$W" news2 --hr 130.5
"$W" news2 --temp 37.0 | grep -qx 'Temperature        37.0     0' && ok "text: a value typed as scored has no note" ||
  notok "text: note on a value typed as scored: $("$W" news2 --temp 37.0 | grep Temp)"
check "text output complete" 0 'NEWS2 5, medium risk' \
  "$W" news2 --rr 25 --spo2 97 --o2 air --sbp 120 --hr 115 --acvpu A --temp 37
# An incomplete set is due now, not at the lower bound's interval (before:
# "every 12 hours" for a temperature alone).
check "text: an incomplete set is due now" 0 'minimum monitoring: the set is incomplete (6 missing): complete it now' "$W" news2 --temp 37
check "text monitoring continuous" 0 'minimum monitoring: continuous' \
  "$W" news2 --rr 30 --hr 140 --temp 39.5
check "text scale 2 lower bound note" 0 'counted as air (lower bound)' "$W" news2 --spo2 95 --scale 2
check "help" 0 "halves up" "$W" news2 --help

# H16-20: the ward's own response table (hospitals vary), not the RCP
# default, when the ward configures one (before: -c refused, the
# configuration ignored, "monitoring_hours":4 on a ward that says 6).
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
printf '[ward]\nname = Test\n[news2]\nmonitoring_h_low = 6\n' >"$T/w.ini"
check "-c: the ward's response table" 0 '"monitoring_hours":6' \
  "$W" news2 -c "$T/w.ini" --rr 22 --hr 70 --spo2 97 --o2 air --sbp 120 --acvpu A --temp 37 --json
check "WARDWATCH_CONFIG: the ward's response table" 0 'minimum monitoring: every 6 hours' \
  env WARDWATCH_CONFIG="$T/w.ini" "$W" news2 --rr 22 --hr 70 --spo2 97 --o2 air --sbp 120 --acvpu A --temp 37
check "-c missing file: named, exit 2" 2 "$T/none.ini: cannot open" "$W" news2 -c "$T/none.ini" --rr 22
printf '[news2]\nmonitoring_h_low = soon\n' >"$T/bad.ini"
check "-c bad policy: file and key named, exit 2" 2 "monitoring_h_low" "$W" news2 -c "$T/bad.ini" --rr 22

usage "unknown flag" "unknown option '--bp'" "$W" news2 --bp 120
usage "stray argument" "unknown option '37'" "$W" news2 37
usage "non-number" "--spo2: 'nine' is not a number (accepted: 50-100)" "$W" news2 --spo2 nine
usage "comma decimal" "--temp: '36,5' is not a temperature like 37.2 (degC, accepted: 25.0-45.0)" \
  "$W" news2 --temp 36,5
usage "comma decimal rr" "--rr: '8,5' is not a number (accepted: 0-80)" "$W" news2 --rr 8,5
usage "out of range" "--rr: 81 is outside the plausible range 0-80" "$W" news2 --rr 81
usage "out of range after rounding" "--hr: 300.5 is outside the plausible range 20-300" \
  "$W" news2 --hr 300.5
usage "temperature out of range" "--temp: 45.05 is outside the plausible range 25.0-45.0" \
  "$W" news2 --temp 45.05
usage "sbp too low" "--sbp: 39 is outside the plausible range 40-300" "$W" news2 --sbp 39
usage "scale 3" "--scale: '3' is not 1 or 2" "$W" news2 --scale 3
usage "scale twice" "--scale given twice" "$W" news2 --scale 1 --scale 2
usage "bad acvpu" "--acvpu: 'X' is not one of A, C, V, P, U" "$W" news2 --acvpu X
usage "bad o2" "--o2: 'maybe' is not air or oxygen" "$W" news2 --o2 maybe
usage "missing value" "--hr needs a value" "$W" news2 --hr
usage "value is another flag" "--rr needs a value" "$W" news2 --rr --json
usage "repeated flag" "--rr given twice" "$W" news2 --rr 10 --rr 12
usage "hex refused" "--hr: '0x50' is not a number" "$W" news2 --hr 0x50
