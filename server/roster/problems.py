"""A problem found in a roster cell.

The pure parsers do not translate: they raise :class:`Problem` with an English message id and
its parameters, and the page translates it in the supervisor's language.
"""
from __future__ import annotations


def N_(message: str) -> str:
    """Mark ``message`` as a msgid of the web catalog where it is written, to be translated
    where it is shown (the catalog's extractor looks for this name)."""
    return message


class Problem(ValueError):
    """A value that cannot be read. ``message`` is a msgid of the web catalog."""

    def __init__(self, message: str, translated: tuple[str, ...] = (), **params) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params
        #: Parameters that are themselves msgids ("male"), translated with the message.
        self.translated = translated

    def text(self, gettext) -> str:
        params = {name: gettext(value) if name in self.translated else value
                  for name, value in self.params.items()}
        return gettext(self.message, **params)
