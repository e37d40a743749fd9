"""English word forms for the pattern files: every inflection of a verb lemma, plural of a noun.

Over-generation is harmless (a form like "visitting" never occurs in text), so the rules are
simple; irregular verbs come from ``data/irregular_verbs.tsv``.
"""

from __future__ import annotations

import functools
from pathlib import Path

IRREGULAR_VERBS = Path(__file__).resolve().parent / "data" / "irregular_verbs.tsv"
_VOWELS = set("aeiou")


@functools.lru_cache(maxsize=1)
def _irregular_table() -> dict[str, list[set[str]]]:
    """Lemma -> [past forms, participles, other forms] from the data file."""
    table: dict[str, list[set[str]]] = {}
    for line in IRREGULAR_VERBS.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        lemma, *cells = line.split("\t")
        table[lemma] = [{form for form in cell.split("|") if form} for cell in cells]
    return table


@functools.lru_cache(maxsize=1)
def _irregular_participles() -> frozenset[str]:
    return frozenset(
        form for past, participles, *_ in _irregular_table().values() for form in past | participles
    )


def _doubles_final_consonant(lemma: str) -> bool:
    """CVC endings ("ban", "plan", "admit") may double the consonant before -ed/-ing."""
    return (
        len(lemma) >= 3
        and lemma[-1] not in _VOWELS
        and lemma[-1] not in "wxy"
        and lemma[-2] in _VOWELS
        and lemma[-3] not in _VOWELS
    )


def verb_forms(lemma: str) -> set[str]:
    """All forms of a (lower-case) verb lemma: base, third person, past, participles."""
    forms = {lemma}
    if lemma.endswith("e"):
        forms |= {lemma + "s", lemma + "d", lemma[:-1] + "ing"}
    elif lemma.endswith("y") and lemma[-2:-1] not in _VOWELS:
        forms |= {lemma[:-1] + "ies", lemma[:-1] + "ied", lemma + "ing"}
    else:
        third = lemma + "es" if lemma.endswith(("s", "sh", "ch", "x", "z", "o")) else lemma + "s"
        forms |= {third, lemma + "ed", lemma + "ing"}
        if _doubles_final_consonant(lemma):
            forms |= {lemma + lemma[-1] + "ed", lemma + lemma[-1] + "ing"}
    irregular = _irregular_table().get(lemma)
    if irregular:
        # Irregular verbs have no "-ed" forms ("bed" is not a form of "be").
        forms = {form for form in forms if not form.endswith("ed") or form == lemma}
        for cell in irregular:
            forms |= cell
    return forms


def noun_forms(noun: str) -> set[str]:
    """Singular and plural of a (lower-case) noun."""
    if noun.endswith("y") and noun[-2:-1] not in _VOWELS:
        return {noun, noun[:-1] + "ies"}
    if noun.endswith(("s", "sh", "ch", "x", "z")):
        return {noun, noun + "es"}
    return {noun, noun + "s"}


def is_past_participle(word: str) -> bool:
    """Could this verb form be a past participle? (used to recognise the passive voice)."""
    return word.endswith("ed") or word in _irregular_participles()
