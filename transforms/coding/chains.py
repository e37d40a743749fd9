"""Clauses and chains: an action with the actions it governs folded into one event's code.

"threatened to" + "attack" is one chain coded as a threat of military force. Chains whose head is
negated ("did not attack") or hypothetical ("could attack", "if they attack") are dropped here.
"""

from __future__ import annotations

from typing import NamedTuple, Optional, Sequence

from transforms.coding.actions import ActionMatch
from transforms.coding.lexicon import Cues
from transforms.coding.text import QUOTES, Token, is_month_name

# How far (in tokens) an action's clause reaches to the right for its content and target.
CLAUSE_REACH = 14
# How far back an "if", "unless" or "whether" still makes an action hypothetical.
HYPOTHETICAL_REACH = 25
# Other hypothetical words count only this close before the action ("could attack").
HYPOTHETICAL_NEAR = 4
# Intent auxiliaries in actions.tsv: exactly this code is the bare future or conditional ("will",
# "would"); its family also holds the planned ("plan to": 030).
PROMISE = "03"
# The word an inverted or multiword condition ("Should ...", "In case ...") stands for.
IF = "if"
# A negation this close before the action negates it ("did not attack").
NEGATION_REACH = 3


class Chain(NamedTuple):
    """An action with the actions it governs folded in: one event's worth of meaning."""

    head: ActionMatch
    code: str
    end: int
    literal: frozenset[int]  # positions of the words its patterns name, over all folded actions
    # How its doer was found: "parse" (the parse's subject or agent), "order" (word order, where
    # the parse named nobody), "statement" (the speaker of a statement verb).
    evidence: str = "order"
    # A promise or possibility ("would attack", "could impose sanctions if ..."), not a deed.
    foreseen: bool = False


class OpeningClause(NamedTuple):
    """A subordinate clause that opens the sentence and ends at its first comma: "If Russia invades
    Ukraine, ...", "Should China attack Taiwan, ...", "When the talks failed, ..."."""

    word: str  # the word that opens it, lower-cased; "if" for an inverted or multiword condition
    comma: int  # the position of the comma that ends it


def opening_clause(cues: Cues, tokens: Sequence[Token]) -> Optional[OpeningClause]:
    """The sentence's opening subordinate clause, if it opens with a subordinating word
    (``subordinators``, ``future_time_openings``, conditionals; after a ``concessives`` word, "Even
    if ...", whose ``word`` is then that word), a phrase of ``conditional_openings``
    ("In case ...") or, in a sentence that is no question, an inverted auxiliary
    (``inverted_conditionals``: "Should ...", "Had ...")."""
    first = next((position for position, token in enumerate(tokens) if token.text not in QUOTES), None)
    if first is None:
        return None
    comma = next((position for position in range(first + 1, len(tokens)) if tokens[position].text == ","), None)
    if comma is None:
        return None
    words = tuple(token.lower for token in tokens[first:comma])
    if any(words[: len(phrase)] == phrase for phrase in cues.conditional_openings) or (
        words[0] in cues.inverted_conditionals and tokens[-1].text != "?"
    ):
        return OpeningClause(IF, comma)
    openers = cues.subordinators | cues.future_time_openings | cues.conditionals | cues.threat_conditionals
    if words[0] in cues.concessives and len(words) > 1 and words[1] in openers:
        return OpeningClause(words[0], comma)  # "Even if it angers China, ...": a concession
    return OpeningClause(words[0], comma) if words[0] in openers else None


class SentenceClauses(NamedTuple):
    """What the condition rules read beyond a chain, found once per sentence."""

    opening: Optional[OpeningClause]
    said_at: frozenset[int]  # where the statement verbs start ("the minister said")


def is_counterfactual(cues: Cues, tokens: Sequence[Token], group: Sequence[ActionMatch]) -> bool:
    """"would have imposed sanctions": an intent put in the past is what did not happen (not "would
    have his support", where "have" is the verb: the action must follow "have" at once, or after
    one word: "would have already imposed")."""
    head = group[0]
    return (
        head.kind == "aux" and len(group) > 1 and head.end < len(tokens) and tokens[head.end].lower in cues.perfect_auxiliaries
        and group[1].start - head.end in (1, 2)
    )


