"""Places in text: every country (CLDR names) and a gazetteer of countries, states and cities with their parents."""

from __future__ import annotations

import re

from verify.facts.cldr import country_names
from verify.facts.numbers_text import WS, trie_regex
from verify.facts.values import Place

# ----------------------------------------------------------------------------------------------
# places: a small gazetteer. Each line: canonical | level | parent | surface forms (";"), with
# German adjective stems marked "~stem" (inflected -e/-en/-er/-es/-em, either case) and
# English adjectives marked "+Adj".

_GAZETTEER = """
united states|country||United States;United States of America;USA;U.S.A.;US;U.S.;Vereinigte Staaten;Vereinigten Staaten;Vereinigten Staaten von Amerika;+American;~amerikanisch;~US-amerikanisch
united kingdom|country||United Kingdom;UK;U.K.;Great Britain;Britain;Großbritannien;Grossbritannien;Vereinigtes Königreich;Vereinigte Königreich;Vereinigten Königreich;Vereinigten Königreichs;+British;~britisch
france|country||France;Frankreich;+French;~französisch
germany|country||Germany;Deutschland;Bundesrepublik;+German;~deutsch
china|country||China;Volksrepublik China;People's Republic of China;+Chinese;~chinesisch
japan|country||Japan;+Japanese;~japanisch
india|country||India;Indien;+Indian;~indisch
canada|country||Canada;Kanada;+Canadian;~kanadisch
mexico|country||Mexico;Mexiko;+Mexican;~mexikanisch
brazil|country||Brazil;Brasilien;+Brazilian;~brasilianisch
italy|country||Italy;Italien;+Italian;~italienisch
spain|country||Spain;Spanien;+Spanish;~spanisch
netherlands|country||Netherlands;Niederlande;Niederlanden;Holland;+Dutch;~niederländisch
belgium|country||Belgium;Belgien;+Belgian;~belgisch
switzerland|country||Switzerland;Schweiz;+Swiss;~schweizerisch
austria|country||Austria;Österreich;+Austrian;~österreichisch
sweden|country||Sweden;Schweden;+Swedish;~schwedisch
norway|country||Norway;Norwegen;+Norwegian;~norwegisch
denmark|country||Denmark;Dänemark;+Danish;~dänisch
finland|country||Finland;Finnland;+Finnish;~finnisch
poland|country||Poland;Polen;+Polish;~polnisch
ireland|country||Ireland;Irland;Republic of Ireland;+Irish;~irisch
portugal|country||Portugal;+Portuguese;~portugiesisch
greece|country||Greece;Griechenland;+Greek;~griechisch
czech republic|country||Czech Republic;Czechia;Tschechien;+Czech;~tschechisch
hungary|country||Hungary;Ungarn;+Hungarian;~ungarisch
romania|country||Romania;Rumänien;+Romanian;~rumänisch
ukraine|country||Ukraine;+Ukrainian;~ukrainisch
russia|country||Russia;Russland;Russische Föderation;+Russian;~russisch
turkey|country||Turkey;Türkei;Türkiye;+Turkish;~türkisch
israel|country||Israel;+Israeli;~israelisch
saudi arabia|country||Saudi Arabia;Saudi-Arabien;+Saudi;~saudi-arabisch;~saudisch
united arab emirates|country||United Arab Emirates;UAE;Vereinigte Arabische Emirate;Vereinigten Arabischen Emiraten;VAE;+Emirati;~emiratisch
qatar|country||Qatar;Katar;+Qatari;~katarisch
south korea|country||South Korea;Südkorea;Republic of Korea;+South Korean;~südkoreanisch
north korea|country||North Korea;Nordkorea;+North Korean;~nordkoreanisch
taiwan|country||Taiwan;+Taiwanese;~taiwanisch
singapore|country||Singapore;Singapur;+Singaporean;~singapurisch
australia|country||Australia;Australien;+Australian;~australisch
new zealand|country||New Zealand;Neuseeland;~neuseeländisch
south africa|country||South Africa;Südafrika;+South African;~südafrikanisch
egypt|country||Egypt;Ägypten;+Egyptian;~ägyptisch
nigeria|country||Nigeria;+Nigerian;~nigerianisch
kenya|country||Kenya;Kenia;+Kenyan;~kenianisch
argentina|country||Argentina;Argentinien;+Argentinian;+Argentine;~argentinisch
chile|country||Chile;+Chilean;~chilenisch
colombia|country||Colombia;Kolumbien;+Colombian;~kolumbianisch
indonesia|country||Indonesia;Indonesien;+Indonesian;~indonesisch
vietnam|country||Vietnam;Viet Nam;+Vietnamese;~vietnamesisch
thailand|country||Thailand;+Thai;~thailändisch
malaysia|country||Malaysia;+Malaysian;~malaysisch
philippines|country||Philippines;Philippinen;+Filipino;~philippinisch
pakistan|country||Pakistan;+Pakistani;~pakistanisch
iran|country||Iran;+Iranian;~iranisch
iraq|country||Iraq;Irak;+Iraqi;~irakisch
luxembourg|country||Luxembourg;Luxemburg;~luxemburgisch
estonia|country||Estonia;Estland;+Estonian;~estnisch
england|state|united kingdom|England
scotland|state|united kingdom|Scotland;Schottland;+Scottish;~schottisch
wales|state|united kingdom|Wales;+Welsh;~walisisch
northern ireland|state|united kingdom|Northern Ireland;Nordirland
alabama|state|united states|Alabama
alaska|state|united states|Alaska
arizona|state|united states|Arizona
arkansas|state|united states|Arkansas
california|state|united states|California;Kalifornien
colorado|state|united states|Colorado
connecticut|state|united states|Connecticut
delaware|state|united states|Delaware
florida|state|united states|Florida
georgia|state|united states|US-Bundesstaat Georgia;Georgia (U.S. state)
hawaii|state|united states|Hawaii
idaho|state|united states|Idaho
illinois|state|united states|Illinois
indiana|state|united states|Indiana
iowa|state|united states|Iowa
kansas|state|united states|Kansas
kentucky|state|united states|Kentucky
louisiana|state|united states|Louisiana
maine|state|united states|Maine
maryland|state|united states|Maryland
massachusetts|state|united states|Massachusetts
michigan|state|united states|Michigan
minnesota|state|united states|Minnesota
mississippi|state|united states|Mississippi
missouri|state|united states|Missouri
montana|state|united states|Montana
nebraska|state|united states|Nebraska
nevada|state|united states|Nevada
new hampshire|state|united states|New Hampshire
new jersey|state|united states|New Jersey
new mexico|state|united states|New Mexico;Neumexiko;Neu-Mexiko
new york|state|united states|New York;New York State;Bundesstaat New York
north carolina|state|united states|North Carolina;Nord-Carolina;Nordcarolina;North-Carolina
north dakota|state|united states|North Dakota;Norddakota;Nord-Dakota
ohio|state|united states|Ohio
oklahoma|state|united states|Oklahoma
oregon|state|united states|Oregon
pennsylvania|state|united states|Pennsylvania;Pennsylvanien
rhode island|state|united states|Rhode Island
south carolina|state|united states|South Carolina;Süd-Carolina;Südcarolina;South-Carolina
south dakota|state|united states|South Dakota;Süddakota;Süd-Dakota
tennessee|state|united states|Tennessee
texas|state|united states|Texas
utah|state|united states|Utah
vermont|state|united states|Vermont
virginia|state|united states|Virginia;Virginien
washington|state|united states|Washington State;Bundesstaat Washington;State of Washington
west virginia|state|united states|West Virginia;West-Virginia
wisconsin|state|united states|Wisconsin
wyoming|state|united states|Wyoming
bavaria|state|germany|Bayern;Bavaria;~bayerisch;+Bavarian
baden-württemberg|state|germany|Baden-Württemberg
hesse|state|germany|Hessen;Hesse
north rhine-westphalia|state|germany|Nordrhein-Westfalen;North Rhine-Westphalia;NRW
lower saxony|state|germany|Niedersachsen;Lower Saxony
saxony|state|germany|Sachsen;Saxony
saxony-anhalt|state|germany|Sachsen-Anhalt;Saxony-Anhalt
thuringia|state|germany|Thüringen;Thuringia
brandenburg|state|germany|Brandenburg
mecklenburg-vorpommern|state|germany|Mecklenburg-Vorpommern;Mecklenburg-Western Pomerania
schleswig-holstein|state|germany|Schleswig-Holstein
rhineland-palatinate|state|germany|Rheinland-Pfalz;Rhineland-Palatinate
saarland|state|germany|Saarland
ontario|state|canada|Ontario
quebec|state|canada|Quebec;Québec
british columbia|state|canada|British Columbia;Britisch-Kolumbien
alberta|state|canada|Alberta
new york city|city|new york|New York City;NYC;Manhattan;Brooklyn
los angeles|city|california|Los Angeles
san francisco|city|california|San Francisco
san jose|city|california|San Jose
san diego|city|california|San Diego
sacramento|city|california|Sacramento
palo alto|city|california|Palo Alto
mountain view|city|california|Mountain View
menlo park|city|california|Menlo Park
cupertino|city|california|Cupertino
santa clara|city|california|Santa Clara
seattle|city|washington|Seattle
redmond|city|washington|Redmond
chicago|city|illinois|Chicago
houston|city|texas|Houston
dallas|city|texas|Dallas
austin|city|texas|Austin
san antonio|city|texas|San Antonio
abilene|city|texas|Abilene
boston|city|massachusetts|Boston
atlanta|city|georgia|Atlanta
miami|city|florida|Miami
orlando|city|florida|Orlando
phoenix|city|arizona|Phoenix
denver|city|colorado|Denver
las vegas|city|nevada|Las Vegas
detroit|city|michigan|Detroit
pittsburgh|city|pennsylvania|Pittsburgh
philadelphia|city|pennsylvania|Philadelphia
columbus|city|ohio|Columbus
cleveland|city|ohio|Cleveland
nashville|city|tennessee|Nashville
memphis|city|tennessee|Memphis
salt lake city|city|utah|Salt Lake City
indianapolis|city|indiana|Indianapolis
minneapolis|city|minnesota|Minneapolis
baltimore|city|maryland|Baltimore
new orleans|city|louisiana|New Orleans
st. louis|city|missouri|St. Louis
omaha|city|nebraska|Omaha
des moines|city|iowa|Des Moines
raleigh|city|north carolina|Raleigh
washington, d.c.|city|united states|Washington, D.C.;Washington D.C.;Washington DC
london|city|england|London
oxford|city|england|Oxford
manchester|city|england|Manchester
liverpool|city|england|Liverpool
leeds|city|england|Leeds
bristol|city|england|Bristol
edinburgh|city|scotland|Edinburgh
glasgow|city|scotland|Glasgow
belfast|city|northern ireland|Belfast
cardiff|city|wales|Cardiff
paris|city|france|Paris
lyon|city|france|Lyon
marseille|city|france|Marseille
toulouse|city|france|Toulouse
bordeaux|city|france|Bordeaux
strasbourg|city|france|Straßburg;Strasbourg
lille|city|france|Lille
grenoble|city|france|Grenoble
berlin|city|germany|Berlin
hamburg|city|germany|Hamburg
bremen|city|germany|Bremen
munich|city|bavaria|München;Munich
nuremberg|city|bavaria|Nürnberg;Nuremberg
cologne|city|north rhine-westphalia|Köln;Cologne
düsseldorf|city|north rhine-westphalia|Düsseldorf;Dusseldorf
dortmund|city|north rhine-westphalia|Dortmund
bonn|city|north rhine-westphalia|Bonn
frankfurt|city|hesse|Frankfurt;Frankfurt am Main
stuttgart|city|baden-württemberg|Stuttgart
karlsruhe|city|baden-württemberg|Karlsruhe
heidelberg|city|baden-württemberg|Heidelberg
mannheim|city|baden-württemberg|Mannheim
leipzig|city|saxony|Leipzig
dresden|city|saxony|Dresden
hanover|city|lower saxony|Hannover;Hanover
vienna|city|austria|Wien;Vienna
zurich|city|switzerland|Zürich;Zurich
geneva|city|switzerland|Genf;Geneva
basel|city|switzerland|Basel
bern|city|switzerland|Bern
brussels|city|belgium|Brüssel;Brussels
amsterdam|city|netherlands|Amsterdam
rotterdam|city|netherlands|Rotterdam
the hague|city|netherlands|Den Haag;The Hague
rome|city|italy|Rom;Rome
milan|city|italy|Mailand;Milan
madrid|city|spain|Madrid
barcelona|city|spain|Barcelona
lisbon|city|portugal|Lissabon;Lisbon
stockholm|city|sweden|Stockholm
oslo|city|norway|Oslo
copenhagen|city|denmark|Kopenhagen;Copenhagen
helsinki|city|finland|Helsinki
dublin|city|ireland|Dublin
warsaw|city|poland|Warschau;Warsaw
prague|city|czech republic|Prag;Prague
budapest|city|hungary|Budapest
athens|city|greece|Athen;Athens
istanbul|city|turkey|Istanbul
ankara|city|turkey|Ankara
moscow|city|russia|Moskau;Moscow
kyiv|city|ukraine|Kiew;Kyjiw;Kyiv;Kiev
tel aviv|city|israel|Tel Aviv
dubai|city|united arab emirates|Dubai
abu dhabi|city|united arab emirates|Abu Dhabi
riyadh|city|saudi arabia|Riad;Riyadh
doha|city|qatar|Doha
cairo|city|egypt|Kairo;Cairo
lagos|city|nigeria|Lagos
nairobi|city|kenya|Nairobi
johannesburg|city|south africa|Johannesburg
cape town|city|south africa|Kapstadt;Cape Town
tokyo|city|japan|Tokio;Tokyo
osaka|city|japan|Osaka
beijing|city|china|Peking;Beijing
shanghai|city|china|Shanghai
shenzhen|city|china|Shenzhen
hong kong|city|china|Hongkong;Hong Kong
taipei|city|taiwan|Taipeh;Taipei
seoul|city|south korea|Seoul
mumbai|city|india|Mumbai;Bombay
new delhi|city|india|Neu-Delhi;New Delhi;Delhi
bangalore|city|india|Bangalore;Bengaluru
chennai|city|india|Chennai
jakarta|city|indonesia|Jakarta
bangkok|city|thailand|Bangkok
kuala lumpur|city|malaysia|Kuala Lumpur
manila|city|philippines|Manila
sydney|city|australia|Sydney
melbourne|city|australia|Melbourne
toronto|city|ontario|Toronto
montreal|city|quebec|Montreal;Montréal
vancouver|city|british columbia|Vancouver
ottawa|city|ontario|Ottawa
mexico city|city|mexico|Mexico City;Mexiko-Stadt
são paulo|city|brazil|São Paulo;Sao Paulo
rio de janeiro|city|brazil|Rio de Janeiro
buenos aires|city|argentina|Buenos Aires
"""

