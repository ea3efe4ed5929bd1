"""Chinese names with a realistic frequency skew (so common names repeat), their pinyin, and the
spelling variants real systems hold: typos, homophones, romanisation variants, full-width forms."""

from __future__ import annotations

import numpy as np
from pypinyin import Style, lazy_pinyin

# (surname, pinyin, weight): the big surnames dominate, as in the population.
SURNAMES = [
    ("王", "Wang", 7.1),
    ("李", "Li", 7.0),
    ("张", "Zhang", 6.7),
    ("刘", "Liu", 5.4),
    ("陈", "Chen", 4.5),
    ("杨", "Yang", 3.1),
    ("黄", "Huang", 2.2),
    ("赵", "Zhao", 2.0),
    ("吴", "Wu", 2.0),
    ("周", "Zhou", 1.9),
    ("徐", "Xu", 1.5),
    ("孙", "Sun", 1.4),
    ("马", "Ma", 1.3),
    ("朱", "Zhu", 1.3),
    ("胡", "Hu", 1.2),
    ("郭", "Guo", 1.2),
    ("何", "He", 1.1),
    ("高", "Gao", 1.0),
    ("林", "Lin", 1.0),
    ("罗", "Luo", 0.9),
    ("郑", "Zheng", 0.9),
    ("梁", "Liang", 0.8),
    ("谢", "Xie", 0.7),
    ("宋", "Song", 0.7),
    ("唐", "Tang", 0.7),
    ("许", "Xu", 0.6),
    ("韩", "Han", 0.6),
    ("冯", "Feng", 0.6),
    ("邓", "Deng", 0.6),
    ("曹", "Cao", 0.5),
    ("彭", "Peng", 0.5),
    ("曾", "Zeng", 0.5),
    ("肖", "Xiao", 0.5),
    ("田", "Tian", 0.5),
    ("董", "Dong", 0.5),
    ("袁", "Yuan", 0.4),
    ("潘", "Pan", 0.4),
    ("于", "Yu", 0.4),
    ("蒋", "Jiang", 0.4),
    ("蔡", "Cai", 0.4),
    ("余", "Yu", 0.4),
    ("杜", "Du", 0.4),
    ("叶", "Ye", 0.4),
    ("程", "Cheng", 0.4),
    ("苏", "Su", 0.3),
    ("魏", "Wei", 0.3),
    ("吕", "Lv", 0.3),
    ("丁", "Ding", 0.3),
    ("任", "Ren", 0.3),
    ("沈", "Shen", 0.3),
    ("欧阳", "Ouyang", 0.05),
    ("司马", "Sima", 0.02),
]
MALE_GIVEN = "伟 强 磊 军 勇 杰 涛 明 超 刚 平 辉 鹏 华 飞 鑫 波 斌 宇 浩 凯 健 俊 帆 帅 旭 宁 龙 林 峰 建华 建国 建军 志强 志明 晓东 海涛 文博 子轩 浩然 宇航 俊杰 家豪 一鸣 天佑 博文 国庆 永刚 德华".split()
FEMALE_GIVEN = "娜 静 敏 丽 艳 芳 娟 霞 秀英 桂英 玲 婷 雪 慧 颖 琳 洁 倩 蕾 欣 晶 红 梅 燕 莉 萍 丹 月 佳怡 欣怡 梓涵 诗涵 雨桐 子涵 思琪 晓燕 丽华 美玲 淑珍 海燕 春梅 秋菊 玉兰 凤英".split()
# Homophones (same pinyin, different character): the classic clerk's mistake.
HOMOPHONES = {
    "伟": "玮炜",
    "娜": "那",
    "静": "晶",
    "敏": "民",
    "磊": "垒",
    "军": "君",
    "勇": "永",
    "杰": "洁",
    "涛": "韬",
    "明": "铭",
    "丽": "莉",
    "芳": "方",
    "强": "蔷",
    "平": "萍",
    "刚": "钢",
    "华": "桦",
    "红": "宏",
    "霞": "侠",
    "英": "瑛",
    "林": "琳",
    "峰": "锋",
    "波": "博",
    "婷": "庭",
    "燕": "艳",
    "玲": "铃",
    "张": "章",
    "王": "汪",
    "刘": "柳",
    "杨": "阳",
    "黄": "皇",
    "徐": "许",
    "李": "黎",
    "周": "舟",
    "鹏": "朋",
    "宇": "雨",
    "浩": "皓",
}
# Older romanisations and Cantonese spellings seen on foreign passports.
ROMAN_VARIANTS = {
    "Zhang": "Chang",
    "Wang": "Wong",
    "Chen": "Chan",
    "Xu": "Hsu",
    "Zhou": "Chou",
    "Li": "Lee",
    "Huang": "Wong",
    "Liu": "Lau",
    "Wu": "Ng",
    "Zheng": "Cheng",
    "Lin": "Lam",
    "He": "Ho",
    "Guo": "Kuo",
    "Zhao": "Chao",
    "Yang": "Yeung",
    "Lv": "Lu",
    "Wei": "Way",
    "Jie": "Chieh",
}

