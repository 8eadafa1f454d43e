"""The crypto package's public API: keyring checks, per-owner data keys, sealing, rotation, shredding.

Every function takes the session first; the vault and settings come from ``session.info``
(set by ``haven.runtime.build_runtime``). Functions flush, never commit.

- Each owner (member, clinician, operator) has one 256-bit data key (DEK), kept only
  wrapped under a key-encryption key (KEK) from the keyring (``member_keys``).
- ``seal``/``open_sealed`` bind each value to table, column, row id and owner (CR-1, CR-2).
- ``rotate_kek`` rewraps DEKs only; ciphertext is untouched and old KEK files stay in the
  keyring, used only to unwrap, because a data key wrapped under them by a transaction that
  committed before the rotation, and every older backup, still need them (CR-4). Keep every
  file: ``check_keyring`` requires each registered version, so a lost file is caught at start.
- ``shred`` deletes an owner's DEK and records the owner in the shred ledger, a file kept
  beside the keyring and outside database backups; ``replay_shred_ledger`` runs after any
  restore so that an erased owner stays erased (CR-5, pitfall 5).

Unwrapped DEKs are cached in ``session.info`` only: one unit of work, cleared on rollback,
shred and replay, so no key outlives the session that used it.
"""

from __future__ import annotations

import hmac
import logging
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, event, func, select
from sqlalchemy.orm import Session

from haven.config import Settings
from haven.crypto import ledger
from haven.crypto.keyring import FileKeyProvider, KeyProvider, KeyringError
from haven.crypto.models import KekVersion, MemberKey
from haven.crypto.sealing import (
    KeyShredded,
    SealError,
    aad_for,
    blob_dek_version,
    new_data_key,
    open_bytes,
    seal_bytes,
)

log = logging.getLogger(__name__)

_CACHE = "haven.crypto.deks"
_REASON_RE = re.compile(r"[a-z0-9][a-z0-9_.-]{0,63}")
_DELETE_BATCH = 500


@dataclass(frozen=True)
class Vault:
    """The keyring and the shred ledger of one Haven process."""

    provider: KeyProvider
    ledger_path: Path

    def shredded_owners(self) -> set[uuid.UUID]:
        return ledger.read_owners(self.ledger_path)

    def is_shredded(self, owner_id: uuid.UUID | str) -> bool:
        return _as_uuid(owner_id) in self.shredded_owners()

    def record_shred(self, owner_id: uuid.UUID, reason: str) -> None:
        ledger.append(self.ledger_path, owner_id=owner_id, reason=reason)


def open_vault(settings: Settings) -> Vault:
    """The vault for these settings. Creates nothing: ``init_keyring`` makes the first key."""
    return Vault(
        provider=FileKeyProvider(settings.resolved_keyring_dir),
        ledger_path=settings.resolved_shred_ledger_path,
    )


# -- keyring state -------------------------------------------------------------------------


def init_keyring(session: Session) -> bool:
    """Make the keyring ready; True when a new KEK (v1) was generated.

    Fresh install (no KEK rows, no key files, no data keys): create KEK v1 and its row.
    New database over an existing keyring: register the files' check values. Anything
    inconsistent raises ``KeyringError``; a new key is never created over existing data.
    """
    vault = _vault(session)
    rows, files = _verify(session, vault.provider)
    if rows:
        return False
    if files:
        for version in files:
            session.add(KekVersion(version=version, check_value=vault.provider.check_value(version)))
        session.flush()
        log.info("crypto.keyring_registered", extra={"fields": {"versions": ",".join(str(v) for v in files)}})
        return False
    version = vault.provider.add_version()
    session.add(KekVersion(version=version, check_value=vault.provider.check_value(version)))
    session.flush()
    log.info("crypto.keyring_created", extra={"fields": {"version": version}})
    return True


def check_keyring(session: Session) -> bool:
    """Verify the keyring against the database without changing anything.

    True: ready. False: nothing registered yet, run ``init_keyring`` (``haven init``).
    Raises ``KeyringError`` when a key file is missing or wrong, or the tables disagree.
    """
    rows, _files = _verify(session, _vault(session).provider)
    return bool(rows)


def _verify(session: Session, provider: KeyProvider) -> tuple[dict[int, bytes], list[int]]:
    rows = {r.version: r.check_value for r in session.scalars(select(KekVersion))}
    files = provider.versions()
    if not rows and session.scalar(select(MemberKey.owner_id).limit(1)) is not None:
        raise KeyringError(
            "The database holds wrapped data keys but no key-encryption key versions (table kek_versions "
            "is empty): it was restored or migrated incompletely. Restore kek_versions from the same backup "
            "as member_keys; do not run init on it."
        )
    for version, expected in sorted(rows.items()):
        if version not in files:
            raise KeyringError(
                f"Key-encryption key v{version} is registered in the database but {_where(provider, version)} "
                "is missing. Restore it from the keyring backup or point HAVEN_KEYRING_DIR at the right "
                "directory; Haven will not create a new key over existing data."
            )
        if not hmac.compare_digest(provider.check_value(version), expected):
            raise KeyringError(
                f"{_where(provider, version)} is not the key-encryption key v{version} this database was set "
                "up with (its check value differs). Restore the original file or point HAVEN_KEYRING_DIR at "
                "the right keyring."
            )
    return rows, files


