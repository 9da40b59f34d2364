#!/usr/bin/env bash
# Nightly: did anything change outside scriptsync? Exit 2 means drift; the
# workflow then opens an issue.
#
# The check is `scriptsync plan -refresh-only -detailed-exitcode`, which
# reports only changes made outside scriptsync. A scriptsync without
# -refresh-only runs a plain plan instead, which reports every difference
# (unapplied changes on main too).
set -euo pipefail
flags=()
if scriptsync plan -help 2>&1 | grep -q -- '-refresh-only'; then
  flags=(-refresh-only)
fi
code=0
scriptsync plan "${flags[@]}" -input=false -no-color -lock-timeout=5m -detailed-exitcode > drift.txt || code=$?
case "$code" in
  0) echo "No drift: the backends match what scriptsync last applied." ;;
  2) echo "Drift: the backends differ." >&2; cat drift.txt >&2 ;;
esac
exit "$code"
