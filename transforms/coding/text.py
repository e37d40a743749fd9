"""Sentences and tokens: the coder's view of a text.

Plain regular expressions, compiled once; fast enough for thousands of sentences a second and good
enough for news prose (abbreviations such as "U.S." or "Gen." do not end a sentence).
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple, Sequence

from transforms.coding.cue_data import read_cues

# Longer "sentences" are tables, lists or text without full stops, not prose (the longest sentence
# of the dev pages has 2,071 characters); parsing one would take seconds and gigabytes, and looking
# up its actors alone grows with its length.
MAX_SENTENCE_CHARS = 5_000
# Characters before a possible sentence end read to find its last word: abbreviations and
# initialisms are far shorter.
LONGEST_ABBREVIATION_WINDOW = 64
# Abbreviations that end with a full stop but rarely end a sentence.
_ABBREVIATIONS = (
    "mr mrs ms dr prof gen lt col maj capt sgt adm gov sen rep st jr sr no vs etc inc corp co ltd "
    "jan feb mar apr jun jul aug sep sept oct nov dec mt ft rev hon pres amb dept est approx fig"
).split()

_SENTENCE_END = re.compile(
    r"""(?<=[.!?])["'”’)\]]*\s+(?=["'“‘(\[]?[A-Z0-9])"""
)
_INITIALISM = re.compile(r"^(?:[A-Za-z]\.)+$")
# A line break of any kind ends a paragraph: CR (old Mac files), NEL and the Unicode line and
# paragraph separators that pasted or converted text carries.
_PARAGRAPH_BREAK = re.compile("[\n\r\x85\u2028\u2029]")

_TOKEN = re.compile(
    r"(?:[A-Za-z]\.){2,}"  # initialisms: U.S., U.N., E.U.
    # "did" of "didn't". Lazy: the "n" of "n't" can only be the last character of a run of word
    # characters, so lazy and greedy find the same text, and lazy does without backtracking.
    r"|\w+?(?=n't)"
    r"|n't"
    r"|'s\b|'ll\b|'re\b|'ve\b|'d\b"
    r"|\d+(?:[.,]\d+)*"  # numbers such as 2.5 or 10,000
    r"|\w+"
    r"|[^\w\s]"
)

# Double quote marks as tokens: a quotation that opens or closes.
QUOTES = frozenset({'"', "\u201c", "\u201d"})

_QUOTES = (("’", "'"), ("‘", "'"), ("“", '"'), ("”", '"'), ("–", "-"), ("—", "-"), ("…", "..."))


# "MINGORA, Pakistan (Reuters) - ", "HONG KONG, March 21 (Xinhua) -- ", "PESHAWAR: "
_DATELINE = re.compile(r"^[A-Z][A-Z.' ]{2,}(?:,[^()\n:]{0,40}?)?(?:\s*\([^()]{1,30}\))?\s*(?:--|-|:)\s*(?=[A-Z\"])")


def dateline_end(sentence: str) -> int:
    """Length of a news dateline opening the sentence (0 if none): it names a place, not an actor."""
    match = _DATELINE.match(sentence)
    return match.end() if match else 0


class Token(NamedTuple):
    """One token: its text as written, lower-cased, and where it sits in the sentence."""

    text: str
    lower: str
    start: int
    end: int


def title_case(tokens: Sequence[Token], share: float = 0.8, at_least: int = 2) -> bool:
    """A headline in title case ("China Warns Taiwan"), where a capital says nothing of a name: at
    least ``at_least`` words of more than three letters, ``share`` of them capitalised (1.0: every
    one, so a sentence of names and titles with its verb in lower case is none)."""
    words = [token.text for token in tokens if token.text[:1].isalpha() and len(token.text) > 3]
    return len(words) >= at_least and sum(word[:1].isupper() for word in words) >= share * len(words)


def is_title_case_headline(tokens: Sequence[Token]) -> bool:
    """Every word of more than three letters capitalised, at least three of them ("Pakistan Arrests
    Opposition Leader"): a headline whose capitals say nothing of names."""
    return title_case(tokens, share=1.0, at_least=3)


def lower_first_letters(text: str, offset: int, tokens: Sequence[Token]) -> str:
    """``text`` (which starts at character ``offset`` of the tokens' sentence) with the first
    letter of each of ``tokens`` in lower case; words in capitals ("US") and letters whose lower
    case is longer than one character stay, so every offset into ``text`` still holds."""
    characters = list(text)
    for token in tokens:
        first = token.text[:1]
        if first.isupper() and not token.text.isupper() and len(first.lower()) == 1:
            characters[token.start - offset] = first.lower()
    return "".join(characters)


_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Characters that show nothing: zero-width spaces and joiners, the byte-order mark, the soft
# hyphen and bidirectional controls. Pasted text carries them inside words ("Ukra\u00adine") and
# before sentences ("drone. \u200bRussia"), where they hide the word or the sentence break.
_INVISIBLE_CHARACTERS = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
# Fullwidth forms of ASCII ("\uff32\uff55\uff53\uff53\uff49\uff41", the ideographic space) in
# East Asian pages and pasted text: the ASCII letters, digits and marks the dictionaries know.
_FULLWIDTH = re.compile("[\u3000\uff01-\uff5e]+")


