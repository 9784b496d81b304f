#!/bin/sh
# Test runner for `make check`: runs every test program given on the command
# line (cmocka unit tests, in TAP mode) and every tests/t_*.sh integration
# script, echoes their TAP output, and ends with the line
#   N passed, N failed, N skipped
# A program that dies or exits non-zero without reporting a failure counts as
# one failure, so a crash can never pass silently. Exit status 1 on any failure.
set -u
export CMOCKA_MESSAGE_OUTPUT=TAP
here=$(cd "$(dirname "$0")" && pwd)
# Sanitizer builds: third-party caches that live until exit are not leaks of
# ours (tests/lsan.supp says which); every program below inherits this.
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$here/lsan.supp:print_suppressions=0"
passed=0; failed=0; skipped=0
log=$(mktemp); trap 'rm -f "$log"' EXIT

run_one() {
  name=$1; shift
  echo "# --- $name"
  start=$(date +%s)
  "$@" >"$log" 2>&1
  rc=$?
  cat "$log"
  p=$(grep -E '^ok ' "$log" | grep -vc '# SKIP')
  s=$(grep -cE '^(not )?ok .*# SKIP' "$log")
  f=$(grep -E '^not ok ' "$log" | grep -vc '# SKIP')
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    echo "not ok - $name exited with status $rc without reporting a failure"
    f=1
  fi
  if [ $((p + s + f)) -eq 0 ]; then
    echo "not ok - $name reported no test at all"
    f=1
  fi
  echo "# $name: $p passed, $f failed, $s skipped ($(( $(date +%s) - start )) s)"
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
}

for t in "$@"; do
  run_one "$(basename "$t")" "$t"
done
for t in "$here"/t_*.sh; do
  [ -e "$t" ] || continue
  run_one "$(basename "$t")" sh "$t"
done

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
