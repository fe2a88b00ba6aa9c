"""The app's view of the one vocabulary (shared/vocabulary.py): a kind of code as a mapping of
code → word in the language the app speaks *now*. No Kivy: presenters and tests use it."""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from shared import vocabulary

from .i18n import language


class Words(Mapping):
    """``codes`` limits the mapping to what the tablet may send today (the pickers' choices);
    any code of the kind still reads as its word."""

    def __init__(self, kind: str, codes: Iterable[str] | None = None,
                 aliases: dict[str, str] | None = None) -> None:
        self.kind = kind
        self.aliases = aliases or {}
        self.codes = (tuple(codes) if codes is not None else vocabulary.codes(kind)) + \
            tuple(self.aliases)

    def __getitem__(self, code: str) -> str:
        if code not in self.codes:
            raise KeyError(code)
        return self.word(code)

    def __iter__(self) -> Iterator[str]:
        return iter(self.codes)

    def __len__(self) -> int:
        return len(self.codes)

    def word(self, code) -> str:
        """The word for any code of the kind ("其他" for a code from a newer version)."""
        return vocabulary.label(self.kind, self.aliases.get(code, code), language())
