#!/bin/sh
# #17 "Nothing cut off, nothing run together" on the demo ward in tmux at
# 80x24, 132x43, Norwegian and vt100 with an ASCII-only locale: designed
# short forms on narrow tiles (never "act"/"lat" stubs), full texts at 132
# columns, alarm-list columns by display width (æøå do not shift them),
# messages that wrap, help that scrolls, visible ASCII stand-ins (dør ->
# dor) where the terminal has no Unicode.
W=${WARDWATCH_BIN:-bin/wardwatch}
case "$W" in /*) ;; *) W=$(pwd)/$W ;; esac
if ! command -v tmux >/dev/null 2>&1; then echo "ok - board screens # SKIP tmux not installed"; exit 0; fi
if ! command -v python3 >/dev/null 2>&1; then echo "ok - board screens # SKIP python3 not installed"; exit 0; fi
T=$(mktemp -d)
S0=ww-bscr-$$
S=$S0
cleanup() { for x in "" -nb -vt; do tmux -L "$S0$x" kill-server 2>/dev/null; done; sleep 0.5; rm -rf "$T"; }
trap cleanup EXIT
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
no() { n=$((n + 1)); echo "not ok $n - $1"; }
screen() { tmux -L "$S" capture-pane -p 2>/dev/null; }
keys() { tmux -L "$S" send-keys "$@"; sleep 0.3; }
text() { tmux -L "$S" send-keys -l "$1"; sleep 0.3; }
wait_for() { # pattern, seconds
  i=0; while [ $i -lt $(($2 * 5)) ]; do screen | grep -q -- "$1" && return 0; sleep 0.2; i=$((i + 1)); done; return 1; }
# Every alarm-list row has its state column (active, ack by, latched, or
# the Norwegian aktiv, kvittert, låst) at the same display column, whatever
# æøå come before it: python counts characters.
aligned() { screen | python3 -c '
import re, sys
rows = [l for l in sys.stdin if re.match(r"^[ >]\*", l)]
cols = set()
for r in rows:
    m = re.search(r" (active|ack by|latched|aktiv|kvittert|låst)", r)
    if m:
        cols.add(m.start())
print(len(rows), sorted(cols)); sys.exit(0 if rows and len(cols) == 1 else 1)'; }

export LANG=C.UTF-8 LC_ALL=C.UTF-8
tmux -L "$S" -f /dev/null new-session -d -x 80 -y 24 \
  "env TERM=xterm-256color '$W' --demo --speed 10 --db '$T/demo.db' 2>'$T/err'; sleep 60"
wait_for "Korridor" 15 || { no "board did not start: $(cat "$T/err")"; echo "1..$n"; exit 1; }
wait_for "\*\*\* NEWS2" 30 >/dev/null
# 80x24: three tiles a row, 26 columns: short forms, no stubs.
if screen | grep -q "\*\*\* NEWS2>=7 ACTIVE" && ! screen | grep -q " act *$\| ack *$\| lat *$\|(>= 7) a"; then
  ok "80x24: narrow tiles use the short forms (*** NEWS2>=7 ACTIVE), no cut stubs"
else no "80x24 tiles: $(screen | grep '\*' | head -4 | tr '\n' '|')"; fi
wait_for "out of bed [0-9]*[smh]" 40 && ok "80x24: a sensor fault keeps its duration on a narrow tile" ||
  no "sensor line: $(screen | grep -i 'sensor\|out of bed' | head -3 | tr '\n' '|')"
keys A
r=$(aligned) && ok "80x24 alarm list: columns aligned by display width across æøå ($r rows)" ||
  no "alarm list columns shifted: $r"; screen | grep -q "…" && ok "80x24 alarm list: a cut text ends in an ellipsis" || no "no ellipsis in the 80-column alarm list"
keys Escape
# Help scrolls at 24 lines.
keys "?"
if screen | grep -q -- "-- [0-9]* more lines: j or PgDn scrolls --"; then
  last=$(screen | sed -n 20p); keys NPage
  screen | grep -q "steady" && ok "help at 80x24 says it has more and scrolls to its end" || no "help did not scroll: $(screen | sed -n 18,22p | tr '\n' '|')"
else no "help at 80x24: no more-lines mark"; fi
keys Escape
# A message wider than the screen wraps onto the line above.
keys o; text "o2"; keys Enter
text "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
if screen | sed -n 22p | grep -q "^o2: 'xxx" && screen | sed -n 22,23p | tr '\n' ' ' | grep -q "is not air *or oxygen"; then
  ok "a long message wraps over two lines at 80 columns, nothing cut"
else no "message wrap: $(screen | sed -n 22,23p | tr '\n' '|')"; fi
keys Escape
# 132x43: tiles grow; the texts fit in full.
tmux -L "$S" resize-window -x 132 -y 43; sleep 0.8
if screen | grep -q "\*\*\* NEWS2 high (>= 7) active" && screen | grep -q "sensor: out of bed for [0-9]*[smh]"; then
  ok "132x43: tiles grow and show the alarm and sensor texts in full"
else no "132x43 tiles: $(screen | grep '\*\|sensor: [a-n]' | head -4 | tr '\n' '|')"; fi
keys A
r=$(aligned) && ok "132x43 alarm list aligned ($r rows)" || no "132x43 alarm list: $r"
screen | grep -q "Apnoea: no breathing detected" && ok "132x43 alarm list: condition texts in full" || no "132 list cut: $(screen | grep Apno)"
keys Escape
tmux -L "$S" kill-server 2>/dev/null

# Norwegian at 80x24: æøå in labels and texts, columns still aligned.
if locale -a 2>/dev/null | grep -qi '^nb_NO\.utf-\?8$'; then
  S=$S0-nb
  tmux -L "$S" -f /dev/null new-session -d -x 80 -y 24 \
    "env LANG=nb_NO.UTF-8 LC_ALL=nb_NO.UTF-8 TERM=xterm-256color '$W' --demo --speed 10 --db '$T/nb.db' 2>/dev/null; sleep 60"
  if wait_for "Korridor" 15 && wait_for "\*\*\*" 30; then
    keys A; sleep 0.5
    r=$(aligned) && ok "nb_NO 80x24 alarm list aligned ($r rows)" || no "nb_NO alarm list: $r"
  else no "Norwegian board did not start"; fi
  tmux -L "$S" kill-server 2>/dev/null
else echo "ok - Norwegian screens # SKIP locale nb_NO.UTF-8 not available"; fi

# vt100, ASCII-only locale: visible stand-ins, ASCII arrows.
S=$S0-vt
tmux -L "$S" -f /dev/null new-session -d -x 80 -y 24 \
  "env LANG=C LC_ALL=C TERM=vt100 NO_COLOR=1 '$W' --demo --speed 10 --db '$T/vt.db' 2>/dev/null; sleep 60"
if wait_for "Korridor" 15; then
  if screen | grep -q "Rom 2 dor" && ! screen | grep -q "d  r\|d??r"; then ok "vt100/C: 'dør' shown as 'dor'"
  else no "ASCII stand-in: $(screen | grep 'Rom 2 d' | head -1)"; fi
  screen | grep -q "RR  *[0-9]*[=^v] " && ok "vt100/C: ASCII trend arrows" || no "arrows: $(screen | grep 'RR ' | head -1)"
else no "vt100 board did not start"; fi
echo "1..$n"
