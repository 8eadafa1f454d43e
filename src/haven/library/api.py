"""JSON routes for the library. Public: reading about anxiety should not need an account."""

from __future__ import annotations

from fastapi import APIRouter

from haven.conversation.content import content_version
from haven.library import schemas, service

router = APIRouter(tags=["library"])


def _summary(article: service.Article) -> schemas.ArticleSummary:
    return schemas.ArticleSummary(
        id=article.id, title=article.title, summary=article.summary, topics=list(article.topics), version=article.version
    )


@router.get("/library", response_model=schemas.ArticleList)
def list_articles():
    """Every article in the psychoeducation library, by title."""
    return schemas.ArticleList(content_version=content_version(), articles=[_summary(a) for a in service.articles().values()])


@router.get("/library/{slug}", response_model=schemas.ArticleRead)
def read_article(slug: str):
    """One article, with its body as safe HTML, its sources and its review status; 404 when unknown."""
    article = service.get_or_raise(slug)
    return schemas.ArticleRead(
        id=article.id, title=article.title, version=article.version, summary=article.summary,
        keywords=list(article.keywords), topics=list(article.topics), sources=list(article.sources),
        review=article.review, updated=article.updated, body_html=article.body_html, content_version=content_version(),
    )
