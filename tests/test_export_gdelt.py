"""``newsbeam export gdelt``: files GDELT's tools read, from a real run read back as a user would."""

from __future__ import annotations

import csv
import datetime
import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import pipeline.export_gdelt as export_gdelt_module
from pipeline.cli import EXIT_USAGE, main
from pipeline.errors import UsageError
from pipeline.export_gdelt import (
    GDELT_EMPTY_EVENT_COLUMNS,
    GDELT_EMPTY_MENTION_COLUMNS,
    GDELT_EVENT_COLUMNS,
    GDELT_MENTION_COLUMNS,
    gdelt_event_row,
    gdelt_mention_row,
)
from sample_corpus import CORPUS_FOLDER, PAGES_FOLDER
from tests.test_cli import run_cli

MANIFEST = json.loads((CORPUS_FOLDER / "manifest.json").read_text())
KENYA = [item for item in MANIFEST if item.get("story") == "kenya-mombasa-fuel-protest-arrests-2026-11-27"]
# GDELT's own column list, where the checkout has it beside the project (not shipped with newsbeam).
REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference"
# GDELT's codebook types as DuckDB types.
DUCKDB_TYPES = {"INTEGER": "BIGINT", "FLOAT": "DOUBLE", "STRING": "VARCHAR"}
EVENT_TYPES = {
    **{column: "VARCHAR" for column in GDELT_EVENT_COLUMNS},
    **{column: "BIGINT" for column in ("GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "IsRootEvent", "QuadClass",
                                       "NumMentions", "NumSources", "NumArticles", "ActionGeo_Type", "DATEADDED")},
    **{column: "DOUBLE" for column in ("FractionDate", "GoldsteinScale", "AvgTone", "ActionGeo_Lat", "ActionGeo_Long")},
}  # fmt: skip
MENTION_TYPES = {
    **{column: "BIGINT" for column in GDELT_MENTION_COLUMNS},
    **{column: "VARCHAR" for column in ("MentionSourceName", "MentionIdentifier", "MentionDocTranslationInfo", "Extras")},
    "MentionDocTone": "DOUBLE",
}


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    """A run of the sample corpus' reported-many-times stories, exported for today (UTC)."""
    base = tmp_path_factory.mktemp("gdelt")
    pages = base / "pages"
    pages.mkdir()
    for item in MANIFEST:
        if item.get("story"):
            (pages / item["file"]).symlink_to(PAGES_FOLDER / item["file"])
    output = base / "out"
    assert main(["run", "--html-dir", str(pages), "--output", str(output), "--quiet"]) == 0
    today = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
    assert main(["export", "gdelt", "--output", str(output), "--since", today, "--to", str(base / "gdelt")]) == 0
    return base / "gdelt"


def files(folder: Path) -> tuple[Path, Path]:
    (events,) = folder.glob("*.export.CSV")
    (mentions,) = folder.glob("*.mentions.CSV")
    return events, mentions


def test_our_column_lists_are_gdelts():
    if not REFERENCE.is_dir():
        pytest.skip("GDELT's column reference is not beside this checkout")
    for name, ours in (("events", GDELT_EVENT_COLUMNS), ("mentions", GDELT_MENTION_COLUMNS)):
        with open(REFERENCE / f"gdelt2_{name}_schema.csv", newline="", encoding="utf-8") as reference:
            assert tuple(row["name"] for row in csv.DictReader(reference)) == ours


def test_every_line_has_gdelts_column_count(exported):
    events, mentions = files(exported)
    for path, width in ((events, 61), (mentions, 16)):
        lines = path.read_text(encoding="utf-8").splitlines()
        assert lines and all(len(line.split("\t")) == width for line in lines)


