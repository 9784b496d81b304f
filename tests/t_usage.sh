#!/bin/sh
# One usage text per command (#19): `wardwatch --help` lists it, `wardwatch
# CMD --help` prints it, and a bad argument prints its message and the same
# text, on stderr, exit 2. The text is compared line for line (without the
# 7-column "usage: " or blank prefix), so a copy that drifts fails here.
W=${WARDWATCH_BIN:-bin/wardwatch}
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; }
NL='
'

# The usage block of the text on stdin: the "usage: " line and the lines
# indented 7 columns after it, each without its first 7 columns.
block() { awk 'f && !/^       /{exit} /^usage: /{f=1} f{print substr($0, 8)}'; }

all=$("$W" --help | block)
rc=$?
if [ "$rc" -eq 0 ] && [ -n "$all" ]; then
  ok "wardwatch --help lists the usages"
else
  notok "wardwatch --help lists the usages (rc=$rc)"
fi

# same NAME CMD...: CMD's --help usage block is one run of lines in the
# listing; a bad argument exits 2 with a message naming it and the same block.
same() {
  name=$1; shift
  h=$("$@" --help 2>/dev/null | block)
  case "$h" in
    "wardwatch $name"*|"wardwatch ["*) ;;
    *) notok "$name --help: no usage (got: $h)"; return ;;
  esac
  case "$NL$all$NL" in
    *"$NL$h$NL"*) ok "$name --help: the usage of wardwatch --help" ;;
    *) notok "$name --help usage differs from wardwatch --help:$NL$h" ;;
  esac
  out=$("$@" --no-such-flag 2>/dev/null); err=$("$@" --no-such-flag 2>&1 >/dev/null); rc=$?
  first=$(printf '%s\n' "$err" | head -n 1)
  eb=$(printf '%s\n' "$err" | block)
  if [ "$rc" -eq 2 ] && [ -z "$out" ] && [ "$eb" = "$h" ] &&
     printf '%s' "$first" | grep -q "^wardwatch.*'--no-such-flag'"; then
    ok "$name: a bad argument is named, with the same usage"
  else
    notok "$name: bad argument (rc=$rc, stdout: $out, stderr:$NL$err)"
  fi
}

same board "$W" -c /nonexistent.ini
for c in news2 probe sensors record replay simulate handover serve backup check config; do
  same "$c" "$W" "$c"
done

# missing NAME WANT CMD...: a missing argument is said, with the same usage.
missing() {
  name=$1; want=$2; shift 2
  h=$("$W" "$name" --help 2>/dev/null | block)
  err=$("$@" 2>&1 >/dev/null); rc=$?
  eb=$(printf '%s\n' "$err" | block)
  if [ "$rc" -eq 2 ] && [ "$eb" = "$h" ] && printf '%s' "$err" | grep -qF -- "$want"; then
    ok "$name without $want: said, with the same usage"
  else
    notok "$name without $want (rc=$rc, stderr:$NL$err)"
  fi
}
missing probe "URI" "$W" probe
missing replay "FILE" "$W" replay
missing record "-o FILE" "$W" record x:y
missing simulate "-o FILE" "$W" simulate sepsis
missing backup "-o FILE" "$W" backup

echo "1..$n"
