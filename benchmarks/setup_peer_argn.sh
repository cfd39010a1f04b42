#!/usr/bin/env bash
# Create the second peer's virtual environment (MOSTLY AI's TabularARGN, mostlyai-engine) and the
# judge's (SDMetrics). Neither is ever a dependency of tabgan.
#
#   bash benchmarks/setup_peer_argn.sh        # -> benchmarks/.venv-argn and benchmarks/.venv-judge
#   ARGN_VENV=/dir JUDGE_VENV=/dir2 bash benchmarks/setup_peer_argn.sh
#   PYTHON=python3.11 bash benchmarks/setup_peer_argn.sh
#   TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu bash benchmarks/setup_peer_argn.sh
#
# Idempotent: each environment is left alone when it already imports the pinned versions.
#
# mostlyai-engine 2.7.3 asks for torch>=2.13,<2.14, torchvision>=0.28,<0.29 and
# torchaudio>=2.11,<2.12; TabularARGN uses neither of the last two. PyPI's torchvision 0.28.0 is
# built for the CUDA torch: beside the CPU torch its C operators fail to register, and
# transformers (imported by the engine) imports torchvision whenever it is installed, so the engine
# fails to import ("operator torchvision::nms does not exist"). torchaudio 2.11 was built for
# torch 2.11. So: torch 2.13.0 first (the same version as tabgan's), then the engine with torch
# held at that version, then torchvision and torchaudio are uninstalled (pip check will name
# them as missing; nothing imports them).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${ARGN_VENV:-$here/.venv-argn}"
judge="${JUDGE_VENV:-$here/.venv-judge}"
python="${PYTHON:-python3}"
torch_version="2.13.0"
engine_version="2.7.3"
sdmetrics_version="0.32.0"

check_argn() {
    "$venv/bin/python" - "$engine_version" "$torch_version" <<'EOF' 2>/dev/null
import sys
from importlib.metadata import version
import torch
from mostlyai.engine import split, analyze, encode, train, generate  # noqa: F401
ok = version("mostlyai-engine") == sys.argv[1] and torch.__version__.split("+")[0] == sys.argv[2]
sys.exit(0 if ok else 1)
EOF
}

check_judge() {
    "$judge/bin/python" - "$sdmetrics_version" <<'EOF' 2>/dev/null
import sys
from importlib.metadata import version
import pyarrow  # noqa: F401
from sdmetrics.reports.single_table import QualityReport  # noqa: F401
from sdmetrics.single_table import LogisticDetection  # noqa: F401
sys.exit(0 if version("sdmetrics") == sys.argv[1] else 1)
EOF
}

pip_torch() {
    if [ -n "${TORCH_INDEX_URL:-}" ]; then
        "$1/bin/python" -m pip install "$2" --index-url "$TORCH_INDEX_URL"
    else
        "$1/bin/python" -m pip install "$2"
    fi
}

if [ -x "$venv/bin/python" ] && check_argn; then
    echo "peer environment ready: $venv (mostlyai-engine $engine_version)"
else
    echo "creating $venv" >&2
    "$python" -m venv "$venv"
    # torch first, pinned (see setup_peer.sh): otherwise pip picks the newest torch and its CUDA
    # wheels.
    pip_torch "$venv" "torch==$torch_version"
    "$venv/bin/python" -m pip install "mostlyai-engine==$engine_version" "torch==$torch_version"
    "$venv/bin/python" -m pip uninstall -y torchvision torchaudio
    if check_argn; then
        echo "peer environment ready: $venv (mostlyai-engine $engine_version)"
    else
        echo "error: $venv was created but does not import mostlyai-engine $engine_version" \
            "with torch $torch_version" >&2
        exit 1
    fi
fi

# The judge reads only CSV files of real and synthetic rows: no torch, no tool under test.
if [ -x "$judge/bin/python" ] && check_judge; then
    echo "judge environment ready: $judge (sdmetrics $sdmetrics_version)"
else
    echo "creating $judge" >&2
    "$python" -m venv "$judge"
    "$judge/bin/python" -m pip install "sdmetrics==$sdmetrics_version" pyarrow
    if check_judge; then
        echo "judge environment ready: $judge (sdmetrics $sdmetrics_version)"
    else
        echo "error: $judge was created but does not import sdmetrics $sdmetrics_version" >&2
        exit 1
    fi
fi