def normalise(text: str) -> str:
    """Straighten typographic quotes, dashes, the ellipsis and fullwidth letters (their NFKC form)
    so patterns need only one spelling, turn control characters (a NUL from a broken page) into
    spaces, which sentence breaks need, and drop characters that show nothing (zero-width spaces,
    soft hyphens, bidirectional marks)."""
    text = _CONTROL_CHARACTERS.sub(" ", text)
    text = _INVISIBLE_CHARACTERS.sub("", text)
    text = _FULLWIDTH.sub(lambda run: unicodedata.normalize("NFKC", run.group()), text)
    # str.replace per character is several times faster than str.translate with a mapping.
    for typographic, plain in _QUOTES:
        if typographic in text:
            text = text.replace(typographic, plain)
    return text


def _ends_with_abbreviation(chunk: str) -> bool:
    """Is the mark ending ``chunk`` (a paragraph up to a possible sentence end: ".", "!" or "?")
    part of its last word?"""
    last_word = chunk.rsplit(maxsplit=1)[-1]
    if _INITIALISM.match(last_word.lstrip("(\"'")):
        # "U.S. President ..." is far more common in news than a sentence ending in "U.S."
        return True
    word = last_word.rstrip(".").lower().lstrip("(\"'")
    if word in _ABBREVIATIONS:
        return True
    # A single initial ("George W. Bush") does not end a sentence.
    return len(word) == 1 and word.isalpha()


def split_paragraphs(text: str) -> list[str]:
    """Non-empty paragraphs (blocks between line breaks: LF, CR, NEL, U+2028, U+2029) of a text."""
    return [part.strip() for part in _PARAGRAPH_BREAK.split(text) if part.strip()]


def split_sentences(paragraph: str) -> list[str]:
    """Split one paragraph into sentences, keeping abbreviations and initials intact."""
    sentences: list[str] = []
    start = 0
    for boundary in _SENTENCE_END.finditer(paragraph):
        # Only the last word decides, so only a short window before the mark is read: reading all
        # since the last sentence end made "U.S. U.S. U.S. ..." quadratic (800,000 took minutes).
        window = paragraph[max(start, boundary.start() - LONGEST_ABBREVIATION_WINDOW) : boundary.start()]
        if window.strip() and _ends_with_abbreviation(window):
            continue
        chunk = paragraph[start : boundary.start()].strip()
        if chunk:
            sentences.append(chunk)
        start = boundary.end()
    tail = paragraph[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


# Builds a Token from one tuple, skipping the Python-level ``Token.__new__``: a sentence has dozens
# of tokens, and that call cost as much as finding them.
_make_token = tuple.__new__


def overlong_sentences(text: str) -> int:
    """How many sentences of ``text`` are longer than ``MAX_SENTENCE_CHARS`` (run-on text with no
    sentence end: the coder skips them, and ``newsbeam code`` says so)."""
    return sum(
        len(sentence) > MAX_SENTENCE_CHARS
        for paragraph in split_paragraphs(normalise(text))
        for sentence in split_sentences(paragraph)
    )


def tokenize(sentence: str) -> list[Token]:
    """Tokens of one (normalised) sentence."""
    tokens = []
    for match in _TOKEN.finditer(sentence):
        text = match.group()
        start, end = match.span()
        tokens.append(_make_token(Token, (text, text.lower(), start, end)))
    return tokens


def token_words(sentence: str) -> set[str]:
    """The lower-cased tokens of a sentence, as ``tokenize`` finds them, without building tokens:
    a cheap first look at which words a sentence has."""
    return set(map(str.lower, _TOKEN.findall(sentence)))


def is_initialism(word: str) -> bool:
    """True for dotted initialisms such as "U.S." or "U.N."."""
    return bool(_INITIALISM.match(word))


# Month names that are also verbs: capitalised inside a sentence ("in March", "on May 3") they name
# the month, not a march or a possibility.
_MONTHS_THAT_ARE_WORDS = frozenset(read_cues()["months_that_are_words"])


def is_month_name(tokens: Sequence[Token], position: int) -> bool:
    """Is the token at ``position`` a month name ("held in March") rather than a verb?"""
    token = tokens[position]
    if token.text not in _MONTHS_THAT_ARE_WORDS:
        return False
    following = tokens[position + 1].text if position + 1 < len(tokens) else ""
    return position > 0 or following[:1].isdigit()


def names_document(tokens: Sequence[Token], end: int, documents: frozenset[str], topics: frozenset[str]) -> bool:
    """Do the words from ``end`` name a document or forum: one of ``documents`` right away, or
    after up to two of ``topics`` ("the Paris climate treaty", "the Oslo peace accords")?"""
    for position in range(end, min(end + 3, len(tokens))):
        if tokens[position].lower in documents:
            return True
        if tokens[position].lower not in topics:
            return False
    return False