_DE_ENDINGS = ("", "e", "en", "er", "es", "em")
def _read_gazetteer(text: str) -> tuple[dict[str, tuple[str, bool]], dict[str, str], dict[str, str]]:
    """(surface form -> (canonical, is a demonym), canonical -> level, canonical -> parent)."""
    forms: dict[str, tuple[str, bool]] = {}
    levels: dict[str, str] = {}
    parents: dict[str, str] = {}
    for line in text.strip().splitlines():
        name, level, parent, surface = line.split("|")
        levels[name] = level
        if parent:
            parents[name] = parent
        for form in surface.split(";"):
            if form.startswith("~"):  # a German adjective stem, inflected either case
                stem = form[1:]
                for end in _DE_ENDINGS:
                    if end == "" and stem in ("deutsch",):
                        continue  # "auf Deutsch" is the language
                    forms.setdefault(stem + end, (name, True))
                    forms.setdefault(stem[0].upper() + stem[1:] + end, (name, True))
            elif form.startswith("+"):
                forms.setdefault(form[1:], (name, True))
            else:
                forms.setdefault(form, (name, False))
    return forms, levels, parents


# Country names that are also common English words or names, or a German name that is an English word.
_NOT_PLACES = frozenset({"Chad", "Jordan", "Georgia", "Jersey", "Guernsey", "Island"})
# CLDR codes left out: uninhabited or military places, and "St. Martin", a saint's day in German.
_LEFT_OUT = frozenset({"AQ", "AC", "BV", "CP", "DG", "GS", "HM", "IO", "MF", "TA", "TF", "UM"})
# Dependent territories lie within their country: "Puerto Rico" is no mismatch against "United States".
_TERRITORY_OF = {
    **dict.fromkeys(("PR", "GU", "VI", "AS", "MP"), "US"), **dict.fromkeys(("GL", "FO"), "DK"),
    **dict.fromkeys(("HK", "MO"), "CN"), **dict.fromkeys(("IC", "EA"), "ES"),
    **dict.fromkeys(("RE", "MQ", "GP", "GF", "YT", "PM", "BL", "NC", "PF", "WF"), "FR"),
    **dict.fromkeys(("AW", "CW", "SX", "BQ"), "NL"), **dict.fromkeys(("SJ",), "NO"), **dict.fromkeys(("AX",), "FI"),
    **dict.fromkeys(("BM", "KY", "VG", "AI", "MS", "TC", "FK", "GI", "SH", "PN", "IM"), "GB"),
    **dict.fromkeys(("CX", "CC", "NF"), "AU"), **dict.fromkeys(("CK", "NU", "TK"), "NZ"),
}


