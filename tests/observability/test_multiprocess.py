"""Multiprocess mode: a process whose metrics folder does not exist yet still starts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_process_creates_its_missing_metrics_folder(tmp_path: Path):
    folder = tmp_path / "not" / "there"
    run = subprocess.run(
        [sys.executable, "-c", "import planner.core.metrics"],
        cwd=ROOT,
        env={**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert list(folder.glob("histogram_*.db"))  # the lag histogram, written from import on


def test_an_empty_metrics_folder_setting_means_one_process(tmp_path: Path):
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            "import planner.core.metrics, prometheus_client.values as v, os;"
            "print(v.ValueClass.__name__, 'PROMETHEUS_MULTIPROC_DIR' in os.environ)",
        ],
        cwd=tmp_path,
        env={**os.environ, "PROMETHEUS_MULTIPROC_DIR": "", "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["MutexValue", "False"]
    assert not list(tmp_path.glob("*.db"))  # nothing written where the command ran
