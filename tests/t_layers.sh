#!/bin/sh
# The layer rules (scripts/layers.sh, doc/design.md): the tree keeps them,
# and a temporary copy of it with one forbidden include (or a file in no
# layer) injected makes the checker fail, naming the file, the line, the
# include and the rule. Then the built objects: nothing below the command
# layer names a printing or PDF symbol (H19-40: the core must not link lp,
# pango or cairo).
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
B=${WARDWATCH_BUILD:-$root/build}
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
no() { n=$((n + 1)); echo "not ok $n - $1"; }
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT

out=$(sh "$root/scripts/layers.sh" "$root" 2>&1); rc=$?
[ "$rc" -eq 0 ] && [ -z "$out" ] && ok "the tree keeps the layer rules" ||
  no "the tree breaks the layer rules (rc=$rc): $out"

# A copy of the four source folders, made once; each case changes files in
# it and put_back restores them.
mkdir "$T/tree" && cp -R "$root/src" "$root/sensors" "$root/scoring" "$root/ui" "$T/tree/"
changed=
fresh() {
    for g in $changed; do cp "$root/$g" "$T/tree/$g"; done
    rm -f "$T/tree/src/newmod.c"
    changed=
}
touched() { changed="$changed $*"; }

# inject NAME FILE LINE TEXT WANT: TEXT put in as line LINE of FILE makes
# the checker exit 1 with a message containing WANT.
inject() {
    name=$1 f=$2 line=$3 text=$4 want=$5
    fresh; touched "$f"
    awk -v l="$line" -v t="$text" 'NR == l { print t } { print }' "$T/tree/$f" >"$T/x" &&
      cat "$T/x" >"$T/tree/$f"
    out=$(sh "$root/scripts/layers.sh" "$T/tree" 2>&1); rc=$?
    if [ "$rc" -eq 1 ] && printf '%s\n' "$out" | grep -qF -- "$want"; then
        ok "$name"
    else
        no "$name: rc=$rc, want 1 and '$want'; got: $out"
    fi
}

inject "the core including the handover's printing fails" src/ward.c 5 '#include "handover_print.h"' \
  'src/ward.c:5: #include "handover_print.h" (layer print) breaks rule: core may include itself and base scoring sensors store wire config handover'
inject "scoring including the core fails" scoring/news2.c 3 '#include "ward.h"' \
  'scoring/news2.c:3: #include "ward.h" (layer core) breaks rule: scoring may include itself and base'
inject "sensors including scoring fails" sensors/dsp.c 2 '#include "news2.h"' \
  'sensors/dsp.c:2: #include "news2.h" (layer scoring) breaks rule: sensors may include itself and base'
inject "the base including anything above it fails" src/loop.c 2 '#include "store.h"' \
  'src/loop.c:2: #include "store.h" (layer store) breaks rule: base may include only itself'
inject "ui reaching past view.h fails" ui/draw.c 2 '  #  include "monitor.h"' \
  'ui/draw.c:2: #include "monitor.h" (layer core) breaks rule: ui may include itself and base scoring view.h'
inject "ui opening the database fails" ui/draw.c 2 '#include <sqlite3.h>' \
  'ui/draw.c:2: #include <sqlite3.h> (library) breaks rule: only store may include sqlite3.h'
inject "the core including pango fails" src/monitor.c 4 '#include <pango/pangocairo.h>' \
  'src/monitor.c:4: #include <pango/pangocairo.h> (library) breaks rule: only print may include pango/*'
inject "the core including curses fails" src/ward.c 3 '#include <curses.h>' \
  'src/ward.c:3: #include <curses.h> (library) breaks rule: only ui cmd may include curses.h'
inject "a serial port outside sensors fails" src/store.c 3 '#include <libserialport.h>' \
  'src/store.c:3: #include <libserialport.h> (library) breaks rule: only sensors may include libserialport.h'
inject "a project header that does not exist fails" src/view.c 3 '#include "nothere.h"' \
  'src/view.c:3: #include "nothere.h": no such header'

# What the rules allow passes (so the cases above fail for their break).
fresh; touched src/util.c ui/draw.c src/cmd_news2.c
printf '#include "log.h"\n' >>"$T/tree/src/util.c"
printf '#include "view.h"\n#include "news2.h"\n' >>"$T/tree/ui/draw.c"
printf '#include "board.h"\n#include <curses.h>\n' >>"$T/tree/src/cmd_news2.c"
out=$(sh "$root/scripts/layers.sh" "$T/tree" 2>&1); rc=$?
[ "$rc" -eq 0 ] && ok "allowed includes pass (base in base, ui -> view.h and scoring, cmd -> ui and curses)" ||
  no "an allowed include was refused (rc=$rc): $out"

fresh
printf '#include "util.h"\n' >"$T/tree/src/newmod.c"
out=$(sh "$root/scripts/layers.sh" "$T/tree" 2>&1); rc=$?
[ "$rc" -eq 1 ] && printf '%s\n' "$out" | grep -qF 'src/newmod.c: in no layer' &&
  ok "a new file in no layer fails until it is placed" || no "new file: rc=$rc: $out"

# Linked, not just included: the objects below the command layer name no
# printing or PDF symbol (before H19-40's fix ward.o needed
# handover_print_pdf_start and handover_print_cancel).
objs=
for f in "$root"/src/*.c "$root"/sensors/*.c "$root"/scoring/*.c "$root"/ui/*.c; do
    rel=${f#"$root"/}
    case $rel in src/cmd_*|src/main.c|src/print.c|src/handover_print.c|src/handover_pdf.c) continue ;; esac
    objs="$objs $B/${rel%.c}.o"
done
missing=0
for o in $objs; do [ -e "$o" ] || missing=1; done
if [ "$missing" = 1 ] || ! command -v nm >/dev/null 2>&1; then
    echo "ok $((n + 1)) - # SKIP the core's objects are not built in $B (or no nm)"; n=$((n + 1))
else
    bad=$(nm -u -A $objs | awk '$NF ~ /^(handover_print|handover_write_pdf|pango_|cairo_)/ {
        sub(/:.*/, "", $1); print $1 ": " $NF }')
    [ -z "$bad" ] && ok "no object below the command layer links printing, pango or cairo" ||
      no "printing linked below the command layer: $(echo $bad)"
fi
echo "1..$n"
