"""The event coder: text and a date in, CAMEO-coded events out.

For each sentence: find actions (``actions``) and actors (``actors``); chain each action with the
action it governs ("threatened to" + "attack" -> threaten military force); drop negated and
hypothetical actions; take the subject as source and the next actor as target (swapped in the
passive); code one event per source-target pair; fill in the derived fields. Most sentences of an
article name no action or no actor: a set look-up of their words skips them before all of that.
"""

from __future__ import annotations

import datetime
import json
from collections import Counter
from pathlib import Path
from typing import NamedTuple, Optional, Sequence

from schemas.events import CodedEvent
from transforms.coding import cameo
from transforms.coding.actions import ActionLexicon, ActionMatch
from transforms.coding.actors import UNKNOWN_COUNTRY, Actor, ActorDictionary
from transforms.coding.dates import DateLike, event_date, parse_date
from transforms.coding.geo import Gazetteer, Place
from transforms.coding.inflection import is_past_participle
from transforms.coding.relevance import RelevanceFilter
from transforms.coding.syntax.parse import Parse, SyntaxModel, token_words as parse_token_words
from transforms.coding.syntax.roles import RoleLexicon, actors_of, event_roles
from transforms.coding.text import (
    Token,
    dateline_end,
    is_initialism,
    is_month_name,
    normalise,
    split_paragraphs,
    split_sentences,
    token_words,
    tokenize,
)

CODER_VERSION = "newsbeam-coder 0.2"
DATA_DIR = Path(__file__).resolve().parent / "data"
# Sentences of the lead paragraph up to this many count as root events (GDELT's IsRootEvent).
ROOT_SENTENCES = 3
# The first sentences that decide whether a whole article is off-topic (sport, business ...).
LEAD_SENTENCES = 3
# How far (in tokens) an action's clause reaches to the right for its content and target.
CLAUSE_REACH = 14
# How far back an "if", "unless" or "whether" still makes an action hypothetical.
HYPOTHETICAL_REACH = 25
# Actions only a state's authorities take: arrest, detain or charge; deport.
STATE_ONLY_ACTIONS = frozenset({"173", "174"})
# Unconventional violence, done by a state's forces, and the conventional code it becomes.
STATE_FORCE_CODES = {"180": "190", "183": "195"}
STATE_FORCES = frozenset({None, "GOV", "MIL"})
RIOT = "145"
VIOLENT_REPRESSION = "175"
# Roots coded from a passive without its agent ("three soldiers were killed", "rebels were
# disarmed"): things done to someone. Statements, appeals, promises and meetings need a doer:
# "he was flown to Moscow" is no visit by anyone named.
PASSIVE_WITHOUT_AGENT_ROOTS = frozenset(f"{root:02d}" for root in range(5, 21))
# Roots below this are words and gestures (cooperation, demands, threats ...): done "by" someone
# who is no actor ("criticised by many") they are no event; violence by an unnamed hand still is.
VERBAL_ROOTS_END = "15"
# An article's home country (for "the minister", "police" without a country) is the country named in
# at least this many of its sentences, and this many times as often as the next one.
HOME_MIN_MENTIONS = 2
HOME_MARGIN = 1.5


class Chain(NamedTuple):
    """An action with the actions it governs folded in: one event's worth of meaning."""

    head: ActionMatch
    code: str
    end: int
    literal: frozenset[int]  # positions of the words its patterns name, over all folded actions
    # How its doer was found: "parse" (the parse's subject or agent), "order" (word order, where
    # the parse named nobody), "statement" (the speaker of a statement verb).
    evidence: str = "order"


def _specificity(code: str) -> tuple[int, int]:
    """More digits and a non-zero last digit make a code more specific ("1833" over "180")."""
    return (len(code) - code.endswith("0"), len(code))


