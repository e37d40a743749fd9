"""The bundled offline sample corpus that ``newsbeam run --sample`` uses."""

from pathlib import Path

CORPUS_FOLDER = Path(__file__).resolve().parent
FEED_LIST = CORPUS_FOLDER / "feeds.txt"
PAGES_FOLDER = CORPUS_FOLDER / "pages"
# Every page is one article of a feed (tests/test_sample_corpus.py holds it), so a sample run stores this many.
SAMPLE_ARTICLES = len(list(PAGES_FOLDER.glob("*.html")))
