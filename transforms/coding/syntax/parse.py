"""Dependency parses of sentences, aligned with the coder's own tokens.

The model in ``model/`` is a small spaCy pipeline (tagger, morphologizer, dependency parser; no word
vectors, about 8 MB) trained on the Universal Dependencies English Web Treebank by
``training/syntax/train.py`` (``make model``); it is derived from the treebank and so is licensed
CC BY-SA 4.0. It loads from the package folder, never from a model hub.

``SyntaxModel.parse_many(sentences)`` returns one ``Parse`` per sentence: per spaCy word its head,
Universal Dependencies relation, UPOS and Penn Treebank tag, with ``word_of`` mapping a coder token
(by its character offset) to the word that covers it.
"""

from __future__ import annotations

import functools
from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional, Sequence

from transforms.coding.text import Token

MODEL_DIR = Path(__file__).resolve().parent / "model"
# Sentences parsed together: spaCy batches the encoder over them.
PARSE_BATCH = 64


@dataclass(frozen=True)
class Parse:
    """One sentence's dependency parse. Word ``i`` spans characters ``starts[i]`` to ``ends[i]``;
    ``heads[i]`` is its head's index (itself for the root), ``deps[i]`` the UD relation
    (``nsubj``, ``obj``, ``obl:agent`` ...), ``pos[i]`` the UPOS tag, ``tags[i]`` the PTB tag,
    ``passive[i]`` whether the morphologizer marked the word ``Voice=Pass``."""

    words: tuple[str, ...]
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    heads: tuple[int, ...]
    deps: tuple[str, ...]
    pos: tuple[str, ...]
    tags: tuple[str, ...]
    passive: tuple[bool, ...]

    def word_at(self, offset: int) -> Optional[int]:
        """The word covering character ``offset``, or None (a space, or past the end)."""
        index = bisect_right(self.starts, offset) - 1
        if index >= 0 and offset < self.ends[index]:
            return index
        return None

    def word_of(self, token: Token) -> Optional[int]:
        return self.word_at(token.start)

    @functools.cached_property
    def _children(self) -> tuple[tuple[int, ...], ...]:
        """Each word's dependents, in order: the role finder asks for them many times a sentence."""
        dependents: list[list[int]] = [[] for _ in self.heads]
        for child, head in enumerate(self.heads):
            if head != child:
                dependents[head].append(child)
        return tuple(tuple(words) for words in dependents)

    def children(self, word: int) -> list[int]:
        return list(self._children[word])

    def subtree(self, word: int) -> set[int]:
        """``word`` and every word below it."""
        found = {word}
        frontier = [word]
        while frontier:
            for child in self._children[frontier.pop()]:
                if child not in found:
                    found.add(child)
                    frontier.append(child)
        return found

    def ancestors(self, word: int) -> list[int]:
        """``word`` and the words above it, up to the root, nearest first (a cycle in a
        malformed parse stops the walk)."""
        found = [word]
        while self.heads[found[-1]] != found[-1] and self.heads[found[-1]] not in found:
            found.append(self.heads[found[-1]])
        return found

    def relation(self, word: int) -> str:
        """The relation without its subtype (``obl:agent`` -> ``obl``)."""
        return self.deps[word].split(":", 1)[0]

    def case_of(self, word: int) -> Optional[str]:
        """The preposition marking a nominal ("from" in "from the EU"), lower-cased."""
        for child in self.children(word):
            if self.deps[child] == "case":
                return self.words[child].lower()
        return None


PROBE_SENTENCE = "The minister said the talks would resume."


class SyntaxModelError(RuntimeError):
    """The shipped model is missing or damaged; the message says what to do."""


