"""Conversation routes. Thin: each calls one service function."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from starlette import status

from haven.conversation import schemas, service
from haven.deps import CurrentMember, DbSession

router = APIRouter(tags=["conversations"])


def message_out(view: service.MessageView) -> schemas.MessageOut:
    meta = view.meta if view.author == "haven" else {}
    return schemas.MessageOut(
        seq=view.seq, author=view.author, text=view.text, created_at=view.created_at,
        quick_replies=meta.get("quick_replies") or [], exercise=meta.get("exercise"),
        article=meta.get("article"), protocol=meta.get("protocol"),
    )


def turn_out(result: service.TurnResult) -> schemas.TurnOut:
    reply = result.reply
    return schemas.TurnOut(
        reply=schemas.ReplyOut(text=reply.text, quick_replies=list(reply.quick_replies), exercise=reply.exercise,
                               article=reply.article),
        safety=schemas.SafetyOut(level=result.safety.level, protocol=reply.protocol),
    )


@router.post("/conversations", status_code=status.HTTP_201_CREATED, response_model=schemas.CreatedOut)
def create(me: CurrentMember, db: DbSession):
    """Start a conversation."""
    return schemas.CreatedOut(id=service.create(db, member=me.user).id)


@router.get("/conversations", response_model=schemas.ConversationsOut)
def list_conversations(me: CurrentMember, db: DbSession):
    """The member's own conversations, most recent first."""
    return schemas.ConversationsOut(conversations=[
        schemas.ConversationOut(id=c.id, created_at=c.created_at, updated_at=c.updated_at, message_count=c.message_count)
        for c in service.list_for_member(db, member_id=me.user.id)
    ])


@router.get("/conversations/{conversation_id}/messages", response_model=schemas.MessagesOut)
def list_messages(conversation_id: uuid.UUID, me: CurrentMember, db: DbSession):
    """Every message of one conversation; 404 for anyone but its owner."""
    views = service.messages(db, member_id=me.user.id, conversation_id=conversation_id)
    return schemas.MessagesOut(messages=[message_out(v) for v in views])


@router.post("/conversations/{conversation_id}/messages", response_model=schemas.TurnOut)
def post_message(conversation_id: uuid.UUID, body: schemas.MessageIn, me: CurrentMember, db: DbSession):
    """Send a message and get Haven's reply. The safety gate reads it first; `safety.protocol` names a fixed answer."""
    return turn_out(service.post_message(db, member=me.user, conversation_id=conversation_id, text=body.text))
