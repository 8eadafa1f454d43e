"""Consent request and response bodies."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class ConsentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    purpose: str = Field(max_length=40)
    granted: bool


class ConsentPurposeOut(BaseModel):
    purpose: str
    granted: bool
    description: str
    text_version: int


class ConsentHistoryEntry(BaseModel):
    purpose: str
    granted: bool
    text_version: int
    recorded_at: datetime


class ConsentsOut(BaseModel):
    consents: list[ConsentPurposeOut]
    history: list[ConsentHistoryEntry]
