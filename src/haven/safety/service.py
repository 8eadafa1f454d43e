"""The interim safety gate: reviewed rules for explicit statements, fixed crisis text, an output screen.

Rules favour recall on explicit first-person statements; they never decide that a message is
safe because it matched nothing — the engine still listens. The C-SSRS screener scale:
0 none, 1 wish to be dead, 2 non-specific active thoughts, 3 thoughts of method, 4 some
intent, 5 plan with intent, 6 preparatory behaviour or attempt. Levels: 1–2 low, 3 moderate,
4–6 high, imminent when it is happening now or about to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import yaml

LEVELS = ("none", "low", "moderate", "high", "imminent")
CONTENT_VERSION = "safety-interim-1"


@dataclass(frozen=True)
class RiskAssessment:
    severity: int = 0
    level: str = "none"
    signals: tuple[str, ...] = field(default_factory=tuple)

    @property
    def protocol(self) -> str | None:
        """The fixed protocol that must answer, if any."""
        if self.level in ("high", "imminent"):
            return "crisis"
        if "third_person_risk" in self.signals:
            return "worried_other"
        if self.level == "moderate" or "self_harm" in self.signals:
            return "safety_check"
        if "wish_dead" in self.signals and "past_only" not in self.signals:
            return "safety_check"
        return None


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


# Each rule: (signal code, C-SSRS severity, pattern). Reviewed text; add, never loosen silently.
SELF = r"(?:myself|my\s+(?:own\s+)?life)"
WISH_DEAD = _rx(
    r"\b(?:wish\s+(?:i\s+(?:was|were|could\s+be)\s+dead|i\s+(?:could\s+)?(?:die|disappear\s+forever)|i\s+(?:was|were)\s*n[o']?t\s+(?:alive|here|born))"
    r"|(?:do\s*n[o']?t|dont)\s+want\s+to\s+(?:wake\s+up|be\s+alive|live|exist|be\s+here)(?:\s+any\s*more)?"
    r"|better\s+off\s+dead|no\s+(?:reason|point)\s+(?:to|in)\s+(?:live|living|going\s+on)"
    r"|(?:everyone|they|my\s+family|the\s+world)\s+would\s+be\s+better\s+off\s+without\s+me)\b"
)
ACTIVE = _rx(
    rf"\b(?:kill\s+myself|end\s+{SELF}|take\s+{SELF}|end\s+it\s+all|commit\s+suicide|suicidal|suicide"
    r"|want(?:ed)?\s+to\s+die|(?:wanna|going\s+to|gonna)\s+die|not\s+be\s+here\s+(?:any\s*more|tomorrow))\b"
)
METHOD = _rx(
    r"\b(?:pills?|overdose|od\b|tablets|rope|noose|hang(?:ing)?\s+myself|jump(?:ing)?\s+(?:off|from|in\s+front)|bridge|train\s+tracks?"
    r"|gun|shoot\s+myself|knife|razor|slit|wrists?|poison|bleach|carbon\s+monoxide)\b"
)
INTENT = _rx(r"\b(?:i(?:'m|\s+am)\s+(?:going\s+to|gonna)|i\s+will|i'll|i\s+plan\s+to|planning\s+to|(?:have|i've)\s+decided\s+to|i\s+intend\s+to)\b")
WHEN = _rx(r"\b(?:tonight|tomorrow|this\s+(?:weekend|week|evening|morning)|on\s+(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)|at\s+\d{1,2}(?::\d{2})?\s*(?:am|pm)?)\b")
PREPARATION = _rx(
    r"\b(?:(?:wrote|written|writing|left)\s+(?:a\s+|my\s+)?(?:suicide\s+)?(?:note|letters?|goodbyes?)"
    r"|(?:gave|given|giving)\s+(?:away\s+)?(?:my|all\s+my)\s+\w+\s+(?:away)?|(?:gave|given|giving)\s+away"
    r"|said\s+(?:my\s+)?goodbyes?|bought\s+(?:a\s+)?(?:rope|gun|pills)|(?:saving|stockpiling|collecting)\s+(?:up\s+)?(?:my\s+)?(?:pills|tablets|meds)"
    r"|tried\s+to\s+(?:kill\s+myself|end\s+my\s+life)\s+(?:last\s+night|today|yesterday|earlier))\b"
)
NOW = _rx(
    r"\b(?:right\s+now|tonight|in\s+(?:a\s+few|the\s+next)\s+(?:minutes|hours)|about\s+to|this\s+is\s+goodbye|goodbye\s+(?:forever|everyone|world)"
    r"|(?:have|got)\s+(?:the\s+)?(?:pills|rope|gun|knife|razor)\s+(?:here|with\s+me|in\s+front\s+of\s+me|ready)|already\s+(?:taken|took|swallowed))\b"
)
SELF_HARM = _rx(r"\b(?:hurt(?:ing)?\s+myself|self[-\s]?harm(?:ing)?|cut(?:ting)?\s+myself|burn(?:ing)?\s+myself|harm\s+myself)\b")
FIRST_PERSON = _rx(r"\b(?:myself|my\s+(?:own\s+)?life|i\s+(?:want|wanna|wish|feel\s+like)|i(?:'m|\s+am)\s+(?:suicidal|going\s+to))\b")
NEGATION = _rx(r"\b(?:never|not|no|n't|wouldn't|won't|don't|do\s+not|would\s+not|will\s+not)\b(?:\s+\w+){0,3}\s*$")
PAST = _rx(r"\b(?:years?\s+ago|months\s+ago|when\s+i\s+was\s+(?:younger|a\s+teen|a\s+kid|\d+)|used\s+to|in\s+the\s+past|back\s+then|last\s+year)\b")
THIRD_PERSON = _rx(
    r"\b(?:(?:my\s+(?:friend|mum|mom|dad|brother|sister|son|daughter|partner|boyfriend|girlfriend|wife|husband|flatmate|roommate|colleague)"
    r"|he|she|they|someone\s+i\s+know)\s+(?:says?|said|wants?|is\s+going|keeps?\s+saying|talks?\s+about|told\s+me)\b[^.?!]*"
    r"\b(?:kill\s+(?:himself|herself|themselves|themself)|die|suicide|end\s+(?:his|her|their)\s+life))"
    r"|\bkill\s+(?:himself|herself|themselves)\b"
)


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u2019", "'").replace("\u2018", "'")).strip()


def _negated(text: str, match: re.Match[str]) -> bool:
    return bool(NEGATION.search(text[: match.start()][-40:]))


def assess(text: str, context: object | None = None) -> RiskAssessment:
    """Grade one message. ``context`` is reserved for the graded model (earlier turns)."""
    text = _normalise(text)
    signals: list[str] = []
    severity = 0

    first_person = FIRST_PERSON.search(text)
    if THIRD_PERSON.search(text) and not first_person:
        return RiskAssessment(signals=("third_person_risk",))
    active = ACTIVE.search(text)
    wish = WISH_DEAD.search(text)
    if active and _negated(text, active) and not wish:
        signals.append("explicit_negated")
        active = None
    if wish:
        severity, signals = max(severity, 1), [*signals, "wish_dead"]
    if active:
        severity, signals = max(severity, 2), [*signals, "active_ideation"]
    explicit = bool(wish or active)
    if explicit and METHOD.search(text):
        severity, signals = max(severity, 3), [*signals, "method"]
    if active and INTENT.search(text):
        severity, signals = max(severity, 4), [*signals, "intent"]
        if METHOD.search(text) or WHEN.search(text):
            severity, signals = max(severity, 5), [*signals, "plan"]
    if PREPARATION.search(text) and (explicit or METHOD.search(text) or "goodbye" in text.lower()):
        severity, signals = max(severity, 6), [*signals, "preparation"]
    if explicit and PAST.search(text) and severity < 4 and not NOW.search(text):
        signals.append("past_only")
        return RiskAssessment(severity=severity, level="low", signals=tuple(signals))
    if SELF_HARM.search(text) and not _negated(text, SELF_HARM.search(text)):
        signals.append("self_harm")

    level = "none"
    if severity >= 4:
        level = "high"
    elif severity == 3:
        level = "moderate"
    elif severity >= 1:
        # Explicit thoughts of suicide get the crisis protocol now; the graded model refines this.
        level = "high" if active else "low"
    if "self_harm" in signals and level in ("none", "low"):
        level = "moderate"
    if (explicit or "self_harm" in signals or "preparation" in signals) and NOW.search(text):
        level, signals = "imminent", [*signals, "now"]
    return RiskAssessment(severity=severity, level=level, signals=tuple(dict.fromkeys(signals)))


# ---------------------------------------------------------------- help lines and fixed replies


@cache
def _helplines() -> dict:
    return yaml.safe_load(resources.files("haven.safety").joinpath("data/helplines.yaml").read_text())


def help_lines(country: str | None) -> dict:
    """Help lines for a country (ISO alpha-2), falling back to the international directory."""
    table = _helplines()
    code = (country or "").upper()
    entry = table.get(code) or table["default"]
    return {"country": code if code in table else None, "emergency": entry["emergency"], "lines": entry["lines"]}


def _lines_text(country: str | None) -> tuple[str, str]:
    info = help_lines(country)
    lines = "\n".join(f"- {line['name']}: {line['how']}" for line in info["lines"])
    return lines, info["emergency"]


def crisis_reply(country: str | None, *, imminent: bool) -> str:
    lines, emergency = _lines_text(country)
    first = (
        f"Your safety matters most right now. If you might act on these thoughts, please call {emergency} "
        "or go to the nearest emergency department now.\n\n"
        if imminent
        else ""
    )
    return (
        f"{first}I'm really glad you told me. What you're going through sounds very painful, and you don't "
        "have to face it alone. I'm not a person and I can't help in an emergency, but people are ready "
        f"to talk with you right now:\n{lines}\n\n"
        f"If you are in danger, call {emergency}. I'm still here, and we can keep talking while you reach out."
    )


def safety_check_reply(country: str | None) -> str:
    lines, emergency = _lines_text(country)
    return (
        "Thank you for telling me that. It sounds like you are carrying a lot of pain right now, "
        "and you deserve support with it. Can I ask: are you safe right now?\n\n"
        f"If you want to talk to someone now:\n{lines}\nIn an emergency, call {emergency}."
    )


def worried_other_reply(country: str | None) -> str:
    lines, emergency = _lines_text(country)
    return (
        "It sounds like you are worried about someone you care about, and that is a heavy thing to carry. "
        "If they might be in danger now, call "
        f"{emergency}. Otherwise, it can help to ask them directly and calmly whether they are thinking "
        "about suicide, to listen without judging, and to help them contact a help line:\n"
        f"{lines}\n\nHow are you doing with all this yourself?"
    )


PROTOCOL_QUICK_REPLIES = {
    "crisis": ("I'm safe right now", "Keep talking with me", "Show me help lines"),
    "safety_check": ("I'm safe right now", "I'm not safe", "Keep talking with me"),
    "worried_other": ("How do I support them?", "I'm struggling too"),
}


def protocol_reply(assessment: RiskAssessment, country: str | None) -> str | None:
    protocol = assessment.protocol
    if protocol == "crisis":
        return crisis_reply(country, imminent=assessment.level == "imminent")
    if protocol == "safety_check":
        return safety_check_reply(country)
    if protocol == "worried_other":
        return worried_other_reply(country)
    return None


# ---------------------------------------------------------------- output screen

DANGEROUS_OUTPUT = _rx(
    r"\b\d+\s*(?:mg|milligrams?|ml|pills?|tablets?|capsules?)\b|\blethal\b|\boverdos\w*|\bhow\s+to\s+(?:kill|hang|cut|poison|overdose)"
    r"|\b(?:you\s+(?:have|suffer\s+from|are\s+suffering\s+from)\s+(?:depression|bipolar|bpd|ptsd|ocd|adhd|schizophrenia|an?\s+\w+\s+disorder))"
    r"|\bi\s+(?:diagnose|am\s+diagnosing)|\bi(?:'m|\s+am)\s+(?:a\s+)?(?:human|real\s+person|therapist|doctor|psychologist|psychiatrist|counsell?or)\b"
    r"|\b(?:calorie|calories|lose\s+weight|weight\s+loss|fasting)\b"
)
MARKDOWN_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
MARKDOWN_LINK = re.compile(r"\[([^\]]{0,200})\]\((?:[^)]*)\)")
URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
HTML_TAG = re.compile(r"</?[a-zA-Z][^>]{0,200}>")


def screen_output(text: str) -> str | None:
    """The reply as it may be shown, or None when it must not be sent (the caller falls back to fixed text).

    Links and images to other hosts are removed (they can exfiltrate data), tags are dropped
    (pages escape text anyway), and anything that gives methods, doses, diagnoses, diet
    advice or claims to be a human clinician is refused outright.
    """
    if DANGEROUS_OUTPUT.search(text):
        return None
    cleaned = MARKDOWN_IMAGE.sub("", text)
    cleaned = MARKDOWN_LINK.sub(r"\1", cleaned)
    cleaned = URL.sub("", cleaned)
    cleaned = HTML_TAG.sub("", cleaned)
    cleaned = re.sub(r"[ \t]{2,}", " ", cleaned).strip()
    return cleaned or None
