"""Planted-problem rates. Every rate is a probability per record (or per row / person where said)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace


@dataclass(frozen=True)
class NoiseConfig:
    # identity: the same person twice in one system (per person and system held)
    duplicate_record: float = 0.03
    # names (per party record)
    name_typo: float = 0.02
    name_homophone: float = 0.02
    name_fullwidth_space: float = 0.02  # deposit/card: 张\u3000伟
    name_bracket_alias: float = 0.015  # deposit: 张伟(Zhang Wei) / 张伟（张小伟）
    translit_variant: float = 0.05  # fx/foreign: Wade-Giles / Cantonese spelling
    fullwidth_latin: float = 0.02  # fx: ＺＨＡＮＧ　ＷＥＩ
    name_local_missing: float = 0.6  # fx: name_local empty
    # resident IDs (per record holding one)
    id_mistyped: float = 0.01
    id_wrong_check: float = 0.01
    id_lowercase_x: float = 0.5  # card: share of X-ending IDs written with lower-case x
    id_15_digit: float = 0.03  # deposit and loan (old records)
    # missing / stale attributes (per record)
    missing_birth_date: float = 0.03
    missing_phone: float = 0.05
    missing_address: float = 0.05
    outdated_address: float = 0.08
    shared_phone: float = 0.03  # family-segment records carrying a family member's phone
    phone_format: float = 0.2  # deposit: +86 / spaces / dashes
    # namesakes: share of persons made into same-name, same-birth-date pairs (different valid IDs)
    namesake: float = 0.01
    # malformed rows (per row of party and activity files)
    malformed_row: float = 0.0005

    def scaled(self, x: float) -> "NoiseConfig":
        return replace(self, **{f.name: min(1.0, getattr(self, f.name) * x) for f in fields(self)})

    def as_dict(self) -> dict:
        return asdict(self)