SUR_CHARS = [s for s, _, _ in SURNAMES]
SUR_PINYIN = [p for _, p, _ in SURNAMES]
_w = np.array([w for _, _, w in SURNAMES])
SUR_P = _w / _w.sum()


def _zipf(n: int, a: float = 1.05) -> np.ndarray:
    w = 1.0 / np.arange(1, n + 1) ** a
    return w / w.sum()


MALE_P = _zipf(len(MALE_GIVEN))
FEMALE_P = _zipf(len(FEMALE_GIVEN))
GIVEN_PINYIN = {g: "".join(lazy_pinyin(g, style=Style.NORMAL)).capitalize() for g in MALE_GIVEN + FEMALE_GIVEN}
GIVEN_PINYIN = {g: p.replace("ü", "v") for g, p in GIVEN_PINYIN.items()}
ALL_GIVEN_CHARS = sorted({c for g in MALE_GIVEN + FEMALE_GIVEN for c in g})
COMMON_NAMES = ["王伟", "李娜", "张伟", "刘洋", "王芳", "李伟", "张敏", "王静", "李静", "张静", "刘伟", "王磊"]


def draw_names(rng: np.random.Generator, male: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (surname index, given name) per person; given names drawn Zipf-like per sex."""
    n = len(male)
    sur = rng.choice(len(SURNAMES), size=n, p=SUR_P)
    gm = np.array(MALE_GIVEN, dtype=object)[rng.choice(len(MALE_GIVEN), size=n, p=MALE_P)]
    gf = np.array(FEMALE_GIVEN, dtype=object)[rng.choice(len(FEMALE_GIVEN), size=n, p=FEMALE_P)]
    return sur, np.where(male, gm, gf)


def pinyin_of(given: str) -> str:
    p = GIVEN_PINYIN.get(given)
    if p is None:
        p = "".join(lazy_pinyin(given, style=Style.NORMAL)).capitalize().replace("ü", "v")
    return p


def split_common(name: str) -> tuple[str, str]:
    """Split a full Chinese name into surname and given name (two-character surnames first)."""
    if name[:2] in SUR_CHARS:
        return name[:2], name[2:]
    return name[:1], name[1:]


# ---- variants (each takes a Python str and an rng, returns a str) ----


def homophone(name: str, rng: np.random.Generator) -> str:
    idx = [i for i, c in enumerate(name) if c in HOMOPHONES]
    if not idx:
        return typo(name, rng)
    i = idx[int(rng.integers(len(idx)))]
    alts = HOMOPHONES[name[i]]
    return name[:i] + alts[int(rng.integers(len(alts)))] + name[i + 1 :]


def typo(name: str, rng: np.random.Generator) -> str:
    """A wrong character in the given name, or a dropped/doubled one."""
    i = int(rng.integers(1, len(name))) if len(name) > 1 else 0
    kind = int(rng.integers(3))
    if kind == 0 or len(name) <= 2:
        return name[:i] + ALL_GIVEN_CHARS[int(rng.integers(len(ALL_GIVEN_CHARS)))] + name[i + 1 :]
    if kind == 1:
        return name[:i] + name[i + 1 :]
    return name[:i] + name[i] + name[i:]


def fullwidth_space(name: str, surname: str) -> str:
    return surname + "\u3000" + name[len(surname) :]


def bracket_alias(name: str, rng: np.random.Generator, latin: str) -> str:
    if rng.random() < 0.5:
        return f"{name}({latin})"
    return f"{name}（{name[0]}{'小' if len(name) < 3 else ''}{name[-1]}）"


def to_fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else ("\u3000" if c == " " else c) for c in text)


def latin_name(sur_py: str, given_py: str, rng: np.random.Generator, variant: bool = False) -> str:
    """Pinyin as FX/passport systems write it: any case, either order, with or without a space."""
    if variant:
        sur_py = ROMAN_VARIANTS.get(sur_py, sur_py)
        given_py = ROMAN_VARIANTS.get(given_py, given_py)
    form = int(rng.integers(6))
    if form == 0:
        return f"{sur_py} {given_py}".upper()
    if form == 1:
        return f"{given_py} {sur_py}"
    if form == 2:
        return f"{sur_py} {given_py}"
    if form == 3:
        return f"{sur_py}{given_py.lower()}".upper()
    if form == 4:
        return f"{given_py.upper()} {sur_py.upper()}"
    return f"{sur_py.lower()} {given_py.lower()}"
