"""Action patterns: find the CAMEO actions a sentence mentions.

Patterns come from ``data/actions.tsv`` (format described at its top). They are compiled once into
an index keyed by the first word, so matching a sentence costs a dictionary look-up per token.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple, Sequence

from transforms.coding.cue_data import read_cues
from transforms.coding.inflection import noun_forms, verb_forms
from transforms.coding.text import Token, is_month_name, normalise, tokenize

ACTIONS_FILE = Path(__file__).resolve().parent / "data" / "actions.tsv"
MAX_GAP = 4
KINDS = ("act", "aux", "say", "none")
# Kinds that can make an event; "none" patterns only keep words from being read as actions.
EVENT_KINDS = frozenset({"act", "aux", "say"})
# Punctuation a gap never crosses: it would join words from different clauses.
_GAP_STOPS = frozenset({",", ";", ":", ".", "(", ")", '"', "?", "!", "that"})

Phrase = tuple[str, ...]


class ActionPattern(NamedTuple):
    """One line of the pattern file, compiled: segments of alternative phrases."""

    code: str
    kind: str
    text: str
    segments: tuple[frozenset[Phrase], ...]
    verbal: bool  # the first word is a verb ("+"), so voice and tense apply


class ActionMatch(NamedTuple):
    """An action found in a sentence; token indices are into the sentence's token list."""

    code: str
    kind: str
    start: int
    end: int
    head_end: int  # end of the first segment: the words that name the action itself
    literal: frozenset[int]
    pattern: str
    verbal: bool
    # Words of a narrower action phrase in the object that gave the code ("military" of "gave
    # Ukraine military aid"): no role words there.
    narrowed_by: frozenset[int] = frozenset()


def _word_forms(word: str) -> list[Phrase]:
    """Expand one pattern word ("attack+", "treaty~", "cease-fire") into token phrases."""
    marker = word[-1] if word[-1] in "+~" else ""
    base = word[:-1] if marker else word
    pieces = [token.lower for token in tokenize(normalise(base))]
    if not marker:
        return [tuple(pieces)]
    inflect = verb_forms if marker == "+" else noun_forms
    return [tuple(pieces[:-1]) + (form,) for form in sorted(inflect(pieces[-1]))]


def _phrase_forms(phrase: str) -> set[Phrase]:
    """All token sequences one alternative phrase stands for."""
    results: list[Phrase] = [()]
    for word in phrase.split():
        results = [done + form for done in results for form in _word_forms(word)]
    return set(results)


