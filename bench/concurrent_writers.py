"""Concurrent writers soak (SECURITY.md RB-2): N processes × M transactions, none may fail or fork the audit chain.

    python bench/concurrent_writers.py [--procs 8] [--tx 500] [--pg postgresql://postgres@127.0.0.1:5432/test] [--no-sqlite]

Each transaction is one unit of work that stages an audit entry (``bench.write``) and inserts
one ``auth_failures`` row with a random bucket, so it writes three tables (the row, the chain
and its head) like a real request. Runs on SQLite in a temporary file, and on PostgreSQL
too when ``--pg`` is given, in a fresh schema (``options=-csearch_path=...``) dropped afterwards.

Prints transactions per second, errors ("database is locked" counted apart; both must be 0),
whether the row and audit totals match, and whether ``haven.audit.service.verify`` passes.
Exits 1 when any check fails.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import secrets
import sys
import tempfile
import time
import traceback
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from haven.config import Settings  # noqa: E402

ACTION = "bench.write"


def _settings(data_dir: str, database_url: str | None) -> Settings:
    return Settings(env="test", data_dir=Path(data_dir), database_url=database_url)


def writer(index: int, data_dir: str, database_url: str | None, transactions: int, barrier, results) -> None:
    """One process: build a runtime, wait for the others, then commit ``transactions`` units of work."""
    from haven.accounts.models import AuthFailure
    from haven.audit import service as audit
    from haven.runtime import build_runtime

    runtime = build_runtime(_settings(data_dir, database_url))
    committed = locked = other = 0
    first_error = ""
    try:
        with runtime.engine.connect():
            pass  # open the first connection before the clock starts
        barrier.wait()
        for i in range(transactions):
            try:
                with runtime.unit_of_work() as session:
                    audit.record(session, actor_role="system", actor_id=None, action=ACTION, object_id=f"w{index}-{i}")
                    session.add(AuthFailure(bucket=secrets.token_hex(32)))
                committed += 1
            except Exception as exc:  # noqa: BLE001 - counted and reported, the soak goes on
                if "database is locked" in str(exc):
                    locked += 1
                else:
                    other += 1
                first_error = first_error or "".join(traceback.format_exception_only(exc)).strip()[:300]
    finally:
        runtime.dispose()
        results.put((index, committed, locked, other, first_error))


def soak(label: str, data_dir: str, database_url: str | None, procs: int, transactions: int) -> bool:
    from sqlalchemy import func, select

    from haven.accounts.models import AuthFailure
    from haven.audit import service as audit
    from haven.audit.models import AuditLog
    from haven.db.schema import create_all
    from haven.runtime import build_runtime

    settings = _settings(data_dir, database_url)
    runtime = build_runtime(settings)
    try:
        create_all(runtime)  # also creates the keyring and, with it, the secrets every writer reads
        audit.head_secret(settings)
        with runtime.unit_of_work() as session:
            audit_before = session.scalar(select(func.count()).select_from(AuditLog))
            rows_before = session.scalar(select(func.count()).select_from(AuthFailure))

        ctx = multiprocessing.get_context("spawn")
        barrier = ctx.Barrier(procs + 1)
        results = ctx.Queue()
        workers = [
            ctx.Process(target=writer, args=(i, data_dir, database_url, transactions, barrier, results))
            for i in range(procs)
        ]
        for w in workers:
            w.start()
        barrier.wait(timeout=120)
        started = time.perf_counter()
        outcomes = [results.get(timeout=3600) for _ in workers]
        elapsed = time.perf_counter() - started
        for w in workers:
            w.join()

        committed = sum(o[1] for o in outcomes)
        locked = sum(o[2] for o in outcomes)
        other = sum(o[3] for o in outcomes)
        with runtime.unit_of_work() as session:
            audit_rows = session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == ACTION))
            audit_total = session.scalar(select(func.count()).select_from(AuditLog))
            rows = session.scalar(select(func.count()).select_from(AuthFailure)) - rows_before
            report = audit.verify(session)
    finally:
        runtime.dispose()

    expected = procs * transactions
    totals_ok = committed == expected and audit_rows == expected and rows == expected
    chain_ok = report.ok and report.entries_checked == audit_total == audit_before + expected and report.head_seq == audit_total
    exit_codes = [w.exitcode for w in workers]
    print(f"{label:<11} {procs:>5} {transactions:>6} {elapsed:>8.1f}s {committed / elapsed:>8.0f} "
          f"{locked:>7} {other:>6}  {'yes' if totals_ok else 'NO':<6} {'yes' if chain_ok else 'NO':<6} "
          f"{committed}/{expected} committed, {rows} rows, {audit_rows} audit entries; verify: {report.message}")
    for o in outcomes:
        if o[4]:
            print(f"    writer {o[0]} first error: {o[4]}")
    return totals_ok and chain_ok and locked == 0 and other == 0 and exit_codes == [0] * procs


def _pg_schema_url(url: str) -> tuple[str, str, str]:
    if url.startswith(("postgres://", "postgresql://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    schema = "bench_" + uuid.uuid4().hex[:16]
    sep = "&" if "?" in url else "?"
    return url, schema, f"{url}{sep}options=-csearch_path%3D{schema}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--procs", type=int, default=8, help="writer processes (default 8)")
    parser.add_argument("--tx", type=int, default=500, help="transactions per process (default 500)")
    parser.add_argument("--pg", metavar="URL", help="also run on this PostgreSQL database (in a temporary schema)")
    parser.add_argument("--no-sqlite", action="store_true", help="skip the SQLite run")
    args = parser.parse_args(argv)

    print(f"{os.cpu_count()} CPUs, load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          "each transaction: audit.record + one auth_failures row, one unit of work")
    header = f"{'database':<11} {'procs':>5} {'tx/proc':>6} {'wall':>9} {'tx/s':>8} {'locked':>7} {'other':>6}  {'totals':<6} {'chain':<6}"
    print(header)
    print("-" * len(header))
    ok = True
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory(prefix="haven-bench-") as tmp:
            url = f"sqlite:///{Path(tmp) / 'bench.db'}"
            ok &= soak("SQLite", str(Path(tmp) / "var"), url, args.procs, args.tx)
    if args.pg:
        from sqlalchemy import create_engine, text

        base, schema, url = _pg_schema_url(args.pg)
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            with tempfile.TemporaryDirectory(prefix="haven-bench-") as tmp:
                ok &= soak("PostgreSQL", str(Path(tmp) / "var"), url, args.procs, args.tx)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
    print("\nRB-2: " + ("pass" if ok else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
