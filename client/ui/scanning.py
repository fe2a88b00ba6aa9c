"""Reading a sign-in QR code from camera frames (no Kivy here: the scan screen hands frames over).

The decoder is zbar (pyzbar, with the system's libzbar). Where it or a camera is missing, the
sign-in screen offers no scan button and typing stays the way in.
"""
from __future__ import annotations


def decoder_available() -> bool:
    try:
        from pyzbar import pyzbar  # noqa: F401 - loads libzbar
    except (ImportError, OSError):
        return False
    return True


def decode_qr(pixels: bytes, width: int, height: int, channels: int = 4) -> list[str]:
    """The texts of the QR codes in one frame (``channels`` bytes a pixel, RGBA from a Kivy
    texture; one channel is grey enough for black on white)."""
    from pyzbar import pyzbar

    grey = pixels[1::channels] if channels > 1 else pixels
    if len(grey) < width * height:
        return []
    found = pyzbar.decode((bytes(grey[:width * height]), width, height),
                          symbols=[pyzbar.ZBarSymbol.QRCODE])
    return [symbol.data.decode("utf-8", "replace") for symbol in found]
