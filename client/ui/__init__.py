"""The Kivy field app. ``main(args)`` is what ``knockdoor app`` and ``python -m client.ui`` call.

Kivy reads its configuration when first imported, so ``main`` sets the window size and quiets
Kivy's own argument parsing before importing anything from Kivy.
"""
from __future__ import annotations

import argparse
import os
from pathlib import Path

DEFAULT_SIZE = "800x1280"


def default_data_dir() -> str:
    if os.environ.get("KNOCKDOOR_APP_DATA"):
        return os.environ["KNOCKDOOR_APP_DATA"]
    if os.environ.get("ANDROID_PRIVATE"):  # python-for-android: the app's private storage
        return str(Path(os.environ["ANDROID_PRIVATE"]) / "knockdoor")
    return str(Path.home() / ".knockdoor-app")


def configure_kivy(size: str | None = DEFAULT_SIZE) -> None:
    """Call before the first Kivy import."""
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    from kivy.config import Config

    if size:
        width, height = (int(part) for part in size.lower().split("x"))
        Config.set("graphics", "width", str(width))
        Config.set("graphics", "height", str(height))
    Config.set("graphics", "resizable", "1")
    Config.set("kivy", "exit_on_escape", "0")  # Esc / Android back goes back, never quits
    Config.set("input", "mouse", "mouse,disable_multitouch")


def build_app(data_dir: str, lang: str | None = None, size: str | None = DEFAULT_SIZE,
              server: str | None = None):
    configure_kivy(size)
    from .app import KnockdoorApp

    return KnockdoorApp(data_dir=data_dir, language=lang, server=server)


def on_android() -> bool:
    return "ANDROID_ARGUMENT" in os.environ or "ANDROID_PRIVATE" in os.environ


def main(args: argparse.Namespace | None = None) -> int:
    """Run the app. ``args`` may be None (the command line is read; what it does not know is
    ignored, as on Android where the launcher passes its own) or any object with some of
    ``data_dir``, ``lang``, ``size`` (missing ones take their defaults)."""
    if args is None:
        args, _unknown = parser().parse_known_args()
    data_dir = getattr(args, "data_dir", None) or default_data_dir()
    # On a device the window is the screen: no size is forced there.
    size = getattr(args, "size", None) or (None if on_android() else DEFAULT_SIZE)
    app = build_app(data_dir, getattr(args, "lang", None), size, getattr(args, "server", None))
    app.run()
    return 0


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="knockdoor app",
                                     description="The tablet app for knock-door visits.")
    parser.add_argument("--data-dir", default=None,
                        help="where the tablet keeps its local database (default "
                             "$KNOCKDOOR_APP_DATA or ~/.knockdoor-app)")
    parser.add_argument("--lang", choices=("zh_CN", "en"), default=None,
                        help="language (default: the last one chosen, else zh_CN)")
    parser.add_argument("--server", default=None,
                        help="server address (or a knockdoor://provision sign-in code) to fill "
                             "in at sign-in")
    parser.add_argument("--size", default=None,
                        help=f"window size WxH on a desktop (default {DEFAULT_SIZE})")
    return parser
