"""What a whole article tells each of its sentences: its home country, the people it has
introduced ("Mexican Foreign Minister Marcelo Ebrard" then "Ebrard said"), and whether its lead
makes it off-topic (sport, business, weather ...)."""

from __future__ import annotations

import datetime
from collections import Counter
from typing import Optional, Sequence

from transforms.coding.actors import Actor
from transforms.coding.geo import LOCATIVE_PREPOSITIONS, Place
from transforms.coding.lexicon import Lexicon
from transforms.coding.text import MAX_SENTENCE_CHARS, Token, token_words, tokenize

# What a sentence's place counts toward the article's home, against 1 for a country it names.
PLACE_WEIGHT = 0.5
# Surnames shorter than this are too often initials or particles to be remembered.
MIN_SURNAME_LENGTH = 3


def article_context(
    lexicon: Lexicon, sentences: Sequence[str], base: datetime.date
) -> tuple[Optional[Place], dict[int, dict[str, Actor]], dict[int, dict[str, Actor]], dict[int, Actor]]:
    """What the whole article tells each sentence: its home country, for "the minister" or
    "police" without a country (the country named, by an actor or a place, in most of its
    sentences, the first named on a tie: on the judged dev sample an actor left without a
    country was never right, one given the article's country often was); per sentence the
    surnames of people it introduces with a role ("Mexican Foreign Minister Marcelo Ebrard" ->
    "ebrard": MEXGOV); and per sentence the countries' bodies it names, for a later "the
    ministry" ("Russia's Defense Ministry" -> "the ministry": RUSGOV, ``definite_reference``);
    and per sentence the body or country it opens with, for an "It" opening the next one
    (``opening_body``). A text of one sentence has no home: its own place decides."""
    counts: Counter[str] = Counter()  # float weights: a place counts less than an actor
    introductions: dict[int, dict[str, Actor]] = {}
    bodies: dict[int, dict[str, Actor]] = {}
    openers: dict[int, Actor] = {}
    for index, sentence in enumerate(sentences):
        if len(sentence) > MAX_SENTENCE_CHARS:
            continue  # no prose: the coder skips it too
        words = token_words(sentence)
        names_actor = not words.isdisjoint(lexicon.actors.key_words)
        if not names_actor and words.isdisjoint(LOCATIVE_PREPOSITIONS):
            continue
        tokens = tokenize(sentence)
        actors = lexicon.actors.actors(tokens, base) if names_actor else []
        named = list(dict.fromkeys(actor.country for actor in actors if actor.country))  # in order: ties go to the first
        counts.update(named)
        # A story set in Indianapolis and Fort Worth is American even if it never says so; a place
        # name counts half an actor, since many are ambiguous ("Barry" county or Welsh town).
        place = lexicon.gazetteer.locate(tokens)
        if place is not None and place.country and place.country not in named:
            counts[place.country] += PLACE_WEIGHT
        for actor in actors:
            name = surname(lexicon, tokens, actor)
            if name is not None:
                introductions.setdefault(index, {})[name] = actor
            role = definite_reference(tokens, actor)
            if role is not None:
                bodies.setdefault(index, {})[role] = actor
        opener = opening_body(tokens, actors)
        if opener is not None:
            openers[index] = opener
    home = None
    if len(sentences) > 1 and counts:
        home = Place("", counts.most_common(1)[0][0], None, None)
    return home, introductions, bodies, openers


def opening_body(tokens: Sequence[Token], actors: Sequence[Actor]) -> Optional[Actor]:
    """The body or country a sentence opens with ("The Indian government on Friday banned ...":
    INDGOV; "China's foreign ministry said ..."), which an "It" opening the next sentence stands
    for; None for a person, an actor of no country or one after other words."""
    if not actors:
        return None
    first = actors[0]
    if first.kind == "person" or not (first.has_country or first.kind == "org"):
        return None
    before = [token.lower for token in tokens[: first.start]]
    return first if before in ([], ["the"]) else None