def test_pandas_reads_the_files_with_gdelts_header(exported):
    events_path, mentions_path = files(exported)
    events = pd.read_csv(events_path, sep="\t", header=None, names=GDELT_EVENT_COLUMNS, dtype={"EventCode": str,
                         "EventBaseCode": str, "EventRootCode": str}, quoting=csv.QUOTE_NONE)  # fmt: skip
    mentions = pd.read_csv(mentions_path, sep="\t", header=None, names=GDELT_MENTION_COLUMNS, quoting=csv.QUOTE_NONE)
    assert events["EventRootCode"].str.fullmatch(r"\d\d").all() and events["QuadClass"].between(1, 4).all()
    assert set(mentions["GLOBALEVENTID"]) == set(events["GLOBALEVENTID"])  # every event first seen today
    assert events["GLOBALEVENTID"].is_unique
    widest = events.sort_values(["NumSources", "GLOBALEVENTID"], ascending=False).iloc[0]
    assert (widest["NumSources"], widest["Actor1Code"], widest["EventBaseCode"]) == (len(KENYA), "KENCOP", "173")
    assert widest["ActionGeo_CountryCode"] == "KE" and widest["ActionGeo_Type"] == 4
    assert (mentions["GLOBALEVENTID"] == widest["GLOBALEVENTID"]).sum() == widest["NumMentions"]


def test_duckdb_reads_the_files_with_gdelts_header_and_types(exported):
    events_path, mentions_path = files(exported)
    connection = duckdb.connect()

    def read(path: Path, types: dict[str, str], order: tuple[str, ...]) -> str:
        columns = ", ".join(f"'{name}': '{types[name]}'" for name in order)
        return f"read_csv('{path}', delim = '\\t', header = false, quote = '', columns = {{{columns}}})"

    events = read(events_path, EVENT_TYPES, GDELT_EVENT_COLUMNS)
    mentions = read(mentions_path, MENTION_TYPES, GDELT_MENTION_COLUMNS)
    joined = connection.sql(
        f"""select e.NumMentions, count(*) as n from {events} e join {mentions} m using (GLOBALEVENTID)
            group by e.GLOBALEVENTID, e.NumMentions"""
    ).fetchall()
    assert joined and all(mentions_counted == n for mentions_counted, n in joined)
    (first, last), = connection.sql(f"select min(SQLDATE), max(SQLDATE) from {events}").fetchall()
    assert 20261101 <= first <= last <= 20261130  # the stories' November days, typed as integers


def test_columns_newsbeam_cannot_fill_are_empty_and_the_rest_are_filled(exported):
    events_path, mentions_path = files(exported)
    for path, columns, empty in (
        (events_path, GDELT_EVENT_COLUMNS, GDELT_EMPTY_EVENT_COLUMNS),
        (mentions_path, GDELT_MENTION_COLUMNS, GDELT_EMPTY_MENTION_COLUMNS),
    ):
        rows = [dict(zip(columns, line.split("\t"))) for line in path.read_text(encoding="utf-8").splitlines()]
        assert all(row[column] == "" for row in rows for column in empty)
        never_filled = {column for column in columns if all(row[column] == "" for row in rows)}
        assert never_filled == set(empty)


def test_a_second_export_to_the_same_files_is_refused_and_changes_nothing(exported, tmp_path, capsys):
    before = {path: path.read_bytes() for path in exported.iterdir()}
    output = tmp_path / "out"
    (output / "events").mkdir(parents=True)
    today = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
    code, _, err = run_cli(capsys, "export", "gdelt", "--output", str(output), "--since", today, "--to", str(exported))
    assert code == EXIT_USAGE and "never replaces" in err and len(err.strip().splitlines()) == 1
    assert {path: path.read_bytes() for path in exported.iterdir()} == before


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["--since", "2026-02-30"], "--since '2026-02-30' is not a date"),
        (["--since", "2026-11-30", "--until", "2026-11-01"], "--until 2026-11-01 is before --since 2026-11-30"),
        (["--since", "2999-01-01"], "--since 2999-01-01 is after today"),
        (["--since", "2026-11-01", "--until", "11/30/2026"], "--until '11/30/2026' is not a date"),
        # Python's fromisoformat reads these too; the option means YYYY-MM-DD.
        (["--since", "2024-W10"], "--since '2024-W10' is not a date"),
        (["--since", "20261101"], "--since '20261101' is not a date"),
        (["--since", "0001-01-01"], "--since 0001-01-01 is before the year 1000"),
    ],
)
def test_bad_dates_are_usage_errors_naming_only_the_options_given(tmp_path, capsys, arguments, message):
    (tmp_path / "out" / "events").mkdir(parents=True)
    code, _, err = run_cli(capsys, "export", "gdelt", "--output", str(tmp_path / "out"), "--to", str(tmp_path / "g"), *arguments)
    assert code == EXIT_USAGE and message in err and "Traceback" not in err and err.count("\n") == 1
    assert ("--until" in err) == ("--until" in arguments)
    assert not (tmp_path / "g").exists()


