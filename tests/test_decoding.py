"""Decoding HTML bodies: a declared charset with a few invalid bytes still wins over a guess, one
that most of the body contradicts does not, and charset labels are read as browsers read them.

Every page is built here, in code, so that each byte of it is visible in the test."""

from __future__ import annotations

import codecs
import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.fetch.content import UndecodableBody, decode_html

PLACES = "São Paulo, Zürich, Ελλάδα"
FRENCH = "Les élèves français étudient à l'école près de la forêt. " * 20


def page(text: str, meta_charset: str | None = None) -> str:
    meta = f'<meta charset="{meta_charset}">' if meta_charset else ""
    return f"<html><head>{meta}<title>Ville</title></head><body><p>{text}</p></body></html>"


def with_stray_byte(stray: bytes, meta_charset: str | None = "utf-8") -> tuple[bytes, str]:
    """A UTF-8 page with ``stray`` between "São Paulo" and "Zürich", and the text it should read as."""
    before, after = page(PLACES, meta_charset).split(" Zürich")
    after = " Zürich" + after
    return before.encode() + stray + after.encode(), before + "\ufffd" + after


STRAY_BYTES = {
    "0xff": b"\xff",
    "lone continuation byte": b"\x80",
    "truncated three-byte sequence": "€".encode()[:2],
    "truncated four-byte sequence": "😀".encode()[:3],
}


@pytest.mark.parametrize("stray", STRAY_BYTES.values(), ids=STRAY_BYTES.keys())
def test_one_stray_byte_in_a_page_declared_utf8_by_meta_becomes_one_replacement_character(stray):
    body, expected = with_stray_byte(stray)
    assert decode_html(body, None) == expected


@pytest.mark.parametrize("stray", STRAY_BYTES.values(), ids=STRAY_BYTES.keys())
def test_one_stray_byte_in_a_page_declared_utf8_by_header_or_bom_becomes_one_replacement_character(stray):
    body, expected = with_stray_byte(stray, meta_charset=None)
    assert decode_html(body, "utf-8") == expected
    assert decode_html(codecs.BOM_UTF8 + body, None) == expected


def test_a_page_cut_inside_its_last_character_keeps_the_rest():
    body = page(PLACES).encode() + "Ελλάδα".encode()[:-1]
    assert decode_html(body, "utf-8") == page(PLACES) + "Ελλάδ\ufffd"


def test_a_few_stray_bytes_in_a_long_page_are_tolerated_in_proportion():
    # Eight stray bytes are more than one damaged character, but few beside 600 good Greek letters.
    paragraph = "Η Ελλάδα είναι χώρα της νοτιοανατολικής Ευρώπης. " * 15
    body = page(paragraph, "utf-8").encode().replace("Ευρώπης".encode(), "Ευρώπης".encode() + b"\x92", 8)
    decoded = decode_html(body, None)
    assert decoded.count("\ufffd") == 8
    assert decoded.replace("\ufffd", "") == page(paragraph, "utf-8")


def test_a_page_declared_windows_1252_is_read_as_windows_1252():
    text = "Müller sagte: “5 €” – Café"
    assert decode_html(page(text, "windows-1252").encode("cp1252"), None) == page(text, "windows-1252")
    assert decode_html(page(text).encode("cp1252"), "windows-1252") == page(text)
    # WHATWG reads ISO-8859-1 as Windows-1252, so 0x80 is the euro sign, not a C1 control.
    assert decode_html(page(text, "iso-8859-1").encode("cp1252"), None) == page(text, "iso-8859-1")


def test_a_page_declared_utf8_but_mostly_latin1_falls_back_to_detection():
    body = page(FRENCH, "utf-8").encode("latin-1")
    assert decode_html(body, None) == page(FRENCH, "utf-8")
    assert decode_html(page(FRENCH).encode("latin-1"), "utf-8") == page(FRENCH)


