"""A rough Flesch-Kincaid grade, enough to notice text drifting away from a reading age of about 12."""

from __future__ import annotations

import re


def syllables(word: str) -> int:
    word = re.sub(r"[^a-z]", "", word.lower())
    if len(word) <= 3:
        return 1 if word else 0
    word = re.sub(r"(?:[^laeiouy]es|ed|[^laeiouy]e)$", "", word)
    word = re.sub(r"^y", "", word)
    return max(1, len(re.findall(r"[aeiouy]{1,2}", word)))


def grade(text: str) -> tuple[float, float]:
    """(Flesch-Kincaid grade, words per sentence); list items and headings count as sentences."""
    text = re.sub(r"^(#+ |- |\d+\. )", "", text, flags=re.M)
    sentences = [s for s in re.split(r"[.!?:\n]+\s*", text) if re.search(r"[A-Za-z]", s)]
    words = re.findall(r"[A-Za-z'\u2019-]+", text)
    per_sentence = len(words) / len(sentences)
    return 0.39 * per_sentence + 11.8 * sum(map(syllables, words)) / len(words) - 15.59, per_sentence
