"""The pure chain: hashing, sealing, and naming each kind of tampering on an in-memory list."""

from __future__ import annotations

import hashlib

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from haven.audit import chain


def entry(i: int) -> dict:
    return {
        "recorded_at": f"2025-01-01T00:00:{i % 60:02d}.{i:06d}+00:00",
        "actor_role": "member",
        "actor_id": "6f1c1f9e-52b6-4c55-9f57-0d6b0f0b7f11",
        "action": "member.profile.read",
        "subject_id": "6f1c1f9e-52b6-4c55-9f57-0d6b0f0b7f11",
        "object_type": "member",
        "object_id": str(i),
        "outcome": "success",
        "reason": None,
    }


def make_chain(n: int) -> list[dict]:
    return chain.seal([entry(i) for i in range(n)], after_seq=0, after_hash=chain.GENESIS_HASH)


def head_of(rows: list[dict]) -> tuple[int, str]:
    return rows[-1]["seq"], rows[-1]["hash"]


def renumber(rows: list[dict]) -> list[dict]:
    return [{**r, "seq": i} for i, r in enumerate(rows, start=1)]


def test_hash_is_sha256_of_prev_bytes_and_jcs_record() -> None:
    row = make_chain(1)[0]
    record = {k: v for k, v in row.items() if k != "hash"}
    expected = hashlib.sha256(bytes(32) + rfc8785.dumps(record)).hexdigest()
    assert row["hash"] == expected
    assert row["seq"] == 1 and row["prev_hash"] == chain.GENESIS_HASH


def test_seal_links_each_entry_to_the_previous() -> None:
    rows = make_chain(5)
    assert [r["seq"] for r in rows] == [1, 2, 3, 4, 5]
    for prev, row in zip(rows, rows[1:]):
        assert row["prev_hash"] == prev["hash"]
    more = chain.seal([entry(9)], after_seq=5, after_hash=rows[-1]["hash"])
    assert more[0]["seq"] == 6 and more[0]["prev_hash"] == rows[-1]["hash"]


def test_microsecond_text_is_hashed_as_stored() -> None:
    # The timestamp is text: what is hashed is what is stored (pitfall 6, ns vs µs).
    row = make_chain(1)[0]
    assert chain.compute_hash(dict(row)) == row["hash"]


def test_clean_chain_verifies() -> None:
    rows = make_chain(10)
    assert chain.verify_rows(rows, head=head_of(rows)) == (10, None)
    assert chain.verify_rows([], head=None) == (0, None)


@settings(max_examples=50, deadline=None)
@given(n=st.integers(min_value=2, max_value=30), data=st.data())
def test_any_single_field_edit_is_found_at_its_row(n: int, data: st.DataObject) -> None:
    rows = make_chain(n)
    target = data.draw(st.integers(min_value=1, max_value=n))
    name = data.draw(st.sampled_from([f for f in chain.HASHED_FIELDS if f not in ("seq", "prev_hash")]))
    rows[target - 1] = {**rows[target - 1], name: "tampered"}
    _, broken = chain.verify_rows(rows, head=head_of(make_chain(n)))
    assert broken is not None and (broken.seq, broken.problem) == (target, chain.EDITED)


def test_edit_with_rehash_is_blamed_on_the_rehashed_row() -> None:
    rows = make_chain(6)
    forged = {**rows[2], "outcome": "failure"}
    forged["hash"] = chain.compute_hash(forged)
    rows[2] = forged
    _, broken = chain.verify_rows(rows, head=head_of(make_chain(6)))
    assert (broken.seq, broken.problem) == (3, chain.EDITED)


def test_prev_hash_edit_is_an_edit() -> None:
    rows = make_chain(4)
    rows[1] = {**rows[1], "prev_hash": "ab" * 32}
    assert chain.verify_rows(rows)[1].problem == chain.EDITED
    rows[1] = {**rows[1], "prev_hash": "not hex"}
    assert (chain.verify_rows(rows)[1].seq, chain.verify_rows(rows)[1].problem) == (2, chain.EDITED)


