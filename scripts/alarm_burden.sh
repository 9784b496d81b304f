#!/bin/sh
# Alarm burden: for each simulator scenario, every sensor kind and several
# seeds, simulate HOURS of a patient (with the scenario's truth), replay it
# with --fast --alarms under the default settings and report
#   - alarms raised per bed-hour (all priorities, technical included),
#   - the shortest physiological alarm (raised -> ended/superseded),
#   - for scenarios with a real event, the time from the event (from the
#     truth, not from wardwatch) to its alarm (negative: the measured
#     value, with the sensor's noise, reached the limit before the truth did).
# Usage: scripts/alarm_burden.sh [BIN] [--hours H] [--seeds N] [--sensors "a b"]
# `make burden` runs it; README's alarm burden table comes from it. SIMBIN=
# another binary simulates (to replay with an older wardwatch).
set -eu
BIN=${1:-bin/wardwatch}
[ $# -gt 0 ] && shift
H=2; SEEDS=3; SENSORS="ti-vs mr60bha2 mr60bha1 iio"
while [ $# -gt 0 ]; do
  case $1 in
    --hours) H=$2; shift 2 ;;
    --seeds) SEEDS=$2; shift 2 ;;
    --sensors) SENSORS=$2; shift 2 ;;
    *) echo "alarm_burden: unexpected '$1'" >&2; exit 2 ;;
  esac
done
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
printf '| scenario | alarms per bed-hour | shortest physiological alarm | event to alarm (median, max) |\n'
printf '|---|---|---|---|\n'
for sc in stable sepsis opioid afib copd out-of-bed unplug restless bradycardia empty; do
  : > "$T/lat"; : > "$T/cnt"; : > "$T/short"
  for sens in $SENSORS; do
    s=1
    while [ "$s" -le "$SEEDS" ]; do
      off=0
      [ "$sc" = opioid ] && off=3600
      "${SIMBIN:-$BIN}" simulate "$sc" -o "$T/r.wwrec" --sensor "$sens" --seed "$s" --hours "$H" \
        --offset "$off" --truth "$T/truth" >/dev/null 2>&1
      "$BIN" replay "$T/r.wwrec" --fast --alarms 2>/dev/null > "$T/al" || true
      # alarms raised, shortest physiological alarm
      awk -v H="$H" '
        /"event":"raised"/ { n++ }
        { t = $0; sub(/.*"t":/, "", t); sub(/,.*/, "", t)
          a = $0; if (!sub(/.*"alarm":"/, "", a)) next; sub(/".*/, "", a)
          tech = (a ~ /sensor-disconnected|no-signal|out-of-bed|store-failure|obs-overdue|export-failure/) }
        /"event":"raised"/ && !tech { start[a] = t }
        /"event":"(ended|superseded|reset)"/ && !tech && (a in start) {
          d = t - start[a]; if (min == "" || d < min) min = d; delete start[a] }
        END { printf "%.2f\n", n / H > "/dev/stderr"; if (min != "") print min }' \
        "$T/al" >> "$T/short" 2>> "$T/cnt"
      # event (from the truth) to alarm
      ev=$(awk -v sc="$sc" '
        function r(x) { return int(x + 0.5) }   # the chart rule, halves up
        function pts(rr, hr,   p) { rr = r(rr); hr = r(hr); p = 0
          if (rr <= 8 || rr >= 25) p += 3; else if (rr >= 21) p += 2; else if (rr <= 11) p += 1
          if (hr <= 40 || hr >= 131) p += 3; else if (hr >= 111) p += 2; else if (hr <= 50 || hr >= 91) p += 1
          return p }
        sc == "sepsis" && ($2 >= 25 || $3 >= 131 || pts($2, $3) >= 5) { print $1; exit }
        sc == "bradycardia" && r($3) <= 40 { print $1; exit }
        sc == "unplug" && $7 == 0 { print $1; exit }
        sc == "out-of-bed" && $4 == 0 { print $1; exit }
        sc == "opioid" { if ($6 == 1) { if (!run) run = $1; if ($1 - run + 1 >= 20) { print run; exit } } else run = 0 }
      ' "$T/truth")
      if [ -n "$ev" ]; then
        case $sc in
          sepsis) pat='"alarm":"(rr-high|hr-high|news2-[a-z-]*)"' ;;
          bradycardia) pat='"alarm":"(hr-low|news2-[a-z-]*)"' ;;
          unplug) pat='"alarm":"sensor-disconnected"' ;;
          out-of-bed) pat='"alarm":"out-of-bed"' ;;
          opioid) pat='"alarm":"apnoea"' ;;
        esac
        at=$(grep '"event":"raised"' "$T/al" | grep -E "$pat" |
             sed 's/.*"t":\([0-9.]*\).*/\1/' | awk -v e="$ev" '$1 + 0 >= e - 600 { print $1; exit }')
        if [ -n "$at" ]; then awk -v a="$at" -v e="$ev" 'BEGIN { print a - e }' >> "$T/lat"
        else echo "missed" >> "$T/lat"; fi
      fi
      s=$((s + 1))
    done
  done
  rate=$(awk '{ s += $1; n++ } END { printf "%.1f (max %.1f)", s / n, m } { if ($1 > m) m = $1 }' "$T/cnt")
  short=$(sort -n "$T/short" | head -1); [ -n "$short" ] && short="${short} s" || short="-"
  lat="-"
  if [ -s "$T/lat" ]; then
    missed=$(grep -c missed "$T/lat" || true)
    lat=$(grep -v missed "$T/lat" | sort -n | awk '{ v[NR] = $1 } END {
      if (NR) printf "%.0f s, %.0f s", v[int((NR + 1) / 2)], v[NR]; else printf "none" }')
    [ "$missed" -gt 0 ] && lat="$lat; $missed missed"
  fi
  printf '| %s | %s | %s | %s |\n' "$sc" "$rate" "$short" "$lat"
done
