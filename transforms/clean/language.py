"""The language of an article as an ISO 639-1 code: declared by the page, else detected from its text."""

from __future__ import annotations

import re

from lxml.html import HtmlElement
from py3langid.langid import MODEL_FILE, LanguageIdentifier

# "en", "en-US", "en_GB", "pt-br": the primary subtag is what ISO 639-1 names.
_LANGUAGE_TAG = re.compile(r"^\s*([a-zA-Z]{2})(?:[-_][a-zA-Z0-9]+)*\s*$")
# Detection on a few thousand characters is as good as on the whole text and much cheaper.
DETECTION_SAMPLE_CHARS = 3000
# Below this the n-gram model guesses more than it knows.
MIN_DETECTION_CHARS = 20


def normalise_language_tag(tag: str | None) -> str | None:
    """``"en-US"`` -> ``"en"``; anything that is not a two-letter primary subtag -> ``None``."""
    if not tag:
        return None
    match = _LANGUAGE_TAG.match(tag)
    return match.group(1).lower() if match else None


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


class LanguageDetector:
    """Identifies the language of a text with py3langid's bundled model, loaded once."""

    def __init__(self) -> None:
        self._identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)

    def detect(self, text: str) -> str | None:
        """The most likely ISO 639-1 code, or ``None`` for text too short to tell."""
        sample = text[:DETECTION_SAMPLE_CHARS]
        if len(sample.strip()) < MIN_DETECTION_CHARS:
            return None
        language, _ = self._identifier.classify(sample)
        return normalise_language_tag(language)
