"""How surnames are read: 翟 zhai, 单 shan, 曾 zeng, 尉迟 yu chi ... (toneless, ü written as v).

Generated data (scripts/surnames.py), one module per kind: compound surnames first, so a name
is matched by its longest surname.
"""

from .compound import COMPOUND
from .single import SINGLE

SURNAMES: dict[str, str] = {**COMPOUND, **SINGLE}
