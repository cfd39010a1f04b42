#!/usr/bin/env bash
# Create the peer's own virtual environment: sdv-dev's ctgan, never a dependency of tabgan.
#
#   bash benchmarks/setup_peer.sh            # -> benchmarks/.venv-ctgan
#   CTGAN_VENV=/some/dir bash benchmarks/setup_peer.sh
#   PYTHON=python3.11 bash benchmarks/setup_peer.sh
#   TORCH_INDEX_URL=https://download.pytorch.org/whl/cu126 bash benchmarks/setup_peer.sh   # a CUDA torch
#
# Idempotent: does nothing when the environment already imports the pinned versions.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${CTGAN_VENV:-$here/.venv-ctgan}"
python="${PYTHON:-python3}"
torch_version="2.13.0"
ctgan_version="0.12.1"

check() {
    "$venv/bin/python" - "$ctgan_version" <<'EOF' 2>/dev/null
import sys
import ctgan, torch  # noqa: F401
sys.exit(0 if ctgan.__version__ == sys.argv[1] else 1)
EOF
}

if [ -x "$venv/bin/python" ] && check; then
    echo "peer environment ready: $venv (ctgan $ctgan_version)"
    exit 0
fi

echo "creating $venv" >&2
"$python" -m venv "$venv"
# torch first, pinned: left to ctgan's own requirement, pip would pick the newest torch (with
# gigabytes of CUDA wheels). The same torch as tabgan's keeps the comparison fair.
if [ -n "${TORCH_INDEX_URL:-}" ]; then
    "$venv/bin/python" -m pip install "torch==$torch_version" --index-url "$TORCH_INDEX_URL"
else
    "$venv/bin/python" -m pip install "torch==$torch_version"
fi
"$venv/bin/python" -m pip install "ctgan==$ctgan_version"

if check; then
    echo "peer environment ready: $venv (ctgan $ctgan_version)"
else
    echo "error: $venv was created but does not import ctgan $ctgan_version" >&2
    exit 1
fi
