"""Party records per system: one per person held (plus planted duplicates), each field written the
way that system writes it, with the planted identity problems tagged for the truth."""

from __future__ import annotations

import numpy as np
import polars as pl

from crm.generator import idcard, names
from crm.generator.noise import NoiseConfig
from crm.generator.people import CITIES

HEADERS = {
    "deposit": [
        "cust_no",
        "cust_name",
        "cert_type",
        "cert_no",
        "birth_date",
        "gender",
        "mobile_no",
        "address",
        "open_branch",
        "open_date",
    ],
    "card": [
        "holder_id",
        "holder_name",
        "id_type",
        "id_number",
        "dob",
        "sex",
        "phone",
        "email",
        "bill_address",
        "member_since",
    ],
    "loan": [
        "borrower_id",
        "name",
        "id_kind",
        "id_no",
        "birthday",
        "gender",
        "contact_phone",
        "residence_address",
        "employer",
    ],
    "fx": [
        "client_ref",
        "name_en",
        "name_local",
        "doc_type",
        "doc_no",
        "date_of_birth",
        "nationality",
        "mobile",
        "address_en",
    ],
}
# Keys: an affine bijection mod 10^digits per system, so keys of one person are unrelated across systems.
KEYS = {
    "deposit": ("", 10, 7_919_113, 1_234_567_891),
    "card": ("H", 9, 48_271_009, 20_240_601),
    "loan": ("BR", 8, 69_069_001, 31_415_926),
    "fx": ("FXC", 7, 1_103_513, 2_718_281),
    "deposit_acct": ("6217", 12, 3_141_592_653, 577_215_664),
    "card_acct": ("CA", 10, 2_718_281_829, 141_421_356),
    "loan_acct": ("LN", 10, 1_618_033_989, 173_205_080),
}


def make_key(system: str, idx: np.ndarray) -> list[str]:
    prefix, digits, a, b = KEYS[system]
    mod = 10**digits
    vals = (idx.astype(object) * a + b) % mod
    return [f"{prefix}{v:0{digits}d}" for v in vals]


def _phone(raw: str, system: str, rng, noise: NoiseConfig, tags: list) -> str:
    if system == "card":
        return f"{raw[:3]}-{raw[3:7]}-{raw[7:]}"
    if system == "fx":
        return "+86" + raw
    if system == "deposit" and rng.random() < noise.phone_format:
        tags.append("phone_format")
        return [f"+86{raw}", f"+86 {raw}", f"{raw[:3]} {raw[3:7]} {raw[7:]}", f"{raw[:3]}-{raw[3:7]}-{raw[7:]}"][
            int(rng.integers(4))
        ]
    return raw


def _date(d: np.datetime64, system: str) -> str:
    s = str(d)
    y, m, dd = s[:4], s[5:7], s[8:10]
    return {"deposit": f"{y}{m}{dd}", "card": s, "loan": f"{y}/{m}/{dd}", "fx": f"{dd}/{m}/{y}"}[system]