def specificity(code: str) -> tuple[int, int]:
    """More digits and a non-zero last digit make a code more specific ("1833" over "180")."""
    return (len(code) - code.endswith("0"), len(code))


def clause_end(cues: Cues, tokens: Sequence[Token], start: int) -> int:
    """Where the clause going on at ``start`` ends: a clause break, a comma, "and then" / "and
    also", or ``CLAUSE_REACH`` tokens on."""
    limit = min(len(tokens), start + CLAUSE_REACH)
    for position in range(start, limit):
        word = tokens[position].lower
        if word in cues.clause_breaks or word == ",":
            return position
        if word == "and" and position + 1 < len(tokens) and tokens[position + 1].lower in cues.clause_closing_after_and:
            return position
    return limit


def refine_with(cues: Cues, family: str, content_code: str, default: str) -> str:
    """The code a frame of ``family`` becomes with content coded ``content_code`` (its listed
    refinement), else ``default``."""
    for prefix, result in cues.refinements.get(family, ()):
        if content_code.startswith(prefix):
            return content_code if result == "=" else result
    return default


def refine(cues: Cues, frame: ActionMatch, content_code: str) -> str:
    """The code of a frame ("threatened to", "called for") governing content coded ``content_code``."""
    if frame.pattern in cues.content_keeping_frames and content_code[:2] in cues.content_keeping_roots:
        return content_code  # "ordered troops to shell the town": the shelling is the event
    # "will attack" without a listed refinement keeps the content; other frames keep their own code.
    keep_content = frame.kind == "aux" and frame.code[:2] == "03"
    family = next((key for key in (frame.code[:3], frame.code[:2]) if key in cues.refinements), frame.code[:2])
    return refine_with(cues, family, content_code, content_code if keep_content else frame.code)


def chains(cues: Cues, tokens: Sequence[Token], matches: Sequence[ActionMatch]) -> list[Chain]:
    """Fold governed actions into their governors; drop negated or hypothetical chains."""
    actions = [match for match in matches if match.kind in ("act", "aux")]
    found: list[Chain] = []
    opening = opening_clause(cues, tokens)
    # "If Russia invades Ukraine, ...", "Had Russia invaded, ...": what the condition supposes.
    supposed_until = (
        opening.comma if opening is not None and opening.word in cues.conditionals | cues.threat_conditionals else -1
    )
    clauses = SentenceClauses(opening, frozenset(match.start for match in matches if match.kind == "say"))
    described = whoever_clauses(cues, tokens)
    index = 0
    while index < len(actions):
        group = [actions[index]]
        while index + 1 < len(actions):
            current, following = group[-1], actions[index + 1]
            if (
                following.start >= clause_end(cues, tokens, current.end)
                or starts_new_verb(cues, tokens, following)
                or is_finite_passive(cues, tokens, following)
                or is_crowd_participle(cues, tokens, following)
            ):
                break
            group.append(following)
            index += 1
        index += 1
        code = fold(cues, tokens, group)
        if (
            code is None or is_negated(cues, tokens, group[0]) or group[0].start < supposed_until
            or is_counterfactual(cues, tokens, group)
            or any(group[0].start in span for span in described)
        ):
            continue
        foreseen = group[0].kind == "aux" and group[0].code == PROMISE
        if is_hypothetical(cues, tokens, group[0]):
            if not is_conditional_possibility(cues, tokens, group, code, clauses):
                continue
            foreseen = True
            # "may halt mediation if cooperation founders": a possible sanction on a condition.
            code = refine_with(cues, "13", code, "130")
        elif is_conditional_promise(cues, tokens, group, code, clauses):
            # "will withdraw its troops unless ...": a promise on a condition is a threat.
            code = refine_with(cues, "13", code, "130")
        end = clause_end(cues, tokens, group[-1].end)
        if index < len(actions) and is_finite_passive(cues, tokens, actions[index]):
            # "who was accused of bribery was arrested by police": the agent is the arrest's.
            end = min(end, actions[index].start)
        found.append(Chain(group[0], code, end, frozenset().union(*(match.literal for match in group)), foreseen=foreseen))
    return found