@functools.lru_cache(maxsize=1)
def _load(path: str):
    """Load and try the model once per process; a damaged model fails here, with one clear line,
    not later on every article."""
    import spacy

    try:
        nlp = spacy.load(path)
        nlp(PROBE_SENTENCE)
    except Exception as exc:  # spaCy raises many kinds (KeyError, ValueError, config errors ...)
        raise SyntaxModelError(
            f"the syntax model at {path} is damaged ({type(exc).__name__}: {str(exc)[:120]}); "
            "reinstall newsbeam or rebuild the model with `make model`"
        ) from exc
    return nlp


class SyntaxModel:
    """The committed parser; build once per process or DoFn (``DoFn.setup``)."""

    def __init__(
        self,
        path: Optional[Path] = None,
        temporal_words: frozenset[str] = frozenset(),
        gerund_subordinators: frozenset[str] = frozenset(),
    ) -> None:
        """``path`` defaults to the shipped model (``MODEL_DIR``); ``temporal_words`` ("today",
        "Monday" ...) are never a subject (``repair_temporal_subject``); after one of
        ``gerund_subordinators`` ("before", "after" ...) an -ing word is a verb
        (``repair_gerund_after_subordinator``). Raises ``SyntaxModelError`` when the model is
        missing or damaged."""
        path = path if path is not None else MODEL_DIR
        if not (path / "meta.json").is_file():
            raise SyntaxModelError(f"the syntax model is missing at {path}; reinstall newsbeam or rebuild it with `make model`")
        self._nlp = _load(str(path))
        self._temporal_words = temporal_words
        self._gerund_subordinators = gerund_subordinators

    def parse_many(self, sentences: Iterable[str]) -> list[Parse]:
        return [self._repaired(to_parse(doc)) for doc in self._nlp.pipe(sentences, batch_size=PARSE_BATCH)]

    def parse(self, sentence: str) -> Parse:
        return self._repaired(to_parse(self._nlp(sentence)))

    def _repaired(self, parse: Parse) -> Parse:
        if self._gerund_subordinators:
            parse = repair_gerund_after_subordinator(parse, self._gerund_subordinators)
        return repair_temporal_subject(parse, self._temporal_words) if self._temporal_words else parse


def to_parse(doc) -> Parse:
    """A spaCy ``Doc`` as a plain ``Parse`` (with ``repair_auxiliary_dependents``,
    ``repair_noun_with_particle``, ``repair_verbless_root``, ``repair_prepositional_subject`` and
    ``repair_name_as_adverb`` and ``repair_active_read_as_passive`` applied)."""
    return repair_active_read_as_passive(repair_name_as_adverb(repair_prepositional_subject(repair_verbless_root(repair_noun_with_particle(repair_auxiliary_dependents(Parse(
        words=tuple(token.text for token in doc),
        starts=tuple(token.idx for token in doc),
        ends=tuple(token.idx + len(token.text) for token in doc),
        heads=tuple(token.head.i for token in doc),
        deps=tuple(token.dep_ if token.dep_ != "ROOT" else "root" for token in doc),
        pos=tuple(token.pos_ for token in doc),
        tags=tuple(token.tag_ for token in doc),
        passive=tuple("Pass" in token.morph.get("Voice") for token in doc),
    )))))))


def repair_active_read_as_passive(parse: Parse) -> Parse:
    """"Turkey's foreign minister accused Sweden of harbouring terrorists": the parser may read a
    past tense as a passive participle, its subject as ``nsubj:pass``. A passive subject whose verb
    has no passive auxiliary ("was", "got") but a direct object of its own is the active subject
    (``nsubj``), and the verb no passive. Any other parse is returned unchanged."""
    deps, passive = list(parse.deps), list(parse.passive)
    changed = False
    for word, dep in enumerate(parse.deps):
        verb = parse.heads[word]
        if dep != "nsubj:pass" or verb == word:
            continue
        relations = {parse.deps[child] for child in parse.children(verb)}
        if "obj" in relations and "aux:pass" not in relations:
            deps[word], passive[verb] = "nsubj", False
            changed = True
    if not changed:
        return parse
    return Parse(parse.words, parse.starts, parse.ends, parse.heads, tuple(deps), parse.pos, parse.tags, tuple(passive))


