"""Persons: segment, demographics, income, city, identity attributes and join month."""

from __future__ import annotations

from datetime import date

import numpy as np

from crm.generator import idcard, names

SEGMENTS = ["student", "young_professional", "family", "mid_career", "wealthy", "retired"]
SEG_P = np.array([0.11, 0.22, 0.26, 0.18, 0.06, 0.17])
AGE_RANGE = {0: (18, 24), 1: (23, 33), 2: (28, 46), 3: (40, 59), 4: (32, 72), 5: (60, 86)}
INCOME_MEDIAN = np.array([12_000, 150_000, 210_000, 260_000, 1_200_000, 70_000], dtype=float)

# city, English, weight, income factor, [(district, region code, district pinyin)], [(road, road pinyin)]
CITIES = [
    (
        "北京市",
        "Beijing",
        0.14,
        1.35,
        [("东城区", "110101", "Dongcheng"), ("朝阳区", "110105", "Chaoyang"), ("海淀区", "110108", "Haidian")],
        [("长安街", "Chang'an Avenue"), ("建国路", "Jianguo Road"), ("中关村大街", "Zhongguancun Street")],
    ),
    (
        "上海市",
        "Shanghai",
        0.14,
        1.35,
        [("徐汇区", "310104", "Xuhui"), ("浦东新区", "310115", "Pudong"), ("静安区", "310106", "Jing'an")],
        [("南京西路", "Nanjing Road West"), ("淮海中路", "Huaihai Road Middle"), ("世纪大道", "Century Avenue")],
    ),
    (
        "深圳市",
        "Shenzhen",
        0.11,
        1.3,
        [("南山区", "440305", "Nanshan"), ("福田区", "440304", "Futian")],
        [("深南大道", "Shennan Avenue"), ("科技园路", "Keji Road")],
    ),
    (
        "广州市",
        "Guangzhou",
        0.1,
        1.15,
        [("天河区", "440106", "Tianhe"), ("越秀区", "440104", "Yuexiu")],
        [("天河路", "Tianhe Road"), ("中山五路", "Zhongshan 5th Road")],
    ),
    (
        "杭州市",
        "Hangzhou",
        0.09,
        1.15,
        [("西湖区", "330106", "Xihu"), ("上城区", "330102", "Shangcheng")],
        [("文三路", "Wensan Road"), ("延安路", "Yan'an Road")],
    ),
    (
        "成都市",
        "Chengdu",
        0.1,
        0.95,
        [("武侯区", "510107", "Wuhou"), ("锦江区", "510104", "Jinjiang")],
        [("人民南路", "Renmin Road South"), ("天府大道", "Tianfu Avenue")],
    ),
    (
        "武汉市",
        "Wuhan",
        0.09,
        0.95,
        [("江岸区", "420102", "Jiang'an"), ("武昌区", "420106", "Wuchang")],
        [("解放大道", "Jiefang Avenue"), ("中南路", "Zhongnan Road")],
    ),
    (
        "南京市",
        "Nanjing",
        0.08,
        1.05,
        [("玄武区", "320102", "Xuanwu"), ("鼓楼区", "320106", "Gulou")],
        [("中山路", "Zhongshan Road"), ("北京东路", "Beijing Road East")],
    ),
    (
        "西安市",
        "Xi'an",
        0.07,
        0.9,
        [("雁塔区", "610113", "Yanta"), ("碑林区", "610103", "Beilin")],
        [("长安南路", "Chang'an Road South"), ("雁塔路", "Yanta Road")],
    ),
    (
        "重庆市",
        "Chongqing",
        0.07,
        0.9,
        [("渝中区", "500103", "Yuzhong"), ("江北区", "500105", "Jiangbei")],
        [("解放碑", "Jiefangbei"), ("观音桥", "Guanyinqiao")],
    ),
]
CITY_P = np.array([c[2] for c in CITIES])
CITY_P = CITY_P / CITY_P.sum()
ALL_REGIONS = [d[1] for c in CITIES for d in c[4]]
MOBILE_PREFIX = np.array(
    [
        130,
        131,
        132,
        133,
        135,
        136,
        137,
        138,
        139,
        150,
        151,
        152,
        155,
        156,
        158,
        159,
        177,
        180,
        182,
        186,
        187,
        188,
        189,
        199,
    ]
)
FOREIGN_NAT = ["HK", "SG", "US", "MY", "CA", "AU", "GB", "MO", "TW"]
EMPLOYERS = [
    "华为技术有限公司",
    "腾讯科技",
    "中国移动",
    "国家电网",
    "阿里巴巴",
    "本地中学",
    "市第一人民医院",
    "个体经营",
    "中国石化",
    "招商局集团",
    "京东集团",
    "比亚迪",
    "自由职业",
    "退休",
]
EMAIL_DOMAINS = ["163.com", "qq.com", "126.com", "sina.com", "gmail.com", "hotmail.com"]


