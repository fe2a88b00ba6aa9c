"""Colours and sizes, in one place (no Kivy import). High contrast for older eyes in stairwells."""

INK = (0.11, 0.12, 0.14, 1)
MUTED_INK = (0.35, 0.37, 0.40, 1)
PAPER = (0.97, 0.96, 0.94, 1)
CARD = (1, 1, 1, 1)
LINE = (0.85, 0.84, 0.81, 1)
PRIMARY = (0.05, 0.42, 0.36, 1)      # deep green: the main action on each screen
SECONDARY = (0.20, 0.33, 0.55, 1)    # blue: other actions
DANGER = (0.72, 0.13, 0.13, 1)
CHIP_OFF = (0.90, 0.89, 0.86, 1)
CHIP_ON = (0.05, 0.42, 0.36, 1)
BAR = (0.12, 0.20, 0.28, 1)

TONES = {
    "alert": (0.78, 0.13, 0.13, 1),
    "warn": (0.80, 0.42, 0.00, 1),
    "info": (0.15, 0.38, 0.70, 1),
    "calm": (0.29, 0.36, 0.45, 1),  # waiting, nothing to do (no signal, records to send)
    "ok": (0.10, 0.50, 0.25, 1),
    "muted": (0.42, 0.44, 0.47, 1),
}


def tone(name: str):
    return TONES.get(name, TONES["muted"])
