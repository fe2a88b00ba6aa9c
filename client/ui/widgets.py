"""Python halves of the shared widgets whose look is in widgets.kv (beside this module).

They are real classes (not kv dynamic classes) so screens can pass their properties when making
them. Importing this module registers them with Kivy's Factory.
"""
from kivy.factory import Factory
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.togglebutton import ToggleButton


class Chip(ToggleButton):
    """A tappable choice; ``code`` is the protocol value it stands for. ``multiple`` (no
    group: any of several may be chosen) draws a tick box, else a radio circle."""
    code = StringProperty("")
    multiple = BooleanProperty(False)


class Card(BoxLayout):
    pass


class FactRow(BoxLayout):
    name = StringProperty("")
    value = StringProperty("")


class TimelineEntry(Card):
    head = StringProperty("")
    body = StringProperty("")
    by = StringProperty("")
    state = StringProperty("")
    voided = BooleanProperty(False)


class ConflictEntry(Card):
    head = StringProperty("")
    body = StringProperty("")
    status = StringProperty("")


for _cls in (Chip, Card, FactRow, TimelineEntry, ConflictEntry):
    Factory.register(_cls.__name__, cls=_cls)