def _readable(cldr_name: str) -> str:
    """A canonical name from a CLDR one: "Myanmar (Burma)" -> "myanmar", "Hong Kong SAR China" -> "hong kong"."""
    name = re.sub(r"\s*\(.*?\)", "", cldr_name).replace(" SAR China", "").replace(" - ", " ")
    return name.lower()


def _add_cldr_countries(forms: dict[str, tuple[str, bool]], levels: dict[str, str], parents: dict[str, str]) -> None:
    """Every country's and dependent territory's German and English name from the CLDR; the gazetteer adds
    aliases, adjectives, states and cities. A place the gazetteer lists keeps its canonical name (found
    through any of its CLDR names)."""
    en, de = country_names("en"), country_names("de")
    canonical_of: dict[str, str] = {}
    for code, en_name in en.items():
        if code in _LEFT_OUT:
            continue
        names = [n for n in (en_name, de.get(code)) if n and n not in _NOT_PLACES]
        # CLDR writes "&" and a typographic apostrophe; texts mostly write "and"/"und" and "'".
        names += [n.replace("&", word) for n, word in zip(names, ("and", "und"), strict=False) if "&" in n]
        names += [n.replace("\u2019", "'") for n in names if "\u2019" in n]
        if not names:
            continue
        canonical = next((forms[n][0] for n in names if n in forms and not forms[n][1]), None)
        if canonical is None:
            canonical = _readable(en_name)
            if levels.get(canonical, "country") != "country":  # "Georgien" is not the US state
                canonical += " (country)"
            levels[canonical] = "state" if code in _TERRITORY_OF else "country"
            canonical_of[code] = canonical
        elif code not in _TERRITORY_OF:
            canonical_of[code] = canonical
        for n in names:
            forms.setdefault(n, (canonical, False))
    for code, country in _TERRITORY_OF.items():
        if code in canonical_of and country in canonical_of:  # a territory the gazetteer does not place
            parents.setdefault(canonical_of[code], canonical_of[country])


