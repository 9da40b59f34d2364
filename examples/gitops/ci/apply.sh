#!/usr/bin/env bash
# Merge to main: apply with a lock timeout (another apply may hold the
# lock), streaming Terraform's machine-readable UI to apply.jsonl, then
# keep the outputs the apply recorded.
set -euo pipefail
scriptsync apply -input=false -auto-approve -lock-timeout=10m -json > apply.jsonl || {
  jq -r 'select(.type == "diagnostic") | .["@message"] + ": " + .diagnostic.detail' apply.jsonl >&2
  exit 1
}
jq -r 'select(.type == "change_summary" and .changes.operation == "apply") | .["@message"]' apply.jsonl
scriptsync output -json > outputs.json
