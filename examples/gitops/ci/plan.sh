#!/usr/bin/env bash
# Pull request: plan, save the plan, and render it for review. The
# workflow posts plan.md as the pull request's comment and keeps plan.json
# (Terraform's JSON plan representation) for policy checks.
set -euo pipefail
scriptsync init -input=false -no-color
code=0
scriptsync plan -input=false -no-color -lock-timeout=5m -detailed-exitcode -out=pr.plan || code=$?
if [ "$code" -ne 0 ] && [ "$code" -ne 2 ]; then
  exit "$code"
fi
scriptsync show -markdown pr.plan > plan.md
scriptsync show -json pr.plan > plan.json
# A policy in the shape Terraform CI scripts use: no scene is destroyed
# without the "allow-destroy" label (ALLOW_DESTROY=true).
destroyed=$(jq '[.resource_changes[] | select(.type == "scene" and (.change.actions | index("delete")))] | length' plan.json)
if [ "$destroyed" -gt 0 ] && [ "${ALLOW_DESTROY:-false}" != "true" ]; then
  echo "This plan destroys $destroyed scene(s); add the allow-destroy label to apply it." >&2
  exit 1
fi
jq -r '"Plan: \(.scriptsync.summary.add) to add, \(.scriptsync.summary.change) to change, \(.scriptsync.summary.destroy) to destroy."' plan.json
