"""What confining a verification child costs on the request's path: `confine.apply` in a child
forked from a warm helper-like process (models, pytest and the SQLite dialect imported), after
`confine.prepare` (which a spare does while it waits). Median and maximum over --runs children.

    .venv/bin/python bench/confine-cost.py [--runs 30]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [os.path.join(ROOT, "python"), ROOT]

import crm.models  # noqa: E402,F401 - the sample project's models, as the helper imports them

from fixturegen_helper import confine, confine_reap
from fixturegen_helper.verify import warm  # noqa: E402

URL = "sqlite+pysqlite:///:memory:"


def one() -> float:
    tmp = tempfile.mkdtemp(prefix="fixturegen-verify-")
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        confine.prepare(tmp)
        start = time.perf_counter()
        confine.apply(tmp, {"databaseUrl": URL, "models": ["crm.models"]}, 30.0)
        os.write(w, str(time.perf_counter() - start).encode())
        os._exit(0)
    os.close(w)
    took = float(os.read(r, 64) or b"nan") * 1000
    os.close(r)
    os.waitpid(pid, 0)
    confine_reap.finish(confine.cgroup(), pid, 0)
    confine_reap.tidy(set(), block=True)
    shutil.rmtree(tmp, ignore_errors=True)
    return took


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    runs = parser.parse_args().runs
    warm.warm_pytest()
    warm.warm_database(URL)
    confine.probe()
    confine.database(URL)
    times = [one() for _ in range(runs)]
    print(f"confinement: {confine.status()}")
    print(f"confine.apply: median {statistics.median(times):.2f} ms, max {max(times):.2f} ms over {runs} children; load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
