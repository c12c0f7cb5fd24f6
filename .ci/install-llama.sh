#!/usr/bin/env bash
# Install llama-cpp-python[server] (an OpenAI-compatible llama.cpp server) into a
# virtualenv outside the work tree, so that it survives `git clean` and is reused.
#
#   LLAMA_VENV   where the venv lives (default /opt/ttsbench-llama-venv)
#   PYTHON       interpreter used to create it (default python3)
#
# Idempotent: when the venv already holds the pinned requirements (same hash of
# tools/tiny-model/requirements-server.txt) and `import llama_cpp.server` works, it
# does nothing. Otherwise pip compiles llama.cpp from the sdist (~6 min on 2 cores;
# ~20 s when pip's wheel cache already has the built wheel).
# The last line printed on stdout is the venv's python path.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
req="$here/tools/tiny-model/requirements-server.txt"
venv="${LLAMA_VENV:-/opt/ttsbench-llama-venv}"
python="${PYTHON:-python3}"
py="$venv/bin/python"
stamp="$venv/.ttsbench-requirements.sha256"

want="$(sha256sum "$req" | cut -d' ' -f1)"

ready() {
  [ -x "$py" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] &&
    "$py" -c 'import llama_cpp, llama_cpp.server.app' >/dev/null 2>&1
}

mkdir -p "$(dirname "$venv")"
# One installer at a time (two CI jobs on one machine would otherwise race).
exec 9>"$venv.lock"
flock 9

if ready; then
  echo "install-llama: reusing $venv (llama-cpp-python $("$py" -c 'import llama_cpp; print(llama_cpp.__version__)'))" >&2
  echo "$py"
  exit 0
fi

start=$(date +%s)
if [ ! -x "$py" ]; then
  echo "install-llama: creating venv $venv" >&2
  "$python" -m venv "$venv"
fi
rm -f "$stamp"
"$py" -m pip install --quiet --upgrade pip >&2

# Compile with both cores, at low priority (the machine is shared), CPU-only.
export CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-2}"
export MAKEFLAGS="${MAKEFLAGS:--j2}"
export CMAKE_ARGS="${CMAKE_ARGS:--DGGML_CUDA=OFF -DGGML_METAL=OFF -DGGML_VULKAN=OFF -DLLAMA_CURL=OFF}"
echo "install-llama: pip install -r $req (compiles llama.cpp, ~6 min on 2 cores)" >&2
nice -n "${LLAMA_NICE:-10}" "$py" -m pip install --progress-bar off -r "$req" >&2

"$py" -c 'import llama_cpp, llama_cpp.server.app' >&2
echo "$want" >"$stamp"
echo "install-llama: installed llama-cpp-python $("$py" -c 'import llama_cpp; print(llama_cpp.__version__)') in $(( $(date +%s) - start )) s" >&2
echo "$py"
