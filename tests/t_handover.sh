#!/bin/sh
# `wardwatch handover` over stores filled by replayed demo sessions
# (tests/tools/handover_fill: the demo ward through the real monitor, ward,
# alarms and store, with scripted nurses): every ISBAR section for each
# bed, acknowledgements with initials, notes in order, a bed admitted
# mid-shift, the empty ward, both DST changes of 2026 in Europe/Oslo, 80
# columns and 66-line pages, bad arguments (exit 2 naming the flag), the
# PDF through pdftotext (æøå), the audit trail; printing through a stand-in
# lp (argv verbatim, no shell) and through a real CUPS with a cups-pdf
# printer (the PDF it writes holds the handover text), and lp's own message
# when a printer is missing or not accepting jobs.
W=${WARDWATCH_BIN:-bin/wardwatch}
B=${WARDWATCH_BUILD:-build}
case "$W" in /*) ;; *) W=$(pwd)/$W ;; esac
case "$B" in /*) ;; *) B=$(pwd)/$B ;; esac
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
FILL=$B/tests/tools/handover_fill
T=$(mktemp -d)
CUPSD_PID=
cleanup() {
  [ -n "$CUPSD_PID" ] && kill "$CUPSD_PID" 2>/dev/null
  [ -f "$T/cups-pdf-made" ] && while read -r f; do rm -f "$f"; done <"$T/cups-pdf-made"
  rm -rf "$T"
}
trap cleanup EXIT
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
no() { n=$((n + 1)); echo "not ok $n - $1"; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
export TZ=Europe/Oslo LANG=C.UTF-8 LC_ALL=C.UTF-8
sql() { sqlite3 "$1" "$2" 2>/dev/null; }

if [ ! -x "$FILL" ]; then no "handover_fill not built ($FILL)"; exit 1; fi

cat >"$T/ward.ini" <<EOF
[ward]
name = Observasjonspost 3 (demo)
database = ward.db

[handover]
staff = KN
EOF
H() { "$W" handover -c "$T/ward.ini" "$@"; }

# --- a day shift (07-15) from a 9 h session starting 06:30 ----------------
if "$FILL" "$root/data/demo" "$T/ward.db" 2026-12-01T06:30 9 >"$T/fill.out" 2>"$T/fill.err"; then
  ok "demo session replayed into a store ($(cat "$T/fill.out"))"
else
  no "handover_fill failed: $(tail -3 "$T/fill.err")"; exit 1
fi

H --shift day --at 2026-12-01T16:00 >"$T/day.txt" 2>"$T/day.err"
rc=$?
[ $rc = 0 ] && ok "handover --shift day exits 0" || no "handover failed ($rc): $(cat "$T/day.err")"
beds=$(grep -c '^== Bed ' "$T/day.txt")
all=1
for s in "I  Identification" "S  Situation" "B  Background" "A  Assessment" "R  Recommendation"; do
  c=$(grep -c "^$s\$" "$T/day.txt"); [ "$c" = 12 ] || { all=0; echo "# $s: $c"; }
done
[ "$beds" = 12 ] && [ $all = 1 ] && ok "all five ISBAR sections for each of the 12 beds" ||
  no "ISBAR sections missing (beds $beds)"
grep -q "Period 2026-12-01 07:00 +01:00 to 2026-12-01 15:00 +01:00" "$T/day.txt" &&
  grep -q "Printed .* by KN" "$T/day.txt" && grep -q "HANDOVER Observasjonspost 3 (demo) - day shift" "$T/day.txt" &&
  ok "header: ward, period, printed at and by" || no "header"
lines=$(wc -l <"$T/day.txt")
pages=$(grep -c "^Working summary for handover - not the patient record.\$" "$T/day.txt")
first=$(head -1 "$T/day.txt")
[ $((lines % 66)) = 0 ] && [ "$pages" = $((lines / 66)) ] &&
  echo "$first" | grep -q "page 1 of $pages\$" && grep -q "page $pages of $pages\$" "$T/day.txt" &&
  ok "$pages pages of 66 lines, each with 'page x of y' and the footer" ||
  no "pages: $lines lines, $pages footers, first '$first'"
w=$(wc -L <"$T/day.txt")
[ "$w" -le 80 ] && ok "widest line $w columns (æøå count one)" || no "a line is $w columns wide"
if LC_ALL=C grep -q "$(printf '\033')" "$T/day.txt" || LC_ALL=C grep -q "$(printf '\007')" "$T/day.txt"; then
  no "control characters reached the output"
else ok "no control characters (escape sequences in a note were stripped)"; fi
grep -q "Sover godt natt" "$T/day.txt" && ok "the sanitised note text is kept" || no "sanitised note missing"
grep -q "acknowledged by KN" "$T/day.txt" && grep -q "acknowledged by ÅS" "$T/day.txt" &&
  ok "acknowledgements listed with initials (KN, ÅS)" || no "acknowledgements without initials"
grep -q "NOT ACKNOWLEDGED" "$T/day.txt" && ok "open unacknowledged alarms flagged" || no "no unacknowledged alarm shown"
# Bed 1's hourly notes: in time order, only the shift's (07:00 .. 14:00).
grep -o "Time [0-9]*: pasienten hoster" "$T/day.txt" | sed 's/Time \([0-9]*\).*/\1/' >"$T/notes"
if [ "$(cat "$T/notes" | tr '\n' ' ')" = "1 2 3 4 5 6 7 8 " ]; then
  ok "notes in time order, only the shift's"
