"""The hash-chained audit log (LG-1, LG-2).

``record()`` stages an entry on the session; the commit hook that ``install()`` adds seals it
into the chain in the same transaction. ``verify()`` (and ``haven audit verify``) names the
first entry that was edited, deleted, inserted, reordered or truncated.
"""

from haven.audit.models import AuditHead, AuditLog
from haven.audit.service import VerifyReport, head, install, list_for_subject, record, verify

__all__ = ["AuditHead", "AuditLog", "VerifyReport", "head", "install", "list_for_subject", "record", "verify"]
