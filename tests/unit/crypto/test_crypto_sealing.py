"""Sealing without a database: AES-256-GCM with associated data that pins each value to its place."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from haven.crypto.sealing import (
    FORMAT_V1,
    HEADER_BYTES,
    NONCE_BYTES,
    SealError,
    aad_for,
    blob_dek_version,
    new_data_key,
    open_bytes,
    seal_bytes,
)

OWNER = uuid.UUID("6f1c2d9e-1111-4222-8333-944455566677")
OTHER_OWNER = uuid.UUID("0a0b0c0d-1111-4222-8333-944455566677")
ROW = uuid.UUID("11111111-2222-4333-8444-555555555555")
PLACE = aad_for(table="messages", column="body", row_id=ROW, owner_id=OWNER)
DEK = new_data_key()


def seal(plaintext: bytes = b"I could not sleep again", *, dek: bytes = DEK, version: int = 1, place=PLACE) -> bytes:
    return seal_bytes(dek, dek_version=version, aad_fields=place, plaintext=plaintext)


def test_it_round_trips():
    blob = seal(b"hello")
    assert open_bytes(DEK, dek_version=1, aad_fields=PLACE, blob=blob) == b"hello"


@given(plaintext=st.binary(max_size=2048), version=st.integers(1, 2**32 - 1))
def test_it_round_trips_any_bytes_and_version(plaintext, version):
    blob = seal(plaintext, version=version)
    assert blob_dek_version(blob) == version
    assert open_bytes(DEK, dek_version=version, aad_fields=PLACE, blob=blob) == plaintext


def test_layout_is_format_version_nonce_ciphertext_tag():
    blob = seal(b"abc", version=7)
    assert blob[0] == FORMAT_V1
    assert blob[1:5] == (7).to_bytes(4, "big")
    assert len(blob) == HEADER_BYTES + NONCE_BYTES + 3 + 16
    assert b"abc" not in blob


def test_same_plaintext_twice_gives_different_ciphertext():
    first, second = seal(b"same words"), seal(b"same words")
    assert first != second
    assert first[HEADER_BYTES : HEADER_BYTES + NONCE_BYTES] != second[HEADER_BYTES : HEADER_BYTES + NONCE_BYTES]


@given(data=st.data())
def test_any_flipped_bit_fails_closed(data):
    blob = bytearray(seal(b"tamper with me"))
    index = data.draw(st.integers(0, len(blob) - 1))
    bit = data.draw(st.integers(0, 7))
    blob[index] ^= 1 << bit
    with pytest.raises(SealError) as caught:
        open_bytes(DEK, dek_version=1, aad_fields=PLACE, blob=bytes(blob))
    assert "tamper" not in str(caught.value)


@pytest.mark.parametrize(
    "place",
    [
        aad_for(table="messages", column="body", row_id=uuid.uuid4(), owner_id=OWNER),
        aad_for(table="messages", column="body", row_id=ROW, owner_id=OTHER_OWNER),
        aad_for(table="messages", column="summary", row_id=ROW, owner_id=OWNER),
        aad_for(table="mood_notes", column="body", row_id=ROW, owner_id=OWNER),
    ],
    ids=["other-row", "other-owner", "other-column", "other-table"],
)
def test_it_refuses_a_value_moved_to_another_place(place):
    with pytest.raises(SealError, match="failed authentication"):
        open_bytes(DEK, dek_version=1, aad_fields=place, blob=seal())


def test_it_refuses_the_wrong_key():
    with pytest.raises(SealError, match="failed authentication"):
        open_bytes(new_data_key(), dek_version=1, aad_fields=PLACE, blob=seal())


def test_it_refuses_a_relabelled_key_version():
    blob = bytearray(seal(version=1))
    blob[1:5] = (2).to_bytes(4, "big")
    # The header now names version 2 and the caller asks for 2: the AAD still says 1.
    with pytest.raises(SealError, match="failed authentication"):
        open_bytes(DEK, dek_version=2, aad_fields=PLACE, blob=bytes(blob))
    with pytest.raises(SealError, match="names data-key version 2"):
        open_bytes(DEK, dek_version=1, aad_fields=PLACE, blob=bytes(blob))


def test_it_refuses_unknown_format_and_truncation():
    blob = seal()
    with pytest.raises(SealError, match="unknown format"):
        blob_dek_version(b"\x02" + blob[1:])
    with pytest.raises(SealError, match="truncated"):
        blob_dek_version(blob[: HEADER_BYTES + NONCE_BYTES + 15])


def test_it_refuses_bad_keys_and_reserved_fields():
    with pytest.raises(SealError, match="32 bytes"):
        seal(dek=b"short")
    with pytest.raises(SealError, match="may not set"):
        seal(place={**PLACE, "dek_version": "9"})
    with pytest.raises(SealError, match="strings"):
        seal(place={"row_id": 5})
    with pytest.raises(SealError, match="out of range"):
        seal(version=0)


def test_place_uses_canonical_strings():
    assert aad_for(table="t", column="c", row_id=ROW, owner_id=OWNER) == {
        "table": "t",
        "column": "c",
        "row_id": str(ROW),
        "owner_id": str(OWNER),
    }
