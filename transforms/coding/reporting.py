"""Is an action reported as having happened, and who does what a statement reports?

An action word in a sentence is not always an event: it may be asked about ("What did the
prosecutors say?"), supposed ("Venezuela would have to reform its laws"), only talked about ("the
invasion has a ring to it", "advocated revising the agreement"), or hypothetical ("aid might be
freed"); a run of headlines is a site's navigation. Inside what a statement reports ("LaRose said
the floors are used to support ..."), the speaker is not the doer. These plain functions answer
those questions from the tokens and the dependency parse; ``coder.Coder`` calls them per chain.
"""

from __future__ import annotations

from typing import Optional, Sequence

from transforms.coding.actions import ActionMatch
from transforms.coding.actors import Actor
from transforms.coding.chains import Chain
from transforms.coding.lexicon import Cues
from transforms.coding.syntax.parse import Parse
from transforms.coding.syntax.roles import RoleLexicon, clause_subject, quantity_of, reported_clause
from transforms.coding.text import QUOTES, Token, title_case

# Longer than any single headline: title-case text this long is a list of links.
HEADLINE_LIST_WORDS = 25
# Refusals ("would not allow") are events even when nobody is said to state them.
REFUSAL_ROOT = "12"


def is_question(tokens: Sequence[Token]) -> bool:
    """"What was the Swedish investigation about?", "What did the prosecutors say?": a question
    reports nothing, unless it is quoted from someone ('"Why?" the minister asked')."""
    last = [token.text for token in tokens if token.text not in QUOTES and token.text not in ("'", ")")]
    return bool(last) and last[-1] == "?" and not any(token.text in QUOTES for token in tokens)


def is_fragment(parse: Parse) -> bool:
    """Is the sentence a phrase without a verb ("Ukraine military aid and mixed messaging",
    "WireGuard Support")? As the article's headline it may report an event; further down it is a
    subheading or a list item."""
    # No finite verb, and no verb as the root ("Trump to visit Kyiv" is a headline's clause).
    return not any(tag in ("VBD", "VBZ", "VBP", "MD") for tag in parse.tags) and not any(
        parse.heads[word] == word and parse.pos[word] in ("VERB", "AUX") for word in range(len(parse.words))
    )


def is_headline_list(tokens: Sequence[Token]) -> bool:
    """"Trending Trump Says We 'Gotta' Restrict ... Oasis Will Reunite for a World Tour ...": a
    run of title-case headlines (a site's navigation) is longer than any one headline."""
    return len(tokens) > HEADLINE_LIST_WORDS and title_case(tokens)


def unattributed_supposition(cues: Cues, tokens: Sequence[Token], chain: Chain, says: Sequence[ActionMatch]) -> bool:
    """"Venezuela would have to reform its laws", "the order would have upended": a supposition
    in the writer's own words is no event. A bare "would" (``conditional_moods``) is an intent
    only when someone says it: a statement verb in the sentence or a quote before it ("he said
    he would resign"). A refusal ("would not allow") is an event in itself; a plain "will" in
    the writer's words stays an announced intent ("the government will provide subsidies"). A "must"
    (``reported_demands``) is a demand only when someone says it too ("Governments must act" in the
    writer's words is an opinion). What others expect ("is expected to sign", ``supposed_by_others``) is never an event."""
    head = chain.head
    if (
        head.kind == "aux" and head.start > 0
        and tokens[head.start].lower in cues.supposed_by_others
        and tokens[head.start - 1].lower in cues.passive_auxiliaries
    ):
        return True  # "have been expected to sign a deal": what others expect, whoever says it
    word = tokens[head.start].lower
    if word in cues.reported_demands:
        # "Governments must act", "all forces must balance": a demand only when someone makes it
        # (a statement verb, a quote - even one closing a quotation that began sentences before - or
        # a "that" clause: "a stern reminder that Iraq must comply").
        return not says and not any(token.text in QUOTES for token in tokens) and not any(
            token.lower == "that" for token in tokens[: head.start]
        )
    if head.kind != "aux" or word not in cues.conditional_moods or chain.code.startswith(REFUSAL_ROOT):
        return False
    return not says and not any(token.text in QUOTES for token in tokens[: head.start])


