#!/bin/sh
# `make demo`: run the demo ward with what this build has. Until every part of
# the demo exists this says exactly what is missing instead of pretending.
set -u
bin=${1:-bin/wardwatch}
if [ ! -x "$bin" ]; then
  echo "demo: $bin is not built" >&2
  exit 1
fi
if "$bin" --demo --help >/dev/null 2>&1; then
  exec "$bin" --demo "${DEMO_ARGS:-}"
fi
echo "demo: the demo ward (bed-board replaying recorded sessions) is not built yet."
echo "demo: what this build can show instead:"
for c in news2 config probe replay; do
  if "$bin" "$c" --help >/dev/null 2>&1; then echo "  - wardwatch $c"; fi
done
if "$bin" news2 --help >/dev/null 2>&1; then
  echo
  echo "Example: NEWS2 for RR 24.6, SpO2 94 on air, SBP 105, HR 112, Alert, 38.4 degC:"
  "$bin" news2 --rr 24.6 --spo2 94 --o2 air --sbp 105 --hr 112 --acvpu A --temp 38.4
fi
if [ -r ../shared/data/ti-vitals-iwr1642.bin ] && "$bin" probe --help >/dev/null 2>&1; then
  echo
  echo "First readings decoded from a real TI IWR1642 capture:"
  "$bin" probe ti-vs:file:../shared/data/ti-vitals-iwr1642.bin --count 5
fi
exit 1
