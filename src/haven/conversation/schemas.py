"""Conversation request and response bodies."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class MessageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(max_length=4000, description="What the member writes (1–4000 characters).")


class CreatedOut(BaseModel):
    id: uuid.UUID


class ConversationOut(BaseModel):
    id: uuid.UUID
    created_at: datetime
    updated_at: datetime
    message_count: int


class ConversationsOut(BaseModel):
    conversations: list[ConversationOut]


class ExerciseStep(BaseModel):
    id: str
    step: int
    of: int


class ArticleLink(BaseModel):
    id: str
    title: str
    url: str


class ReplyOut(BaseModel):
    text: str
    quick_replies: list[str]
    exercise: ExerciseStep | None
    article: ArticleLink | None = None


class SafetyOut(BaseModel):
    level: str = Field(description="none, low, moderate, high or imminent")
    protocol: str | None = Field(description="The fixed protocol that answered (crisis, safety_check, worried_other), or null.")


class TurnOut(BaseModel):
    reply: ReplyOut
    safety: SafetyOut


class MessageOut(BaseModel):
    seq: int
    author: str
    text: str
    created_at: datetime
    quick_replies: list[str] = []
    exercise: ExerciseStep | None = None
    article: ArticleLink | None = None
    protocol: str | None = None


class MessagesOut(BaseModel):
    messages: list[MessageOut]