def outsiders_forecast(
    outsiders: frozenset[str], tokens: Sequence[Token], chain: Chain, says: Sequence[ActionMatch],
    parse: Optional[Parse] = None, words: Sequence[Optional[int]] = (), forecast_verbs: frozenset[str] = frozenset(),
) -> bool:
    """"Analysts said Russia would attack Ukraine", "experts say the EU could impose sanctions if
    ...": a promise or possibility (``Chain.foreseen``) that people with no part in it report
    (``outsiders``, the private heads: analysts, experts, residents) is their forecast, not the
    subject's threat or intent. The reporter is the subject of the nearest statement verb before
    the action, else of the first after its clause (in the parse, and the word right before the verb),
    or the subject of a verb of opinion the action's clause hangs on ("analysts believe ...")."""
    if parse is not None and forecast_verbs and expected_of_another(parse, words, chain, forecast_verbs):
        return True
    if not chain.foreseen:
        return False
    if parse is not None and forecast_verbs and held_by_outsiders(outsiders, parse, words, chain, forecast_verbs, tokens):
        return True
    earlier = [say for say in says if say.end <= chain.head.start]
    later = [say for say in says if say.start >= chain.end]  # "Russia would attack, analysts said"
    if not earlier and not later:
        return False
    say = earlier[-1] if earlier else later[0]
    reporters = [tokens[say.start - 1].lower] if say.start > 0 else []
    word = words[say.start] if say.start < len(words) else None
    if parse is not None and word is not None:
        reporters += [parse.words[child].lower() for child in parse.children(word) if parse.deps[child] == "nsubj"]
    return any(reporter in outsiders for reporter in reporters)


def expected_of_another(
    parse: Parse, words: Sequence[Optional[int]], chain: Chain, forecast_verbs: frozenset[str]
) -> bool:
    """"Ukraine expects Russia to attack Kharkiv": an action in the infinitive after a verb of
    opinion (``forecast_verbs``) and its object is what the holder expects of someone else, no
    event ("Iran expects to sign a deal", with no object, is Iran's own plan)."""
    word = action_word(parse, words, chain.head)
    if word is None or parse.deps[word] not in ("xcomp", "ccomp") or parse.heads[word] == word:
        return False
    governor = parse.heads[word]
    infinitive = parse.deps[word] == "xcomp" or any(
        parse.deps[child] == "mark" and parse.words[child].lower() == "to" for child in parse.children(word)
    )
    # The one expected to act: the opinion verb's object, or (as the parser may read it) the
    # infinitive's own subject.
    other = any(parse.deps[child] == "obj" for child in parse.children(governor)) or any(
        parse.deps[child] == "nsubj" for child in parse.children(word)
    )
    return infinitive and other and parse.words[governor].lower() in forecast_verbs


def held_by_outsiders(
    outsiders: frozenset[str], parse: Parse, words: Sequence[Optional[int]], chain: Chain, forecast_verbs: frozenset[str],
    tokens: Sequence[Token],
) -> bool:
    """"Some analysts believe Russia will attack Ukraine", "Britain fears Russia will attack
    Ukraine": the chain's clause is the object of a verb of opinion (``forecast_verbs``, every
    form) held by one of ``outsiders`` or by anyone but its doer. A doer that is a pronoun is the
    holder's own ("Iran believes it will attack Israel" is Iran's intent). Found up the parse from
    the action through clausal complements or, where the parser misread the verb as a noun
    ("Analysts fear Iran will ..."), as a verb of opinion earlier in the action's clause followed by
    a word that is no pronoun."""
    word = action_word(parse, words, chain.head)
    doer = next((child for child in parse.children(word) if parse.deps[child] == "nsubj"), None) if word is not None else None
    own = doer is not None and parse.pos[doer] == "PRON"
    # (The parser reads some such clauses as adverbial: "expects North Korea will test".)
    while word is not None and parse.deps[word] in ("ccomp", "advcl") and parse.heads[word] != word:
        word = parse.heads[word]
        if parse.words[word].lower() in forecast_verbs and any(
            parse.deps[child] == "nsubj" and (parse.words[child].lower() in outsiders or (not own and child != doer))
            for child in parse.children(word)
        ):
            return True
    for position in range(chain.head.start - 1, 0, -1):
        if tokens[position].text == ",":
            break
        following = words[position + 1] if position + 1 < len(words) else None
        if tokens[position].lower in forecast_verbs and (
            tokens[position - 1].lower in outsiders or (following is not None and parse.pos[following] != "PRON")
        ):
            return True
    return False


