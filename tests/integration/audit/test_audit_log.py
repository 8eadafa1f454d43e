"""Entries commit with their action, verify clean, and each raw-SQL tampering is named."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, func, select, text
from typer.testing import CliRunner

from haven.audit import chain, cli, service
from haven.audit.models import AuditLog
from haven.db.uow import unit_of_work

MEMBER = uuid.UUID("6f1c1f9e-52b6-4c55-9f57-0d6b0f0b7f11")  # the member conftest.append reads
probe_meta = MetaData()
probe = Table("audit_probe", probe_meta, Column("id", Integer, primary_key=True))


def count(factory, model=AuditLog) -> int:
    with factory() as session:
        return session.scalar(select(func.count()).select_from(model))


def run_sql(engine, *statements: str, **params) -> None:
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement), params)


def verified(factory) -> service.VerifyReport:
    with unit_of_work(factory) as session:
        return service.verify(session)


def test_entries_commit_with_the_action(engine, factory) -> None:
    probe_meta.create_all(engine)
    with unit_of_work(factory) as session:
        session.execute(probe.insert().values(id=1))
        service.record(session, actor_role="member", actor_id=MEMBER, action="member.signup", subject_id=MEMBER)
        service.record(session, actor_role="member", actor_id=MEMBER, action="auth.login.success", subject_id=MEMBER)
        session.flush()
        assert session.scalar(select(func.count()).select_from(AuditLog)) == 0  # sealed only at commit
    assert count(factory) == 2 and count(factory, probe) == 1
    with factory() as session:
        assert service.head(session) == (2, session.scalar(select(AuditLog.hash).where(AuditLog.seq == 2)))


def test_rolled_back_unit_of_work_leaves_no_entries(engine, factory) -> None:
    probe_meta.create_all(engine)
    with pytest.raises(LookupError), unit_of_work(factory) as session:
        session.execute(probe.insert().values(id=1))
        service.record(session, actor_role="member", actor_id=MEMBER, action="member.signup")
        raise LookupError
    # The same session reused after an explicit rollback does not carry the entry over.
    with factory() as session:
        service.record(session, actor_role="member", actor_id=MEMBER, action="member.signup")
        session.rollback()
        session.commit()
    assert count(factory) == 0 and count(factory, probe) == 0
    with factory() as session:
        assert service.head(session) is None
    assert verified(factory).ok


def test_rolled_back_savepoint_drops_only_its_entries(factory) -> None:
    with unit_of_work(factory) as session:
        service.record(session, actor_role="system", actor_id=None, action="keys.rotate", object_id="k1")
        nested = session.begin_nested()
        service.record(session, actor_role="system", actor_id=None, action="keys.rotate", object_id="k2")
        nested.rollback()
        with session.begin_nested():
            service.record(session, actor_role="system", actor_id=None, action="keys.rotate", object_id="k3")
    with factory() as session:
        assert session.scalars(select(AuditLog.object_id).order_by(AuditLog.seq)).all() == ["k1", "k3"]


def test_clean_chain_verifies_and_lists_newest_first(factory, append) -> None:
    assert verified(factory).ok  # empty
    append(12)
    report = verified(factory)
    assert report.ok and report.entries_checked == 12 and report.head_seq == 12
    assert report.first_bad_seq is None and report.problem is None
    with factory() as session:
        page = service.list_for_subject(session, subject_id=MEMBER, limit=5)
        assert [e.seq for e in page] == [12, 11, 10, 9, 8]
        assert [e.seq for e in service.list_for_subject(session, subject_id=str(MEMBER), before_seq=3)] == [2, 1]
        assert service.list_for_subject(session, subject_id=uuid.uuid4()) == []
        # What is stored is exactly what was hashed, timestamps included.
        row = session.scalars(select(AuditLog).where(AuditLog.seq == 7)).one()
        assert chain.compute_hash(row.as_record()) == row.hash


def _forge_after_tail(engine, factory) -> None:
    with factory() as session:
        tail = session.scalars(select(AuditLog).order_by(AuditLog.seq.desc()).limit(1)).one()
    forged = chain.seal(
        [{**tail.as_record(), "action": "member.export"}], after_seq=tail.seq, after_hash=tail.hash
    )[0]
    columns = ", ".join(forged)
    run_sql(engine, f"INSERT INTO audit_log ({columns}) VALUES ({', '.join(':' + c for c in forged)})", **forged)


TAMPERING = {
    "edited": (["UPDATE audit_log SET action = 'member.export' WHERE seq = 4"], 4, "edited"),
    "edited_time": (["UPDATE audit_log SET recorded_at = '2020-01-01T00:00:00.000001+00:00' WHERE seq = 1"], 1, "edited"),
    "deleted": (["DELETE FROM audit_log WHERE seq = 5"], 5, "deleted"),
    "deleted_two": (["DELETE FROM audit_log WHERE seq IN (3, 4)"], 3, "deleted"),
    "reordered": (
        [
            "UPDATE audit_log SET seq = -1 WHERE seq = 3",
            "UPDATE audit_log SET seq = 3 WHERE seq = 6",
            "UPDATE audit_log SET seq = 6 WHERE seq = -1",
        ],
        3,
        "reordered",
    ),
    "truncated": (["DELETE FROM audit_log WHERE seq > 6"], 7, "truncated"),
    "emptied": (["DELETE FROM audit_log"], 1, "truncated"),
    "head_mac": (["UPDATE audit_head SET mac = '" + "0" * 64 + "'"], None, "head_invalid"),
    "head_rolled_back": (
        ["DELETE FROM audit_log WHERE seq > 6", "UPDATE audit_head SET seq = 6"],
        None,
        "head_invalid",
    ),
    "head_deleted": (["DELETE FROM audit_head"], None, "head_missing"),
}


@pytest.mark.parametrize("kind", TAMPERING)
def test_raw_sql_tampering_is_named(engine, factory, append, kind: str) -> None:
    append(8)
    statements, seq, problem = TAMPERING[kind]
    run_sql(engine, *statements)
    report = verified(factory)
    assert not report.ok
    assert (report.first_bad_seq, report.problem) == (seq, problem), report.message


def test_forged_row_inserted_after_the_tail(engine, factory, append) -> None:
    append(5)
    _forge_after_tail(engine, factory)
    report = verified(factory)
    assert (report.ok, report.first_bad_seq, report.problem) == (False, 6, "inserted")


def test_truncation_stays_visible_after_more_appends(engine, factory, append) -> None:
    append(6)
    run_sql(engine, "DELETE FROM audit_log WHERE seq > 4")
    append(2, start=6)  # chains after the signed head (6), not the shortened tail (4)
    report = verified(factory)
    assert (report.first_bad_seq, report.problem) == (5, "deleted")


def test_a_head_that_cannot_be_vouched_for_is_reset_in_the_open(engine, factory, append) -> None:
    append(3)
    run_sql(engine, "DELETE FROM audit_head")
    append(1, start=3)
    with factory() as session:
        reset = session.scalars(select(AuditLog).where(AuditLog.seq == 4)).one()
    assert (reset.action, reset.outcome, reset.reason) == (service.RESET_ACTION, "failure", "head_missing")
    report = verified(factory)
    assert report.ok and report.entries_checked == 5 and report.resets == [4]


def test_cli_verify(monkeypatch, engine, factory, settings, append) -> None:
    from haven import runtime

    built = runtime.Runtime(settings=settings, engine=engine, session_factory=factory)
    built.dispose = lambda: None  # the engine fixture disposes it
    monkeypatch.setattr(runtime, "build_runtime", lambda _settings: built)
    monkeypatch.setenv("HAVEN_ENV", "test")
    append(3)
    result = CliRunner().invoke(cli.app, ["verify"])
    with factory() as session:
        head = service.head(session)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"ok: 3 entries, head {head[1]}"
    run_sql(engine, "UPDATE audit_log SET outcome = 'denied' WHERE seq = 2")
    result = CliRunner().invoke(cli.app, ["verify"])
    assert result.exit_code == 1
    assert "entry 2: edited" in result.output


def test_orm_edits_of_entries_are_refused(factory, append) -> None:
    append(1)
    with pytest.raises(RuntimeError, match="append-only"), unit_of_work(factory) as session:
        session.scalars(select(AuditLog)).one().outcome = "denied"
    assert verified(factory).ok
