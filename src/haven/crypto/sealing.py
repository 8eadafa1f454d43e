"""Sealing one value with a data key: AES-256-GCM, a fresh nonce each time, bound to its place.

Layout of a sealed value::

    0x01 | dek_version (4 bytes, big-endian) | nonce (12 random bytes) | ciphertext + 16-byte tag

The associated data is the canonical JSON (RFC 8785) of the value's table, column, row id
and owner id, plus the data-key version and the format. A value copied to another row,
column or owner, or relabelled with another key version, fails to open (pitfall 4).

Pure functions, no database: the service picks the key, these only seal and open.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Mapping

import rfc8785
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

FORMAT_V1 = 0x01
DEK_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
_HEADER = struct.Struct(">BI")
HEADER_BYTES = _HEADER.size
_RESERVED = frozenset({"dek_version", "format"})
_MAX_DEK_VERSION = 2**32 - 1


class SealError(Exception):
    """A sealed value cannot be opened (or made). Fails closed; the message never holds the value."""


class KeyShredded(SealError):
    """The owner's data key was destroyed (erasure): their sealed values can never be read again."""


def aad_for(*, table: str, column: str, row_id: object, owner_id: object) -> dict[str, str]:
    """The place a value belongs to, as strings (UUIDs and ints by their canonical ``str``)."""
    return {"table": str(table), "column": str(column), "row_id": str(row_id), "owner_id": str(owner_id)}


def associated_data(aad: Mapping[str, str], *, dek_version: int, fmt: int = FORMAT_V1) -> bytes:
    if _RESERVED & aad.keys():
        raise SealError(f"associated data may not set {sorted(_RESERVED & aad.keys())}; they are added here")
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in aad.items()):
        raise SealError("associated data fields must be strings")
    return rfc8785.dumps({**aad, "dek_version": str(dek_version), "format": str(fmt)})


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def seal_bytes(dek: bytes, *, dek_version: int, aad_fields: Mapping[str, str], plaintext: bytes) -> bytes:
    _check_key(dek)
    if not 1 <= dek_version <= _MAX_DEK_VERSION:
        raise SealError(f"data-key version {dek_version} is out of range")
    nonce = os.urandom(NONCE_BYTES)
    aad = associated_data(aad_fields, dek_version=dek_version)
    body = AESGCM(dek).encrypt(nonce, bytes(plaintext), aad)
    return _HEADER.pack(FORMAT_V1, dek_version) + nonce + body


def blob_dek_version(blob: bytes) -> int:
    """The data-key version a sealed value names (so the caller can fetch that key)."""
    if not isinstance(blob, bytes | bytearray | memoryview):
        raise SealError("a sealed value must be bytes")
    if len(blob) < HEADER_BYTES + NONCE_BYTES + TAG_BYTES:
        raise SealError("sealed value is truncated")
    fmt, version = _HEADER.unpack_from(blob)
    if fmt != FORMAT_V1:
        raise SealError(f"sealed value has unknown format byte 0x{fmt:02x}")
    return version


def open_bytes(dek: bytes, *, dek_version: int, aad_fields: Mapping[str, str], blob: bytes) -> bytes:
    _check_key(dek)
    if blob_dek_version(blob) != dek_version:
        raise SealError(f"sealed value names data-key version {blob_dek_version(blob)}, not {dek_version}")
    blob = bytes(blob)
    nonce = blob[HEADER_BYTES : HEADER_BYTES + NONCE_BYTES]
    body = blob[HEADER_BYTES + NONCE_BYTES :]
    aad = associated_data(aad_fields, dek_version=dek_version)
    try:
        return AESGCM(dek).decrypt(nonce, body, aad)
    except InvalidTag:
        raise SealError(
            "sealed value failed authentication: wrong key, altered bytes, or copied from another row"
        ) from None


def _check_key(dek: bytes) -> None:
    if not isinstance(dek, bytes) or len(dek) != DEK_BYTES:
        raise SealError("a data key must be 32 bytes")
