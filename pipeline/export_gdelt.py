"""``newsbeam export gdelt``: the output as GDELT 2.0 Events and Mentions files.

Two tab-separated files without a header, in GDELT 2.0's column order and formats (dates as
YYYYMMDD and YYYYMMDDHHMMSS integers, UTC; CAMEO codes as strings with leading zeros; an empty field
for a value newsbeam does not have), so tools written for GDELT's ``*.export.CSV`` and
``*.mentions.CSV`` files read them unchanged:

- ``newsbeam-SINCE-UNTIL.export.CSV``: one row per real-world event (``event_summary``) first seen
  (added) between SINCE and UNTIL, UTC days inclusive. As in GDELT an event is exported once, with the
  update that first saw it; unlike GDELT its NumMentions, NumSources, NumArticles and AvgTone count
  every report in the output at export time, not only those of its first 15 minutes.
- ``newsbeam-SINCE-UNTIL.mentions.CSV``: one row per coded mention added between SINCE and UNTIL, of
  any event, old or new (GDELT's Mentions table), tied to its event by GLOBALEVENTID.

GLOBALEVENTID is the first 15 hex digits of ``event_key`` as an integer (below 2**60, so it fits
the signed 64-bit integers GDELT's tools use; the same event has the same id in every export).
The columns newsbeam leaves empty are listed in the README (``GDELT_EMPTY_*``).

Files are written through Beam's FileSystems (a local folder, ``gs://`` or ``s3://``), each under a
temporary name and then renamed into place; an export never replaces a file that exists: when the
folder already holds a file of the same name (an export of the same days), the export is refused.
A local folder that does not exist is created.
"""

from __future__ import annotations

import datetime
import os
import secrets
from typing import Any, Iterable, NamedTuple, Optional, Sequence
from urllib.parse import urlsplit

from pipeline.errors import UsageError, one_line

# GDELT 2.0's column names in file order (the GDELT 2.0 Event Codebook: 61 event columns, 16 mention
# columns).
GDELT_EVENT_COLUMNS = (
    "GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate",
    "Actor1Code", "Actor1Name", "Actor1CountryCode", "Actor1KnownGroupCode", "Actor1EthnicCode",
    "Actor1Religion1Code", "Actor1Religion2Code", "Actor1Type1Code", "Actor1Type2Code", "Actor1Type3Code",
    "Actor2Code", "Actor2Name", "Actor2CountryCode", "Actor2KnownGroupCode", "Actor2EthnicCode",
    "Actor2Religion1Code", "Actor2Religion2Code", "Actor2Type1Code", "Actor2Type2Code", "Actor2Type3Code",
    "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass", "GoldsteinScale",
    "NumMentions", "NumSources", "NumArticles", "AvgTone",
    "Actor1Geo_Type", "Actor1Geo_FullName", "Actor1Geo_CountryCode", "Actor1Geo_ADM1Code", "Actor1Geo_ADM2Code",
    "Actor1Geo_Lat", "Actor1Geo_Long", "Actor1Geo_FeatureID",
    "Actor2Geo_Type", "Actor2Geo_FullName", "Actor2Geo_CountryCode", "Actor2Geo_ADM1Code", "Actor2Geo_ADM2Code",
    "Actor2Geo_Lat", "Actor2Geo_Long", "Actor2Geo_FeatureID",
    "ActionGeo_Type", "ActionGeo_FullName", "ActionGeo_CountryCode", "ActionGeo_ADM1Code", "ActionGeo_ADM2Code",
    "ActionGeo_Lat", "ActionGeo_Long", "ActionGeo_FeatureID",
    "DATEADDED", "SOURCEURL",
)  # fmt: skip
GDELT_MENTION_COLUMNS = (
    "GLOBALEVENTID", "EventTimeDate", "MentionTimeDate", "MentionType", "MentionSourceName", "MentionIdentifier",
    "SentenceID", "Actor1CharOffset", "Actor2CharOffset", "ActionCharOffset", "InRawText", "Confidence",
    "MentionDocLen", "MentionDocTone", "MentionDocTranslationInfo", "Extras",
)  # fmt: skip
# What newsbeam cannot fill (the README lists them): CAMEO actor attributes its coder does not code,
# GAUL ADM2 codes, character offsets, translation provenance.
GDELT_EMPTY_EVENT_COLUMNS = tuple(
    f"Actor{n}{attribute}"
    for n in (1, 2)
    for attribute in ("KnownGroupCode", "EthnicCode", "Religion1Code", "Religion2Code", "Type2Code", "Type3Code")
) + ("Actor1Geo_ADM2Code", "Actor2Geo_ADM2Code", "ActionGeo_ADM2Code")
GDELT_EMPTY_MENTION_COLUMNS = (
    "Actor1CharOffset", "Actor2CharOffset", "ActionCharOffset", "MentionDocTranslationInfo", "Extras",
)  # fmt: skip
# GDELT's ActionGeo_Type: 1 country, 2 US state, 3 US city, 4 city elsewhere, 5 ADM1 elsewhere.
_GEO_TYPE = {("country", False): 1, ("ADM1", True): 2, ("city", True): 3, ("city", False): 4, ("ADM1", False): 5}
_US_FIPS = "US"
# GDELT's MentionType 1: a document from the open web, MentionIdentifier its URL.
_WEB = 1

