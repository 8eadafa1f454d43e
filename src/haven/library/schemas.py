"""What the library's JSON routes answer."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel


class ArticleSummary(BaseModel):
    id: str
    title: str
    summary: str
    topics: list[str]
    version: int


class ArticleList(BaseModel):
    content_version: str
    articles: list[ArticleSummary]


class ArticleRead(BaseModel):
    id: str
    title: str
    version: int
    summary: str
    keywords: list[str]
    topics: list[str]
    sources: list[str]
    review: str
    updated: dt.date
    body_html: str
    content_version: str