else no "notes: $(cat "$T/notes" | tr '\n' ' ')"; fi
sed -n '/^== Bed 12  Korridor/,/^== Bed \|^---/p' "$T/day.txt" >"$T/bed12"
grep -q "New: admitted during this period" "$T/bed12" && grep -q "admitted 2026-12-01 11:00 +01:00" "$T/bed12" &&
  ok "bed 12, admitted mid-shift, says so" || no "mid-shift admission: $(head -5 "$T/bed12")"
grep -q "SpO2 Scale 2 (target 88-92 %), set by Dr Berg" "$T/day.txt" && ok "Scale 2 and who set it" || no "Scale 2"
grep -q "Alarm at RR <= 6 or >= 30, HR <= 40 or >= 131 (individual limits, KOLS" "$T/day.txt" && ok "individual limits as what alarms, with reason" ||
  no "individual limits"
grep -q "Patient P-Ærø-04" "$T/day.txt" && ok "patient reference with æø" || no "patient ref"
# Alarms by the names the board gives them (scoring/alarm.c's table, po/nb.po
# in Norwegian), never the stored identifiers (#17).
if grep -q "news2-high\|news2-medium\|rr-high\|rr-low\|hr-high\|hr-low\|obs-overdue\|no-signal\|sensor-disconnected\|out-of-bed" "$T/day.txt"; then
  no "alarm identifiers in the printout: $(grep -m3 "news2-\|rr-\|hr-\|obs-overdue" "$T/day.txt")"
elif grep -q "^     \*\*  medium: RR high, raised " "$T/day.txt" && grep -q "^     \*\*\* high: NEWS2 high (>= 7), raised " "$T/day.txt" &&
     grep -q "^     [0-9:]* \*   Observations overdue; acknowledged by KN" "$T/day.txt"; then
  ok "alarms by name: 'RR high', 'NEWS2 high (>= 7)', 'Observations overdue', no identifiers"
else no "alarm names: $(grep -m3 "raised" "$T/day.txt")"; fi
LANG=nb_NO.UTF-8 LC_ALL=nb_NO.UTF-8 H --shift day --at 2026-12-01T16:00 >"$T/day-nb.txt" 2>&1
if ! locale -a 2>/dev/null | grep -qi "^nb_NO.utf-\?8$"; then
  skip "alarm names in Norwegian" "no nb_NO.UTF-8 locale on this machine"