def _address(rng: np.random.Generator, city: int) -> tuple[str, str]:
    c = CITIES[city]
    d = c[4][int(rng.integers(len(c[4])))]
    road = c[5][int(rng.integers(len(c[5])))]
    no, bld, room = int(rng.integers(1, 999)), int(rng.integers(1, 30)), int(rng.integers(101, 2999))
    return (
        f"{c[0]}{d[0]}{road[0]}{no}号{bld}栋{room}室",
        f"Room {room}, Bldg {bld}, No. {no} {road[1]}, {d[2]} District, {c[1]}",
    )


def _new_id(rng: np.random.Generator, region: str, birth: str, male: bool, issued: set[str]) -> str:
    """A resident ID nobody holds yet: the real register never issues one number twice, and at a
    million persons random sequence numbers would collide (same region, birth date and sex)."""
    while True:
        idno = idcard.make_id(region, birth, idcard.seq_for_sex(rng, male))
        if idno not in issued:
            issued.add(idno)
            return idno


def join_months(
    rng: np.random.Generator, seg: np.ndarray, age_days: np.ndarray, history_months: int
) -> tuple[np.ndarray, np.ndarray]:
    """Join month per person (relative to the first history month) and whether it precedes the history:
    most persons were already customers when the history starts."""
    n = len(seg)
    pre = rng.random(n) < np.where(seg == 0, 0.55, 0.8)
    max_tenure = np.maximum(1, (age_days / 30.44 - 18 * 12).astype(int))
    tenure0 = np.minimum(rng.integers(1, 240, n), max_tenure)
    return np.where(pre, -tenure0, rng.integers(0, history_months, n)), pre


