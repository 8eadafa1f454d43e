"""The psychoeducation library: short articles from ``haven/content/articles/*.md``, and search over them.

    articles()            -> {id: Article}       cached; raises ValueError if the content is invalid
    get_or_raise(slug)    -> Article             NotFound for an unknown slug
    search(text, topic=)  -> Match | None        BM25 with a floor, so unrelated text finds nothing
    validate()            -> [problem, ...]      empty when all is well

Each article is YAML front matter and a small Markdown body. The body is rendered here by
a deliberately tiny renderer: paragraphs, ``##``/``###`` headings, ``-`` and ``1.`` lists and
``**bold**``. Everything else is escaped. The only links are to Haven's own pages, written
as bare paths in the text: ``/help`` and ``/library/<slug>``.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from haven.conversation.content import TOPICS, banned_phrase
from haven.errors import NotFound

PACKAGE = "haven.content"
FIELDS = ("id", "title", "version", "summary", "keywords", "topics", "sources", "review", "updated")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MIN_WORDS, MAX_WORDS = 150, 350


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    version: int
    summary: str
    keywords: tuple[str, ...]
    topics: tuple[str, ...]
    sources: tuple[str, ...]
    review: str
    updated: dt.date
    body_html: str
    body_text: str  # the Markdown source, for search


@dataclass(frozen=True)
class Match:
    article: Article
    score: float


# --- Loading ----------------------------------------------------------------------------------


def _files() -> list[tuple[str, str]]:
    folder = resources.files(PACKAGE).joinpath("articles")
    entries = sorted((p for p in folder.iterdir() if p.name.endswith(".md")), key=lambda p: p.name)
    return [(p.name[: -len(".md")], p.read_text(encoding="utf-8")) for p in entries]


def _split(text: str) -> tuple[dict, str]:
    """Front matter and body; ValueError when the file does not start with a front matter block."""
    if not text.startswith("---\n") or "\n---\n" not in text[3:]:
        raise ValueError("must start with a YAML front matter block between --- lines")
    head, body = text[4:].split("\n---\n", 1)
    meta = yaml.safe_load(head)
    if not isinstance(meta, dict):
        raise ValueError("front matter must be a mapping")
    return meta, body.strip()


@cache
def articles() -> dict[str, Article]:
    """Every article, by id, sorted by title."""
    problems = validate()
    if problems:
        raise ValueError("Haven's library does not validate:\n- " + "\n- ".join(problems))
    parsed = [_split(text) for _, text in _files()]
    titles = {meta["id"]: meta["title"] for meta, _ in parsed}
    built = [
        Article(
            id=meta["id"], title=meta["title"], version=meta["version"], summary=meta["summary"].strip(),
            keywords=tuple(meta["keywords"]), topics=tuple(meta["topics"]), sources=tuple(meta["sources"]),
            review=meta["review"], updated=meta["updated"], body_html=render_markdown(body, titles), body_text=body,
        )
        for meta, body in parsed
    ]
    return {a.id: a for a in sorted(built, key=lambda a: a.title.lower())}


def get_or_raise(slug: str) -> Article:
    article = articles().get(slug)
    if article is None:
        raise NotFound("There is no article with that name in Haven's library.")
    return article


# --- Rendering --------------------------------------------------------------------------------

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_INTERNAL = re.compile(r"(?<![\w/.-])/(help|library/[a-z0-9]+(?:-[a-z0-9]+)*)(?![\w/-])")
_ORDERED = re.compile(r"^\d{1,2}\. ")


def _inline(text: str, titles: dict[str, str]) -> str:
    escaped = html.escape(text, quote=True)
    escaped = _BOLD.sub(r"<strong>\1</strong>", escaped)

    def link(match: re.Match) -> str:
        path = match.group(1)
        if path == "help":
            return '<a href="/help">/help</a>'
        slug = path.split("/", 1)[1]
        return f'<a href="/library/{slug}">{html.escape(titles.get(slug, slug))}</a>'

    return _INTERNAL.sub(link, escaped)


def render_markdown(source: str, titles: dict[str, str] | None = None) -> str:
    """Safe HTML for the small Markdown subset articles use; anything else is shown as text."""
    titles = titles or {}
    out: list[str] = []
    for block in re.split(r"\n\s*\n", source.strip()):
        lines = [line.rstrip() for line in block.strip().splitlines()]
        if not lines:
            continue
        first = lines[0]
        if first.startswith("### ") and len(lines) == 1:
            out.append(f"<h3>{_inline(first[4:].strip(), titles)}</h3>")
        elif first.startswith("## ") and len(lines) == 1:
            out.append(f"<h2>{_inline(first[3:].strip(), titles)}</h2>")
        elif first.startswith("- ") or _ORDERED.match(first):
            ordered = not first.startswith("- ")
            items: list[str] = []
            for line in lines:
                if line.startswith("- ") and not ordered:
                    items.append(line[2:].strip())
                elif ordered and _ORDERED.match(line):
                    items.append(line.split(". ", 1)[1].strip())
                else:  # a wrapped item continues the one before
                    items[-1] += " " + line.strip()
            tag = "ol" if ordered else "ul"
            out.append(f"<{tag}>" + "".join(f"<li>{_inline(item, titles)}</li>" for item in items) + f"</{tag}>")
        else:
            out.append(f"<p>{_inline(' '.join(line.strip() for line in lines), titles)}</p>")
    return "\n".join(out)


# --- Search -----------------------------------------------------------------------------------

STOPWORDS = frozenset("""
a about above after again against all am an and any are aren as at be because been before being below
between both but by can cannot could couldn did didn do does doesn doing don down during each few for
from further had hadn has hasn have haven having he her here hers herself him himself his how i if in
into is isn it its itself just let me more most my myself no nor not now of off on once only or other
ought our ours ourselves out over own same shan she should shouldn so some such t than that the their
theirs them themselves then there these they this those through to too under until up very was wasn we
were weren what when where which while who whom why will with won would wouldn you your yours yourself
yourselves s d ll m re ve y also get gets got getting really thing things something anything everything
much many lot lots way ways make makes made go goes going went gone keep keeps kept still even ever
always never every know knows think thought want wants like feel feels felt bit quite please tell
someone anyone people person day days time today tonight happen happens happened see seeing saw
""".split())
ALIASES = {
    "anxious": "anxiety", "depressed": "depression",
    "depressing": "depression", "depress": "depression", "angry": "anger", "grieve": "grief",
    "grieving": "grief", "bereaved": "bereavement", "panicky": "panic", "panicking": "panic", "panick": "panic",
    "asleep": "sleep", "slept": "sleep", "sleepy": "sleep", "sleepless": "sleep", "stressful": "stress",
    "lonely": "lonely", "therapist": "therapy", "therapies": "therapy", "counsellor": "counselling",
    "counselor": "counselling", "counseling": "counselling", "doctor": "gp", "doctors": "gp",
    "exams": "exam", "drinking": "drink", "drunk": "drink",
    "suicidal": "suicide", "jobs": "work", "job": "work",
}
FIELD_WEIGHTS = {"title": 3.0, "keywords": 3.0, "summary": 2.0, "body": 1.0}
K1, B = 1.2, 0.75
# An article matches only if a word of its title, or a whole keyword phrase, is in the query:
# a rare word that happens to sit in a body ("phone", "park") is not what the article is about.
# Each such word adds its IDF among headers, more when it is in the title and in several keywords.
HEADER_WEIGHT = 1.0
# Below this, a match is more likely chance than an answer. Calibrated on the tests' queries
# (tests/unit/content/test_library_search.py): on-topic questions score 6 or more.
MIN_SCORE = 5.0
TOPIC_BOOST = 1.25


def _stem(word: str) -> str:
    if word in ALIASES:
        return ALIASES[word]
    for suffix, repl in (("iness", "y"), ("ies", "y"), ("ied", "y"), ("ying", "y")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)] + repl
            return ALIASES.get(word, word)
    if word.endswith("ing") and len(word) > 5:
        word = word[:-3]
        if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "ls":  # stopping -> stop
            word = word[:-1]
    elif word.endswith("ed") and len(word) > 4 and not word.endswith("eed"):
        word = word[:-2]
    elif word.endswith("s") and len(word) > 3 and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    return ALIASES.get(word, word)


def tokens(text: str) -> list[str]:
    """Lower-cased, stemmed words without stop words: what search compares."""
    words = re.findall(r"[a-z0-9]+", text.lower().replace("\u2019", "'").replace("&", " and "))
    stems = (_stem(w) for w in words if w not in STOPWORDS and (len(w) > 1))
    return [t for t in stems if t not in STOPWORDS]


@dataclass(frozen=True)
class _Index:
    ids: tuple[str, ...]
    tf: tuple[dict[str, float], ...]
    length: tuple[float, ...]
    idf: dict[str, float]
    avg_length: float
    title: tuple[frozenset[str], ...]
    phrases: tuple[tuple[frozenset[str], ...], ...]  # each keyword, as its set of tokens
    header_idf: dict[str, float]


def _idf(n: int, df: int) -> float:
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


@cache
def _index() -> _Index:
    all_articles = list(articles().values())
    tfs, lengths, titles, phrases, headers = [], [], [], [], []
    for a in all_articles:
        fields = {"title": a.title, "keywords": " ".join(a.keywords), "summary": a.summary, "body": a.body_text}
        tf: Counter[str] = Counter()
        for field, text in fields.items():
            for token in tokens(text):
                tf[token] += FIELD_WEIGHTS[field]
        tfs.append(dict(tf))
        lengths.append(sum(tf.values()))
        titles.append(frozenset(tokens(a.title)))
        phrases.append(tuple(p for p in (frozenset(tokens(k)) for k in a.keywords) if p))
        headers.append(titles[-1].union(*phrases[-1]))
    n = len(all_articles)
    df = Counter(token for tf in tfs for token in tf)
    header_df = Counter(token for header in headers for token in header)
    return _Index(
        ids=tuple(a.id for a in all_articles), tf=tuple(tfs), length=tuple(lengths),
        idf={t: _idf(n, d) for t, d in df.items()}, avg_length=sum(lengths) / max(n, 1),
        title=tuple(titles), phrases=tuple(phrases), header_idf={t: _idf(n, d) for t, d in header_df.items()},
    )


def scores(text: str) -> dict[str, float]:
    """The score of every article for the text: 0 unless a query word is in its title or keywords."""
    index = _index()
    query = set(tokens(text))
    result = {}
    for i, article_id in enumerate(index.ids):
        # The title's words count one by one; a keyword phrase counts only when all of it is there.
        title, matched = index.title[i], [p for p in index.phrases[i] if p <= query]
        in_header = (query & title).union(*matched)
        if not in_header:
            result[article_id] = 0.0
            continue
        tf, length = index.tf[i], index.length[i]
        score = 0.0
        for token in query:
            f = tf.get(token)
            if f:
                score += index.idf[token] * f * (K1 + 1) / (f + K1 * (1 - B + B * length / index.avg_length))
        for token in in_header:
            hits = (token in title) + 0.5 * min(3, sum(token in p for p in matched))
            score += HEADER_WEIGHT * index.header_idf[token] * (1 + hits)
        result[article_id] = score
    return result


def search(text: str, *, topic: str | None = None) -> Match | None:
    """The best article for the text, or None when nothing reaches MIN_SCORE.

    A topic (from the conversation) boosts articles about it, but cannot lift one over the floor.
    """
    all_articles = articles()
    candidates = []
    for article_id, score in scores(text).items():
        if score < MIN_SCORE:
            continue
        boosted = score * (TOPIC_BOOST if topic and topic in all_articles[article_id].topics else 1.0)
        candidates.append((boosted, article_id))
    if not candidates:
        return None
    boosted, article_id = max(candidates)
    return Match(all_articles[article_id], round(boosted, 3))


# --- Validation -------------------------------------------------------------------------------


def word_count(body: str) -> int:
    return len(re.findall(r"[A-Za-z0-9'\u2019-]+", body))


def validate() -> list[str]:
    """Every problem in the articles; empty when all is well."""
    problems: list[str] = []
    try:
        files = _files()
    except FileNotFoundError:
        return ["articles: folder missing"]
    slugs = {stem for stem, _ in files}
    seen_titles: set[str] = set()
    for stem, text in files:
        where = f"articles/{stem}.md"
        try:
            meta, body = _split(text)
        except (ValueError, yaml.YAMLError) as exc:
            problems.append(f"{where}: {exc}")
            continue
        if missing := set(FIELDS) - set(meta):
            problems.append(f"{where}: missing field(s) {sorted(missing)}")
            continue
        if unknown := set(meta) - set(FIELDS):
            problems.append(f"{where}: unknown field(s) {sorted(unknown)}")
        if meta["id"] != stem or not SLUG.match(str(meta["id"])):
            problems.append(f"{where}: id must be the file name, in lower-case-with-hyphens")
        for field in ("title", "summary", "review"):
            if not isinstance(meta[field], str) or not meta[field].strip():
                problems.append(f"{where}: {field} must be non-empty text")
        if isinstance(meta["title"], str):
            if meta["title"].lower() in seen_titles:
                problems.append(f"{where}: duplicate title")
            seen_titles.add(meta["title"].lower())
        if not isinstance(meta["version"], int) or isinstance(meta["version"], bool) or meta["version"] < 1:
            problems.append(f"{where}: version must be a whole number from 1")
        if not isinstance(meta["updated"], dt.date):
            problems.append(f"{where}: updated must be a date (YYYY-MM-DD)")
        if not isinstance(meta["keywords"], list) or len(meta["keywords"]) < 3 or not all(isinstance(k, str) for k in meta["keywords"]):
            problems.append(f"{where}: keywords must list at least 3 words or phrases")
        if not isinstance(meta["topics"], list) or not meta["topics"] or set(meta["topics"]) - TOPICS:
            problems.append(f"{where}: topics must be a non-empty list from {sorted(TOPICS)}")
        sources = meta["sources"]
        if not isinstance(sources, list) or not sources or not all(isinstance(s, str) and len(s) > 15 for s in sources):
            problems.append(f"{where}: sources must list at least one full citation")
        words = word_count(body)
        if not MIN_WORDS <= words <= MAX_WORDS:
            problems.append(f"{where}: body has {words} words; {MIN_WORDS} to {MAX_WORDS} expected")
        for pattern, what in (
            (r"<", "HTML"), (r"https?:|www\.", "a link to another host"), (r"\]\(", "a Markdown link"),
            (r"!\[", "an image"), (r"(?m)^# ", "a top-level heading (the title is the page's heading)"),
        ):
            if re.search(pattern, body):
                problems.append(f"{where}: body contains {what}")
        for field, value in (("title", meta["title"]), ("summary", meta["summary"]), ("body", body)):
            if isinstance(value, str) and (phrase := banned_phrase(value)):
                problems.append(f"{where}: {field} contains banned phrase {phrase!r}")
        for target in re.findall(r"/library/([a-z0-9-]+)", body):
            if target not in slugs:
                problems.append(f"{where}: links to unknown article {target!r}")
    if len(files) < 30:
        problems.append(f"articles: {len(files)} found, at least 30 expected")
    return problems
