"""Failed-login timing: unknown handle versus right handle with a wrong passphrase (SECURITY.md AU-4, ASVS 6.3.8).

    python bench/login_timing.py [--n 40]

Builds a throwaway Haven (SQLite in a temporary directory, the app behind Starlette's
TestClient), signs up one member, then alternates ``--n`` logins of each kind and prints the
median and p90 of each and the relative gap of the medians (target: under 10 %).

Throttling would spoil the run: every failure adds rows to ``auth_failures``, the member's
account backs off from its fifth failure, and the hourly limits answer 429. So the limits are
set to 100000 and the ``auth_failures`` table is emptied (one SQL DELETE, outside the timed
request) before every attempt; both kinds then see the same, empty table and the same member.
A fresh unknown handle is used for each attempt. Every answer must be the same 401 body.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from sqlalchemy import delete  # noqa: E402

from haven.accounts import handles  # noqa: E402
from haven.accounts.models import AuthFailure  # noqa: E402
from haven.config import Settings  # noqa: E402

PASSPHRASE = "a long and quiet harbour at dawn"
WRONG = "not the passphrase at all"
TARGET_GAP = 0.10


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    rank = max(1, -(-len(ordered) * fraction // 1))
    return ordered[int(rank) - 1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=40, help="logins of each kind (default 40)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed logins of each kind first (default 3)")
    args = parser.parse_args(argv)

    from fastapi.testclient import TestClient

    from haven.app import create_app
    from haven.db.schema import create_all
    from haven.runtime import build_runtime

    with tempfile.TemporaryDirectory(prefix="haven-bench-") as tmp:
        settings = Settings(
            env="test",
            data_dir=Path(tmp) / "var",
            login_account_failures_per_hour=100_000,
            login_address_failures_per_hour=100_000,
        )
        runtime = build_runtime(settings)
        try:
            create_all(runtime)
            app = create_app(runtime=runtime)
            with TestClient(app, base_url="https://testserver") as client:
                signup = client.post("/api/v1/auth/signup", json={"passphrase": PASSPHRASE})
                assert signup.status_code == 201, signup.text
                member = signup.json()["handle"]

                def attempt(handle: str) -> tuple[float, int, str]:
                    with runtime.unit_of_work() as session:
                        session.execute(delete(AuthFailure))
                    start = time.perf_counter()
                    response = client.post("/api/v1/auth/login", json={"handle": handle, "passphrase": WRONG})
                    elapsed = (time.perf_counter() - start) * 1000
                    return elapsed, response.status_code, response.text

                def unknown_handle() -> str:
                    while (handle := handles.generate()) == member:
                        pass
                    return handle

                times: dict[str, list[float]] = {"unknown handle": [], "wrong passphrase": []}
                answers: set[tuple[int, str]] = set()
                for i in range(args.warmup + args.n):
                    # Alternate, and swap which kind goes first every other pair, so drift hits both alike.
                    order = ["unknown handle", "wrong passphrase"]
                    if i % 2:
                        order.reverse()
                    for kind in order:
                        elapsed, status, body = attempt(unknown_handle() if kind == "unknown handle" else member)
                        answers.add((status, body))
                        if i >= args.warmup:
                            times[kind].append(elapsed)
        finally:
            runtime.dispose()

    if len(answers) != 1 or next(iter(answers))[0] != 401:
        print(f"FAIL: the two kinds of failure answered differently: {sorted(answers)}")
        return 1

    print(f"Failed logins through the API (TestClient, SQLite), {args.n} of each kind, alternating; "
          f"Argon2id m={settings.argon2_memory_kib} KiB t={settings.argon2_time_cost} p={settings.argon2_parallelism}; "
          f"{os.cpu_count()} CPUs, load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    header = f"{'kind':<18} {'median':>9} {'p90':>9} {'min':>9} {'max':>9}"
    print(header)
    print("-" * len(header))
    for kind, samples in times.items():
        print(f"{kind:<18} {statistics.median(samples):>7.1f}ms {percentile(samples, 0.9):>7.1f}ms "
              f"{min(samples):>7.1f}ms {max(samples):>7.1f}ms")
    a, b = (statistics.median(s) for s in times.values())
    gap = abs(a - b) / min(a, b)
    verdict = "within" if gap < TARGET_GAP else "OVER"
    print(f"\nRelative gap of the medians: {gap:.1%} ({verdict} the {TARGET_GAP:.0%} target); "
          f"both answered {next(iter(answers))[0]} with the same body.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
