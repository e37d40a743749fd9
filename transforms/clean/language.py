"""The language of an article as an ISO 639-1 code, from what the page declares and what its text is.

A page declares its language in ``<html lang>``, Content-Language or ``og:locale``, but templates
declare one language for every page of a site, whatever each article is written in. So the text
decides when py3langid is sure of it: the text is long enough, the detected language is probable
enough, and it is not a close relative of the declared one that the model tells apart unreliably
(``data/language_relatives.txt``). Otherwise the declaration stands; without one, the detected
language is taken.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from importlib import resources

import pycountry
from lxml.html import HtmlElement
from py3langid.langid import MODEL_FILE, LanguageIdentifier

# "en", "en-US", "en_GB", "pt-br", "fil-PH": the primary subtag names the language.
_LANGUAGE_TAG = re.compile(r"^\s*([a-zA-Z]{2,3})(?:[-_][a-zA-Z0-9]+)*\s*$")
# Web addresses in an article (photo credits, "Registration: https://...") are in no language, and
# their slugs carry other languages' words: "unsplash.com/de/fotos/lila-und-blaue-lichter" is German.
_WEB_ADDRESS = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
# Detection on a few thousand characters is as good as on the whole text and much cheaper.
DETECTION_SAMPLE_CHARS = 3000
# Checking a declared language needs less: most pages agree with their declaration, and detection
# costs in proportion to the characters read (3,000: about 2.5 ms a page, 1,000: about 1.2 ms, with
# the same answer on all 1,019 dev pages; 500 changed one).
CHECK_SAMPLE_CHARS = 1000
# Below this the n-gram model guesses more than it knows.
MIN_DETECTION_CHARS = 20
# The text overrules the page's declaration only from a few sentences on (below 200 characters the
# model is confidently wrong on a few windows of the dev articles, above it on none) and only when
# the model is sure; its probabilities sharpen with length, so short texts rarely reach this.
MIN_OVERRIDE_CHARS = 200
MIN_OVERRIDE_PROBABILITY = 0.95


def _data_lines(name: str) -> list[str]:
    text = resources.files("transforms.clean").joinpath("data", name).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


@functools.cache
def _iso_639_1_codes() -> dict[str, str]:
    """Two- and three-letter language codes -> the ISO 639-1 code newsbeam reports."""
    codes: dict[str, str] = {}
    for language in pycountry.languages:
        if alpha_2 := getattr(language, "alpha_2", None):
            codes[alpha_2] = alpha_2
            codes[language.alpha_3] = alpha_2
            if bibliographic := getattr(language, "bibliographic", None):
                codes[bibliographic] = alpha_2
    for line in _data_lines("language_aliases.tsv"):
        code, alpha_2 = line.split("\t")
        codes[code] = alpha_2
    return codes


def load_relatives() -> dict[str, frozenset[str]]:
    """Each language -> the languages py3langid confuses it with, from ``data/``."""
    relatives: dict[str, set[str]] = defaultdict(set)
    for line in _data_lines("language_relatives.txt"):
        group = line.split()
        for language in group:
            relatives[language].update(other for other in group if other != language)
    return {language: frozenset(others) for language, others in relatives.items()}


@functools.lru_cache(maxsize=4096)  # called for each of the model's ~100 labels on every page
def normalise_language_tag(tag: str | None) -> str | None:
    """``"en-US"`` -> ``"en"``, ``"nb-NO"`` -> ``"no"``; tags naming no ISO 639-1 language -> ``None``.

    ``x-default``, ``und``, ``mul``, ``zxx`` and codes of no language (``"xx"``) are not languages.
    """
    if not tag:
        return None
    match = _LANGUAGE_TAG.match(tag)
    return _iso_639_1_codes().get(match.group(1).lower()) if match else None


def declared_language(tree: HtmlElement) -> str | None:
    """The language the page declares: ``<html lang>``, Content-Language or ``og:locale``."""
    candidates = [tree.get("lang"), tree.get("{http://www.w3.org/XML/1998/namespace}lang")]
    for meta in tree.iter("meta"):
        key = (meta.get("http-equiv") or meta.get("property") or meta.get("name") or "").lower()
        if key in ("content-language", "og:locale", "language", "dc.language"):
            candidates.append(meta.get("content"))
    for candidate in candidates:
        if language := normalise_language_tag(candidate):
            return language
    return None


def _sample(text: str, chars: int = DETECTION_SAMPLE_CHARS) -> str:
    """The start of the text that detection reads, without web addresses."""
    return _WEB_ADDRESS.sub(" ", text[:chars]).strip()


class LanguageDetector:
    """Identifies the language of a text with py3langid's bundled model, loaded once."""

    def __init__(self) -> None:
        self._identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        self._relatives = load_relatives()

    def _pooled(self, sample: str) -> dict[str | None, float]:
        """Probability of each ISO 639-1 code (varieties of one language added up)."""
        pooled: dict[str | None, float] = defaultdict(float)
        for label, probability in self._identifier.rank(sample):
            pooled[normalise_language_tag(label)] += probability
        return pooled

    def _guess(self, sample: str) -> tuple[str | None, float]:
        """The most probable ISO 639-1 code and its probability; ``None`` for labels without one.

        The model's varieties of one language (Egyptian and Moroccan Arabic, Cantonese...) pool
        their probability under the language's code.
        """
        pooled: dict[str | None, float] = defaultdict(float)
        for label, probability in self._identifier.rank(sample):
            pooled[normalise_language_tag(label)] += probability
        return max(pooled.items(), key=lambda item: item[1])

    def detect(self, text: str) -> str | None:
        """The most likely ISO 639-1 code, or ``None`` for text too short to tell."""
        sample = _sample(text)
        if len(sample) < MIN_DETECTION_CHARS:
            return None
        return self._guess(sample)[0]

    def article_language(self, declared: str | None, text: str) -> str | None:
        """The declared language unless the text is confidently in another, unrelated one."""
        if declared is None:
            return self.detect(text)
        sample = _sample(text, CHECK_SAMPLE_CHARS)
        if len(sample) < MIN_OVERRIDE_CHARS:
            return declared
        pooled = self._pooled(sample)
        detected = max(pooled, key=pooled.__getitem__)
        if detected is None or detected == declared or detected in self._relatives.get(declared, ()):
            return declared
        # The model splits its certainty between close relatives (Indonesian and Malay): their
        # share together is what says the text is not in the declared, unrelated language.
        family = {detected, *self._relatives.get(detected, ())}
        if sum(pooled.get(code, 0.0) for code in family) < MIN_OVERRIDE_PROBABILITY:
            return declared
        return detected