def build(
    system: str,
    rng: np.random.Generator,
    P: dict,
    persons: np.ndarray,
    dups: np.ndarray,
    since: np.ndarray,
    start_index: int,
    noise: NoiseConfig,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Records for `persons` (main) and `dups` (second records). Returns (file rows, truth rows).
    `since` holds the open date per record (same order: persons then dups)."""
    people = np.concatenate([persons, dups])
    is_dup = np.concatenate([np.zeros(len(persons), bool), np.ones(len(dups), bool)])
    keys = make_key(system, np.arange(start_index, start_index + len(people)))
    rows, truth = [], []
    for r, p in enumerate(people):
        tags: list[str] = ["duplicate"] if is_dup[r] else []
        boost = 3.0 if is_dup[r] else 1.0  # second records are typed in later, by someone else
        rnd = lambda rate: rng.random() < min(1.0, rate * boost)  # noqa: E731
        if P["namesake_group"][p]:
            tags.append("namesake")
        nonres = bool(P["nonres"][p])
        if nonres:
            tags.append("nonresident")
        sur_ch = names.SUR_CHARS[P["sur"][p]]
        sur_py, given_py = names.SUR_PINYIN[P["sur"][p]], names.pinyin_of(P["given"][p])
        name = P["name"][p]
        if rnd(noise.name_typo):
            name = names.typo(name, rng)
            tags.append("typo_name")
        elif rnd(noise.name_homophone):
            name = names.homophone(name, rng)
            tags.append("homophone")
        if system in ("deposit", "card") and rnd(noise.name_fullwidth_space):
            name = names.fullwidth_space(name, sur_ch)
            tags.append("fullwidth_space")
        if system == "deposit" and rnd(noise.name_bracket_alias):
            name = names.bracket_alias(name, rng, f"{sur_py} {given_py}")
            tags.append("bracket_alias")
        # identity document
        idno = P["id"][p]
        if not nonres:
            if rnd(noise.id_mistyped):
                idno = idcard.mistype(idno, rng)
                tags.append("id_mistyped")
            elif rnd(noise.id_wrong_check):
                idno = idcard.wrong_check(idno, rng)
                tags.append("id_wrong_check")
            elif system in ("deposit", "loan") and rnd(noise.id_15_digit):
                idno = idcard.to15(idno)
                tags.append("id_15")
            if system == "card" and idno.endswith("X") and rng.random() < noise.id_lowercase_x:
                idno = idno[:-1] + "x"
                tags.append("id_lowercase_x")
        doc = P["passport"][p] if nonres else idno
        birth = "" if rnd(noise.missing_birth_date) else _date(P["birth"][p], system)
        if not birth:
            tags.append("missing_birth_date")
        raw_phone = P["phone"][p]
        if P["seg"][p] == 2 and rnd(noise.shared_phone):
            raw_phone = P["phone"][P["partner"][p]]
            tags.append("shared_phone")
        phone = "" if rnd(noise.missing_phone) else _phone(raw_phone, system, rng, noise, tags)
        if not phone:
            tags.append("missing_phone")
        old = rnd(noise.outdated_address)
        addr = P["old_addr"][p] if old else P["addr"][p]
        addr_en = P["old_addr_en"][p] if old else P["addr_en"][p]
        if old:
            tags.append("outdated_address")
        if rnd(noise.missing_address):
            addr = addr_en = ""
            tags.append("missing_address")
        male = bool(P["male"][p])
        city = int(P["city"][p])
        sd = since[r]
        if system == "deposit":
            cert = ("C" if P["nationality"][p] in ("HK", "MO", "TW") else "B") if nonres else "A"
            row = [
                keys[r],
                name,
                cert,
                doc,
                birth,
                "M" if male else "F",
                phone,
                addr,
                f"{CITIES[city][4][0][1][:4]}{int(rng.integers(1, 40)):02d}",
                _date(sd, system),
            ]
        elif system == "card":
            if nonres and rng.random() < 0.5:
                name = names.latin_name(sur_py, given_py, rng).upper()
                tags.append("pinyin_name")
            em = "" if rng.random() < 0.3 else P["email"][p]
            row = [
                keys[r],
                name,
                "PASSPORT" if nonres else "IDCARD",
                doc,
                birth,
                "男" if male else "女",
                phone,
                em,
                addr,
                _date(sd, system),
            ]
        elif system == "loan":
            g = "0" if rng.random() < 0.01 else ("1" if male else "2")
            row = [keys[r], name, "2" if nonres else "1", doc, birth, g, phone, addr, P["employer"][p]]
        else:
            variant = rnd(noise.translit_variant)
            latin = names.latin_name(sur_py, given_py, rng, variant=variant)
            if variant:
                tags.append("translit_variant")
            if rnd(noise.fullwidth_latin):
                latin = names.to_fullwidth(latin)
                tags.append("fullwidth_latin")
            local = "" if rng.random() < noise.name_local_missing else name
            if not local:
                tags.append("name_local_missing")
            row = [
                keys[r],
                latin,
                local,
                "PASSPORT" if nonres else "NATIONAL_ID",
                doc,
                birth,
                P["nationality"][p],
                phone,
                addr_en,
            ]
        rows.append(row)
        truth.append((system, keys[r], P["pid"][p], ";".join(tags)))
    df = (
        pl.DataFrame(rows, schema=HEADERS[system], orient="row")
        if rows
        else pl.DataFrame(schema={h: pl.String for h in HEADERS[system]})
    )
    tdf = pl.DataFrame(truth, schema=["system", "source_key", "person_id", "planted"], orient="row") if truth else None
    return df, tdf, keys
