"""Statements: "the foreign ministry said ..." is an event (010) of its own beside what it reports.

The speaker is the subject of the statement verb in the dependency parse ("according to X": X),
else the actor before "said" in its own clause or right after it ("said the minister").
"""

from __future__ import annotations

from typing import Optional, Sequence

from transforms.coding.actions import ActionMatch
from transforms.coding.actors import Actor
from transforms.coding.chains import Chain, clause_end, is_hypothetical, is_negated
from transforms.coding.lexicon import Cues, Lexicon
from transforms.coding.syntax.parse import Parse
from transforms.coding.syntax.roles import RoleLexicon, actors_of, is_mentioned_gerund, pronoun_antecedent, subject_of
from transforms.coding.text import QUOTES, Token

# A speaker's type that reports rather than states: a news outlet.
MEDIA = "MED"


def is_political(cues: Cues, actor: Optional[Actor]) -> bool:
    """Does the actor count for political events: a country's actor or a political type? Private
    people ("a Turkish man", a name acted on; kind "private") count only beside a political actor."""
    return actor is not None and actor.kind != "private" and (actor.country is not None or actor.type in cues.political_types)


def statement(
    lexicon: Lexicon,
    tokens: Sequence[Token],
    matches: Sequence[ActionMatch],
    actors: Sequence[Actor],
    parse: Optional[Parse] = None,
    words: Sequence[Optional[int]] = (),
) -> list[tuple[Chain, Actor, None]]:
    """A statement: one 010 by the first political speaker (not a news outlet reporting). The
    speaker is the subject of the statement verb in the parse, else found by word order."""
    cues = lexicon.cues
    for match in matches:
        if match.kind != "say" or is_negated(cues, tokens, match) or is_negated_in_parse(cues, parse, words, match):
            continue
        if is_hypothetical(cues, tokens, match):
            continue  # "Trump may declare a national housing emergency": nothing said yet
        if parse is not None and words[match.start] is not None and is_mentioned_gerund(parse, words[match.start], lexicon.roles):
            continue  # "a medium for telling stories"
        if tokens[match.start].lower in cues.attribution_words and not attributes_action(cues, tokens, matches, actors, match):
            continue  # "a third of food is wasted, according to UN estimates": a figure, no statement
        chain = Chain(match, match.code, clause_end(cues, tokens, match.end), match.literal)
        named, speaker = speaker_in_parse(lexicon.roles, parse, words, match, actors)
        if not named:
            # The speaker stands before "said" in the same clause, or before an apposition
            # ("Ana Ruiz, the interior minister, said"); "..., a report said" has no speaker.
            before = [
                a for a in actors
                if a.end <= match.start and not a.after_preposition and speaks(cues, tokens, a, match)
                and not quoted_apart(tokens, a, match)
            ]
            after = [a for a in actors if a.start >= match.end and a.start < chain.end and not quoted_apart(tokens, a, match)]
            speaker = before[-1] if before else (after[0] if after and after[0].start - match.end <= 1 else None)
        elif speaker is None and named_person_subject(parse, words, match):
            # "Chris Tang, Hong Kong's new police commissioner, said": a name no dictionary knows,
            # with its apposition right before the verb (the parser often breaks the apposition).
            speaker = next(
                (
                    a for a in actors
                    if a.end < match.start and a.start > 0 and tokens[a.start - 1].text == ","
                    and appositive_close(tokens[a.end : match.start])
                ),
                None,
            )
        if speaker is not None and is_political(cues, speaker) and speaker.type != MEDIA:
            return [(chain, speaker, None)]
    return []


def attributes_action(
    cues: Cues, tokens: Sequence[Token], matches: Sequence[ActionMatch], actors: Sequence[Actor], attribution: ActionMatch
) -> bool:
    """Does an "according to" attribute something political: an action the dictionary knows, or
    what an actor with a role does ("Zelensky is gathering his commanders, according to an
    official"), rather than a figure ("3,248 cases, according to WHO")? Actors in the attribution's
    own phrase (its speaker) do not count."""
    if any(other.kind != "say" for other in matches):
        return True
    own_phrase = range(attribution.start, clause_end(cues, tokens, attribution.end))
    return any(
        actor.type is not None and is_political(cues, actor) and actor.start not in own_phrase for actor in actors
    )


