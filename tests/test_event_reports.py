"""One real-world event, many reports: ``event_key``, the ``event_summary`` view and articles' tone,
on real runs of the sample corpus read back through ``newsbeam sql``."""

from __future__ import annotations

import collections
import hashlib
import json
import math
from pathlib import Path

import pytest

import pipeline.sql
from pipeline.cli import main
from pipeline.event_summary import EVENT_SUMMARY_COLUMNS
from sample_corpus import CORPUS_FOLDER, PAGES_FOLDER

MANIFEST = json.loads((CORPUS_FOLDER / "manifest.json").read_text())
# Pages reporting one real-world event share a ``story``; any other page's events are its own.
STORY_OF = {item["canonical_url"]: item.get("story") or item["file"] for item in MANIFEST}
STORIES = collections.defaultdict(list)
for _item in MANIFEST:
    if _item.get("story"):
        STORIES[_item["story"]].append(_item)
KENYA = "kenya-mombasa-fuel-protest-arrests-2026-11-27"


def domain(url: str) -> str:
    return url.split("/")[2].removeprefix("www.").removeprefix("news.")


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """rows(sql) over one real run of the sample corpus."""
    output = tmp_path_factory.mktemp("reports") / "out"
    assert main(["run", "--sample", "--output", str(output), "--quiet", "--run-id", "reports"]) == 0
    connection = pipeline.sql.connect(str(output))

    def rows(sql: str) -> list[dict]:
        relation = connection.sql(sql)
        return [dict(zip(relation.columns, row)) for row in relation.fetchall()]

    return rows


def test_the_corpus_has_events_reported_by_three_or_more_outlets_on_following_days():
    assert len(STORIES) >= 3
    for pages in STORIES.values():
        assert len({domain(page["canonical_url"]) for page in pages}) >= 3
        assert len({page["published"][:10] for page in pages}) >= 2


def test_every_outlet_reporting_a_story_gives_its_event_one_key_counted_once_per_source(sample):
    for story, pages in STORIES.items():
        urls = [page["canonical_url"] for page in pages]
        listed = ", ".join(f"'{url}'" for url in urls)
        keys = sample(
            f"""select e.event_key from events e join articles a using (article_id)
                where a.canonical_url in ({listed})
                group by e.event_key having count(distinct a.canonical_url) = {len(urls)}"""
        )
        assert keys, f"{story}: no key shared by all {len(urls)} reports"
        summary = sample(f"select * from event_summary where event_key = '{keys[0]['event_key']}'")[0]
        assert summary["num_articles"] == len(urls)
        assert summary["num_sources"] == len({domain(url) for url in urls}) >= 3
        assert summary["num_mentions"] >= summary["num_articles"]
        assert summary["url"] in urls and summary["sentence"]


def test_different_events_never_share_a_key_in_the_sample_corpus(sample):
    mentions = sample(
        """select e.event_key, a.canonical_url from events e join articles a using (article_id)
           where e.event_key in (select event_key from event_summary where num_articles > 1)"""
    )
    stories_of_key = collections.defaultdict(set)
    for row in mentions:
        stories_of_key[row["event_key"]].add(STORY_OF[row["canonical_url"]])
    assert stories_of_key, "the corpus must have events reported more than once"
    assert {key: stories for key, stories in stories_of_key.items() if len(stories) > 1} == {}


def test_the_summary_has_one_row_per_key_with_consistent_counts(sample):
    summary = sample("select * from event_summary")
    assert list(summary[0]) == list(EVENT_SUMMARY_COLUMNS)
    assert len({row["event_key"] for row in summary}) == len(summary)
    assert len(summary) == sample("select count(distinct event_key) as n from events")[0]["n"]
    for row in summary:
        assert row["num_mentions"] >= row["num_articles"] >= row["num_sources"] >= 1
        assert 0.0 <= row["root_event_share"] <= 1.0
        assert row["first_seen"] <= row["last_seen"]
    assert sum(row["num_mentions"] for row in summary) == sample("select count(*) as n from events")[0]["n"]


