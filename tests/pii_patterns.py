"""What tests look for when they scan output for personal data (one definition for every scan).

`TEXT` is for values of text columns: resident IDs (18 characters with X/x check, grouped or
not; old 15 digits), mainland mobiles (+86 / 86 / 0086, spaces, dashes, dots, full-width digits)
and bank card numbers (13-19 digits, grouped or not). Python's \\d matches full-width digits too.
`BLOB` is for whole files (logs, reports, the repository), which also hold hex hashes, decimals
and timestamps (`1793491200.0`, milliseconds): a number must not touch a letter or a decimal point,
a dot separates only a 3-4-4 mobile, and an ungrouped 13-19 digit run is not taken for a card.
"""

from __future__ import annotations

import re

_SEP = r"[ .\-\u3000\uff0d\uff0e]"
_ID = rf"\d{{6}}{_SEP}?\d{{8}}{_SEP}?\d{{3}}[\dXx\uff38\uff58]|\d{{15}}"
_MOBILE = rf"(?:[+\uff0b]?(?:00)?86{_SEP}?)?1{_SEP}?[3-9](?:{_SEP}?\d){{9}}"
_SEP_BLOB = r"[ \-\u3000\uff0d]"
_ID_BLOB = rf"\d{{6}}{_SEP_BLOB}?\d{{8}}{_SEP_BLOB}?\d{{3}}[\dXx\uff38\uff58]|\d{{15}}"
_MOBILE_BLOB = (
    rf"(?:[+\uff0b]?(?:00)?86{_SEP_BLOB}?)?(?:1{_SEP_BLOB}?[3-9](?:{_SEP_BLOB}?\d){{9}}|1[3-9]\d\.\d{{4}}\.\d{{4}})"
)
_CARD_GROUPED = r"\d{4}(?:[ \-]\d{4}){2}[ \-]\d{1,7}|\d{4}[ \-]\d{6}[ \-]\d{4,5}"
_CARD = rf"\d{{13,19}}|{_CARD_GROUPED}"

TEXT = re.compile(rf"(?<!\d)(?:{_ID}|{_CARD}|{_MOBILE})(?!\d)")
BLOB = re.compile(rf"(?<![\d.A-Za-z])(?:{_ID_BLOB}|{_MOBILE_BLOB}|{_CARD_GROUPED})(?![\dA-Za-z])")
