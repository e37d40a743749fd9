"""The boilerplate rules on their own: phrase lines, link sections, headlines, teaser links."""

from __future__ import annotations

import pytest
from lxml import etree
from trafilatura.xml import xmltotxt

from transforms.clean.boilerplate import (
    headline_forms,
    load_rules,
    prune_link_blocks,
    remove_boilerplate_lines,
    repeats_headline,
)

PROSE = "The committee met for three hours on Thursday and agreed to publish its findings next month."


@pytest.fixture(scope="module")
def rules():
    return load_rules()


@pytest.mark.parametrize(
    "furniture",
    [
        "Sign up for our daily newsletter to get the top stories in your inbox.",
        "Read more: Ten things to know about the new budget",
        "READ MORE: Minister resigns after vote",
        "Follow us on Twitter and Facebook for live updates.",
        "Share this article",
        "© 2024 The Daily Example. All rights reserved.",
        "Copyright 2023 Example Media Group",
        "Tags: politics, budget, parliament",
        "5 min read",
        "Updated: March 4, 2024",
        "Reporting by Jane Doe; Editing by John Roe",
        "Additional reporting by Sam Poe in Paris.",
        "Advertisement",
        "We use cookies to improve your experience. Accept all cookies",
        "Lesen Sie auch: Der Bahnhof wird umgebaut",
        "À lire aussi : la réforme des retraites",
        "Leia também: eleições municipais",
        "3 comments",
        "Click here to download the app",
        # photo credits, alone or after a caption
        "Photo: AFP",
        "Foto: dpa",
        "Bild: Keystone/Peter Klaunzer",
        "Фото: Дмитрий Азаров, Коммерсантъ",
        "Image: Rebecca Edwards",
        "The minister arrives for the summit in Brussels. Photo: Reuters",
        "Workers clear the road after the landslide (Picture credit: Getty)",
        "(Quelle: APA/dpa)",
        # tip lines
        "Got a story? Email us at tips@ledger.example",
        "Do you have a story to tell? Email: newsdesk@ledger.example",
        "Are protests breaking out in your area? Get in touch at webnews@ledger.example",
        "Haben Sie Hinweise zu dem Fall? Schreiben Sie uns.",
        # placeholders of embedded content that waits for consent
        "Link zum YouTube-Inhalt",
        "Embed",
        "Externer Inhalt",
        "To view this content, please allow cookies in your privacy settings.",
        "Um diesen Inhalt zu sehen, müssen Sie der Verwendung von Cookies zustimmen.",
        "Wir benötigen Ihre Zustimmung, um den Inhalt von YouTube zu laden.",
        # prompts to report errors, follow a channel, try a subscription
        "Fehler gefunden? Jetzt melden.",
        "Spotted a mistake in this article? Tell us.",
        "Folgen Sie der Ledger auf WhatsApp",
        "Join our WhatsApp channel for breaking news",
        "4 Wochen kostenlos testen",
        # pointers to other articles
        "Les også: Ferja får ny rutetabell i vinter",
        "Czytaj więcej",
        # what is left of a sign-up form
        "Enter your email:",
        "Email address*",
        "First Name (optional):",
        "By entering your email address you agree to our terms.",
        "Awesome, you're subscribed!",
        "If you are a human, ignore this field",
    ],
)
def test_furniture_lines_are_dropped(rules, furniture):
    text = f"{PROSE}\n{furniture}\n{PROSE}"
    assert remove_boilerplate_lines(text, rules) == f"{PROSE}\n{PROSE}"


