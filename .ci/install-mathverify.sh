#!/usr/bin/env bash
# Idempotently installs HuggingFace math-verify (PyPI) into a venv used by
# Tests/TTSBenchTests/MathVerifyAgreementTests.swift (via tools/math-verify-agreement/verify_pairs.py).
# Usage: bash .ci/install-mathverify.sh        (env MATHVERIFY_VENV overrides the location)
set -euo pipefail
VENV="${MATHVERIFY_VENV:-/opt/ttsbench-mathverify-venv}"
PKG_SPEC="${MATHVERIFY_SPEC:-math-verify==0.9.0}"

if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c 'import math_verify' >/dev/null 2>&1; then
  echo "math-verify already present in $VENV"
  exit 0
fi

if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c 'import ensurepip' >/dev/null 2>&1; then
  echo "python3 venv support missing; installing python3-venv via apt-get"
  if command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv
  fi
fi

rm -rf "$VENV"
python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "$PKG_SPEC"
"$VENV/bin/python" -c 'import math_verify, sys; print("math-verify installed in", sys.prefix)'
