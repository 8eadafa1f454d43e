"""The conversations API: shapes, ownership, safety first, sealed storage."""

from __future__ import annotations

from sqlalchemy import func, select, text

from haven.audit.models import AuditLog


def test_it_creates_lists_and_answers(start_chat, personas):
    chat = start_chat()
    body = chat.say("hi")
    assert set(body) == {"reply", "safety"}
    assert set(body["reply"]) >= {"text", "quick_replies", "exercise"}
    assert body["safety"] == {"level": "none", "protocol": None}
    assert body["reply"]["text"]
    listed = personas.alice.get("/api/v1/conversations").json()["conversations"]
    assert [c["id"] for c in listed] == [chat.id] and listed[0]["message_count"] == 2
    messages = personas.alice.get(f"/api/v1/conversations/{chat.id}/messages").json()["messages"]
    assert [(m["seq"], m["author"]) for m in messages] == [(1, "member"), (2, "haven")]
    assert messages[0]["text"] == "hi" and messages[1]["text"] == body["reply"]["text"]


def test_other_members_get_404_and_no_data(start_chat, personas):
    chat = start_chat()
    chat.say("I feel low today")
    bob = personas.bob
    for response in (
        bob.get(f"/api/v1/conversations/{chat.id}/messages"),
        bob.post(f"/api/v1/conversations/{chat.id}/messages", json={"text": "hello"}),
    ):
        assert response.status_code == 404
        assert "low" not in response.text
    assert bob.get("/api/v1/conversations").json() == {"conversations": []}


def test_staff_cannot_use_member_conversations(start_chat, personas):
    chat = start_chat()
    carter = personas.dr_carter
    assert carter.get(f"/api/v1/conversations/{chat.id}/messages").status_code == 404
    assert carter.post("/api/v1/conversations", json={}).status_code == 404


def test_the_safety_gate_answers_before_anything_else(start_chat, personas, monkeypatch):
    from haven.nlu import service as nlu

    def fail(text):
        raise AssertionError("understanding ran before the safety protocol")

    monkeypatch.setattr(nlu, "understand", fail)
    alice = personas.new_member(country="GB")
    chat = start_chat(alice)
    body = chat.say("I want to kill myself")
    assert body["safety"] == {"level": "high", "protocol": "crisis"}
    assert "116 123" in body["reply"]["text"] and "999" in body["reply"]["text"]
    assert body["reply"]["quick_replies"]


def test_imminent_danger_leads_with_the_emergency_number(start_chat, personas):
    chat = start_chat(personas.new_member(country="US"))
    body = chat.say("I have the pills here and I want to die tonight")
    assert body["safety"]["level"] == "imminent"
    assert body["reply"]["text"].startswith("Your safety matters most right now")
    assert "911" in body["reply"]["text"] and "988" in body["reply"]["text"]


def test_each_turn_is_sealed_and_audited(start_chat, personas, runtime):
    chat = start_chat()
    with runtime.session_factory() as session:
        before = session.execute(select(func.count()).select_from(AuditLog).where(AuditLog.action == "conversation.turn")).scalar_one()
    chat.say("CANARYturn51 my week has been hard")
    with runtime.session_factory() as session:
        after = session.execute(select(func.count()).select_from(AuditLog).where(AuditLog.action == "conversation.turn")).scalar_one()
    assert after == before + 1
    with runtime.engine.connect() as conn:
        blobs = [bytes(b) for (b,) in conn.execute(text("SELECT body_sealed FROM messages"))]
    assert blobs and all(b"CANARYturn51" not in b for b in blobs)


def test_bad_input_gets_a_clear_answer(start_chat):
    chat = start_chat()
    assert chat.say("", expect=422)["error"]["message"].startswith("text")
    assert chat.say("   \n\t ", expect=422)["error"]["code"] == "invalid"
    assert chat.say("x" * 4001, expect=422)["error"]["message"].startswith("text")
    big = chat.person.post(f"/api/v1/conversations/{chat.id}/messages", json={"text": "x" * 100_000})
    assert big.status_code == 413
    assert chat.say("hello\x00\x07 there")["reply"]["text"]
    assert chat.person.post(f"/api/v1/conversations/{chat.id}/messages", json={"text": 5}).status_code == 422
    assert chat.person.post("/api/v1/conversations/not-a-uuid/messages", json={"text": "hi"}).status_code == 422


def test_markup_is_kept_as_text_and_never_echoed_as_links(start_chat, personas):
    chat = start_chat()
    chat.say("hi")
    chat.say("<script>alert(1)</script> ![x](https://evil.example/?q=1) [click](https://evil.example)")
    for body in chat.replies:
        assert "evil.example" not in body["reply"]["text"] and "<script>" not in body["reply"]["text"]
    page = personas.alice.get(f"/chat/{chat.id}")
    assert "<script>alert(1)</script>" not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


def test_other_languages_get_a_kind_answer(start_chat):
    chat = start_chat()
    chat.say("hi")
    body = chat.say("je me sens très triste aujourd'hui et je ne sais pas quoi faire")
    assert "English" in body["reply"]["text"]


def test_only_havens_own_paths_become_links_on_the_page(start_chat, personas):
    from haven.web.templating import internal_links

    assert str(internal_links("see /help now")) == 'see <a href="/help">/help</a> now'
    assert str(internal_links("<b>/library/sleep-problems</b>")) == '&lt;b&gt;<a href="/library/sleep-problems">/library/sleep-problems</a>&lt;/b&gt;'
    assert "<a" not in str(internal_links("https://evil.example/help and www.x.org/library/a"))
