"""Everything the coder knows about words, loaded once from ``data/``.

``Cues`` holds the grammar cues of ``data/cues.json`` (negations, clause breaks, auxiliaries ...) as
frozen sets, tuples and mappings; ``Lexicon`` bundles them with the action patterns, the actor
dictionary, the gazetteer, the topic filter, the syntactic role lexicon and the CAMEO table. The
coder's functions take what they need from these objects; no word list lives in their code.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from transforms.coding import cameo
from transforms.coding.actions import ActionLexicon
from transforms.coding.actors import ActorDictionary
from transforms.coding.cue_data import CUES_FILE, read_cues
from transforms.coding.geo import Gazetteer
from transforms.coding.inflection import verb_forms
from transforms.coding.relevance import RelevanceFilter
from transforms.coding.syntax.roles import RoleLexicon

# A refinement: a code prefix of the content and what the frame becomes ("=": the content's code).
Refinement = tuple[str, str]


@dataclass(frozen=True)
class Cues:
    """The grammar cues the coder uses, from ``data/cues.json`` (see its keys for the meaning)."""

    negations: frozenset[str]
    # "stopped attacking": verbs that end the "-ing" action after them.
    cessation_words: frozenset[str]
    title_case_small_words: frozenset[str]
    hypotheticals: frozenset[str]
    far_reaching_hypotheticals: frozenset[str]
    clause_breaks: frozenset[str]
    clause_closing_after_and: frozenset[str]
    passive_auxiliaries: frozenset[str]
    passive_gap_words: frozenset[str]
    adjective_complements: frozenset[str]
    # Per code family, its refinements, longest content prefix first.
    refinements: Mapping[str, tuple[Refinement, ...]]
    intent_negation_roots: frozenset[str]
    object_verbs: frozenset[str]
    object_determiners: frozenset[str]
    conditionals: frozenset[str]
    threat_conditionals: frozenset[str]
    conditional_threat_roots: frozenset[str]
    threat_modals: frozenset[str]
    concessives: frozenset[str]
    inverted_conditionals: frozenset[str]
    conditional_openings: tuple[tuple[str, ...], ...]
    future_time_openings: frozenset[str]
    protest_reports: frozenset[str]
    general_objects: frozenset[str]
    whoever_clause_openers: frozenset[str]
    content_keeping_frames: frozenset[str]
    content_keeping_roots: frozenset[str]
    subordinators: frozenset[str]
    reported_demands: frozenset[str]
    political_types: frozenset[str]
    crowds: frozenset[str]
    demonstrating_types: frozenset[str]
    written_protest_words: frozenset[str]
    state_boycott_codes: Mapping[str, str]
    military_strike_words: frozenset[str]
    crowd_counts: frozenset[str]
    spokesperson_words: frozenset[str]
    protest_codes: tuple[str, ...]
    protester_types: frozenset[str]
    relief_codes: tuple[str, ...]
    subject_blocking_prepositions: frozenset[str]
    finite_auxiliaries: frozenset[str]
    perfect_auxiliaries: frozenset[str]
    possessives: frozenset[str]
    travelling_types: frozenset[str]
    travelling_roles: tuple[str, ...]
    relative_pronouns: frozenset[str]
    not_agents_after_by: frozenset[str]
    security_forces: frozenset[str]
    street_violence: frozenset[str]
    verbal_attack_words: frozenset[str]
    verbal_attack_types: frozenset[str]
    # "attacked the U.S. embassy": a building attacked is violence, not criticism.
    attacked_building_words: frozenset[str]
    contest_words: frozenset[str]
    depiction_verbs: frozenset[str]
    showing_verbs: frozenset[str]
    fiction_works: frozenset[str]
    state_reaction_roots: tuple[str, ...]
    contest_types: frozenset[str]
    contest_types_alone: frozenset[str]
    # "fired rockets at Tel Aviv": prepositions of a violent action's aim (``attacked_places``).
    aim_cases: frozenset[str]
    # "fired rockets from southern Lebanon": prepositions of where violence came from.
    origin_cases: frozenset[str]
    # Words that cannot stand just before a surname (name particles, "of", "the", "and").
    not_name_links: frozenset[str]
    verb_coordinators: frozenset[str]
    apposition_openers: frozenset[str]
    # Word sequences that join coordinated actors ("and", ", and", "or" ...).
    coordination_links: frozenset[tuple[str, ...]]
    first_person_pronouns: frozenset[str]
    # "you": the reader, never an actor.
    reader_pronouns: frozenset[str]
    conditional_moods: frozenset[str]
    # Types that are a country's own business ("opposition leaders" a state arrests are its own).
    domestic_types: frozenset[str]
    jurisdiction_codes: frozenset[str]
    object_target_codes: frozenset[str]
    # "attacked a ship with a missile": the weapon of a general attack and the code it makes.
    weapon_codes: Mapping[str, str]
    # "fired a missile into the sea": no attack but a show of force.
    open_water_words: frozenset[str]
    # Prefixes of CAMEO codes a state carries out with its own forces ("withdrew troops").
    own_forces_codes: tuple[str, ...]
    # Exercises held by forces of two countries are military cooperation: code -> joint code.
    joint_codes: Mapping[str, str]
    # Meetings: where they took place ("held talks in Oman") is no target.
    venue_codes: frozenset[str]
    venue_cases: frozenset[str]
    # A speaker's own act of these roots is the statement itself (no 010 beside it).
    speech_act_roots: frozenset[str]
    # Roots whose events often have no target (statements, protests); others without one are doubted.
    one_sided_roots: frozenset[str]
    # Words saying a role's people are from abroad ("foreign journalists").
    foreigner_words: frozenset[str]
    # Where anything but a protest happened ("broke up a protest outside the Russian embassy") is
    # no target.
    place_cases: frozenset[str]
    # Mediation: coordinated doers mediate together, not each other.
    third_party_codes: frozenset[str]
    # "captured Goma": taking a place is occupying territory: code -> code.
    place_taking_codes: Mapping[str, str]
    # "blamed each other": coordinated doers who act on each other.
    reciprocal_pronouns: frozenset[str]
    # "opened fire on its troops": a possessive that stands for a singular subject's country.
    its_words: frozenset[str]
    # "according to": a statement only beside an action it attributes.
    attribution_words: frozenset[str]
    # Capitalised words that are no names (weekdays, months).
    not_names: frozenset[str]
    private_target_roots: frozenset[str]
    collective_possessives: frozenset[str]
    # "the prime minister said his government would ...": the speaker's country's.
    personal_possessives: frozenset[str]
    # "The Indian government banned 59 apps. It said ...": the body that opened the sentence before.
    body_pronouns: frozenset[str]
    # One-word names of accidents and disasters (the off-topic "weather" and "accident" groups).
    accidents: frozenset[str]
    supposed_by_others: frozenset[str]
    warning_verbs: frozenset[str]

    @classmethod
    def from_dict(cls, cues: dict) -> "Cues":
        """The cues of a parsed ``cues.json``."""
        return cls(
            negations=frozenset(cues["negation"]),
            cessation_words=frozenset(cues["cessation_words"]),
            title_case_small_words=frozenset(cues["title_case_small_words"]),
            hypotheticals=frozenset(cues["hypothetical"]),
            far_reaching_hypotheticals=frozenset(cues["far_reaching_hypotheticals"]),
            clause_breaks=frozenset(cues["clause_breaks"]),
            clause_closing_after_and=frozenset(cues["clause_closing_after_and"]),
            passive_auxiliaries=frozenset(cues["passive_auxiliaries"]),
            passive_gap_words=frozenset(cues["passive_gap_words"]),
            adjective_complements=frozenset(cues["adjective_complements"]),
            refinements=MappingProxyType({
                root: tuple(tuple(pair) for pair in sorted(pairs, key=lambda pair: -len(pair[0])))
                for root, pairs in cues["refinements"].items()
            }),
            intent_negation_roots=frozenset(cues["intent_negation_roots"]),
            object_verbs=frozenset(cues["object_verbs"]),
            object_determiners=frozenset(cues["object_determiners"]),
            conditionals=frozenset(cues["conditionals"]),
            threat_conditionals=frozenset(cues["threat_conditionals"]),
            conditional_threat_roots=frozenset(cues["conditional_threat_roots"]),
            threat_modals=frozenset(cues["threat_modals"]),
            concessives=frozenset(cues["concessives"]),
            inverted_conditionals=frozenset(cues["inverted_conditionals"]),
            conditional_openings=tuple(tuple(phrase.split()) for phrase in cues["conditional_openings"]),
            future_time_openings=frozenset(cues["future_time_openings"]),
            protest_reports=frozenset(cues["protest_reports"]),
            general_objects=frozenset(cues["general_objects"]),
            whoever_clause_openers=frozenset(cues["whoever_clause_openers"]),
            content_keeping_frames=frozenset(cues["content_keeping_frames"]),
            content_keeping_roots=frozenset(cues["content_keeping_roots"]),
            subordinators=frozenset(cues["subordinators"]),
            reported_demands=frozenset(cues["reported_demands"]),
            political_types=frozenset(cues["political_types"]),
            crowds=frozenset(cues["crowds"]),
            demonstrating_types=frozenset(cues["demonstrating_types"]),
            written_protest_words=frozenset(cues["written_protest_words"]),
            state_boycott_codes=MappingProxyType(dict(cues["state_boycott_codes"])),
            military_strike_words=frozenset(cues["military_strike_words"]),
            crowd_counts=frozenset(cues["crowd_counts"]),
            spokesperson_words=frozenset(cues["spokesperson_words"]),
            protest_codes=tuple(cues["protest_codes"]),
            protester_types=frozenset(cues["protester_types"]),
            relief_codes=tuple(cues["relief_codes"]),
            subject_blocking_prepositions=frozenset(cues["subject_blocking_prepositions"]),
            finite_auxiliaries=frozenset(cues["finite_auxiliaries"]),
            perfect_auxiliaries=frozenset(cues["perfect_auxiliaries"]),
            possessives=frozenset(cues["possessives"]),
            travelling_types=frozenset(cues["travelling_types"]),
            travelling_roles=tuple(cues["travelling_roles"]),
            relative_pronouns=frozenset(cues["relative_pronouns"]),
            not_agents_after_by=frozenset(cues["not_agents_after_by"]),
            security_forces=frozenset(cues["security_forces"]),
            street_violence=frozenset(cues["street_violence"]),
            verbal_attack_words=frozenset(cues["verbal_attack_words"]),
            verbal_attack_types=frozenset(cues["verbal_attack_types"]),
            attacked_building_words=frozenset(cues["attacked_building_words"]),
            contest_words=frozenset(cues["contest_words"]),
            state_reaction_roots=tuple(cues["state_reaction_roots"]),
            showing_verbs=frozenset(form for lemma in cues["showing_verbs"] for form in verb_forms(lemma)),
            fiction_works=frozenset(work.lower() for work in cues["fiction_works"]),
            depiction_verbs=frozenset(form for lemma in cues["depiction_verbs"] for form in verb_forms(lemma)),
            contest_types=frozenset(cues["contest_types"]),
            contest_types_alone=frozenset(cues["contest_types_alone"]),
            aim_cases=frozenset(cues["aim_cases"]),
            origin_cases=frozenset(cues["origin_cases"]),
            not_name_links=frozenset(cues["name_particles"]) | frozenset(cues["not_name_links"]),
            verb_coordinators=frozenset(cues["verb_coordinators"]),
            apposition_openers=frozenset(cues["apposition_openers"]),
            coordination_links=frozenset(tuple(link) for link in cues["coordination_links"]),
            first_person_pronouns=frozenset(cues["first_person_pronouns"]),
            reader_pronouns=frozenset(cues["reader_pronouns"]),
            conditional_moods=frozenset(cues["conditional_moods"]),
            domestic_types=frozenset(cues["domestic_types"]),
            jurisdiction_codes=frozenset(cues["jurisdiction_codes"]),
            object_target_codes=frozenset(cues["object_target_codes"]),
            weapon_codes=MappingProxyType(dict(cues["weapon_codes"])),
            open_water_words=frozenset(cues["open_water_words"]),
            own_forces_codes=tuple(cues["own_forces_codes"]),
            joint_codes=MappingProxyType(dict(cues["joint_codes"])),
            venue_codes=frozenset(cues["venue_codes"]),
            venue_cases=frozenset(cues["venue_cases"]),
            speech_act_roots=frozenset(cues["speech_act_roots"]),
            one_sided_roots=frozenset(cues["one_sided_roots"]),
            foreigner_words=frozenset(cues["foreigner_words"]),
            place_cases=frozenset(cues["place_cases"]),
            third_party_codes=frozenset(cues["third_party_codes"]),
            place_taking_codes=MappingProxyType(dict(cues["place_taking_codes"])),
            reciprocal_pronouns=frozenset(cues["reciprocal_pronouns"]),
            its_words=frozenset(cues["its_words"]),
            attribution_words=frozenset(cues["attribution_words"]),
            not_names=frozenset(cues["not_names"]),
            private_target_roots=frozenset(cues["private_target_roots"]),
            collective_possessives=frozenset(cues["collective_possessives"]),
            personal_possessives=frozenset(cues["personal_possessives"]),
            body_pronouns=frozenset(cues["body_pronouns"]),
            supposed_by_others=frozenset(cues["supposed_by_others"]),
            warning_verbs=frozenset(cues["warning_verbs"]),
            accidents=frozenset(
                word for topic in cues["disaster_topics"] for word in cues["offtopic"][topic] if " " not in word
            ),
        )

    @classmethod
    def from_file(cls, path: Path = CUES_FILE) -> "Cues":
        """The cues of ``data/cues.json`` (or another file of the same form)."""
        return cls.from_dict(read_cues(path))


@dataclass(frozen=True)
class Lexicon:
    """All the coder's dictionaries; build once with ``Lexicon.load()`` (it reads every data file)."""

    cues: Cues
    actions: ActionLexicon
    actors: ActorDictionary
    gazetteer: Gazetteer
    relevance: RelevanceFilter
    roles: RoleLexicon
    codes: Mapping[str, cameo.CameoCode]

    @classmethod
    def load(cls, cues_file: Path = CUES_FILE) -> "Lexicon":
        """Every dictionary from ``data/``."""
        raw_cues = read_cues(cues_file)
        actors = ActorDictionary()
        return cls(
            cues=Cues.from_dict(raw_cues),
            actions=ActionLexicon.from_file(),
            actors=actors,
            gazetteer=Gazetteer(actors.country_keys(), actors.not_country_keys(), actors.regions),
            relevance=RelevanceFilter(raw_cues),
            roles=RoleLexicon.from_file(),
            codes=cameo.cameo_table(),
        )