def export_to(capsys, tmp_path: Path, to: Path, *days: str) -> tuple[int, str, str]:
    """``newsbeam export gdelt`` of an output without rows into ``to``."""
    (tmp_path / "out" / "events").mkdir(parents=True, exist_ok=True)
    return run_cli(capsys, "export", "gdelt", "--output", str(tmp_path / "out"), "--to", str(to), *days)


@pytest.mark.parametrize("under", ["", "sub/folder"])
def test_a_to_that_is_a_file_is_one_usage_line(tmp_path, capsys, under):
    """It was `failed: FileExistsError` and exit 1."""
    (tmp_path / "notes.txt").write_text("mine")
    code, out, err = export_to(capsys, tmp_path, tmp_path / "notes.txt" / under, "--since", "2026-11-01")
    assert code == EXIT_USAGE and out == "" and err.count("\n") == 1
    assert err.startswith("newsbeam export gdelt: error: --to ") and "is a file, not a folder" in err
    assert "Error" not in err and (tmp_path / "notes.txt").read_text() == "mine"


def test_a_missing_folder_is_created_and_said_and_a_second_export_of_the_days_is_refused(tmp_path, capsys):
    folder = tmp_path / "exports" / "gdelt"
    code, out, err = export_to(capsys, tmp_path, folder, "--since", "2026-11-01", "--until", "2026-11-02")
    assert code == 0 and err == ""
    stem = folder / "newsbeam-20261101-20261102"
    assert out.splitlines() == [
        f"Created the folder {folder}",
        f"Wrote 0 events to {stem}.export.CSV",
        f"Wrote 0 mentions to {stem}.mentions.CSV",
        f"(--since and --until select the days events were first added to {tmp_path / 'out'}, not the days they"
        " happened: a run's events are added on the day it runs)",
    ]
    before = {path.name: path.read_bytes() for path in folder.iterdir()}
    (folder / f"{stem.name}.export.CSV").write_bytes(b"edited by hand\n")
    before[f"{stem.name}.export.CSV"] = b"edited by hand\n"

    code, out, err = export_to(capsys, tmp_path, folder, "--since", "2026-11-01", "--until", "2026-11-02")
    assert code == EXIT_USAGE and out == "" and err.count("\n") == 1
    assert f"{stem}.export.CSV exists" in err and "never replaces" in err
    assert {path.name: path.read_bytes() for path in folder.iterdir()} == before

    code, out, _ = export_to(capsys, tmp_path, folder, "--since", "2026-11-03", "--until", "2026-11-03")
    assert code == 0 and "Created" not in out  # other days: new names, beside the earlier export
    assert {path.name: path.read_bytes() for path in folder.iterdir()} == {
        **before, "newsbeam-20261103-20261103.export.CSV": b"", "newsbeam-20261103-20261103.mentions.CSV": b"",
    }


