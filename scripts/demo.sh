#!/bin/sh
# `make demo`: the demo ward on the bed-board. Recordings are generated on
# first use from data/demo/scenarios.txt. DEMO_SPEED sets the pace (default
# 10x real time, so alarms of every priority appear within minutes).
set -u
bin=${1:-bin/wardwatch}
speed=${DEMO_SPEED:-10}
if [ ! -x "$bin" ]; then
  echo "demo: $bin is not built" >&2
  exit 1
fi
if [ ! -t 0 ] || [ ! -t 1 ]; then
  echo "demo: the bed-board needs a terminal; run 'make demo' in one." >&2
  echo "demo: headless, the same ward replays with: $bin replay data/demo/recordings/bed01.wwrec --fast --alarms" >&2
  exit 1
fi
exec "$bin" --demo --speed "$speed"