def appositive_close(between: Sequence[Token]) -> bool:
    """Do the tokens between an actor and a statement verb close its apposition: a comma, after at
    most three more words of the title (", Hong Kong's new police [commissioner], said")?"""
    return (
        bool(between) and between[-1].text == "," and len(between) <= 4
        and all(token.text[:1].isalpha() for token in between[:-1])
    )


def named_person_subject(parse: Optional[Parse], words: Sequence[Optional[int]], say: ActionMatch) -> bool:
    """Is the subject of a statement verb a proper name ("Chris Tang ... said")?"""
    if parse is None or words[say.start] is None:
        return False
    word = words[say.start]
    return any(parse.deps[child] == "nsubj" and parse.pos[child] == "PROPN" for child in parse.children(word))


def speaker_in_parse(
    roles: RoleLexicon,
    parse: Optional[Parse],
    words: Sequence[Optional[int]],
    say: ActionMatch,
    actors: Sequence[Actor],
) -> tuple[bool, Optional[Actor]]:
    """Whether the parse names the subject of a statement verb (inherited through "declined to
    comment"; "according to X": X), and the actor it is. A subject that is no actor ("a company
    spokesperson said") means no political speaker, whatever stands nearby."""
    if parse is None or words[say.start] is None:
        return False, None
    word = words[say.start]
    if parse.words[word].lower() in roles.clause_only_say_verbs and any(
        parse.deps[child] == "obj" and parse.pos[child] in ("NOUN", "PROPN") for child in parse.children(word)
    ):
        return True, None  # "Spain will add two warships", "then add the paprika": no speech
    if parse.words[word].lower() == "according":
        subjects = [child for child in parse.children(word) if parse.relation(child) in ("obl", "nmod")]
        if not subjects and parse.relation(word) in ("case", "mark") and parse.heads[word] != word:
            # "according to court records": the source heads the phrase "according" marks (a
            # misread "court/VERB records" puts it in the object).
            source = parse.heads[word]
            objects = [child for child in parse.children(source) if parse.deps[child] == "obj"]
            subjects = objects[:1] if parse.pos[source] == "VERB" and objects else [source]
    elif parse.pos[word] in ("NOUN", "PROPN") or parse.relation(word) in ("nsubj", "obj", "obl", "nmod"):
        # (A "verb" that is a subject or an object is a noun: "reports from Myanmar indicate".)
        # A statement named by a noun is made by the subject of the verb it is the object of
        # ("issued a statement"); "comment on the report" is no report by anyone.
        if parse.deps[word] != "obj":
            return True, None
        subject = subject_of(parse, parse.heads[word], roles)
        subjects = [subject] if subject is not None else []
    elif any(parse.deps[child] in ("nsubj:pass", "aux:pass") for child in parse.children(word)):
        # "a court martial was told", "he was quoted as saying": the subject is the listener; the
        # speaker is the "by" agent, if any.
        subjects = [
            child for child in parse.children(word)
            if parse.deps[child] == "obl:agent" or (parse.relation(child) == "obl" and parse.case_of(child) == "by")
        ]
        if not subjects:
            return True, None
    elif quoted_as_saying(parse, word):
        # "Kyodo quoted a government source as saying", "an official was quoted by Kyodo as
        # saying": the one quoted speaks, not the outlet.
        subjects = [child for child in parse.children(parse.heads[word]) if parse.deps[child] in ("obj", "nsubj:pass")]
    else:
        # A misparse can hang two subjects on the verb ("when the car caught fire, authorities
        # said"): the nearest to it first, and none beyond a comma from it ("The aircraft ...
        # landed at 6am, an airport official said": the official, who speaks for no state, not
        # the aircraft; "US Marines exercise representative Colonel Glenn said" is one phrase).
        subjects = sorted(
            (child for child in parse.children(word) if parse.deps[child] in roles.subject_relations),
            key=lambda child: abs(word - child),
        )
        subjects = [
            subject for subject in subjects
            if not any(parse.words[between] == "," for between in range(min(subject, subjects[0]), max(subject, subjects[0])))
        ]
        if not subjects:
            subject = subject_of(parse, word, roles)
            subjects = [subject] if subject is not None else []
        if not subjects and is_imperative(parse, word):
            return True, None  # "then add the Spanish paprika": a recipe's instruction, nobody speaks
    # '"The police should ...," the interior minister said': the quote's words are what is said,
    # never who says it (the parser may hang "said" on the quote's verb): word order decides.
    outside = [subject for subject in subjects if not _quoted_apart(parse.words, subject, word)]
    if subjects and not outside:
        return False, None
    subjects = outside
    for subject in subjects:
        if parse.pos[subject] == "PRON" and parse.words[subject].lower() in roles.third_person_pronouns:
            antecedent = pronoun_antecedent(parse, word, roles)
            found = actors_of(parse, antecedent, actors, words, roles) if antecedent is not None else []
            found = found or actors_of(parse, subject, actors, words, roles)
        else:
            found = actors_of(parse, subject, actors, words, roles)
        if found:
            return True, found[0]
    # An unresolved "she said" names a speaker too: not the police the quote talks about.
    return bool(subjects), None


