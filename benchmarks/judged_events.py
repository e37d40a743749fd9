"""Judged precision of the event coder on real English news pages (our own judged dev sample).

    python -m benchmarks.judged_events                  # score the coder against the judgments
    python -m benchmarks.judged_events --export FILE    # write sentences to judge (JSON lines)

The pages are the English pages of ``../shared/eval/extraction/fundus-dev`` and the pages of
``zyte-aeb``, coded from their reference body text (so the sample does not move with the cleaner).
The judgments in ``benchmarks/judged/events.jsonl`` hold, per judged sentence, its address
(dev set, page id, sentence index, a hash of the sentence) and every political event a careful reader
finds in it (CAMEO root, source and target actor codes); no text of the pages. The rules the
judgments follow are in ``docs/judging-events.md``. Any coding of a judged sentence is scored against
them, so a new coder is scored without judging again, except on sentences it is the first to code
(reported as unjudged; export them and judge them).

Figures: right root (a coded event whose root is among the sentence's judged events), fully right
(root, source and target all match one judged event; see ``actor_matches``) of the events an
article keeps (at or above the article confidence floor), the events the floor holds back, and the
AUC of the coder's ``confidence`` over all events, before the floor, for telling fully right events
from the others (0.5 = no better than chance).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Optional, Sequence

from transforms.coding import Coder
from transforms.coding.confidence_floor import ARTICLE_CONFIDENCE_FLOOR
from transforms.coding.text import normalise, split_paragraphs, split_sentences

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
JUDGMENTS = Path(__file__).resolve().parent / "judged" / "events.jsonl"
# Sentences with events sampled per page for judging (the held-out sample took at most 3 events a page;
# two rounds of 2 sentences a page, the second from the parse-based coder).
SENTENCES_PER_PAGE = 4
SAMPLE_SEED = 13


@dataclass(frozen=True)
class Page:
    dataset: str
    page_id: str
    text: str
    date: Optional[str]


def english_pages(shared: Path = SHARED) -> list[Page]:
    """English fundus-dev pages and zyte-aeb pages with their reference bodies, in a fixed order."""
    extraction = shared / "eval" / "extraction"
    pages: list[Page] = []
    fundus = json.loads((extraction / "fundus-dev" / "expected.json").read_text(encoding="utf-8"))
    for page_id, record in sorted(fundus.items()):
        if (record.get("language") or "").lower().startswith("en") and record.get("text"):
            pages.append(Page("fundus-dev", page_id, record["text"], (record.get("publishing_date") or "")[:10] or None))
    zyte = json.loads((extraction / "zyte-aeb" / "ground-truth.json").read_text(encoding="utf-8"))
    for page_id, record in sorted(zyte.items()):
        if record.get("articleBody"):
            pages.append(Page("zyte-aeb", page_id, record["articleBody"], None))
    return pages


def page_sentences(text: str) -> list[str]:
    """The sentences of a body exactly as ``Coder.code_text`` numbers them."""
    return [sentence for paragraph in split_paragraphs(normalise(text or "")) for sentence in split_sentences(paragraph)]


def sentence_hash(sentence: str) -> str:
    return hashlib.sha1(sentence.encode("utf-8")).hexdigest()[:12]


def actor_matches(coded: Optional[str], judged: Optional[str]) -> bool:
    """Is a coded actor code the judged one? Both absent, or the same country or organisation part
    (first three letters: ``USA``, ``IGO``, ``---`` for unknown) and no conflicting role (``USAGOV``
    matches ``USA`` and ``USAGOV``, not ``USAMIL``)."""
    if not coded or not judged:
        return not coded and not judged
    if coded[:3] != judged[:3]:
        return False
    coded_role, judged_role = coded[3:6], judged[3:6]
    return not coded_role or not judged_role or coded_role == judged_role


def auc(scores_right: Sequence[float], scores_wrong: Sequence[float]) -> Optional[float]:
    """Probability that a right event scores above a wrong one (ties count half); None if a side is empty."""
    if not scores_right or not scores_wrong:
        return None
    wins = sum((r > w) + 0.5 * (r == w) for r in scores_right for w in scores_wrong)
    return wins / (len(scores_right) * len(scores_wrong))


def load_judgments(path: Path = JUDGMENTS) -> dict[tuple[str, str, int], dict]:
    judgments: dict[tuple[str, str, int], dict] = {}
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                judgments[(record["set"], record["page"], record["sentence"])] = record
    return judgments


def coded_pages(coder: Coder, pages: Iterable[Page]) -> Iterator[tuple[Page, list[str], list]]:
    for page in pages:
        yield page, page_sentences(page.text), coder.code_text(page.text, page.date)


def export(coder: Coder, pages: Sequence[Page], out: Path, judgments: dict) -> int:
    """Write sentences to judge: per page up to ``SENTENCES_PER_PAGE`` sampled sentences with events
    that are not judged yet, with the two sentences before them and the coder's events."""
    rng = random.Random(SAMPLE_SEED)
    written = 0
    with out.open("w", encoding="utf-8") as handle:
        for page, sentences, events in coded_pages(coder, pages):
            by_sentence: dict[int, list] = {}
            for event in events:
                by_sentence.setdefault(event.sentence_index, []).append(event)
            indexes = sorted(by_sentence)
            rng.shuffle(indexes)
            already = sum((page.dataset, page.page_id, index) in judgments for index in indexes)
            for index in indexes:
                if already >= SENTENCES_PER_PAGE:
                    break
                if (page.dataset, page.page_id, index) in judgments:
                    continue
                already += 1
                handle.write(json.dumps({
                    "set": page.dataset, "page": page.page_id, "sentence": index,
                    "sha": sentence_hash(sentences[index]),
                    "context": sentences[max(0, index - 2) : index], "text": sentences[index],
                    "coded": [
                        {"code": e.event_code, "source": e.actor1_code, "source_name": e.actor1_name,
                         "target": e.actor2_code, "target_name": e.actor2_name}
                        for e in by_sentence[index]
                    ],
                }, ensure_ascii=False) + "\n")
                written += 1
    return written


