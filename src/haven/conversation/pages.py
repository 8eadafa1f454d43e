"""Chat pages: plain form posts work everywhere; chat.js adds replies without reloads when it can."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from haven.conversation import service
from haven.conversation.api import message_out
from haven.deps import DbSession, OptionalAuth, check_csrf
from haven.errors import HavenError, NotFound
from haven.web.templating import render

router = APIRouter(include_in_schema=False)


def _member(auth):
    if auth is None:
        return None
    if auth.role != "member":
        raise NotFound()
    return auth.user


@router.get("/chat", response_class=HTMLResponse)
def chats(request: Request, db: DbSession, auth: OptionalAuth):
    member = _member(auth)
    if member is None:
        return RedirectResponse("/login", status_code=303)
    return render(request, "chats.html", {"conversations": service.list_for_member(db, member_id=member.id)})


@router.post("/chat")
def start(request: Request, db: DbSession, auth: OptionalAuth, csrf_token: Annotated[str, Form(max_length=200)]):
    check_csrf(request, csrf_token)
    member = _member(auth)
    if member is None:
        return RedirectResponse("/login", status_code=303)
    conversation = service.create(db, member=member)
    return RedirectResponse(f"/chat/{conversation.id}", status_code=303)


def _chat_page(request: Request, db, member, conversation_id: uuid.UUID, *, error: str | None = None, status_code: int = 200):
    views = [message_out(v) for v in service.messages(db, member_id=member.id, conversation_id=conversation_id)]
    last = next((m for m in reversed(views) if m.author == "haven"), None)
    return render(request, "chat.html", {
        "conversation_id": conversation_id, "messages": views, "error": error,
        "quick_replies": last.quick_replies if last else [],
    }, status_code=status_code)


@router.get("/chat/{conversation_id}", response_class=HTMLResponse)
def chat(conversation_id: uuid.UUID, request: Request, db: DbSession, auth: OptionalAuth):
    member = _member(auth)
    if member is None:
        return RedirectResponse("/login", status_code=303)
    return _chat_page(request, db, member, conversation_id)


@router.post("/chat/{conversation_id}", response_class=HTMLResponse)
def send(
    conversation_id: uuid.UUID, request: Request, db: DbSession, auth: OptionalAuth,
    csrf_token: Annotated[str, Form(max_length=200)],
    text: Annotated[str, Form(max_length=4000)] = "",
    quick: Annotated[str, Form(max_length=200)] = "",
):
    check_csrf(request, csrf_token)
    member = _member(auth)
    if member is None:
        return RedirectResponse("/login", status_code=303)
    try:
        service.post_message(db, member=member, conversation_id=conversation_id, text=quick or text)
    except HavenError as error:
        if error.status == 404:
            raise
        db.rollback()
        message = error.message.partition(": ")[2] or error.message
        return _chat_page(request, db, member, conversation_id, error=message[:1].upper() + message[1:], status_code=error.status)
    return RedirectResponse(f"/chat/{conversation_id}#latest", status_code=303)
