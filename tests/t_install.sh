#!/bin/sh
# `make install DESTDIR=...` (PREFIX=/usr) puts the binary, the sample INI,
# the demo ward, the catalogues, both man pages, the systemd unit (paths
# filled in, a dedicated user, the socket's RuntimeDirectory), the sysusers
# entry and the udev example where they belong, and `make uninstall` with
# the same variables removes every file again.
cd "$(dirname "$0")/.." || exit 1
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
no() { n=$((n + 1)); echo "not ok $n - $1"; }
if ! make -s install DESTDIR="$T/root" PREFIX=/usr >"$T/install.log" 2>&1; then
  no "make install: $(tail -3 "$T/install.log")"; exit 0
fi
ok "make install DESTDIR=... PREFIX=/usr"
missing=
for f in usr/bin/wardwatch etc/wardwatch/wardwatch.ini.sample \
         usr/share/wardwatch/demo/ward.ini usr/share/wardwatch/demo/scenarios.txt \
         usr/share/man/man1/wardwatch.1 usr/share/man/man5/wardwatch.ini.5 \
         usr/lib/systemd/system/wardwatch.service usr/lib/sysusers.d/wardwatch.conf \
         usr/share/wardwatch/examples/60-wardwatch-radar.rules usr/share/wardwatch/protocol.md \
         usr/share/locale/nb/LC_MESSAGES/wardwatch.mo; do
  [ -f "$T/root/$f" ] || missing="$missing $f"
done
[ -z "$missing" ] && ok "the expected tree" || no "missing:$missing"
[ -x "$T/root/usr/bin/wardwatch" ] && "$T/root/usr/bin/wardwatch" --version | grep -q "^wardwatch " &&
  ok "the installed binary runs" || no "installed binary"
u=$T/root/usr/lib/systemd/system/wardwatch.service
grep -q "^ExecStart=/usr/bin/wardwatch serve -c /etc/wardwatch/wardwatch.ini$" "$u" &&
  grep -q "^User=wardwatch$" "$u" && grep -q "^RuntimeDirectory=wardwatch$" "$u" && ! grep -q "@" "$u" &&
  ok "systemd unit: serve as user wardwatch, socket directory, paths filled in" || no "systemd unit: $(grep Exec "$u")"
if command -v systemd-analyze >/dev/null 2>&1; then
  # verify needs the binary where ExecStart says: point it into the tree
  sed "s|/usr/bin/wardwatch|$T/root/usr/bin/wardwatch|g; s|/etc/wardwatch|$T/root/etc/wardwatch|g" "$u" >"$T/wardwatch.service"
  out=$(systemd-analyze verify "$T/wardwatch.service" 2>&1 | grep -v "User=\|Group=\|wardwatch.ini\|Failed to create\|bus\|not found\|Command .man " )
  [ -z "$out" ] && ok "systemd-analyze verify accepts the unit" || no "systemd-analyze: $out"
else
  echo "ok $((n = n + 1)) - systemd-analyze verify # SKIP systemd-analyze not installed"
fi
grep -q "^u wardwatch " "$T/root/usr/lib/sysusers.d/wardwatch.conf" && ok "sysusers entry creates the user wardwatch" ||
  no "sysusers entry"
if command -v man >/dev/null 2>&1; then
  man -l "$T/root/usr/share/man/man1/wardwatch.1" 2>/dev/null | grep -q "wardwatch serve" &&
    man -l "$T/root/usr/share/man/man5/wardwatch.ini.5" 2>/dev/null | grep -q "client_queue_kb" &&
    ok "man pages render (serve, [server] keys)" || no "man pages do not render"
else
  echo "ok $((n = n + 1)) - man pages render # SKIP man not installed"
fi
if ! make -s uninstall DESTDIR="$T/root" PREFIX=/usr >"$T/uninstall.log" 2>&1; then
  no "make uninstall: $(tail -3 "$T/uninstall.log")"; exit 0
fi
left=$(cd "$T/root" && find . -type f)
[ -z "$left" ] && ok "make uninstall removes every installed file" || no "left behind: $left"
