"""Re-runs add no duplicate rows; syndicated copies are recorded, not stored twice."""

from __future__ import annotations

import datetime
import shutil

import apache_beam as beam
from apache_beam.testing.util import assert_that, equal_to

from pipeline.cli import main
from sample_corpus import CORPUS_FOLDER
from schemas.articles import Article
from transforms.dedupe.rules import pick_by_id, pick_by_text
from transforms.dedupe.stages import DropDuplicates

UTC = datetime.timezone.utc


def _article(url: str, published_day: int | None, text_hash: str = "h", article_id: str = "a") -> Article:
    published = datetime.datetime(2026, 11, published_day, tzinfo=UTC) if published_day else None
    return Article(
        article_id=article_id, url=url, canonical_url=url, feed_url=None, source_domain="x", title=None, author=None,
        published_at=published, language="en", text="t", text_hash=text_hash, word_count=1,
        fetched_at=datetime.datetime(2026, 11, 20, tzinfo=UTC), ingest_date="2026-11-20",
    )


def test_earliest_copy_of_a_text_survives_and_the_others_are_recorded():
    original, copy, undated = _article("https://a.example/x", 2), _article("https://b.example/x", 3), _article("https://c.example/x", None)
    kept, duplicates = pick_by_text([copy, undated, original], stored_article_id=None)
    assert kept == original
    assert sorted(d.url for d in duplicates) == ["https://b.example/x", "https://c.example/x"]
    assert all(d.error_type == "duplicate" and original.article_id in d.message for d in duplicates)


def test_text_already_stored_keeps_nothing_and_names_the_stored_article():
    kept, duplicates = pick_by_text([_article("https://b.example/x", 3)], stored_article_id="stored-1")
    assert kept is None and "stored-1" in duplicates[0].message


def test_same_canonical_url_is_stored_once_and_never_again():
    first, second = _article("https://a.example/x?ref=1", 2), _article("https://a.example/x", 2)
    kept, duplicates = pick_by_id([first, second], already_stored=False)
    assert kept == second and [d.url for d in duplicates] == ["https://a.example/x?ref=1"]
    # stored by an earlier run under another URL: not stored, and this URL recorded (not fetched again)
    kept, duplicates = pick_by_id([first], already_stored=True)
    assert kept is None and [d.url for d in duplicates] == ["https://a.example/x?ref=1"]
    assert duplicates[0].error_type == "duplicate" and first.article_id in duplicates[0].message


def _html_dir_with_syndicated_copy(tmp_path):
    pages = tmp_path / "pages"
    shutil.copytree(CORPUS_FOLDER / "pages", pages)
    originals = sorted(pages.glob("*.html"))[:2]
    copy = originals[0].read_text().replace(
        'rel="canonical" href="https://', 'rel="canonical" href="https://syndicator.example/copy/'
    ).replace('property="og:url" content="https://', 'property="og:url" content="https://syndicator.example/copy/')
    (pages / "copy.html").write_text(copy)
    return pages


def test_rerun_and_syndicated_copies_through_the_pipeline(tmp_path, query):
    pages = _html_dir_with_syndicated_copy(tmp_path)
    page_count = len(list(pages.glob("*.html")))
    output = str(tmp_path / "out")
    assert main(["run", "--html-dir", str(pages), "--output", output, "--run-id", "first"]) == 0
    articles = query("select count(*) as n, count(distinct text_hash) as texts from articles")[0]
    assert articles == {"n": page_count - 1, "texts": page_count - 1}
    duplicates = query("select url, message from errors where error_type = 'duplicate'")
    assert len(duplicates) == 1 and "syndicator.example" in duplicates[0]["url"]
    events_before = query("select count(*) as n from events")[0]["n"]
    ids_before = {r["event_id"] for r in query("select event_id from events")}

    assert main(["run", "--html-dir", str(pages), "--output", output, "--run-id", "second"]) == 0
    assert query("select count(*) as n from articles")[0]["n"] == page_count - 1
    assert query("select count(*) as n from events")[0]["n"] == events_before
    assert {r["event_id"] for r in query("select event_id from events")} == ids_before
    assert query("select count(*) as n from errors where error_type = 'duplicate'")[0]["n"] == 1


def test_two_pages_of_one_canonical_url_in_one_run_leave_a_duplicate_row(tmp_path, query):
    pages = tmp_path / "pages"
    pages.mkdir()
    original = sorted((CORPUS_FOLDER / "pages").glob("*.html"))[0]
    (pages / "first.html").write_text(original.read_text())
    # a later edition of the same story: same canonical URL, one more paragraph
    (pages / "edition.html").write_text(original.read_text().replace("<p>", "<p>An editor's note was added. ", 1))
    output = str(tmp_path / "out")
    assert main(["run", "--html-dir", str(pages), "--output", output, "--run-id", "one"]) == 0
    assert query("select count(*) as n from articles")[0]["n"] == 1
    assert query("select count(*) as n from errors where error_type = 'duplicate'")[0]["n"] == 1


def test_a_page_listed_twice_in_two_spellings_is_fetched_once(tmp_path, query, capsys):
    page = sorted((CORPUS_FOLDER / "pages").glob("*.html"))[0].resolve()
    urls = tmp_path / "urls.txt"
    urls.write_text(f"{page}\n{page.as_uri()}\n")
    output = str(tmp_path / "out")
    assert main(["run", "--urls", str(urls), "--output", output, "--run-id", "one"]) == 0
    summary = capsys.readouterr().out
    counters = dict(line.split() for line in summary.splitlines() if line.startswith("  ") and "/" in line and len(line.split()) == 2)
    assert int(counters["fetch/pages_fetched"]) == 1
    assert query("select count(*) as n from articles")[0]["n"] == 1
    assert query("select count(*) as n from errors")[0]["n"] == 0


def test_rerun_of_the_sample_feeds_fetches_nothing_again(tmp_path, query, capsys):
    output = str(tmp_path / "out")
    assert main(["run", "--sample", "--output", output, "--run-id", "one"]) == 0
    first = query("select count(*) as n from articles")[0]["n"]
    capsys.readouterr()
    assert main(["run", "--sample", "--output", output, "--run-id", "two"]) == 0
    summary = capsys.readouterr().out
    counters = dict(line.split() for line in summary.splitlines() if line.startswith("  ") and "/" in line and len(line.split()) == 2)
    assert int(counters["dedupe/urls_already_stored"]) == first
    assert "fetch/pages_fetched" not in counters
    assert "articles        0" in summary
    assert query("select count(*) as n from articles")[0]["n"] == first


def test_a_url_held_back_by_the_retry_policy_still_stores_a_page_that_now_cleans(beam_pipeline):
    """Held back means not fetched; a replayed page that failed to clean before and cleans now is stored."""
    article = _article("file:///pages/fixed.html", 2)
    held_back = {"url": article.url, "article_id": None, "text_hash": None, "failed_recently": True}
    with beam_pipeline as p:
        unique = p | "Articles" >> beam.Create([article]) | DropDuplicates(p | "Stored" >> beam.Create([held_back]))
        assert_that(unique["articles"] | beam.Map(lambda kept: kept.url), equal_to([article.url]))
