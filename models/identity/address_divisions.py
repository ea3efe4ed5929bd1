"""The national division table (cpca's adcodes, offline) for what cpca does not read itself:

- Latin-script addresses (`88 Jianguo Rd, Chaoyang District, Beijing`, `Chaoyang Qu Beijing Shi`):
  each division name is indexed by its pinyin (every reading of a polyphonic character: 朝阳 is
  chaoyang and zhaoyang) without its suffix (区, 市, 省, 新区, 自治州 ...). A word run followed by a
  street word (`Beijing Road East`, `Zhongshan 5th Road`) is a street, not a division. A district is
  taken when it lies in a city or province the address also names, or when its name is unique in the
  country and written with `District`/`Qu`/`County`; a city when one city fits. Anything ambiguous
  (`Chaoyang` alone: 朝阳市 in Liaoning or a district of Beijing or Changchun) gives nothing.
- A Chinese district written without 区/县 after its city (`北京朝阳建国路88号`, `深圳南山科技园路`):
  read when the name is one district's within that city and no street word follows (`朝阳门` is not).
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata

MUNICIPALITIES = {"11": "北京市", "12": "天津市", "31": "上海市", "50": "重庆市"}
NO_CITY = ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划")
_SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "自治旗", "地区", "新区", "林区", "矿区", "特区")
_SUFFIXES += ("省", "市", "区", "县", "盟", "旗")
# Conventional spellings that are not the pinyin (陕西 and 山西 are both `shanxi`).
_ALIASES = {"shaanxi": "610000", "innermongolia": "150000", "tibet": "540000", "hongkong": "810000"}
_ALIASES |= {"macau": "820000", "macao": "820000"}
_DISTRICT_WORDS = {"district", "qu", "county", "area"}  # `Pudong New Area`
_CITY_WORDS = {"city", "shi", "municipality", "prefecture"}
_PROVINCE_WORDS = {"province", "sheng", "region"}
_STREET_WORDS = {"road", "rd", "street", "st", "avenue", "ave", "av", "lane", "ln", "alley", "hutong", "lu", "jie"}
_STREET_WORDS |= {"dajie", "dadao", "boulevard", "blvd", "way", "xiang", "nong", "highway", "hwy", "bridge", "qiao"}
_FILLER = {"east", "west", "south", "north", "middle", "central", "upper", "lower", "new", "inner", "outer", "no"}
_NOT_NAMES = _DISTRICT_WORDS | _CITY_WORDS | _PROVINCE_WORDS | _STREET_WORDS | _FILLER
# After a district's name in Chinese text, these say the name belongs to a street, gate or village.
_CN_STREET_NEXT = set("路街道巷弄门桥村镇乡里大")


@functools.cache
def divisions() -> dict[str, tuple[str, int]]:
    """adcode (6 digits) -> (name, rank: 0 province, 1 city, 2 district)."""
    import cpca

    return {info.adcode: (info.name, info.rank) for info in cpca.ad_2_addr_dict.values()}


def _base(name: str) -> str:
    for s in _SUFFIXES:
        if name.endswith(s) and len(name) - len(s) >= 2:
            name = name[: -len(s)]
            break
    if "族" in name:  # 延边朝鲜族 -> 延边, 广西壮族 -> 广西
        name = name[:2]
    return name


def _readings(text: str) -> set[str]:
    from pypinyin import Style, lazy_pinyin, pinyin

    # The phrase reading (重庆 chongqing) and each character's commonest readings (朝 zhao, chao).
    options = [p[:3] for p in pinyin(text, style=Style.NORMAL, heteronym=True)]
    got = {"".join(c) for c in itertools.islice(itertools.product(*options), 16)} | {"".join(lazy_pinyin(text))}
    return {g.replace("ü", "v") for g in got}


@functools.cache
def latin_index() -> dict[str, tuple[str, ...]]:
    """Pinyin key (base name, and the whole name: `chaoyang`, `chaoyangqu`) -> adcodes."""
    index: dict[str, set[str]] = {}
    for code, (name, _rank) in divisions().items():
        if name in NO_CITY:
            continue
        for text in {_base(name), name}:
            for key in _readings(text):
                index.setdefault(key, set()).add(code)
    for key, code in _ALIASES.items():
        index.setdefault(key, set()).add(code)
    return {k: tuple(sorted(v)) for k, v in index.items()}


def city_of(code: str) -> str | None:
    """The city a division belongs to, as a 4-digit code (a municipality is its own city: `11`)."""
    if code[:2] in MUNICIPALITIES:
        return code[:2]
    if code[2:4] == "00":
        return None
    name = divisions().get(code[:4] + "00", (None, 0))[0]
    return None if name is None or name in NO_CITY else code[:4]


def city_name(city: str | None) -> str | None:
    if city is None:
        return None
    return MUNICIPALITIES.get(city) or divisions()[city + "00"][0]


def parts_of(code: str | None) -> tuple[str | None, str | None, str | None]:
    """(province, city, district) names of a division code (a province or city code gives fewer)."""
    if code is None:
        return None, None, None
    name, rank = divisions()[code]
    province = divisions()[code[:2] + "0000"][0]
    return (
        province,
        city_name(city_of(code)) if rank > 0 or code[:2] in MUNICIPALITIES else None,
        (name if rank == 2 else None),
    )


def _words(segment: str) -> list[str]:
    return re.findall(r"[a-z]+|\d+[a-z]*", segment)


def _candidates(text: str) -> list[tuple[int, str, tuple[str, ...]]]:
    """(hint rank or -1, key, adcodes) of each word run that names a division and is not a street."""
    index = latin_index()
    text = unicodedata.normalize("NFKC", text).lower().replace("'", "").replace("\u2019", "")
    out = []
    for segment in re.split(r"[,;/()]", text):
        words = _words(segment)
        for i in range(len(words)):
            for j in range(i + 1, min(i + 3, len(words)) + 1):
                span = words[i:j]
                if any(not w.isalpha() or w in _NOT_NAMES for w in span):
                    break
                key = "".join(span)
                codes = index.get(key)
                if not codes:
                    continue
                k = j
                while k < len(words) and (words[k] in _FILLER or words[k][0].isdigit()):
                    k += 1
                if k < len(words) and words[k] in _STREET_WORDS:
                    continue
                nxt = words[j] if j < len(words) else ""
                hint = 2 if nxt in _DISTRICT_WORDS else 1 if nxt in _CITY_WORDS else 0 if nxt in _PROVINCE_WORDS else -1
                if hint == -1 and nxt == "new" and j + 1 < len(words) and words[j + 1] in _DISTRICT_WORDS:
                    hint = 2
                if hint == -1 and len(key) < 4:
                    continue  # `an`, `he`: too short to stand for a place without a marker word
                out.append((hint, key, codes))
    return out


def parse_latin(text: str | None) -> tuple[str | None, str | None, str | None]:
    """(province, city, district) of a Latin-script address, or Nones where the text is not decisive."""
    text = unicodedata.normalize("NFKC", text or "")
    if not re.search(r"[A-Za-z]", text):
        return None, None, None
    divs = divisions()
    provinces: dict[str, set[str]] = {}  # code -> the word runs that name it
    cities: dict[str, set[str]] = {}
    districts, unsure = [], set()
    for hint, key, codes in _candidates(text):
        if hint == -1 and any(divs[c][1] == 2 for c in codes) and any(divs[c][1] < 2 for c in codes):
            # `Chaoyang` alone: 朝阳市 or a district of that name; only another place named can tell.
            unsure |= {c[:4] for c in codes if divs[c][1] == 1} | {c[:2] for c in codes if divs[c][1] == 0}
        for code in codes:
            rank = divs[code][1]
            if rank == 0 and hint in (-1, 0, 1):
                provinces.setdefault(code[:2], set()).add(key)
                if code[:2] in MUNICIPALITIES:
                    cities.setdefault(code[:2], set()).add(key)
            elif rank == 1 and hint in (-1, 1):
                cities.setdefault(code[:4], set()).add(key)
            elif rank == 2 and hint in (-1, 2):
                districts.append((hint, key, code))
    # A named city or province narrows everything else; a district needs another word run naming its
    # city (朝阳县 lies in 朝阳市, but `Chaoyang` alone names one place, not both).
    if provinces:
        cities = {c: k for c, k in cities.items() if c[:2] in provinces} or cities
    fitting = {
        code
        for _h, key, code in districts
        if cities.get(city_of(code) or "", set()) - {key} or (not cities and provinces.get(code[:2], set()) - {key})
    }
    if len(fitting) == 1:
        return parts_of(fitting.pop())
    if len(cities) == 1 and not (set(cities) <= unsure and not set(provinces) - unsure):
        city = next(iter(cities))
        return parts_of(city + "0000" if len(city) == 2 else city + "00")
    marked = {code for hint, _key, code in districts if hint == 2}
    if len(marked) == 1 and not cities:
        return parts_of(marked.pop())
    if len(provinces) == 1:
        return parts_of(next(iter(provinces)) + "0000")
    return None, None, None


@functools.cache
def _bare_districts() -> dict[str, dict[str, str]]:
    """City code (4 digits, or 2 for a municipality) -> {district name without 区/县: full name}, only
    names one district of that city has."""
    seen: dict[str, dict[str, list[str]]] = {}
    for code, (name, rank) in divisions().items():
        city = city_of(code)
        base = _base(name)
        if rank == 2 and city and base != name:
            seen.setdefault(city, {}).setdefault(base, []).append(name)
    return {c: {b: n[0] for b, n in names.items() if len(n) == 1} for c, names in seen.items()}


def bare_district(city_code: str | None, rest: str | None) -> str | None:
    """The district `rest` (the address after its city) starts with, written without 区/县, or None."""
    if not city_code or not rest:
        return None
    for base, full in _bare_districts().get(city_code, {}).items():
        if rest.startswith(base) and rest[len(base) : len(base) + 1] not in _CN_STREET_NEXT:
            return full
    return None


@functools.cache
def district_bases() -> frozenset[str]:
    """Every district name without 区/县 (`朝阳`), to tell when a city written without 市 might be one."""
    return frozenset(_base(n) for n, rank in divisions().values() if rank == 2)


def base_name(name: str) -> str:
    return _base(name)
