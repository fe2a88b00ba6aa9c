"""The tablet reads a sign-in QR code from a camera frame (issue 11, the screens 4): the frame is
made here from the code the web view would show, as the camera's texture delivers it (RGBA)."""
from __future__ import annotations

import segno

from client.ui import presenters as pr
from client.ui.scanning import decode_qr, decoder_available
from shared.provisioning import format_payload


def frame(text: str, scale: int = 6, border: int = 4) -> tuple[bytes, int, int]:
    """An RGBA frame of ``text`` as a QR code: black modules on white paper."""
    matrix = [list(row) for row in segno.make_qr(text, error="m").matrix]
    size = (len(matrix) + 2 * border) * scale
    pixels = bytearray(b"\xff" * size * size * 4)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if not dark:
                continue
            for dy in range(scale):
                start = (((y + border) * scale + dy) * size + (x + border) * scale) * 4
                pixels[start:start + scale * 4] = b"\x00\x00\x00\xff" * scale
    return bytes(pixels), size, size


def test_the_decoder_is_installed():
    assert decoder_available(), "pyzbar and the system's libzbar0 (make test installs them)"


def test_a_frame_with_the_web_views_code_fills_the_sign_in():
    payload = format_payload("https://knock.example.org", "7KQ2-M9PD", "lixiaohong")
    [read] = decode_qr(*frame(payload))
    assert read == payload
    values, code, _said = pr.read_provisioning(read)
    assert values == {"server_url": "https://knock.example.org", "username": "lixiaohong"}
    assert code == "7KQ2-M9PD"


def test_a_frame_without_a_code_reads_nothing():
    assert decode_qr(b"\xff" * 64 * 64 * 4, 64, 64) == []
    assert decode_qr(b"\xff" * 10, 64, 64) == []  # a short frame is not read past its end
