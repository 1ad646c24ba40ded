#!/usr/bin/env bash
# Makes (once) the Python environment of the model pipeline: .venv/ at the repository root
# (gitignored) with scripts/requirements.txt. Packages come from pip's configured index; when
# pip's config names extra index URLs (e.g. a local wheel mirror, file:///...), the first one is
# used as the index, so no other index is contacted (offline CI). Prints the interpreter's path.
#   bash scripts/python-env.sh            -> .venv/bin/python
#   HEARTH_VENV=/path bash scripts/python-env.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
VENV="${HEARTH_VENV:-.venv}"
REQ=scripts/requirements.txt
STAMP="$VENV/.requirements.sha256"
want="$(sha256sum "$REQ" | cut -d' ' -f1)"
if [ -x "$VENV/bin/python" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$want" ]; then
  echo "$VENV/bin/python"
  exit 0
fi
PY="${PYTHON:-python3}"
"$PY" -m venv "$VENV" >&2
extra="$(pip config get global.extra-index-url 2>/dev/null | cut -d' ' -f1 || true)"
if [ -n "$extra" ]; then
  PIP_INDEX_URL="$extra" "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQ" >&2
else
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQ" >&2
fi
echo "$want" > "$STAMP"
echo "$VENV/bin/python"
