#!/usr/bin/env bash
# Builds (once) the Python venv with tools/py/requirements.txt under ~/.cache/sluice/venv/<digest of the file>
# and prints its path. Later calls reuse it. Needs python3 with the venv module and access to PyPI.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
req="$here/requirements.txt"
digest="$(sha256sum "$req" | cut -c1-16)"
dir="${SLUICE_CACHE_DIR:-$HOME/.cache/sluice}/venv/$digest"
if [ ! -x "$dir/bin/python" ] || [ ! -f "$dir/.complete" ]; then
  rm -rf "$dir"
  mkdir -p "$(dirname "$dir")"
  echo "[py-tools] building $dir from tools/py/requirements.txt" >&2
  python3 -m venv "$dir" >&2
  "$dir/bin/pip" install --quiet --disable-pip-version-check -r "$req" >&2
  touch "$dir/.complete"
fi
echo "$dir"
