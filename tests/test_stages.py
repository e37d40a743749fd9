"""Each PTransform on Beam's in-process runner, against our own small fixtures."""

from __future__ import annotations

import datetime
import gc
import gzip

import apache_beam as beam
import pytest
from apache_beam.testing.util import assert_that, equal_to, is_not_empty

from schemas.articles import Article
from schemas.pages import FetchedPage
from transforms.clean.clean_articles import CleanArticles
from transforms.coding.code_events import CodeEvents
from transforms.fetch.client import FetchSettings
from transforms.sources.read import ReadFeeds, ReadUrlList
from transforms.sources.replay import ReadHtmlDir

UTC = datetime.timezone.utc
FETCHED_AT = datetime.datetime(2026, 11, 18, 12, 0, tzinfo=UTC)
BODY = "".join(
    f"<p>Paragraph {i}: the foreign ministers of Kenya and Ethiopia met in Nairobi to discuss the border and trade.</p>"
    for i in range(5)
)


def page_html(canonical: str = "https://news.example/world/kenya-ethiopia") -> str:
    return (
        f"<html lang='en'><head><title>Kenya and Ethiopia talk</title><link rel='canonical' href='{canonical}'>"
        "<meta property='article:published_time' content='2026-11-17T08:00:00+02:00'></head>"
        f"<body><nav>Home World Sport</nav><article><h1>Kenya and Ethiopia talk</h1>{BODY}</article></body></html>"
    )


def fetched(html: str, url: str = "https://m.news.example/kenya?utm_source=rss", replayed: bool = False) -> FetchedPage:
    return FetchedPage(url=url, final_url=url, html=html, fetched_at=FETCHED_AT, feed_url="https://news.example/rss", replayed=replayed)


def test_clean_articles_builds_rows_and_reports_empty_pages(beam_pipeline):
    with beam_pipeline as p:
        pages = p | beam.Create([fetched(page_html()), fetched("<html><body><nav>menu</nav></body></html>", "https://news.example/empty")])
        cleaned = pages | CleanArticles()
        assert_that(
            cleaned.articles | beam.Map(lambda a: (a.canonical_url, a.feed_url, a.published_at, a.ingest_date, a.word_count > 50)),
            equal_to([("https://news.example/world/kenya-ethiopia", "https://news.example/rss",
                       datetime.datetime(2026, 11, 17, 6, 0, tzinfo=UTC), "2026-11-18", True)]),
            label="articles",
        )
        assert_that(
            cleaned.errors | beam.Map(lambda e: (e.stage, e.url, e.error_type)),
            equal_to([("clean", "https://news.example/empty", "empty_content")]),
            label="errors",
        )


def test_replayed_page_is_known_by_its_declared_url(beam_pipeline):
    with beam_pipeline as p:
        cleaned = p | beam.Create([fetched(page_html(), "file:///saved/a.html", replayed=True)]) | CleanArticles()
        assert_that(cleaned.articles | beam.Map(lambda a: a.url), equal_to(["https://news.example/world/kenya-ethiopia"]))


def _article(text: str, article_id: str = "a1") -> Article:
    return Article(
        article_id=article_id, url="https://news.example/" + article_id, canonical_url="https://news.example/" + article_id,
        feed_url=None, source_domain="news.example", title="t", author=None,
        published_at=datetime.datetime(2026, 11, 18, 9, tzinfo=UTC), language="en", text=text,
        text_hash="h", word_count=len(text.split()), fetched_at=FETCHED_AT, ingest_date="2026-11-18",
    )


def test_code_events_ties_events_to_articles(beam_pipeline):
    articles = [
        _article("Russian forces shelled the Ukrainian city of Kharkiv.", "war"),
        _article("The striker scored twice as the home side won the league title.", "sport"),
    ]
    with beam_pipeline as p:
        coded = p | beam.Create(articles) | CodeEvents()
        assert_that(coded.events | beam.Map(lambda e: (e.article_id, e.event_root_code in {"18", "19", "20"})) | beam.Distinct(),
                    equal_to([("war", True)]), label="events")
        assert_that(coded.errors, equal_to([]), label="errors")