elif grep -q "^     \*\*  middels: RF høy, utløst " "$T/day-nb.txt" && grep -q "NEWS2 høy (>= 7), utløst " "$T/day-nb.txt" &&
     grep -q "\*   Observasjoner forsinket; kvittert av KN" "$T/day-nb.txt" && ! grep -q "rr-high\|obs-overdue" "$T/day-nb.txt"; then
  ok "alarm names in Norwegian: 'RF høy', 'NEWS2 høy (>= 7)', 'Observasjoner forsinket'"
else no "Norwegian alarm names: $(grep -m3 "utløst\|raised" "$T/day-nb.txt")"; fi
# The whole handover in Norwegian, not only the alarm names (H17-29: the
# headings, the ISBAR sections, the due time and the alarm log were
# English), its columns kept by display width.
if locale -a 2>/dev/null | grep -qi "^nb_NO.utf-\?8$"; then
  isbar=1
  for s in "I  Identifikasjon" "S  Situasjon" "B  Bakgrunn" "A  Aktuell vurdering" "R  Råd"; do
    [ "$(grep -c "^$s\$" "$T/day-nb.txt")" = 12 ] || isbar=0
  done
  if [ $isbar = 1 ] && grep -q "^VAKTRAPPORT Observasjonspost 3 (demo) - dagvakt  *side 1 av " "$T/day-nb.txt" &&
     grep -q "^   Neste observasjon " "$T/day-nb.txt" && grep -q "^Arbeidsnotat for vaktrapport" "$T/day-nb.txt" &&
     ! grep -q "acknowledged\|Recommendation\|Next observation\| raised \|Working summary" "$T/day-nb.txt" &&
     [ "$(grep -E '^\*\*  middels +[0-9]+ ' "$T/day-nb.txt" | LC_ALL=C awk '{print index($0, $3) + length($3)}')" = \
       "$(grep -E '^\*\*\* høy +[0-9]+ ' "$T/day-nb.txt" | LC_ALL=C awk '{print index($0, $3) + length($3) - 1}')" ]; then
    ok "the handover in Norwegian: title, ISBAR, due time, alarm log, footer; counts in line"
  else no "Norwegian handover: $(grep -m4 "Recommendation\|acknowledged\|raised\|^\*" "$T/day-nb.txt" | tr '\n' '|')"; fi
else
  skip "the handover in Norwegian" "no nb_NO.UTF-8 locale on this machine"
fi

# One bed.
H --shift day --at 2026-12-01T16:00 --bed "Rom 1 dør" >"$T/bed.txt" 2>&1
[ "$(grep -c '^== Bed ' "$T/bed.txt")" = 1 ] && grep -q "== Bed 2  Rom 1 dør" "$T/bed.txt" &&
  ok "--bed LABEL (UTF-8) gives that bed only" || no "--bed: $(head -3 "$T/bed.txt")"
H --from 2026-12-01T07:00+01:00 --to 2026-12-01T14:00Z --bed 3 >"$T/bed3.txt" 2>&1 &&
  grep -q "Period 2026-12-01 07:00 +01:00 to 2026-12-01 15:00 +01:00" "$T/bed3.txt" &&
  grep -q "== Bed 3 " "$T/bed3.txt" && ok "--from/--to with offsets, --bed NUMBER" || no "--from/--to with offsets"

# The empty ward: a period before anyone was admitted.
H --from 2026-11-30T07:00 --to 2026-11-30T15:00 >"$T/empty.txt" 2>&1
[ $? = 0 ] && grep -q "No patient was admitted during this period." "$T/empty.txt" &&
  ! grep -q "I  Identification" "$T/empty.txt" && [ "$(grep -c 'Empty: no patient' "$T/empty.txt")" = 12 ] &&
  ok "empty ward: said so, every bed empty" || no "empty ward: $(head -12 "$T/empty.txt")"

