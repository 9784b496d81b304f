#!/bin/sh
# The HL7 export against a second, independent peer (#20): Medplum's MLLP
# server from npm (tests/npm/mllp_peer.js, @medplum/hl7 pinned by
# tests/npm/package-lock.json) in enhanced acknowledgement mode. It answers
# each message with a commit ACK (CA) at once, and every other one with the
# application's AA 50 ms later: observations and alarms are delivered on
# the CA alone (the outbox
# drains), each exactly once; the AA, arriving when the message is settled,
# is ignored and never settles another (an AA for another id while one is
# in flight is test_mllp's "wrongid"). On 127.0.0.1 only.
W=${WARDWATCH_BIN:-bin/wardwatch}
case "$W" in /*) ;; *) W=$(pwd)/$W ;; esac
B=${WARDWATCH_BUILD:-build}
case "$B" in /*) ;; *) B=$(pwd)/$B ;; esac
C=$B/tests/tools/ww_client
HERE=$(cd "$(dirname "$0")" && pwd)
if ! command -v node >/dev/null 2>&1; then echo "ok - export CA # SKIP node not installed (scripts/deps.sh test)"; exit 0; fi
# @medplum 4.5 needs Node.js 20.19 or later (Debian 12's own nodejs is 18)
if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>20||(a===20&&b>=19)?0:1)'; then
  echo "ok - export CA # SKIP node $(node --version) is older than the 20.19 @medplum 4.5 needs"; exit 0
fi
if ! command -v sqlite3 >/dev/null 2>&1; then echo "ok - export CA # SKIP sqlite3 not installed"; exit 0; fi
if [ ! -x "$C" ]; then echo "ok - export CA # SKIP $C not built (make tests)"; exit 0; fi
if [ ! -d "$HERE/npm/node_modules/@medplum/hl7" ]; then
  if ! (cd "$HERE/npm" && npm ci --no-audit --no-fund --loglevel=error >/dev/null 2>&1); then
    echo "ok - export CA # SKIP npm ci in tests/npm failed (no npm registry?)"; exit 0
  fi
fi
T=$(mktemp -d)
SPID=; NPID=
cleanup() {
  [ -n "$SPID" ] && kill "$SPID" 2>/dev/null
  [ -n "$NPID" ] && kill "$NPID" 2>/dev/null
  [ -n "$KEEP" ] && echo "kept $T" >&2 || rm -rf "$T"
}
trap cleanup EXIT
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
no() { n=$((n + 1)); echo "not ok $n - $1"; }
check() { if [ "$1" = 0 ]; then ok "$2"; else no "$2"; fi; }
sql() { sqlite3 "$T/ward.db" "$1" 2>/dev/null; }
wait_until() { # seconds, shell condition
  i=0; while [ $i -lt $(($1 * 5)) ]; do eval "$2" && return 0; sleep 0.2; i=$((i + 1)); done
  return 1; }
export LANG=C.UTF-8 LC_ALL=C.UTF-8

printf '1 ti-vs sepsis 11 3000 Rom 1 vindu\n' >"$T/spec"
if ! "$W" simulate --ward "$T/spec" -o "$T/rec" --hours 0.3 >"$T/sim.log" 2>&1; then
  echo "not ok 1 - simulate the test ward: $(cat "$T/sim.log")"; exit 0
fi
node "$HERE/npm/mllp_peer.js" "$T/port" "$T/peer.log" 2>>"$T/peer.err" &
NPID=$!
wait_until 20 '[ -s "$T/port" ]' || { echo "not ok 1 - the MLLP peer did not start: $(cat "$T/peer.err")"; exit 0; }
PORT=$(cat "$T/port")
cat >"$T/ward.ini" <<INI
[ward]
name = Testpost CA
database = ward.db
; RR alarms early: alarm transitions within the test
[alarms]
rr_high = 12
[server]
socket = run/ward.sock
[export.engine]
protocol = hl7
address = 127.0.0.1:$PORT
facility = STOLAV
period_s = 10
ack_timeout_s = 2
[bed.1]
label = Rom 1 vindu
sensor = replay:rec/bed01.wwrec
INI
SOCK=$T/run/ward.sock
"$W" serve -c "$T/ward.ini" --speed 10 2>>"$T/serve.log" &
SPID=$!
wait_until 10 '[ -S "$SOCK" ]' || { no "serve did not start: $(cat "$T/serve.log")"; exit 0; }
"$C" "$SOCK" admit 0 "P-1" KN >/dev/null 2>&1
wait_until 30 '[ "$(grep -c " WWO" "$T/peer.log" 2>/dev/null || echo 0)" -ge 3 ] && grep -q " WWA.* ORU^R40" "$T/peer.log" 2>/dev/null'
check $? "observations and alarms reach Medplum's MLLP server ($(grep -c . "$T/peer.log" 2>/dev/null) messages)"
kill "$SPID"; wait "$SPID" 2>/dev/null; SPID=
sent=$(grep -c . "$T/peer.log")
pending=$(sql "SELECT count(*) FROM outbox WHERE state = 'pending'")
dead=$(sql "SELECT count(*) FROM outbox WHERE state = 'dead'")
# at most the one in flight when serve stopped may still wait
check "$([ "$dead" = 0 ] && [ "$pending" -le 1 ] && echo 0 || echo 1)" \
  "a CA delivers: the outbox holds no dead letter and at most the message in flight ($pending pending, $dead dead)"
dups=$(awk '{print $2}' "$T/peer.log" | sort | uniq -d | wc -l)
check "$([ "$dups" = 0 ] && echo 0 || echo 1)" \
  "no message sent twice: the late AA of one message never settled the next ($dups repeated of $sent)"
check "$([ "$(grep -c 'refused\|dead-lettered' "$T/serve.log")" = 0 ] && echo 0 || echo 1)" \
  "no message refused or dead-lettered"
# the peer parsed what it logged: MSH-9 as the message type, MSH-10 our id
bad=$(awk '$2 !~ /^WW[AO]/ || $3 !~ /^ORU\^R(01|40)\^ORU_R(01|40)$/' "$T/peer.log" | head -3)
check "$([ -z "$bad" ] && echo 0 || echo 1)" "Medplum's parser reads our MSH-9 and MSH-10 ($bad)"
exit 0