@pytest.mark.parametrize("floor, kept", [(None, []), (0.0, [("weak", "11")])])
def test_code_events_holds_back_weak_article_events_unless_the_floor_is_lowered(beam_pipeline, floor, kept):
    # A minister of no known country accusing (confidence 0.45) in a two-sentence article.
    articles = [_article("The weather was fine on Monday. The minister accused the opposition of lying.", "weak")]
    stage = CodeEvents() if floor is None else CodeEvents(min_article_confidence=floor)
    with beam_pipeline as p:
        coded = p | beam.Create(articles) | stage
        assert_that(coded.events | beam.Map(lambda e: (e.article_id, e.event_root_code)), equal_to(kept))


def test_coding_jobs_in_one_process_leave_nothing_frozen_behind():
    # A local stream runs one job per window in one process; each job's coder must be freed with it.
    articles = [_article("Russian forces shelled the Ukrainian city of Kharkiv.", "war")]
    for _ in range(2):
        with beam.Pipeline(runner="FnApiRunner") as p:
            _ = p | beam.Create(articles) | CodeEvents()
        assert gc.get_freeze_count() == 0


def test_read_html_dir_reads_plain_and_gzipped_pages_recursively(tmp_path, beam_pipeline):
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.html").write_text(page_html("https://news.example/a"))
    (tmp_path / "sub" / "b.html.gz").write_bytes(gzip.compress(page_html("https://news.example/b").encode()))
    (tmp_path / "broken.html.gz").write_bytes(b"not gzip")
    (tmp_path / "notes.txt").write_text("ignored")
    with beam_pipeline as p:
        replay = p | ReadHtmlDir(str(tmp_path))
        assert_that(replay.pages | beam.Map(lambda page: (page.replayed, "Kenya" in page.html)),
                    equal_to([(True, True), (True, True)]), label="pages")
        # Named by the file URL its page would have had, with a message, not a Python repr.
        broken = (tmp_path / "broken.html.gz").absolute().as_uri()
        assert_that(replay.errors | beam.Map(lambda e: (e.stage, e.error_type, e.url, e.message.startswith(("Not a gzipped", "Error")))),
                    equal_to([("replay", "decode_error", broken, True)]), label="errors")


def test_read_feeds_dedupes_pages_announced_twice_and_reports_bad_feeds(tmp_path, beam_pipeline):
    item = "<item><title>{t}</title><link>{link}</link></item>"
    rss = "<?xml version='1.0'?><rss version='2.0'><channel><title>F</title>{items}</channel></rss>"
    (tmp_path / "one.rss").write_text(rss.format(items=item.format(t="A", link="https://news.example/a") + item.format(t="B", link="https://news.example/b")))
    (tmp_path / "two.rss").write_text(rss.format(items=item.format(t="A again", link="https://news.example/a")))
    (tmp_path / "page.html").write_text("<html><body>not a feed</body></html>")
    feed_urls = [(tmp_path / name).as_uri() for name in ("one.rss", "two.rss", "page.html", "missing.rss")]
    with beam_pipeline as p:
        feeds = p | ReadFeeds(feed_urls, FetchSettings())
        assert_that(feeds["requests"] | beam.Map(lambda r: r.url), equal_to(["https://news.example/a", "https://news.example/b"]), label="requests")
        assert_that(feeds["errors"] | beam.Map(lambda e: e.error_type), equal_to(["not_a_feed", "file_not_found"]), label="errors")


def test_read_url_list(beam_pipeline):
    with beam_pipeline as p:
        requests = p | ReadUrlList(["https://news.example/a", "https://news.example/b"])
        assert_that(requests, is_not_empty())
        assert_that(requests | beam.Map(lambda r: r.url), equal_to(["https://news.example/a", "https://news.example/b"]), label="urls")


def test_a_page_the_cleaner_fails_on_becomes_an_error_row(beam_pipeline, monkeypatch):
    from transforms.clean import extract

    def broken(self, html, url=None):
        raise RuntimeError("cleaner bug")

    monkeypatch.setattr(extract.Cleaner, "clean", broken)
    with beam_pipeline as p:
        cleaned = p | beam.Create([fetched(page_html())]) | CleanArticles()
        assert_that(cleaned.articles, equal_to([]), label="articles")
        assert_that(cleaned.errors | beam.Map(lambda e: (e.error_type, "cleaner bug" in e.message)),
                    equal_to([("extraction_failed", True)]), label="errors")
