"""Private people as targets: "prosecutors charged Maxwell", "police arrested a man".

The dictionaries know states, organisations, roles and office holders, not the private people
political actors act on. A personal name, or a noun that names a private person ("a 57-year-old
man", "the suspect": ``private_person_heads`` of ``syntax_roles.json``), that is the direct object
of such an action is coded as a civilian (``---CVL``; the coder gives it the country of the
article as it does any actor without one), as the judging rules say: "a person with no public
role is CVL of their country".
"""

from __future__ import annotations

from typing import Optional, Sequence

from transforms.coding.actors import UNKNOWN_COUNTRY, Actor
from transforms.coding.geo import Gazetteer
from transforms.coding.syntax.parse import Parse
from transforms.coding.text import Token


def private_person(
    tokens: Sequence[Token],
    actors: Sequence[Actor],
    parse: Parse,
    words: Sequence[Optional[int]],
    objects: Sequence[int],
    skipped_words: set[Optional[int]],
    not_names: frozenset[str],
    gazetteer: Gazetteer,
    person_nouns: frozenset[str] = frozenset(),
) -> Optional[Actor]:
    """The first of ``objects`` (parse words done to) that is a direct object named by a proper
    name no actor covers and no place is (``Actor`` spanning the capitalised name, kind "private"),
    or by one of ``person_nouns`` ("man", "suspect": ``Actor`` spanning that noun), or None.
    ``words[i]`` is the parse word of token ``i``; ``skipped_words`` are parse words of the
    action's own pattern; ``not_names`` are capitalised words that name nobody ("Monday")."""
    taken = {position for actor in actors for position in range(actor.start, actor.end)}
    for word in objects:
        # The parser reads "arrested Bryan Kohberger" as an indirect object now and then.
        if word in skipped_words or parse.deps[word] not in ("obj", "iobj"):
            continue
        # An object is a noun whatever its tag ("arrested two suspects" is tagged a verb now and then).
        if parse.pos[word] != "PROPN" and parse.words[word].lower() in person_nouns:
            positions = [position for position, token_word in enumerate(words) if token_word == word]
            if positions and not taken.intersection(positions):
                return Actor(positions[0], positions[-1] + 1, UNKNOWN_COUNTRY + "CVL", parse.words[word], None, "CVL", False, "private")
            continue
        if parse.pos[word] != "PROPN":
            continue
        name_words = {word} | {child for child in parse.children(word) if parse.deps[child] == "flat"}
        positions = [position for position, token_word in enumerate(words) if token_word in name_words]
        if not positions or taken.intersection(positions) or any(tokens[p].lower in not_names for p in positions):
            continue
        start, end = positions[0], positions[-1] + 1
        # "Bryan Kohberger": the parser hangs first names on the surname.
        while (
            start > 0
            and start - 1 not in taken
            and tokens[start - 1].text[:1].isupper()
            and words[start - 1] is not None
            and parse.pos[words[start - 1]] == "PROPN"
        ):
            start -= 1
        if gazetteer.lookup(tokens, start) is not None:
            continue  # "attacked Kharkiv": a place, not a person
        name = " ".join(token.text for token in tokens[start:end])
        return Actor(start, end, UNKNOWN_COUNTRY + "CVL", name, None, "CVL", False, "private")
    return None
