"""Acknowledged writes survive ``kill -9`` (SECURITY.md RB-1), on SQLite in WAL mode with synchronous=FULL.

A writer process commits units of work in a loop (one ``auth_failures`` row and one audit
entry naming it, per transaction) and reports the row's id on a pipe after each commit
returns. The test SIGKILLs it at a random moment 20-300 ms after its first report, then
reopens the database and checks: ``PRAGMA integrity_check`` is ok, every reported id is
there, each row landed together with its audit entry (neither without the other), and the
audit chain verifies up to its MAC'd head. One hundred times, on the same growing database.

Starting a fresh interpreter per kill would cost about a second of imports each. Instead one
helper interpreter (a "zygote") imports Haven once, holds no database connection, and
``fork``s a writer for each round; the writer builds its own runtime after the fork and is
the process killed. The helper reaps it and says so, after which no more acks can arrive.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import select
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select as sql_select
from sqlalchemy.engine import make_url

from haven.accounts.models import AuthFailure
from haven.audit import service as audit
from haven.audit.models import AuditLog
from haven.config import Settings
from haven.db.schema import create_all
from haven.runtime import build_runtime

KILLS = 100
SEED = 0x4B1
KILL_AFTER_FIRST_ACK_S = (0.020, 0.300)
ACTION = "test.crash_write"
WAIT_S = 30.0

# The helper: import once, then fork a writer per "go" line on stdin. Everything it and its
# writers say goes through os.write on fd 1, one short line per call, so lines never interleave.
ZYGOTE = r"""
import json, os, sys, time, uuid
from sqlalchemy.orm import configure_mappers
from haven.accounts.models import AuthFailure
from haven.audit import service as audit
from haven.config import Settings
from haven.db.schema import metadata
from haven.runtime import build_runtime

metadata()
configure_mappers()
cfg = json.loads(sys.argv[1])
settings = Settings(env="test", data_dir=cfg["data_dir"], database_url=cfg["database_url"])

def say(line):
    os.write(1, (line.replace("\n", " ") + "\n").encode())

def write_forever():
    runtime = build_runtime(settings)
    deadline = time.monotonic() + 60  # never outlive a test that stopped killing
    while time.monotonic() < deadline:
        row_id = uuid.uuid4()
        with runtime.unit_of_work() as session:
            session.add(AuthFailure(id=row_id, bucket=row_id.hex * 2))
            audit.record(session, actor_role="system", actor_id=None, action=cfg["action"], object_id=row_id)
        say(f"ack {row_id}")
    say("error: the writer was never killed")

say("ready")
while line := sys.stdin.readline():
    if line.strip() != "go":
        continue
    pid = os.fork()
    if pid == 0:
        try:
            write_forever()
        except BaseException as exc:
            say(f"error: {exc!r}"[:500])
        finally:
            os._exit(1)
    say(f"pid {pid}")
    os.waitpid(pid, 0)
    say(f"reaped {pid}")
"""


class Lines:
    """Lines from a pipe, with a deadline on each read."""

    def __init__(self, stream) -> None:
        self.fd = stream.fileno()
        self.buffer = b""

    def next(self, timeout: float = WAIT_S) -> str:
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self.fd], [], [], remaining)[0]:
                raise AssertionError(f"no line from the writer within {timeout:.0f} s")
            chunk = os.read(self.fd, 65536)
            if not chunk:
                raise AssertionError("the helper process ended unexpectedly")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line.decode()


def _one_round(zygote: subprocess.Popen, lines: Lines, rng: random.Random, live: list[int]) -> set[uuid.UUID]:
    """Start a writer, kill it at a random moment after its first ack; return every id it acked."""
    acked: set[uuid.UUID] = set()
    pid = None

    def take(line: str) -> None:
        nonlocal pid
        kind, _, rest = line.partition(" ")
        if kind == "ack":
            acked.add(uuid.UUID(rest))
        elif kind == "pid":
            pid = int(rest)
            live.append(pid)
        else:
            raise AssertionError(f"writer: {line}")

    zygote.stdin.write(b"go\n")
    zygote.stdin.flush()
    while pid is None or not acked:
        take(lines.next())
    time.sleep(rng.uniform(*KILL_AFTER_FIRST_ACK_S))
    os.kill(pid, signal.SIGKILL)
    # Everything the writer wrote precedes the helper's "reaped" line.
    while (line := lines.next()) != f"reaped {pid}":
        take(line)
    live.remove(pid)
    return acked


def _check(db_path: str, runtime, acked: set[uuid.UUID], round_no: int) -> int:
    with contextlib.closing(sqlite3.connect(f"file:{db_path}?mode=rw", uri=True)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)], f"round {round_no}"
    with runtime.unit_of_work() as session:
        rows = set(session.scalars(sql_select(AuthFailure.id)))
        audited = [uuid.UUID(x) for x in session.scalars(sql_select(AuditLog.object_id).where(AuditLog.action == ACTION))]
        report = audit.verify(session)
    runtime.engine.dispose()  # the next round's check opens the file afresh
    missing = acked - rows
    assert not missing, f"round {round_no}: {len(missing)} acknowledged writes lost"
    # Each transaction's row and audit entry landed together or not at all.
    assert len(audited) == len(set(audited)) and set(audited) == rows, f"round {round_no}: row and audit entry split"
    assert report.ok, f"round {round_no}: {report.message}"
    assert report.resets == [] and report.head_seq == report.entries_checked == len(rows), f"round {round_no}"
    return len(rows)


@pytest.mark.slow
@pytest.mark.sqlite_only
@pytest.mark.skipif(not hasattr(os, "fork"), reason="the helper forks its writers")
def test_acknowledged_writes_survive_sigkill(settings: Settings, tmp_path: Path) -> None:
    runtime = build_runtime(settings)
    create_all(runtime)
    audit.head_secret(settings)  # create the head's secret once, before any writer needs it
    runtime.engine.dispose()
    db_path = make_url(settings.resolved_database_url).database
    config = {"data_dir": str(settings.data_dir), "database_url": settings.resolved_database_url, "action": ACTION}

    rng = random.Random(SEED)
    acked: set[uuid.UUID] = set()
    live: list[int] = []
    committed = 0
    with (
        open(tmp_path / "helper.stderr", "wb") as stderr,
        subprocess.Popen(
            [sys.executable, "-c", ZYGOTE, json.dumps(config)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr, bufsize=0,
        ) as zygote,
    ):
        lines = Lines(zygote.stdout)
        try:
            assert lines.next(timeout=120) == "ready"
            for round_no in range(1, KILLS + 1):
                acked |= _one_round(zygote, lines, rng, live)
                committed = _check(db_path, runtime, acked, round_no)
        except AssertionError as exc:
            stderr.flush()
            tail = (tmp_path / "helper.stderr").read_text(errors="replace")[-2000:]
            raise AssertionError(f"{exc}\nhelper stderr:\n{tail}") from None
        finally:
            for pid in live:  # only a writer this test started and has not reaped
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            zygote.stdin.close()
            try:
                zygote.wait(timeout=30)
            except subprocess.TimeoutExpired:
                zygote.kill()
                zygote.wait()
            runtime.dispose()

    # Some commits land without an ack (killed between commit and report); never the reverse.
    assert len(acked) >= KILLS and committed >= len(acked)
