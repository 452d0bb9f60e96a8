#!/usr/bin/env bash
# Static checks of the AWS stack: packages it offline (`npm run package`, osls: no AWS credentials) and checks the
# CloudFormation template with cfn-lint (deploy/aws/cfn-lint.yaml) and checkov (deploy/aws/checkov.yaml, each
# skipped check with its reason). Needs the Python tools venv (tools/py/venv.sh; SLUICE_PY_VENV if already built).
# Exit code non-zero on any finding.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${SLUICE_PY_VENV:-$(bash tools/py/venv.sh)}"
template=.serverless-ci/cloudformation-template-update-stack.json
npm run -s package >/dev/null
echo "[check-stack] cfn-lint $template"
"$venv/bin/cfn-lint" --config-file deploy/aws/cfn-lint.yaml -- "$template"
echo "[check-stack] checkov $template"
"$venv/bin/checkov" --config-file deploy/aws/checkov.yaml --framework cloudformation --skip-download --compact \
  --quiet -f "$template"
echo "[check-stack] passed"
