#!/bin/sh
# The Norwegian catalogue covers every text the program marks for
# translation (H17-28): xgettext reads the sources as the build sees them
# (_() and N_()), and msgcmp fails on any msgid po/nb.po does not define,
# so a new English word on the board cannot reach a Norwegian nurse
# unnoticed. A format-only text ("%s %s") is defined as itself.
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
no() { n=$((n + 1)); echo "not ok $n - $1"; }
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT

cd "$root" || exit 1
if ! xgettext --from-code=UTF-8 -k_ -kN_ -o "$T/ww.pot" ui/*.c src/*.c scoring/*.c sensors/*.c 2>"$T/x.err"; then
  no "xgettext: $(head -3 "$T/x.err")"
else
  k=$(grep -c '^msgid "..*"' "$T/ww.pot")
  if msgcmp po/nb.po "$T/ww.pot" >"$T/cmp.out" 2>&1; then
    ok "po/nb.po defines all $k texts marked for translation"
  else
    miss=$(grep "used but not defined" "$T/cmp.out" | sed 's/^[^:]*:\([0-9]*\):.*/\1/' |
      while read -r l; do head -n "$l" "$T/ww.pot" | grep '^msgid' | tail -1; done | tr '\n' ' ')
    no "po/nb.po lacks: $miss"
  fi
fi
# A deliberately new text is caught (the check can fail).
mkdir "$T/tree" && cp -R ui "$T/tree/"
printf '%s\n' 'static const char *probe = N_("a text nobody translated");' >>"$T/tree/ui/help.c"
xgettext --from-code=UTF-8 -k_ -kN_ -o "$T/new.pot" "$T/tree/ui/help.c" 2>/dev/null
if msgcmp po/nb.po "$T/new.pot" >/dev/null 2>&1; then
  no "an untranslated new text passed msgcmp"
else
  ok "an untranslated new text is caught"
fi
msgfmt --check -o /dev/null po/nb.po 2>"$T/fmt.err" && ok "po/nb.po passes msgfmt --check" ||
  no "msgfmt --check: $(head -3 "$T/fmt.err")"
echo "1..$n"