def definite_reference(tokens: Sequence[Token], actor: Actor) -> Optional[str]:
    """The key under which a country's body is remembered for a later "the <role>": "Russia's
    Defense Ministry" -> "the ministry", "Israeli forces" -> "the forces"; None for an actor
    without a country or a role (a country, a person's name)."""
    if actor.kind != "role" or actor.type is None or not actor.has_country:
        return None
    last = tokens[actor.end - 1]
    return f"the {last.lower}" if last.text.isalpha() else None


def surname(lexicon: Lexicon, tokens: Sequence[Token], actor: Actor) -> Optional[str]:
    """The surname closing an actor named with a role and a person's name, else None."""
    if actor.type is None or actor.kind not in ("role", "person") or actor.end - actor.start < 2:
        return None
    last = tokens[actor.end - 1]
    if not (last.text[:1].isupper() and last.text.isalpha() and len(last.text) >= MIN_SURNAME_LENGTH):
        return None
    # A dictionary word is no surname ("the Federal Police"), unless the phrase is an office
    # holder our table knows ("Defense Secretary Mark Esper": "Esper" is remembered with his office).
    known_person = actor.kind == "person" and actor.type != "ELI"
    if (last.lower in lexicon.actors.key_words and not known_person) or tokens[actor.end - 2].lower in lexicon.cues.not_name_links:
        return None
    return last.lower


def remembered(
    lexicon: Lexicon,
    tokens: Sequence[Token],
    actors: list[Actor],
    known_names: dict[str, Actor],
    blocked: frozenset[int],
) -> list[Actor]:
    """``actors`` with the surnames of people introduced earlier in the article added, "he" or
    "she" when ``known_names`` maps them to the person just introduced, and "the ministry", "the
    army" as the country's body the article named before."""
    prepositions = lexicon.cues.subject_blocking_prepositions
    # "Russia's Defense Ministry said ..." then "The ministry added ...": the body named last with
    # a country, if of the same kind (``definite_reference``).
    actors = [
        known._replace(start=actor.start, end=actor.end, name=actor.name, after_preposition=actor.after_preposition)
        if actor.kind == "role" and not actor.has_country and actor.start > 0 and tokens[actor.start - 1].lower == "the"
        and (known := known_names.get(f"the {tokens[actor.end - 1].lower}")) is not None and known.type == actor.type
        else actor
        for actor in actors
    ]
    # "Secretary of State Mike Pompeo ..." then "Pompeo said": the office the article gave him
    # wins over our table's dates, which for an undated article are today's.
    actors = [
        known._replace(start=actor.start, end=actor.end, after_preposition=actor.after_preposition)
        if actor.kind == "person" and actor.type == "ELI" and actor.end - actor.start == 1
        and (known := known_names.get(tokens[actor.start].lower)) is not None and known.type != "ELI"
        and known.country == actor.country
        else actor
        for actor in actors
    ]
    taken = {position for actor in actors for position in range(actor.start, actor.end)}
    added = [
        known_names[token.lower]._replace(
            start=position,
            end=position + 1,
            after_preposition=position > 0 and tokens[position - 1].lower in prepositions,
        )
        for position, token in enumerate(tokens)
        if token.lower in known_names
        and (token.text[:1].isupper() or token.lower in lexicon.roles.person_pronouns)
        and position not in taken
        and position not in blocked
    ]
    return sorted(actors + added, key=lambda actor: actor.start) if added else actors


def is_offtopic_lead(lexicon: Lexicon, lead: Sequence[str], base: datetime.date) -> bool:
    """Is the story about sport, money, weather ...? Its lead says so and names no political role."""
    lead = [sentence for sentence in lead if len(sentence) <= MAX_SENTENCE_CHARS]  # prose only
    actors_per_sentence = [
        lexicon.actors.actors(tokenize(sentence), base)
        if not token_words(sentence).isdisjoint(lexicon.actors.key_words)  # else it names no actor
        else []
        for sentence in lead
    ]
    if any(lexicon.relevance.has_political_role(actors) for actors in actors_per_sentence):
        return False
    return any(
        lexicon.relevance.offtopic(sentence, actors) for sentence, actors in zip(lead, actors_per_sentence)
    )