# Bad arguments: exit 2 naming the flag and what is accepted.
bad() { # expected-words... -- args
  want=$1; shift
  H "$@" >"$T/bad.out" 2>"$T/bad.err"; rc=$?
  if [ $rc = 2 ] && grep -q -- "$want" "$T/bad.err"; then return 0; fi
  echo "# rc $rc: $(head -1 "$T/bad.err")"; return 1
}
bad "--shift: 'dusk' is not a shift (accepted: day, evening, night)" --shift dusk &&
  bad "--format: 'doc' is not a format (accepted: text, pdf)" --format doc &&
  bad "--from: '2026-12-01' is not an ISO 8601 time" --from 2026-12-01 --to 2026-12-02T07:00 &&
  bad "--from needs --to too" --from 2026-12-01T07:00 &&
  bad "--to (2026-12-01T06:00) must be after --from" --from 2026-12-01T07:00 --to 2026-12-01T06:00 &&
  bad "--shift excludes --from/--to" --shift day --from 2026-12-01T07:00 --to 2026-12-01T08:00 &&
  bad "unknown argument '--frobnicate' (accepted:" --frobnicate &&
  bad "--bed: no bed 'Rom 99' (accepted: 'Rom 1 vindu'" --bed "Rom 99" &&
  bad "--print: 'a b' is not a printer name" --print "a b" &&
  bad "--staff: 'K' is not a valid staff id" --staff K &&
  bad "--format pdf needs -o FILE or --print" --format pdf &&
  bad "--from: '2026-03-29T02:30' is not an ISO 8601 time that exists here" --from 2026-03-29T02:30 --to 2026-03-29T07:00 &&
  ok "bad arguments exit 2 naming the flag and the accepted values" || no "bad arguments"
"$W" handover --db "$T/nonexistent.db" >/dev/null 2>"$T/nx.err"; rc=$?
[ $rc = 1 ] && grep -q "nonexistent.db" "$T/nx.err" && [ ! -e "$T/nonexistent.db" ] &&
  ok "a missing database is an error (exit 1), not created" || no "missing database: rc $rc"

# A reader never migrates (#19 defect 5): a database of schema 5 (before
# version 6's outbox) is left as it is, byte for byte, and refused naming
# the file and both versions; one newer than this build is refused too.
cur=$(sql "$T/ward.db" "PRAGMA user_version")
sqlite3 "$T/ward.db" ".backup '$T/old.db'" 2>/dev/null
sql "$T/old.db" "DROP TABLE IF EXISTS outbox; PRAGMA user_version = 5"
sql "$T/old.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
sum0=$(sha256sum <"$T/old.db")
H --db "$T/old.db" --shift day --at 2026-12-01T16:00 >/dev/null 2>"$T/old.err"; rc=$?
[ $rc = 1 ] && [ "$(sql "$T/old.db" "PRAGMA user_version")" = 5 ] && [ "$(sha256sum <"$T/old.db")" = "$sum0" ] &&
  grep -q "$T/old.db: database schema version 5 is older than this wardwatch reads (version $cur); this command only reads and does not upgrade it" "$T/old.err" &&
  ok "a database at schema 5 is not migrated by handover (user_version and bytes unchanged), refused naming both versions" ||
  no "older schema ($rc, user_version $(sql "$T/old.db" "PRAGMA user_version")): $(cat "$T/old.err")"
sql "$T/old.db" "PRAGMA user_version = 99"
sum0=$(sha256sum <"$T/old.db")
H --db "$T/old.db" --shift day --at 2026-12-01T16:00 >/dev/null 2>"$T/old.err"; rc=$?
[ $rc = 1 ] && [ "$(sha256sum <"$T/old.db")" = "$sum0" ] &&
  grep -q "$T/old.db: database schema version 99 is newer than this wardwatch reads (version $cur)" "$T/old.err" &&
  ok "a newer unknown schema (99) is refused with file and versions, nothing changed" || no "newer schema ($rc): $(cat "$T/old.err")"

