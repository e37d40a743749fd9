"""The bundled offline sample corpus that ``newsbeam run`` uses when no source is given."""

from pathlib import Path

CORPUS_FOLDER = Path(__file__).resolve().parent
FEED_LIST = CORPUS_FOLDER / "feeds.txt"
