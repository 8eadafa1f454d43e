"""Public help-line lookup: no account needed to find help."""

from __future__ import annotations

from fastapi import APIRouter, Query
from pydantic import BaseModel

from haven.safety.service import help_lines

router = APIRouter(tags=["safety"])


class HelpLine(BaseModel):
    name: str
    how: str


class HelpOut(BaseModel):
    country: str | None
    emergency: str
    lines: list[HelpLine]


@router.get("/help", response_model=HelpOut)
def help_for_country(country: str | None = Query(None, pattern=r"^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2, e.g. GB")):
    """Crisis help lines for a country, or the international directory when Haven has none for it."""
    return HelpOut(**help_lines(country))