# PDF.
if command -v pdftotext >/dev/null 2>&1; then
  H --shift day --at 2026-12-01T16:00 -o "$T/day.pdf" 2>"$T/pdf.err"
  if [ $? = 0 ] && pdftotext "$T/day.pdf" "$T/pdf.txt" 2>/dev/null; then
    size=$(pdfinfo "$T/day.pdf" 2>/dev/null | sed -n 's/^Page size: *\([0-9.]* x [0-9.]*\).*/\1/p')
    p=$(pdfinfo "$T/day.pdf" 2>/dev/null | sed -n 's/^Pages: *//p')
    if grep -q "HANDOVER Observasjonspost 3 (demo) - day shift" "$T/pdf.txt" && grep -q "æøå ÆØÅ" "$T/pdf.txt" &&
       grep -q "Rom 1 dør" "$T/pdf.txt" && [ "$(grep -c "Recommendation" "$T/pdf.txt")" = 12 ] &&
       grep -q "page 1 of $p" "$T/pdf.txt" && grep -q "not the patient record" "$T/pdf.txt" &&
       [ "$size" = "595.276 x 841.89" ]; then
      ok "PDF: A4, $p pages, readable by pdftotext with æøå, all beds"
    else no "PDF text ($size, $p pages): $(head -5 "$T/pdf.txt")"; fi
    [ "$(stat -c %a "$T/day.pdf")" = 600 ] && ok "the PDF file is readable by its owner only" || no "PDF mode"
    # the trend plots are drawn (vector paths between the text)
    if command -v pdftoppm >/dev/null 2>&1; then
      pdftoppm -r 30 -f 1 -l 1 -png "$T/day.pdf" "$T/pg" 2>/dev/null && [ -s "$T/pg-01.png" -o -s "$T/pg-1.png" ] &&
        ok "pdftoppm renders the first page" || no "pdftoppm failed"
    fi
  else no "PDF not produced: $(cat "$T/pdf.err")"; fi
else
  skip "PDF readable by pdftotext" "poppler-utils not installed"
fi

# --- DST: the nights of 29 March (7 h) and 25 October (9 h) 2026 ---------
"$FILL" "$root/data/demo" "$T/spring.db" 2026-03-28T22:30 9 >/dev/null 2>"$T/fill.err" || no "spring fill"
"$W" handover -c "$T/ward.ini" --db "$T/spring.db" --shift night --at 2026-03-29T08:00 >"$T/spring.txt" 2>&1
grep -q "Period 2026-03-28 23:00 +01:00 to 2026-03-29 07:00 +02:00" "$T/spring.txt" &&
  grep -q "NEWS2    28.03 23:00 \(>=\)\?[0-9]*, 00:00 \(>=\)\?[0-9]*, 01:00 \(>=\)\?[0-9]*, 03:00 \(>=\)\?[0-9]*" "$T/spring.txt" &&
  ok "spring night: 23:00 +01:00 to 07:00 +02:00, no 02:00 in the hourly NEWS2" ||
  no "spring night: $(grep -m2 "Period\|NEWS2   " "$T/spring.txt")"
"$FILL" "$root/data/demo" "$T/autumn.db" 2026-10-24T22:30 10 >/dev/null 2>"$T/fill.err" || no "autumn fill"
"$W" handover -c "$T/ward.ini" --db "$T/autumn.db" --shift night --at 2026-10-25T08:00 >"$T/autumn.txt" 2>&1
grep -q "Period 2026-10-24 23:00 +02:00 to 2026-10-25 07:00 +01:00" "$T/autumn.txt" &&
  grep -q "02:00 \(>=\)\?[0-9]*, 02:00 \(>=\)\?[0-9]*, 03:00" "$T/autumn.txt" &&
  ok "autumn night: 23:00 +02:00 to 07:00 +01:00, 02:00 twice in the hourly NEWS2" ||
  no "autumn night: $(grep -m2 "Period\|NEWS2   " "$T/autumn.txt")"
