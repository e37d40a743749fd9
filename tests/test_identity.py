"""Article identity: canonical URL, ids and hashes are stable and resist common noise."""

from transforms.clean import identity


def test_canonical_declared_by_the_page_wins_and_is_normalised():
    got = identity.canonical_url("https://m.news.example/a?utm_source=rss", "https://news.example/world/a?utm_medium=x#top")
    assert got == "https://news.example/world/a"


def test_relative_canonical_is_resolved_and_front_page_canonical_ignored():
    assert identity.canonical_url("https://news.example/world/a", "/world/a-story") == "https://news.example/world/a-story"
    assert identity.canonical_url("https://news.example/world/a", "https://news.example/") == "https://news.example/world/a"


def test_ids_and_hashes_are_stable_and_distinguish():
    first = identity.article_id("https://news.example/a")
    assert first == identity.article_id("https://news.example/a") and len(first) == 32
    assert first != identity.article_id("https://news.example/b")
    assert identity.text_hash("Hello   World\n") == identity.text_hash("hello world")
    assert identity.text_hash("hello world") != identity.text_hash("hello there")


def test_source_domain_and_word_count():
    assert identity.source_domain("https://www.bbc.co.uk/news/1") == "bbc.co.uk"
    assert identity.source_domain("file:///tmp/page.html") == "local"
    assert identity.word_count("one two  three\nfour") == 4