def _where(provider: KeyProvider, version: int) -> str:
    path_for = getattr(provider, "path_for", None)
    return str(path_for(version)) if path_for else f"KEK v{version} of {provider!r}"


def _current_kek(session: Session, provider: KeyProvider) -> int:
    version = session.scalar(select(func.max(KekVersion.version)))
    if version is None:
        raise KeyringError("No key-encryption key is registered yet. Run `haven init` first.")
    expected = session.get_one(KekVersion, version).check_value
    if not hmac.compare_digest(provider.check_value(version), expected):
        raise KeyringError(
            f"{_where(provider, version)} is not the key-encryption key v{version} this database was set up with. "
            "Restore the original file."
        )
    return version


# -- data keys -----------------------------------------------------------------------------


def create_data_key(session: Session, *, owner_id: uuid.UUID) -> None:
    """Give a new owner a random 256-bit data key, wrapped under the current KEK. Idempotent."""
    owner = _as_uuid(owner_id)
    if _has_key(session, owner):
        return
    vault = _vault(session)
    if vault.is_shredded(owner):
        raise KeyShredded("This owner was erased; an erased id never receives a new data key.")
    kek_version = _current_kek(session, vault.provider)
    dek = new_data_key()
    wrapped = vault.provider.wrap(kek_version, dek)
    session.add(MemberKey(owner_id=owner, dek_version=1, kek_version=kek_version, wrapped_key=wrapped))
    session.flush()
    _cache(session).put(owner, 1, dek, current=True)


def rotate_kek(session: Session) -> int:
    """Add a KEK version and rewrap every data key under it; returns the new version.

    Ciphertext is not touched. Older KEK files stay in the keyring for unwrapping only. If
    the transaction rolls back, the new key file stays unused and unregistered (harmless).
    """
    vault = _vault(session)
    if not check_keyring(session):
        raise KeyringError("No key-encryption key is registered yet. Run `haven init` before rotating.")
    provider = vault.provider
    new = provider.add_version()
    session.add(KekVersion(version=new, check_value=provider.check_value(new)))
    session.flush()
    count = 0
    for row in session.scalars(select(MemberKey).where(MemberKey.kek_version != new)).all():
        row.wrapped_key = provider.wrap(new, provider.unwrap(row.kek_version, row.wrapped_key))
        row.kek_version = new
        count += 1
    session.flush()
    log.info("crypto.kek_rotated", extra={"fields": {"version": new, "rewrapped": count}})
    return new


def count_data_keys(session: Session, *, kek_version: int | None = None) -> int:
    """How many data keys exist (under one KEK version, if given)."""
    stmt = select(func.count()).select_from(MemberKey)
    if kek_version is not None:
        stmt = stmt.where(MemberKey.kek_version == kek_version)
    return session.scalar(stmt) or 0


# -- sealing -------------------------------------------------------------------------------


def seal(session: Session, *, owner_id: uuid.UUID, table: str, column: str, row_id: object, plaintext: str) -> bytes:
    """Encrypt ``plaintext`` with the owner's data key, bound to (table, column, row_id, owner)."""
    if not isinstance(plaintext, str):
        raise TypeError("seal() takes text; use seal_optional() for a value that may be None")
    owner = _as_uuid(owner_id)
    found = _data_key(session, owner, None)
    if found is None:
        if _vault(session).is_shredded(owner):
            raise KeyShredded("This owner was erased; nothing more can be stored for them.")
        raise SealError("This owner has no data key. Call create_data_key() when the owner is created.")
    version, dek = found
    aad = aad_for(table=table, column=column, row_id=_canon(row_id), owner_id=owner)
    return seal_bytes(dek, dek_version=version, aad_fields=aad, plaintext=plaintext.encode("utf-8"))


def open_sealed(session: Session, *, owner_id: uuid.UUID, table: str, column: str, row_id: object, blob: bytes) -> str:
    """Decrypt a value sealed by ``seal`` for exactly this place; ``SealError`` otherwise.

    ``KeyShredded`` when the owner has no data key left: a value exists, so the key did.
    """
    owner = _as_uuid(owner_id)
    version = blob_dek_version(blob)
    found = _data_key(session, owner, version)
    if found is None:
        if _has_key(session, owner):
            raise SealError(f"This owner has no data key version {version}.")
        raise KeyShredded("This owner's data key has been destroyed (erasure); the value cannot be read.")
    aad = aad_for(table=table, column=column, row_id=_canon(row_id), owner_id=owner)
    plaintext = open_bytes(found[1], dek_version=version, aad_fields=aad, blob=bytes(blob))
    try:
        return plaintext.decode("utf-8")
    except UnicodeDecodeError:
        raise SealError("The sealed value is not UTF-8 text.") from None