class Coder:
    """Codes events in text; build once (dictionaries load here), then call ``code_text``."""

    def __init__(self) -> None:
        cues = json.loads((DATA_DIR / "cues.json").read_text(encoding="utf-8"))
        self._negations = frozenset(cues["negation"])
        self._hypotheticals = frozenset(cues["hypothetical"])
        self._breaks = frozenset(cues["clause_breaks"])
        self._passive_auxiliaries = frozenset(cues["passive_auxiliaries"])
        self._refinements = {
            root: sorted(pairs, key=lambda pair: -len(pair[0])) for root, pairs in cues["refinements"].items()
        }
        self._intent_negation_roots = frozenset(cues["intent_negation_roots"])
        self._object_verbs = frozenset(cues["object_verbs"])
        self._conditionals = frozenset(cues["conditionals"])
        self._content_keeping_frames = frozenset(cues["content_keeping_frames"])
        self._subordinators = frozenset(cues["subordinators"])
        self._content_keeping_roots = frozenset(cues["content_keeping_roots"])
        self._reported_demands = frozenset(cues["reported_demands"])
        self._political_types = frozenset(cues["political_types"])
        self._crowds = frozenset(cues["crowds"])
        self._relief_codes = tuple(cues["relief_codes"])
        self._prepositions = frozenset(cues["subject_blocking_prepositions"])
        self._finite_auxiliaries = frozenset(cues["finite_auxiliaries"])
        self._perfect_auxiliaries = frozenset(cues["perfect_auxiliaries"])
        self._possessives = frozenset(cues["possessives"])
        self._travelling_types = frozenset(cues["travelling_types"])
        self._travelling_roles = tuple(cues["travelling_roles"])
        self._relative_pronouns = frozenset(cues["relative_pronouns"])
        self._not_agents_after_by = frozenset(cues["not_agents_after_by"])
        self._security_forces = frozenset(cues["security_forces"])
        self._street_violence = frozenset(cues["street_violence"])
        self.actions = ActionLexicon.from_file()
        self.actors = ActorDictionary()
        self.gazetteer = Gazetteer(self.actors.country_keys())
        self.relevance = RelevanceFilter(cues)
        self._codes = cameo.cameo_table()
        self.syntax = SyntaxModel()
        self.roles = RoleLexicon.from_file()
        self._not_name_links = frozenset(cues["name_particles"]) | {"of", "the", "and"}

    # -- public API ------------------------------------------------------------------------
    def code_text(self, text: str, date: DateLike = None) -> list[CodedEvent]:
        """All events in a text (an article body or a single sentence)."""
        base = parse_date(date)
        events: list[CodedEvent] = []
        sentences = [
            (paragraph_index, sentence)
            for paragraph_index, paragraph in enumerate(split_paragraphs(normalise(text or "")))
            for sentence in split_sentences(paragraph)
        ]
        offtopic_article = self._is_offtopic_lead([sentence for _, sentence in sentences[:LEAD_SENTENCES]], base)
        # "KAMPALA (Reuters) -": the whole story happens there unless a sentence names another place;
        # without a dateline, the country the article names most is its home.
        article_place = self.gazetteer.dateline(tokenize(sentences[0][1])) if sentences else None
        home, introductions = self._article_context([sentence for _, sentence in sentences], base)
        if article_place is None or article_place.country is None:
            article_place = home
        known_names: dict[str, Actor] = {}
        for sentence_index, (paragraph_index, sentence) in enumerate(sentences):
            is_root = paragraph_index == 0 and sentence_index < ROOT_SENTENCES
            events.extend(
                self.code_sentence(
                    sentence, base, sentence_index, is_root, offtopic_article, article_place, known_names=known_names
                )
            )
            # "Mexican Foreign Minister Marcelo Ebrard ..." then "Ebrard said": the surname is the actor.
            known_names = {**known_names, **introductions.get(sentence_index, {})}
        return events

    def _article_context(
        self, sentences: Sequence[str], base: datetime.date
    ) -> tuple[Optional[Place], dict[int, dict[str, Actor]]]:
        """What the whole article tells each sentence: its home country (the country named in at
        least ``HOME_MIN_MENTIONS`` sentences and ``HOME_MARGIN`` times as many as the next; for
        "the minister" without a country), and per sentence the surnames of people it introduces
        with a role ("Mexican Foreign Minister Marcelo Ebrard" -> "ebrard": MEXGOV)."""
        counts: Counter[str] = Counter()
        introductions: dict[int, dict[str, Actor]] = {}
        for index, sentence in enumerate(sentences):
            if token_words(sentence).isdisjoint(self.actors.key_words):
                continue
            tokens = tokenize(sentence)
            actors = self.actors.actors(tokens, base)
            counts.update({actor.country for actor in actors if actor.country})
            for actor in actors:
                surname = self._surname(tokens, actor)
                if surname is not None:
                    introductions.setdefault(index, {})[surname] = actor
        home = None
        ranked = counts.most_common(2)
        if len(sentences) > 1 and ranked and ranked[0][1] >= HOME_MIN_MENTIONS and (
            len(ranked) == 1 or ranked[0][1] >= HOME_MARGIN * ranked[1][1]
        ):
            home = Place("", ranked[0][0], None, None)
        return home, introductions

    def _surname(self, tokens: Sequence[Token], actor: Actor) -> Optional[str]:
        """The surname closing an actor named with a role and a person's name, else None."""
        if actor.type is None or actor.kind not in ("role", "person") or actor.end - actor.start < 2:
            return None
        last = tokens[actor.end - 1]
        if not (last.text[:1].isupper() and last.text.isalpha() and len(last.text) > 2):
            return None
        if last.lower in self.actors.key_words or tokens[actor.end - 2].lower in self._not_name_links:
            return None
        return last.lower

    def _remembered(
        self, tokens: Sequence[Token], actors: list[Actor], known_names: dict[str, Actor], blocked: frozenset[int]
    ) -> list[Actor]:
        """``actors`` with the surnames of people introduced earlier in the article added."""
        taken = {position for actor in actors for position in range(actor.start, actor.end)}
        added = [
            known_names[token.lower]._replace(
                start=position,
                end=position + 1,
                after_preposition=position > 0 and tokens[position - 1].lower in self._prepositions,
            )
            for position, token in enumerate(tokens)
            if token.lower in known_names and token.text[:1].isupper() and position not in taken and position not in blocked
        ]
        return sorted(actors + added, key=lambda actor: actor.start) if added else actors

    def _is_offtopic_lead(self, lead: Sequence[str], base: datetime.date) -> bool:
        """Is the story about sport, money, weather ...? Its lead says so and names no political role."""
        actors_per_sentence = [
            self.actors.actors(tokenize(sentence), base)
            for sentence in lead
            if not token_words(sentence).isdisjoint(self.actors.key_words)  # else it names no actor
        ]
        if any(self.relevance.has_political_role(actors) for actors in actors_per_sentence):
            return False
        return any(self.relevance.has_topic_words(sentence) for sentence in lead)

    def code_sentence(
        self,
        sentence: str,
        base: datetime.date,
        sentence_index: int = 0,
        is_root: bool = True,
        offtopic_article: bool = False,
        article_place: Optional[Place] = None,
        parse: Optional[Parse] = None,
        known_names: Optional[dict[str, Actor]] = None,
    ) -> list[CodedEvent]:
        """Events in one normalised sentence; in an off-topic article only political roles count.
        Actors named by their role alone take the country of the sentence's place, else of the
        article's dateline (``article_place``). ``parse`` is the sentence's dependency parse
        (parsed here when not given); ``known_names`` are surnames of people the article introduced
        before (``_article_context``)."""
        known_names = known_names or {}
        if not self._may_have_event(sentence, known_names):
            return []
        all_tokens = tokenize(sentence)
        dateline = dateline_end(sentence)
        tokens = [token for token in all_tokens if token.start >= dateline]
        if not tokens:
            return []
        matches = self.actions.find(tokens)
        if not any(match.kind in ("act", "aux", "say") for match in matches):
            return []
        mentions = self.actors.mentions(tokens, base)
        # A name wins over an action word inside it ("Rapid Support Forces" is not "support").
        named = {position for start, end, entry in mentions if entry.kind != "role" for position in range(start, end)}
        matches = [match for match in matches if not named.intersection(range(match.start, match.head_end))]
        matches = self._drop_modifiers(matches, mentions)
        blocked = frozenset(
            position for match in matches if match.kind in ("act", "aux") for position in range(match.start, match.head_end)
        )
        actors = self.actors.actors(tokens, base, blocked, mentions)
        if known_names:
            actors = self._remembered(tokens, actors, known_names, blocked)
        if not actors:
            return []
        # Parsed only now: most sentences have left by here.
        parse = parse if parse is not None else self.syntax.parse(sentence)
        words = parse_token_words(parse, tokens)
        matches = [match for match in matches if not self._misread(tokens, words, parse, match)]
        offtopic = self.relevance.offtopic(sentence, actors) or (
            offtopic_article and not self.relevance.has_political_role(actors)
        )
        # Aid after a disaster is an event even in a story about the disaster.
        relief_only = offtopic and not self.relevance.has_other_topic_words(sentence)
        pairs = self._pairs(sentence, tokens, matches, actors, offtopic, relief_only, parse, words)
        if not pairs:
            return []
        when = event_date(sentence, base).isoformat()
        attribution = self._attribution_start(tokens, matches)
        place = self.gazetteer.locate([token for token in all_tokens if token.start < attribution])
        home = place if place is not None and place.country else article_place
        events = []
        for chain, source, target in pairs:
            doer = source or self._local_authority(chain, place)
            done_to = target
            located = self._localised(tokens, doer, target, home), self._localised(tokens, target, doer, home)
            # Locating both sides must not turn two actors into one ("the government buildings").
            if None in located or located[0].code != located[1].code:
                doer, done_to = located
            if doer is None or done_to is None or doer.code != done_to.code or doer.name != done_to.name:
                events.append(self._event(sentence, sentence_index, is_root, chain, doer, done_to, when, place))
        return events

    def _may_have_event(self, sentence: str, known_names: Optional[dict[str, Actor]] = None) -> bool:
        """A set look-up before the full analysis, which most sentences of an article do not need:
        an event needs an action and an actor, and each contains one of its dictionary's key words
        (``ActionLexicon.event_keys``, ``ActorDictionary.key_words``)."""
        words = token_words(sentence)
        if words.isdisjoint(self.actions.event_keys):
            return False
        return not words.isdisjoint(self.actors.key_words) or bool(known_names and not words.isdisjoint(known_names))

    def _localised(
        self, tokens: Sequence[Token], actor: Optional[Actor], other: Optional[Actor], home: Optional[Place]
    ) -> Optional[Actor]:
        """"Police arrested ... in Kampala": an actor named by its role alone (``---COP``) belongs to
        the country where the event happened (``UGACOP``), as in GDELT; "its citizens" does not.
        Troops and envoys travel ("peacekeepers landed in Cyprus"), so they are local only when the
        other party is: "troops fired on marchers in Khartoum"."""
        if actor is None or home is None or home.country is None or not actor.code.startswith(UNKNOWN_COUNTRY):
            return actor
        if actor.start > 0 and tokens[actor.start - 1].lower in self._possessives:
            return actor
        if self._travels(actor) and not self._is_local(tokens, other, home):
            return actor
        return actor._replace(code=home.country + actor.code[len(UNKNOWN_COUNTRY) :], country=home.country)

    def _travels(self, actor: Actor) -> bool:
        """Troops and envoys are often abroad: "the president, speaking in Paris"."""
        name = actor.name.lower()
        return actor.type in self._travelling_types or any(name.endswith(role) for role in self._travelling_roles)

    def _is_local(self, tokens: Sequence[Token], actor: Optional[Actor], home: Place) -> bool:
        if actor is None or self._travels(actor):
            return False
        return actor.country == home.country or self._localised(tokens, actor, None, home).country == home.country

    @staticmethod
    def _attribution_start(tokens: Sequence[Token], matches: Sequence[ActionMatch]) -> float:
        """Where a closing attribution (", aid officials in Geneva said") starts, as a character
        offset: the place named there is the speaker's, not the event's."""
        says = [match for match in matches if match.kind == "say"]
        if not says:
            return float("inf")
        commas = [position for position in range(says[-1].start) if tokens[position].text == ","]
        if not commas or any(match.verbal and match.kind != "say" and match.start > commas[-1] for match in matches):
            return float("inf")
        return tokens[commas[-1]].start

    @staticmethod
    def _local_authority(chain: Chain, place: Optional[Place]) -> Optional[Actor]:
        """"An American was arrested in Lebanon": only the authorities where it happened arrest,
        charge or deport, so an arrest without a named agent is theirs."""
        if chain.code not in STATE_ONLY_ACTIONS or place is None or place.country is None:
            return None
        return Actor(-1, -1, place.country + "GOV", place.name, place.country, "GOV", False, "place")

    @staticmethod
    def _drop_modifiers(matches: list[ActionMatch], mentions: Sequence[tuple]) -> list[ActionMatch]:
        """"NATO peacekeeping troops", "UN aid workers": an action noun between an actor word and a
        role word describes the actor; it is no event. Nor is a word inside a role phrase."""
        ends = {end for _, end, _ in mentions}
        role_starts = {start for start, _, entry in mentions if entry.kind == "role"}
        # Words inside a longer role phrase ("riot police", "border patrol agents") are not actions.
        in_roles = {
            position for start, end, entry in mentions if entry.kind == "role" and end - start > 1
            for position in range(start, end)
        }
        return [
            match for match in matches
            if not in_roles.intersection(range(match.start, match.head_end))
            and (match.verbal or match.end != match.head_end or not (match.start in ends and match.end in role_starts))
        ]

    @staticmethod
    def _misread(tokens: Sequence[Token], words: Sequence[Optional[int]], parse: Parse, match: ActionMatch) -> bool:
        """Is an action word really a name ("aide Mary Burns said"), or a verb whose particle
        changes its sense ("struck down the curfew", "held up the aid")?"""
        word = words[match.start]
        if word is None:
            return False
        if parse.pos[word] == "PROPN" and tokens[match.start].text[:1].isupper() and match.start > 0:
            return True
        if not match.verbal:
            return False
        particles = [
            child for child in parse.children(word)
            if parse.deps[child] == "compound:prt"
        ]
        literal_words = {words[position] for position in match.literal}
        return any(particle not in literal_words for particle in particles)

    # -- chaining actions -------------------------------------------------------------------
    def _clause_end(self, tokens: Sequence[Token], start: int) -> int:
        limit = min(len(tokens), start + CLAUSE_REACH)
        for position in range(start, limit):
            word = tokens[position].lower
            if word in self._breaks or word == ",":
                return position
            if word == "and" and position + 1 < len(tokens) and tokens[position + 1].lower in ("then", "also"):
                return position
        return limit

    def _refine(self, frame: ActionMatch, content_code: str) -> str:
        if frame.pattern in self._content_keeping_frames and content_code[:2] in self._content_keeping_roots:
            return content_code  # "ordered troops to shell the town": the shelling is the event
        # "will attack" without a listed refinement keeps the content; other frames keep their own code.
        keep_content = frame.kind == "aux" and frame.code[:2] == "03"
        family = next((key for key in (frame.code[:3], frame.code[:2]) if key in self._refinements), frame.code[:2])
        return self._refine_with(family, content_code, content_code if keep_content else frame.code)

    def _chains(self, tokens: Sequence[Token], matches: Sequence[ActionMatch]) -> list[Chain]:
        """Fold governed actions into their governors; drop negated or hypothetical chains."""
        actions = [match for match in matches if match.kind in ("act", "aux")]
        chains: list[Chain] = []
        index = 0
        while index < len(actions):
            group = [actions[index]]
            while index + 1 < len(actions):
                current, following = group[-1], actions[index + 1]
                if (
                    following.start >= self._clause_end(tokens, current.end)
                    or self._starts_new_verb(tokens, following)
                    or self._finite_passive(tokens, following)
                ):
                    break
                group.append(following)
                index += 1
            index += 1
            code = self._fold(tokens, group)
            if code is None or self._negated(tokens, group[0]) or self._hypothetical(tokens, group[0]):
                continue
            if self._conditional_promise(tokens, group, code):
                # "will withdraw its troops unless ...": a promise on a condition is a threat.
                code = self._refine_with("13", code, "130")
            end = self._clause_end(tokens, group[-1].end)
            if index < len(actions) and self._finite_passive(tokens, actions[index]):
                # "who was accused of bribery was arrested by police": the agent is the arrest's.
                end = min(end, actions[index].start)
            chains.append(Chain(group[0], code, end, frozenset().union(*(match.literal for match in group))))
        return chains

    def _conditional_promise(self, tokens: Sequence[Token], group: Sequence[ActionMatch], code: str) -> bool:
        if code[:2] in ("12", "13") or not any(match.kind == "aux" and match.code[:2] == "03" for match in group):
            return False
        after = tokens[group[-1].end : group[-1].end + CLAUSE_REACH]
        return any(token.lower in self._conditionals for token in after)

    def _fold(self, tokens: Sequence[Token], group: Sequence[ActionMatch]) -> Optional[str]:
        """The code of a chain, innermost content first; ``None`` when nothing is left to code.

        A negation between a frame and its content cancels the content, except that a negated
        promise to cooperate ("will not meet", "would not allow") is a rejection.
        """
        code: Optional[str] = group[-1].code if group[-1].kind != "aux" else None
        for position in range(len(group) - 2, -1, -1):
            frame, content = group[position], group[position + 1]
            if any(token.lower in self._negations for token in tokens[frame.end : content.start]):
                if code is not None and code[:2] in self._intent_negation_roots and frame.code[:2] == "03":
                    code = self._refine_with("12", code, "120")
                    continue
                code = None
            if code is None:
                code = frame.code if frame.kind != "aux" else None
            elif frame.code[:2] == code[:2] and frame.code[:2] not in self._refinements:
                code = max(frame.code, code, key=_specificity)  # "killed in a roadside bombing"
            else:
                code = self._refine(frame, code)
        return code

    def _refine_with(self, family: str, content_code: str, default: str) -> str:
        for prefix, result in self._refinements.get(family, ()):
            if content_code.startswith(prefix):
                return content_code if result == "=" else result
        return default

    @staticmethod
    def _starts_new_verb(tokens: Sequence[Token], match: ActionMatch) -> bool:
        """"... attacked the town and arrested ...": a coordinated verb is its own event."""
        return (match.verbal or match.kind == "aux") and match.start > 0 and tokens[match.start - 1].lower in ("and", "or", "then")

    def _finite_passive(self, tokens: Sequence[Token], match: ActionMatch) -> bool:
        """"A priest who was accused of fraud was arrested": a verb with its own finite auxiliary
        is a clause of its own, not the content of the action before it."""
        if not match.verbal or match.start < 1:
            return False
        before = tokens[match.start - 1].lower
        if before == "been" and match.start >= 2:
            return tokens[match.start - 2].lower in self._perfect_auxiliaries
        return before in self._finite_auxiliaries

    @staticmethod
    def _participle_clause(tokens: Sequence[Token], head: ActionMatch) -> bool:
        """"Air strikes hit Gaza, killing 20 people": an "-ing" verb after a comma continues the
        previous action; its doer is that action's doer, not the nearest name (the place hit)."""
        return head.verbal and head.start > 0 and tokens[head.start - 1].text == "," and tokens[head.start].lower.endswith("ing")

    def _negated(self, tokens: Sequence[Token], head: ActionMatch) -> bool:
        window = range(max(0, head.start - 3), head.start)
        return any(tokens[position].lower in self._negations for position in window)

    def _hypothetical(self, tokens: Sequence[Token], head: ActionMatch) -> bool:
        position = head.start - 1
        while position >= max(0, head.start - HYPOTHETICAL_REACH):
            word = tokens[position].lower
            near = head.start - position <= 4 or word in ("if", "unless", "whether")
            if word in self._hypotheticals and near and not is_month_name(tokens, position):
                return True
            if word in self._breaks or word == ",":
                return False
            position -= 1
        return False

    # -- actors ----------------------------------------------------------------------------
    def _is_passive(self, tokens: Sequence[Token], head: ActionMatch) -> bool:
        if not head.verbal or not is_past_participle(tokens[head.start].lower):
            return False
        following = tokens[head.start + 1].lower if head.start + 1 < len(tokens) else ""
        if following in ("to", "that"):
            return False  # "is committed to", "is opposed to": an adjective, not a passive
        if following == "by" and head.start > 0 and tokens[head.start - 1].text[:1].isalpha():
            return True  # "soldiers backed by African Union troops": a passive without its auxiliary
        for position in range(head.start - 1, max(-1, head.start - 4), -1):
            word = tokens[position].lower
            if word in self._passive_auxiliaries:
                return True
            if not word.endswith("ly") and word not in ("not", "n't", "also", "reportedly", "allegedly"):
                return False
        return False

    def _object_in_gap(self, tokens: Sequence[Token], chain: Chain, actor: Actor) -> bool:
        """Is an actor between a pattern's words its object ("charged three activists with"), not a
        word of the pattern or a modifier of its noun ("pledged military aid")?"""
        if chain.literal.intersection(range(actor.start, actor.end)):
            return False
        following = actor.end
        return following not in chain.literal or tokens[following].lower in self._prepositions

    def _after_by(self, tokens: Sequence[Token], start: int) -> bool:
        """Is the actor at ``start`` the agent of a passive: "by police", "by a grand jury",
        "by the U.S. State Department" (up to two words between), but not "by the time police came"?"""
        for position in range(start - 1, max(-1, start - 4), -1):
            word = tokens[position]
            if word.lower == "by":
                return True
            if not (word.text.isalpha() or is_initialism(word.text)) or word.lower in self._not_agents_after_by:
                return False
        return False

    @staticmethod
    def _coordinated(tokens: Sequence[Token], actors: Sequence[Actor], index: int, step: int) -> list[Actor]:
        """The actor at ``index`` and those joined to it by "and" or commas, walking by ``step``."""
        group = [actors[index]]
        position = index
        while 0 <= position + step < len(actors):
            left, right = (actors[position], actors[position + step]) if step > 0 else (actors[position + step], actors[position])
            between = [token.lower for token in tokens[left.end : right.start]]
            if between not in (["and"], [","], [",", "and"], ["and", "the"], ["or"]):
                break
            position += step
            group.append(actors[position])
        return group if step > 0 else group[::-1]

    @staticmethod
    def _skip_apposition(tokens: Sequence[Token], actors: Sequence[Actor], subjects: list[int], head: int) -> list[int]:
        """"Pakistan, a key U.S. ally, refused ...": drop actors inside a closed apposition."""
        if len(subjects) < 2:
            return subjects
        nearest = actors[subjects[-1]]
        if not any(token.text == "," for token in tokens[nearest.end : head]):
            return subjects
        for earlier in range(len(subjects) - 2, -1, -1):
            opening = actors[subjects[earlier]].end
            if (
                opening + 1 < nearest.start
                and tokens[opening].text == ","
                and tokens[opening + 1].lower in ("a", "an", "the", "who", "which")
            ):
                return subjects[: earlier + 1]
        return subjects

    def _is_object(self, tokens: Sequence[Token], actor: Actor) -> bool:
        position = actor.start - 1
        while position >= 0 and (
            tokens[position].lower in ("the", "a", "an", "its", "their", "his", "her") or tokens[position].text[:1].isdigit()
        ):
            position -= 1
        if position < 0:
            return False
        word = tokens[position]
        return word.lower in self._object_verbs or (word.lower.endswith("ed") and word.text.islower())

    def _reported_speech(
        self, head: ActionMatch, says: Sequence[ActionMatch], tokens: Sequence[Token]
    ) -> Optional[ActionMatch]:
        """The statement verb that reports a "must" demand, if the demand is reported."""
        if tokens[head.start].lower not in self._reported_demands:
            return None
        earlier = [say for say in says if say.end <= head.start]
        return earlier[-1] if earlier else None

    def _source_and_target(
        self,
        tokens: Sequence[Token],
        actors: Sequence[Actor],
        chain: Chain,
        previous: Optional[tuple[list[Actor], list[Actor]]],
        says: Sequence[ActionMatch] = (),
    ) -> tuple[list[Actor], list[Actor]]:
        """The doers and the done-to of a chain; ``previous`` are those of the chain before it."""
        head = chain.head
        before = [i for i, actor in enumerate(actors) if actor.end <= head.start]
        after = [
            i for i, actor in enumerate(actors)
            if actor.start >= head.head_end and actor.start < max(chain.end, head.end)
            # a pattern's own words ("summoned the British ambassador") count only as a named actor;
            # words in its gap do ("charged three activists with"), unless they describe its noun
            # ("pledged military aid")
            and (
                actor.start >= head.end
                or actor.country
                or actor.code[:3] in ("IGO", "NGO", "IMG")
                or self._object_in_gap(tokens, chain, actor)
            )
        ]
        if self._is_passive(tokens, head):
            by_agent = [i for i in after if self._after_by(tokens, actors[i].start)]
            sources = self._coordinated(tokens, actors, by_agent[0], 1) if by_agent else []
            if not sources and chain.code[:2] < VERBAL_ROOTS_END and any(
                token.lower == "by" for token in tokens[head.head_end : chain.end]
            ):
                return [], []  # "was dismissed by many as ...": said or done by someone who is no actor
            # "Police said a man was shot": the one done to is in the reported clause, not the speaker.
            reported_from = max((say.end for say in says if say.end <= head.start), default=0)
            done_to = [i for i in before if actors[i].start >= reported_from]
            targets = self._coordinated(tokens, actors, done_to[-1], -1) if done_to else []
            return sources, targets
        speech = self._reported_speech(head, says, tokens)
        if speech is not None:
            # "X said Y must ...": X demands of Y.
            speakers = [i for i in before if actors[i].end <= speech.start and not actors[i].after_preposition]
            addressees = [i for i in before if actors[i].start >= speech.end]
            sources = self._coordinated(tokens, actors, speakers[-1], -1) if speakers else []
            targets = self._coordinated(tokens, actors, addressees[-1], -1) if addressees else []
            if sources:
                return sources, targets
        continues = previous is not None and (self._starts_new_verb(tokens, head) or self._participle_clause(tokens, head))
        if continues:
            # Same subject as the coded action before: "... and arrested", "..., killing 20 people".
            sources = previous[0]
        elif (antecedent := self._relative_antecedent(tokens, actors, before, head)) is not None:
            sources = [actors[antecedent]]  # "threw stones at police, who responded with tear gas"
        else:
            # A subordinate clause ("after gang violence erupted") has its own subject.
            clause_start = self._subordinate_clause_start(tokens, head.start)
            subjects = [i for i in before if not actors[i].after_preposition and actors[i].start >= clause_start]
            subjects = self._skip_apposition(tokens, actors, subjects, head.start)
            # The doer is not some verb's object ("gave Ivory Coast aid", "sent troops to help").
            subjects = [i for i in subjects if not self._is_object(tokens, actors[i])] or subjects
            sources = self._coordinated(tokens, actors, subjects[-1], -1) if subjects else []
            if not sources:
                speaker = self._quoted_speaker(tokens, actors, says, head)
                sources = [speaker] if speaker else []
        source_codes = {actor.code for actor in sources}
        candidates = [i for i in after if actors[i].code not in source_codes or not sources]
        targets = self._coordinated(tokens, actors, candidates[0], 1) if candidates else []
        if continues and not targets:
            # "fired on the demonstrators, killing one and arresting 12": the same people.
            targets = [actor for actor in previous[1] if actor.code not in source_codes]
        return sources, targets

    def _parse_names_doer(self, parse: Optional[Parse], words: Sequence[Optional[int]], chain: Chain) -> bool:
        word = words[chain.head.start] if parse is not None else None
        if word is None:
            return False
        roles = event_roles(parse, word, chain.head.verbal, self.roles)
        return roles is not None and roles.doer_named

    def _syntactic_roles(
        self,
        tokens: Sequence[Token],
        actors: Sequence[Actor],
        chain: Chain,
        previous: Optional[tuple[list[Actor], list[Actor]]],
        says: Sequence[ActionMatch],
        parse: Parse,
        words: Sequence[Optional[int]],
    ) -> Optional[tuple[list[Actor], list[Actor]]]:
        """Doers and done-to of a chain from the dependency parse; None when the parse says
        nothing about the action (then word order decides, ``_source_and_target``)."""
        head = chain.head
        word = words[head.start]
        if word is None:
            return None
        roles = event_roles(parse, word, head.verbal, self.roles)
        if roles is None:
            return None
        if roles.background:
            return [], []
        sources: list[Actor] = []
        for doer in roles.doers:
            if parse.words[doer].lower() in ("we", "i", "us"):
                speaker = self._quoted_speaker(tokens, actors, says, head)
                sources = [speaker] if speaker else []
            else:
                sources = actors_of(parse, doer, actors, words, self.roles)
            if sources:
                break
        targets: list[Actor] = []
        for done_to in roles.done_to:
            targets = [actor for actor in actors_of(parse, done_to, actors, words, self.roles) if actor not in sources]
            if targets:
                break
        if not roles.doer_named or not targets:
            # Where the parse names nobody, word order guesses, inside the action's own clause.
            by_order = self._source_and_target(tokens, actors, chain, previous, says)
            if not roles.doer_named:
                sources = by_order[0]
            if not targets:
                clause = parse.subtree(word)
                targets = [
                    actor for actor in by_order[1]
                    if actor not in sources and words[actor.start] in clause and words[actor.start] != word
                ]
        continues = previous is not None and parse.deps[word] in ("conj", "advcl")
        if continues and not targets and not roles.done_to_named:
            targets = [actor for actor in previous[1] if actor not in sources]
        return sources, targets

    def _relative_antecedent(
        self, tokens: Sequence[Token], actors: Sequence[Actor], before: Sequence[int], head: ActionMatch
    ) -> Optional[int]:
        """The actor a "who" just before the action refers to, even inside a prepositional phrase."""
        pronouns = [p for p in range(max(0, head.start - 3), head.start) if tokens[p].lower in self._relative_pronouns]
        if not pronouns or not before:
            return None
        nearest = before[-1]
        between = [token.text for token in tokens[actors[nearest].end : pronouns[-1]]]
        return nearest if between in ([], [","]) else None

    def _is_political(self, actor: Optional[Actor]) -> bool:
        return actor is not None and (actor.country is not None or actor.type in self._political_types)

    def _pairs(
        self,
        sentence: str,
        tokens: Sequence[Token],
        matches: Sequence[ActionMatch],
        actors: Sequence[Actor],
        offtopic: bool,
        relief_only: bool = False,
        parse: Optional[Parse] = None,
        words: Sequence[Optional[int]] = (),
    ) -> list[tuple[Chain, Optional[Actor], Optional[Actor]]]:
        pairs: list[tuple[Chain, Optional[Actor], Optional[Actor]]] = []
        previous: Optional[tuple[list[Actor], list[Actor]]] = None
        says = [match for match in matches if match.kind == "say"]
        for chain in self._chains(tokens, matches):
            roles = None
            if parse is not None and self._reported_speech(chain.head, says, tokens) is None:
                roles = self._syntactic_roles(tokens, actors, chain, previous, says, parse, words)
            sources, targets = roles if roles is not None else self._source_and_target(tokens, actors, chain, previous, says)
            if roles is not None and self._parse_names_doer(parse, words, chain):
                chain = chain._replace(evidence="parse")
            previous = (sources, targets)
            passive = self._is_passive(tokens, chain.head)
            for source, target in self._combinations(sources, targets, chain.code[:2] in self.roles.reciprocal_roots):
                relief = relief_only and chain.code.startswith(self._relief_codes)
                if self._keep(chain, source, target, offtopic and not relief, passive):
                    pairs.append((self._street_clash(self._by_state_forces(chain, source), source, target), source, target))
        if not offtopic and not self.relevance.has_topic_words(sentence):
            # A statement is an event of its own beside what it reports ("police said protesters
            # stormed the building"), unless the speaker is the doer of what is said.
            doers = {(source.code, source.name) for _, source, _ in pairs if source is not None}
            for chain, speaker, target in self._statement(tokens, matches, actors, parse, words):
                if (speaker.code, speaker.name) not in doers:
                    pairs.append((chain._replace(evidence="statement"), speaker, target))
        return pairs

    @staticmethod
    def _by_state_forces(chain: Chain, source: Optional[Actor]) -> Chain:
        """Killing or attacking by a state's forces is conventional force (19), not terror (18);
        their bombing is an air attack (195), not a non-military bombing (183)."""
        if chain.code in STATE_FORCE_CODES and source is not None and source.country and source.type in STATE_FORCES:
            return chain._replace(code=STATE_FORCE_CODES[chain.code])
        return chain

    def _street_clash(self, chain: Chain, source: Optional[Actor], target: Optional[Actor]) -> Chain:
        """Violence between a crowd and the police or army is no war: protesters fighting the police
        riot (145); police or troops fighting, beating or shooting protesters repress them (175)."""
        if chain.code not in self._street_violence or source is None or target is None:
            return chain
        if self._is_crowd(source) and target.type in self._security_forces:
            return chain._replace(code=RIOT)
        if source.type in self._security_forces and self._is_crowd(target):
            return chain._replace(code=VIOLENT_REPRESSION)
        return chain

    def _is_crowd(self, actor: Actor) -> bool:
        return actor.name.split()[-1].lower() in self._crowds

    @staticmethod
    def _combinations(
        sources: list[Actor], targets: list[Actor], reciprocal: bool = True
    ) -> list[tuple[Optional[Actor], Optional[Actor]]]:
        """Source-target pairs. Coordinated doers without a target act on each other only in a
        joint act ("A and B met / signed", ``reciprocal``); "Chile, Peru and Bolivia restricted
        access" is one event per country."""
        if sources and targets:
            return [(s, t) for s in sources for t in targets if s.code != t.code or s.name != t.name]
        if len(sources) > 1 and reciprocal:
            return [(s, t) for s in sources for t in sources if s.code != t.code]
        if sources:
            return [(source, None) for source in sources]
        return [(None, t) for t in targets]

    def _keep(
        self, chain: Chain, source: Optional[Actor], target: Optional[Actor], offtopic: bool, passive: bool
    ) -> bool:
        if offtopic:
            return False
        if source is None:
            # Without a known doer only the passive ("three soldiers were killed") and violence
            # named by a noun ("a roadside bombing killed two soldiers") are coded.
            unknown_attacker = not chain.head.verbal and chain.code[:2] in ("18", "19", "20")
            done_to = passive and chain.code[:2] in PASSIVE_WITHOUT_AGENT_ROOTS
            return (done_to or unknown_attacker) and self._is_political(target)
        return self._is_political(source) or self._is_political(target)

    def _statement(
        self,
        tokens: Sequence[Token],
        matches: Sequence[ActionMatch],
        actors: Sequence[Actor],
        parse: Optional[Parse] = None,
        words: Sequence[Optional[int]] = (),
    ) -> list[tuple[Chain, Actor, None]]:
        """A statement: one 010 by the first political speaker (not a news outlet reporting). The
        speaker is the subject of the statement verb in the parse, else found by word order."""
        for match in matches:
            if match.kind != "say" or self._negated(tokens, match) or self._negated_in_parse(parse, words, match):
                continue
            chain = Chain(match, match.code, self._clause_end(tokens, match.end), match.literal)
            speaker = self._speaker_in_parse(parse, words, match, actors)
            if speaker is None:
                # The speaker stands before "said" in the same clause, or before an apposition
                # ("Ana Ruiz, the interior minister, said"); "..., a report said" has no speaker.
                before = [
                    a for a in actors
                    if a.end <= match.start and not a.after_preposition and self._speaks(tokens, a, match)
                ]
                after = [a for a in actors if a.start >= match.end and a.start < chain.end]
                speaker = before[-1] if before else (after[0] if after and after[0].start - match.end <= 1 else None)
            if speaker is not None and self._is_political(speaker) and speaker.type != "MED":
                return [(chain, speaker, None)]
        return []

    def _speaker_in_parse(
        self, parse: Optional[Parse], words: Sequence[Optional[int]], say: ActionMatch, actors: Sequence[Actor]
    ) -> Optional[Actor]:
        """The actor the parse gives as the subject of a statement verb ("according to X": X)."""
        if parse is None or words[say.start] is None:
            return None
        word = words[say.start]
        subjects = [child for child in parse.children(word) if parse.deps[child] in self.roles.subject_relations]
        if not subjects and parse.words[word].lower() == "according":
            subjects = [child for child in parse.children(word) if parse.relation(child) in ("obl", "nmod")]
        for subject in subjects:
            found = actors_of(parse, subject, actors, words, self.roles)
            if found:
                return found[0]
        return None

    def _negated_in_parse(self, parse: Optional[Parse], words: Sequence[Optional[int]], match: ActionMatch) -> bool:
        """"did not respond", "never met": a negation attached to the action's verb."""
        if parse is None or words[match.start] is None:
            return False
        word = words[match.start]
        return any(
            parse.words[child].lower() in self._negations and parse.relation(child) == "advmod"
            for child in parse.children(word)
        )

    def _subordinate_clause_start(self, tokens: Sequence[Token], head_start: int) -> int:
        """Just after the last subordinating word ("after", "when" ...) before the action, else 0."""
        for position in range(head_start - 1, -1, -1):
            if tokens[position].lower in self._subordinators:
                # "After the talks failed, Russia attacked": a comma closes the subordinate clause.
                if any(token.text == "," for token in tokens[position:head_start]):
                    return 0
                return position + 1
        return 0

    def _quoted_speaker(
        self, tokens: Sequence[Token], actors: Sequence[Actor], says: Sequence[ActionMatch], head: ActionMatch
    ) -> Optional[Actor]:
        """'"We will retaliate," the Iranian foreign minister said': the speaker of a quote is the
        doer of what the quote announces when the quote names nobody."""
        if not any(token.text == '"' for token in tokens[: head.start]):
            return None
        for say in says:
            if say.start <= head.start:
                continue
            for actor in actors:
                if actor.end <= say.start and not any(t.text in ('"', ",") for t in tokens[actor.end : say.start]) \
                        and actor.start > head.start:
                    return actor
                if actor.start >= say.end and actor.start - say.end <= 1:
                    return actor
        return None

    @staticmethod
    def _speaks(tokens: Sequence[Token], speaker: Actor, say: ActionMatch) -> bool:
        between = tokens[speaker.end : say.start]
        if not any(token.text == "," for token in between):
            return True
        if len(between) == 1 and any(token.text == "," for token in tokens[max(0, speaker.start - 3) : speaker.start]):
            return True  # "Amal Haddad, a former Lebanese trade minister, said": the apposition is the speaker
        return between[0].text == "," and len(between) > 1 and between[1].lower in ("a", "an", "the", "who", "which")

    # -- the record ------------------------------------------------------------------------
    def _event(
        self,
        sentence: str,
        sentence_index: int,
        is_root: bool,
        chain: Chain,
        source: Optional[Actor],
        target: Optional[Actor],
        when: str,
        place: Optional[Place],
    ) -> CodedEvent:
        info = self._codes[chain.code]
        return CodedEvent(
            sentence_index=sentence_index,
            sentence=sentence,
            actor1_code=source.code if source else None,
            actor1_name=source.name if source else None,
            actor1_country_code=source.country if source else None,
            actor1_type=source.type if source else None,
            actor2_code=target.code if target else None,
            actor2_name=target.name if target else None,
            actor2_country_code=target.country if target else None,
            actor2_type=target.type if target else None,
            event_code=info.code,
            event_base_code=info.base,
            event_root_code=info.root,
            quad_class=info.quad_class,
            goldstein=info.goldstein,
            plover_type=info.plover_type,
            is_root_event=is_root,
            action_geo_name=place.name if place else None,
            action_geo_country_code=place.country if place else None,
            action_geo_lat=place.lat if place else None,
            action_geo_lon=place.lon if place else None,
            confidence=self._confidence(chain, source, target),
            event_date=when,
        )

    @staticmethod
    def _confidence(chain: Chain, source: Optional[Actor], target: Optional[Actor]) -> float:
        """How far to trust an event, 0..1, from what decided it; it ranks events, it is no
        probability. Measured on the judged dev sample (``benchmarks/judged_events.py``): a
        statement by a named political speaker is right most often; a doer the parse names beats
        one guessed by word order; an actor without a country, or no doer at all, is seldom right."""
        score = {"statement": 0.6, "parse": 0.45, "order": 0.3}[chain.evidence]
        if source is None:
            score -= 0.2
        elif source.code.startswith(UNKNOWN_COUNTRY):
            score -= 0.2
        else:
            score += 0.15
        if target is not None and target.code.startswith(UNKNOWN_COUNTRY):
            score -= 0.05
        score += 0.05 if len(chain.code) >= 3 and not chain.code.endswith("0") else 0.0
        score += 0.05 if len(chain.literal) > 1 else 0.0
        return round(min(max(score, 0.05), 0.99), 2)
