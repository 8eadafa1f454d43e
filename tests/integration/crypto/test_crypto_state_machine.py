"""CR-4/CR-5 as a state machine: members, writes, KEK rotations and erasures in any order.

Invariant: every surviving owner's values open to what was written; every erased owner's
values raise KeyShredded. Runs on a fresh temporary SQLite database per example.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, rule, run_state_machine_as_test
from sqlalchemy import select

from haven.config import Settings
from haven.crypto import KeyShredded
from haven.crypto import service as crypto
from haven.crypto.models import MemberKey

PLACE = {"table": "notes", "column": "body"}


class KeyringMachine(RuleBasedStateMachine):
    make_runtime = None  # set by the test: (Settings) -> Runtime
    base_dir: Path | None = None

    owners = Bundle("owners")

    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(dir=self.base_dir))
        self.rt = type(self).make_runtime(Settings(env="test", data_dir=self.dir / "var"))
        with self.rt.unit_of_work() as s:
            crypto.init_keyring(s)
        self.kek = 1
        self.shredded: set[uuid.UUID] = set()
        self.written: dict[tuple[uuid.UUID, uuid.UUID], tuple[str, bytes]] = {}

    def teardown(self) -> None:
        try:
            self.read_all()
        finally:
            self.rt.dispose()
            shutil.rmtree(self.dir, ignore_errors=True)

    @rule(target=owners)
    def create_member(self) -> uuid.UUID:
        owner = uuid.uuid4()
        with self.rt.unit_of_work() as s:
            crypto.create_data_key(s, owner_id=owner)
        return owner

    @rule(owner=owners, text=st.text(max_size=40), overwrite=st.booleans())
    def write(self, owner: uuid.UUID, text: str, overwrite: bool) -> None:
        mine = [row for (o, row) in self.written if o == owner]
        row = mine[0] if overwrite and mine else uuid.uuid4()
        with self.rt.unit_of_work() as s:
            if owner in self.shredded:
                with pytest.raises(KeyShredded):
                    crypto.seal(s, owner_id=owner, row_id=row, plaintext=text, **PLACE)
                return
            blob = crypto.seal(s, owner_id=owner, row_id=row, plaintext=text, **PLACE)
        self.written[(owner, row)] = (text, blob)

    @rule()
    def rotate(self) -> None:
        with self.rt.unit_of_work() as s:
            self.kek = crypto.rotate_kek(s)
        with self.rt.unit_of_work() as s:
            assert set(s.scalars(select(MemberKey.kek_version))) <= {self.kek}

    @rule(owner=owners)
    def shred(self, owner: uuid.UUID) -> None:
        with self.rt.unit_of_work() as s:
            crypto.shred(s, owner_id=owner)
        self.shredded.add(owner)

    @rule()
    def read_all(self) -> None:
        with self.rt.unit_of_work() as s:
            for (owner, row), (text, blob) in self.written.items():
                if owner in self.shredded:
                    with pytest.raises(KeyShredded):
                        crypto.open_sealed(s, owner_id=owner, row_id=row, blob=blob, **PLACE)
                else:
                    assert crypto.open_sealed(s, owner_id=owner, row_id=row, blob=blob, **PLACE) == text


def test_keyring_state_machine(tmp_path, crypto_runtime_factory):
    KeyringMachine.make_runtime = staticmethod(crypto_runtime_factory)
    KeyringMachine.base_dir = tmp_path
    run_state_machine_as_test(
        KeyringMachine,
        settings=hsettings(
            max_examples=30, stateful_step_count=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
        ),
    )
