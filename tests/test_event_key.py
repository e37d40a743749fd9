"""``event_key``: the same identifying fields give the same key, any other field value another."""

from __future__ import annotations

import datetime
import json

from hypothesis import given
from hypothesis import strategies as st

from transforms.coding.event_key import event_key
from transforms.coding.geo import Gazetteer

codes = st.one_of(st.none(), st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ-", min_size=3, max_size=9))
fields = st.tuples(
    st.text(min_size=1, max_size=8),  # event_id
    st.dates(min_value=datetime.date(1979, 1, 1), max_value=datetime.date(2100, 12, 31)),
    codes,
    codes,
    st.sampled_from(["010", "057", "161", "173", "190", "195"]),
    st.one_of(st.none(), st.sampled_from(["KEN", "VNM", "PER", "USA"])),
    st.one_of(st.none(), st.sampled_from(["KE37", "VM44", "PELMA", "USCA"])),
)


def identifies(values: tuple) -> bool:
    _, _, actor1, actor2, _, country, _ = values
    return sum(bool(value) for value in (actor1, actor2, country)) >= 2


@given(fields, st.text(min_size=1, max_size=8))
def test_the_key_does_not_depend_on_which_mention_reports_an_identifiable_event(values, other_id):
    key = event_key(*values)
    assert len(key) == 32 and int(key, 16) >= 0
    if identifies(values):
        assert event_key(other_id, *values[1:]) == key


@given(fields, fields)
def test_events_that_differ_in_an_identifying_field_get_different_keys(first, second):
    if first[1:] != second[1:] and identifies(first) and identifies(second):
        assert event_key(*first) != event_key(*second)


@given(fields, st.text(min_size=1, max_size=8))
def test_a_mention_too_vague_to_identify_an_event_is_an_event_of_its_own(values, other_id):
    if not identifies(values) and other_id != values[0]:
        assert event_key(other_id, *values[1:]) != event_key(*values)


def test_a_missing_actor_is_not_the_same_as_an_empty_place():
    day = datetime.date(2026, 11, 27)
    assert event_key("a", day, "KENCOP", None, "173", "KEN", None) != event_key("a", day, "KENCOP", "KEN", "173", None, None)


def test_places_name_their_geonames_feature_and_fips_codes():
    from transforms.coding.actors import ActorDictionary
    from transforms.coding.text import normalise, tokenize

    gazetteer = Gazetteer(ActorDictionary().country_keys())

    def place(sentence: str):
        return gazetteer.locate(tokenize(normalise(sentence)))

    mombasa, california, mali = place("It happened in Mombasa."), place("It happened in California."), place("It happened in Mali.")
    assert (mombasa.feature_type, mombasa.fips_country, mombasa.adm1_code[:2]) == ("city", "KE", "KE")
    assert (california.feature_type, california.adm1_code, california.fips_country, california.feature_id) == (
        "ADM1", "USCA", "US", 5332921
    )
    assert (mali.feature_type, mali.adm1_code, mali.fips_country, mali.feature_id) == ("country", None, "ML", 2453866)


def test_newsbeam_code_gives_two_wordings_of_one_event_one_key_and_each_text_its_tone(tmp_path, capsys):
    from tests.test_cli import run_cli

    lines = [
        {"id": "a", "date": "2026-11-29", "text": "Peru expelled Bolivia's ambassador in Lima on Sunday, accusing La Paz of meddling."},
        {"id": "b", "date": "2026-11-30", "text": "Peru expelled the Bolivian ambassador in Lima on Sunday, the foreign ministry said."},
    ]
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(line) + "\n" for line in lines))
    code, out, _ = run_cli(capsys, "code", "--input", str(source), "--output", "-")
    events = [json.loads(line) for line in out.splitlines()]
    keys = {row["id"]: {event["event_key"] for event in events if event["id"] == row["id"] and event["event_code"] == "161"}
            for row in lines}  # fmt: skip
    assert code == 0 and keys["a"] and keys["a"] == keys["b"]
    assert all(isinstance(event["tone"], float) for event in events)
    assert len({event["tone"] for event in events if event["id"] == "a"}) == 1
