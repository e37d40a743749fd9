"""An article's tone on GDELT's scale, from the word list of the vaderSentiment package.

GDELT's V2Tone gives a document's positive score (percent of its words that are positive), negative
score (percent negative), tone (positive minus negative, -100..+100, most news between -10 and +10)
and polarity (the percent of words with any emotional value). This module computes the same four
figures with a plain word look-up in ``vader_lexicon.txt``, the MIT-licensed lexicon that ships
inside the vaderSentiment package (installed with newsbeam, read offline): a word whose mean valence
is above zero is positive, below zero negative. GDELT uses other dictionaries, so the figures are
GDELT-like, not GDELT-identical; VADER's own rules (negation, intensifiers, capitals) are not applied,
since GDELT's word counts do not apply them either.
"""

from __future__ import annotations

import re
from importlib.resources import files
from typing import NamedTuple, Optional

LEXICON_PACKAGE = "vaderSentiment"
LEXICON_FILE = "vader_lexicon.txt"
# Words as the lexicon spells them: lower-case letters, with inner apostrophes or hyphens.
_WORD = re.compile(r"[a-z]+(?:['’-][a-z]+)*")


class Tone(NamedTuple):
    """GDELT V2Tone's first four figures, each a percentage of the text's words."""

    tone: float
    positive: float
    negative: float
    polarity: float


class ToneLexicon:
    """Word -> sign of its valence (+1 or -1), read from vaderSentiment's lexicon file."""

    def __init__(self, signs: dict[str, int]):
        self._signs = signs

    @classmethod
    def load(cls) -> "ToneLexicon":
        """Read the lexicon from the installed vaderSentiment package (about 7,500 entries; lines
        ``token<TAB>mean valence<TAB>...``). Raises FileNotFoundError when the package is missing."""
        text = (files(LEXICON_PACKAGE) / LEXICON_FILE).read_text(encoding="utf-8")
        return cls(parse_lexicon(text))

    def tone(self, text: str) -> Optional[Tone]:
        """The tone of ``text``; None when it has no words (a tone of nothing is not neutral)."""
        words = _WORD.findall(text.lower().replace("’", "'"))
        if not words:
            return None
        positive = sum(1 for word in words if self._signs.get(word, 0) > 0)
        negative = sum(1 for word in words if self._signs.get(word, 0) < 0)
        share_positive = 100.0 * positive / len(words)
        share_negative = 100.0 * negative / len(words)
        return Tone(
            tone=round(share_positive - share_negative, 4),
            positive=round(share_positive, 4),
            negative=round(share_negative, 4),
            polarity=round(share_positive + share_negative, 4),
        )


def parse_lexicon(text: str) -> dict[str, int]:
    """Lexicon lines -> {word: +1 or -1}; emoticons, neutral entries and malformed lines are skipped."""
    signs: dict[str, int] = {}
    for line in text.splitlines():
        fields = line.split("\t")
        if len(fields) < 2 or not _WORD.fullmatch(fields[0]):
            continue
        try:
            valence = float(fields[1])
        except ValueError:
            continue
        if valence:
            signs[fields[0]] = 1 if valence > 0 else -1
    return signs