def test_a_header_failing_badly_gives_way_to_the_meta_declaration():
    body = page(FRENCH, "windows-1252").encode("cp1252")
    assert decode_html(body, "utf-8") == page(FRENCH, "windows-1252")


def test_the_header_charset_wins_over_the_meta_charset():
    assert decode_html(page(PLACES, "windows-1252").encode(), "utf-8") == page(PLACES, "windows-1252")
    text = "Zürich, Genève"
    assert decode_html(page(text, "utf-8").encode("cp1252"), "windows-1252") == page(text, "utf-8")


def test_a_byte_order_mark_wins_over_a_wrong_meta_and_header():
    html = page(PLACES, "windows-1252")
    assert decode_html(codecs.BOM_UTF8 + html.encode(), None) == html
    assert decode_html(codecs.BOM_UTF8 + html.encode(), "iso-8859-1") == html
    assert decode_html(html.encode("utf-16"), "windows-1252") == html


def test_a_page_without_declaration_is_detected():
    assert decode_html(page(FRENCH).encode("cp1252"), None) == page(FRENCH)
    assert decode_html(page(PLACES).encode(), None) == page(PLACES)


@pytest.mark.parametrize(
    ("label", "body", "text"),
    [
        ("utf8", "Zürich".encode(), "Zürich"),
        ('"UTF-8"', "Zürich".encode(), "Zürich"),
        ("unicode-1-1-utf-8", "Zürich".encode(), "Zürich"),
        ("x-user-defined", b"Caf\xe9 \x80", "Café €"),
        ("us-ascii", b"Caf\xe9 \x80", "Café €"),
        ("iso-8859-8-i", "שלום".encode("iso8859-8"), "שלום"),
        ("shift_jis", "～東京".encode("cp932"), "～東京"),
        ("gb2312", "中国".encode("gb18030"), "中国"),
    ],
)
def test_charset_labels_are_read_as_browsers_read_them(label, body, text):
    assert decode_html(body, label) == text
    assert decode_html(f'<meta charset="{label}">'.encode() + body, None) == f'<meta charset="{label}">{text}'


@pytest.mark.parametrize("label", ["garbage", "", "base64", "unicode_escape", "undefined", "utf\x00-8", "\udcff"])
def test_labels_of_no_web_encoding_are_ignored(label):
    assert decode_html(page(PLACES, "utf-8").encode(), label) == page(PLACES, "utf-8")


def test_utf7_is_never_used_so_it_cannot_hide_markup():
    body = page("+ADw-script+AD4-alert(1)+ADw-/script+AD4-", "utf-7").encode()
    assert "<script>" not in decode_html(body, "utf-7")


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(),
    position=st.integers(min_value=0),
    stray=st.integers(min_value=0, max_value=255),
    declaration=st.sampled_from(["header", "meta", "bom"]),
)
def test_one_inserted_byte_spoils_at_most_the_character_it_lands_in(text, position, stray, declaration):
    encoded = text.encode()
    position %= len(encoded) + 1
    head = {"header": b"", "meta": b'<meta charset="utf-8">', "bom": codecs.BOM_UTF8}[declaration]
    body = head + encoded[:position] + bytes([stray]) + encoded[position:]

    decoded = decode_html(body, "utf-8" if declaration == "header" else None)

    if declaration == "meta":
        decoded = decoded.removeprefix('<meta charset="utf-8">')
    # Everything around the character the byte landed in is intact; at most five U+FFFD appear.
    assert decoded.startswith(encoded[:position].decode("utf-8", "ignore"))
    assert decoded.endswith(encoded[position:].decode("utf-8", "ignore"))
    assert decoded.count("\ufffd") - text.count("\ufffd") <= 5


@settings(max_examples=300, deadline=None)
@given(body=st.binary(), label=st.one_of(st.none(), st.text()))
def test_decoding_never_raises_whatever_the_label(body, label):
    with contextlib.suppress(UndecodableBody):
        decode_html(body, label)