@pytest.mark.parametrize(
    "prose",
    [
        # the phrases in a longer sentence of the article are the article's
        "The newsletter, which started in 2019, now reaches more than forty thousand readers every week and has "
        "become the main source of local election news for many residents of the valley towns.",
        "Readers who follow the case closely say the ruling could change how the city handles rent disputes.",
        "Copyright law was at the centre of the hearing, with both sides citing the 1976 act.",
        "She said the related costs had doubled.",
        "The photo: a child on the quay, waving at the last ferry of the season.",
        "Do you have a story about the flood that you would like to share with the council's inquiry next week?",
        "Readers who want to embed the map on their own site can find the code on the council's page.",
        "Enter your email address in the council's form to get a text when the barrier closes.",
    ],
)
def test_prose_mentioning_the_phrases_is_kept(rules, prose):
    assert remove_boilerplate_lines(f"{PROSE}\n{prose}", rules) == f"{PROSE}\n{prose}"


def test_a_related_heading_takes_its_headlines_with_it(rules):
    text = "\n".join(
        [
            PROSE,
            "Related stories",
            "- Ferry changes its winter timetable",
            "Quay wall repairs delayed by storm damage",
            "The works will start in spring, the council said on Friday.",
        ]
    )
    assert remove_boilerplate_lines(text, rules) == "\n".join(
        [PROSE, "The works will start in spring, the council said on Friday."]
    )


def test_a_related_line_with_a_headline_opens_a_link_section(rules):
    text = f"{PROSE}\nRelated: Five ways the storm changed the coast\n- Photos: the harbour under water\n{PROSE}"
    assert remove_boilerplate_lines(text, rules) == f"{PROSE}\n{PROSE}"


@pytest.mark.parametrize("heading", ["Ähnliche Artikel", "Noticias relacionadas", "Mehr Themen auf ledger.example:"])
def test_related_headings_in_several_languages_take_their_links_with_them(rules, heading):
    text = f"{PROSE}\n{heading}\n- Ferry changes its winter timetable\n- Quay wall repairs delayed\n{PROSE}"
    assert remove_boilerplate_lines(text, rules) == f"{PROSE}\n{PROSE}"


def test_headlines_repeated_in_the_body_are_dropped(rules):
    text = f"Harbour council approves flood barrier\n{PROSE}"
    assert remove_boilerplate_lines(text, rules, ["Harbour council approves flood barrier | The Ledger"]) == PROSE


def test_repeats_headline_needs_the_whole_headline_or_a_site_suffix():
    headlines = headline_forms(["Harbour council approves flood barrier - The Ledger"])
    assert repeats_headline("Harbour council approves flood barrier", headlines)
    assert repeats_headline("harbour council approves flood barrier - the ledger", headlines)
    assert not repeats_headline("Harbour council", headlines)
    assert not repeats_headline("Harbour council approves flood barrier plans for the east quay", headlines)


def test_machine_timestamps_left_in_the_text_are_dropped(rules):
    assert remove_boilerplate_lines(f"2019-11-19T08:57:40+01:00\n{PROSE}", rules) == PROSE


def _body(xml: str) -> etree._Element:
    return etree.fromstring(f"<body>{xml}</body>")


def test_trailing_teaser_links_are_pruned_but_links_in_prose_are_kept():
    body = _body(
        f"<p>{PROSE}</p>"
        '<list><item><ref target="/a">Sources: the 2023 census report</ref></item></list>'
        f"<p>{PROSE}</p>"
        '<list><item><ref target="/b">Ferry changes its winter timetable</ref></item>'
        '<item><ref target="/c">Quay wall repairs delayed</ref> Storm damage slows the work</item></list>'
    )
    prune_link_blocks(body)
    text = xmltotxt(body, False)
    assert "Sources: the 2023 census report" in text
    assert "Ferry" not in text and "Quay wall" not in text
    assert body.find("list[2]") is None  # the emptied list went with its items


def test_shouted_link_headlines_are_pruned_anywhere():
    body = _body(f'<p>{PROSE}</p><p><ref target="/x">MINISTER SPEAKS OUT ON THE BUDGET ROW</ref></p><p>{PROSE}</p>')
    prune_link_blocks(body)
    assert "MINISTER" not in xmltotxt(body, False)
    assert xmltotxt(body, False).count(PROSE) == 2
