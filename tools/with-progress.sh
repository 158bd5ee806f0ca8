#!/usr/bin/env bash
# with-progress.sh LABEL COMMAND...: run COMMAND; while it runs, print
# "LABEL: still running (N s)" every 15 s, so a long step with little output of its own
# (pip installing, chapters executing, LaTeX) is never silent for long. Exits with
# COMMAND's status.
set -u
label=$1
shift
"$@" &
pid=$!
start=$SECONDS
while kill -0 "$pid" 2>/dev/null; do
  for _ in $(seq 15); do
    sleep 1
    kill -0 "$pid" 2>/dev/null || break 2
  done
  echo "  $label: still running ($((SECONDS - start)) s)"
done
wait "$pid"