def repair_temporal_subject(parse: Parse, temporal_words: frozenset[str]) -> Parse:
    """"Pakistan's president today rejected the offer": news puts a time word between subject and
    verb, and the parser takes it for the subject. A subject that is a time word with a noun phrase
    right before it gives its place to that phrase (its highest word before the time word)."""
    heads, deps = list(parse.heads), list(parse.deps)
    changed = False
    for word, dep in enumerate(parse.deps):
        if dep != "nsubj" or word == 0 or parse.words[word].lower() not in temporal_words:
            continue
        verb = parse.heads[word]
        before = word - 1
        if parse.pos[before] in ("VERB", "AUX", "PUNCT", "ADP", "SCONJ", "CCONJ", "PART") or verb <= word:
            continue
        top = before
        while heads[top] != top and heads[top] < word and heads[top] != verb:
            top = heads[top]
        heads[top], deps[top] = verb, "nsubj"
        heads[word], deps[word] = verb, "obl:tmod"
        changed = True
    if not changed:
        return parse
    return Parse(parse.words, parse.starts, parse.ends, tuple(heads), tuple(deps), parse.pos, parse.tags, parse.passive)


def repair_gerund_after_subordinator(parse: Parse, subordinators: frozenset[str]) -> Parse:
    """"The jury deliberated for ten minutes before convicting Webb": the parser may read the
    gerund after a subordinating word (``subordinators``: "before", "after", "while" ...) as an
    adjective of the noun after it ("before [convicting Webb]" as a kind of Webb). A present
    participle (or an -ing adjective) so read, right after such a word that hangs on it or on the
    same noun, becomes a verb: the word its marker, the noun its object, and it a clause of what
    the noun hung on. A participle describing a subject stays ("after rising demand pushed prices
    up": "after" marks "pushed")."""
    heads, deps, pos, tags = list(parse.heads), list(parse.deps), list(parse.pos), list(parse.tags)
    changed = False
    for word in range(1, len(parse.words)):
        noun, marker = parse.heads[word], word - 1
        if not (
            (parse.tags[word] == "VBG" or (parse.pos[word] == "ADJ" and parse.words[word].lower().endswith("ing")))
            and parse.deps[word] == "amod" and noun > word
            and parse.pos[noun] in ("NOUN", "PROPN") and parse.words[marker].lower() in subordinators
            and parse.heads[marker] in (noun, word) and parse.deps[noun] not in ("nsubj", "nsubj:pass", "root")
        ):
            continue
        governor = parse.heads[noun]
        heads[word], deps[word], pos[word], tags[word] = governor, "advcl", "VERB", "VBG"
        heads[marker], deps[marker] = word, "mark"
        heads[noun], deps[noun] = word, "obj"
        changed = True
    if not changed:
        return parse
    return Parse(parse.words, parse.starts, parse.ends, tuple(heads), tuple(deps), tuple(pos), tuple(tags), parse.passive)


def repair_noun_with_particle(parse: Parse) -> Parse:
    """"Its forces shot down 33 drones": the parser may tag a past tense that is also a noun
    ("shot", "set", "cut") as a noun, yet give it a verb's particle ("down"). Only verbs take
    particles: a noun without a determiner that has one becomes a verb (a past tense, or a past
    participle after a passive auxiliary)."""
    pos, tags = list(parse.pos), list(parse.tags)
    changed = False
    for word, head in enumerate(parse.heads):
        if parse.deps[word] != "compound:prt" or head == word or parse.pos[head] != "NOUN":
            continue
        if any(parse.relation(child) == "det" for child in parse.children(head)):
            continue  # "the shake-up", "a sit-in"
        passive = any(parse.deps[child] == "aux:pass" for child in parse.children(head))
        pos[head], tags[head] = "VERB", "VBN" if passive else "VBD"
        changed = True
    if not changed:
        return parse
    return Parse(parse.words, parse.starts, parse.ends, parse.heads, parse.deps, tuple(pos), tuple(tags), parse.passive)


