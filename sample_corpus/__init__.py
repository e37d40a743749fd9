"""The bundled offline sample corpus that ``newsbeam run --sample`` uses."""

from pathlib import Path

CORPUS_FOLDER = Path(__file__).resolve().parent
FEED_LIST = CORPUS_FOLDER / "feeds.txt"