def is_imperative(parse: Parse, word: int) -> bool:
    """Is the verb at ``word`` an instruction to the reader ("Add the paprika", "then add ...",
    "Heat the oil and add ...")? A bare verb (VB) heading the sentence or joined to its head, with no
    subject and no auxiliary ("to add", "will add", "should add" are no instructions)."""
    if parse.tags[word] != "VB":
        return False
    top = word
    while parse.deps[top] == "conj" and parse.heads[top] != top:
        top = parse.heads[top]
    if parse.heads[top] != top:
        return False
    return not any(
        parse.relation(child) in ("nsubj", "aux", "mark", "csubj") for verb in {word, top} for child in parse.children(verb)
    )


def quoted_as_saying(parse: Parse, word: int) -> bool:
    """Is the statement verb at ``word`` the "as saying" of "X quoted Y as saying" or "Y was
    quoted by X as saying", whose speaker is Y, the object or passive subject of the verb it
    hangs on?"""
    head = parse.heads[word]
    return (
        head != word
        and any(parse.deps[child] == "mark" and parse.words[child].lower() == "as" for child in parse.children(word))
        and any(parse.deps[child] in ("obj", "nsubj:pass") for child in parse.children(head))
    )


def is_negated_in_parse(
    cues: Cues, parse: Optional[Parse], words: Sequence[Optional[int]], match: ActionMatch
) -> bool:
    """"did not respond", "never met": a negation attached to the action's verb, or, for a
    statement named by a noun, to the verb it depends on ("did not respond to a request for
    comment")."""
    if parse is None or words[match.start] is None:
        return False
    word = words[match.start]
    for _ in range(1 if match.verbal else 4):
        if any(
            parse.words[child].lower() in cues.negations and parse.relation(child) == "advmod"
            for child in parse.children(word)
        ):
            return True
        if parse.heads[word] == word or parse.pos[word] in ("VERB", "AUX"):
            return False
        word = parse.heads[word]
    return False


def quoted_apart(tokens: Sequence[Token], actor: Actor, say: ActionMatch) -> bool:
    """Is ``actor`` inside a quotation that the statement verb ``say`` stands outside of
    ('"The police should ...," the minister said': the police)?"""
    return _quoted_apart([token.text for token in tokens], actor.start, say.start)


def _quoted_apart(texts: Sequence[str], inside: int, outside: int) -> bool:
    """Is position ``inside`` of ``texts`` (token or word texts) within quotation marks and
    position ``outside`` not? Quotes are counted from the sentence's start."""
    def quotes_before(position: int) -> int:
        return sum(text in QUOTES for text in texts[:position])

    return quotes_before(inside) % 2 == 1 and quotes_before(outside) % 2 == 0


def speaks(cues: Cues, tokens: Sequence[Token], speaker: Actor, say: ActionMatch) -> bool:
    """Is the actor before a statement verb its speaker: nothing but words between them, or an
    apposition ("Ana Ruiz, the interior minister, said")?"""
    between = tokens[speaker.end : say.start]
    if not any(token.text == "," for token in between):
        return True
    if len(between) == 1 and any(token.text == "," for token in tokens[max(0, speaker.start - 3) : speaker.start]):
        return True  # "Amal Haddad, a former Lebanese trade minister, said": the apposition is the speaker
    return between[0].text == "," and len(between) > 1 and between[1].lower in cues.apposition_openers