def repair_auxiliary_dependents(parse: Parse) -> Parse:
    """"Bangladesh has once again rejected the proposal": the parser may hang the subject (or an
    adverb) on the auxiliary "has" instead of the verb it helps. An auxiliary heads nothing in
    Universal Dependencies, so whatever hangs on it belongs to its verb."""
    heads, deps = list(parse.heads), list(parse.deps)
    changed = False
    for word, head in enumerate(parse.heads):
        if head != word and parse.relation(head) == "aux" and parse.heads[head] != head and deps[word] != "punct":
            heads[word] = parse.heads[head]
            changed = True
    if not changed:
        return parse
    return Parse(parse.words, parse.starts, parse.ends, tuple(heads), tuple(deps), parse.pos, parse.tags, parse.passive)


def repair_prepositional_subject(parse: Parse) -> Parse:
    """"With the signing of the accord, the government and the rebels have agreed ...": the parser
    may take a fronted prepositional phrase for the subject and the real subject, after the comma,
    for an apposition inside it. A subject with a preposition of its own is an oblique; a phrase
    after a comma inside it that runs up to the verb is the subject."""
    heads, deps = list(parse.heads), list(parse.deps)
    changed = False
    for word, dep in enumerate(parse.deps):
        verb = parse.heads[word]
        # "With"/"Following"/"After" the ...: a preposition (tagged ADP, or VERB for "following").
        if dep != "nsubj" or verb <= word or not any(
            parse.deps[child] == "case" and child < word for child in parse.children(word)
        ):
            continue
        deps[word] = "obl"
        changed = True
        inside = parse.subtree(word)
        for candidate in sorted(inside):
            # The phrase with the names coordinated after it ("Pakistan and India", the parser
            # may hang "India" on the word "Pakistan" hangs on).
            coordinated = [
                other for other in inside
                if other > candidate and parse.deps[other] == "conj" and parse.heads[other] in (candidate, parse.heads[candidate])
            ]
            phrase = parse.subtree(candidate).union(*(parse.subtree(other) for other in coordinated))
            first = min(w for w in phrase if parse.pos[w] != "PUNCT" or w == candidate)
            if (
                candidate > word and parse.deps[candidate] in ("appos", "conj", "nmod")
                and parse.pos[candidate] in ("NOUN", "PROPN") and parse.words[first - 1] == ","
                and all(parse.deps[between] in ("aux", "aux:pass", "advmod", "punct") for between in range(max(phrase) + 1, verb))
            ):
                heads[candidate], deps[candidate] = verb, "nsubj"
                for other in coordinated:
                    heads[other] = candidate
                break
    if not changed:
        return parse
    return Parse(parse.words, parse.starts, parse.ends, tuple(heads), tuple(deps), parse.pos, parse.tags, parse.passive)


def repair_verbless_root(parse: Parse) -> Parse:
    """"The European Union eased sanctions on Venezuela": trained on web text, the parser often
    reads a short news sentence as one noun phrase, with the object noun as the root, the verb as
    its modifier and the subject hanging on it. When the root is a noun with a subject before a verb
    that modifies it, the verb becomes the root, the noun its object and the noun's prepositional
    phrases the verb's obliques."""
    root = next((word for word, dep in enumerate(parse.deps) if dep == "root"), None)
    if root is None or parse.pos[root] not in ("NOUN", "PROPN"):
        return parse
    verbs = [
        word for word in range(root)
        if (parse.pos[word] == "VERB" or parse.tags[word] in ("VBD", "VBZ", "VBP"))
        and parse.deps[word] in ("amod", "acl", "compound")
        and (parse.heads[word] == root or parse.heads[parse.heads[word]] == root)
    ]
    if not verbs:
        return parse
    verb = verbs[0]
    # The subject as the parser left it: a subject, or a noun phrase it hung on the verb as an
    # unmarked oblique ("Israel's defence minister threatened Hezbollah").
    subjects = [
        word for word in range(verb)
        if (parse.deps[word] == "nsubj" or (parse.deps[word] == "obl:unmarked" and parse.pos[word] in ("NOUN", "PROPN")))
        and parse.heads[word] in (verb, root)
    ]
    if not subjects:
        return parse
    children = parse.children(root)
    heads, deps = list(parse.heads), list(parse.deps)
    heads[verb], deps[verb] = verb, "root"
    heads[root], deps[root] = verb, "obj"
    heads[subjects[0]], deps[subjects[0]] = verb, "nsubj"
    for child in children:
        if parse.deps[child] == "nmod" and child > root:
            heads[child], deps[child] = verb, "obl"
        elif parse.deps[child] == "punct":
            heads[child] = verb
    return Parse(parse.words, parse.starts, parse.ends, tuple(heads), tuple(deps), parse.pos, parse.tags, parse.passive)