def compile_pattern(code: str, kind: str, text: str) -> ActionPattern:
    """Compile one pattern line; raises ``ValueError`` on a malformed pattern."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r} in pattern {text!r}")
    segments = []
    for segment in text.split(" _ "):
        alternatives: set[Phrase] = set()
        for alternative in segment.split("|"):
            if not alternative.strip():
                raise ValueError(f"empty alternative in pattern {text!r}")
            alternatives |= _phrase_forms(alternative.strip())
        segments.append(frozenset(alternatives))
    first_word = text.split()[0]
    return ActionPattern(code, kind, text, tuple(segments), first_word.split("|")[0].endswith("+"))


def load_patterns(path: Path = ACTIONS_FILE) -> list[ActionPattern]:
    """Read and compile the pattern file."""
    patterns = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        code, kind, text = line.split("\t")
        patterns.append(compile_pattern(code, kind, text))
    return patterns


def _by_first_word(phrases: frozenset[Phrase]) -> dict[str, list[Phrase]]:
    index: dict[str, list[Phrase]] = {}
    for phrase in phrases:
        index.setdefault(phrase[0], []).append(phrase)
    return index


def _matches_at(words: Sequence[str], position: int, phrase: Phrase) -> bool:
    return tuple(words[position : position + len(phrase)]) == phrase


class ActionLexicon:
    """All action patterns, indexed for fast matching."""

    def __init__(self, patterns: Sequence[ActionPattern]):
        self._starts: dict[str, list[tuple[Phrase, int]]] = {}
        self._later_segments: list[list[dict[str, list[Phrase]]]] = []
        self._patterns = list(patterns)
        for number, pattern in enumerate(self._patterns):
            for phrase in pattern.segments[0]:
                self._starts.setdefault(phrase[0], []).append((phrase, number))
            self._later_segments.append([_by_first_word(seg) for seg in pattern.segments[1:]])
        # Every event action contains one of these words: the longest word of each phrase that can
        # open an event pattern (long words are the rare ones, so few sentences have any).
        self.event_keys = frozenset(
            max(phrase, key=len)
            for pattern in self._patterns
            if pattern.kind in EVENT_KINDS
            for phrase in pattern.segments[0]
        )

    @classmethod
    def from_file(cls, path: Path = ACTIONS_FILE) -> "ActionLexicon":
        return cls(load_patterns(path))

    def _extend(
        self, words: Sequence[str], position: int, number: int
    ) -> tuple[int, list[int]] | None:
        """Match the later segments of pattern ``number`` from ``position``; (end, literal positions)."""
        literal: list[int] = []
        for segment in self._later_segments[number]:
            found = None
            at, skipped = position, 0
            while at < len(words) and skipped <= MAX_GAP:
                if at > position and words[at - 1] in _GAP_STOPS:
                    break
                for phrase in segment.get(words[at], ()):
                    if _matches_at(words, at, phrase) and (found is None or len(phrase) > len(found[1])):
                        found = (at, phrase)
                if found:
                    break
                # A hyphenated compound is one word of the gap ("lifted a day-old blockade").
                if words[at] != "-" and not (at > 0 and words[at - 1] == "-"):
                    skipped += 1
                at += 1
            if found is None:
                return None
            at, phrase = found
            literal.extend(range(at, at + len(phrase)))
            position = at + len(phrase)
        return position, literal

    def _passive_object(
        self, words: Sequence[str], position: int, end: int, number: int
    ) -> tuple[int, list[int]] | None:
        """"Sanctions on Iran were lifted", "talks were held in Istanbul": a verb pattern's object
        (its one later segment) standing before the passive auxiliary (one adverb may come between:
        "were quickly lifted") within ``MAX_GAP`` words; (end, literal positions of the object)."""
        pattern = self._patterns[number]
        if not pattern.verbal or len(self._later_segments[number]) != 1 or words[position].endswith("ing"):
            return None
        auxiliary = position - 1
        if auxiliary >= 1 and words[auxiliary].endswith("ly") and words[auxiliary - 1] in _PASSIVE_AUXILIARIES:
            auxiliary -= 1
        if auxiliary < 1 or words[auxiliary] not in _PASSIVE_AUXILIARIES:
            return None
        segment = self._later_segments[number][0]
        # Perfect and modal forms ("have been lifted", "will be held") put more words before it.
        before = auxiliary
        while before >= 1 and words[before - 1] in _PASSIVE_LEAD_INS:
            before -= 1
        for at in range(before - 1, max(-1, before - 2 - MAX_GAP), -1):
            if words[at] in _GAP_STOPS:
                return None
            for phrase in segment.get(words[at], ()):
                if _matches_at(words, at, phrase) and at + len(phrase) <= before:
                    return end, list(range(at, at + len(phrase)))
        return None

    def best_match_at(self, tokens: Sequence[Token], words: Sequence[str], position: int) -> ActionMatch | None:
        """The most specific pattern starting at ``position`` (most literal words, then longest code)."""
        best: ActionMatch | None = None
        best_rank: tuple[int, int, int] = (-1, -1, -1)
        for phrase, number in self._starts.get(words[position], ()):
            if not _matches_at(words, position, phrase):
                continue
            extended = self._extend(words, position + len(phrase), number)
            if extended is None:
                extended = self._passive_object(words, position, position + len(phrase), number)
            if extended is None:
                continue
            end, later = extended
            pattern = self._patterns[number]
            literal = frozenset(range(position, position + len(phrase))) | frozenset(later)
            rank = (len(literal), -(end - position), len(pattern.code))
            if rank > best_rank:
                best_rank = rank
                best = ActionMatch(
                    pattern.code, pattern.kind, position, end, position + len(phrase), literal, pattern.text, pattern.verbal
                )
        if best is not None and best.verbal and _is_adjective(tokens, position):
            return None
        return best

    def find(self, tokens: Sequence[Token]) -> list[ActionMatch]:
        """Actions in a tokenised sentence, left to right, never overlapping."""
        words = [token.lower for token in tokens]
        matches: list[ActionMatch] = []
        free_from = 0  # positions before this belong to the last match
        # Only the few words that open a pattern are worth a closer look.
        for position in [position for position, word in enumerate(words) if word in self._starts]:
            if position < free_from or is_month_name(tokens, position):
                continue
            match = self.best_match_at(tokens, words, position)
            if match is not None:
                matches.append(self._specific(tokens, words, match))
                free_from = max(match.literal) + 1
        return matches

    def _specific(self, tokens: Sequence[Token], words: Sequence[str], match: ActionMatch) -> ActionMatch:
        """"gave Ukraine military aid": a verb pattern whose object is a narrower action phrase of
        the same CAMEO root ("military aid", 072) takes that phrase's code (not "give aid", 070)."""
        for position in range(match.head_end, max(match.literal)):
            if words[position] not in self._starts:
                continue
            inner = self.best_match_at(tokens, words, position)
            if (
                inner is not None and not inner.verbal and inner.code[:2] == match.code[:2]
                and len(inner.code) >= len(match.code) and inner.code > match.code and match.code.endswith("0")
                and max(inner.literal) <= max(match.literal)
            ):
                return match._replace(code=inner.code, narrowed_by=inner.literal)
        return match


# Auxiliaries of the passive ("were lifted") and the words that may stand before them ("have
# been", "will be", "had not been").
_PASSIVE_AUXILIARIES = frozenset(read_cues()["passive_auxiliaries"])
_PASSIVE_LEAD_INS = frozenset(read_cues()["passive_lead_ins"])

# Before these words an "-ed" form is an adjective: "the jailed leader", "areas of burned homes".
_DETERMINERS = frozenset(read_cues()["adjective_determiners"])


def _is_adjective(tokens: Sequence[Token], position: int) -> bool:
    """"Russian-backed", "U.S.-led", "the jailed leader": a participle used as an adjective."""
    word = tokens[position].lower
    if position >= 1 and tokens[position - 1].lower in _DETERMINERS and word.endswith("ed"):
        return True
    if position < 2:
        return False
    hyphen, before = tokens[position - 1], tokens[position - 2]
    return hyphen.text == "-" and hyphen.start == before.end and tokens[position].start == hyphen.end
