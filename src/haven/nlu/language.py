"""Is this message English? A cheap heuristic, so the engine can say it only understands English for now.

It answers False only on clear evidence: most letters in a non-Latin script, or more function
words of one other language than twice those of English (and at least two). Short or unclear texts ("ok",
"lol idk", a name) count as English.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")

ENGLISH = frozenset(
    """i i'm im i've ive i'd i'll me my mine myself you you're your yours we our us he she him her his they them
    their it it's its this that these those the a an and or but if so because then than too very just really
    not no don't dont can't cant won't isn't wasn't didn't doesn't haven't couldn't wouldn't shouldn't
    is am are was were be been being have has had do does did can could will would should may might must
    to of in on at for with about from by as into over after before up down out off again
    what when where why how who which there here all any some more most much many every nothing something
    anything everything feel feeling felt think know want need get got go going like just today tonight
    day week time now still even also sad happy tired anxious help please thanks thank yes yeah okay ok
    bad good well better worse life people work sleep friend friends mum mom dad family""".split()
)

FOREIGN = {
    "fr": frozenset(
        """je j'ai suis sens ne pas très est c'est les des une et mais avec pour moi mon ma mes tu vous nous il elle
        ils qui que quoi comment ça bien fait tout aujourd'hui triste fatigué fatiguée peur rien personne
        toujours jamais parce veux peux être avoir dans sur du au aux""".split()
    ),
    "es": frozenset(
        """yo estoy soy muy que el la los las es por para pero con una mi siento triste hoy tengo está qué cómo
        porque nada nadie siempre nunca quiero puedo estar tener también del al""".split()
    ),
    "de": frozenset(
        """ich bin nicht und das ist sehr mir mich auch aber wie was heute traurig fühle geht es ein eine der die
        mein meine habe nichts niemand immer nie weil will kann sein haben müde angst""".split()
    ),
    "it": frozenset(
        """io sono molto non che di il della mi oggi sento ma perché per anche una con mio mia niente nessuno
        sempre mai voglio posso essere avere stanco stanca paura""".split()
    ),
    "pt": frozenset(
        """eu estou muito não que com uma para mas hoje sinto você meu minha nada ninguém sempre nunca quero posso
        estar ter também cansado cansada medo""".split()
    ),
    "nl": frozenset(
        """ik ben het een niet heel mij maar vandaag voel zijn wat hoe en ook mijn niets niemand altijd nooit wil
        kan hebben moe bang verdrietig""".split()
    ),
}

_LATIN_MAX = 0x024F  # Basic Latin through Latin Extended-B


def is_english(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    if len(letters) < 8:
        return True
    if sum(ord(c) > _LATIN_MAX for c in letters) > len(letters) / 2:
        return False
    words = _WORD.findall(text.lower().replace("’", "'"))
    if len(words) < 2:
        return True
    english = sum(w in ENGLISH for w in words)
    foreign = max(sum(w in vocabulary for w in words) for vocabulary in FOREIGN.values())
    return not (foreign >= 2 and foreign > 2 * english)
