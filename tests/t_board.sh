#!/bin/sh
# The bed-board in a real terminal (tmux): the demo ward renders at 80x24 and
# 200x60, too-small screen and back, acknowledge with initials (stored),
# a note with æøå (stored), an observation changing the score, a refused
# value, the handover preview and print (a stand-in lp records its
# arguments; the print is audited), monochrome, quit with confirmation.
W=${WARDWATCH_BIN:-bin/wardwatch}
case "$W" in /*) ;; *) W=$(pwd)/$W ;; esac
if ! command -v tmux >/dev/null 2>&1; then echo "ok - board # SKIP tmux not installed"; exit 0; fi
T=$(mktemp -d)
S0=ww-board-$$
S=$S0
# Every server this test starts ($S0, $S0-mono, $S0-mono-nb), whatever $S is
# by then: a monochrome board left running would run the demo for ever.
cleanup() { for x in "" -mono -mono-nb; do tmux -L "$S0$x" kill-server 2>/dev/null; done; rm -rf "$T"; }
trap cleanup EXIT
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
no() { n=$((n + 1)); echo "not ok $n - $1"; }
screen() { tmux -L "$S" capture-pane -p 2>/dev/null; }
keys() { tmux -L "$S" send-keys "$@"; sleep 0.4; }
text() { tmux -L "$S" send-keys -l "$1"; sleep 0.3; }
sql() { sqlite3 "$T/demo.db" "$1" 2>/dev/null; }
wait_for() { # pattern, seconds
  i=0; while [ $i -lt $(($2 * 5)) ]; do screen | grep -q -- "$1" && return 0; sleep 0.2; i=$((i + 1)); done; return 1; }

export LANG=C.UTF-8 LC_ALL=C.UTF-8
mkdir -p "$T/fakebin"
cat >"$T/fakebin/lp" <<EOF
#!/bin/sh
for a in "\$@"; do printf '%s\n' "\$a"; done >"$T/lp.args"
sleep 2   # lp takes its time; the ward must not wait for it
echo "request id is board-1 (1 file(s))"
EOF
chmod +x "$T/fakebin/lp"
tmux -L "$S" -f /dev/null new-session -d -x 80 -y 24 \
  "env PATH='$T/fakebin:$PATH' TERM=xterm-256color '$W' --demo --speed 10 --db '$T/demo.db' 2>'$T/err'; sleep 30"
if wait_for "Korridor" 15; then
  all=1; for l in "Rom 1 vindu" "Rom 2 dør" "Rom 5 enkeltrom" "Rom 6 dør" "Korridor"; do
    screen | grep -q "$l" || all=0; done
  [ $all = 1 ] && ok "12 beds render at 80x24" || no "beds missing at 80x24"
else no "board did not start: $(cat "$T/err")"; fi
tmux -L "$S" resize-window -x 200 -y 60; sleep 0.6
screen | grep -q "Korridor" && screen | grep -q "Rom 1 vindu" && ok "board at 200x60" || no "board at 200x60"
tmux -L "$S" resize-window -x 60 -y 20; sleep 0.6
screen | grep -q "Terminal too small" && ok "60x20 shows the too-small screen" || no "no too-small screen"
tmux -L "$S" resize-window -x 80 -y 24; sleep 0.6
screen | grep -q "Korridor" && ok "back to 80x24 restores the board" || no "board not restored"
# At 80 columns the status line keeps the clock, the demo speed and the
# store first (the ward's name goes last and may be cut).
screen | head -1 | grep -q "^ [0-9][0-9]:[0-9][0-9]:[0-9][0-9] | DEMO x10 | store ok | sensors" &&
  ok "status line at 80 columns: clock, demo speed, store, sensors" || no "status line: $(screen | head -1)"

# The terminal's control keys must not stop, freeze or kill the board (a
# stopped in-process board monitors nothing and keeps its last numbers on
# the screen; a frozen one shows stale numbers as current).
board_pid() { ps -eo pid=,args= | grep -F -- "--db $T/demo.db" | grep -v "env PATH" | awk '{print $1; exit}'; }
clock() { screen | head -1 | cut -c2-9; }
BP=$(board_pid)
keys C-s; c1=$(clock); i=0
while [ $i -lt 40 ] && [ "$(clock)" = "$c1" ]; do sleep 0.1; i=$((i + 1)); done
[ "$(clock)" != "$c1" ] && screen | grep -q "Ctrl-S is off" && ok "Ctrl-S does not freeze the board, and says so" ||
  no "Ctrl-S: clock stays $c1: $(screen | tail -1)"
keys C-z; wait_for "Ctrl-Z is off" 5
st=$(ps -o stat= -p "${BP:-0}" 2>/dev/null); c1=$(clock); i=0
while [ $i -lt 40 ] && [ "$(clock)" = "$c1" ]; do sleep 0.1; i=$((i + 1)); done
case "$st" in T*|"") st_ok=0 ;; *) st_ok=1 ;; esac
[ $st_ok = 1 ] && [ "$(clock)" != "$c1" ] && screen | grep -q "Ctrl-Z is off" &&
  ok "Ctrl-Z does not suspend the board, and says so" || { no "Ctrl-Z: state '$st', $(screen | tail -1)"; kill -CONT "$BP" 2>/dev/null; }
keys 'C-\'
wait_for "is off: q quits" 5 && kill -0 "${BP:-0}" 2>/dev/null && ok "Ctrl-\\ does not kill the board" ||
  no "Ctrl-\\: board gone or silent"
keys C-c
wait_for "Monitoring in this terminal STOPS" 5 && ok "Ctrl-C asks before quitting, as q does" || no "Ctrl-C: $(screen | tail -1)"
keys Escape
kill -0 "${BP:-0}" 2>/dev/null && ! screen | grep -q "Monitoring in this terminal STOPS" &&
  ok "Esc after Ctrl-C keeps the board running" || no "Esc after Ctrl-C"

# Bed 1 (sepsis, part way; the selected top-left tile) alarms within
# seconds at 10x: wait for the high-priority marker in its alarm row (the
# medium alarm before it is superseded within seconds, and 'a' acknowledges
# the alarm shown when it was pressed, so acknowledging that one could be
# refused as gone).
bed1_alarm() { i=0; while [ $i -lt 100 ]; do
  screen | sed -n 5p | cut -c1-26 | grep -q '\*\*\*' && return 0; sleep 0.2; i=$((i + 1)); done; return 1; }
if bed1_alarm; then ok "an alarm appears on bed 1 with its marker"; else no "no alarm appeared on bed 1"; fi
# Too small for the board, the terminal still lists every alarm (before:
# only "Terminal too small", every alarm hidden), and a key that would act
# on a bed nobody can see selected is refused.
tmux -L "$S" resize-window -x 70 -y 20; wait_for "Terminal too small" 5
screen | grep -q "^\*\*\* Rom 1 vindu | " && screen | grep -q "Terminal too small (need 80x24, have 70x20): alarms [1-9]" &&
  screen | head -1 | grep -q "store ok" &&
  ok "at 70x20 the status line and the alarms stay on the screen" || no "too small hides the alarms: $(screen | head -4)"
keys a
wait_for "enlarge the terminal to 80x24 to act: nothing done" 5 && ! screen | grep -q "Acknowledge" &&
  ok "too small: 'a' is refused, not acted on an unseen bed" || no "too small, 'a': $(screen | tail -1)"
tmux -L "$S" resize-window -x 80 -y 24; sleep 0.6
# #17 (wrong-patient risk): the prompt names the alarm, the bed and the
# patient before anything is typed; the answer names them again.
keys a
# With RR high beside it, 'a' first offers the choice (most urgent first,
# preselected: Enter takes NEWS2 high); see t_board_alarms.sh.
screen | grep -q "Acknowledge which alarm on Rom 1 vindu (DEMO-01)?" && keys Enter
screen | tail -1 | grep -q "on Rom 1 vindu (DEMO-01) | Acknowledge" &&
  ok "the acknowledge prompt names the alarm, the bed and the patient" ||
  no "acknowledge prompt: $(screen | tail -1)"
text "KN"; keys Enter
sleep 1.5
screen | grep -q "on Rom 1 vindu (DEMO-01) acknowledged by KN" &&
  ok "the answer names the alarm, bed and patient again" || no "answer: $(screen | tail -2 | head -1)"
# Admitting on an occupied bed is refused before anything is typed.
keys i
screen | tail -2 | grep -q "Rom 1 vindu is occupied (DEMO-01): discharge first" &&
  ok "admit on an occupied bed refused at once, naming bed and patient" ||
  no "admit on an occupied bed: $(screen | tail -2 | tr '\n' ' ')"
keys Escape
c=$(sql "SELECT count(*) FROM audit WHERE action='alarm-acknowledged' AND staff='KN'")
[ "${c:-0}" -ge 1 ] && ok "acknowledgement stored with initials KN" || no "acknowledgement not stored ($c)"
screen | grep -q "ack" && ok "tile shows the alarm acknowledged" || no "tile does not show ack"

keys n; text "Pasient hoster, RR-artefakt æøå"; keys Enter; text "ÅS"; keys Enter
sleep 1
c=$(sql "SELECT count(*) FROM notes WHERE text = 'Pasient hoster, RR-artefakt æøå' AND staff='ÅS'")
[ "$c" = 1 ] && ok "note with æøå saved" || no "note not saved ($c)"
tmux -L "$S" resize-window -x 120 -y 50; keys Enter; sleep 0.5
if screen | grep -q "note (ÅS): Pasient hoster, RR-artefakt æøå" && screen | grep -q "acknowledged by KN"; then
  ok "bed detail shows the note and the acknowledgement in the history"
else no "bed detail history"; fi
screen | grep -q "SpO2 .* DEMO" && ok "bed detail names who entered each value" || no "no value sources"
keys Escape
tmux -L "$S" resize-window -x 80 -y 24; sleep 0.4

# Bed 2 (stable): ACVPU V adds 3 points.
keys l
before=$(sql "SELECT count(*) FROM observations WHERE param='acvpu' AND value=86")
keys o; text "acvpu"; keys Enter; text "V"; keys Enter; text "KN"; keys Enter
sleep 2.5
after=$(sql "SELECT count(*) FROM observations WHERE param='acvpu' AND value=86")
s=$(sql "SELECT total FROM scores WHERE bed=2 ORDER BY t DESC LIMIT 1")
[ "$after" = $((before + 1)) ] && [ "${s:-0}" -ge 3 ] && ok "observation stored, score rose to $s" ||
  no "observation/score: obs $before->$after score $s"

keys o; text "spo2"; keys Enter; text "150"
screen | grep -q "spo2: '150' is outside the plausible range 50-100" && ok "implausible SpO2 refused with the range" ||
  no "no refusal message"
keys Escape; sleep 0.3
screen | grep -q "cancelled" && ok "Esc cancels the form" || no "Esc did not cancel"
c=$(sql "SELECT count(*) FROM observations WHERE param='spo2' AND value=150")
[ "$c" = 0 ] && ok "nothing stored from the cancelled form" || no "cancelled value stored"

keys "?"; screen | grep -q "acknowledge the bed's most urgent alarm" && ok "help lists the keys" || no "no help"
keys Escape; keys A; screen | grep -q "Alarms on the ward" && ok "alarm list" || no "no alarm list"
keys Escape
keys H; text "KN"; keys Enter; sleep 0.5
c=$(sql "SELECT count(*) FROM audit WHERE action='handover-view' AND staff='KN' AND detail LIKE 'handover preview %in-process board%'")
if screen | grep -q "HANDOVER Observasjonspost 3 (demo) - [a-z]* shift" && screen | grep -q "I  Identification" &&
   screen | grep -q "== Bed 1  Rom 1 vindu" && [ "${c:-0}" = 1 ]; then ok "H previews the shift's handover (ISBAR), asking initials, audited"
else no "no handover preview (audit rows: $c)"; screen | head -8 | sed 's/^/# /'; fi
keys NPage; screen | grep -q "== Bed 1  Rom 1 vindu" && no "PgDn did not scroll" || ok "PgDn scrolls the preview"
keys p; text "KN"; keys Enter
# While lp works the in-process ward goes on: its clock keeps moving.
c1=$(screen | head -1 | grep -o '[0-9][0-9]:[0-9][0-9]:[0-9][0-9]' | head -1); sleep 1.2
c2=$(screen | head -1 | grep -o '[0-9][0-9]:[0-9][0-9]:[0-9][0-9]' | head -1)
[ -n "$c1" ] && [ "$c1" != "$c2" ] && screen | grep -q "printing the handover (KN)" &&
  ok "the ward runs on while lp prints ($c1 -> $c2)" || no "during the print: '$c1' '$c2' $(screen | tail -1)"
sleep 2
c=$(sql "SELECT count(*) FROM audit WHERE action='handover-print' AND staff='KN' AND detail LIKE '% beds 1,%ok'")
if screen | grep -q "handover printed (KN): request id is board-1" && [ "${c:-0}" = 1 ] &&
   [ "$(sed -n 1p "$T/lp.args")" = "-t" ] && [ "$(sed -n 3p "$T/lp.args")" = "--" ]; then
  ok "p prints the handover with initials (lp started, audited)"
else no "board print: c=$c args=$(tr '\n' ' ' <"$T/lp.args" 2>/dev/null)"; screen | tail -2 | sed 's/^/# /'; fi
keys Escape

# Hazards H16-8, H16-9, H16-14 (doc/hazards.md) on bed 1: a new patient's
# detail shows nothing of the previous one; a long note is typed with its
# byte count shown, kept whole, refused past its limit; limits say what
# alarms.
tmux -L "$S" resize-window -x 120 -y 50; sleep 0.4
keys h; keys d
screen | tail -1 | grep -q "Rom 1 vindu (DEMO-01) | Discharge this patient? Your initials to confirm" &&
  ok "discharge asks for confirmation naming the patient and bed" || no "discharge prompt: $(screen | tail -1)"
text "KN"; keys Enter; sleep 1
c=$(sql "SELECT count(*) FROM admissions WHERE bed=1 AND discharged_at IS NULL")
[ "$c" = 0 ] && ok "bed 1 discharged" || no "bed 1 not discharged ($c)"
# 2100 bytes: the sentence (47 bytes, å and ø two each) repeated.
long=""; i=0; while [ $i -lt 44 ]; do long="${long}Får morfin 5 mg sc ved smerter, sover nå godt. "; i=$((i + 1)); done
long="${long}Slutt på notatet."
bytes=$(printf '%s' "$long" | wc -c)
keys i; text "PAS-NY"; keys Enter; text "$long"; wait_for "$bytes/4000" 10
screen | tail -1 | grep -q "$bytes/4000" && screen | tail -1 | grep -q "Slutt på notatet._" &&
  ok "a long admission note shows its byte count ($bytes/4000) and its end while typed" ||
  no "admission note input: $(screen | tail -1)"
keys Enter; text "KN"; keys Enter; sleep 1.5
got=$(sql "SELECT length(CAST(note AS BLOB)) FROM admissions WHERE bed=1 AND discharged_at IS NULL")
same=$(sql "SELECT note = '$long' FROM admissions WHERE bed=1 AND discharged_at IS NULL")
[ "$got" = "$bytes" ] && [ "$same" = 1 ] && ok "admission note of $bytes bytes stored whole" ||
  no "admission note stored as $got bytes (typed $bytes), same=$same"
keys Enter; sleep 0.8
if screen | grep -q "PAS-NY" && ! screen | grep -q "Pasient hoster" && ! screen | grep -q "acknowledged by KN" &&
   ! screen | grep -q "obs acvpu"; then
  ok "the new patient's detail shows none of the previous patient's notes and alarms"
else no "previous patient's record in the new detail"; screen | sed -n 1,50p | grep -v '^$' | sed 's/^/# /'; fi
screen | grep -q "alarm at RR <= [0-9]* or >= [0-9]*, HR <= [0-9]* or >= [0-9]*" &&
  ok "detail says what alarms (alarm at RR <= .. or >= ..)" || no "detail limits: $(screen | sed -n 3,4p)"
# A note one byte over its limit: the byte is refused with the reason.
full=$(head -c 4000 /dev/zero | tr '\0' x)
keys n; text "$full"; wait_for "4000/4000" 15; text "y"; sleep 0.5
screen | grep -q "this field is full: at most 4000 bytes" && screen | tail -1 | grep -q "4000/4000" &&
  ok "a note at 4000 bytes refuses the next character and says why" || no "note limit: $(screen | tail -2)"
keys Enter; text "KN"; keys Enter; sleep 1.5
c=$(sql "SELECT count(*) FROM notes WHERE text = '$full'")
[ "$c" = 1 ] && ok "the 4000-byte note stored whole" || no "4000-byte note ($c)"
keys Escape
tmux -L "$S" resize-window -x 80 -y 24; sleep 0.4
# At 80 columns a long prompt gives way to what is typed (H17-19; before:
# the observation prompt filled the line and "temp" was typed blind).
keys Escape; keys Escape; keys o; text "temp"
screen | tail -1 | grep -q "temp_" && ok "a long prompt at 80 columns keeps the typed text on screen" ||
  no "typed text off screen: $(screen | tail -1)"
keys Escape
# A hand count keeps its "c" on an 80-column tile (H17-23; before: cut,
# so the counted 30 read as the radar's).
keys Escape; keys Escape; keys o; text "rr"; keys Enter; text "30"; keys Enter; text "KN"; keys Enter
i=0; while [ $i -lt 25 ] && ! screen | sed -n 3p | cut -c1-13 | grep -q "^RR  30.* c"; do sleep 0.2; i=$((i + 1)); done
screen | sed -n 3p | cut -c1-13 | grep -q "^RR  30.* c" && ok "an 80-column tile marks a hand-counted RR with c" ||
  no "counted RR on the tile: $(screen | sed -n 3p)"
# The bed detail at 80x24 with alarms and trends still shows the newest
# history entry and says how many are left out (H17-24; before: the heading
# and nothing under it).
keys Enter
if wait_for "t trend span" 5 && screen | grep -qE "^[0-9]{2}:[0-9]{2}:[0-9]{2}  .|^History \([0-9]+ in 12 h\), newest"; then
  ok "bed detail at 80x24 shows the newest history entry"
else no "detail history at 80x24: $(screen | tail -4 | tr '\n' '|')"; fi
keys Escape
# A paste with line breaks into a note (H17-18): the first line is the
# note, the rest is dropped, never taken as initials or board keys (before:
# the note was saved signed "ok", and "Ring" ran R, i, n on the board).
keys Escape; keys Escape; keys n
printf 'Pasient urolig, sjekk BT\nok\nRing vakthavende\n' >"$T/paste.txt"
tmux -L "$S" load-buffer "$T/paste.txt"; tmux -L "$S" paste-buffer; sleep 0.6
c=$(sql "SELECT count(*) FROM notes WHERE text LIKE 'Pasient urolig%' OR text LIKE '%vakthavende%'")
if wait_for "pasted text after a line break ignored" 5 && [ "$c" = 0 ] && screen | tail -1 | grep -q "Your initials"; then
  ok "a pasted note stops at its line break: nothing signed by the paste, no keys run"
else no "paste: $c notes; $(screen | tail -2 | tr '\n' '|')"; fi
keys Escape; keys Escape
# Mouse (SGR sequences, as xterm-256color's terminfo asks for): a
# double-click right of the last tile column belongs to no bed (before: it
# opened the first bed of the next row); one inside a tile opens that bed.
click() { tmux -L "$S" send-keys -l "$(printf '\033[<0;%d;%dM\033[<0;%d;%dm' $(($1 + 1)) $(($2 + 1)) $(($1 + 1)) $(($2 + 1)))"; }
keys Escape; keys Escape
click 79 2; sleep 0.05; click 79 2; sleep 0.8
if screen | grep -q "t trend span"; then no "a double-click right of the tiles opened $(screen | sed -n 2p)"
else
  click 2 2; sleep 0.05; click 2 2
  wait_for "t trend span" 5 && ok "mouse: a double-click opens the tile's bed, right of the tiles nothing" ||
    no "mouse: a double-click inside a tile opened nothing: $(screen | head -3; screen | tail -2)"
fi
keys Escape
keys q; screen | grep -q "Monitoring in this terminal STOPS" && ok "quit asks for confirmation" || no "no quit confirmation"
keys y; sleep 0.5
grep -q "monitoring in this process stopped" "$T/err" && ok "quit says monitoring stopped" || no "quit message"
tmux -L "$S" kill-server 2>/dev/null

# Monochrome terminal (a server of its own), started by make as `make demo`
# starts it: make is the pane's first process and passes no SIGHUP on.
S=$S-mono
printf 'all:\n\tenv TERM=vt100 NO_COLOR=1 LANG=C %s --demo --speed 10 --db %s 2>%s\n' \
  "'$W'" "'$T/mono.db'" "'$T/mono.err'" >"$T/mono.mk"
tmux -L "$S" -f /dev/null new-session -d -x 80 -y 24 \
  "make -s -f '$T/mono.mk'"
if wait_for "Korridor" 15; then
  wait_for "\*\*\*" 20 && ok "monochrome vt100: board with priority markers" || no "monochrome: no markers"
else no "monochrome board did not start"; fi
# The terminal goes away under the board, with the quit prompt open (the
# tmux server killed, an ssh session dropped): no SIGHUP reaches a child of
# the pane's shell, stdin only hangs up. The board must leave and say so,
# not run on unseen, polling a dead terminal.
keys q
tmux -L "$S" kill-server 2>/dev/null
mono_running() { ps -eo args= | grep -F -- "$T/mono.db" | grep -qv grep; }
i=0; while [ $i -lt 50 ] && mono_running; do sleep 0.1; i=$((i + 1)); done
if mono_running; then
  no "a board whose terminal hung up still runs: $(ps -eo pcpu=,args= | grep -F -- "$T/mono.db" | grep -v grep)"
  pkill -f -- "$T/mono.db"
else
  grep -q "terminal hung up" "$T/mono.err" && grep -q "monitoring in this process stopped" "$T/mono.err" &&
    ok "a board whose terminal hangs up leaves and says monitoring stopped" ||
    no "board left without saying why: $(cat "$T/mono.err")"
fi

# Norwegian (nb_NO.UTF-8): the board speaks Bokmål.
if locale -a 2>/dev/null | grep -qi '^nb_NO\.utf-\?8$'; then
  S=$S-nb
  tmux -L "$S" -f /dev/null new-session -d -x 80 -y 24 \
    "env LANG=nb_NO.UTF-8 LC_ALL=nb_NO.UTF-8 TERM=xterm-256color '$W' --demo --speed 10 --db '$T/nb.db' 2>/dev/null; sleep 30"
  if wait_for "lagring ok" 15 && wait_for "sensorer" 5 && wait_for "NEWS2 [0-9]* \(lav\|høy\|middels\)" 15; then
    keys "?"
    screen | grep -q "kvitter sengens mest hastende alarm" && ok "Norwegian board and help (nb_NO.UTF-8)" ||
      no "Norwegian help missing"
  else no "Norwegian board not in Bokmål"; screen | head -3 | sed 's/^/# /'; fi
  tmux -L "$S" kill-server 2>/dev/null
else
  echo "ok - Norwegian board # SKIP locale nb_NO.UTF-8 not available"
fi
