#!/bin/sh
# The bounded form of `make soak` for make check: three simulated beds (one
# per serial driver) replayed with the store for 6 simulated hours (--fast
# --loop): no row queued, dropped or lost, the database sound, resident
# memory flat after the first hour (growth < 4 MB: SQLite's page cache
# warming is the only expected growth), and under 3 MB per bed-day on disk;
# 2 days with samples_days = 1 leave one day of per-second rows (retention
# keeps pace with a fast replay).
# Then valgrind --leak-check=full over 10 minutes --fast and 2 minutes paced
# through the event loop (SKIP without valgrind).
W=${WARDWATCH_BIN:-bin/wardwatch}
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
for i in 1 2 3; do
  d=$(echo "ti-vs mr60bha2 mr60bha1" | cut -d' ' -f$i)
  "$W" simulate stable -o "$T/bed$i.wwrec" --sensor "$d" --hours 0.25 --seed $i 2>/dev/null ||
    { echo "not ok - simulate bed $i"; exit 0; }
done
REC="$T/bed1.wwrec $T/bed2.wwrec $T/bed3.wwrec"
# A sanitizer build (make check SANITIZE=...) keeps freed memory in
# quarantine, so its RSS says nothing about leaks, and valgrind cannot run it.
san=
if nm "$W" 2>/dev/null | grep -q '__asan_init\|__ubsan_handle' ||
   ldd "$W" 2>/dev/null | grep -q 'libasan\|libubsan'; then
  san=1
fi
# shellcheck disable=SC2086
"$W" replay $REC --fast --loop --for 21600 --stats 3600 --db "$T/s.db" >/dev/null 2>"$T/s.err"
rc=$?
val() { grep '^stats ' "$T/s.err" | sed -n "$1p" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
r1=$(val 1 rss_kb); r6=$(val '$' peak_rss_kb)
if [ $rc -eq 0 ] && grep -q ' 0 still queued, 0 samples dropped, 0 rows lost' "$T/s.err"; then
  echo "ok - 6 h replay with the store: nothing queued, dropped or lost"
else
  echo "not ok - 6 h replay: exit $rc"; sed 's/^/# /' "$T/s.err" | tail -3
fi
if [ -n "$san" ]; then
  echo "ok - resident memory flat # SKIP sanitizer build (freed memory is quarantined)"
elif [ -n "$r1" ] && [ -n "$r6" ] && [ $((r6 - r1)) -lt 4096 ]; then
  echo "ok - resident memory flat: ${r1} KB at 1 h, peak ${r6} KB at 6 h"
else
  echo "not ok - resident memory grew: '${r1}' KB at 1 h, '${r6}' KB at 6 h"
fi
"$W" check "$T/s.db" >"$T/check.out" 2>&1; ic=$?
bytes=$(stat -c %s "$T/s.db")
# 3 beds x 6 h = 0.75 bed-day; 3 MB per bed-day -> 2.25 MB.
if [ "$ic" = 0 ] && [ "$bytes" -le 2250000 ]; then
  echo "ok - database sound, $bytes bytes for 0.75 bed-day (<= 3 MB per bed-day)"
else
  echo "not ok - database: wardwatch check exit $ic, $bytes bytes for 0.75 bed-day"
  sed 's/^/# /' "$T/check.out" | tail -3
fi
# Retention keeps pace with a fast replay: 2 days with samples_days = 1
# leave one day of per-second rows per bed, the first day as per-minute rows.
printf '[ward]\nname = Retention\n[retention]\nsamples_days = 1\nrecord_days = 30\n' >"$T/ret.ini"
# shellcheck disable=SC2086
"$W" replay $REC -c "$T/ret.ini" --fast --loop --for 172800 --db "$T/r.db" >/dev/null 2>"$T/r.err"
rc=$?
if ! command -v sqlite3 >/dev/null 2>&1; then
  echo "ok - retention keeps pace with a fast replay # SKIP no sqlite3 shell"
else
  sec=$(sqlite3 "$T/r.db" "SELECT count(*) FROM samples")
  mins=$(sqlite3 "$T/r.db" "SELECT count(*) FROM samples_minute")
  # 3 beds: at most a day and 10 minutes of per-second rows each; at least
  # 23 h of per-minute rows each.
  if [ $rc -eq 0 ] && [ "$sec" -le $((3 * 87000)) ] && [ "$sec" -ge $((3 * 80000)) ] &&
     [ "$mins" -ge $((3 * 1380)) ]; then
    echo "ok - retention keeps pace with a fast replay: $sec per-second rows, $mins per-minute rows after 2 days"
  else
    echo "not ok - retention after 2 days: exit $rc, $sec per-second rows, $mins per-minute rows"
  fi
fi
if ! command -v valgrind >/dev/null 2>&1; then
  echo "ok - valgrind replay # SKIP valgrind is not installed"; exit 0
fi
if [ -n "$san" ]; then
  echo "ok - valgrind replay # SKIP sanitizer build (the plain build runs it)"; exit 0
fi
for mode in fast paced; do
  rm -f "$T/v.db"*
  if [ $mode = fast ]; then args="--fast --for 600"; else args="--speed 60 --for 120"; fi
  # shellcheck disable=SC2086
  valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect,possible \
    --error-exitcode=3 --log-file="$T/vg.log" "$W" replay $REC $args --db "$T/v.db" \
    >/dev/null 2>&1
  rc=$?
  if [ $rc -eq 0 ] && grep -q 'ERROR SUMMARY: 0 errors' "$T/vg.log"; then
    echo "ok - valgrind --leak-check=full, replay $args --db: no leak, no error"
  else
    echo "not ok - valgrind replay $args: exit $rc"
    grep -E 'definitely|indirectly|possibly|ERROR SUMMARY|Invalid' "$T/vg.log" | head -5 | sed 's/^/# /'
  fi
done