def make_persons(
    rng: np.random.Generator,
    start: int,
    n: int,
    end_date: date,
    history_months: int,
    namesake_rate: float,
    issued: set[str] | None = None,
    arrival_days: int = 0,
) -> dict:
    """One chunk of persons, ids start..start+n-1. Month indices are relative to the first history month.
    `issued` holds the resident IDs of earlier chunks (updated in place). Some persons arrive on one of
    the `arrival_days` days after end_date (the daily deliveries), at the history's join rate."""
    issued = set() if issued is None else issued
    seg = rng.choice(len(SEGMENTS), size=n, p=SEG_P)
    male = rng.random(n) < 0.5
    lo = np.array([AGE_RANGE[s][0] for s in range(6)])[seg]
    hi = np.array([AGE_RANGE[s][1] for s in range(6)])[seg]
    age_days = (rng.uniform(lo, hi) * 365.25).astype(np.int64)
    birth = (np.datetime64(end_date) - age_days).astype("datetime64[D]")
    city = rng.choice(len(CITIES), size=n, p=CITY_P)
    income = INCOME_MEDIAN[seg] * np.array([c[3] for c in CITIES])[city] * rng.lognormal(0, 0.45, n)
    sur, given = names.draw_names(rng, male)
    name = np.array([names.SUR_CHARS[s] + g for s, g in zip(sur, given)], dtype=object)
    # Engagement: a latent activity level; low engagement means few txns and higher churn hazard.
    engagement = rng.lognormal(0, 0.55, n)
    join, pre = join_months(rng, seg, age_days, history_months)
    # New customers keep arriving after end_date at the history's rate per day: of those who join after
    # the history starts, the share whose day falls in the daily deliveries' days. They join in month
    # `history_months` (the first undelivered month) on their arrival day, end_date + 1 .. + arrival_days.
    days = history_months * 30.44
    arrive = ~pre & (rng.random(n) < arrival_days / (days + arrival_days))
    join = np.where(arrive, history_months, join)
    arrival = np.where(
        arrive, np.datetime64(end_date) + rng.integers(1, max(arrival_days, 1) + 1, n), np.datetime64("NaT")
    ).astype("datetime64[D]")
    nonres = rng.random(n) < 0.025
    nationality = np.where(nonres, np.array(FOREIGN_NAT, dtype=object)[rng.integers(0, len(FOREIGN_NAT), n)], "CN")

    ids, phones, addr, addr_en, old_addr, old_addr_en, emails, employers, passports = ([] for _ in range(9))
    birth_s = birth.astype(str)
    for i in range(n):
        region = CITIES[city[i]][4][0][1] if rng.random() < 0.6 else ALL_REGIONS[int(rng.integers(len(ALL_REGIONS)))]
        ids.append(_new_id(rng, region, birth_s[i].replace("-", ""), bool(male[i]), issued))
        phones.append(f"{MOBILE_PREFIX[int(rng.integers(len(MOBILE_PREFIX)))]}{int(rng.integers(0, 10**8)):08d}")
        a, ae = _address(rng, int(city[i]))
        oa, oae = _address(rng, int(rng.integers(len(CITIES))) if rng.random() < 0.3 else int(city[i]))
        addr.append(a)
        addr_en.append(ae)
        old_addr.append(oa)
        old_addr_en.append(oae)
        py = names.SUR_PINYIN[sur[i]].lower() + names.pinyin_of(given[i]).lower()
        emails.append(f"{py}{int(rng.integers(1, 999))}@{EMAIL_DOMAINS[int(rng.integers(len(EMAIL_DOMAINS)))]}")
        employers.append(
            EMPLOYERS[int(rng.integers(len(EMPLOYERS)))] if seg[i] not in (0, 5) else ("退休" if seg[i] == 5 else "")
        )
        pfx = "H" if nationality[i] in ("HK", "MO") else ("E" if rng.random() < 0.5 else "G")
        passports.append(f"{pfx}{int(rng.integers(10**7, 10**8))}")
    ids = np.array(ids, dtype=object)

    # Namesakes: pairs given the same common name, sex and birth date, but their own valid IDs.
    namesake_group = np.full(n, "", dtype=object)
    pairs = int(round(namesake_rate * n / 2))
    if pairs:
        pick = rng.choice(n, size=2 * pairs, replace=False)
        for k in range(pairs):
            a, b = int(pick[2 * k]), int(pick[2 * k + 1])
            common = names.COMMON_NAMES[int(rng.integers(len(names.COMMON_NAMES)))]
            is_male = common[1:] in names.MALE_GIVEN
            for p in (a, b):
                name[p] = common
                male[p] = is_male
                given[p] = common[1:]
                sur[p] = names.SUR_CHARS.index(common[0])
                nonres[p] = False
                nationality[p] = "CN"
            birth[b] = birth[a]
            seg[b] = seg[a] if seg[a] == seg[b] else seg[b]
            bs = str(birth[a]).replace("-", "")
            for p in (a, b):
                ids[p] = _new_id(rng, CITIES[city[p]][4][0][1], bs, bool(male[p]), issued)
            namesake_group[a] = namesake_group[b] = f"NS{start + a:08d}"
    # A family member whose phone may show up on this person's records.
    partner = rng.integers(0, n, n)
    return {
        "pid": np.array([f"P{start + i:08d}" for i in range(n)], dtype=object),
        "seg": seg,
        "male": male,
        "birth": birth,
        "city": city,
        "income": income,
        "sur": sur,
        "given": given,
        "name": name,
        "engagement": engagement,
        "join": join,
        "arrival": arrival,
        "nonres": nonres,
        "nationality": nationality,
        "id": ids,
        "phone": np.array(phones, dtype=object),
        "addr": addr,
        "addr_en": addr_en,
        "old_addr": old_addr,
        "old_addr_en": old_addr_en,
        "email": emails,
        "employer": employers,
        "passport": passports,
        "namesake_group": namesake_group,
        "partner": partner,
    }