EVENTS_SQL = """select * from event_summary where first_seen >= ? and first_seen < ?
                order by first_seen, event_key"""
MENTIONS_SQL = """select e.event_key, s.first_seen, e.added_at, e.url, e.sentence_index, e.confidence, e.tone,
                         a.canonical_url, a.source_domain, a.text_length
                  from events e join event_summary s on s.event_key = e.event_key
                  left join (select article_id, min(canonical_url) as canonical_url, min(source_domain) as source_domain,
                                    min(length(text)) as text_length
                             from articles group by article_id) a on a.article_id = e.article_id
                  where e.added_at >= ? and e.added_at < ?
                  order by e.added_at, e.event_id"""


class Exported(NamedTuple):
    """What an export wrote: each file's path and its number of rows, and whether the export
    created the (local) folder they are in."""

    events_path: str
    events: int
    mentions_path: str
    mentions: int
    created_folder: bool


def global_event_id(event_key: str) -> int:
    """GDELT's integer GLOBALEVENTID for an ``event_key``: its first 15 hex digits (< 2**60)."""
    return int(event_key[:15], 16)


def gdelt_event_row(summary: dict[str, Any]) -> list[str]:
    """One ``event_summary`` row (column name -> value) as GDELT's 61 event fields, as text."""
    day: datetime.date = summary["event_date"]
    values: dict[str, Any] = {
        "GLOBALEVENTID": global_event_id(summary["event_key"]),
        "SQLDATE": day.strftime("%Y%m%d"),
        "MonthYear": day.strftime("%Y%m"),
        "Year": day.year,
        # GDELT's own approximation: (month * 30 + day) / 365 as the fraction of the year.
        "FractionDate": f"{day.year + (day.month * 30 + day.day) / 365:.4f}",
        "IsRootEvent": int(bool(summary["is_root_event"])),
        "EventCode": summary["event_code"],
        "EventBaseCode": summary["event_base_code"],
        "EventRootCode": summary["event_root_code"],
        "QuadClass": summary["quad_class"],
        "GoldsteinScale": summary["goldstein"],
        "NumMentions": summary["num_mentions"],
        "NumSources": summary["num_sources"],
        "NumArticles": summary["num_articles"],
        "AvgTone": summary["avg_tone"],
        "DATEADDED": _timestamp(summary["first_seen"]),
        "SOURCEURL": summary["url"],
    }
    for n in (1, 2):
        name = summary[f"actor{n}_name"]
        values[f"Actor{n}Code"] = summary[f"actor{n}_code"]
        values[f"Actor{n}Name"] = name.upper() if name else None
        values[f"Actor{n}CountryCode"] = summary[f"actor{n}_country_code"]
        values[f"Actor{n}Type1Code"] = summary[f"actor{n}_type"]
        values.update(_gdelt_geo(f"Actor{n}Geo_", summary, f"actor{n}_geo_"))
    values.update(_gdelt_geo("ActionGeo_", summary, "action_geo_"))
    return [_field(values.get(column)) for column in GDELT_EVENT_COLUMNS]


