"""HTML pages for the library: the list of articles and each article. Public, like the API."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from haven.deps import OptionalAuth
from haven.library import service
from haven.web.templating import render

router = APIRouter(include_in_schema=False)

TOPIC_NAMES = {
    "anxiety": "Anxiety and worry", "mood": "Mood", "sleep": "Sleep", "work": "Work", "study": "Study",
    "relationships": "Relationships", "family": "Family", "health": "Health", "loneliness": "Loneliness",
    "money": "Money", "grief": "Grief and loss", "self_worth": "How you see yourself",
}


def is_draft(article: service.Article) -> bool:
    return article.review.strip().lower().startswith("draft")


@router.get("/library", response_class=HTMLResponse)
def library(request: Request, auth: OptionalAuth):
    return render(request, "library_index.html", {"articles": list(service.articles().values())})


@router.get("/library/{slug}", response_class=HTMLResponse)
def article(request: Request, slug: str, auth: OptionalAuth):
    item = service.get_or_raise(slug)
    topics = [TOPIC_NAMES.get(t, t) for t in item.topics]
    return render(request, "library_article.html", {"article": item, "draft": is_draft(item), "topics": topics})
