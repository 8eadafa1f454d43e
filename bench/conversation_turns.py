"""Chat-turn latency and throughput through the real HTTP stack, beside the floor.

Starts ``haven serve`` on a temporary SQLite database, signs up members, then drives
conversations over HTTP/1.1 keep-alive connections (one thread per client) and prints one
table: p50/p99 per turn and turns per second, for

- ``turn``: POST /api/v1/conversations/{id}/messages (safety gate, understanding, dialogue,
  output screen, two sealed messages, sealed state, audit entry, one commit);
- ``floor``: a bench-only endpoint mounted in the same server that authenticates, seals and
  stores one message with its audit entry and commits — everything a turn must do at least.

Targets (issue 3): one client p50 ≤ 10 ms, p99 ≤ 25 ms; 16 clients ≥ 150 turns/s, no errors;
turn ≤ 1.5 × floor + the model inference it contains.

    python bench/conversation_turns.py [--turns 300] [--clients 1,16] [--workers 1]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

MESSAGES = [
    "hi", "5", "work has been really stressful and I can't sleep", "my manager keeps piling things on",
    "I feel anxious most evenings", "not now", "I just feel tired of it all", "thanks", "how do I stop overthinking at night",
    "I had an argument with my sister", "I feel a bit lonely since I moved", "ok", "yes", "I don't know",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(data_dir: Path, port: int, workers: int) -> subprocess.Popen:
    env = {**os.environ, "HAVEN_DATA_DIR": str(data_dir), "HAVEN_ENV": "development", "HAVEN_LOG_LEVEL": "WARNING",
           "HAVEN_LOGIN_ADDRESS_FAILURES_PER_HOUR": "100000"}
    subprocess.run([sys.executable, "-m", "haven", "migrate"], env=env, check=True, capture_output=True)
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER_SCRIPT, str(port), str(workers)], env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("server did not start: " + server.stderr.read().decode()[-2000:])


# The server process: Haven's app plus the bench-only floor route. The floor does what every
# turn must do at least: authenticate, seal and store one message, audit it, commit.
SERVER_SCRIPT = r'''
import sys, uuid, json
import uvicorn
from haven.app import create_app
from haven.config import load_settings
from haven.deps import CurrentMember, DbSession
from haven.conversation.models import Message, Conversation
from haven.crypto import service as crypto
from haven.audit import service as audit
from haven.nlu import service as nlu
from pydantic import BaseModel

app = create_app(load_settings())
nlu.warm_up()

class Body(BaseModel):
    text: str

def floor(conversation_id: uuid.UUID, body: Body, me: CurrentMember, db: DbSession):
    conversation = db.get(Conversation, conversation_id)
    conversation.message_count += 1
    row = Message(id=uuid.uuid4(), conversation_id=conversation.id, member_id=me.user.id,
                  seq=conversation.message_count, author="member")
    row.body_sealed = crypto.seal(db, owner_id=me.user.id, table="messages", column="body", row_id=row.id,
                                  plaintext=json.dumps({"text": body.text, "meta": {}}))
    db.add(row)
    audit.record(db, actor_role="member", actor_id=me.user.id, action="conversation.turn", subject_id=me.user.id,
                 object_type="conversation", object_id=conversation.id)
    return {"ok": True}

app.add_api_route("/bench/floor/{conversation_id}", floor, methods=["POST"])
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_config=None, access_log=False)
'''


class Client:
    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.token = ""

    def reconnect(self) -> None:
        self.conn.close()
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        self.conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        return response.status, (json.loads(data) if data else {})


def prepare(port: int, count: int) -> list[tuple[Client, str]]:
    clients = []
    for _ in range(count):
        client = Client(port)
        status, body = client.call("POST", "/api/v1/auth/signup", {"passphrase": "a bench passphrase of some length"})
        assert status == 201, body
        client.token = body["token"]
        status, body = client.call("POST", "/api/v1/conversations", {})
        clients.append((client, body["id"]))
    return clients


def drive(clients, path_for, turns_per_client: int) -> tuple[list[float], int, float]:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()

    def run(client: Client, conversation_id: str, offset: int) -> None:
        nonlocal errors
        mine, bad = [], 0
        for i in range(turns_per_client):
            text = MESSAGES[(i + offset) % len(MESSAGES)]
            started = time.perf_counter()
            try:
                status, _ = client.call("POST", path_for(conversation_id), {"text": text})
            except (OSError, http.client.HTTPException):
                status = 0
                client.reconnect()
            mine.append((time.perf_counter() - started) * 1000)
            bad += status != 200
        with lock:
            latencies.extend(mine)
            errors += bad

    threads = [threading.Thread(target=run, args=(c, cid, n)) for n, (c, cid) in enumerate(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors, time.perf_counter() - started


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--turns", type=int, default=300, help="turns per scenario (split across clients)")
    parser.add_argument("--clients", default="1,16")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        server = start_server(Path(tmp) / "var", port, args.workers)
        try:
            rows = []
            for count in [int(c) for c in args.clients.split(",")]:
                clients = prepare(port, count)
                per_client = max(1, args.turns // count)
                for name, path_for in (
                    ("floor", lambda cid: f"/bench/floor/{cid}"),
                    ("turn", lambda cid: f"/api/v1/conversations/{cid}/messages"),
                ):
                    drive(clients, path_for, min(5, per_client))  # warm-up
                    latencies, errors, elapsed = drive(clients, path_for, per_client)
                    rows.append((name, count, len(latencies), statistics.median(latencies), percentile(latencies, 0.99),
                                 len(latencies) / elapsed, errors))
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(f"Haven chat turns over HTTP, {os.cpu_count()} CPUs, server workers={args.workers}, SQLite (WAL, synchronous=FULL)")
    print(f"{'endpoint':<8} {'clients':>7} {'turns':>6} {'p50 ms':>8} {'p99 ms':>8} {'turns/s':>8} {'errors':>6}")
    for name, count, n, p50, p99, rate, errors in rows:
        print(f"{name:<8} {count:>7} {n:>6} {p50:>8.2f} {p99:>8.2f} {rate:>8.1f} {errors:>6}")


if __name__ == "__main__":
    main()