def _gdelt_geo(gdelt_prefix: str, summary: dict[str, Any], prefix: str) -> dict[str, Any]:
    """A place of the summary (the ``<prefix>*`` columns) as GDELT's ``<gdelt_prefix>*`` fields."""
    feature_type, fips = summary[prefix + "feature_type"], summary[prefix + "fips_country_code"]
    geo_type = _GEO_TYPE.get((feature_type, fips == _US_FIPS)) if feature_type else None
    return {
        gdelt_prefix + "Type": geo_type,
        gdelt_prefix + "FullName": summary[prefix + "name"],
        gdelt_prefix + "CountryCode": fips,
        # GDELT gives a country-level place its country code here, and a country or ADM1 place its
        # code as FeatureID; a city has a numeric id (GeoNames' here, GNS' in GDELT).
        gdelt_prefix + "ADM1Code": summary[prefix + "adm1_code"] or (fips if geo_type == 1 else None),
        gdelt_prefix + "Lat": summary[prefix + "lat"],
        gdelt_prefix + "Long": summary[prefix + "lon"],
        gdelt_prefix + "FeatureID": summary[prefix + "feature_id"] if feature_type == "city" else (
            summary[prefix + "adm1_code"] or fips
        ),
    }


def gdelt_mention_row(mention: dict[str, Any]) -> list[str]:
    """One mention (``MENTIONS_SQL``'s columns) as GDELT's 16 mention fields, as text."""
    values: dict[str, Any] = {
        "GLOBALEVENTID": global_event_id(mention["event_key"]),
        "EventTimeDate": _timestamp(mention["first_seen"]),
        "MentionTimeDate": _timestamp(mention["added_at"]),
        "MentionType": _WEB,
        "MentionSourceName": mention["source_domain"],
        "MentionIdentifier": mention["canonical_url"] or mention["url"],
        # GDELT counts sentences from 1; newsbeam's sentence_index from 0.
        "SentenceID": mention["sentence_index"] + 1,
        "InRawText": 1,
        "Confidence": round(100 * mention["confidence"]),
        "MentionDocLen": mention["text_length"],
        "MentionDocTone": mention["tone"],
    }
    return [_field(values.get(column)) for column in GDELT_MENTION_COLUMNS]


def _timestamp(moment: Optional[datetime.datetime]) -> Optional[str]:
    if moment is None:
        return None
    return moment.astimezone(datetime.timezone.utc).strftime("%Y%m%d%H%M%S")


def _field(value: Any) -> str:
    """A value as GDELT writes it: empty for none, whole numbers plain, text on one line without tabs."""
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(round(value, 6))
    return " ".join(str(value).split())


def export_file_names(since: datetime.date, until: datetime.date) -> tuple[str, str]:
    """The two file names of an export: ``newsbeam-YYYYMMDD-YYYYMMDD.export.CSV`` and ``.mentions.CSV``
    (GDELT's suffixes, which its tools match; the files are tab-separated, as GDELT's are)."""
    stem = f"newsbeam-{since:%Y%m%d}-{until:%Y%m%d}"
    return f"{stem}.export.CSV", f"{stem}.mentions.CSV"


def _parse_day(option: str, text: str) -> datetime.date:
    """A ``YYYY-MM-DD`` option value from year 1000 on (Python's ``fromisoformat`` also reads week
    dates and compact forms, and a year before 1000 has no four digits for the file names);
    UsageError naming the option otherwise."""
    try:
        day = datetime.date.fromisoformat(text) if len(text) == 10 and text[4] == "-" and text[7] == "-" else None
    except ValueError:
        day = None
    if day is None:
        # Cut as the coder's messages cut (dates.quoted_start), without importing the coder here.
        shown = repr(text if len(text) <= 40 else text[:40] + "...")
        raise UsageError(f"{option} {shown} is not a date like 2026-11-30")
    if day.year < 1000:
        raise UsageError(f"{option} {day} is before the year 1000")
    return day


