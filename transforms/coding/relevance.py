"""Which sentences are not geopolitical: sports, business, weather, accidents, ordinary crime and
celebrity news.

The rule (documented in docs/event-coding.md): a sentence with words of those topics, or a sports
score, gives no events unless one of its actors is a political actor with a role (government,
military, rebels, opposition, an international organisation ...): a bare country name does not
count, since teams and markets are named after countries. An article whose first three sentences
talk about those topics and name no political role (a sports report's lead) is off-topic
throughout, except for sentences that name a political role. A bare statement ("officials said") in
such a sentence is not coded either. Police and courts acting on people are coded when the
sentence names them (annotators of real news count arrests and indictments as events); the topic
words ("theft", "murder", "fraud" ...) keep ordinary crime stories out.
"""

from __future__ import annotations

import re
from typing import Iterable, Sequence

from transforms.coding.actors import Actor
from transforms.coding.cue_data import read_cues


def _prefix_tree(words: Iterable[str]) -> str:
    """A regular expression for any of ``words``, with shared prefixes written once ("award",
    "awards", "away" -> "awa(?:rd(?:s|)|y)"): a flat alternation makes the regex engine try every
    word at every position of a sentence, the tree only the words that start as the text does.
    It matches the same texts as the flat alternation, which is all ``has_topic_words`` asks."""
    tree: dict = {}
    for word in words:
        node = tree
        for character in word:
            node = node.setdefault(character, {})
        node[""] = {}  # a word ends here

    def expression(node: dict) -> str:
        branches = [re.escape(character) + expression(child) for character, child in sorted(node.items()) if character]
        if "" in node:
            branches.append("")
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    return expression(tree)


def _any_word(words: Iterable[str]) -> re.Pattern:
    return re.compile(r"\b" + _prefix_tree(words) + r"\b", re.IGNORECASE)


class RelevanceFilter:
    """Topic cues from ``cues.json``, compiled once."""

    def __init__(self, cues: dict) -> None:
        self._topic = _any_word(word for group in cues["offtopic"].values() for word in group)
        self._score = re.compile(cues["score_pattern"])
        # Sport, where "Spain" and "England" are teams (the topics of data/cues.json when ``cues``
        # holds only topic words, as a test's hand-made cues do).
        teams = cues if "team_topics" in cues else read_cues()
        self._team_words = _any_word(
            [word for topic, group in cues["offtopic"].items() if topic in teams["team_topics"] for word in group]
            + list(teams["team_words"])
        )
        self._other_topics = _any_word(
            word for topic, group in cues["offtopic"].items() if topic not in cues["disaster_topics"] for word in group
        )
        # Money between two states is politics ("China warned the US over arms sales").
        interstate = cues.get("interstate_topics", [])
        self._not_interstate_topics = _any_word(
            word for topic, group in cues["offtopic"].items() if topic not in interstate for word in group
        )
        # Roles that make a sentence political even when it mentions sport, money or weather (those
        # of data/cues.json when ``cues`` holds only topic words, as a test's hand-made cues do).
        roles = cues["topic_overriding_roles"] if "topic_overriding_roles" in cues else read_cues()["topic_overriding_roles"]
        self._political_roles = frozenset(roles)
        fiction = cues if "fiction_works" in cues else read_cues()
        works, verbs = _prefix_tree(fiction["fiction_works"]), _prefix_tree(fiction["fiction_verbs"])
        # "In the novel, ...", "In the new Netflix series, ...", "The film follows ...", "A 2019
        # thriller imagines ...": up to two words may qualify the work.
        # "In season two, ...", "The plot of the thriller sees ...".
        self._fiction = re.compile(
            rf"^\W*(?:in (?:the|a|an|this|that|his|her|their|its) (?:[\w'-]+ ){{0,2}}{works}\s*,"
            rf"|in (?:season|series|episode|part) [\w-]+\s*,"
            rf"|(?:the (?:plot|story|premise) of )?(?:the|a|an|this|that|his|her|their|its) (?:[\w'-]+ ){{0,2}}"
            rf"{works} {verbs}\b)",
            re.IGNORECASE,
        )

    def offtopic(self, sentence: str, actors: Sequence[Actor]) -> bool:
        """True when the sentence is about a non-political topic and has no political role in it.
        Trade and money words (``interstate_topics``) do not count in a sentence naming two
        countries: "China warned the US over arms sales" is politics, "Toyota's sales rose" not."""
        if self.has_political_role(actors):
            return False
        if len({actor.country for actor in actors if actor.kind == "country" and actor.country}) >= 2:
            return bool(self._score.search(sentence) or self._not_interstate_topics.search(sentence))
        return self.has_topic_words(sentence)

    def tells_fiction(self, sentence: str) -> bool:
        """Does the sentence tell the plot of a work of fiction (``fiction_works``): opening inside
        one ("In the novel, the Soviet army invades Alaska") or with one doing a plot verb
        (``fiction_verbs``: "The film follows a rebel commander who seizes the capital")?"""
        return bool(self._fiction.search(sentence))

    def has_political_role(self, actors: Sequence[Actor]) -> bool:
        """A government, army, rebel group ... named as such (a capital city alone does not count:
        "Paris" in a rugby report is a venue)."""
        return any(actor.type in self._political_roles and actor.kind != "capital" for actor in actors)

    def names_teams(self, sentence: str) -> bool:
        """Does the sentence talk about sport (a score, ``team_topics`` or ``team_words`` words),
        where countries are teams, not states?"""
        return bool(self._score.search(sentence) or self._team_words.search(sentence))

    def has_topic_words(self, sentence: str) -> bool:
        """Does the sentence talk about sport, money, weather, accidents, crime or celebrities?"""
        return bool(self._score.search(sentence) or self._topic.search(sentence))

    def has_other_topic_words(self, sentence: str) -> bool:
        """Does the sentence talk about sport, money, crime or celebrities (anything but a storm,
        flood or crash)? Relief sent to a country after an earthquake is still an event."""
        return bool(self._score.search(sentence) or self._other_topics.search(sentence))
