"""Scan a sign-in QR code with the camera (shown only where there is a camera and a decoder).

Frames are read a few times a second; the decoding runs on the worker, never on the UI thread.
A sign-in code found goes back to the sign-in screen, which fills itself in.
"""
from __future__ import annotations

import logging

from kivy.clock import Clock
from kivy.properties import StringProperty

from shared.provisioning import looks_like_payload

from ..i18n import _
from ..scanning import decode_qr, decoder_available
from .base import AppScreen

log = logging.getLogger(__name__)


def camera_available() -> bool:
    """A camera Kivy can open on this device, and the decoder to read its frames."""
    try:
        from kivy.core.camera import Camera as CoreCamera
    except Exception:  # noqa: BLE001 - a provider that fails to load means no camera
        return False
    return CoreCamera is not None and decoder_available()


class ScanScreen(AppScreen):
    status = StringProperty("")
    INTERVAL = 0.4  # seconds between two frames read

    def on_kv_post(self, _base) -> None:
        self._camera = None
        self._looking = None
        self._busy = False

    def load(self, **_params) -> None:
        self.status = _("Hold the sign-in code from your community in front of the camera.")
        if self._camera is None:
            try:
                from kivy.uix.camera import Camera
                self._camera = Camera(play=False, resolution=(640, 480))
            except Exception:  # noqa: BLE001 - no camera after all: typing stays
                log.exception("the camera could not be opened")
                self.status = _("The camera cannot be used. Type the address instead.")
                return
            self.ids.viewfinder.add_widget(self._camera)
        self._camera.play = True
        self._looking = Clock.schedule_interval(self._look, self.INTERVAL)

    def _look(self, _dt) -> None:
        texture = self._camera.texture if self._camera else None
        if texture is None or self._busy:
            return
        pixels, (width, height) = texture.pixels, texture.size
        self._busy = True
        self.app.local.submit(lambda: decode_qr(pixels, width, height), self._read,
                              self._failed)

    def _read(self, texts: list[str]) -> None:
        self._busy = False
        code = next((text for text in texts if looks_like_payload(text)), None)
        if code:
            self.stop()
            self.app.open_screen("signin", remember=False, code=code)
        elif texts:
            self.status = _("This is not a Knock-door sign-in code. Scan the code your "
                            "community gave you, or type the address.")

    def _failed(self, error: BaseException) -> None:
        self._busy = False
        log.error("reading a frame failed: %s", error)

    def stop(self) -> None:
        if self._looking is not None:
            self._looking.cancel()
            self._looking = None
        if self._camera is not None:
            self._camera.play = False

    def on_leave(self, *_args) -> None:
        self.stop()