def is_conditional_promise(
    cues: Cues, tokens: Sequence[Token], group: Sequence[ActionMatch], code: str, clauses: SentenceClauses
) -> bool:
    """"will withdraw unless ...", "will cut aid if ...": an intent ("will") on a condition (for a
    reduction of relations, "if" is one too, and so is a warning to whoever does something: "would
    expel any vessel entering its waters")."""
    if code[:2] in ("12", "13") or not any(match.kind == "aux" and match.code[:2] == PROMISE for match in group):
        return False
    if code[:2] not in cues.conditional_threat_roots:
        return has_condition(cues, tokens, group, cues.conditionals, clauses)
    return has_condition(cues, tokens, group, cues.threat_conditionals, clauses) or aims_at_whoever(cues, tokens, group)


def is_conditional_possibility(
    cues: Cues, tokens: Sequence[Token], group: Sequence[ActionMatch], code: str, clauses: SentenceClauses
) -> bool:
    """"may halt mediation if ...": a reduction of relations made possible by a modal right before
    it and conditioned, which is a threat, not a supposition. "could have halted it if ..." looks
    back at what did not happen: no threat."""
    if code[:2] not in cues.conditional_threat_roots:
        return False
    start = group[0].start
    if start > 0 and tokens[start - 1].lower in cues.perfect_auxiliaries:
        return False
    if not any(token.lower in cues.threat_modals for token in tokens[max(0, start - 2) : start]):
        return False
    return has_condition(cues, tokens, group, cues.threat_conditionals, clauses)


def has_condition(
    cues: Cues, tokens: Sequence[Token], group: Sequence[ActionMatch], conditions: frozenset[str],
    clauses: SentenceClauses,
) -> bool:
    """Is the chain ``group`` put on a condition: a word of ``conditions`` right where its clause
    ends ("will cut aid if the fighting goes on"), or opening the sentence before it ("If Russia
    invades, the US will impose sanctions")? Not a concession ("even if its allies object") nor a
    condition in a later clause ("..., and more could follow if needed"). An opening "Should
    China attack Taiwan, ..." or "In case ..." is an "if". The condition may follow a concession
    ("even if Germany objects, if Moscow invades") or an aside that says who said it (", the
    minister said, if ..."; ``clauses.said_at``: where statement verbs start)."""
    position = clause_end(cues, tokens, group[-1].end)
    while position < len(tokens):
        word = tokens[position].lower
        conceded = word in conditions and position > 0 and tokens[position - 1].lower in cues.concessives
        if word in conditions and not conceded:
            return True
        if not conceded and word != ",":
            break
        following = next((later for later in range(position + 1, len(tokens)) if tokens[later].text == ","), None)
        if following is None or (not conceded and not clauses.said_at.intersection(range(position + 1, following))):
            break
        position = following + 1
    opening = clauses.opening
    if opening is None or opening.comma > group[0].start:
        return False
    # "When Russia attacks again, the US will impose sanctions": a promise for a time to come is
    # one on a condition.
    return (IF if opening.word in cues.future_time_openings else opening.word) in conditions


def aims_at_whoever(cues: Cues, tokens: Sequence[Token], group: Sequence[ActionMatch]) -> bool:
    """"would expel any vessel entering its waters", "will impose sanctions on any country that
    buys Russian oil": a reduction aimed at whoever does something (``general_objects`` in the
    action's words or the two after them) warns; it is done to no one yet."""
    last = group[-1]
    return any(token.lower in cues.general_objects for token in tokens[last.start : last.end + 2])


def whoever_clauses(cues: Cues, tokens: Sequence[Token]) -> list[range]:
    """"any country that buys Iranian oil", "any vessel entering its waters": the positions of the
    clauses that describe whoever a warning is aimed at (after a ``general_objects`` word, opened
    within four words by a ``whoever_clause_openers`` word or an "-ing" word, to the clause's end).
    Nothing in them has happened, and no one they name is the target."""
    spans = []
    for position, token in enumerate(tokens):
        if token.lower not in cues.general_objects:
            continue
        for opener in range(position + 1, min(len(tokens), position + 5)):
            word = tokens[opener].lower
            if word in cues.whoever_clause_openers or (opener > position + 1 and word.endswith("ing")):
                spans.append(range(opener, clause_end(cues, tokens, opener + 1)))
                break
            if word == "," or word in cues.clause_breaks:
                break
    return spans