_PLACE_FORMS, _LEVEL, _PARENT = _read_gazetteer(_GAZETTEER)
_add_cldr_countries(_PLACE_FORMS, _LEVEL, _PARENT)


_PLACE_RE = re.compile(
    r"(?<![\w])(?:" + trie_regex(list(_PLACE_FORMS)) + r")(?![\w])(?!-?" + WS + r"*(?:[Dd]ollars?|\$)|" + WS + r"+(?:Delta|River|pigs?|hats?)\b)"
)


def find_places(text: str) -> list[Place]:
    out: list[Place] = []
    for mo in _PLACE_RE.finditer(text):
        surface = mo.group(0)
        entry = _PLACE_FORMS.get(surface)
        if entry is None:  # pragma: no cover - the trie only yields listed forms
            continue
        name, demonym = entry
        out.append(Place(name=name, text=surface, start=mo.start(), end=mo.end(), demonym=demonym))
    return out





def place_level(name: str) -> str:
    """The level of a canonical place name: "country", "state", "city", or "" when unknown."""
    return _LEVEL.get(name, "")


def ancestors(name: str) -> list[str]:
    """The places that contain `name`, nearest first: "paris" -> ["france"]."""
    out: list[str] = []
    seen = {name}
    while name in _PARENT and _PARENT[name] not in seen:
        name = _PARENT[name]
        seen.add(name)
        out.append(name)
    return out


def contains(outer: str, inner: str) -> bool:
    """True when `inner` is `outer` or lies within it ("united states" contains "texas")."""
    return outer == inner or outer in ancestors(inner)


def at_level(name: str, level: str) -> str | None:
    if _LEVEL.get(name) == level:
        return name
    for a in ancestors(name):
        if _LEVEL.get(a) == level:
            return a
    return None
