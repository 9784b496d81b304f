#!/bin/sh
# Short libFuzzer runs of every harness in tests/fuzz (`make fuzz` runs them
# longer): each is built with `make build-fuzz/NAME` and run for
# FUZZ_SMOKE_SECONDS (default 3), two at a time, over a scratch copy of its
# seed corpus in tests/fuzz/corpus/NAME. A crash, sanitizer report or build failure fails
# that harness; the execution count is printed for the record. SKIP when
# clang cannot link a libFuzzer program here.
cd "$(dirname "$0")/.." || exit 1
SECS=${FUZZ_SMOKE_SECONDS:-3}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

if ! command -v clang >/dev/null 2>&1; then
  echo "ok - fuzz smoke # SKIP clang not installed"; exit 0
fi
printf '#include <stdint.h>\n#include <stddef.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' \
  >"$tmp/probe.c"
if ! clang -fsanitize=fuzzer,address,undefined -o "$tmp/probe" "$tmp/probe.c" >"$tmp/probe.log" 2>&1; then
  echo "ok - fuzz smoke # SKIP clang has no libFuzzer runtime ($(head -1 "$tmp/probe.log"))"; exit 0
fi

names=$(for src in tests/fuzz/fuzz_*.c; do [ -e "$src" ] && basename "$src" .c; done)
if [ -z "$names" ]; then
  echo "ok - fuzz smoke # SKIP no harness in tests/fuzz"; exit 0
fi
# Build everything first on both cores (the library objects are shared);
# -k so one broken harness does not stop the others. A harness whose build
# failed is built again alone below, to report its own error.
targets=$(for n in $names; do printf 'build-fuzz/%s ' "$n"; done)
make -s -k -j2 $targets >"$tmp/build-all.log" 2>&1

# One harness: build, run, write its TAP line(s) to $tmp/result-NAME.
run_harness() {
  name=$1; out="$tmp/result-$name"
  if ! make -s "build-fuzz/$name" >"$tmp/build-$name.log" 2>&1; then
    { echo "not ok - $name builds"; tail -5 "$tmp/build-$name.log" | sed 's/^/# /'; } >"$out"
    return
  fi
  mkdir -p "$tmp/corpus-$name" "$tmp/art-$name"
  [ -d "tests/fuzz/corpus/$name" ] && cp -R "tests/fuzz/corpus/$name/." "$tmp/corpus-$name/"
  # -timeout: one input taking more than 10 s is a hang, which fails too.
  "build-fuzz/$name" -max_total_time="$SECS" -timeout=10 -print_final_stats=1 \
      -artifact_prefix="$tmp/art-$name/" "$tmp/corpus-$name" >"$tmp/run-$name.log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$tmp/run-$name.log")
  if [ $rc -eq 0 ]; then
    echo "ok - $name: ${execs:-?} executions in ${SECS} s, no crash" >"$out"
  else
    {
      echo "not ok - $name failed (status $rc)"
      grep -E "ERROR|SUMMARY|#[0-9]+ 0x" "$tmp/run-$name.log" | head -8 | sed 's/^/# /'
      for a in "$tmp/art-$name"/*; do
        [ -e "$a" ] && echo "# input (base64): $(base64 -w0 "$a" | cut -c1-400)"
      done
    } >"$out"
  fi
}

# Two lanes in parallel (CI has 2 cores): harnesses alternate between them.
lane() {
  i=0
  for n in $names; do
    [ $((i % 2)) -eq "$1" ] && run_harness "$n"
    i=$((i + 1))
  done
}
lane 0 & pid0=$!
lane 1 & pid1=$!
wait $pid0 $pid1
for n in $names; do
  if [ -f "$tmp/result-$n" ]; then cat "$tmp/result-$n"; else echo "not ok - $n did not report"; fi
done
exit 0
