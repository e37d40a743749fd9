"""--domains, --since and --until (transforms/sources/backfill_filters.py): the plain functions, and
the command line refusing what it cannot use with one line and status 2."""

from __future__ import annotations

import datetime
import subprocess

import apache_beam as beam
import pytest
from apache_beam.testing.util import assert_that, equal_to
from hypothesis import given
from hypothesis import strategies as st

from schemas.articles import Article
from tests.test_end_to_end import newsbeam_command
from transforms.sources.backfill_filters import (
    DomainListError,
    KeepBackfillArticles,
    date_bound,
    parse_domain,
    published_within,
    read_domains,
    url_in_domains,
)

UTC = datetime.timezone.utc


def test_domains_are_normalised_and_public_suffixes_refused():
    assert parse_domain(" BBC.co.uk. ") == "bbc.co.uk"
    assert parse_domain("münchen.de") == "xn--mnchen-3ya.de"
    assert parse_domain("news.bbc.co.uk") == "news.bbc.co.uk"
    assert parse_domain("continentalpost.example") == "continentalpost.example"
    for suffix in ("co.uk", "com", "github.io", "公司.cn", "xn--55qx5d.cn"):
        with pytest.raises(ValueError, match="public suffix"):
            parse_domain(suffix)
    for bad, reason in (("https://bbc.co.uk/news", "not a URL"), ("10.0.0.1", "IP address"), ("localhost", "single name"),
                        ("a..b.com", "not a domain"), ("bad_name.com", "not a domain")):
        with pytest.raises(ValueError, match=reason):
            parse_domain(bad)


def test_a_domain_keeps_every_host_under_it_and_nothing_else():
    domains = frozenset({"bbc.co.uk", "news.example.com", "xn--mnchen-3ya.de"})
    assert url_in_domains("https://www.bbc.co.uk/news/1", domains)
    assert url_in_domains("https://BBC.CO.UK./x", domains)
    assert url_in_domains("https://a.news.example.com/x", domains)
    assert url_in_domains("https://münchen.de/x", domains)
    assert not url_in_domains("https://evilbbc.co.uk/x", domains)
    assert not url_in_domains("https://example.com/x", domains)
    assert not url_in_domains("file:///saved/a.html", domains)
    assert not url_in_domains("http://[::1/x", domains)


@given(labels=st.lists(st.from_regex(r"[a-z0-9]{1,8}", fullmatch=True), min_size=0, max_size=4))
def test_any_host_below_a_listed_domain_is_kept(labels):
    host = ".".join([*labels, "outlet", "example"])
    assert url_in_domains(f"https://{host}/story", frozenset({"outlet.example"}))
    assert not url_in_domains(f"https://{host}x/story", frozenset({"outlet.example"}))


def test_domain_files_report_the_line_that_is_not_a_domain(tmp_path):
    good = tmp_path / "domains.txt"
    good.write_text("# outlets of the study\nbbc.co.uk\n\nlemonde.fr  # national\n", encoding="utf-8")
    assert read_domains(str(good)) == {"bbc.co.uk", "lemonde.fr"}
    bad = tmp_path / "bad.txt"
    bad.write_text("bbc.co.uk\nco.uk\n", encoding="utf-8")
    with pytest.raises(DomainListError, match=r"line 2: 'co.uk' is a public suffix"):
        read_domains(str(bad))
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing\n", encoding="utf-8")
    with pytest.raises(DomainListError, match="lists no domain"):
        read_domains(str(empty))
    with pytest.raises(DomainListError, match="cannot read"):
        read_domains(str(tmp_path / "missing.txt"))


def test_date_bounds_are_utc_days_or_times():
    assert date_bound("2024-01-01", end_of_day=False) == datetime.datetime(2024, 1, 1, tzinfo=UTC)
    assert date_bound("2024-01-31", end_of_day=True) == datetime.datetime(2024, 1, 31, 23, 59, 59, 999999, tzinfo=UTC)
    assert date_bound("2024-01-31T18:00:00Z", end_of_day=True) == datetime.datetime(2024, 1, 31, 18, tzinfo=UTC)
    assert date_bound("2024-01-31T18:00:00+02:00", end_of_day=False) == datetime.datetime(2024, 1, 31, 16, tzinfo=UTC)
    assert date_bound("2024-01-31T18:00", end_of_day=False) == datetime.datetime(2024, 1, 31, 18, tzinfo=UTC)
    for bad in ("yesterday", "2024-13-01", "31/01/2024", ""):
        with pytest.raises(ValueError):
            date_bound(bad, end_of_day=False)


def article(url: str, published_at, fetched_at=datetime.datetime(2024, 3, 1, tzinfo=UTC)) -> Article:
    return Article(
        article_id=url, url=url, canonical_url=url, feed_url=None, source_domain="x", title=None, author=None,
        published_at=published_at, language="en", text="t", text_hash="h", word_count=1, fetched_at=fetched_at,
        ingest_date="2024-03-01",
    )


def test_saved_pages_are_kept_by_their_declared_url_and_undated_articles_by_their_fetch_time(beam_pipeline):
    jan = datetime.datetime(2024, 1, 15, tzinfo=UTC)
    articles = [
        article("https://www.bbc.co.uk/a", jan),
        article("https://www.bbc.co.uk/late", datetime.datetime(2024, 2, 1, tzinfo=UTC)),
        article("https://elsewhere.example/a", jan),
        article("https://www.bbc.co.uk/undated", None, fetched_at=jan),
        article("https://www.bbc.co.uk/undated-late", None),
    ]
    since, until = date_bound("2024-01-01", end_of_day=False), date_bound("2024-01-31", end_of_day=True)
    with beam_pipeline as p:
        kept = p | beam.Create(articles) | KeepBackfillArticles(since, until, frozenset({"bbc.co.uk"}))
        assert_that(kept | beam.Map(lambda a: a.url), equal_to(["https://www.bbc.co.uk/a", "https://www.bbc.co.uk/undated"]))


def test_both_bounds_are_included():
    since = date_bound("2024-01-01", end_of_day=False)
    until = date_bound("2024-01-31", end_of_day=True)
    assert published_within(since, since, until) and published_within(until, since, until)
    assert not published_within(since - datetime.timedelta(microseconds=1), since, until)
    assert not published_within(until + datetime.timedelta(microseconds=1), since, until)
    assert published_within(since, None, None)


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (["--since", "2024-02-01", "--until", "2024-01-31"], "--since 2024-02-01T00:00:00+00:00 is after --until"),
        (["--since", "last week"], "argument --since: expected a date (YYYY-MM-DD, UTC)"),
        (["--domains", "{tmp}/domains.txt"], "line 1: 'co.uk' is a public suffix"),
        (["--domains", "{tmp}/missing.txt"], "cannot read --domains file"),
        (["--streaming", "--since", "2024-01-01"], "they apply to batch runs"),
    ],
)
def test_unusable_filters_are_one_line_usage_errors(tmp_path, arguments, expected):
    (tmp_path / "domains.txt").write_text("co.uk\n", encoding="utf-8")
    arguments = [argument.replace("{tmp}", str(tmp_path)) for argument in arguments]
    completed = subprocess.run(
        [*newsbeam_command(), "run", "--sample", "--output", str(tmp_path / "out"), *arguments],
        capture_output=True, text=True, timeout=120,
    )
    assert completed.returncode == 2
    assert expected in completed.stderr and len(completed.stderr.strip().splitlines()) == 1, completed.stderr
    assert not (tmp_path / "out").exists()
