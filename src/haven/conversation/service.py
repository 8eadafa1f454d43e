"""Conversations: the one entry point pages, the API and ``haven chat`` share.

A member's message, end to end (``post_message``):
1. the conversation is loaded for its owner (404 for anyone else);
2. ``haven.safety`` grades the text before anything else; a protocol answers with fixed text;
3. otherwise ``haven.nlu`` tags intent, emotion and topic, and the dialogue manager replies
   (the library answers questions; an LLM may phrase a listening turn, with consent);
4. every reply passes the safety output screen;
5. both messages and the dialogue state are sealed with the member's key and flushed with
   an audit entry; the request's unit of work commits them together.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from haven import safety
from haven.accounts.models import User
from haven.audit import service as audit
from haven.conversation import content, dialogue, llm
from haven.conversation.models import Conversation, Message
from haven.crypto import service as crypto
from haven.db.base import utcnow
from haven.errors import Invalid, NotFound
from haven.nlu import service as nlu

MAX_TEXT = 4000


@dataclass(frozen=True)
class MessageView:
    seq: int
    author: str
    text: str
    meta: dict
    created_at: datetime


@dataclass(frozen=True)
class TurnResult:
    reply: dialogue.Reply
    safety: safety.RiskAssessment
    member_message: MessageView
    haven_message: MessageView


def create(session: Session, *, member: User) -> Conversation:
    earlier = session.execute(select(func.count()).where(Conversation.member_id == member.id)).scalar_one()
    conversation = Conversation(id=uuid.uuid4(), member_id=member.id)
    state = dialogue.DialogueState(first_conversation=earlier == 0)
    _save_state(session, conversation, state)
    session.add(conversation)
    session.flush()
    audit.record(session, actor_role="member", actor_id=member.id, action="conversation.create",
                 subject_id=member.id, object_type="conversation", object_id=conversation.id)
    return conversation


def list_for_member(session: Session, *, member_id: uuid.UUID) -> list[Conversation]:
    return list(session.execute(
        select(Conversation).where(Conversation.member_id == member_id).order_by(Conversation.updated_at.desc())
    ).scalars())


def get_or_raise(session: Session, *, member_id: uuid.UUID, conversation_id: uuid.UUID) -> Conversation:
    conversation = session.get(Conversation, conversation_id)
    if conversation is None or conversation.member_id != member_id:
        raise NotFound("No such conversation.")
    return conversation


def messages(session: Session, *, member_id: uuid.UUID, conversation_id: uuid.UUID) -> list[MessageView]:
    get_or_raise(session, member_id=member_id, conversation_id=conversation_id)
    rows = session.execute(
        select(Message).where(Message.conversation_id == conversation_id).order_by(Message.seq)
    ).scalars()
    return [_view(session, row) for row in rows]


def clean_text(text: str) -> str:
    """Member text as Haven keeps it: control characters removed, length bounded, never empty."""
    cleaned = "".join(ch for ch in text if ch in "\n\t" or ch.isprintable()).strip()
    if not cleaned:
        raise Invalid("text: write something first.")
    if len(cleaned) > MAX_TEXT:
        raise Invalid(f"text: at most {MAX_TEXT} characters in one message.")
    return cleaned


def post_message(session: Session, *, member: User, conversation_id: uuid.UUID, text: str) -> TurnResult:
    conversation = get_or_raise(session, member_id=member.id, conversation_id=conversation_id)
    text = clean_text(text)
    assessment = safety.assess(text)  # first, before anything else looks at the text
    state = _load_state(session, conversation)
    protocol_text = safety.service.protocol_reply(assessment, member.country)
    understanding = None
    if protocol_text is not None:
        reply = dialogue.Reply(protocol_text, safety.service.PROTOCOL_QUICK_REPLIES.get(assessment.protocol, ()),
                               protocol=assessment.protocol, kind="protocol")
        state.turn += 1
        state.last_reply = reply.text
    else:
        understanding = nlu.understand(text)
        turn = dialogue.Turn(text=text, understanding=understanding, article=_article_for(text, understanding))
        reply = dialogue.respond(state, turn, seed=_seed(conversation.id, state.turn))
        if reply.kind == "listening" and llm.enabled_for(session, member=member):
            reply = llm.rephrase(session, member=member, history=_recent(session, conversation), text=text, reply=reply)
        screened = safety.screen_output(reply.text)
        if screened is None:
            reply = dialogue.Reply(content.dialogue()["listening"]["reflect_generic"][0], kind="screened")
        else:
            reply.text = screened

    member_view = _store(session, conversation, "member", text, {
        "safety": {"level": assessment.level, "severity": assessment.severity, "signals": list(assessment.signals)},
        "understanding": _understanding_meta(understanding),
    })
    haven_view = _store(session, conversation, "haven", reply.text, {
        "quick_replies": list(reply.quick_replies), "exercise": reply.exercise, "protocol": reply.protocol,
        "article": reply.article, "kind": reply.kind,
        "content_version": safety.service.CONTENT_VERSION if reply.protocol else content.content_version(),
    })
    _save_state(session, conversation, state)
    conversation.updated_at = utcnow()
    audit.record(session, actor_role="member", actor_id=member.id, action="conversation.turn",
                 subject_id=member.id, object_type="conversation", object_id=conversation.id)
    session.flush()
    return TurnResult(reply=reply, safety=assessment, member_message=member_view, haven_message=haven_view)


def _article_for(text: str, understanding) -> dict | None:
    if understanding.intent != "question":
        return None
    from haven.library import service as library

    match = library.search(text, topic=understanding.topic)
    if match is None:
        return None
    article = match.article
    return {"id": article.id, "title": article.title, "summary": article.summary, "url": f"/library/{article.id}",
            "version": article.version}


def _understanding_meta(understanding) -> dict | None:
    if understanding is None:
        return None
    return {"intent": understanding.intent, "emotions": [e for e, _ in understanding.emotions],
            "topic": understanding.topic}


def _seed(conversation_id: uuid.UUID, turn: int) -> int:
    return int.from_bytes(hashlib.sha256(f"{conversation_id}:{turn}".encode()).digest()[:8], "big")


def _store(session: Session, conversation: Conversation, author: str, text: str, meta: dict) -> MessageView:
    seq = conversation.message_count + 1
    conversation.message_count = seq
    row = Message(id=uuid.uuid4(), conversation_id=conversation.id, member_id=conversation.member_id, seq=seq, author=author)
    row.body_sealed = crypto.seal(session, owner_id=conversation.member_id, table="messages", column="body",
                                  row_id=row.id, plaintext=json.dumps({"text": text, "meta": meta}))
    row.created_at = utcnow()
    session.add(row)
    return MessageView(seq=seq, author=author, text=text, meta=meta, created_at=row.created_at)


def _view(session: Session, row: Message) -> MessageView:
    body = json.loads(crypto.open_sealed(session, owner_id=row.member_id, table="messages", column="body",
                                         row_id=row.id, blob=row.body_sealed))
    return MessageView(seq=row.seq, author=row.author, text=body["text"], meta=body["meta"], created_at=row.created_at)


def _recent(session: Session, conversation: Conversation, limit: int = 8) -> list[MessageView]:
    rows = session.execute(
        select(Message).where(Message.conversation_id == conversation.id).order_by(Message.seq.desc()).limit(limit)
    ).scalars()
    return [_view(session, row) for row in reversed(list(rows))]


def _load_state(session: Session, conversation: Conversation) -> dialogue.DialogueState:
    raw = crypto.open_sealed(session, owner_id=conversation.member_id, table="conversations", column="state",
                             row_id=conversation.id, blob=conversation.state_sealed)
    return dialogue.DialogueState.from_dict(json.loads(raw))


def _save_state(session: Session, conversation: Conversation, state: dialogue.DialogueState) -> None:
    conversation.state_sealed = crypto.seal(session, owner_id=conversation.member_id, table="conversations",
                                            column="state", row_id=conversation.id, plaintext=json.dumps(state.to_dict()))
