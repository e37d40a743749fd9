"""The CAMEO table: codes, bases, roots, QuadClass, Goldstein and PLOVER."""

from __future__ import annotations

from pathlib import Path

import pytest

from transforms.coding import cameo

SHARED_CAMEO = Path(__file__).resolve().parents[1].parent / "shared" / "reference" / "cameo"


def test_lookup_derives_base_root_and_quad_class():
    code = cameo.lookup("0231")
    assert (code.base, code.root, code.quad_class) == ("023", "02", 1)
    assert code.plover_type == "REQUEST"
    assert cameo.lookup("042").goldstein == 1.9


@pytest.mark.parametrize(
    "code, quad_class",
    [("01", 1), ("057", 1), ("06", 2), ("0874", 2), ("094", 2), ("10", 3), ("145", 3), ("15", 4), ("204", 4)],
)
def test_quad_class_follows_gdelt_root_ranges(code, quad_class):
    assert cameo.quad_class_of(code) == quad_class


def test_every_root_and_base_is_in_the_table():
    table = cameo.cameo_table()
    for code in table:
        assert cameo.base_of(code) in table
        assert cameo.root_of(code) in table
    assert {f"{root:02d}" for root in range(1, 21)} <= set(table)


def test_goldstein_values_are_in_range_and_signs_follow_quad_class():
    for code in cameo.cameo_table().values():
        assert -10.0 <= code.goldstein <= 10.0
        if code.quad_class == 4:
            assert code.goldstein < 0


def test_plover_types_are_from_the_plover_vocabulary():
    vocabulary = {
        "AGREE", "CONSULT", "SUPPORT", "COOPERATE", "AID", "CONCEDE", "RETREAT", "ACCUSE", "REQUEST",
        "REJECT", "THREATEN", "PROTEST", "MOBILIZE", "SANCTION", "COERCE", "ASSAULT",
    }
    types = {code.plover_type for code in cameo.cameo_table().values()}
    assert types - {None} <= vocabulary
    assert cameo.lookup("010").plover_type is None
    assert cameo.lookup("190").plover_type == "ASSAULT"


def test_unknown_code_raises():
    with pytest.raises(KeyError):
        cameo.lookup("999")
    with pytest.raises(KeyError):
        cameo.quad_class_of("21")


@pytest.mark.skipif(not SHARED_CAMEO.exists(), reason="shared reference tables not present")
def test_table_matches_the_public_codebook():
    """Our table covers the GDELT code list with the same Goldstein values."""
    reference = {}
    for line in (SHARED_CAMEO / "CAMEO.goldsteinscale.txt").read_text(encoding="utf-8").splitlines()[1:]:
        code, value = line.split()
        reference[code] = float(value)
    ours = cameo.cameo_table()
    assert set(reference) == set(ours)
    assert all(ours[code].goldstein == value for code, value in reference.items())
