"""Find a font that has Chinese glyphs (Kivy's bundled Roboto has none: you get boxes).

Android's own CJK fonts first, then the desktop's (fontconfig or well-known paths), then the
open-licence font bundled with the app (WenQuanYi Micro Hei, Apache-2.0; see fonts/).
No Kivy import: ``register_default_font`` imports it only when called.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

BUNDLED = Path(__file__).resolve().parent / "fonts" / "wqy-microhei.ttc"

ANDROID_FONTS = (
    "/system/fonts/NotoSansCJK-Regular.ttc", "/system/fonts/NotoSansSC-Regular.otf",
    "/system/fonts/NotoSansHans-Regular.otf", "/system/fonts/DroidSansFallbackFull.ttf",
    "/system/fonts/DroidSansFallback.ttf",
)
LINUX_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)


def _fontconfig_match() -> str | None:
    if not shutil.which("fc-match"):
        return None
    try:
        found = subprocess.run(["fc-match", "-f", "%{file}", ":lang=zh-cn"], capture_output=True,
                               text=True, timeout=3).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    # fontconfig answers with *some* font even when none covers Chinese: trust known families.
    if found and any(word in found.lower() for word in ("cjk", "wqy", "droidsansfallback",
                                                         "notosanssc", "hei", "song")):
        return found
    return None


def find_cjk_font(platform: str = "linux") -> str:
    """The path of a font that renders Simplified Chinese, always (the bundled one last)."""
    candidates = list(ANDROID_FONTS) if platform == "android" else []
    for path in candidates + list(LINUX_FONTS):
        if Path(path).is_file():
            return path
    if platform != "android":
        matched = _fontconfig_match()
        if matched and Path(matched).is_file():
            return matched
    return str(BUNDLED)


def register_default_font(path: str | None = None) -> str:
    """Make the CJK font the one every Label and TextInput uses by default."""
    from kivy.core.text import DEFAULT_FONT, LabelBase
    from kivy.utils import platform

    path = path or find_cjk_font(platform)
    LabelBase.register(DEFAULT_FONT, fn_regular=path, fn_bold=path)
    LabelBase.register("Knockdoor", fn_regular=path, fn_bold=path)
    return path
