#!/bin/sh
# Short libFuzzer runs of every harness in tests/fuzz (make fuzz runs them
# longer). A crash or sanitizer report fails the test; the executions are
# printed for the record.
cd "$(dirname "$0")/.." || exit 1
SECS=${FUZZ_SMOKE_SECONDS:-6}
if ! command -v clang >/dev/null 2>&1; then
  echo "ok - fuzz smoke # SKIP clang not installed"; exit 0
fi
for src in tests/fuzz/fuzz_*.c; do
  name=$(basename "$src" .c)
  if ! make -s "build-fuzz/$name" >/tmp/ww-fuzz-build.$$ 2>&1; then
    echo "not ok - $name builds"; sed 's/^/# /' /tmp/ww-fuzz-build.$$ | tail -5; continue
  fi
  work=$(mktemp -d)
  out=$("build-fuzz/$name" -max_total_time="$SECS" -print_final_stats=1 "$work" \
        "tests/fuzz/corpus/$name" 2>&1)
  rc=$?
  execs=$(printf '%s\n' "$out" | sed -n 's/^stat::number_of_executed_units: *//p')
  rm -rf "$work"
  if [ $rc -eq 0 ]; then
    echo "ok - $name: ${execs:-?} executions in ${SECS} s, no crash"
  else
    echo "not ok - $name crashed"; printf '%s\n' "$out" | grep -E "ERROR|SUMMARY|#0 |#1 " | head -8 | sed 's/^/# /'
  fi
done
rm -f /tmp/ww-fuzz-build.$$