d=$(sql "$T/autumn.db" "SELECT detail FROM audit WHERE action='handover-view' ORDER BY id DESC LIMIT 1")
echo "$d" | grep -q "night text 2026-10-24T23:00:00+02:00..2026-10-25T07:00:00+01:00 beds 1,2,3" &&
  ok "audit names the period with its offsets and the beds" || no "audit detail: $d"

# --- audit of views and exports ---------------------------------------------
c=$(sql "$T/ward.db" "SELECT count(*) FROM audit WHERE action IN ('handover-view','handover-export') AND staff='KN'")
e=$(sql "$T/ward.db" "SELECT detail FROM audit WHERE action='handover-export' ORDER BY id DESC LIMIT 1")
[ "${c:-0}" -ge 5 ] && echo "$e" | grep -q "day pdf .* beds 1,2,3,4,5,6,7,8,9,10,11,12; file $T/day.pdf ok" &&
  ok "every view and export audited (who KN, period, beds, where)" || no "audit: $c rows, last export '$e'"
H --shift day --at 2026-12-01T16:00 --staff ÅS -o "$T/as.txt" >/dev/null 2>&1
[ "$(sql "$T/ward.db" "SELECT staff FROM audit ORDER BY id DESC LIMIT 1")" = "ÅS" ] && grep -q "Printed .* by ÅS" "$T/as.txt" &&
  ok "--staff overrides the INI's [handover] staff" || no "--staff"

# --- a stand-in lp earlier on PATH: exact argv, no shell ------------------
mkdir -p "$T/fakebin"
cat >"$T/fakebin/lp" <<EOF
#!/bin/sh
for a in "\$@"; do printf '%s\n' "\$a"; done >"$T/lp.args"
cat /proc/\$PPID/comm >"$T/lp.parent"
for a in "\$@"; do last=\$a; done; cp "\$last" "$T/lp.file"
echo "request id is fake-1 (1 file(s))"
EOF
chmod +x "$T/fakebin/lp"
# (run in $T: anything a shell would execute from the label lands there)
evil='Rom $(touch pwned) `touch pwned2` "q" æ'
sql "$T/ward.db" "UPDATE beds SET label = '$(printf '%s' "$evil" | sed "s/'/''/g")' WHERE number = 3"
(cd "$T" && PATH="$T/fakebin:$PATH" H --shift day --at 2026-12-01T16:00 --bed "$evil" --print obs3-laser >"$T/p.out" 2>"$T/p.err")
rc=$?
if [ $rc = 0 ] && [ -f "$T/lp.args" ]; then
  want=$(printf '%s\n' -d obs3-laser -t "HANDOVER Observasjonspost 3 (demo) - day shift, bed $evil, Period 2026-12-01 07:00 +01:00 to 2026-12-01 15:00 +01:00" --)
  got=$(head -5 "$T/lp.args")
  [ "$got" = "$want" ] && ok "lp got -d PRINTER -t TITLE -- FILE, the label with \$(...) and backticks verbatim" ||
    { no "lp argv"; sed 's/^/# got: /' "$T/lp.args"; }
  [ ! -e "$T/pwned" ] && [ ! -e "$T/pwned2" ] && [ "$(cat "$T/lp.parent")" = "$(basename "$W" | cut -c1-15)" ] &&
    ok "no shell: lp's parent is wardwatch and nothing in the label ran" ||
    no "a shell was involved (parent $(cat "$T/lp.parent"))"
  head -c 5 "$T/lp.file" | grep -q '%PDF-' && [ ! -e "$(sed -n 6p "$T/lp.args")" ] &&
    ok "lp was handed a PDF, removed afterwards" || no "printed file"
  grep -q "request id is fake-1" "$T/p.err" && ok "lp's request id reported" || no "no request id: $(cat "$T/p.err")"
