"""Grid codes: the administrative division code (GB/T 2260, six digits) of the county-level
district, then the street (three digits), the community (three digits) and the grid's sequence
(three digits), e.g. 410902-001-003-012. Unique by construction; imports and exports use them."""
from __future__ import annotations

import re
from dataclasses import dataclass

GRID_CODE_RE = re.compile(r"^(\d{6})-(\d{3})-(\d{3})-(\d{3})\Z")


class GridCodeError(ValueError):
    pass


@dataclass(frozen=True)
class GridCode:
    division: str
    street: int
    community: int
    sequence: int

    def __str__(self) -> str:
        return f"{self.division}-{self.street:03d}-{self.community:03d}-{self.sequence:03d}"


def make_grid_code(division: str, street: int, community: int, sequence: int) -> str:
    if not re.fullmatch(r"\d{6}", division or "") or division[2:] == "0000":
        raise GridCodeError("The division code must be six digits of a county-level district "
                            "(GB/T 2260), e.g. 410902.")
    for name, number in (("street", street), ("community", community), ("sequence", sequence)):
        if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= 999:
            raise GridCodeError(f"The {name} number must be from 1 to 999.")
    return str(GridCode(division, street, community, sequence))


def parse_grid_code(text: str) -> GridCode:
    """Raises GridCodeError when ``text`` is not a structured grid code."""
    found = GRID_CODE_RE.match((text or "").strip())
    if not found:
        raise GridCodeError("A grid code looks like 410902-001-003-012: division code, street, "
                            "community and grid number.")
    division, street, community, sequence = found.groups()
    make_grid_code(division, int(street), int(community), int(sequence))
    return GridCode(division, int(street), int(community), int(sequence))
