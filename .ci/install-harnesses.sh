#!/usr/bin/env bash
# Install the pinned lm-evaluation-harness and Inspect AI (PyPI) into two virtualenvs outside
# the work tree (they survive `git clean` and are reused), for tools/harness-logs/make_logs.sh.
#
#   LMEVAL_VENV    default /opt/ttsbench-lmeval-venv   (tools/harness-logs/requirements-lmeval.txt)
#   INSPECT_VENV   default /opt/ttsbench-inspect-venv  (tools/harness-logs/requirements-inspect.txt)
#
# Idempotent: a venv whose stamp matches the hash of its requirements file is reused. Neither
# needs torch (lm-eval's API models run without it). Fresh install: about 2 min each on 2 cores.
# Prints the two venvs' bin directories, lm-eval's first, on stdout.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${PYTHON:-python3}"

install_one() {  # venv requirements import-check
  local venv="$1" req="$2" check="$3"
  local py="$venv/bin/python" stamp="$venv/.ttsbench-requirements.sha256"
  local want; want="$(sha256sum "$req" | cut -d' ' -f1)"
  mkdir -p "$(dirname "$venv")"
  exec 9>"$venv.lock"
  flock 9
  if [ -x "$py" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && "$py" -c "$check" >/dev/null 2>&1; then
    echo "install-harnesses: reusing $venv" >&2
  else
    local start; start=$(date +%s)
    [ -x "$py" ] || "$python" -m venv "$venv" >&2
    rm -f "$stamp"
    "$py" -m pip install --quiet --disable-pip-version-check --upgrade pip >&2
    "$py" -m pip install --quiet --disable-pip-version-check --progress-bar off -r "$req" >&2
    "$py" -c "$check" >&2
    echo "$want" >"$stamp"
    echo "install-harnesses: installed $req into $venv in $(( $(date +%s) - start )) s" >&2
  fi
  exec 9>&-
  echo "$venv/bin"
}

install_one "${LMEVAL_VENV:-/opt/ttsbench-lmeval-venv}" "$here/tools/harness-logs/requirements-lmeval.txt" 'import lm_eval, tenacity'
install_one "${INSPECT_VENV:-/opt/ttsbench-inspect-venv}" "$here/tools/harness-logs/requirements-inspect.txt" 'import inspect_ai, openai'
