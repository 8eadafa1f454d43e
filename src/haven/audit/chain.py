"""The hash chain itself: pure functions over plain mappings, no database.

``hash = SHA-256(prev_hash_bytes || JCS(record))`` where ``record`` holds every column but
``hash`` (so ``seq`` and ``prev_hash`` are bound too) and JCS is RFC 8785 canonical JSON.
The verifier walks rows in ``seq`` order and names the first bad entry and what kind of
tampering explains it best; the head (last seq and hash, MAC'd with a server secret) is what
catches a truncated tail or rows appended behind the appender's back.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import rfc8785

GENESIS_HASH = "0" * 64
HASHED_FIELDS = (
    "seq",
    "prev_hash",
    "recorded_at",
    "actor_role",
    "actor_id",
    "action",
    "subject_id",
    "object_type",
    "object_id",
    "outcome",
    "reason",
)
HEAD_KEY_LABEL = b"haven.audit.head.v1"

# Problems the verifier names; the CLI and the report use these codes verbatim.
EDITED = "edited"
DELETED = "deleted"
INSERTED = "inserted"
REORDERED = "reordered"
TRUNCATED = "truncated"
HEAD_MISSING = "head_missing"
HEAD_INVALID = "head_invalid"
HEAD_MISMATCH = "head_mismatch"


def canonical(record: Mapping[str, object]) -> bytes:
    return rfc8785.dumps({name: record[name] for name in HASHED_FIELDS})


def compute_hash(record: Mapping[str, object]) -> str:
    prev = bytes.fromhex(str(record["prev_hash"]))
    if len(prev) != 32:
        raise ValueError("prev_hash must be 32 bytes of hex")
    return hashlib.sha256(prev + canonical(record)).hexdigest()


def seal(entries: Iterable[dict], *, after_seq: int, after_hash: str) -> list[dict]:
    """Number and chain ``entries`` after the entry (``after_seq``, ``after_hash``); returns new dicts."""
    sealed = []
    seq, prev = after_seq, after_hash
    for entry in entries:
        seq += 1
        row = {**entry, "seq": seq, "prev_hash": prev}
        row["hash"] = prev = compute_hash(row)
        sealed.append(row)
    return sealed


def head_key(secret: bytes) -> bytes:
    # A key of its own, so that the MAC never equals another use of the server secret.
    return hmac.new(secret, HEAD_KEY_LABEL, hashlib.sha256).digest()


def head_mac(secret: bytes, seq: int, hash_: str) -> str:
    return hmac.new(head_key(secret), f"{seq}:{hash_}".encode(), hashlib.sha256).hexdigest()


def head_is_authentic(secret: bytes, seq: int, hash_: str, mac: str) -> bool:
    return hmac.compare_digest(head_mac(secret, seq, hash_), str(mac))


@dataclass(frozen=True)
class Break:
    """The first bad entry: ``seq`` is None for problems with the head alone."""

    seq: int | None
    problem: str
    message: str


def _hash_ok(row: Mapping[str, object]) -> bool:
    try:
        return compute_hash(row) == row["hash"]
    except (ValueError, TypeError):
        return False


class ChainVerifier:
    """Feed rows in ascending ``seq`` order; stops at the first break.

    ``head_seq`` is the highest sequence number an authentic head vouches for (None when
    there is none): rows beyond it were not written by the appender. ``find_seq_by_hash``
    looks up which row carries a given hash; it is only called once a break is found, to
    tell a moved row from an inserted or an edited one.
    """

    def __init__(self, *, head_seq: int | None, find_seq_by_hash: Callable[[str], int | None]) -> None:
        self.head_seq = head_seq
        self.find_seq_by_hash = find_seq_by_hash
        self.checked = 0
        self.last_seq = 0
        self.last_hash = GENESIS_HASH
        self.broken: Break | None = None

    def feed(self, row: Mapping[str, object]) -> Break | None:
        if self.broken is None:
            self.broken = self._check(row)
            if self.broken is None:
                self.checked += 1
                self.last_seq, self.last_hash = int(row["seq"]), str(row["hash"])  # type: ignore[call-overload]
        return self.broken

    def _beyond_head(self, seq: int) -> bool:
        return self.head_seq is not None and seq > self.head_seq

    def _check(self, row: Mapping[str, object]) -> Break | None:
        seq = int(row["seq"])  # type: ignore[call-overload]
        expected = self.last_seq + 1
        if seq < expected:
            return Break(seq, INSERTED, f"entry {seq} is out of the chain's range (expected {expected})")
        if seq > expected:
            if self._beyond_head(expected):
                return Break(seq, INSERTED, f"entry {seq} lies beyond the signed head ({self.head_seq})")
            return Break(expected, DELETED, f"entries {expected}..{seq - 1} are missing")
        if self._beyond_head(seq):
            return Break(seq, INSERTED, f"entry {seq} lies beyond the signed head ({self.head_seq})")
        own_ok = _hash_ok(row)
        if row["prev_hash"] == self.last_hash:
            return None if own_ok else Break(seq, EDITED, f"entry {seq} does not match its hash")
        return self._classify_link(seq, str(row["prev_hash"]), own_ok)

    def _classify_link(self, seq: int, prev_hash: str, own_ok: bool) -> Break:
        found = self.find_seq_by_hash(prev_hash)
        if found is None:
            if own_ok and seq > 1:
                # The row is intact but points at a hash no row has: its predecessor was re-hashed.
                return Break(seq - 1, EDITED, f"entry {seq - 1} was changed and re-hashed")
            return Break(seq, EDITED, f"entry {seq} does not link to entry {seq - 1}")
        if found < seq - 1:
            first = found + 1
            message = f"entry {seq} links to entry {found}: entries {first}..{seq - 1} were inserted"
            return Break(first, INSERTED, message)
        if found > seq:
            return Break(seq, REORDERED, f"entry {seq} belongs after entry {found}")
        return Break(seq, EDITED, f"entry {seq} does not link to entry {seq - 1}")


def check_end(*, last_seq: int, last_hash: str, heads: Iterable[tuple[int, str]]) -> Break | None:
    """Compare where the chain ends with the authentic heads read before and after the walk.

    Rows may be appended between the two reads, so the chain may end anywhere between them;
    where it ends exactly at a head, the hashes must agree too.
    """
    heads = list(heads)
    if not heads:
        return None
    lowest = min(seq for seq, _ in heads)
    if last_seq < lowest:
        first = last_seq + 1
        return Break(first, TRUNCATED, f"the chain ends at {last_seq} but its head says {lowest}")
    for seq, hash_ in heads:
        if seq == last_seq and hash_ != last_hash:
            return Break(seq, HEAD_MISMATCH, f"entry {seq} does not carry the hash its head records")
    return None


def verify_rows(
    rows: Iterable[Mapping[str, object]], *, head: tuple[int, str] | None = None
) -> tuple[int, Break | None]:
    """Verify an in-memory chain against an (already authenticated) head; returns (checked, break)."""
    rows = list(rows)
    by_hash = {str(r["hash"]): int(r["seq"]) for r in rows}  # type: ignore[call-overload]
    verifier = ChainVerifier(head_seq=head[0] if head else None, find_seq_by_hash=by_hash.get)
    for row in rows:
        if verifier.feed(row):
            return verifier.checked, verifier.broken
    heads = [head] if head else []
    return verifier.checked, check_end(last_seq=verifier.last_seq, last_hash=verifier.last_hash, heads=heads)