def action_word(parse: Parse, words: Sequence[Optional[int]], head: ActionMatch) -> Optional[int]:
    """The parse word of a chain's head; for an auxiliary ("would attack", "will retaliate") the
    verb it belongs to, whose subject and objects are the action's; for a hyphenated verb
    ("test-fired") its last part."""
    word = words[head.start]
    if word is not None and parse.deps[word] in ("aux", "aux:pass") and parse.heads[word] != word:
        return parse.heads[word]
    if (
        word is not None and head.verbal and word + 2 < len(parse.words)
        and parse.words[word + 1] == "-" and parse.heads[word] == word + 2
    ):
        # "was test-fired by North Korea": the parse splits the verb, whose roles hang on "fired".
        return word + 2
    return word


def noun_head_of(parse: Parse, words: Sequence[Optional[int]], head: ActionMatch, word: int) -> int:
    """The noun a pattern's first word modifies within the pattern's head ("military" of
    "military aid" -> "aid"); ``word`` itself when it modifies nothing there."""
    span = {words[position] for position in range(head.start, head.head_end)} - {None}
    while parse.deps[word] in ("amod", "compound") and parse.heads[word] in span and parse.heads[word] != word:
        word = parse.heads[word]
    return word


def talked_about(
    roles: RoleLexicon, parse: Parse, words: Sequence[Optional[int]], matches: Sequence[ActionMatch], word: int
) -> bool:
    """Is the action noun at parse word ``word`` only talked about? As the subject of a verb that
    is no action itself ("Russia's invasion of Ukraine does have an early 20th-century ring") unless
    the verb says it happens ("riots continued", ``happening_verbs``); as the object of a verb that
    neither is an action nor carries one out ("advocated revising the agreement"; "launched
    strikes" and "held talks" carry them out, ``support_verbs``). A passive subject is reported ("an
    attempt to kill him was thwarted"); so is an action noun of a verb that is an action ("a
    roadside bombing killed two soldiers"). An action noun an adjective keeps away with "from" is
    a state ("not exempt from criticism", "safe from attack")."""
    if parse.pos[word] not in ("NOUN", "PROPN") or parse.heads[word] == word:
        return False  # the parse says whether "order" is a noun here
    while parse.deps[word] == "conj" and parse.heads[word] != word:
        word = parse.heads[word]  # "the unrest and violence we have seen has been deplorable"
    governor = parse.heads[word]
    if any(words[match.start] == governor for match in matches if match.kind in ("act", "say", "aux")):
        return False
    if parse.relation(word) == "obl" and parse.pos[governor] == "ADJ" and parse.case_of(word) == "from":
        return True  # "not exempt from criticism", "safe from attack": a state, not an action
    verb = parse.words[governor].lower()
    if parse.deps[word] == "nsubj":
        return verb not in roles.happening_verbs
    # "obtained a loan from China", "faced sanctions": a verb of receiving has the action done.
    return (
        parse.deps[word] == "obj" and parse.pos[governor] == "VERB"
        and verb not in roles.support_verbs and verb not in roles.receiving_verbs
    )


def has_negated_subject(cues: Cues, parse: Parse, word: int) -> bool:
    """Does the verb at parse word ``word`` have a subject that a negation determines ("[Neither]
    the House nor the Senate have provided the money", "[No] country has recognised ...")? The
    negation may stand far before the verb, out of the reach of ``chains.is_negated``. An action
    noun that is a verb's object asks that verb ("Neither China nor India attended the [summit]")."""
    verbs = {word} | ({parse.heads[word]} if parse.deps[word] == "obj" else set())
    subjects = [child for verb in verbs for child in parse.children(verb) if parse.relation(child) == "nsubj"]
    return any(
        parse.words[marker].lower() in cues.negations and parse.deps[marker] in ("det", "cc:preconj")
        for subject in subjects for marker in parse.children(subject)
    )


def depicted(parse: Parse, word: int, cues: Cues) -> bool:
    """Is the action at parse word ``word`` inside what a verb of showing in a work depicts
    (``depiction_verbs``: "banned the film after it depicted [protesters clashing with police]";
    ``showing_verbs`` with a work of fiction as subject: "The movie shows [German troops occupying
    Paris]", not "Video shows police beating protesters")? Then it is represented, not reported."""
    seen = {word}
    while parse.heads[word] != word and parse.heads[word] not in seen:
        word = parse.heads[word]
        seen.add(word)
        verb = parse.words[word].lower()
        if verb in cues.depiction_verbs:
            return True
        if verb in cues.showing_verbs and any(
            parse.relation(child) == "nsubj" and parse.words[child].lower() in cues.fiction_works
            for child in parse.children(word)
        ):
            return True
    return False