def test_every_article_has_a_gdelt_scaled_tone_and_its_events_carry_it(sample):
    articles = sample("select article_id, tone, tone_positive, tone_negative, tone_polarity from articles")
    for article in articles:
        assert -100 <= article["tone"] <= 100
        assert math.isclose(article["tone"], article["tone_positive"] - article["tone_negative"], abs_tol=1e-3)
        assert math.isclose(article["tone_polarity"], article["tone_positive"] + article["tone_negative"], abs_tol=1e-3)
    assert len({article["tone"] for article in articles}) > len(articles) // 2  # tone tells articles apart
    mismatched = sample(
        "select count(*) as n from events e join articles a using (article_id) where e.tone is distinct from a.tone"
    )
    assert mismatched == [{"n": 0}]
    # A story about arrests reads more negative than one about a signed treaty.
    tone_of = {row["story"]: row["tone"] for row in sample(_story_tone_sql())}
    assert tone_of[KENYA] < tone_of["vietnam-indonesia-maritime-boundary-treaty-2026-11-28"]


def _story_tone_sql() -> str:
    values = ", ".join(f"('{item['canonical_url']}', '{item['story']}')" for item in MANIFEST if item.get("story"))
    return f"""select s.story, avg(a.tone) as tone from articles a
               join (values {values}) as s(canonical_url, story) using (canonical_url) group by s.story"""


def test_places_carry_geonames_ids_feature_types_and_fips_codes(sample):
    places = sample(
        """select distinct action_geo_name, action_geo_country_code, action_geo_feature_id, action_geo_feature_type,
                  action_geo_adm1_code, action_geo_fips_country_code
           from events where action_geo_name in ('Mombasa', 'Hanoi', 'Lima')"""
    )
    by_name = {row["action_geo_name"]: row for row in places}
    assert by_name["Mombasa"]["action_geo_feature_type"] == "city"
    assert by_name["Mombasa"]["action_geo_fips_country_code"] == "KE"
    assert by_name["Hanoi"]["action_geo_fips_country_code"] == "VM"  # FIPS, not ISO's VN
    assert by_name["Lima"]["action_geo_adm1_code"].startswith("PE")
    assert all(row["action_geo_feature_id"] > 0 for row in places)


def _files(output: Path) -> dict[str, str]:
    """Every table file under ``output`` -> the SHA-256 of its bytes."""
    return {
        str(path.relative_to(output)): hashlib.sha256(path.read_bytes()).hexdigest()
        for table in ("articles", "events", "errors")
        for path in (output / table).rglob("*.parquet")
    }


def test_a_later_run_adding_a_fourth_report_raises_the_counts_without_rewriting_earlier_files(tmp_path, query):
    pages = sorted(STORIES[KENYA], key=lambda page: page["published"])
    first, later = tmp_path / "first", tmp_path / "later"
    first.mkdir()
    later.mkdir()
    for page in pages[:3]:
        (first / page["file"]).symlink_to(PAGES_FOLDER / page["file"])
    (later / pages[3]["file"]).symlink_to(PAGES_FOLDER / pages[3]["file"])
    output = tmp_path / "out"
    urls = ", ".join(f"'{page['canonical_url']}'" for page in pages[:3])
    key_sql = f"""select e.event_key from events e join articles a using (article_id) where a.canonical_url in ({urls})
                  group by e.event_key having count(distinct a.canonical_url) = 3"""

    assert main(["run", "--html-dir", str(first), "--output", str(output), "--quiet", "--run-id", "first"]) == 0
    key = query(key_sql, output)[0]["event_key"]
    before = query(f"select * from event_summary where event_key = '{key}'", output)[0]
    assert (before["num_sources"], before["num_articles"]) == (3, 3)
    files_before = _files(output)

    assert main(["run", "--html-dir", str(later), "--output", str(output), "--quiet", "--run-id", "later"]) == 0
    after = query(f"select * from event_summary where event_key = '{key}'", output)[0]
    assert (after["num_sources"], after["num_articles"]) == (4, 4)
    assert after["num_mentions"] > before["num_mentions"]
    assert after["first_seen"] == before["first_seen"] and after["last_seen"] > before["last_seen"]
    files_after = _files(output)
    assert {path: digest for path, digest in files_after.items() if path in files_before} == files_before
    assert any("later" in path for path in set(files_after) - set(files_before))
