"""GPU utilisation sampled by ``nvidia-smi`` in a background thread (standard library only, so
both tabgan's and the peer's benchmark scripts can use it).

    with GpuMonitor(enabled=device == "cuda") as gpu:
        model.fit(df)
    gpu.summary()  # {"samples": ..., "mean": ..., "median": ..., "max": ...} or None
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import threading


def _gpu_id() -> str:
    # nvidia-smi numbers GPUs physically; CUDA_VISIBLE_DEVICES names the one torch calls cuda:0
    visible = os.environ.get("CUDA_VISIBLE_DEVICES", "").split(",")[0].strip()
    return visible or "0"


class GpuMonitor:
    """Samples ``utilization.gpu`` (percent) every ``interval_ms`` while the block runs."""

    def __init__(self, enabled: bool = True, interval_ms: int = 200) -> None:
        self.enabled = enabled and shutil.which("nvidia-smi") is not None
        self.interval_ms = interval_ms
        self.values: list[float] = []
        self._proc: subprocess.Popen | None = None
        self._thread: threading.Thread | None = None

    def _read(self) -> None:
        assert self._proc is not None and self._proc.stdout is not None
        for line in self._proc.stdout:
            try:
                self.values.append(float(line.strip()))
            except ValueError:
                continue  # "[N/A]" or a warning line

    def __enter__(self) -> GpuMonitor:
        if self.enabled:
            self._proc = subprocess.Popen(
                [
                    "nvidia-smi",
                    "-i",
                    _gpu_id(),
                    "--query-gpu=utilization.gpu",
                    "--format=csv,noheader,nounits",
                    "-lms",
                    str(self.interval_ms),
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
            )
            self._thread = threading.Thread(target=self._read, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._proc is not None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def summary(self) -> dict[str, float] | None:
        """Utilisation statistics in percent, or None when nothing was sampled."""
        if not self.values:
            return None
        return {
            "samples": len(self.values),
            "mean": statistics.fmean(self.values),
            "median": statistics.median(self.values),
            "max": max(self.values),
            "interval_ms": self.interval_ms,
        }
