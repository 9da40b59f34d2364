#!/usr/bin/env bash
# Nightly: did anything change outside scriptsync? Exit 2 means drift; the
# workflow then opens an issue.
#
# The check is `scriptsync plan -refresh-only -detailed-exitcode`: it
# reports only changes made outside scriptsync (changes merged on main but
# not applied yet are the next apply's, not drift).
set -euo pipefail
code=0
scriptsync plan -refresh-only -input=false -no-color -lock-timeout=5m -detailed-exitcode > drift.txt || code=$?
case "$code" in
  0) echo "No drift: the backends match what scriptsync last applied." ;;
  2) echo "Drift: the backends differ." >&2; cat drift.txt >&2 ;;
esac
exit "$code"