def repair_name_as_adverb(parse: Parse) -> Parse:
    """"Ukrainian forces shelled Donetsk": an unfamiliar capitalised name right after a verb
    that has no object is read as an adverb (or an open clause: "bombed Rafah"). Not the
    sentence's first word, where any word is capitalised. It becomes the verb's object, a proper
    noun."""
    heads, deps, pos, tags = list(parse.heads), list(parse.deps), list(parse.pos), list(parse.tags)
    changed = False
    for word in range(1, len(parse.words)):
        verb = word - 1
        if not (
            parse.words[word][:1].isupper() and parse.words[word].isalpha() and not parse.words[word].isupper()
            and parse.heads[word] == verb and parse.pos[verb] == "VERB"
            and ((parse.pos[word] == "ADV" and parse.deps[word] == "advmod") or (parse.pos[word] == "PROPN" and parse.deps[word] == "xcomp"))
            and not any(parse.deps[child] == "obj" for child in parse.children(verb))
        ):
            continue
        deps[word], pos[word], tags[word] = "obj", "PROPN", "NNP"
        changed = True
    if not changed:
        return parse
    return Parse(parse.words, parse.starts, parse.ends, tuple(heads), tuple(deps), tuple(pos), tuple(tags), parse.passive)


def repair_reported_clause(parse: Parse, say: int) -> Parse:
    """"Zelensky said the attack killed three civilians": after a verb of saying (word ``say``),
    the parser may read the reported clause as its object with a reduced relative ("said [the
    attack (that was) killed]"). A participle right after the object noun that has a direct object
    of its own is no passive: it becomes the reported clause (``ccomp`` of ``say``) and the noun
    its subject. Any other parse is returned unchanged."""
    for noun in parse.children(say):
        if parse.deps[noun] not in ("obj", "iobj") or parse.pos[noun] not in ("NOUN", "PROPN"):
            continue
        verb = noun + 1
        if not (
            verb < len(parse.words) and parse.heads[verb] == noun and parse.deps[verb] == "acl"
            and parse.pos[verb] == "VERB" and any(parse.deps[child] == "obj" for child in parse.children(verb))
        ):
            continue
        heads, deps = list(parse.heads), list(parse.deps)
        heads[verb], deps[verb] = say, "ccomp"
        heads[noun], deps[noun] = verb, "nsubj"
        return Parse(parse.words, parse.starts, parse.ends, tuple(heads), tuple(deps), parse.pos, parse.tags, parse.passive)
    return parse