def test_a_file_that_appears_during_an_export_is_kept_and_nothing_of_the_export_is_left(tmp_path):
    """Both files are renamed into place only once both are written, so no half export remains."""
    events, mentions = (str(tmp_path / name) for name in ("a.export.CSV", "a.mentions.CSV"))

    def appear(paths):  # another export wrote the mentions file while this one was writing
        Path(mentions).write_text("theirs")
        return original(paths)

    original = export_gdelt_module._refuse_existing
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(export_gdelt_module, "_refuse_existing", appear)
        with pytest.raises(UsageError, match="a.mentions.CSV exists"):
            export_gdelt_module._write_new(str(tmp_path), [events, mentions], ([["1"]], [["2"]]))
    assert sorted(path.name for path in tmp_path.iterdir()) == ["a.mentions.CSV"]
    assert Path(mentions).read_text() == "theirs"


text = st.one_of(st.none(), st.text(max_size=40))


@given(name=text, url=st.text(min_size=1, max_size=60), tone=st.one_of(st.none(), st.floats(-100, 100)))
def test_any_text_stays_inside_its_field(name, url, tone):
    summary = {
        "event_key": "0123456789abcdef0123456789abcdef", "event_date": datetime.date(2026, 11, 27),
        "actor1_code": "KENCOP", "actor1_name": name, "actor1_country_code": "KEN", "actor1_type": "COP",
        "actor2_code": None, "actor2_name": name, "actor2_country_code": None, "actor2_type": None,
        "event_code": "173", "event_base_code": "173", "event_root_code": "17", "quad_class": 4, "goldstein": -5.0,
        "is_root_event": True, "action_geo_name": name, "action_geo_country_code": "KEN", "action_geo_adm1_code": None,
        "action_geo_lat": None, "action_geo_lon": None, "action_geo_feature_id": None, "action_geo_feature_type": None,
        "action_geo_fips_country_code": None, "first_seen": datetime.datetime(2026, 11, 27, 9, tzinfo=datetime.timezone.utc),
        "num_mentions": 1, "num_articles": 1, "num_sources": 1, "avg_tone": tone, "url": url,
    }  # fmt: skip
    for actor in ("actor1", "actor2"):
        for field in ("country_code", "adm1_code", "lat", "lon", "feature_id", "feature_type", "fips_country_code"):
            summary[f"{actor}_geo_{field}"] = None
        summary[f"{actor}_geo_name"] = name
    mention = {
        "event_key": summary["event_key"], "first_seen": summary["first_seen"], "added_at": summary["first_seen"],
        "url": url, "canonical_url": None, "source_domain": name, "sentence_index": 0, "confidence": 0.5,
        "text_length": 10, "tone": tone,
    }  # fmt: skip
    for row, width in ((gdelt_event_row(summary), 61), (gdelt_mention_row(mention), 16)):
        line = "\t".join(row)
        assert len(line.split("\t")) == width and "\n" not in line and "\r" not in line


@given(
    since=st.one_of(st.dates().map(str), st.text(max_size=12)),
    until=st.one_of(st.none(), st.dates().map(str), st.text(max_size=12)),
    today=st.dates(),
)
def test_export_days_are_ordered_or_refused_naming_only_the_options_given(since, until, today):
    try:
        first, last = export_gdelt_module.export_days(since, until, today)
    except UsageError as error:
        assert until is not None or "--until" not in str(error)
        assert str(error).startswith(("--since", "--until")) and "\n" not in str(error)
    else:
        assert first <= last and last == (today if until is None else datetime.date.fromisoformat(until))


def test_an_empty_export_says_the_days_are_the_days_events_were_added(exported, tmp_path, capsys):
    # The sample's stories happened in November 2026, but were added today: November is empty.
    output = exported.parent / "out"
    code, out, _ = run_cli(
        capsys, "export", "gdelt", "--output", str(output), "--since", "2026-11-01", "--until", "2026-11-30",
        "--to", str(tmp_path / "november"),
    )
    assert code == 0
    assert "Wrote 0 events" in out and "first added" in out and "not the days they happened" in out
