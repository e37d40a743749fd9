"""An article's language: the page's declaration, unless its text is confidently in another language."""

from __future__ import annotations

import pytest
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from transforms.clean.extract import Cleaner
from transforms.clean.language import (
    MIN_OVERRIDE_PROBABILITY,
    LanguageDetector,
    load_relatives,
    normalise_language_tag,
)

# Written for these tests: news-like paragraphs, each long enough for the text to overrule a page.
ZULU = (
    "Abafundi besikole samabanga aphezulu eThekwini bazuze imiklomelo emqhudelwaneni wesayensi obubanjwe "
    "eGoli ngesonto eledlule. Uthishomkhulu uthe uziqhenya kakhulu ngabo ngoba basebenze kanzima unyaka wonke. "
    "Abazali nabo bajabule kakhulu, futhi umphakathi uhlela umcimbi wokubahalalisela ngoMgqibelo ezayo ehholo "
    "lomphakathi.",
    "Umqhudelwano ubuhlanganise izikole ezingaphezu kwamashumi amathathu ezivela ezifundazweni ezahlukene "
    "zezwe. Omunye wabafundi uthe ufuna ukuba ngudokotela uma eseqedile izifundo zakhe enyuvesi.",
)
SWAHILI = (
    "Serikali ya kaunti imetangaza kwamba barabara mpya kati ya mji na kijiji cha pwani itakamilika kabla ya "
    "mwisho wa mwaka huu. Wakazi wengi wamefurahi kwa sababu safari ya kwenda sokoni itachukua muda mfupi zaidi.",
    "Hata hivyo, wafanyabiashara wadogo wameomba msaada wa kifedha ili waweze kuendelea na kazi zao wakati wa ujenzi.",
)
GERMAN = (
    "Der Gemeinderat hat am Dienstagabend beschlossen, die alte Brücke über den Fluss im kommenden Frühjahr "
    "abzureißen und durch einen Neubau zu ersetzen. Die Bauarbeiten sollen rund achtzehn Monate dauern.",
    "Während dieser Zeit wird eine Umleitung über die Landstraße eingerichtet, wie der Bürgermeister bei einer "
    "Versammlung im Rathaus erklärte.",
)
NORWEGIAN = (
    "Kommunestyret vedtok tirsdag kveld å bygge en ny barneskole i sentrum av byen. Arbeidet skal etter planen "
    "starte til høsten, og elevene kan flytte inn om to år.",
    "Ordføreren sier at det lenge har vært et stort behov for flere klasserom, og at foreldrene har ventet på "
    "denne avgjørelsen i mange år.",
)
ARABIC = (
    "أعلنت الحكومة يوم الثلاثاء أن الطريق الجديد بين المدينة والقرية سيفتح قبل نهاية العام الحالي. وقال وزير "
    "النقل في مؤتمر صحفي إن العمل يسير بسرعة، وإن السكان سيتمكنون من الوصول إلى السوق في وقت أقصر.",
    "وطالب التجار الصغار بمساعدة مالية خلال فترة البناء.",
)
# One sentence: too little for the text to overrule the page, however sure the model is.
SHORT_SWAHILI = ("Mvua kubwa imenyesha jana usiku katika mji wa Mombasa na kusababisha mafuriko madogo.",)


def _page(paragraphs: tuple[str, ...], html_attributes: str = "", head: str = "") -> str:
    body = "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
    return (
        f"<html {html_attributes}><head><title>Story</title>{head}</head>"
        f"<body><article><h1>Story</h1>{body}</article></body></html>"
    )


@pytest.fixture(scope="module")
def cleaner() -> Cleaner:
    return Cleaner()


@pytest.mark.parametrize(("paragraphs", "expected"), [(ZULU, "zu"), (SWAHILI, "sw"), (GERMAN, "de")])
def test_text_confidently_in_another_language_overrules_a_declared_en(cleaner, paragraphs, expected):
    page = cleaner.clean(_page(paragraphs, 'lang="en-GB"', '<meta property="og:locale" content="en_US">'))
    assert page.language == expected


def test_german_text_on_a_page_declaring_de_is_de(cleaner):
    assert cleaner.clean(_page(GERMAN, 'lang="de-DE"')).language == "de"


def test_short_text_keeps_the_declared_language(cleaner):
    page = cleaner.clean(_page(SHORT_SWAHILI, 'lang="en"'))
    assert page.text == SHORT_SWAHILI[0]
    assert page.language == "en"


@pytest.mark.parametrize(("paragraphs", "expected"), [(SWAHILI, "sw"), (GERMAN, "de"), (SHORT_SWAHILI, "sw")])
def test_without_a_declaration_the_language_is_detected(cleaner, paragraphs, expected):
    assert cleaner.clean(_page(paragraphs)).language == expected


def test_a_declared_value_that_is_no_language_is_ignored(cleaner):
    assert cleaner.clean(_page(GERMAN, 'lang="x-default"')).language == "de"


@pytest.mark.parametrize(("declared", "expected"), [("da", "da"), ("nb-NO", "no"), ("nn", "nn")])
def test_a_declared_close_relative_of_the_detected_language_stands(cleaner, declared, expected):
    # py3langid reads this Bokmål as "no"; Danish and Nynorsk are what it confuses it with
    assert cleaner.clean(_page(NORWEGIAN, f'lang="{declared}"')).language == expected


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("nb-NO", "no"),
        ("iw", "he"),
        ("eng", "en"),
        ("ger", "de"),
        ("arz", "ar"),
        ("x-default", None),
        ("und", None),
        ("mul", None),
        ("zxx", None),
        ("xx", None),
    ],
)
def test_declared_tags_map_to_the_codes_the_detector_reports(tag, expected):
    assert normalise_language_tag(tag) == expected


def test_relatives_are_symmetric_and_named_by_the_codes_reported():
    relatives = load_relatives()
    assert {"hr", "sr", "bs"} <= relatives["bs"] | {"bs"}
    assert "id" in relatives["ms"] and "ms" in relatives["id"]
    for language, others in relatives.items():
        assert normalise_language_tag(language) == language
        assert all(language in relatives[other] for other in others)


def test_the_varieties_of_a_language_pool_their_probability():
    text = " ".join(ARABIC)
    ranked = dict(LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True).rank(text))
    # alone, "ar" is below the bar: the model gives part of this text to Moroccan and Egyptian Arabic
    assert ranked["ar"] < MIN_OVERRIDE_PROBABILITY < ranked["ar"] + ranked["ary"] + ranked["arz"]
    assert LanguageDetector().article_language("en", text) == "ar"


INDONESIAN = (
    "Pemerintah kota mengumumkan langkah baru pada hari Selasa untuk menekan harga bahan pokok yang terus naik.",
    "Para pejabat mengatakan bahwa harga beras dan minyak goreng akan dipantau setiap minggu di semua pasar.",
    "Anggaran tambahan akan disiapkan untuk membantu keluarga berpenghasilan rendah mulai bulan depan.",
)


def test_certainty_split_between_close_relatives_still_overrules_an_unrelated_declaration(cleaner):
    """py3langid divides Indonesian text between id and ms; together they rule out the declared en."""
    assert cleaner.clean(_page(INDONESIAN, 'lang="en"')).language in ("id", "ms")
    assert cleaner.clean(_page(INDONESIAN, 'lang="ms"')).language == "ms"  # a relative's declaration stands
