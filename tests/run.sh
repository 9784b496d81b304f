#!/bin/sh
# Test runner for `make check`: runs every test program given on the command
# line (cmocka unit tests, in TAP mode) and every tests/t_*.sh integration
# script, echoes their TAP output, and ends with the line
#   N passed, N failed, N skipped
# A program that dies or exits non-zero without reporting a failure counts as
# one failure, so a crash can never pass silently. Exit status 1 on any failure.
#
# The unit tests run one after the other; the scripts, which mostly wait
# (for sensors, timeouts, tmux), run WW_TEST_JOBS at a time (default 2:
# each uses its own temporary directory, tmux server, ports and namespaces).
# Their output is shown whole, in the scripts' order, as each is counted.
set -u
export CMOCKA_MESSAGE_OUTPUT=TAP
here=$(cd "$(dirname "$0")" && pwd)
# Sanitizer builds: third-party caches that live until exit are not leaks of
# ours (tests/lsan.supp says which); every program below inherits this.
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$here/lsan.supp:print_suppressions=0"
passed=0; failed=0; skipped=0
log=$(mktemp); trap 'rm -f "$log"' EXIT

# count NAME LOG RC SECONDS: echo a finished test's output and count it.
count() {
  name=$1; out=$2; rc=$3; secs=$4
  echo "# --- $name"
  cat "$out"
  p=$(grep -E '^ok ' "$out" | grep -vc '# SKIP')
  s=$(grep -cE '^(not )?ok .*# SKIP' "$out")
  f=$(grep -E '^not ok ' "$out" | grep -vc '# SKIP')
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    echo "not ok - $name exited with status $rc without reporting a failure"
    f=1
  fi
  if [ $((p + s + f)) -eq 0 ]; then
    echo "not ok - $name reported no test at all"
    f=1
  fi
  echo "# $name: $p passed, $f failed, $s skipped ($secs s)"
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
}

run_one() {
  name=$1; shift
  start=$(date +%s)
  "$@" >"$log" 2>&1
  count "$name" "$log" $? $(( $(date +%s) - start ))
}

for t in "$@"; do
  run_one "$(basename "$t")" "$t"
done
# The scripts: WW_TEST_JOBS in the background at a time, each writing its
# output, exit status and seconds into $dir; counted in order.
jobs=${WW_TEST_JOBS:-2}
case $jobs in ''|*[!0-9]*|0) echo "run.sh: WW_TEST_JOBS must be a number >= 1, not '$jobs'" >&2; exit 2 ;; esac
dir=$(mktemp -d); trap 'rm -f "$log"; rm -rf "$dir"' EXIT
i=0; next=0
for t in "$here"/t_*.sh; do
  [ -e "$t" ] || continue
  ( start=$(date +%s); sh "$t" >"$dir/$i.out" 2>&1; rc=$?
    echo "$(basename "$t") $rc $(( $(date +%s) - start ))" >"$dir/$i.done" ) &
  eval "pid_$i=$!"
  i=$((i + 1))
  # A free slot: wait for the oldest still running, count it and any done.
  while [ $((i - next)) -ge "$jobs" ]; do
    eval "wait \$pid_$next"
    read -r n rc secs <"$dir/$next.done"
    count "$n" "$dir/$next.out" "$rc" "$secs"
    next=$((next + 1))
  done
done
while [ "$next" -lt "$i" ]; do
  eval "wait \$pid_$next"
  read -r n rc secs <"$dir/$next.done"
  count "$n" "$dir/$next.out" "$rc" "$secs"
  next=$((next + 1))
done

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
