"""English or not: False only on clear evidence."""

from __future__ import annotations

import pytest

from haven.nlu.language import is_english


@pytest.mark.parametrize(
    "text",
    [
        "I feel sad",
        "ok",
        "k",
        "hi",
        "lol idk tbh",
        "",
        "   ",
        "12345",
        "🙂🙂🙂",
        "I am so tired of everything and I just want to sleep",
        "my mum said je ne sais pas lol",
        "I had a croissant at the café",
        "Zoë and Chloé are my friends",
        "the day was long",
        "hola",
        "ciao",
        "bonjour",
        "I feel triste",
    ],
)
def test_english_or_too_short_to_tell(text):
    assert is_english(text) is True


@pytest.mark.parametrize(
    "text",
    [
        "je me sens très triste aujourd'hui",
        "Moi je suis fatigué",
        "Ich fühle mich heute sehr traurig",
        "estoy muy triste hoy",
        "sono molto stanca oggi",
        "ik voel me heel verdrietig",
        "eu estou muito cansado hoje",
        "我今天很难过，我不知道该怎么办",
        "Я очень устал сегодня и не могу спать",
        "أشعر بالحزن الشديد اليوم",
    ],
)
def test_clearly_not_english(text):
    assert is_english(text) is False