@dataclass
class Scores:
    judged: int = 0
    root_right: int = 0
    fully_right: int = 0
    unjudged: int = 0
    stale: int = 0
    judged_sentences: int = 0
    judged_events: int = 0
    found: int = 0
    held_back: int = 0
    held_back_fully_right: int = 0


def score(
    coder: Coder, pages: Sequence[Page], judgments: dict, floor: float = ARTICLE_CONFIDENCE_FLOOR
) -> tuple[Scores, Optional[float]]:
    """Scores of the events an article keeps at ``floor`` (the pages are articles; ``coder``
    should keep every event, ``Coder(min_article_confidence=0)``, for the AUC over all of them
    and the count of those held back), and that AUC."""
    scores = Scores()
    right_confidences: list[float] = []
    wrong_confidences: list[float] = []
    for page, sentences, events in coded_pages(coder, pages):
        by_sentence: dict[int, list] = {}
        for event in events:
            by_sentence.setdefault(event.sentence_index, []).append(event)
        for index, sentence in enumerate(sentences):
            judgment = judgments.get((page.dataset, page.page_id, index))
            if judgment is not None and judgment["sha"] != sentence_hash(sentence):
                scores.stale += 1
                judgment = None
            coded = by_sentence.get(index, [])
            if judgment is None:
                scores.unjudged += len(coded)
                continue
            gold = judgment["events"]
            scores.judged_sentences += 1
            scores.judged_events += len(gold)
            matched: set[int] = set()
            for event in coded:
                full = [
                    i for i, g in enumerate(gold)
                    if g["root"] == event.event_root_code
                    and actor_matches(event.actor1_code, g.get("source"))
                    and actor_matches(event.actor2_code, g.get("target"))
                ]
                (right_confidences if full else wrong_confidences).append(event.confidence)
                if event.confidence < floor:
                    scores.held_back += 1
                    scores.held_back_fully_right += bool(full)
                    continue
                scores.judged += 1
                scores.root_right += event.event_root_code in {g["root"] for g in gold}
                scores.fully_right += bool(full)
                matched.update(full)
            scores.found += len(matched)
    return scores, auc(right_confidences, wrong_confidences)


def report(scores: Scores, area: Optional[float]) -> list[str]:
    def share(part: int, whole: int) -> str:
        return f"{part}/{whole} = {part / whole:.1%}" if whole else f"{part}/0"

    lines = [
        f"Judged dev sample ({scores.judged_sentences} judged sentences of English news pages):",
        f"  right root: {share(scores.root_right, scores.judged)} of coded events in judged sentences",
        f"  fully right (root, source, target): {share(scores.fully_right, scores.judged)}",
        f"  judged events found fully right: {share(scores.found, scores.judged_events)}",
        f"  held back by the article confidence floor: {scores.held_back} events, {scores.held_back_fully_right} of them fully right",
        "  confidence AUC over all events before the floor (fully right vs not): "
        + (f"{area:.3f}" if area is not None else "n/a"),
    ]
    if scores.unjudged or scores.stale:
        lines.append(f"  not judged: {scores.unjudged} events in sentences without a judgment; {scores.stale} judgments stale")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=SHARED)
    parser.add_argument("--export", type=Path, help="write not-yet-judged sentences with events to this file")
    args = parser.parse_args(argv)
    if not (args.shared / "eval" / "extraction").is_dir():
        print(f"judged_events: dev sets not found under {args.shared}", file=sys.stderr)
        return 2
    coder = Coder(min_article_confidence=0)  # the floor is applied in ``score``, after the AUC
    pages = english_pages(args.shared)
    judgments = load_judgments()
    if args.export:
        print(f"{export(coder, pages, args.export, judgments)} sentences written to {args.export}")
        return 0
    print("\n".join(report(*score(coder, pages, judgments))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
