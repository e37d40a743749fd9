"""Score the event coder on the shared dev sets (read at run time from ``../shared``).

``python -m benchmarks.eval_coder [--shared DIR] [--show-misses N]``

* PLOVER gold standard (322 CAMEO-manual sentences): is the gold PLOVER event among the PLOVER types
  coded for the sentence (old labels mapped: DEMAND->REQUEST, DISAPPROVE->ACCUSE,
  INVESTIGATE->ACCUSE, FIGHT->ASSAULT), and is a gold source actor's country among the coded
  actors' countries (codes that are not countries, such as IGO, compare by their first three letters).
* ConfliBERT annotation rounds (real news): false-positive rate on sentences no coder found
  relevant, and recall of the CAMEO roots that at least two codings agree on.
* Our judged dev sample (``benchmarks/judged_events.py``): right root and fully right (root, source,
  target) shares of the events an article keeps (at or above the article confidence floor) in
  judged sentences of English news pages, how many the floor holds back, and the AUC of
  ``confidence`` over all events for telling fully right events from the rest.
* Mostly unpolitical pages (wcxb dev articles: guides, travel and company blogs): how many events
  an article keeps there at all; nearly all are false, so fewer is better.
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Iterable

import pycountry

from benchmarks import judged_events
from transforms.coding import Coder
from transforms.coding.confidence_floor import ARTICLE_CONFIDENCE_FLOOR

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
OLD_PLOVER_LABELS = {"DEMAND": "REQUEST", "DISAPPROVE": "ACCUSE", "INVESTIGATE": "ACCUSE", "FIGHT": "ASSAULT"}


def gold_event(label: str) -> str:
    """The current PLOVER name of a gold label."""
    return OLD_PLOVER_LABELS.get(label, label)


def actor_keys(codes: Iterable[str | None]) -> set[str]:
    """Comparable keys of actor codes: the ISO country, else the first three letters."""
    return {code[:3] for code in codes if code}


def _is_country(code: str) -> bool:
    return pycountry.countries.get(alpha_3=code[:3]) is not None


def evaluate_plover(coder: Coder, path: Path, show_misses: int) -> tuple[float, float]:
    records = [record for record in json.loads(path.read_text(encoding="utf-8")) if record.get("text")]
    event_hits = actor_hits = actor_total = 0
    per_class: dict[str, Counter] = defaultdict(Counter)
    confusion: dict[str, Counter] = defaultdict(Counter)
    misses: list[tuple[str, str, list[str]]] = []
    for record in records:
        events = coder.code_text(record["text"], record.get("date"))
        gold = gold_event(record["event"])
        coded_types = {event.plover_type for event in events if event.plover_type}
        hit = gold in coded_types
        event_hits += hit
        per_class[gold]["n"] += 1
        per_class[gold]["hit"] += hit
        if not hit:
            for coded in sorted(coded_types) or ["(nothing)"]:
                confusion[gold][coded] += 1
            misses.append((gold, record["text"], [f"{e.actor1_code}>{e.event_code}>{e.actor2_code}" for e in events]))
        sources = [source.get("code", "") for source in record.get("source") or [] if source.get("code")]
        if sources:
            actor_total += 1
            coded_keys = actor_keys(code for event in events for code in (event.actor1_code, event.actor2_code))
            coded_keys |= actor_keys(
                country for event in events for country in (event.actor1_country_code, event.actor2_country_code)
            )
            actor_hits += bool(actor_keys(sources) & coded_keys)
    event_rate = event_hits / len(records)
    actor_rate = actor_hits / actor_total
    print(f"PLOVER gold standard: {len(records)} sentences")
    print(f"  event type among coded PLOVER types: {event_hits}/{len(records)} = {event_rate:.1%}")
    print(
        f"  gold source country among coded actors: {actor_hits}/{actor_total} = {actor_rate:.1%} of sentences with a"
        f" gold source ({actor_hits / len(records):.1%} of all {len(records)})"
    )
    print("  per class (hits/n), with what was coded instead on misses:")
    for label in sorted(per_class, key=lambda name: -per_class[name]["n"]):
        counts = per_class[label]
        instead = ", ".join(f"{name} {count}" for name, count in confusion[label].most_common(4))
        print(f"    {label:<10} {counts['hit']:>3}/{counts['n']:<3} {counts['hit'] / counts['n']:6.1%}  {instead}")
    for gold, text, coded in misses[:show_misses]:
        print(f"  MISS {gold}: {text}\n       coded: {coded}")
    return event_rate, actor_rate


def _cameo_root(label: str) -> str | None:
    """"4-18 Assualt" -> "18"; "0-1 Make Public Statement" -> "01"."""
    head = label.strip().split(" ")[0]
    if "-" not in head:
        return None
    root = head.split("-")[1]
    return root.zfill(2) if root.isdigit() else None


def evaluate_conflibert(coder: Coder, folder: Path, show_misses: int) -> tuple[float, float]:
    irrelevant = false_positives = agreed = recalled = 0
    missed_roots: Counter = Counter()
    false_examples: list[tuple[str, list[str]]] = []
    for path in sorted(folder.glob("round*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                sentence = (row.get("sentences") or "").strip()
                if not sentence:
                    continue
                coders = sorted({key.rsplit("_", 1)[1] for key in row if key.startswith("1_Relevant_")})
                relevant = any((row.get(f"1_Relevant_{k}") or "").strip() == "True" for k in coders)
                votes: Counter = Counter()
                for k in coders:
                    roots = {
                        _cameo_root(value)
                        for key, value in row.items()
                        if key.endswith(f"_CAMEO_{k}") and key.startswith("Action") and value
                    }
                    votes.update(root for root in roots if root)
                events = coder.code_text(sentence)
                coded_roots = {event.event_root_code for event in events}
                if not relevant and not votes:
                    irrelevant += 1
                    if events:
                        false_positives += 1
                        false_examples.append((sentence, sorted(f"{e.actor1_code}>{e.event_code}>{e.actor2_code}" for e in events)))
                for root, count in votes.items():
                    if count >= 2:
                        agreed += 1
                        recalled += root in coded_roots
                        if root not in coded_roots:
                            missed_roots[root] += 1
    fp_rate = false_positives / irrelevant if irrelevant else 0.0
    recall = recalled / agreed if agreed else 0.0
    print(f"ConfliBERT rounds: {irrelevant} rows no coder found relevant, {agreed} agreed (row, root) pairs")
    print(f"  false-positive rate: {false_positives}/{irrelevant} = {fp_rate:.1%}")
    print(f"  recall of agreed roots: {recalled}/{agreed} = {recall:.1%}")
    print("  most missed roots: " + ", ".join(f"{root} {count}" for root, count in missed_roots.most_common(8)))
    for sentence, coded in false_examples[:show_misses]:
        print(f"  FALSE POSITIVE: {sentence}\n       coded: {coded}")
    return fp_rate, recall


def evaluate_unpolitical_pages(coder: Coder, folder: Path, show_misses: int) -> int:
    """Events coded on the wcxb dev article pages (product guides, how-tos, travel and company
    blogs, a few news stories) that an article keeps (at or above the article confidence floor,
    whatever ``coder``'s own): nearly all of them are false, so fewer is better. Returns the count."""
    pages = events = 0
    examples: list[tuple[str, str]] = []
    for path in sorted((folder / "ground-truth").glob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        record = {**record, **(record.get("ground_truth") or {})}
        day = (record.get("publish_date") or "")[:10]
        coded = coder.code_text(record.get("main_content") or "", day if len(day) == 10 else None)
        coded = [event for event in coded if event.confidence >= ARTICLE_CONFIDENCE_FLOOR]
        pages += bool(coded)
        events += len(coded)
        examples.extend((f"{e.actor1_code}>{e.event_code}>{e.actor2_code}", e.sentence[:160]) for e in coded)
    total = len(list((folder / "ground-truth").glob("*.json")))
    print(f"Mostly unpolitical pages (wcxb dev articles): {events} events on {pages} of {total} pages (most are false; fewer is better)")
    for coded_event, sentence in examples[:show_misses]:
        print(f"  EVENT {coded_event}: {sentence}")
    return events


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=SHARED, help="the shared reference folder")
    parser.add_argument("--show-misses", type=int, default=0, help="print this many misses per set")
    args = parser.parse_args(argv)
    if not (args.shared / "eval" / "events" / "PLOVER_GSR_CAMEO.json").is_file():
        raise SystemExit(f"eval_coder: dev sets not found under {args.shared} (pass --shared DIR)")
    started = time.perf_counter()
    # Every event kept: the one-sentence sets keep all anyway, and the judged pages are scored at the
    # article floor after the AUC over all their events.
    coder = Coder(min_article_confidence=0)
    evaluate_plover(coder, args.shared / "eval" / "events" / "PLOVER_GSR_CAMEO.json", args.show_misses)
    evaluate_conflibert(coder, args.shared / "eval" / "events" / "conflibert", args.show_misses)
    pages = judged_events.english_pages(args.shared)
    print("\n".join(judged_events.report(*judged_events.score(coder, pages, judged_events.load_judgments()))))
    evaluate_unpolitical_pages(coder, args.shared / "eval" / "extraction" / "wcxb-dev-articles", args.show_misses)
    print(f"({time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
