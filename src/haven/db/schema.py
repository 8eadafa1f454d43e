"""The full schema: every domain's tables registered on one metadata, and the setup paths that use it."""

from __future__ import annotations

from sqlalchemy import MetaData

from haven.db.base import Base


def metadata() -> MetaData:
    """Import every domain's models so that their tables are on Base.metadata."""
    import haven.accounts.models  # noqa: F401
    import haven.audit.models  # noqa: F401
    import haven.conversation.models  # noqa: F401
    import haven.crypto.models  # noqa: F401
    import haven.privacy.models  # noqa: F401

    return Base.metadata


def create_all(runtime) -> None:
    """Tests only: build the schema straight from the models (a test checks it equals the migrations)."""
    from haven.crypto import service as crypto

    from alembic import command

    from haven.db.migrate import alembic_config

    metadata().create_all(runtime.engine)
    command.stamp(alembic_config(runtime.engine), "head")
    with runtime.unit_of_work() as session:
        crypto.init_keyring(session)
