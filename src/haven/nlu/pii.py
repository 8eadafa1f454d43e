"""Scrub personal details from text before it leaves Haven (for an LLM backend).

Each kind of detail is replaced by a placeholder, in this order: ``[email]``, ``[url]``,
``[ip]``, ``[iban]``, ``[card]`` (Luhn-valid), ``[address]`` (US ZIP codes), ``[phone]``
(``[number]`` for longer digit runs), ``[postcode]`` (UK), ``[address]`` (street addresses),
``[handle]``, ``[name]``. A longer, more specific match (an e-mail address) is replaced
before a part of it (its domain, as a URL) could be. The patterns are built to miss nothing
obvious while leaving alone the numbers people use to talk about themselves: "I slept 7
hours", "at 3 am", "PHQ-9 score 12", "since 2019", "10/10". This is a safety net, not a
guarantee: it finds names only after "my name is …", "I'm called …" and "call me …".
"""

from __future__ import annotations

import re

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
# Bare domains only with top-level domains that are not also short words ("sad.me" stays).
_TLDS = r"(?:com|org|net|edu|gov|io|uk|ca|au|de|fr|nl|ie|nz|info|biz)"
_URL = re.compile(
    r"\b(?:https?://|www\.)[^\s<>\"']+"  # anything with a scheme or www.
    rf"|\b(?:[a-z0-9-]+\.)+{_TLDS}\b(?:/[^\s<>\"']*)?",  # bare domains with a common top-level domain
    re.IGNORECASE,
)
_IPV4 = r"\b(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\b"
_H = r"[0-9a-f]{1,4}"
# Full form (8 groups) or compressed with "::"; times such as 10:30:45 have neither.
_IPV6 = rf"(?<![\w:])(?:(?:{_H}:){{7}}{_H}|(?:{_H}:){{1,7}}:(?:{_H}(?::{_H}){{0,6}})?|::{_H}(?::{_H}){{0,6}})(?![\w:])"
_IP = re.compile(rf"{_IPV4}|{_IPV6}", re.IGNORECASE)
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b")
_CARD = re.compile(r"(?<![\d-])(?:\d[ -]?){12,18}\d(?![\d-])")
# A run of 9–15 digits with the separators people type: +44 7700 900123, (555) 123-4567, 07700-900-123.
_PHONE = re.compile(r"(?<![\w+])(?:\+|00)?\(?\d[\d \-.()]{7,}\d(?![\w])")
_UK_POSTCODE = re.compile(
    r"\b(?:[A-Z]{1,2}\d[A-Z\d]?|GIR) ?\d[ABD-HJLNP-UW-Z]{2}\b", re.IGNORECASE
)  # inward code letters exclude C, I, K, M, O, V: "9 am" and "7 pm" cannot match
_STREET_TYPES = (
    r"(?:street|st|road|rd|avenue|ave|lane|ln|drive|dr|boulevard|blvd|court|ct|close|way|place|pl|terrace|"
    r"crescent|square|sq|parkway|pkwy|highway|hwy|grove|gardens|row|mews|walk|hill)"
)
_NAME_WORD = r"[A-Z][a-z'’-]+"
_STREET = re.compile(
    # "12 Baker Street", "1600 Pennsylvania Ave NW": a house number, one to three capitalised words, a street type
    rf"\b\d{{1,5}}[A-Za-z]? (?:{_NAME_WORD} ){{1,3}}(?i:{_STREET_TYPES})\b\.?(?: [NS]?[EW]\b| [NS]\b)?"
    # "i live at 12 baker street": lower case too, after a cue
    rf"|(?i:(?<=live at )|(?<=live on )|(?<=lives at )|(?<=address is )|(?<=moved to ))\d{{1,5}}[a-z]? (?:[a-z'-]+ ){{1,3}}(?i:{_STREET_TYPES})\b"
)
_US_STATES = (
    "AL|AK|AZ|AR|CA|CO|CT|DE|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|"
    "OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|DC"
)
_ZIP = re.compile(rf"\b(?:{_US_STATES}),? \d{{5}}(?:-\d{{4}})?\b|\b\d{{5}}-\d{{4}}\b|(?i:\bzip(?: ?code)?:? )\d{{5}}\b")
_HANDLE = re.compile(r"(?<![\w@.])@[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?\b")
_NOT_NAMES = frozenset(
    """a an the not no so just really very too sad tired fine ok okay here there going feeling being sorry afraid
    scared anxious lonely alone stupid useless nobody somebody someone anyone nothing something worried happy
    hopeless worthless done over bored stuck lost confused depressed angry upset at in on by to for and or but
    when if back later maybe now please tomorrow today lazy crazy weird fat ugly dumb selfish mean names
    everything anything all that this it what because irrelevant unimportant important""".split()
)
# "my name is sam" in any case; after "call me" only a capitalised word ("call me Sam", not "call me lazy").
_NAME_CUE = re.compile(
    r"(?i:\b(?:my name is|my name's|i'm called|i am called|im called)\s+)([A-Za-z][A-Za-z'’-]*)(\s+[A-Z][A-Za-z'’-]+)?"
    r"|(?i:\b(?:call me|people call me|they call me|everyone calls me)\s+)([A-Z][a-z'’-]*)(\s+[A-Z][A-Za-z'’-]+)?"
)


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _card(match: re.Match) -> str:
    digits = re.sub(r"\D", "", match.group())
    return "[card]" if 13 <= len(digits) <= 19 and _luhn(digits) else match.group()


def _phone(match: re.Match) -> str:
    text = match.group()
    digits = re.sub(r"\D", "", text)
    if len(digits) < 9:
        return text
    if not text.startswith(("+", "0", "(")) and max(len(g) for g in re.findall(r"\d+", text)) <= 2:
        return text  # a list of small numbers: "scores 12 14 15 18 20"
    if re.fullmatch(r"\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4}", text.strip()):
        return text  # a date
    if re.fullmatch(r"\d{4}\s*[-–]\s*\d{4}", text.strip()):
        return text  # a range of years
    return "[phone]" if len(digits) <= 15 else "[number]"


def _name(match: re.Match) -> str:
    group = 1 if match.group(1) is not None else 3
    first, second = match.group(group), match.group(group + 1)
    if first.lower() in _NOT_NAMES:
        return match.group()
    cue = match.string[match.start() : match.start(group)]
    rest = "" if second is None or second.strip().lower() not in _NOT_NAMES else second
    return f"{cue}[name]{rest}"


def scrub(text: str) -> str:
    """Replace e-mail addresses, URLs, IPs, IBANs, card and phone numbers, postcodes, addresses, handles and stated names."""
    text = _EMAIL.sub("[email]", text)
    text = _URL.sub("[url]", text)
    text = _IP.sub("[ip]", text)
    text = _IBAN.sub("[iban]", text)
    text = _CARD.sub(_card, text)
    text = _ZIP.sub("[address]", text)
    text = _PHONE.sub(_phone, text)
    text = _UK_POSTCODE.sub("[postcode]", text)
    text = _STREET.sub("[address]", text)
    text = _HANDLE.sub("[handle]", text)
    text = _NAME_CUE.sub(_name, text)
    return text
