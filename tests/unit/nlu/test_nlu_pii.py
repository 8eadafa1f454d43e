"""PII scrubbing: what must go, and the everyday numbers and words that must stay."""

from __future__ import annotations

import pytest

from haven.nlu.pii import scrub

# (text, what scrub must turn it into)
REPLACED = [
    ("mail me at jo.bloggs+haven@example.co.uk please", "mail me at [email] please"),
    ("JANE_DOE@Mail.Example.ORG", "[email]"),
    ("see https://example.org/path?q=1#x now", "see [url] now"),
    ("www.nhs.uk/mental-health helped", "[url] helped"),
    ("my blog is mysite.com/about", "my blog is [url]"),
    ("http://localhost:8000/chat", "[url]"),
    ("my ip is 192.168.0.12.", "my ip is [ip]."),
    ("ipv6 2001:db8::1 and fe80::1ff:fe23:4567:890a", "ipv6 [ip] and [ip]"),
    ("2001:0db8:85a3:0000:0000:8a2e:0370:7334", "[ip]"),
    ("card 4111 1111 1111 1111 expires", "card [card] expires"),
    ("5500-0000-0000-0004", "[card]"),
    ("4012888888881881", "[card]"),
    ("IBAN GB82 WEST 1234 5698 7654 32 thanks", "IBAN [iban] thanks"),
    ("DE89370400440532013000", "[iban]"),
    ("call me on +44 7700 900123", "call me on [phone]"),
    ("(555) 123-4567", "[phone]"),
    ("555-123-4567 or 555.123.4567", "[phone] or [phone]"),
    ("07700900123", "[phone]"),
    ("ring 020 7946 0958 tomorrow", "ring [phone] tomorrow"),
    ("+1 415 555 2671", "[phone]"),
    ("account 12345678901234567890 is overdrawn", "account [number] is overdrawn"),
    ("I live at 221B Baker Street, London NW1 6XE", "I live at [address], London [postcode]"),
    ("post it to SW1A 1AA", "post it to [postcode]"),
    ("my postcode is m1 1ae", "my postcode is [postcode]"),
    ("1600 Pennsylvania Ave NW, Washington, DC 20500", "[address], Washington, [address]"),
    ("i live at 42 elm road now", "i live at [address] now"),
    ("Springfield, IL 62704", "Springfield, [address]"),
    ("zip code 90210", "[address]"),
    ("12345-6789", "[address]"),
    ("follow me @sam_j on insta", "follow me [handle] on insta"),
    ("my name is Sam and I feel sad", "my name is [name] and I feel sad"),
    ("My name is sam", "My name is [name]"),
    ("I'm called Priya Patel.", "I'm called [name]."),
    ("im called jo", "im called [name]"),
    ("you can call me Alex", "you can call me [name]"),
    ("my name's Chloe O'Neill", "my name's [name]"),
]

# Everyday text that must come back unchanged.
KEPT = [
    "I slept 7 hours",
    "I woke at 3 am again",
    "at 3am and then 4:30",
    "PHQ-9 score 12",
    "my GAD-7 went from 15 to 9",
    "scores 12 14 15 18 20",
    "it was 10/10",
    "on 2024-01-15 at 10:30:45",
    "between 2019-2021 and 1999 - 2005",
    "15/01/2024",
    "I walked 5 miles down the road",
    "i've been sad for 2 weeks, maybe 3",
    "I owe £2,000 and $350",
    "rate it 7 out of 10",
    "e.g. i.e. etc.",
    "I was sad.me and my friend",
    "people call me lazy",
    "they call me names",
    "my name is not important",
    "call me when you can",
    "I'm called stupid at school",
    "I take 50 mg at 9 pm",
    "room 101",
    "b12 and vitamin d",
    "version 1.2.3",
    "",
]


@pytest.mark.parametrize(("text", "expected"), REPLACED)
def test_it_replaces_personal_details(text, expected):
    assert scrub(text) == expected


@pytest.mark.parametrize("text", KEPT)
def test_it_keeps_ordinary_numbers_and_words(text):
    assert scrub(text) == text


def test_an_invalid_card_number_is_not_a_card_but_is_still_hidden():
    # 16 digits that fail the Luhn check are not called a card, but no long digit run survives
    assert scrub("4111 1111 1111 1112") == "[number]"


def test_scrubbing_is_idempotent():
    for text, expected in REPLACED:
        assert scrub(expected) == expected, expected


def test_several_details_in_one_message():
    text = "I'm called Dana, email dana@example.com or text 07700 900123, I'm at 10 Downing Street SW1A 2AA"
    assert scrub(text) == "I'm called [name], email [email] or text [phone], I'm at [address] [postcode]"
