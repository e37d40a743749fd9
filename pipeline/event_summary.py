"""The ``event_summary`` view: one row per real-world event (``events.event_key``), counted over every
article, source and run in the output, as GDELT's NumMentions, NumArticles, NumSources and AvgTone.

``EVENT_SUMMARY_SQL`` is a plain SELECT over the ``events`` and ``articles`` tables in the SQL that
DuckDB, Spark SQL and Trino share (window functions, ``count(distinct ...)``, no engine-specific
aggregate), so the README shows it verbatim for other engines; ``newsbeam sql`` defines the view
from it. Columns (``EVENT_SUMMARY_COLUMNS``):

- the event as its most representative mention codes it (the events columns of the same names): a
  mention in an article's lead first (``is_root_event``), then the highest ``confidence``, then the
  earliest added, then ``event_id``; with its actors' places (``actor1_geo_*``, ``actor2_geo_*``); its
  ``sentence`` and ``url`` (its article's canonical URL, else the
  event's ``url``) are the ones shown;
- ``first_seen`` / ``last_seen``: the earliest and latest ``added_at`` of its mentions (UTC; when
  newsbeam stored them, GDELT's DATEADDED), ``first_published_at`` / ``last_published_at`` the same
  for their articles' ``published_at``;
- ``num_mentions`` (rows), ``num_articles`` (distinct ``article_id``), ``num_sources`` (distinct
  ``articles.source_domain``);
- ``avg_tone``: the mean ``tone`` of its articles, each article once, as GDELT's AvgTone;
- ``root_event_share``: the share of its mentions, 0..1, in an article's lead (GDELT's IsRootEvent
  says this of one mention only).

Rows written before schema version 5 have no ``event_key`` and are left out.
"""

from __future__ import annotations

EVENT_SUMMARY_VIEW = "event_summary"

EVENT_SUMMARY_SQL = """\
with mentions as (
    select e.event_key, e.event_id, e.article_id, coalesce(a.canonical_url, e.url) as url, e.sentence, e.event_date,
           e.actor1_code, e.actor1_name, e.actor1_country_code, e.actor1_type,
           e.actor2_code, e.actor2_name, e.actor2_country_code, e.actor2_type,
           e.event_code, e.event_base_code, e.event_root_code, e.quad_class, e.goldstein, e.is_root_event,
           e.action_geo_name, e.action_geo_country_code, e.action_geo_adm1_code, e.action_geo_lat, e.action_geo_lon,
           e.action_geo_feature_id, e.action_geo_feature_type, e.action_geo_fips_country_code, e.tone, e.added_at,
           e.actor1_geo_name, e.actor1_geo_country_code, e.actor1_geo_adm1_code, e.actor1_geo_lat,
           e.actor1_geo_lon, e.actor1_geo_feature_id, e.actor1_geo_feature_type, e.actor1_geo_fips_country_code,
           e.actor2_geo_name, e.actor2_geo_country_code, e.actor2_geo_adm1_code, e.actor2_geo_lat,
           e.actor2_geo_lon, e.actor2_geo_feature_id, e.actor2_geo_feature_type, e.actor2_geo_fips_country_code,
           a.source_domain, a.published_at,
           row_number() over (partition by e.event_key
                              order by e.is_root_event desc, e.confidence desc, e.added_at, e.event_id) as mention_rank,
           row_number() over (partition by e.event_key, e.article_id order by e.event_id) as article_rank
    from events e
    left join (select article_id, min(canonical_url) as canonical_url, min(source_domain) as source_domain,
                      min(published_at) as published_at
               from articles group by article_id) a on a.article_id = e.article_id
    where e.event_key is not null
),
counts as (
    select event_key,
           min(added_at) as first_seen, max(added_at) as last_seen,
           min(published_at) as first_published_at, max(published_at) as last_published_at,
           count(*) as num_mentions,
           count(distinct article_id) as num_articles,
           count(distinct source_domain) as num_sources,
           avg(case when article_rank = 1 then tone end) as avg_tone,
           avg(case when is_root_event then cast(1 as double) else cast(0 as double) end) as root_event_share
    from mentions group by event_key
)
select c.event_key, m.event_date,
       m.actor1_code, m.actor1_name, m.actor1_country_code, m.actor1_type,
       m.actor2_code, m.actor2_name, m.actor2_country_code, m.actor2_type,
       m.event_code, m.event_base_code, m.event_root_code, m.quad_class, m.goldstein, m.is_root_event,
       m.action_geo_name, m.action_geo_country_code, m.action_geo_adm1_code, m.action_geo_lat, m.action_geo_lon,
       m.action_geo_feature_id, m.action_geo_feature_type, m.action_geo_fips_country_code,
       m.actor1_geo_name, m.actor1_geo_country_code, m.actor1_geo_adm1_code, m.actor1_geo_lat,
       m.actor1_geo_lon, m.actor1_geo_feature_id, m.actor1_geo_feature_type, m.actor1_geo_fips_country_code,
       m.actor2_geo_name, m.actor2_geo_country_code, m.actor2_geo_adm1_code, m.actor2_geo_lat,
       m.actor2_geo_lon, m.actor2_geo_feature_id, m.actor2_geo_feature_type, m.actor2_geo_fips_country_code,
       c.first_seen, c.last_seen, c.first_published_at, c.last_published_at,
       c.num_mentions, c.num_articles, c.num_sources, c.avg_tone, c.root_event_share,
       m.sentence, m.url
from counts c join mentions m on m.event_key = c.event_key and m.mention_rank = 1"""

EVENT_SUMMARY_COLUMNS = (
    "event_key", "event_date",
    "actor1_code", "actor1_name", "actor1_country_code", "actor1_type",
    "actor2_code", "actor2_name", "actor2_country_code", "actor2_type",
    "event_code", "event_base_code", "event_root_code", "quad_class", "goldstein", "is_root_event",
    "action_geo_name", "action_geo_country_code", "action_geo_adm1_code", "action_geo_lat", "action_geo_lon",
    "action_geo_feature_id", "action_geo_feature_type", "action_geo_fips_country_code",
    "actor1_geo_name", "actor1_geo_country_code", "actor1_geo_adm1_code", "actor1_geo_lat",
    "actor1_geo_lon", "actor1_geo_feature_id", "actor1_geo_feature_type", "actor1_geo_fips_country_code",
    "actor2_geo_name", "actor2_geo_country_code", "actor2_geo_adm1_code", "actor2_geo_lat",
    "actor2_geo_lon", "actor2_geo_feature_id", "actor2_geo_feature_type", "actor2_geo_fips_country_code",
    "first_seen", "last_seen", "first_published_at", "last_published_at",
    "num_mentions", "num_articles", "num_sources", "avg_tone", "root_event_share",
    "sentence", "url",
)  # fmt: skip


def create_view_statement() -> str:
    """The statement that defines the view over tables (or views) named ``events`` and ``articles``."""
    return f"create view {EVENT_SUMMARY_VIEW} as\n{EVENT_SUMMARY_SQL}"