def export_days(since: str, until: Optional[str], today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last UTC day of an export from the ``--since`` and ``--until`` values as typed
    (no ``--until``: ``today``).

    Raises UsageError naming only the options given: a value that is no date, an ``--until`` before
    ``--since``, or (without ``--until``) a ``--since`` after today.
    """
    first = _parse_day("--since", since)
    if until is None:
        if first > today:
            raise UsageError(f"--since {first} is after today ({today}, UTC): nothing can have been added yet")
        return first, today
    last = _parse_day("--until", until)
    if last < first:
        raise UsageError(f"--until {last} is before --since {first}")
    return first, last


def export_gdelt(output_dir: str, since: datetime.date, until: datetime.date, folder: str) -> Exported:
    """Write the two GDELT files for events first seen and mentions added from ``since`` to ``until``
    (UTC days, inclusive; ``since <= until``) into ``folder``, creating a local folder that does not exist.

    Raises UsageError when ``folder`` is (or lies under) a file or cannot be written, when ``output_dir``
    is no newsbeam output, or when a file of the export already exists in ``folder`` (it is never replaced).
    """
    from apache_beam.io.filesystems import FileSystems

    from pipeline.sql import connect

    created_folder = _check_local_folder(folder)
    paths = [FileSystems.join(folder, name) for name in export_file_names(since, until)]
    _refuse_existing(paths)
    connection = connect(output_dir)
    start = datetime.datetime.combine(since, datetime.time(), datetime.timezone.utc)
    end = datetime.datetime.combine(until + datetime.timedelta(days=1), datetime.time(), datetime.timezone.utc)
    events = [gdelt_event_row(row) for row in _rows(connection, EVENTS_SQL, (start, end))]
    mentions = [gdelt_mention_row(row) for row in _rows(connection, MENTIONS_SQL, (start, end))]
    _write_new(folder, paths, (events, mentions))
    return Exported(paths[0], len(events), paths[1], len(mentions), created_folder)


def _check_local_folder(folder: str) -> bool:
    """Whether ``folder``, a local path, is still to be created; UsageError when it, or the nearest
    part of it that exists, is a file. A URL (``gs://``, ``s3://``) names no folder to check."""
    if urlsplit(folder).scheme:
        return False
    existing = folder
    while not os.path.exists(existing) and os.path.dirname(existing) != existing:
        existing = os.path.dirname(existing)
    if not os.path.isdir(existing):
        where = "" if existing == folder else f" lies under {existing!r}, which"
        raise UsageError(f"--to {folder!r}{where} is a file, not a folder")
    return existing != folder


def _refuse_existing(paths: Sequence[str]) -> None:
    from apache_beam.io.filesystems import FileSystems

    existing = [path for path in paths if FileSystems.exists(path)]
    if existing:
        raise UsageError(
            f"{existing[0]} exists (an export of the same days); an export never replaces a file: "
            "choose another --to folder or move the earlier files away"
        )


def _rows(connection: Any, sql: str, parameters: Sequence[Any]) -> Iterable[dict[str, Any]]:
    cursor = connection.execute(sql, list(parameters))
    columns = [description[0] for description in cursor.description]
    return (dict(zip(columns, row)) for row in cursor.fetchall())


def _write_new(folder: str, paths: Sequence[str], contents: Sequence[Sequence[Sequence[str]]]) -> None:
    """Write each file's rows under a temporary name of this export's own, then rename them all into
    place: no reader sees half a file, and no export is left half written beside a refused one.

    Raises UsageError when the folder cannot be written, or when one of ``paths`` appeared meanwhile
    (that file is kept; this export's temporary files are removed)."""
    from apache_beam.io.filesystems import FileSystems

    token = secrets.token_hex(4)
    temporaries = []
    try:
        for path, rows in zip(paths, contents):
            directory, name = FileSystems.split(path)
            temporary = FileSystems.join(directory, f".{name}.{token}.partial")
            with FileSystems.create(temporary, mime_type="text/tab-separated-values") as sink:
                temporaries.append(temporary)
                for row in rows:
                    sink.write(("\t".join(row) + "\n").encode("utf-8"))
    except OSError as error:
        raise UsageError(f"cannot write to --to {folder!r}: {one_line(error)}") from error
    try:
        _refuse_existing(paths)
    except UsageError:
        FileSystems.delete(temporaries)
        raise
    FileSystems.rename(temporaries, list(paths))
