#!/bin/sh
# Install the Debian 12 packages wardwatch needs to build, test and run its
# demo, and only those that are missing. Says what it installs; uses sudo when
# not root. Exits non-zero when something needed cannot be installed.
set -eu

# What the build and the demo need (cairo + pango and a font with æøå for the
# handover PDF; libcurl and jansson for the FHIR export's HTTP and answers).
BUILD="build-essential pkg-config libncurses-dev libsqlite3-dev libserialport-dev \
libiio-dev libiniparser-dev gettext libcairo2-dev libpango1.0-dev fonts-dejavu-core \
libcurl4-openssl-dev libjansson-dev"
# What the test suite needs on top: test harness, real iiod and iio tools,
# tmux for the terminal tests, sqlite3 shell, clang for libFuzzer, valgrind;
# for the handover tests pdftotext and a real CUPS with a cups-pdf printer;
# faketime for wall-clock jumps under a live serve (t_faults.sh); for the
# hospital export tests python3-hl7 (its parser, ACKs and MLLP server) and
# Node.js with npm (the FHIR test peer: tests/npm/package-lock.json).
TEST="libcmocka-dev iiod libiio-utils tmux sqlite3 clang libclang-rt-14-dev \
valgrind util-linux procps locales jq poppler-utils cups cups-client cups-bsd \
printer-driver-cups-pdf faketime python3-hl7 nodejs"

want="$BUILD"
case "${1:-}" in
  test|check) want="$BUILD $TEST" ;;
esac
# Debian's nodejs comes without npm (its own package); other nodejs builds
# bring their npm along and conflict with Debian's: ask for it only if absent.
if [ "$want" != "$BUILD" ] && ! command -v npm >/dev/null 2>&1; then
  want="$want npm"
fi

missing=""
for p in $want; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done

# The board's Norwegian test runs under nb_NO.UTF-8: make the locale if absent.
need_locale=""
if [ "$want" != "$BUILD" ] && ! locale -a 2>/dev/null | grep -qi '^nb_NO\.utf-\?8$'; then
  need_locale=1
fi

make_locale() {
  [ -n "$need_locale" ] || return 0
  echo "deps: generating the nb_NO.UTF-8 locale (Norwegian board test)"
  $SUDO localedef -i nb_NO -f UTF-8 nb_NO.UTF-8 || echo "deps: could not generate nb_NO.UTF-8" >&2
}

if [ -z "$missing" ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  make_locale
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "deps: missing packages:$missing" >&2
  echo "deps: this is not a Debian system; install them by hand" >&2
  exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "deps: missing packages:$missing" >&2
    echo "deps: not root and no sudo; ask an administrator to run: apt-get install$missing" >&2
    exit 1
  fi
fi

echo "deps: installing Debian packages:$missing"
export DEBIAN_FRONTEND=noninteractive
# An old or empty package list makes apt-get install fail: refresh it first.
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
make_locale
