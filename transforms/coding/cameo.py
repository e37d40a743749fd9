"""The one place that maps a CAMEO event code to its description, base, root, QuadClass,
Goldstein value and PLOVER type.

The table lives in ``data/cameo_codes.tsv``: codes and Goldstein values follow the public CAMEO
codebook, descriptions and the CAMEO-to-PLOVER column are ours.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import NamedTuple, Optional

DATA_DIR = Path(__file__).resolve().parent / "data"
CAMEO_TABLE = DATA_DIR / "cameo_codes.tsv"


class CameoCode(NamedTuple):
    """Everything derived from one CAMEO event code."""

    code: str
    description: str
    base: str
    root: str
    quad_class: int
    goldstein: float
    plover_type: Optional[str]


def root_of(code: str) -> str:
    """The two-digit root of a CAMEO code: ``"0231"`` -> ``"02"``."""
    return code[:2]


def base_of(code: str) -> str:
    """The three-digit base of a CAMEO code (a root is its own base): ``"0231"`` -> ``"023"``."""
    return code[:3]


def quad_class_of(code: str) -> int:
    """GDELT QuadClass: 1 verbal cooperation (roots 01-05), 2 material cooperation (06-09),
    3 verbal conflict (10-14), 4 material conflict (15-20)."""
    root = int(root_of(code))
    if not 1 <= root <= 20:
        raise KeyError(f"not a CAMEO code: {code!r}")
    if root <= 5:
        return 1
    if root <= 9:
        return 2
    if root <= 14:
        return 3
    return 4


@functools.lru_cache(maxsize=1)
def cameo_table() -> dict[str, CameoCode]:
    """All CAMEO codes we know, keyed by code string (leading zeros kept)."""
    table: dict[str, CameoCode] = {}
    for line in CAMEO_TABLE.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#") or line.startswith("code\t"):
            continue
        code, goldstein, plover, description = line.split("\t")
        table[code] = CameoCode(
            code=code,
            description=description,
            base=base_of(code),
            root=root_of(code),
            quad_class=quad_class_of(code),
            goldstein=float(goldstein),
            plover_type=None if plover == "-" else plover,
        )
    return table


def lookup(code: str) -> CameoCode:
    """The facts about one CAMEO code; raises ``KeyError`` for codes outside the codebook."""
    return cameo_table()[code]
