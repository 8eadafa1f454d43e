"""Key-encryption keys (KEKs): where they live and the two things they do, wrap and unwrap.

A KEK never reaches the database, logs or backups. The database keeps only each
version's check value (an HMAC under the KEK), so a wrong or swapped key file is
detected at start-up instead of turning data into noise.

``KeyProvider`` is the seam: ``FileKeyProvider`` keeps KEKs as files in a directory the
operator mounts separately from the data; a KMS or Vault Transit provider can implement the
same protocol later (its ``wrap``/``unwrap`` call the service, and its ``check_value`` can
be a MAC or a wrap of a fixed test key computed by the service).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import os
import re
import secrets
from hashlib import sha256
from pathlib import Path
from typing import Protocol

from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap

from haven.config import ensure_private_dir

KEK_BYTES = 32
CHECK_LABEL = b"haven-kek-check-v1"
_FILE_RE = re.compile(r"^kek-v([1-9][0-9]{0,8})\.key$")


class KeyringError(Exception):
    """The keyring is missing, wrong or inconsistent with the database; the message says what to do."""


class KeyProvider(Protocol):
    """What the crypto service needs from a keyring, whatever holds the keys."""

    def versions(self) -> list[int]:
        """KEK versions this keyring can use, ascending."""
        ...

    def current_version(self) -> int:
        """The newest version (new data keys are wrapped under it)."""
        ...

    def wrap(self, version: int, key: bytes) -> bytes: ...

    def unwrap(self, version: int, wrapped: bytes) -> bytes: ...

    def add_version(self) -> int:
        """Create a new KEK version and return its number."""
        ...

    def check_value(self, version: int) -> bytes:
        """A value that identifies the KEK without revealing it (kept in the database)."""
        ...


class FileKeyProvider:
    """KEKs as ``kek-v{N}.key`` files (base64 of 32 random bytes) in a 0700 directory, each 0600.

    Files are read when used, not kept in memory, so that a replaced file is noticed
    and key bytes live only as long as one operation. Old versions are never deleted
    here: data keys wrapped under them before a rotation committed still need them.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def __repr__(self) -> str:
        return f"FileKeyProvider({str(self.directory)!r})"

    def path_for(self, version: int) -> Path:
        return self.directory / f"kek-v{version}.key"

    def versions(self) -> list[int]:
        if not self.directory.is_dir():
            return []
        found = (_FILE_RE.match(p.name) for p in self.directory.iterdir())
        return sorted(int(m.group(1)) for m in found if m)

    def current_version(self) -> int:
        versions = self.versions()
        if not versions:
            raise KeyringError(
                f"No key-encryption key in {self.directory}. Run `haven init` on a new install, "
                "or mount the keyring directory this database was created with."
            )
        return versions[-1]

    def wrap(self, version: int, key: bytes) -> bytes:
        return aes_key_wrap(self._load(version), key)

    def unwrap(self, version: int, wrapped: bytes) -> bytes:
        try:
            return aes_key_unwrap(self._load(version), wrapped)
        except InvalidUnwrap:
            raise KeyringError(
                f"A data key does not unwrap under key-encryption key v{version} ({self.path_for(version)}): "
                "the file is not the key the data was wrapped with. Restore the original file."
            ) from None

    def check_value(self, version: int) -> bytes:
        return hmac.new(self._load(version), CHECK_LABEL, sha256).digest()

    def add_version(self) -> int:
        ensure_private_dir(self.directory)
        version = (self.versions() or [0])[-1] + 1
        path = self.path_for(version)
        data = base64.b64encode(secrets.token_bytes(KEK_BYTES)) + b"\n"
        try:
            # O_EXCL: two processes rotating at once never overwrite each other's key.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise KeyringError(
                f"{path} appeared while creating it: another rotation is running. Wait for it and retry."
            ) from None
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        fsync_dir(self.directory)
        return version

    def _load(self, version: int) -> bytes:
        path = self.path_for(version)
        try:
            st = path.stat()
            raw = path.read_bytes()
        except FileNotFoundError:
            raise KeyringError(
                f"Key-encryption key v{version} is missing: {path} does not exist. "
                "Restore it from the keyring backup; without it the data keys wrapped under it cannot be opened."
            ) from None
        except PermissionError:
            raise KeyringError(f"{path} cannot be read by this user. Check its owner (mode must be 0600).") from None
        if st.st_mode & 0o077:
            raise KeyringError(
                f"{path} is readable by other users (mode {st.st_mode & 0o777:o}). Run `chmod 600 {path}`."
            )
        try:
            key = base64.b64decode(raw.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise KeyringError(f"{path} is not valid base64. Restore the original file.") from None
        if len(key) != KEK_BYTES:
            raise KeyringError(
                f"{path} holds {len(key)} bytes, not {KEK_BYTES}. Restore the original file."
            )
        return key


def fsync_dir(directory: Path) -> None:
    """Make a new file's directory entry durable too."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
