"""What every benchmark shares: Django set up against a throwaway data folder (and DATABASE_URL when given), and a
timer that prints the median and the 95th percentile. Benchmarks print figures; they never assert a time."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def setup_django() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    os.environ.setdefault("CBTC_MODE", "test")
    os.environ.setdefault("CBTC_SECRET_KEY", "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
    os.environ.setdefault("CBTC_DATA_DIR", tempfile.mkdtemp(prefix="cbtc-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cbtc.settings")
    import django  # noqa: PLC0415 - only once the environment above is set

    django.setup()


def timed(label: str, func: Callable[[], object], repeat: int = 15, width: int = 52) -> None:
    func()  # warm caches and connections
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    p95 = samples[int(len(samples) * 0.95) - 1]
    print(f"  {label:<{width}} median {statistics.median(samples):7.1f} ms   p95 {p95:7.1f} ms")
