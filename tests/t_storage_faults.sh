#!/bin/sh
# Storage faults while a ward runs headless (`wardwatch replay --db` of three
# simulated beds at --speed 50, i.e. 50 ward seconds per wall second):
#   locked     another process (the sqlite3 shell) holds BEGIN EXCLUSIVE
#   read-only  the database and its WAL made immutable (chattr +i: writes on
#              the open descriptors fail with EPERM, as on a read-only disk)
#   disk full  the database on a 4 MB tmpfs in a private mount namespace,
#              filled to the last block by another file
# For each: the ward keeps reading sensors and raising alarms in memory, a
# "store write failure" event and the store-failure technical alarm appear,
# writes resume when the fault is cleared ("store writes resumed"), and
# afterwards the file passes integrity_check and holds every bed-second of
# the run with no gap (nothing queued was lost), and the replay exits 0.
# Then a damaged database at start is refused, untouched, with how to
# recover. A fault that cannot be made here prints ok - NAME # SKIP reason.
W=${WARDWATCH_BIN:-bin/wardwatch}
case $W in /*) ;; *) W=$PWD/$W ;; esac
SPEED=50
FOR=500 # ward seconds per run: 10 s of wall time

# Inside the namespace made for the disk-full case (see below).
if [ "${1:-}" = "--diskfull-inside" ]; then
  T=$2
  mkdir -p "$T/full"
  if ! mount -t tmpfs -o size=4m tmpfs "$T/full" 2>"$T/mount.err"; then
    echo "ok - disk full # SKIP cannot mount a tmpfs in the namespace: $(head -1 "$T/mount.err")"
    exit 0
  fi
  . "$T/lib.sh"
  run_fault "disk full" "$T/full/ward.db" \
    "dd if=/dev/zero of=$T/full/filler bs=64k 2>/dev/null; sync" \
    "rm -f $T/full/filler"
  umount "$T/full"
  exit 0
fi

T=$(mktemp -d); trap 'chattr -i "$T"/*.db* 2>/dev/null; rm -rf "$T"' EXIT
if ! command -v sqlite3 >/dev/null 2>&1; then
  echo "ok - storage faults # SKIP the sqlite3 shell is not installed"; exit 0
fi

# Three beds, one per serial driver, long enough for every run.
for i in 1 2 3; do
  d=$(echo "ti-vs mr60bha2 mr60bha1" | cut -d' ' -f$i)
  "$W" simulate stable -o "$T/bed$i.wwrec" --sensor "$d" --hours 0.2 --seed $i \
    --label "Seng $i" 2>/dev/null || { echo "not ok - simulate bed $i"; exit 0; }
done

cat >"$T/lib.sh" <<EOF
W='$W'; T='$T'; SPEED=$SPEED; FOR=$FOR
EOF
cat >>"$T/lib.sh" <<'EOF'
ok() { echo "ok - $1"; }
no() { echo "not ok - $1"; }
# Wait up to $2 seconds for a fixed string $3 in file $1.
wait_for() {
  i=0
  while [ $i -lt $(($2 * 10)) ]; do
    grep -qF "$3" "$1" 2>/dev/null && return 0
    sleep 0.1; i=$((i + 1))
  done
  return 1
}
# Last "stats" field $2 of stderr file $1.
stat_of() { grep '^stats ' "$1" | tail -1 | tr ' ' '\n' | sed -n "s/^$2=//p"; }

# run_fault NAME DB INJECT CLEAR
run_fault() {
  name=$1; db=$2; inject=$3; clear=$4
  out="$T/$(echo "$name" | tr ' ' _)"
  "$W" replay "$T"/bed1.wwrec "$T"/bed2.wwrec "$T"/bed3.wwrec --speed "$SPEED" --for "$FOR" \
    --db "$db" --alarms --stats 10 >"$out.out" 2>"$out.err" &
  pid=$!
  if ! wait_for "$out.err" 10 "store=ok" || [ "$(stat_of "$out.err" flushed)" = 0 ]; then
    sleep 1
  fi
  before=$(stat_of "$out.err" readings)
  sh -c "$inject" >"$out.inject" 2>&1 &
  injector=$!
  if wait_for "$out.out" 15 '"state":"store write failure"'; then
    ok "$name: the ward reports the store write failure"
  else
    no "$name: no store write failure reported"; sed 's/^/# /' "$out.err" | tail -5
  fi
  if wait_for "$out.out" 10 '"alarm":"store-failure"'; then
    ok "$name: store-failure technical alarm raised"
  else
    no "$name: no store-failure technical alarm"
  fi
  sleep 2
  during=$(stat_of "$out.err" readings)
  queued=$(stat_of "$out.err" queued)
  state=$(stat_of "$out.err" store)
  if [ "$state" = failing ] && [ "${during:-0}" -gt "${before:-0}" ] && [ "${queued:-0}" -gt 0 ]; then
    ok "$name: monitoring goes on in memory (readings $before -> $during, $queued rows queued)"
  else
    no "$name: during the fault store=$state readings $before -> $during queued=$queued"
  fi
  sh -c "$clear" >>"$out.inject" 2>&1
  wait "$injector" 2>/dev/null
  if wait_for "$out.out" 15 '"state":"store writes resumed"'; then
    ok "$name: writes resume once the fault is cleared"
  else
    no "$name: writes did not resume"; sed 's/^/# /' "$out.err" | tail -5
  fi
  wait "$pid"; rc=$?
  if [ $rc -eq 0 ] && grep -q ' 0 still queued, 0 samples dropped, 0 rows lost' "$out.err"; then
    ok "$name: replay ends with nothing queued, dropped or lost"
  else
    no "$name: replay exit $rc: $(grep 'wardwatch replay: store' "$out.err")"
  fi
  ic=$(sqlite3 "$db" "PRAGMA integrity_check" 2>&1)
  # Every bed-second from the first to the last sample, no gap, no double.
  gaps=$(sqlite3 "$db" "SELECT count(*) FROM (SELECT bed, count(*) n, (max(t) - min(t)) / 1000 + 1 span FROM samples GROUP BY bed) WHERE n != span OR span < $FOR - 5" 2>&1)
  beds=$(sqlite3 "$db" "SELECT count(DISTINCT bed) FROM samples" 2>&1)
  if [ "$ic" = ok ] && [ "$gaps" = 0 ] && [ "$beds" = 3 ]; then
    ok "$name: database sound and every bed-second stored ($(sqlite3 "$db" 'SELECT count(*) FROM samples') samples)"
  else
    no "$name: integrity '$ic', beds $beds, beds with gaps $gaps"
    sqlite3 "$db" "SELECT bed, count(*), (max(t) - min(t)) / 1000 + 1 FROM samples GROUP BY bed" | sed 's/^/# /'
  fi
  # The outage's alarm record reached the file once writes resumed.
  sf=$(sqlite3 "$db" "SELECT count(*) FROM alarms WHERE condition = 'store-failure' AND state IN ('ended', 'reset')" 2>&1)
  if [ "${sf:-0}" -ge 1 ]; then
    ok "$name: the store-failure alarms of the outage are in the record ($sf, ended)"
  else
    no "$name: store-failure alarms in the record: '$sf'"
  fi
}
EOF
. "$T/lib.sh"

# Locked by another process.
run_fault "locked" "$T/locked.db" \
  "(echo 'BEGIN EXCLUSIVE;'; sleep 7; echo 'ROLLBACK;') | sqlite3 $T/locked.db" \
  "true"

# Read-only: immutable files (root, and a file system with the attribute).
touch "$T/probe"
if [ "$(id -u)" != 0 ]; then
  echo "ok - read-only # SKIP needs root for chattr +i"
elif ! chattr +i "$T/probe" 2>/dev/null; then
  echo "ok - read-only # SKIP chattr +i not supported on $(stat -f -c %T "$T")"
else
  chattr -i "$T/probe"
  run_fault "read-only" "$T/ro.db" \
    "chattr +i $T/ro.db $T/ro.db-wal" \
    "chattr -i $T/ro.db $T/ro.db-wal"
fi

# Disk full: a tmpfs in a private mount namespace.
if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null 2>&1; then
  echo "ok - disk full # SKIP needs root and unshare for a private tmpfs"
elif ! unshare -m true 2>/dev/null; then
  echo "ok - disk full # SKIP unshare -m is not permitted here"
else
  unshare -m sh "$0" --diskfull-inside "$T"
fi

# A damaged database at start is refused, untouched, with how to recover.
"$W" replay "$T/bed1.wwrec" --fast --for 60 --db "$T/good.db" 2>/dev/null
cp "$T/good.db" "$T/bad.db"
size=$(stat -c %s "$T/bad.db")
dd if=/dev/urandom of="$T/bad.db" bs=1024 seek=8 count=$(( (size / 1024) - 9 )) conv=notrunc 2>/dev/null
sum=$(md5sum <"$T/bad.db")
"$W" replay "$T/bed1.wwrec" --fast --for 60 --db "$T/bad.db" >"$T/bad.out" 2>"$T/bad.err"; rc=$?
walok=1; [ -s "$T/bad.db-wal" ] && walok=0
if [ $rc -ne 0 ] && grep -q "damaged" "$T/bad.err" && grep -q "mv $T/bad.db" "$T/bad.err" &&
   grep -q "wardwatch backup" "$T/bad.err" && [ "$(md5sum <"$T/bad.db")" = "$sum" ] &&
   [ $walok = 1 ]; then
  ok "damaged database refused at start (exit $rc), file untouched, recovery named"
else
  no "damaged database: exit $rc: $(head -c 300 "$T/bad.err")"
fi
head -c 20000 /dev/urandom >"$T/noise.db"
"$W" replay "$T/bed1.wwrec" --fast --for 60 --db "$T/noise.db" >/dev/null 2>"$T/noise.err"; rc=$?
if [ $rc -ne 0 ] && grep -q "not a wardwatch database\|damaged" "$T/noise.err" && grep -q "mv " "$T/noise.err"; then
  ok "a file that is not a database is refused at start (exit $rc) with how to recover"
else
  no "noise file: exit $rc: $(head -c 300 "$T/noise.err")"
fi
