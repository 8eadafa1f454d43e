"""The optional LLM: it may phrase a listening turn, and nothing else.

Guardrails, in order: off unless the operator set ``HAVEN_LLM_BASE_URL`` *and* the member
consented (``llm_processing``); a daily quota per member; identifiers scrubbed from every
message that leaves; only this conversation's recent turns are sent; the system prompt holds
no secrets; a timeout (2 s by default); the answer passes the safety output screen in the
caller; any error, refusal or empty answer falls back to the template reply. Crisis and
every other protocol are answered before this module is reached, so they are never generated.
Each request is audited (ids only), which is also how the quota is counted.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from haven.accounts.models import User
from haven.audit import service as audit
from haven.audit.models import AuditLog
from haven.db.base import utcnow
from haven.nlu.pii import scrub
from haven.privacy import service as privacy

log = logging.getLogger(__name__)

SYSTEM_PROMPT = (
    "You help phrase replies for Haven, a self-help support service. You are not a person, a therapist "
    "or a doctor, and you never say you are. Rewrite the draft reply below in warm, plain words: reflect "
    "what the person feels in one or two short sentences, then ask exactly one open question. Do not give "
    "advice, diagnoses, medication or diet information, links, or instructions of any kind. Reply with the "
    "rewritten text only."
)
REFUSALS = ("i can't", "i cannot", "i'm sorry, but", "as an ai", "i am unable")


def enabled_for(session: Session, *, member: User) -> bool:
    settings = session.info["settings"]
    return bool(settings.llm_base_url) and privacy.has(session, member_id=member.id, purpose="llm_processing")


def _under_quota(session: Session, member: User) -> bool:
    settings = session.info["settings"]
    since = (utcnow() - timedelta(days=1)).isoformat()
    used = session.execute(
        select(func.count()).select_from(AuditLog).where(
            AuditLog.subject_id == str(member.id), AuditLog.action == "llm.request", AuditLog.recorded_at > since
        )
    ).scalar_one()
    return used < settings.llm_daily_quota


def _client(session: Session) -> httpx.Client:
    """The seam: tests put an ``httpx.MockTransport`` in ``session.info['llm_transport']``."""
    settings = session.info["settings"]
    headers = {"Authorization": f"Bearer {settings.llm_api_key.get_secret_value()}"} if settings.llm_api_key else {}
    return httpx.Client(base_url=settings.llm_base_url.rstrip("/") + "/", timeout=settings.llm_timeout_seconds,
                        headers=headers, transport=session.info.get("llm_transport"))


def build_messages(history, text: str, draft: str) -> list[dict]:
    """Only this conversation's recent turns, each scrubbed of identifiers."""
    messages = [{"role": "system", "content": SYSTEM_PROMPT}]
    for message in history[-6:]:
        messages.append({"role": "user" if message.author == "member" else "assistant", "content": scrub(message.text)})
    messages.append({"role": "user", "content": scrub(text)})
    messages.append({"role": "system", "content": f"Draft reply to rewrite: {draft}"})
    return messages


def rephrase(session: Session, *, member: User, history, text: str, reply):
    """The reply with its text phrased by the LLM, or unchanged on any problem."""
    if not _under_quota(session, member):
        return reply
    settings = session.info["settings"]
    audit.record(session, actor_role="system", actor_id=None, action="llm.request", subject_id=member.id,
                 object_type="llm", object_id=None)
    try:
        with _client(session) as client:
            response = client.post("chat/completions", json={
                "model": settings.llm_model, "messages": build_messages(history, text, reply.text),
                "max_tokens": 120, "temperature": 0.7,
            })
            response.raise_for_status()
            answer = response.json()["choices"][0]["message"]["content"]
    except (httpx.HTTPError, KeyError, IndexError, TypeError, ValueError) as exc:
        log.warning("llm.fallback", extra={"fields": {"reason": type(exc).__name__}})
        return reply
    answer = (answer or "").strip()
    # A listening line has no markup, code, tool calls or addresses: anything like that is not used.
    if not answer or len(answer) > 800 or answer.lower().startswith(REFUSALS) or any(c in answer for c in "{}<>[]`"):
        log.info("llm.fallback", extra={"fields": {"reason": "unusable_answer"}})
        return reply
    reply.text = answer
    reply.kind = "listening_llm"
    return reply
