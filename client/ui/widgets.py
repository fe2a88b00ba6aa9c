"""Python halves of the shared widgets whose look is in widgets.kv (beside this module).

They are real classes (not kv dynamic classes) so screens can pass their properties when making
them. Importing this module registers them with Kivy's Factory.
"""
from kivy.factory import Factory
from kivy.properties import BooleanProperty, ListProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.stacklayout import StackLayout
from kivy.uix.togglebutton import ToggleButton


class Chip(ToggleButton):
    """A tappable choice; ``code`` is the protocol value it stands for. ``multiple`` (no
    group: any of several may be chosen) draws a tick box, else a radio circle."""
    code = StringProperty("")
    multiple = BooleanProperty(False)


class ChoiceChips(StackLayout):
    """A set of chips declared in kv: ``choices`` [(code, words)], one of them (``group``
    named: a radio group; ``required``: one always chosen) or any of several (no group).
    Dispatches ``on_choice(code, chosen)`` on a tap; ``chips`` maps each code to its chip."""
    choices = ListProperty([])
    group = StringProperty("")
    required = BooleanProperty(False)
    chip_class = StringProperty("Chip")
    __events__ = ("on_choice",)

    def __init__(self, **kwargs) -> None:
        self.chips: dict = {}
        super().__init__(**kwargs)

    def on_choices(self, *_args) -> None:
        self._build()

    def on_group(self, *_args) -> None:
        self._build()

    def _build(self) -> None:
        self.clear_widgets()
        self.chips = {}
        make = getattr(Factory, self.chip_class)
        for code, words in self.choices:
            chip = make(text=words, code=code, group=self.group or None,
                        allow_no_selection=not self.required)
            chip.bind(on_release=lambda c: self.dispatch("on_choice", c.code,
                                                         c.state == "down"))
            self.add_widget(chip)
            self.chips[code] = chip

    def show(self, chosen) -> None:
        """Put the chips in ``chosen`` (codes) down and the others up."""
        for code, chip in self.chips.items():
            chip.state = "down" if code in chosen else "normal"

    def on_choice(self, code: str, chosen: bool) -> None:
        pass


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


for _cls in (Chip, ChoiceChips, Card, FactRow, TimelineEntry, ConflictEntry):
    Factory.register(_cls.__name__, cls=_cls)
