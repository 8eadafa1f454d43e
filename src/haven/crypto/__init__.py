"""Application-level encryption: KEK keyring, per-owner data keys, sealed values, crypto-shredding.

Other packages call ``haven.crypto.service``; this module re-exports only the errors and types.

    SealError            a sealed value cannot be opened (fails closed)
     └── KeyShredded     the owner's data key was destroyed by erasure
    KeyringError         key files missing, wrong, or inconsistent with the database
"""

from haven.crypto.keyring import FileKeyProvider, KeyProvider, KeyringError
from haven.crypto.sealing import KeyShredded, SealError

__all__ = ["FileKeyProvider", "KeyProvider", "KeyShredded", "KeyringError", "SealError"]
