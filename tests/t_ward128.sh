#!/bin/sh
# A 128-bed ward under `wardwatch serve` (#19): replayed sensors of all three
# serial kinds (ti-vs, mr60bha2, mr60bha1) from `wardwatch simulate`, an
# accelerated clock; every bed admitted, scored and stored (NEWS2 scores and
# samples in the database for every bed); a board attached over the socket
# sees all 128 beds, live, and is not dropped for its snapshot (1.5 MB, past
# the slow-client bound, H19-16), and so does a board in tmux, holding only
# the ward's beds (H19-18); a 1024-bed configuration loads and a
# 1025-bed one is refused naming file, line, section and limit (H19-14);
# replay refuses a stream past the limit by name (H19-17).
W=${WARDWATCH_BIN:-bin/wardwatch}
case "$W" in /*) ;; *) W=$(pwd)/$W ;; esac
B=${WARDWATCH_BUILD:-build}
case "$B" in /*) ;; *) B=$(pwd)/$B ;; esac
C=$B/tests/tools/ww_client
if ! command -v sqlite3 >/dev/null 2>&1; then echo "ok - ward128 # SKIP sqlite3 not installed"; exit 0; fi
if ! [ -x "$C" ]; then echo "ok - ward128 # SKIP $C not built"; exit 0; fi
T=$(mktemp -d)
SPID=
cleanup() {
  [ -n "$SPID" ] && kill "$SPID" 2>/dev/null && wait "$SPID" 2>/dev/null
  rm -rf "$T"
}
trap cleanup EXIT
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
no() { n=$((n + 1)); echo "not ok $n - $1"; }
sql() { sqlite3 "$T/ward.db" "$1" 2>/dev/null; }
NB=128
SPEED=${WARD128_SPEED:-20}

# The three serial kinds in turn, five scenarios in turn: bed N's kind is
# (N - 1) mod 3 (0 ti-vs, 1 mr60bha2, 2 mr60bha1).
awk -v nb=$NB 'BEGIN { split("ti-vs mr60bha2 mr60bha1", d, " ");
  split("stable sepsis copd opioid afib", s, " ");
  for (i = 1; i <= nb; i++) printf "%d %s %s %d 0 Seng %d\n", i, d[(i - 1) % 3 + 1], s[(i - 1) % 5 + 1], 100 + i, i }' >"$T/spec"
if ! "$W" simulate --ward "$T/spec" -o "$T/rec" --hours 0.08 >"$T/sim.log" 2>&1; then
  echo "not ok 1 - simulate $NB beds: $(tail -3 "$T/sim.log")"; exit 0
fi
nrec=$(ls "$T/rec" | grep -c '\.wwrec$')
[ "$nrec" = $NB ] && ok "$NB recordings of three sensor kinds" || no "$nrec recordings of $NB"

# beds_ini FILE N [SENSOR]: a ward of N beds, replayed sensors unless "none".
beds_ini() {
  { printf '[ward]\nname = Ward %s\ndatabase = ward.db\n\n[server]\nsocket = run/ward.sock\n\n' "$2"
    awk -v nb="$2" -v none="$3" 'BEGIN { for (i = 1; i <= nb; i++) {
      printf "[bed.%d]\nlabel = Seng %d\n", i, i
      if (none != "none") printf "sensor = replay:rec/bed%02d.wwrec\n", i
      printf "\n" } }'; } >"$1"
}
beds_ini "$T/ward.ini" $NB
SOCK=$T/run/ward.sock
"$W" serve -c "$T/ward.ini" --speed "$SPEED" 2>"$T/serve.log" &
SPID=$!
i=0; while [ $i -lt 100 ] && ! [ -S "$SOCK" ]; do sleep 0.1; i=$((i + 1)); done
if [ -S "$SOCK" ]; then ok "serve listens with $NB beds"; else
  no "serve did not start: $(tail -3 "$T/serve.log")"; exit 0; fi

# Only an occupied bed scores: a patient in every bed.
out=$("$C" "$SOCK" admitall P KN 2>&1 | tail -1)
[ "$out" = "admitted $NB of $NB" ] && ok "every bed admitted over the socket" || no "admit: $out"

# A board that reads its snapshot as it comes and follows the ward: the
# 1.5 MB snapshot must not count against the (default, 1 MB) slow-client
# bound, and every bed must come live with sensor readings.
out=$("$C" "$SOCK" beds 0 3 2>&1)
echo "# board: $out"
case "$out" in
  "synced $NB beds, $NB seen live, $NB with sensor readings,"*open) ok "an attached board sees $NB beds, live, with readings" ;;
  *) no "attached board: $out"; grep dropped "$T/serve.log" | head -2 | sed 's/^/# /' ;;
esac
if grep -q "dropped: too slow" "$T/serve.log"; then no "a board was dropped as too slow: $(grep -m1 dropped "$T/serve.log")"
else ok "no board dropped for its snapshot"; fi

# A real board attached in tmux: its status line counts 128 sensors ok, and
# it holds the ward's beds, not the limit's (40 kB a bed: 1024 of them made
# an attached board 60 MB, H19-18).
if command -v tmux >/dev/null 2>&1; then
  S=ww-w128-$$
  tmux -L "$S" -f /dev/null new-session -d -x 132 -y 43 \
    "env TERM=xterm-256color LANG=C.UTF-8 '$W' -c '$T/ward.ini' 2>'$T/board.err'; sleep 30"
  i=0; while [ $i -lt 50 ] && ! tmux -L "$S" capture-pane -p | grep -q "| server | .*sensors $NB ok"; do
    sleep 0.2; i=$((i + 1)); done
  line=$(tmux -L "$S" capture-pane -p | grep "| server |")
  bp=$(ps -o pid= --ppid "$(tmux -L "$S" list-panes -F '#{pane_pid}')" | tr -d ' ' | head -1)
  hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$bp/status" 2>/dev/null)
  tmux -L "$S" kill-server 2>/dev/null
  case "$line" in *"sensors $NB ok"*) ok "a board attached in tmux shows $NB sensors ok" ;;
    *) no "tmux board: '$line' $(cat "$T/board.err")" ;; esac
  if [ -n "$hwm" ] && [ "$hwm" -lt 40000 ]; then ok "the attached board's peak RSS is ${hwm} kB (< 40 MB)"
  else no "the attached board's peak RSS: '${hwm}' kB"; fi
else
  n=$((n + 1)); echo "ok $n - tmux board # SKIP tmux not installed"
  n=$((n + 1)); echo "ok $n - board RSS # SKIP tmux not installed"
fi

kill "$SPID"; wait "$SPID" 2>/dev/null; SPID=
# What was stored: every bed of every kind has NEWS2 scores and samples with
# a rate in them.
scored=$(sql "SELECT count(DISTINCT bed) FROM scores")
[ "$scored" = $NB ] && ok "NEWS2 scores stored for all $NB beds" || no "scores for $scored of $NB beds"
sampled=$(sql "SELECT count(DISTINCT bed) FROM samples WHERE rr10 IS NOT NULL OR hr10 IS NOT NULL")
[ "$sampled" = $NB ] && ok "samples with rates stored for all $NB beds" || no "samples for $sampled of $NB beds"
kinds=$(sql "SELECT count(DISTINCT (bed - 1) % 3) FROM samples WHERE rr10 IS NOT NULL")
[ "$kinds" = 3 ] && ok "all three sensor kinds stored" || no "$kinds sensor kinds stored"

# The limit: 1024 beds load, the 1025th is refused by file, line, section, limit.
beds_ini "$T/w1024.ini" 1024 none
if "$W" config -c "$T/w1024.ini" >"$T/c1024.out" 2>&1 && grep -q '^\[bed.1024\]' "$T/c1024.out"; then
  ok "a 1024-bed configuration loads"; else no "1024 beds: $(tail -2 "$T/c1024.out")"; fi
beds_ini "$T/w1025.ini" 1025 none
line=$(grep -n '^\[bed.1025\]' "$T/w1025.ini" | cut -d: -f1)
"$W" config -c "$T/w1025.ini" >"$T/c1025.out" 2>&1; rc=$?
if [ $rc = 2 ] && grep -q "w1025.ini:$line: \[bed.1025\]: more than 1024 beds" "$T/c1025.out"; then
  ok "a 1025th bed is refused with file, line, section and limit"
else no "1025 beds: rc $rc: $(head -2 "$T/c1025.out")"; fi

# replay: one stream per file argument, 1025 of them: refused, by name.
set --
i=0; while [ $i -lt 1025 ]; do set -- "$@" "$T/rec/bed01.wwrec"; i=$((i + 1)); done
"$W" replay --fast --for 1 "$@" >/dev/null 2>"$T/r.err"; rc=$?
if [ $rc = 2 ] && grep -q "bed01.wwrec: stream 0 would be bed 1025: more than 1024 beds" "$T/r.err"; then
  ok "replay refuses a stream past the bed limit by name"
else no "replay of 1025 streams: rc $rc: $(head -2 "$T/r.err")"; fi
echo "1..$n"
