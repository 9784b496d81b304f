#!/bin/sh
# `make soak`: the long run of issue #9.
#  1. The demo ward (12 beds, data/demo/recordings, generated if missing)
#     replayed with its store for SOAK_HOURS simulated hours (default 24)
#     with --fast --loop; every SOAK_EVERY simulated seconds (default 3600)
#     the resident set size and the database size are printed, then the
#     growth: RSS after the first interval against the end (flat once
#     SQLite's page cache is warm), and database bytes per bed-day (the
#     retention design allows <= 3 MB per bed-day of per-second rows for
#     samples_days, then per-minute rows). Then the same ward for
#     SOAK_RET_DAYS days (default 4) with samples_days = 1, to watch the
#     retention hold the file: per-second rows stay at one day's worth.
#  2. valgrind --leak-check=full over a shorter replay with the store, once
#     --fast (SOAK_VALGRIND_S simulated seconds, default 1800) and once paced
#     through the event loop (--speed 200 for 300 s); any leak or memory error
#     fails.
# Prints figures; exits 1 when a run fails, leaks, or loses rows.
set -u
W=${1:-bin/wardwatch}
case $W in /*) ;; *) W=$PWD/$W ;; esac
HOURS=${SOAK_HOURS:-24}
EVERY=${SOAK_EVERY:-3600}
VG_S=${SOAK_VALGRIND_S:-1800}
cd "$(dirname "$0")/.." || exit 1
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
status=0

REC=data/demo/recordings
if [ ! -r "$REC/bed01.wwrec" ]; then
  echo "soak: generating the demo recordings in $REC"
  "$W" simulate --ward data/demo/scenarios.txt -o "$REC" || exit 1
fi
beds=$(ls "$REC"/*.wwrec | wc -l)

echo "== soak: $beds beds, $HOURS h simulated (--fast --loop), stats every $EVERY s"
secs=$(echo "$HOURS" | awk '{printf "%d", $1 * 3600}')
start=$(date +%s)
"$W" replay "$REC"/*.wwrec --fast --loop --for "$secs" --stats "$EVERY" --db "$T/soak.db" \
  >/dev/null 2>"$T/soak.err"
rc=$?
grep -E '^stats ' "$T/soak.err" | awk '{
  for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
  printf "  t=%6.1f h  rss %6.1f MB  peak %6.1f MB  db %7.1f MB  readings %9d  queued %d  dropped %d  lost %d  store %s\n",
         v["t"] / 3600, v["rss_kb"] / 1024, v["peak_rss_kb"] / 1024, v["db_bytes"] / 1e6,
         v["readings"], v["queued"], v["dropped"], v["lost"], v["store"] }'
grep -v '^stats ' "$T/soak.err" | sed 's/^/  /'
first=$(grep -E '^stats ' "$T/soak.err" | head -1)
last=$(grep -E '^stats ' "$T/soak.err" | tail -1)
val() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
# After the replay closed the store the WAL is checkpointed away: the file
# alone is the database.
r1=$(val "$first" rss_kb); r2=$(val "$last" peak_rss_kb); db=$(stat -c %s "$T/soak.db")
awk -v r1="$r1" -v r2="$r2" -v db="$db" -v beds="$beds" -v h="$HOURS" -v wall=$(( $(date +%s) - start )) 'BEGIN {
  printf "soak: RSS %.1f MB after the first interval, peak %.1f MB at the end (growth %.1f MB); wall %d s\n",
         r1 / 1024, r2 / 1024, (r2 - r1) / 1024, wall
  printf "soak: database after close %.1f MB = %.2f MB per bed-day (design: <= 3 MB per bed-day raw)\n",
         db / 1e6, db / 1e6 / (beds * h / 24) }'
if [ $rc -ne 0 ] || ! grep -q ' 0 still queued, 0 samples dropped, 0 rows lost' "$T/soak.err"; then
  echo "soak: FAILED (replay exit $rc)"; status=1
fi
if "$W" check "$T/soak.db" >"$T/check.out" 2>&1; then
  echo "soak: wardwatch check: ok"
else
  echo "soak: wardwatch check FAILED"; sed 's/^/  /' "$T/check.out"; status=1
fi

# 1b. Retention at work: samples_days = 1 over SOAK_RET_DAYS (default 4)
# simulated days: after the first day the per-second rows stay at one day's
# worth, older ones become per-minute rows, and the file grows only by the
# per-minute rows and the record (SQLite reuses the freed pages).
RET_DAYS=${SOAK_RET_DAYS:-4}
printf '[ward]\nname = Soak retention\n[retention]\nsamples_days = 1\nrecord_days = 30\n' >"$T/ret.ini"
echo "== retention: $beds beds, $RET_DAYS days simulated with samples_days = 1, size every 12 h"
"$W" replay "$REC"/*.wwrec -c "$T/ret.ini" --fast --loop --for $((RET_DAYS * 86400)) \
  --stats 43200 --db "$T/ret.db" >/dev/null 2>"$T/ret.err"
rc=$?
grep -E '^stats ' "$T/ret.err" | awk '{
  for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
  printf "  t=%5.1f d  db %6.1f MB  rss %5.1f MB\n", v["t"] / 86400, v["db_bytes"] / 1e6, v["rss_kb"] / 1024 }'
if [ $rc -ne 0 ] || ! grep -q ' 0 still queued, 0 samples dropped, 0 rows lost' "$T/ret.err"; then
  echo "retention: FAILED (replay exit $rc)"; status=1
elif command -v sqlite3 >/dev/null 2>&1; then
  sqlite3 "$T/ret.db" "SELECT 'retention: per-second rows ' || (SELECT count(*) FROM samples) ||
    ' (' || round((SELECT count(*) FROM samples) / ($beds * 86400.0), 3) || ' days per bed), per-minute rows ' ||
    (SELECT count(*) FROM samples_minute) || ', file ' || round(page_count * page_size / 1e6, 1) || ' MB'
    FROM pragma_page_count, pragma_page_size"
fi

if ! command -v valgrind >/dev/null 2>&1; then
  echo "== valgrind: SKIP valgrind is not installed"
elif nm "$W" 2>/dev/null | grep -q '__asan_init\|__ubsan_handle' ||
     ldd "$W" 2>/dev/null | grep -q 'libasan\|libubsan'; then
  echo "== valgrind: SKIP $W is a sanitizer build"
else
  for mode in fast paced; do
    rm -f "$T/vg.db"*
    if [ $mode = fast ]; then args="--fast --for $VG_S"; else args="--speed 200 --for 300"; fi
    echo "== valgrind --leak-check=full: replay of $beds beds $args --db"
    # shellcheck disable=SC2086
    valgrind --leak-check=full --show-leak-kinds=definite,indirect,possible \
      --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=3 \
      --log-file="$T/vg-$mode.log" "$W" replay "$REC"/*.wwrec $args --db "$T/vg.db" \
      >/dev/null 2>"$T/vg-$mode.err"
    rc=$?
    grep -E 'ERROR SUMMARY|definitely lost|indirectly lost|possibly lost|still reachable|All heap blocks' \
      "$T/vg-$mode.log" | sed 's/^==[0-9]*== */  /'
    if [ $rc -ne 0 ]; then
      echo "valgrind ($mode): FAILED (exit $rc)"; sed 's/^/  /' "$T/vg-$mode.err" | tail -3
      status=1
    else
      echo "valgrind ($mode): no leak, no error"
    fi
  done
fi
exit $status
