#!/bin/sh
# `wardwatch news2` from the outside: JSON shape, text output, exit codes and
# error messages naming the flag and the accepted range.
W=${WARDWATCH_BIN:-bin/wardwatch}
n=0
check() { # name, expected exit, expected substring, command...
  name=$1; want_rc=$2; want=$3; shift 3
  n=$((n + 1))
  out=$("$@" 2>&1); rc=$?
  if [ "$rc" -eq "$want_rc" ] && printf '%s' "$out" | grep -qF -- "$want"; then
    echo "ok $n - $name"
  else
    echo "not ok $n - $name (rc=$rc, want $want_rc; output: $out)"
  fi
}
check "json full set" 0 '{"total":8,"parts":{"rr":3,"spo2":1,"o2":0,"sbp":1,"hr":2,"acvpu":0,"temp":1},"band":"high","red":true,"partial":false,"missing":[],"monitoring_hours":0}' \
  "$W" news2 --rr 24.6 --spo2 94 --o2 air --sbp 105 --hr 112 --acvpu A --temp 38.4 --json
check "json partial radar only" 0 '"parts":{"rr":3,"hr":1},"band":"low-medium","red":true,"partial":true,"missing":["spo2","o2","sbp","acvpu","temp"],"monitoring_hours":1}' \
  "$W" news2 --rr 24.5 --hr 90.5 --json
check "scale 2 on oxygen" 0 '"spo2":3' "$W" news2 --spo2 97 --scale 2 --o2 oxygen --json
check "scale 2 on air" 0 '"spo2":0' "$W" news2 --spo2 97 --scale 2 --o2 air --json
check "temperature typed 35.05" 0 '"temp":1' "$W" news2 --temp 35.05 --json
check "text output partial" 0 'NEWS2 >= 3 (partial)' "$W" news2 --rr 8.4
check "new confusion" 0 '"acvpu":3' "$W" news2 --acvpu C --json
check "unknown flag" 2 "unknown option '--bp'" "$W" news2 --bp 120
check "non-number" 2 "spo2: 'nine' is not a number (accepted: 50-100)" "$W" news2 --spo2 nine
check "comma decimal" 2 "'36,5' is not a temperature" "$W" news2 --temp 36,5
check "out of range" 2 "rr: 81 is outside the plausible range 0-80" "$W" news2 --rr 81
check "scale 3" 2 "--scale: '3' is not 1 or 2" "$W" news2 --scale 3
check "bad acvpu" 2 "not one of A, C, V, P, U" "$W" news2 --acvpu X
check "missing value" 2 "--hr needs a value" "$W" news2 --hr
check "repeated flag" 2 "--rr given twice" "$W" news2 --rr 10 --rr 12
check "help" 0 "halves up" "$W" news2 --help