def seal_optional(
    session: Session, *, owner_id: uuid.UUID, table: str, column: str, row_id: object, plaintext: str | None
) -> bytes | None:
    if plaintext is None:
        return None
    return seal(session, owner_id=owner_id, table=table, column=column, row_id=row_id, plaintext=plaintext)


def open_optional(
    session: Session, *, owner_id: uuid.UUID, table: str, column: str, row_id: object, blob: bytes | None
) -> str | None:
    if blob is None:
        return None
    return open_sealed(session, owner_id=owner_id, table=table, column=column, row_id=row_id, blob=blob)


# -- shredding -----------------------------------------------------------------------------


def shred(session: Session, *, owner_id: uuid.UUID, reason: str = "erasure") -> int:
    """Destroy the owner's data keys (crypto-shredding); returns how many were deleted.

    The ledger line is written and fsynced first: if the transaction then fails, the next
    replay still erases the owner, which is what was asked for. ``reason`` is a short code
    (``[a-z0-9_.-]``), never free text, so the ledger holds no personal data.
    """
    owner = _as_uuid(owner_id)
    if not isinstance(reason, str) or not _REASON_RE.fullmatch(reason):
        raise ValueError("reason must be a short code of a-z, 0-9, '_', '.', '-' (at most 64)")
    _vault(session).record_shred(owner, reason)
    removed = session.execute(delete(MemberKey).where(MemberKey.owner_id == owner)).rowcount
    _cache(session).drop(owner)
    log.info("crypto.shredded", extra={"fields": {"owner_id": owner, "keys": removed, "reason": reason}})
    return removed


def replay_shred_ledger(session: Session) -> int:
    """Delete the data keys of every owner in the ledger (after restoring a backup); returns how many."""
    owners = sorted(_vault(session).shredded_owners())
    removed = 0
    for start in range(0, len(owners), _DELETE_BATCH):
        chunk = owners[start : start + _DELETE_BATCH]
        removed += session.execute(delete(MemberKey).where(MemberKey.owner_id.in_(chunk))).rowcount
    _cache(session).clear()
    log.info("crypto.ledger_replayed", extra={"fields": {"owners": len(owners), "keys_removed": removed}})
    return removed


def is_shredded(session: Session, *, owner_id: uuid.UUID) -> bool:
    """Whether the shred ledger lists this owner."""
    return _vault(session).is_shredded(owner_id)


# -- helpers -------------------------------------------------------------------------------


@dataclass
class _DekCache:
    keys: dict[tuple[uuid.UUID, int], bytes] = field(default_factory=dict)
    current: dict[uuid.UUID, int] = field(default_factory=dict)

    def put(self, owner: uuid.UUID, version: int, dek: bytes, *, current: bool) -> None:
        self.keys[(owner, version)] = dek
        if current:
            self.current[owner] = version

    def drop(self, owner: uuid.UUID) -> None:
        self.current.pop(owner, None)
        for key in [k for k in self.keys if k[0] == owner]:
            del self.keys[key]

    def clear(self) -> None:
        self.keys.clear()
        self.current.clear()


def _cache(session: Session) -> _DekCache:
    cache = session.info.get(_CACHE)
    if cache is None:
        cache = session.info[_CACHE] = _DekCache()
        # A key created in a transaction that rolled back must not be used afterwards.
        event.listen(session, "after_rollback", lambda _s: cache.clear())
    return cache


def _data_key(session: Session, owner: uuid.UUID, version: int | None) -> tuple[int, bytes] | None:
    cache = _cache(session)
    wanted = cache.current.get(owner) if version is None else version
    if wanted is not None and (owner, wanted) in cache.keys:
        return wanted, cache.keys[(owner, wanted)]
    stmt = select(MemberKey.dek_version, MemberKey.kek_version, MemberKey.wrapped_key).where(
        MemberKey.owner_id == owner
    )
    if version is None:
        stmt = stmt.order_by(MemberKey.dek_version.desc()).limit(1)
    else:
        stmt = stmt.where(MemberKey.dek_version == version)
    row = session.execute(stmt).first()
    if row is None:
        return None
    dek = _vault(session).provider.unwrap(row.kek_version, row.wrapped_key)
    cache.put(owner, row.dek_version, dek, current=version is None)
    return row.dek_version, dek


def _has_key(session: Session, owner: uuid.UUID) -> bool:
    return session.scalar(select(MemberKey.dek_version).where(MemberKey.owner_id == owner).limit(1)) is not None


def _vault(session: Session) -> Vault:
    vault = session.info.get("vault")
    if not isinstance(vault, Vault):
        raise KeyringError("This session has no vault. Build sessions with haven.runtime.build_runtime().")
    return vault


def _as_uuid(value: uuid.UUID | str) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _canon(row_id: object) -> str:
    """Row ids as canonical text, so a UUID given as upper-case text binds like the UUID itself."""
    if isinstance(row_id, str):
        try:
            return str(uuid.UUID(row_id))
        except ValueError:
            return row_id
    return str(row_id)