def test_deleted_middle_row_is_a_gap() -> None:
    rows = make_chain(8)
    del rows[3:5]
    checked, broken = chain.verify_rows(rows, head=(8, make_chain(8)[-1]["hash"]))
    assert (checked, broken.seq, broken.problem) == (3, 4, chain.DELETED)


def test_deleted_first_row() -> None:
    rows = make_chain(3)[1:]
    assert (chain.verify_rows(rows)[1].seq, chain.verify_rows(rows)[1].problem) == (1, chain.DELETED)


def test_row_appended_beyond_the_head_is_inserted() -> None:
    rows = make_chain(5)
    signed = head_of(rows)
    rows += chain.seal([entry(99)], after_seq=5, after_hash=rows[-1]["hash"])
    assert (chain.verify_rows(rows, head=signed)[1].seq, chain.verify_rows(rows, head=signed)[1].problem) == (
        6,
        chain.INSERTED,
    )
    # With a gap before it, still an insertion, not a deletion.
    rows[-1] = {**rows[-1], "seq": 9}
    assert chain.verify_rows(rows, head=signed)[1].problem == chain.INSERTED


def test_row_inserted_in_the_middle_with_renumbering() -> None:
    rows = make_chain(6)
    forged = chain.seal([entry(77)], after_seq=2, after_hash=rows[1]["hash"])[0]
    rows = renumber(rows[:2] + [forged] + rows[2:])
    _, broken = chain.verify_rows(rows, head=(7, rows[-1]["hash"]))
    assert (broken.seq, broken.problem) == (3, chain.INSERTED)


def test_row_with_seq_before_the_start_is_inserted() -> None:
    rows = make_chain(3)
    forged = {**chain.seal([entry(5)], after_seq=-1, after_hash=chain.GENESIS_HASH)[0]}
    _, broken = chain.verify_rows([forged] + rows, head=head_of(rows))
    assert (broken.seq, broken.problem) == (0, chain.INSERTED)


@pytest.mark.parametrize(("a", "b"), [(2, 5), (3, 4), (1, 7), (6, 7)])
def test_swapped_rows_are_reordered(a: int, b: int) -> None:
    rows = make_chain(7)
    rows[a - 1], rows[b - 1] = {**rows[b - 1], "seq": a}, {**rows[a - 1], "seq": b}
    _, broken = chain.verify_rows(rows, head=head_of(make_chain(7)))
    assert (broken.seq, broken.problem) == (a, chain.REORDERED)


def test_truncated_tail_is_found_by_the_head() -> None:
    full = make_chain(9)
    _, broken = chain.verify_rows(full[:6], head=head_of(full))
    assert (broken.seq, broken.problem) == (7, chain.TRUNCATED)
    _, broken = chain.verify_rows([], head=head_of(full))
    assert (broken.seq, broken.problem) == (1, chain.TRUNCATED)
    # Without a head, a truncated chain still looks whole: that is what the head is for.
    assert chain.verify_rows(full[:6]) == (6, None)


def test_rewritten_chain_does_not_match_the_head() -> None:
    full = make_chain(4)
    denied = [{**entry(i), "outcome": "denied"} for i in range(4)]
    rewritten = chain.seal(denied, after_seq=0, after_hash=chain.GENESIS_HASH)
    _, broken = chain.verify_rows(rewritten, head=head_of(full))
    assert (broken.seq, broken.problem) == (4, chain.HEAD_MISMATCH)


def test_head_mac() -> None:
    secret = b"k" * 32
    mac = chain.head_mac(secret, 4, "ab" * 32)
    assert chain.head_is_authentic(secret, 4, "ab" * 32, mac)
    assert not chain.head_is_authentic(secret, 3, "ab" * 32, mac)
    assert not chain.head_is_authentic(secret, 4, "cd" * 32, mac)
    assert not chain.head_is_authentic(b"j" * 32, 4, "ab" * 32, mac)
