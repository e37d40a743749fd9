"""Rebuild the coder's syntax model from the Universal Dependencies English Web Treebank.

    python -m training.syntax.train [--shared ../shared] [--max-steps N] [--workdir DIR]

Reads ``<shared>/nlp/ud-english-ewt/en_ewt-ud-{train,dev,test}.conllu`` (CC BY-SA 4.0), converts
them to spaCy's binary format, trains the pipeline in ``training/syntax/config.cfg`` (tagger,
morphologizer, dependency parser on a small CNN token encoder; no word vectors), scores the best
checkpoint on the test split and copies it to ``transforms/coding/syntax/model``, where the coder
loads it offline. Prints the test split's tagging (XPOS and UPOS) and attachment scores (UAS, LAS).
The seed is fixed in the config; spaCy's training is deterministic on one CPU thread, so a rebuild
gives the same scores up to floating-point noise from BLAS threading.

A new model that attaches fewer words right than the shipped one (by more than half a point) is
left in the work folder and the shipped model kept, unless ``--force``: a short trial run
(``--max-steps 20``) cannot replace a good model by accident.

Exit status: 0 done, 1 new model not better (kept aside), 2 when the treebank is not found.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
CONFIG = HERE / "config.cfg"
MODEL_DIR = REPO / "transforms" / "coding" / "syntax" / "model"
SPLITS = ("train", "dev", "test")


def treebank_files(shared: Path) -> dict[str, Path]:
    """The three CoNLL-U splits of EWT under ``shared``; raises FileNotFoundError naming a missing one."""
    folder = shared / "nlp" / "ud-english-ewt"
    files = {split: folder / f"en_ewt-ud-{split}.conllu" for split in SPLITS}
    for path in files.values():
        if not path.is_file():
            raise FileNotFoundError(f"treebank file not found: {path}")
    return files


def convert(conllu: Path, out_dir: Path) -> Path:
    """CoNLL-U -> spaCy DocBin (documents of 10 sentences); returns the ``.spacy`` path."""
    from spacy.cli.convert import convert as spacy_convert

    spacy_convert(conllu, out_dir, file_type="spacy", n_sents=10, converter="conllu", morphology=False, silent=True)
    return out_dir / (conllu.stem + ".spacy")


def shipped_attachment() -> float | None:
    """The unlabelled attachment score the shipped model reached on the test split, if known."""
    try:
        return float(json.loads((MODEL_DIR / "meta.json").read_text())["newsbeam_test_scores"]["dep_uas"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def forget_training_paths(config: Path) -> None:
    """The shipped config names no file of the machine it was trained on."""
    lines = config.read_text().splitlines()
    section = None
    for index, line in enumerate(lines):
        if line.startswith("["):
            section = line.strip()
        elif section == "[paths]" and " = " in line:
            lines[index] = line.split(" = ", 1)[0] + " = null"
    config.write_text("\n".join(lines) + "\n")


def score(model: Path, data: Path) -> dict[str, float]:
    """Tagging and attachment scores of ``model`` on ``data`` (fractions in [0, 1])."""
    from spacy.cli.evaluate import evaluate

    scores = evaluate(str(model), data, silent=True)
    return {key: round(float(scores[key]), 4) for key in ("tag_acc", "pos_acc", "morph_acc", "dep_uas", "dep_las", "speed")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--max-steps", type=int, default=None, help="override training.max_steps")
    parser.add_argument("--workdir", type=Path, default=None, help="keep converted data and checkpoints here")
    parser.add_argument(
        "--force", action="store_true", help="replace the shipped model even if the new one attaches fewer words right"
    )
    args = parser.parse_args(argv)
    try:
        files = treebank_files(args.shared)
    except FileNotFoundError as exc:
        print(f"newsbeam model: {exc}", file=sys.stderr)
        return 2

    from spacy.cli.train import train

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="newsbeam-syntax-"))
    data_dir = workdir / "corpus"
    data_dir.mkdir(parents=True, exist_ok=True)
    data = {split: convert(path, data_dir) for split, path in files.items()}
    overrides = {"paths.train": str(data["train"]), "paths.dev": str(data["dev"])}
    if args.max_steps:
        overrides["training.max_steps"] = args.max_steps
    train(CONFIG, workdir / "checkpoints", overrides=overrides)
    best = workdir / "checkpoints" / "model-best"

    candidate = workdir / "candidate"
    if candidate.exists():
        shutil.rmtree(candidate)
    shutil.copytree(best, candidate)
    forget_training_paths(candidate / "config.cfg")
    test_scores = score(candidate, data["test"])
    shipped_uas = shipped_attachment()
    if shipped_uas is not None and test_scores["dep_uas"] < shipped_uas - 0.005 and not args.force:
        print(
            f"newsbeam model: the new model attaches {test_scores['dep_uas']:.3f} of words right, the shipped one "
            f"{shipped_uas:.3f}; it is kept in {candidate} and the shipped model is unchanged (--force replaces it)",
            file=sys.stderr,
        )
        return 1
    if MODEL_DIR.exists():
        shutil.rmtree(MODEL_DIR)
    shutil.copytree(candidate, MODEL_DIR)
    meta_path = MODEL_DIR / "meta.json"
    meta = json.loads(meta_path.read_text())
    meta.update(
        name="newsbeam_ewt_syntax",
        license="CC BY-SA 4.0",
        sources=[{"name": "UD English Web Treebank", "url": "https://github.com/UniversalDependencies/UD_English-EWT", "license": "CC BY-SA 4.0"}],
        newsbeam_test_scores=test_scores,
        # Loads on any 3.8 release (the shipped weights do not change within a minor version).
        spacy_version=">=3.8.0,<3.9.0",
    )
    meta_path.write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")
    print(
        "EWT test split: XPOS tags {tag_acc:.3f}, UPOS {pos_acc:.3f}, morphology {morph_acc:.3f}, "
        "UAS {dep_uas:.3f}, LAS {dep_las:.3f}, {speed:.0f} words/s".format(**test_scores)
    )
    print(f"model written to {MODEL_DIR.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
