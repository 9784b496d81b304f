#!/bin/sh
# layers.sh — check the include rules between wardwatch's layers.
#
#   sh scripts/layers.sh [ROOT]      (ROOT: the tree to check, default .)
#
# Every .c and .h under src/ sensors/ scoring/ ui/ belongs to exactly one
# layer, found by folder and file name (layer_of below; the first pattern
# that matches wins). A layer may include its own headers and those of the
# layers (or the single headers) its rule lists, and only the library
# headers the library table gives it. Breaks are printed one a line as
#
#   FILE:LINE: #include <X> (layer L) breaks rule: R
#
# and the exit status is 1; a file in no layer or a "project" include that
# names no header of the tree is a break too, so new files must be placed
# here. doc/design.md explains the layers; keep it in step with this file.
# POSIX sh and awk: one awk pass over every file, well under a second.

set -u
ROOT=${1:-.}
cd "$ROOT" || exit 2

# The layer of a file (path relative to ROOT) into L; "" when it has none.
layer_of() {
    case $1 in
    src/util.[ch] | src/log.[ch] | src/loop.[ch]) L=base ;;
    scoring/*.[ch]) L=scoring ;;
    sensors/*.[ch]) L=sensors ;;
    src/store.[ch] | src/store_*.[ch]) L=store ;;
    src/hl7.[ch] | src/fhir.[ch] | src/mllp.[ch] | src/http.[ch]) L=wire ;;
    src/config.[ch] | src/obsdue.[ch]) L=config ;;
    src/handover_print.[ch] | src/handover_pdf.c) L=print ;;
    src/handover.[ch] | src/handover_text.c) L=handover ;;
    src/ward.[ch] | src/monitor.[ch] | src/view.[ch] | src/export.[ch] | src/corelock.[ch]) L=core ;;
    src/proto.[ch] | src/server.[ch] | src/attach.[ch]) L=net ;;
    ui/*.[ch]) L=ui ;;
    src/cmd_*.[ch] | src/commands.h | src/main.c | src/print.[ch]) L=cmd ;;
    *) L= ;;
    esac
}

# What each layer may include besides itself: layers, or single headers
# (a name with a dot). "*" is everything.
RULES='
base     -
scoring  base
sensors  base
store    base scoring
wire     base scoring
config   base scoring sensors wire
handover base scoring store config
core     base scoring sensors store wire config handover
print    base store config handover
net      base scoring config handover core
ui       base scoring view.h
cmd      *
'

# Library headers that only some layers may include (a shell-style
# pattern on the name inside <>, then the layers). Headers no pattern
# names (libc, POSIX) are open to all.
LIBS='
libserialport.h sensors
iio.h           sensors
sqlite3.h       store
cairo*.h        print
pango/*         print
curses.h        ui cmd
ncurses*.h      ui cmd
ncursesw/*      ui cmd
curl/*          wire
jansson.h       wire
iniparser.h     config
'

files=$(ls src/*.[ch] sensors/*.[ch] scoring/*.[ch] ui/*.[ch] 2>/dev/null)
[ -n "$files" ] || { echo "layers: no sources under $ROOT" >&2; exit 2; }

# "path layer" for every file, so awk knows both the includer's layer and,
# by base name, the layer of each project header.
map=$(for f in $files; do layer_of "$f"; echo "$f $L"; done)

# awk's glob: * any run of characters, the rest literal.
printf '%s\n' "$map" | awk -v rules="$RULES" -v libs="$LIBS" '
function glob(pat, s,    re) {
    re = pat
    gsub(/[.+?()|\[\]{}^$\\]/, "\\\\&", re)
    gsub(/\*/, ".*", re)
    return s ~ ("^" re "$")
}
function allowed(from, hdr, to,    n, a, i) {
    if (from == to || allow[from] == "*") return 1
    n = split(allow[from], a, " ")
    for (i = 1; i <= n; i++)
        if (a[i] == to || a[i] == hdr) return 1
    return 0
}
function lib_ok(from, hdr,    i, n, a, j) {
    for (i = 1; i <= nlib; i++) {
        if (!glob(libpat[i], hdr)) continue
        n = split(liblayers[i], a, " ")
        for (j = 1; j <= n; j++) if (a[j] == from) return 0
        return i
    }
    return 0
}
BEGIN {
    n = split(rules, r, "\n")
    for (i = 1; i <= n; i++) {
        if (split(r[i], w, " ") < 2) continue
        line = r[i]; sub(/^[ \t]*[^ \t]+[ \t]+/, "", line)
        allow[w[1]] = (line == "-") ? "" : line
    }
    n = split(libs, r, "\n")
    for (i = 1; i <= n; i++) {
        if (split(r[i], w, " ") < 2) continue
        line = r[i]; sub(/^[ \t]*[^ \t]+[ \t]+/, "", line)
        libpat[++nlib] = w[1]; liblayers[nlib] = line
    }
    bad = 0
}
FNR == 1 { fileno++ }
# The map (stdin, the first input): every file with its layer.
fileno == 1 {
    layer[$1] = $2
    b = $1; sub(/.*\//, "", b)
    hdrlayer[b] = $2
    order[++nf] = $1
    if ($2 == "") {
        print $1 ": in no layer: add it to layer_of in scripts/layers.sh (and doc/design.md)"
        bad = 1
    } else if (!($2 in allow)) {
        print $1 ": layer " $2 " has no rule in scripts/layers.sh"
        bad = 1
    }
    next
}
/^[ \t]*#[ \t]*include[ \t]*[<"]/ {
    from = layer[FILENAME]
    if (from == "") next
    s = $0
    sub(/^[ \t]*#[ \t]*include[ \t]*/, "", s)
    quoted = (substr(s, 1, 1) == "\"")
    hdr = substr(s, 2)
    sub(/[">].*/, "", hdr)
    if (quoted) {
        b = hdr; sub(/.*\//, "", b)
        if (!(b in hdrlayer)) {
            printf "%s:%d: #include \"%s\": no such header in src/ sensors/ scoring/ ui/ (libraries take <>)\n", FILENAME, FNR, hdr
            bad = 1
        } else if (!allowed(from, b, hdrlayer[b])) {
            printf "%s:%d: #include \"%s\" (layer %s) breaks rule: %s may include %s\n", FILENAME, FNR, hdr, hdrlayer[b], from, allow[from] == "" ? "only itself" : "itself and " allow[from]
            bad = 1
        }
    } else if ((k = lib_ok(from, hdr)) > 0) {
        printf "%s:%d: #include <%s> (library) breaks rule: only %s may include %s\n", FILENAME, FNR, hdr, liblayers[k], libpat[k]
        bad = 1
    }
}
END { exit bad }
' - $files
