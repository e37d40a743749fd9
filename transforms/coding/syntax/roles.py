"""Who did what to whom, read from a dependency parse.

``event_roles(parse, word, words)`` gives the doers and the done-to of the action whose head is
parse word ``word``, as parse words heading noun phrases: the active verb's subject and object or
oblique ("against", "on" ...), the passive's "by" agent and its subject, the subject shared by
coordinated verbs ("attacked the town and arrested ..."), by a controlled verb ("threatened to
attack"), by a participle clause (", killing 20") and the antecedent of a relative clause ("police,
who fired"). For an action named by a noun ("a warning from the EU", "Israeli strikes on Gaza") the
noun's own modifiers, and the verb it is the object of: the subject of "received a warning" is who
was warned. ``None`` when the parse says nothing about the action (the caller falls back to word
order).

``actors_of(parse, head, actors, token_words)`` maps a role word to the actors the noun phrase names,
following coordination ("Chile, Peru and Bolivia").
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import Mapping, Optional, Sequence

from transforms.coding.inflection import verb_forms
from transforms.coding.syntax.parse import Parse

DATA_FILE = Path(__file__).resolve().parents[1] / "data" / "syntax_roles.json"
NOMINAL = frozenset({"NOUN", "PROPN", "PRON", "NUM", "X", "ADJ", "DET"})


@dataclass(frozen=True)
class RoleLexicon:
    """The few words the role finder needs, loaded from ``data/syntax_roles.json``."""

    receiving_verbs: frozenset[str]
    doer_prepositions: frozenset[str]
    # "clashes between the army and rebels": the phrase names every doer, each acting on the others.
    partner_prepositions: frozenset[str]
    object_aim_prepositions: frozenset[str]
    target_prepositions: frozenset[str]
    clause_relations: frozenset[str]
    subject_relations: frozenset[str]
    passive_subject_relations: frozenset[str]
    object_relations: frozenset[str]
    relative_words: frozenset[str]
    reciprocal_roots: frozenset[str]
    group_words: frozenset[str]
    background_prepositions: frozenset[str]
    # "despite the announcement that ...", "amid reports that ...": what such a noun's clause tells
    # is background.
    hearsay_background_prepositions: frozenset[str]
    private_heads: frozenset[str]
    # Private heads that name people: with a country word they are its civilians ("a Turkish man").
    private_person_heads: frozenset[str]
    # Statement verbs (every form) that report speech only with a clause or quote ("added that").
    clause_only_say_verbs: frozenset[str]
    public_body_words: frozenset[str]
    private_body_words: frozenset[str]
    sense_changing_particles: frozenset[str]
    temporal_words: frozenset[str]
    # Words after which an -ing word is a verb, never an adjective ("before convicting Webb").
    gerund_subordinators: frozenset[str]
    person_pronouns: frozenset[str]
    pronoun_reach: int
    undoing_phrasal_verbs: frozenset[tuple[str, str]]
    third_person_pronouns: frozenset[str]
    # Verbs that are the action only without an object: "demonstrated his commitment" shows.
    intransitive_actions: frozenset[str]
    # Verbs that are the action only with an object or in the passive: "Hong Kong is burning".
    transitive_actions: frozenset[str]
    # Prepositions before a gerund that mention an action without reporting it ("against travelling").
    mention_prepositions: frozenset[str]
    # Relations in which an action noun without a doer the parse finds still reports an event:
    # a verb's object ("began a hunger strike"), a clause of its own.
    clause_roles_of_action_nouns: frozenset[str]
    # Verbs (every form) whose object noun names the action they report ("launched strikes").
    support_verbs: frozenset[str]
    # Verbs (every form) whose subject noun names an action that happens ("riots continued").
    happening_verbs: frozenset[str]
    # Verbs (every form) of having: "has a lot to offer" is offered by anyone.
    having_verbs: frozenset[str]
    reporting_verbs: frozenset[str]
    # Verbs (every form) of opinion: "analysts believe Russia will attack" is a forecast.
    forecast_verbs: frozenset[str]
    # Verbs (every form) of taking away, whose "from" phrase is the done-to: "recalled its envoy from Beijing".
    withdrawing_verbs: frozenset[str]
    withdrawal_cases: frozenset[str]
    # "A and B exchanged fire / clashed / swapped prisoners": done by each to the other.
    reciprocal_verbs: frozenset[str]
    # Verb forms and same-spelled nouns -> the object heads that keep their sense ("released two
    # prisoners", not "released a letter").
    object_senses: Mapping[str, frozenset[str]]

    @classmethod
    def from_file(cls, path: Path = DATA_FILE) -> "RoleLexicon":
        data = json.loads(path.read_text(encoding="utf-8"))
        receiving = frozenset(form for lemma in data["receiving_verbs"] for form in verb_forms(lemma))
        intransitive = frozenset(form for lemma in data["intransitive_actions"] for form in verb_forms(lemma))
        transitive = frozenset(form for lemma in data["transitive_actions"] for form in verb_forms(lemma))
        support = frozenset(form for lemma in data["support_verbs"] for form in verb_forms(lemma))
        happening = frozenset(form for lemma in data["happening_verbs"] for form in verb_forms(lemma))
        having = frozenset(form for lemma in data["having_verbs"] for form in verb_forms(lemma))
        reporting = frozenset(form for lemma in data["reporting_verbs"] for form in verb_forms(lemma))
        forecasting = frozenset(form for lemma in data["forecast_verbs"] for form in verb_forms(lemma))
        withdrawing = frozenset(form for lemma in data["withdrawing_verbs"] for form in verb_forms(lemma))
        reciprocal_verbs = frozenset(form for lemma in data["reciprocal_verbs"] for form in verb_forms(lemma))
        clause_only = frozenset(form for lemma in data["clause_only_say_verbs"] for form in verb_forms(lemma))
        # People are private heads too; the file lists them once, as people.
        private = frozenset(data["private_heads"]) | frozenset(data["private_person_heads"])
        object_senses = {
            form: frozenset(objects)
            for lemma, objects in data["object_senses"].items()
            for form in verb_forms(lemma) | {lemma + "s"}
        }
        undoing = frozenset(
            (form, particle)
            for phrase in data["undoing_phrasal_verbs"]
            for verb, particle in [phrase.split(" ", 1)]
            for form in verb_forms(verb)
        )
        return cls(
            receiving_verbs=receiving,
            intransitive_actions=intransitive,
            transitive_actions=transitive,
            support_verbs=support,
            happening_verbs=happening,
            having_verbs=having,
            reporting_verbs=reporting,
            forecast_verbs=forecasting,
            withdrawing_verbs=withdrawing,
            reciprocal_verbs=reciprocal_verbs,
            clause_only_say_verbs=clause_only,
            private_heads=private,
            object_senses=MappingProxyType(object_senses),
            pronoun_reach=int(data["pronoun_reach"]),
            undoing_phrasal_verbs=undoing,
            **{
                key: frozenset(data[key]) for key in cls.__dataclass_fields__
                if key not in (
                    "receiving_verbs", "pronoun_reach", "undoing_phrasal_verbs", "intransitive_actions", "object_senses",
                    "support_verbs", "happening_verbs", "having_verbs", "transitive_actions", "clause_only_say_verbs", "private_heads",
                    "reciprocal_verbs", "reporting_verbs", "forecast_verbs", "withdrawing_verbs",
                )
            },
        )


@dataclass(frozen=True)
class Roles:
    """Candidate words for the doer and the done-to, best first (the caller keeps the first that
    names an actor)."""

    doers: tuple[int, ...]
    done_to: tuple[int, ...]
    # The parse named a doer (or done-to) that is no actor: "the company said", "a spokesman".
    doer_named: bool
    done_to_named: bool
    passive: bool = False
    # An action named by a noun in a prepositional phrase of time or circumstance ("amid the
    # withdrawal", "after India's strike", "with bombings recorded weekly") is background, no event.
    background: bool = False


def _children(parse: Parse, word: int, relations: frozenset[str] | set[str]) -> list[int]:
    return [child for child in parse.children(word) if parse.deps[child] in relations]


def _is_passive(parse: Parse, verb: int) -> bool:
    return parse.passive[verb] and any(
        parse.deps[child] in ("aux:pass", "nsubj:pass", "obl:agent") for child in parse.children(verb)
    ) or any(parse.deps[child] in ("nsubj:pass", "aux:pass") for child in parse.children(verb))


def _agents(parse: Parse, verb: int) -> list[int]:
    return [
        child for child in parse.children(verb)
        if parse.deps[child] == "obl:agent" or (parse.relation(child) == "obl" and parse.case_of(child) == "by")
    ]


def _targets(parse: Parse, verb: int, lexicon: RoleLexicon) -> list[int]:
    """Candidates for the done-to of an active verb, best first: its object, indirect object,
    obliques with a target preposition ("against", "on", "to" ...), and those inside the object
    ("aid to Mozambique"). The caller takes the first that names an actor: "gave troops to Lebanon"
    is done to Lebanon, not to the troops."""
    children = parse.children(verb)
    objects = [child for child in children if parse.deps[child] == "obj"]
    # "offered its troops to Lebanon", "sent aid to Sudan": with an object, a "to" phrase is the
    # recipient, and the recipient is the target.
    recipients = [
        child for child in children if objects and parse.relation(child) == "obl" and parse.case_of(child) == "to"
    ]
    # "imposed sanctions on Iran over its exports to Russia": what the object itself is aimed at
    # comes before a "to" phrase the parser hangs on the verb, though after the object ("beat up
    # Palestinian detainees on the West Bank").
    aims = [
        child for noun in objects for child in parse.children(noun)
        if parse.relation(child) == "nmod" and parse.case_of(child) in lexicon.object_aim_prepositions
    ]
    if aims:
        recipients = []
    candidates = recipients + objects + [child for child in children if parse.deps[child] == "iobj"] + aims
    # "attacked Odesa with drones": beside an object that is a name, a "with" phrase is the means
    # ("signed a deal with Kenya", "held talks with Iran" name the partner there).
    named_object = any(parse.pos[noun] == "PROPN" for noun in objects)
    candidates += [
        child for child in children
        if parse.relation(child) == "obl" and parse.case_of(child) in lexicon.target_prepositions and child not in recipients
        and not (named_object and parse.case_of(child) == "with")
    ]
    if parse.words[verb].lower() in lexicon.withdrawing_verbs:
        # "recalled its ambassador from Beijing", "withdrew troops from Lebanon": whom it is taken from.
        candidates += [
            child for child in children if parse.relation(child) == "obl" and parse.case_of(child) in lexicon.withdrawal_cases
        ] + [
            child for noun in objects for child in parse.children(noun)
            if parse.relation(child) == "nmod" and parse.case_of(child) in lexicon.withdrawal_cases
        ]
    for noun in objects:
        candidates += [
            child for child in parse.children(noun)
            if parse.relation(child) == "nmod" and parse.case_of(child) in lexicon.target_prepositions
        ]
    return candidates


def subject_of(parse: Parse, verb: int, lexicon: RoleLexicon, depth: int = 0) -> Optional[int]:
    """The doer of an active verb, inherited along coordination, control and participles."""
    subjects = _children(parse, verb, lexicon.subject_relations)
    if subjects:
        subject = subjects[0]
        if parse.words[subject].lower() in lexicon.relative_words and parse.deps[verb].startswith("acl"):
            return parse.heads[verb]  # "police, who fired": the antecedent
        return subject
    if depth > 4 or parse.heads[verb] == verb:
        return None
    governor = parse.heads[verb]
    relation = parse.deps[verb]
    if relation == "conj" or relation == "xcomp":
        return subject_of(parse, governor, lexicon, depth + 1)
    if relation == "advcl" and parse.tags[verb] in ("VBG", "VBN"):
        return subject_of(parse, governor, lexicon, depth + 1)  # "..., killing 20 people"
    if relation == "acl" and parse.tags[verb] == "VBG":
        return governor  # "gunmen firing on the crowd"
    if _inverted_main_clause(parse, verb) or (relation == "acl" and parse.tags[verb] in ("VBD", "VBZ", "VBP")):
        return governor  # a finite verb is no reduced relative: "as opposition supporters rioted"
    return None


def _inverted_main_clause(parse: Parse, verb: int) -> bool:
    """"The African Union called for a ceasefire": a parser trained on web text often reads a short
    news sentence as a noun phrase with a reduced relative ("Union" the root, "called" its acl).
    A finite-looking verb hanging on the root noun, with no "by" agent, is the main verb."""
    governor = parse.heads[verb]
    top = governor
    # "Thousands of demonstrators marched": the noun may hang on a quantity that is the root.
    while parse.deps[top] in ("nmod", "compound", "appos") and parse.heads[top] != top:
        top = parse.heads[top]
    return (
        parse.deps[verb] == "acl"
        and parse.deps[top] == "root"
        and parse.tags[verb] in ("VBD", "VBZ", "VBP", "VBN")
        and not any(parse.deps[child] == "obl:agent" or parse.case_of(child) == "by" for child in parse.children(verb))
        and not any(parse.pos[word] in ("VERB", "AUX") and parse.deps[word] == "root" for word in range(len(parse.words)))
    )


def _told_in_background(parse: Parse, verb: int, lexicon: RoleLexicon) -> bool:
    """Is ``verb`` the content clause of a noun in a concessive or circumstantial phrase ("despite
    the announcement [that they had reached a deal]", "amid reports [that Russia had attacked]")?
    What such a clause tells is background or hearsay, no event of the sentence."""
    noun = parse.heads[verb]
    return (
        # A "that" marking the clause makes it the noun's content, however the parser labels it
        # (a relative "that" is the clause's subject or object, no marker).
        parse.deps[verb].startswith("acl") and noun != verb and parse.pos[noun] in ("NOUN", "PROPN")
        and any(parse.deps[child] == "mark" and parse.words[child].lower() == "that" for child in parse.children(verb))
        and any(
            parse.deps[child] == "case" and parse.words[child].lower() in lexicon.hearsay_background_prepositions
            for child in parse.children(noun)
        )
    )


def verb_roles(parse: Parse, verb: int, lexicon: RoleLexicon) -> Roles:
    reduced_passive = parse.deps[verb] == "acl" and parse.tags[verb] == "VBN" and not _inverted_main_clause(parse, verb)
    if _is_passive(parse, verb) or reduced_passive:
        doers = _agents(parse, verb)
        done_to = _children(parse, verb, lexicon.passive_subject_relations)
        if parse.deps[verb].startswith("acl"):
            # "journalists who were abducted": the relative pronoun stands for the noun.
            done_to = [parse.heads[verb] if parse.words[word].lower() in lexicon.relative_words else word for word in done_to]
        if not done_to and parse.deps[verb] == "acl":
            done_to = [parse.heads[verb]]  # "protesters killed by police"
        if not done_to and parse.deps[verb] == "conj":
            done_to = _children(parse, parse.heads[verb], lexicon.passive_subject_relations)
        # "the ceasefire between Armenia and Azerbaijan was brokered", "aid to Gaza was blocked":
        # as inside an active verb's object, after the subject itself.
        done_to = list(done_to) + [
            child for noun in done_to for child in parse.children(noun)
            if parse.relation(child) == "nmod"
            and parse.case_of(child) in lexicon.target_prepositions | lexicon.partner_prepositions
        ]
        return Roles(tuple(doers), tuple(done_to), bool(doers), bool(done_to), passive=True)
    subject = subject_of(parse, verb, lexicon)
    targets = _targets(parse, verb, lexicon)
    # "threatened to attack the town": the controlled verb's object is a target too.
    for child in _children(parse, verb, {"xcomp"}):
        targets += _targets(parse, child, lexicon)
    doers = (subject,) if subject is not None else ()
    # "Japan is great to visit", "a lot to offer": nobody in particular does it, so the parse names
    # its (missing) doer and word order must not guess one.
    return Roles(doers, tuple(targets), subject is not None or _generic_infinitive(parse, verb, lexicon), bool(targets))


def main_clause_roles(parse: Parse, roles: Roles, verb: int, clause_start: int) -> Roles:
    """``roles`` of a main-clause ``verb`` whose sentence opens with a subordinate clause ending
    before word ``clause_start``: a subject the parser found inside that clause ("Should China
    attack Taiwan, Japan will impose ...", read with "attack" a subject of "impose") gives way to
    the verb's subject after it, if any."""
    if not roles.doers or any(doer >= clause_start for doer in roles.doers):
        return roles
    later = [child for child in parse.children(verb) if parse.relation(child) == "nsubj" and child >= clause_start]
    return replace(roles, doers=tuple(later[-1:]), doer_named=bool(later))


def _generic_infinitive(parse: Parse, verb: int, lexicon: RoleLexicon) -> bool:
    """Is ``verb`` a "to" infinitive that completes an adjective ("great to visit", "easy to
    attack") or describes a noun no one owns ("a lot to offer", "the best time to visit")? Its doer
    is anyone. Not a noun with an owner ("Russia's decision to invade"), nor a verb's complement
    ("plans to visit")."""
    governor = parse.heads[verb]
    if governor == verb or parse.tags[verb] != "VB" or not any(
        parse.deps[child] == "mark" and parse.words[child].lower() == "to" for child in parse.children(verb)
    ):
        return False
    if parse.pos[governor] == "ADJ":
        return parse.relation(verb) in ("xcomp", "advcl", "ccomp", "acl")
    # The parser often hangs a purpose on the object before it ("police used batons to break up a
    # protest"): only a noun that a verb of having holds or no verb takes counts.
    holder = parse.heads[governor]
    return (
        parse.pos[governor] in ("NOUN", "PRON")
        and parse.relation(verb) == "acl"
        and not any(parse.deps[child] in ("nmod:poss", "nmod") for child in parse.children(governor))
        and (parse.relation(governor) != "obj" or parse.words[holder].lower() in lexicon.having_verbs)
    )


def quantity_of(parse: Parse, noun: int) -> int:
    """The quantity a noun is counted by ("5 million dollars" in "5 million dollars of aid", "days"
    in "10 days of war games"), which takes its place in the clause; else the noun itself."""
    quantity = parse.heads[noun]
    if (
        quantity != noun and parse.relation(noun) == "nmod" and parse.case_of(noun) == "of"
        and any(parse.relation(child) == "nummod" for child in parse.children(quantity))
    ):
        return quantity
    return noun


def noun_roles(parse: Parse, noun: int, lexicon: RoleLexicon) -> Optional[Roles]:
    """Roles of an action named by a noun; None when neither the noun nor its verb says."""
    if parse.relation(noun) in ("obl", "nmod") and parse.case_of(noun) in lexicon.background_prepositions:
        return Roles((), (), True, True, background=True)
    governor = parse.heads[noun]
    if parse.deps[noun] == "obj" and any(
        parse.deps[child] == "compound:prt"
        and (parse.words[governor].lower(), parse.words[child].lower()) in lexicon.undoing_phrasal_verbs
        for child in parse.children(governor)
    ):
        # "struck down the curfew", "held up aid": the phrasal verb undoes the action noun
        # ("speeded up the withdrawal" does not).
        return Roles((), (), True, True, background=True)
    doers: list[int] = []
    done_to: list[int] = []
    for child in parse.children(noun):
        relation = parse.deps[child]
        case = parse.case_of(child)
        if relation == "nmod:poss" or (
            parse.relation(child) == "nmod" and case in lexicon.doer_prepositions | lexicon.partner_prepositions
        ):
            doers.append(child)
        elif parse.relation(child) == "nmod" and case in lexicon.target_prepositions:
            done_to.append(child)
        elif relation in ("amod", "compound") and child < noun and parse.pos[child] in ("PROPN", "ADJ"):
            doers.append(child)  # "Israeli strikes", "Taliban attacks"
    # "gave Chad 5 million dollars of aid": the quantity's verb is the action's.
    phrase = quantity_of(parse, noun)
    governor = parse.heads[phrase]
    relation = parse.relation(phrase)
    if governor != phrase and relation == "obj":
        verb_word = parse.words[governor].lower()
        subjects = _children(parse, governor, lexicon.subject_relations)
        if verb_word in lexicon.receiving_verbs:
            # "Iran received a warning from the EU", "the mayor faced complaints from councillors":
            # the receiver, before what the noun is about ("a warning ... over its media law")
            done_to = subjects or done_to
            doers = [d for d in doers if parse.deps[d] != "nmod:poss"] or [
                child for child in parse.children(governor)
                if parse.relation(child) == "obl" and parse.case_of(child) in lexicon.doer_prepositions
            ]
        elif verb_word in lexicon.reporting_verbs:
            # "the UN reported the bombing of a school", "the ministry said the attack targeted
            # Kyiv" (the parser's object): who tells of an action has not done it.
            pass
        else:
            # "launched strikes on the town", "issued a warning to Iran"
            if not doers:
                subject = subject_of(parse, governor, lexicon)
                doers = [subject] if subject is not None else []
            if not done_to:
                done_to = [
                    child for child in parse.children(governor)
                    if parse.relation(child) in ("obl", "iobj") and (
                        parse.deps[child] == "iobj" or parse.case_of(child) in lexicon.target_prepositions
                    )
                ][:1]
    elif (
        not done_to and all(parse.deps[doer] in ("amod", "compound") for doer in doers)
        and governor != phrase and parse.relation(phrase) == "obl"
        and parse.case_of(phrase) == "with" and parse.pos[governor] == "VERB"
    ):
        # "protesters were dispersed with tear gas by riot police": the means of the verb's action
        # is used by its doer on its done-to.
        return verb_roles(parse, governor, lexicon)
    elif governor != phrase and parse.deps[phrase] == "nsubj:pass" and parse.words[governor].lower() in lexicon.support_verbs:
        # "air strikes were launched by Israel on Gaza", "sanctions were imposed by the EU": the
        # agent of the passive support verb is the doer, its aim the done-to.
        doers = _agents(parse, governor) or doers
        done_to = done_to or [
            child for child in parse.children(governor)
            if parse.relation(child) in ("obl", "nmod") and parse.case_of(child) in lexicon.target_prepositions
            and parse.deps[child] != "obl:agent"
        ][:1]
    elif governor != phrase and relation in ("nsubj",):
        done_to = done_to or _targets(parse, governor, lexicon)  # "a roadside bomb killed two soldiers"
    if not doers and not done_to:
        if relation == "obj" and parse.words[governor].lower() in lexicon.reporting_verbs:
            return Roles((), (), True, False)  # nobody the parse names did it; word order must not guess
        return None
    return Roles(tuple(doers), tuple(done_to), bool(doers) or (
        relation == "obj" and parse.words[governor].lower() in lexicon.reporting_verbs
    ), bool(done_to))


def pronoun_antecedent(parse: Parse, verb: int, lexicon: RoleLexicon) -> Optional[int]:
    """"Switzerland said it had expelled ...", "militants said they attempted ...": the subject of
    the nearest clause above ``verb`` whose subject is not itself a pronoun."""
    word = verb
    for _ in range(6):
        if parse.heads[word] == word:
            return None
        word = parse.heads[word]
        for child in parse.children(word):
            if parse.deps[child] in lexicon.subject_relations and parse.pos[child] != "PRON":
                return child
    return None


def reported_clause(parse: Parse, word: int, statement_words: Sequence[int]) -> Optional[set[int]]:
    """The words of the clause a statement verb reports ("police said [protesters stormed the
    building]", '"[We will retaliate]," the minister said') when parse word ``word`` is inside one,
    else None. The speaker stands outside it: who said it is not who did what is said."""
    for say in statement_words:
        for child in parse.children(say):
            if parse.deps[child] in ("ccomp", "parataxis"):
                clause = parse.subtree(child)
                if word in clause:
                    return clause
        if parse.deps[say] == "parataxis" and parse.heads[say] != say:
            # '"...," he said' read as a parenthetical hanging on the quote's verb.
            clause = parse.subtree(parse.heads[say]) - parse.subtree(say)
            if word in clause:
                return clause
    return None


def clause_subject(parse: Parse, word: int, clause: set[int]) -> Optional[int]:
    """The nearest subject of ``word`` or of the words above it inside ``clause`` ("it" for
    "withdraw" in "it is willing to withdraw"); None if the clause has none."""
    while word in clause:
        for child in parse.children(word):
            if parse.relation(child) in ("nsubj", "expl"):
                return child
        if parse.heads[word] == word:
            return None
        word = parse.heads[word]
    return None


def _year(parse: Parse, word: int) -> Optional[int]:
    """The latest year a word names: "1999", a decade's last ("1990s": 1999, so "the 2020s" are
    no history in 2026), a century's last ("the 19th century": 1899); years are written 1800-2099."""
    text = parse.words[word].lower()
    decade = text.endswith(("0s", "0's"))
    if decade:
        text = text[:4]
    if len(text) == 4 and text.isdigit() and text[:2] in ("18", "19", "20"):
        return int(text) + (9 if decade else 0)
    if text == "century":
        for child in parse.children(word):
            ordinal = parse.words[child].lower()
            if ordinal[:-2].isdigit() and ordinal.endswith(("th", "st", "nd", "rd")) and 19 <= int(ordinal[:-2]) <= 21:
                return int(ordinal[:-2]) * 100 - 1
    return None


def _noun_years(parse: Parse, noun: int) -> list[int]:
    """The years among the modifiers before a noun ("the 2003 invasion", "the 1991 Gulf War");
    none for a word that is no noun."""
    if parse.pos[noun] not in ("NOUN", "PROPN"):
        return []
    return [
        year for child in parse.children(noun)
        if parse.relation(child) in ("compound", "nummod", "amod", "nmod") and child < noun
        and (year := _year(parse, child)) is not None
    ]


def years_of_time(parse: Parse, word: int, lexicon: Optional[RoleLexicon] = None) -> list[int]:
    """Years named in the time or circumstance phrases of the action at ``word`` ("In 1970 he
    suspended the constitution", "seized the territories in the 1967 war", "in December 2015"),
    not in its subject or object ("the 2010 allegation") nor in a purpose after it ("signed a deal to
    raise trade in 1983"); a clause before it sets its time ("In 1970, after he lost the election,
    he suspended ..."). Also the year a clause describes ("until 2013, when Pakistan banned it"),
    an action noun's own year ("the February 2021 coup") and, with ``lexicon``, the time of the verb
    that says an action noun happened ("the invasion started in February 2022"). Years are written
    1800-2099."""
    years = []
    for child in parse.children(word):
        relation = parse.relation(child)
        if relation in ("obl", "advmod") or (relation == "advcl" and child < word) or parse.deps[child] in (
            "nmod:tmod", "obl:tmod"
        ):
            years.extend(year for member in parse.subtree(child) if (year := _year(parse, member)) is not None)
    head = parse.heads[word]
    if head == word:
        return years
    if parse.relation(word) in ("acl", "advcl"):
        if (year := _year(parse, head)) is not None:
            years.append(year)  # "until 2013, when Pakistan banned the group"
        # "the 1991 Gulf War, when U.S.-led forces attacked Iraq": the noun's own year.
        years.extend(_noun_years(parse, head))
        # The parser often hangs the "when" clause on the main verb: the year right before it tells.
        for child in parse.children(word):
            if child < word and parse.words[child].lower() == "when" and parse.relation(child) == "advmod":
                before = child - 1 - (child > 0 and parse.pos[child - 1] == "PUNCT")
                if before >= 0 and (year := _year(parse, before)) is not None:
                    years.append(year)
                elif before >= 0:
                    years.extend(_noun_years(parse, before))
    if parse.pos[word] in ("NOUN", "PROPN"):
        years.extend(_noun_years(parse, word))  # "the February 2021 military coup", "the 2003 invasion"
        if lexicon is not None and (
            parse.relation(word) == "obj"
            or (parse.relation(word) == "nsubj" and parse.words[head].lower() in lexicon.happening_verbs)
        ):
            # "the invasion of Ukraine started in February 2022"; "After the 2021 coup, activists
            # launched a civil-disobedience movement": the verb carrying the noun out dates it.
            years.extend(years_of_time(parse, head))
    return years


def object_keeps_sense(parse: Parse, word: int, allowed: frozenset[str], actor_words: frozenset[int]) -> bool:
    """Does the action at ``word`` have an object that keeps its dictionary sense: none at all, a
    name or pronoun, an actor (its head or a modifier in ``actor_words``: "the detained Nigerien
    president") or a head word in ``allowed``? A verb's object is its ``obj`` (a clause is the
    other sense: "recognised that ..."), a passive's subject, or the noun a participle describes;
    a noun's, its "of" phrase ("the release of the hostages")."""
    if parse.pos[word] in ("VERB", "AUX") or parse.tags[word].startswith("VB"):
        if any(
            parse.deps[child] == "ccomp"
            and any(parse.deps[mark] == "mark" and parse.words[mark].lower() in ("that", "whether") for mark in parse.children(child))
            for child in parse.children(word)
        ):
            return False  # "recognised that the deal was bad"
        objects = [child for child in parse.children(word) if parse.deps[child] == "obj"]
        if parse.deps[word] == "acl:relcl" and parse.heads[word] != word and all(
            parse.tags[child] in ("WDT", "WP") for child in objects
        ):
            objects = [parse.heads[word]]  # "the order, which Trump signed": the noun it describes
        elif not objects and _is_passive(parse, word):
            # "a letter was released": the passive's subject is what is done to.
            objects = [child for child in parse.children(word) if parse.deps[child] in ("nsubj:pass", "csubj:pass")]
        elif not objects and parse.deps[word] in ("acl", "amod") and parse.tags[word] == "VBN" and parse.heads[word] != word:
            # "photographers recognised for their work", "the most recognised photographers", "the
            # town captured by rebels": the noun the participle describes.
            objects = [parse.heads[word]]
        elif not objects:
            # "Obama's involvement offers a powerful reminder": the parser hung the noun right
            # after the verb elsewhere (here as the next clause's subject); it is still the object.
            objects = _noun_right_after(parse, word)
    else:
        objects = [
            child for child in parse.children(word)
            if parse.relation(child) == "nmod" and parse.case_of(child) == "of"
        ]
    def names_actor(head: int) -> bool:
        modifiers = {
            child for child in parse.children(head) if parse.deps[child] in ("amod", "compound", "nmod:poss", "flat")
        }
        return bool(({head} | modifiers) & actor_words)

    return not objects or any(
        parse.pos[head] in ("PROPN", "PRON") or parse.words[head].lower() in allowed or names_actor(head)
        for head in objects
    )


def _noun_right_after(parse: Parse, word: int) -> list[int]:
    """The common noun that follows the verb at ``word`` with only determiners, adjectives and
    numbers between ("offers [a powerful reminder]"), as a one-word list; empty when another word
    comes first ("offered to help", "offered on Monday") or a second noun follows (a compound the
    parser may have split: "offers asylum seekers")."""
    position = word + 1
    while position < len(parse.words) and parse.pos[position] in ("DET", "ADJ", "NUM"):
        position += 1
    if position >= len(parse.words) or parse.pos[position] != "NOUN":
        return []
    if position + 1 < len(parse.words) and parse.pos[position + 1] == "NOUN":
        return []  # "offers asylum seekers ...": a compound the parser may have split
    return [position]


def is_mentioned_gerund(parse: Parse, word: int, lexicon: RoleLexicon) -> bool:
    """"advised its citizens against travelling to the region", "the task of striking a deal": a
    gerund after one of ``mention_prepositions`` names an action, it does not report one."""
    return parse.tags[word] == "VBG" and any(
        parse.deps[child] in ("mark", "case") and parse.words[child].lower() in lexicon.mention_prepositions
        for child in parse.children(word)
    )


def partner_phrase(parse: Parse, word: int, lexicon: RoleLexicon) -> Optional[int]:
    """The "between"/"among" phrase (``partner_prepositions``) listing two or more partners of the
    action at ``word`` that has no doer of its own: on the action word, noun or verb as the parser
    tags it ("clashes between the army and rebels", "Fighting among the militias"), or on the verb
    the action is the subject of ("clashes broke out between Israeli troops and Hamas fighters").
    None otherwise: "Egypt mediated between Israel and Hamas" (a subject) or "Qatar's mediation
    between ..." (an owner) names a doer, and the partners are then whom it acts on."""
    if any(
        (parse.deps[child] in lexicon.subject_relations and parse.pos[child] in ("NOUN", "PROPN", "PRON"))
        or parse.deps[child] == "nmod:poss"
        for child in parse.children(word)
    ):
        return None  # (an adjective the parser made a subject, "Deadly clashes between ...", is none)
    holders = [word]
    if parse.deps[word] in lexicon.subject_relations and parse.heads[word] != word:
        holders.append(parse.heads[word])
    for holder in holders:
        for child in parse.children(holder):
            if (
                parse.relation(child) in ("obl", "nmod")
                and parse.case_of(child) in lexicon.partner_prepositions
                and (len(conjuncts(parse, child)) > 1 or any(
                    parse.deps[modifier] in ("amod", "compound")
                    and any(parse.deps[listed] == "conj" for listed in parse.children(modifier))
                    for modifier in parse.children(child)
                ))
            ):  # a list of partners, of nouns or of their modifiers ("Armenian and Azerbaijani forces")
                return child
    return None


def _noun_in_background_phrase(parse: Parse, word: int, lexicon: RoleLexicon) -> bool:
    """Is ``word``, tagged a verb, the last noun of a phrase of time or circumstance ("Pakistan
    recalled its ambassador [after the border clashes]", parsed with "clashes" as a verb and "after
    the border" as its oblique)? Only a verb with no subject or object whose words before it are
    such a preposition, then a determiner, adjectives or nouns."""
    if parse.pos[word] not in ("VERB", "AUX") or any(
        parse.deps[child] in lexicon.subject_relations or parse.deps[child] == "obj" for child in parse.children(word)
    ):
        return False
    before = sorted(member for member in parse.subtree(word) if member < word)
    return (
        len(before) >= 2 and before == list(range(before[0], word))
        and parse.pos[before[0]] == "ADP" and parse.words[before[0]].lower() in lexicon.background_prepositions
        and all(parse.pos[member] in ("DET", "ADJ", "NOUN", "PROPN", "NUM") for member in before[1:])
    )


def event_roles(parse: Parse, word: int, verbal: bool, lexicon: RoleLexicon) -> Optional[Roles]:
    """Doer and done-to words of the action headed by ``word``; None when the parse cannot say."""
    if any(_told_in_background(parse, above, lexicon) for above in parse.ancestors(word)):
        return Roles((), (), True, True, background=True)
    if _noun_in_background_phrase(parse, word, lexicon):
        return Roles((), (), True, True, background=True)
    partners = partner_phrase(parse, word, lexicon)
    if partners is not None:
        # Each partner acts on the others (the caller makes the event reciprocal).
        return Roles((partners,), (), True, False)
    if (verbal and parse.pos[word] in ("VERB", "AUX")) or parse.tags[word].startswith("VB"):
        return verb_roles(parse, word, lexicon)
    if parse.pos[word] in ("NOUN", "PROPN"):
        return noun_roles(parse, word, lexicon)
    return None


def phrase_words(parse: Parse, head: int, lexicon: RoleLexicon) -> set[int]:
    """The words of the noun phrase headed by ``head``, without its clauses and conjuncts."""
    found = {head}
    frontier = [head]
    while frontier:
        word = frontier.pop()
        for child in parse.children(word):
            if parse.deps[child] in lexicon.clause_relations or parse.deps[child] in ("conj", "cc", "appos"):
                continue
            found.add(child)
            frontier.append(child)
    return found


def conjuncts(parse: Parse, head: int) -> list[int]:
    """``head`` and the words coordinated with it ("Chile, Peru and Bolivia"), in order."""
    group = [head]
    frontier = [head]
    while frontier:
        word = frontier.pop()
        for child in parse.children(word):
            in_list = parse.deps[child] == "appos" and parse.pos[child] == "PROPN" and any(
                parse.deps[grandchild] == "conj" for grandchild in parse.children(child)
            )  # "Chile, Peru and Bolivia" read as an apposition holding a list
            if (parse.deps[child] == "conj" and parse.pos[child] in NOMINAL) or in_list:
                group.append(child)
                frontier.append(child)
    return sorted(group)


def actors_of(parse: Parse, head: int, actors: Sequence, token_words: Sequence[Optional[int]], lexicon: RoleLexicon) -> list:
    """The actors named by the noun phrase at ``head`` and its conjuncts. Per conjunct: the actor
    holding its head word ("Russia's Defense Ministry"); for a quantity or group ("two of the
    soldiers", "a group of Moroccan diplomats") the phrase after "of"; for a person's name, the
    actor in its title ("Ukrainian President Volodymyr Zelenskyy"). A phrase headed by a word that
    names a private person or thing is no actor, whatever modifies it: "Canada's senior economist"
    is not Canada, "Palestinian youths" are Palestinians."""
    found = []
    for conjunct in conjuncts(parse, head):
        for actor in _phrase_actor(parse, conjunct, actors, token_words, lexicon):
            if actor not in found:
                found.append(actor)
    return found


def _holding(actors: Sequence, token_words: Sequence[Optional[int]], words: set[int]) -> list:
    return [actor for actor in actors if any(token_words[p] in words for p in range(actor.start, actor.end))]


def _is_country(actor) -> bool:
    """A country named as such (no role of its own): "Syria", "Pakistan's"."""
    return actor.type is None and actor.country is not None


def _civilians_of(country):
    """A country's private people (``TURCVL``, kind "private": no political actor on their own)."""
    return country._replace(code=country.country + "CVL", type="CVL", kind="private")


def _role_of(role, country):
    """A role without a country (``---MIL``) as the country's (``PAKMIL``)."""
    return role._replace(code=country.country + role.code[3:], country=country.country)


def _phrase_actor(parse: Parse, head: int, actors: Sequence, token_words: Sequence[Optional[int]], lexicon: RoleLexicon, depth: int = 0) -> list:
    holding = _holding(actors, token_words, {head})
    if holding:
        # "A spokesperson for Hamas", "an official of the Kenyan foreign ministry": a role without
        # a country speaks for the body its "for"/"of" phrase names.
        if not holding[0].has_country and depth <= 3:
            # A second noun the parser hung on the role without its "of" ("Leaders of the Azadliq
            # (Freedom) opposition coalition") belongs to the same phrase.
            for child in parse.children(head):
                if parse.relation(child) == "nmod" and (
                    parse.case_of(child) in ("for", "of", "from") or (child > head and parse.case_of(child) is None)
                ):
                    owner = _phrase_actor(parse, child, actors, token_words, lexicon, depth + 1)
                    if owner and parse.case_of(child) == "from" and _is_country(owner[0]):
                        # "refugees from Syria", "doctors from Canada": the role, of that country.
                        return [_role_of(holding[0], owner[0])]
                    if owner:
                        return owner[:1]
                if parse.deps[child] == "nmod:poss":
                    # "Pakistan's top political and military leaders": the owner the words
                    # between kept out of the actor's own phrase.
                    owner = _phrase_actor(parse, child, actors, token_words, lexicon, depth + 1)
                    if owner and _is_country(owner[0]):
                        return [_role_of(holding[0], owner[0])]
                if parse.deps[child] in ("amod", "compound") and child < head:
                    # "Mexican immigration authorities": a nationality the words between kept out
                    # (on the role or on a noun before it).
                    modifiers = {child} | {
                        inner for inner in parse.children(child) if parse.deps[inner] == "amod" and inner < child
                    }
                    nationality = [actor for actor in _holding(actors, token_words, modifiers) if _is_country(actor)]
                    if nationality:
                        return [_role_of(holding[0], nationality[0])]
        if _officer_of_unknown_body(parse, head, holding[0], actors, token_words, lexicon):
            return []
        return holding[:1] + _coordinated_modifiers(parse, holding[0], actors, token_words)
    if depth > 3:
        return []
    word = parse.words[head].lower()
    if word in lexicon.group_words or parse.pos[head] in ("NUM", "PRON", "DET"):
        for child in parse.children(head):
            if parse.relation(child) == "nmod" and parse.case_of(child) == "of":
                found = _phrase_actor(parse, child, actors, token_words, lexicon, depth + 1)
                if found:
                    return found
        if parse.pos[head] != "NOUN":
            return []
    if parse.pos[head] == "PROPN":
        # A name with its title: the title's words hang on the name (compound, flat, appos, amod).
        title = {
            child for child in parse.children(head)
            if parse.deps[child] in ("compound", "flat", "appos", "amod", "nmod:desc")
        }
        if any(parse.words[word_index].lower() in lexicon.private_heads for word_index in title):
            return []  # "senior economist Brendon Bernard", "Peter McNally of Third Bridge, a London firm"
        for word_index in sorted(title):
            inside = _holding(actors, token_words, phrase_words(parse, word_index, lexicon))
            if inside:
                if _officer_of_unknown_body(parse, head, inside[0], actors, token_words, lexicon):
                    return []
                return inside[:1]
        return []
    if word in lexicon.private_person_heads:
        # "a Turkish man", "American tourists": the country's civilians, no state.
        modifiers = set().union(*(
            phrase_words(parse, child, lexicon) for child in parse.children(head)
            if parse.deps[child] in ("amod", "compound", "nmod:poss", "flat")
        ))
        countries = [actor for actor in _holding(actors, token_words, modifiers) if _is_country(actor)]
        return [_civilians_of(countries[0])] if countries else []
    if word in lexicon.private_heads or parse.pos[head] not in ("NOUN", "ADJ", "X"):
        return []  # "Canada's senior economist", "Japan's stock index": not the country acting
    # "Palestinian youths", "the Hizbollah group": a collective named by its own modifiers;
    # "doctors from two American aid groups", "members of the Syrian opposition": by the phrase
    # after "from" or "of". Not by what the noun is about ("a speech on his Afghan strategy").
    # A "modifier" with a preposition of its own is a misread phrase ("In the United Kingdom,
    # coronavirus has killed" read as "Kingdom coronavirus").
    modifiers = set().union(*(
        phrase_words(parse, child, lexicon) for child in parse.children(head)
        if parse.deps[child] in ("amod", "compound", "nmod:poss", "flat", "nmod:desc")
        and not any(parse.deps[grandchild] == "case" and parse.pos[grandchild] == "ADP" for grandchild in parse.children(child))
    ))
    # A capital naming where someone lives is no government ("a Kyiv resident"); its possessive
    # is ("Cairo's security chief").
    possessive = set().union(*(
        phrase_words(parse, child, lexicon) for child in parse.children(head) if parse.deps[child] == "nmod:poss"
    ))
    inside = [
        actor for actor in _holding(actors, token_words, modifiers | {head})
        if actor.kind != "capital" or _holding([actor], token_words, possessive)
    ]
    if not inside:
        for child in parse.children(head):
            # "members of the Syrian opposition", "doctors from Canada", "the drills by South Korea"
            if parse.relation(child) == "nmod" and parse.case_of(child) in ("of", "from", "by"):
                inside = _phrase_actor(parse, child, actors, token_words, lexicon, depth + 1)
                if inside:
                    break
    if inside and not inside[0].has_country:
        # "the military drills by South Korea": a role the noun's modifiers name, of the country
        # its by/of phrase names.
        for child in parse.children(head):
            if parse.relation(child) == "nmod" and parse.case_of(child) in ("of", "by"):
                owner = _phrase_actor(parse, child, actors, token_words, lexicon, depth + 1)
                if owner and _is_country(owner[0]):
                    return [_role_of(inside[0], owner[0])]
    if inside and not _officer_of_unknown_body(parse, head, inside[0], actors, token_words, lexicon):
        return inside[:1]
    return []


def _coordinated_modifiers(parse: Parse, actor, actors: Sequence, token_words: Sequence[Optional[int]]) -> list:
    """"Greek and Turkish officials": the actors joined by "and" inside one noun phrase."""
    def words_of(one) -> set[int]:
        return {token_words[p] for p in range(one.start, one.end) if token_words[p] is not None}

    def modifies(word: int) -> bool:
        # The first of the joined words modifies a noun ("Greek" of "Greek and Turkish officials");
        # joined phrases of their own ("his government and the Taliban, who ...") are no modifiers.
        return parse.deps[word] in ("amod", "compound", "nmod:poss", "flat")

    mine = words_of(actor)
    linked = []
    for other in actors:
        if other is actor:
            continue
        theirs = words_of(other)
        if any(parse.deps[w] == "conj" and parse.heads[w] in mine and modifies(parse.heads[w]) for w in theirs) or any(
            parse.deps[w] == "conj" and parse.heads[w] in theirs and modifies(parse.heads[w]) for w in mine
        ):
            linked.append(other)
    return linked


def _officer_of_unknown_body(
    parse: Parse, head: int, actor, actors: Sequence, token_words: Sequence[Optional[int]], lexicon: RoleLexicon
) -> bool:
    """"An Alibaba spokesperson", "InfoNation President Dan McDowell", "a spokeswoman for
    Neumann", "an airport official": a role without a country, tied to a name no dictionary knows
    or to a private body (``private_body_words``), is that body's officer (a company's, a
    person's), not a state's."""
    if actor.has_country:
        return False
    actor_words = {token_words[p] for p in range(actor.start, actor.end)}
    first_actor_word = min((w for w in actor_words if w is not None), default=head)
    known = {token_words[p] for other in actors for p in range(other.start, other.end)}
    candidates = set()
    # "Senate Democratic Leader Greg Taylor of Indianapolis": an "of" phrase on the person's name
    # (a flat part) is where they come from; only one on the role word or the head names a body.
    for anchor in {head} | {w for w in actor_words if w is not None and parse.deps[w] != "flat"}:
        for child in parse.children(anchor):
            relation = parse.deps[child]
            if relation in ("compound", "nmod:poss") and child < first_actor_word:
                candidates.add(child)
            elif parse.relation(child) == "nmod" and parse.case_of(child) in ("for", "of", "at"):
                candidates.add(child)
    # A name: tagged so, or capitalised inside the sentence (the tagger misses firms' names).
    unknown = [
        word for word in candidates
        if word not in known and (parse.pos[word] == "PROPN" or (word > 0 and parse.words[word][:1].isupper()))
    ]
    # "an airport official", "a hospital spokeswoman": an officer of a body that is no state's.
    if actor.type == "GOV" and any(
        parse.deps[word] == "compound" and parse.words[word].lower() in lexicon.private_body_words for word in candidates
    ):
        return True
    if not unknown:
        return False
    # "Nassau County officials", "the Lagos State government": a public body, only its country unknown.
    # ... or the role itself is a body ("Fort Worth Police Department").
    body = set().union(*(phrase_words(parse, word, lexicon) for word in candidates)) | {w for w in actor_words if w is not None}
    return not any(parse.words[word].lower() in lexicon.public_body_words for word in body)