else no "print through the stand-in lp failed ($rc): $(cat "$T/p.err")"; fi
cat >"$T/fakebin/lp" <<'EOF'
#!/bin/sh
echo "lp: Error - The printer or class does not exist." >&2
exit 1
EOF
PATH="$T/fakebin:$PATH" H --shift day --at 2026-12-01T16:00 --print nope >/dev/null 2>"$T/p.err"
rc=$?
a=$(sql "$T/ward.db" "SELECT detail FROM audit WHERE action='handover-print' ORDER BY id DESC LIMIT 1")
[ $rc = 1 ] && grep -q "printing failed: lp: Error - The printer or class does not exist." "$T/p.err" &&
  echo "$a" | grep -q "printer nope: failed: lp: Error - The printer or class does not exist. FAILED" &&
  ok "a failing lp: its message to the user, exit 1, audited as FAILED" || no "failing lp ($rc): $(cat "$T/p.err") / $a"
cat >>"$T/ward.ini" <<EOF
printer = ward-default-printer
EOF
cat >"$T/fakebin/lp" <<EOF
#!/bin/sh
for a in "\$@"; do printf '%s\n' "\$a"; done >"$T/lp.args"
EOF
PATH="$T/fakebin:$PATH" H --shift day --at 2026-12-01T16:00 --print >/dev/null 2>&1
[ "$(sed -n 2p "$T/lp.args")" = ward-default-printer ] && ok "--print without a name uses [handover] printer" ||
  no "default printer: $(head -2 "$T/lp.args" | tr '\n' ' ')"
sed -i '/^printer = /d' "$T/ward.ini"

# --- a real CUPS with a cups-pdf printer -----------------------------------
cups_skip=""
if [ "$(id -u)" != 0 ]; then cups_skip="not root (cupsd and the cups-pdf backend need it)"
elif ! command -v cupsd >/dev/null 2>&1 || ! command -v lpadmin >/dev/null 2>&1; then cups_skip="cups not installed"
elif [ ! -x /usr/lib/cups/backend/cups-pdf ]; then cups_skip="printer-driver-cups-pdf not installed"
elif ! command -v lp >/dev/null 2>&1; then cups_skip="cups-client (lp) not installed"; fi
ppd=/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd
[ -z "$cups_skip" ] && [ ! -f "$ppd" ] && cups_skip="no cups-pdf PPD at $ppd"
if [ -z "$cups_skip" ]; then
  # A private cupsd: own config, spool and socket, so the machine's CUPS (if
  # any) is not touched. Filters run as lp and need a writable TempDir.
  C=$T/cups
  mkdir -p "$C/etc/ppd" "$C/spool/tmp" "$C/cache" "$C/state" "$C/log" "$C/tmp"
  chmod 755 "$T" "$C" "$C/etc" "$C/spool" "$C/cache" "$C/state" "$C/log"; chmod 1777 "$C/tmp"
  port=$((20000 + $$ % 20000))
  cat >"$C/etc/cupsd.conf" <<EOF
Listen $C/cups.sock
Listen 127.0.0.1:$port
LogLevel info
WebInterface No
Browsing No
DefaultAuthType None
<Location />
  Order allow,deny
  Allow all
</Location>
<Location /admin>
  Order allow,deny
  Allow all
</Location>
<Policy default>
  <Limit All>
    Order allow,deny
    Allow all
  </Limit>
</Policy>
EOF
  cat >"$C/etc/cups-files.conf" <<EOF