def noun_without_clause_role(roles: RoleLexicon, parse: Parse, word: int) -> bool:
    """Is the action noun at parse word ``word`` outside the sentence's clauses: not what a verb
    does or carries out (its object: "began a hunger strike", "gave 5 million dollars of aid"),
    not the sentence itself (a headline: "Israeli air strike on Gaza"), not the subject of a verb
    of happening ("exercises by Russia started": ``happening_verbs``), but a subject, an oblique
    or a modifier ("the trade talks", "following the peace deal", "relief officials said"), unless
    the oblique of a support verb ("embarked on a trip")? Such a noun reports no event, unless
    violence (the caller decides). Words
    of a compound ("hunger strike") and a quantity's "of" phrase ("10 days of war games") count
    as the phrase they head; a conjunct as the first of its list."""
    if parse.pos[word] not in ("NOUN", "PROPN"):
        return False
    top = word
    # ("military exercises": the parser may read the noun "military" as an adjective.)
    while parse.heads[top] != top and (
        parse.relation(top) in ("compound", "flat", "conj") or (parse.deps[top] == "amod" and parse.pos[top] == "NOUN")
    ):
        top = parse.heads[top]
    if quantity_of(parse, top) != top:
        return False  # "5.1 million dollars of aid": the quantity stands for the action
    if parse.heads[top] != top and parse.relation(top) == "nmod" and parse.case_of(top) == "of":
        top = parse.heads[top]
    if parse.heads[top] == top or parse.deps[top] in roles.clause_roles_of_action_nouns:
        return False
    governor = parse.heads[top]
    if parse.relation(top) == "nsubj" and parse.words[governor].lower() in roles.happening_verbs:
        return False  # "military exercises by Russia and Belarus started on Monday": it happens
    # "embarked on a trip", "took part in the talks": a support verb's oblique is its action too.
    return not (
        parse.relation(top) == "obl" and parse.words[governor].lower() in roles.support_verbs
        and parse.case_of(top) not in roles.background_prepositions
    )


def noun_of_hypothetical_verb(cues: Cues, parse: Parse, word: int) -> bool:
    """"U.S. aid might be freed", "sanctions could follow": an action noun whose verb is
    hypothetical ("could", "might", "may" ...) is not reported as having happened."""
    if parse.pos[word] not in ("NOUN", "PROPN") or parse.heads[word] == word:
        return False
    governor = parse.heads[word]
    return any(
        parse.relation(child) == "aux" and parse.words[child].lower() in cues.hypotheticals
        for child in parse.children(governor)
    )


def accidental_death(cues: Cues, parse: Parse, word: int) -> bool:
    """"Two service members were killed in a helicopter crash", "the earthquake killed 30",
    "suffered its worst plane crash, killing all 72 people aboard": a death an accident or a
    disaster causes is no attack. True when the action word, or the verb it hangs on as a
    participle clause, has an accident noun (``cues.accidents``) as its subject, object or oblique,
    or when that verb is itself an accident ("crashed, killing 65")."""
    verbs = [word]
    if parse.deps[word] in ("advcl", "xcomp", "conj") and parse.heads[word] != word:
        verbs.append(parse.heads[word])
        if parse.words[parse.heads[word]].lower() in cues.accidents:
            return True  # "a military plane crashed in Belgorod, killing 65 prisoners"
    return any(
        parse.relation(child) in ("nsubj", "obj", "obl") and parse.words[child].lower() in cues.accidents
        for verb in verbs
        for child in parse.children(verb)
    )


def inside_report(
    sources: list[Actor], parse: Parse, words: Sequence[Optional[int]], says: Sequence[ActionMatch], word: int
) -> list[Actor]:
    """Doers guessed by word order for an action inside a reported clause ("LaRose said the
    floors are used to support ..."): only those inside the clause. The speaker is not the doer of
    what is reported, unless the action's subject in the clause is a pronoun ("Syria says it is
    willing to withdraw", "he would send troops"), which most often is the speaker."""
    say_words = [words[say.start] for say in says if words[say.start] is not None]
    clause = reported_clause(parse, word, say_words)
    if clause is None:
        return sources
    subject = clause_subject(parse, word, clause)
    if subject is not None and parse.pos[subject] == "PRON":
        return sources
    return [actor for actor in sources if words[actor.start] in clause]