def repair_misread_verb(parse: Parse, verb: int) -> Parse:
    """"U.S. President Donald Trump delivers remarks to U.S. troops", "The EU sanctioned Russian
    officials": in a sentence without a verb root, the parser may read a headline's present-tense
    verb as a plural noun, or a past tense as an adjective, the subject or modifier of the noun
    root after it. When the dictionaries know word ``verb`` as an action verb,
    it becomes the root, the noun root its object, the noun phrase before it its subject and the
    root's prepositional phrases its obliques. A past tense after the noun root, read as an
    adjective of the noun after it ("Uyghur activists accused Chinese authorities of torture"),
    becomes the root too: the noun root its subject, the noun it modified its object. Any other
    parse is returned unchanged."""
    root = next((word for word, dep in enumerate(parse.deps) if dep == "root"), None)
    if root is not None and verb > root:
        return _repair_verb_after_subject(parse, verb, root)
    if (
        root is None or verb >= root or parse.heads[verb] != root
        or parse.pos[root] not in ("NOUN", "PROPN") or parse.pos[verb] not in ("NOUN", "PROPN", "ADJ", "VERB")
        or parse.deps[verb] not in ("nsubj", "compound", "amod")
    ):
        return parse
    # "The EU sanctioned Russian officials" (a participle read as an adjective) has a subject;
    # "Niger's detained president" has an owner, and stays a noun phrase.
    subjects = [
        word for word in range(verb)
        if parse.heads[word] in (verb, root) and parse.pos[word] in ("NOUN", "PROPN", "PRON")
        and parse.deps[word] != "nmod:poss"
    ]
    if not subjects:
        return parse
    subject = subjects[-1]
    heads, deps, pos, tags = list(parse.heads), list(parse.deps), list(parse.pos), list(parse.tags)
    heads[verb], deps[verb], pos[verb], tags[verb] = verb, "root", "VERB", "VBZ"
    heads[root], deps[root] = verb, "obj"
    heads[subject], deps[subject] = verb, "nsubj"
    for word in range(verb):
        if word != subject and heads[word] in (verb, root) and deps[word] != "punct":
            heads[word] = subject  # "the", "U.S." of the subject's phrase
    for child in parse.children(root):
        if parse.relation(child) in ("nmod", "obl") and child > root:
            heads[child], deps[child] = verb, "obl"
        elif parse.deps[child] == "punct":
            heads[child] = verb
    return Parse(parse.words, parse.starts, parse.ends, tuple(heads), tuple(deps), tuple(pos), tuple(tags), parse.passive)


def _repair_verb_after_subject(parse: Parse, verb: int, root: int) -> Parse:
    """"Uyghur activists [accused] Chinese authorities in Xinjiang of torture" read as one noun
    phrase: the past tense ``verb`` (VBD or VBN, an adjective of the noun after it, which hangs on
    the noun ``root``) becomes the root, ``root`` its subject, that noun its object, and the
    root's later phrases the verb's obliques. Any other parse is returned unchanged."""
    described = parse.heads[verb]
    if (
        parse.pos[root] not in ("NOUN", "PROPN") or parse.deps[verb] != "amod"
        or parse.tags[verb] not in ("VBD", "VBN") or described <= verb or parse.heads[described] != root
        or parse.pos[described] not in ("NOUN", "PROPN")
        or any(parse.pos[word] in ("VERB", "AUX") for word in range(root, verb))
    ):
        return parse
    heads, deps, pos, tags = list(parse.heads), list(parse.deps), list(parse.pos), list(parse.tags)
    heads[verb], deps[verb], pos[verb], tags[verb] = verb, "root", "VERB", "VBD"
    heads[root], deps[root] = verb, "nsubj"
    heads[described], deps[described] = verb, "obj"
    for child in parse.children(root):
        if child > described and parse.relation(child) in ("nmod", "obl"):
            heads[child], deps[child] = verb, "obl"
        elif child > verb and parse.deps[child] == "punct":
            heads[child] = verb
    return Parse(parse.words, parse.starts, parse.ends, tuple(heads), tuple(deps), tuple(pos), tuple(tags), parse.passive)


def token_words(parse: Parse, tokens: Sequence[Token], offset: int = 0) -> list[Optional[int]]:
    """For each coder token, the parse word that covers its first character; ``offset`` is where
    the parsed text starts in the tokens' sentence (after a dateline, say)."""
    return [parse.word_at(token.start - offset) for token in tokens]