ServerRoot $C/etc
RequestRoot $C/spool
TempDir $C/tmp
CacheDir $C/cache
StateDir $C/state
AccessLog $C/log/access_log
ErrorLog $C/log/error_log
PageLog $C/log/page_log
SystemGroup root
EOF
  cupsd -f -c "$C/etc/cupsd.conf" -s "$C/etc/cups-files.conf" >"$C/log/stdout" 2>&1 &
  CUPSD_PID=$!
  export CUPS_SERVER=$C/cups.sock
  i=0; while [ $i -lt 50 ] && ! lpstat -r 2>/dev/null | grep -q "is running"; do sleep 0.2; i=$((i + 1)); done
  if ! lpstat -r 2>/dev/null | grep -q "is running"; then
    no "private cupsd did not start: $(tail -3 "$C/log/error_log" 2>/dev/null)"
  else
    P=wwpdf$$
    # Debian 12's cups-filters turns a PDF into PostScript for cups-pdf with
    # ghostscript by default, which rasterises the page (no text left);
    # poppler's pdftops keeps the fonts, so the PDF cups-pdf writes has text.
    if ! lpadmin -p "$P" -E -v cups-pdf:/ -P "$ppd" -o pdftops-renderer-default=pdftops 2>"$C/lpadmin.err"; then
      no "lpadmin: $(cat "$C/lpadmin.err")"
    else
      out=$(sed -n 's/^Out[[:space:]]*//p' /etc/cups/cups-pdf.conf 2>/dev/null | tail -1)
      [ -n "$out" ] || out='${HOME}/PDF'
      home=$(getent passwd root | cut -d: -f6)
      outdir=$(printf '%s' "$out" | sed "s|\${HOME}|$home|")
      anon=/var/spool/cups-pdf/ANONYMOUS
      touch "$T/marker"; sleep 1
      H --shift day --at 2026-12-01T16:00 --print "$P" >/dev/null 2>"$T/cups.err"
      rc=$?
      job=$(sed -n 's/.*request id is \([^ ]*\).*/\1/p' "$T/cups.err")
      [ $rc = 0 ] && [ -n "$job" ] && ok "printed to the cups-pdf printer (job $job)" || no "print to CUPS ($rc): $(cat "$T/cups.err")"
      pdf=""; i=0
      while [ $i -lt 150 ] && [ -z "$pdf" ]; do
        sleep 0.2; i=$((i + 1))
        lpstat -o "$P" 2>/dev/null | grep -q . && continue
        pdf=$(find "$outdir" "$anon" -maxdepth 1 -name '*.pdf' -newer "$T/marker" 2>/dev/null | head -1)
      done
      if [ -n "$pdf" ]; then
        echo "$pdf" >>"$T/cups-pdf-made"
        sleep 0.5
        if pdftotext "$pdf" "$T/cups.txt" 2>/dev/null && grep -q "HANDOVER Observasjonspost 3 (demo) - day shift" "$T/cups.txt" &&
           grep -q "æøå ÆØÅ" "$T/cups.txt" && grep -q "Rom 1 dør" "$T/cups.txt"; then
          ok "the PDF cups-pdf wrote ($pdf) holds the handover text with æøå"
        else no "cups-pdf output has no handover text: $(head -3 "$T/cups.txt" 2>/dev/null)"; fi
      else
        no "cups-pdf wrote no PDF into $outdir or $anon: $(grep -i "job\|error" "$C/log/error_log" | tail -3)"
      fi
      H --shift day --at 2026-12-01T16:00 --print "no-such-printer" >/dev/null 2>"$T/cups.err"
      rc=$?
      [ $rc = 1 ] && grep -q "printing failed: lp: .*The printer or class does not exist" "$T/cups.err" &&
        ok "a missing printer: lp's message to the user, exit 1" || no "missing printer ($rc): $(cat "$T/cups.err")"
      cupsreject -r "out of paper" "$P" 2>/dev/null; cupsdisable "$P" 2>/dev/null
      H --shift day --at 2026-12-01T16:00 --print "$P" >/dev/null 2>"$T/cups.err"
      rc=$?
      [ $rc = 1 ] && grep -q "printing failed: lp: .*not accepting jobs" "$T/cups.err" &&
        ok "a disabled printer (not accepting jobs): lp's message, exit 1" || no "disabled printer ($rc): $(cat "$T/cups.err")"
      lpadmin -x "$P" 2>/dev/null
    fi
  fi
  kill "$CUPSD_PID" 2>/dev/null; wait "$CUPSD_PID" 2>/dev/null; CUPSD_PID=
  unset CUPS_SERVER
else
  skip "print through a real CUPS with cups-pdf" "$cups_skip"
  skip "missing or disabled printer through a real CUPS" "$cups_skip"
fi
exit 0