def fold(cues: Cues, tokens: Sequence[Token], group: Sequence[ActionMatch]) -> Optional[str]:
    """The code of a chain, innermost content first; ``None`` when nothing is left to code.

    A negation between a frame and its content cancels the content, except that a negated
    promise to cooperate ("will not meet", "would not allow") is a rejection.
    """
    code: Optional[str] = group[-1].code if group[-1].kind != "aux" else None
    for position in range(len(group) - 2, -1, -1):
        frame, content = group[position], group[position + 1]
        if any(token.lower in cues.negations for token in tokens[frame.end : content.start]):
            if code is not None and code[:2] in cues.intent_negation_roots and frame.code[:2] == "03":
                code = refine_with(cues, "12", code, "120")
                continue
            code = None
        if code is None:
            code = frame.code if frame.kind != "aux" else None
        elif frame.code[:2] == code[:2] and frame.code[:2] not in cues.refinements:
            code = max(frame.code, code, key=specificity)  # "killed in a roadside bombing"
        else:
            code = refine(cues, frame, code)
    return code


def starts_new_verb(cues: Cues, tokens: Sequence[Token], match: ActionMatch) -> bool:
    """"... attacked the town and arrested ...": a coordinated verb is its own event."""
    return (
        (match.verbal or match.kind == "aux")
        and match.start > 0
        and tokens[match.start - 1].lower in cues.verb_coordinators
    )


def is_finite_passive(cues: Cues, tokens: Sequence[Token], match: ActionMatch) -> bool:
    """"A priest who was accused of fraud was arrested": a verb with its own finite auxiliary
    is a clause of its own, not the content of the action before it."""
    if not match.verbal or match.start < 1:
        return False
    before = tokens[match.start - 1].lower
    if before == "been" and match.start >= 2:
        return tokens[match.start - 2].lower in cues.perfect_auxiliaries
    return before in cues.finite_auxiliaries


def is_crowd_participle(cues: Cues, tokens: Sequence[Token], match: ActionMatch) -> bool:
    """"dispersed demonstrators protesting election results": an "-ing" verb right after a crowd
    noun (``crowds``) tells what the crowd is doing, an event of its own, not the content of the
    action before it."""
    return (
        match.verbal and match.start > 0 and tokens[match.start].lower.endswith("ing")
        and tokens[match.start - 1].lower in cues.crowds
    )


def is_participle_clause(tokens: Sequence[Token], head: ActionMatch) -> bool:
    """"Air strikes hit Gaza, killing 20 people": an "-ing" verb after a comma continues the
    previous action; its doer is that action's doer, not the nearest name (the place hit)."""
    return head.verbal and head.start > 0 and tokens[head.start - 1].text == "," and tokens[head.start].lower.endswith("ing")


def is_negated(cues: Cues, tokens: Sequence[Token], head: ActionMatch) -> bool:
    """A negation just before the action ("did not attack", "never met"), or a verb that ends
    the "-ing" action right after it ("stopped attacking"); a capitalised negation inside the
    sentence is part of a name ("Doctors Without Borders said"). A comma or clause break ends the
    look back."""
    if (
        head.start > 0 and tokens[head.start].lower.endswith("ing")
        and tokens[head.start - 1].lower in cues.cessation_words
    ):
        return True
    # Only inside the action's own clause: "The talks have failed, said the minister" is said.
    for position in range(head.start - 1, max(-1, head.start - 1 - NEGATION_REACH), -1):
        word = tokens[position].lower
        if word == "," or word in cues.clause_breaks:
            return False
        if word in cues.negations and not (position > 0 and tokens[position].text[:1].isupper()):
            return True
    return False


def is_hypothetical(cues: Cues, tokens: Sequence[Token], head: ActionMatch) -> bool:
    """"could attack", "if they attack": a hypothetical word before the action in its clause
    ("if", "unless", "whether" from far back, the others only close by)."""
    position = head.start - 1
    while position >= max(0, head.start - HYPOTHETICAL_REACH):
        word = tokens[position].lower
        near = head.start - position <= HYPOTHETICAL_NEAR or word in cues.far_reaching_hypotheticals
        if word in cues.hypotheticals and near and not is_month_name(tokens, position):
            return True
        if word in cues.clause_breaks or word == ",":
            return False
        position -= 1
    return False
