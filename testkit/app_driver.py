"""Drive the real app like a person, from another process.

Child side (``python -m testkit.app_driver DATA_DIR LANG``): runs the Kivy app and reads one JSON
command per line on stdin; each is carried out on the UI thread and answered with one line
``@@{json}`` on stdout. Taps are real touch events at the widget's place in the window, so they
go through the same dispatch as a finger (a disabled or covered button does not react).

Parent side: :class:`AppDriver` starts the child and offers ``tap``, ``type``, ``texts``,
``wait_for_text``… to tests and to the screenshot script.
"""
from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PREFIX = "@@"
ROOT = Path(__file__).resolve().parents[1]


# ---- child side ------------------------------------------------------------------------------


def _serve(data_dir: str, lang: str, server: str | None = None) -> None:
    from client.ui import build_app

    app = build_app(data_dir, lang, "800x1280", server)

    from kivy.clock import Clock
    from kivy.core.window import Window
    from kivy.tests.common import UnitTestTouch
    from kivy.uix.behaviors import ButtonBehavior
    from kivy.uix.scrollview import ScrollView
    from kivy.uix.textinput import TextInput

    from client.ui.screens.today import ResidentRow

    commands: queue.Queue = queue.Queue()

    def read_stdin():
        for line in sys.stdin:
            if line.strip():
                commands.put(json.loads(line))
        commands.put({"cmd": "quit"})

    threading.Thread(target=read_stdin, daemon=True).start()

    def reply(payload: dict) -> None:
        sys.stdout.write(PREFIX + json.dumps(payload, ensure_ascii=False) + "\n")
        sys.stdout.flush()

    def roots():
        """The current screen, and any popup over it."""
        found = [app.root.current_screen] if app.root else []
        found += [w for w in Window.children if w is not app.root]
        return found

    def walk(widget):
        yield widget
        for child in list(widget.children):
            yield from walk(child)

    def shown(widget) -> bool:
        node = widget
        while node is not None and node is not Window:
            if getattr(node, "opacity", 1) == 0:
                return False
            node = node.parent
        x, y = widget.to_window(*widget.center)
        return 0 <= x <= Window.width and 0 <= y <= Window.height and widget.height > 0

    def text_of(widget) -> str:
        if isinstance(widget, ResidentRow):
            return f"{widget.title} {widget.badge} {widget.unsent_text}"
        return getattr(widget, "text", "") or ""

    def find(text: str, exact: bool = False):
        for root in reversed(roots()):  # a popup first
            for widget in walk(root):
                if not isinstance(widget, ButtonBehavior) or widget.disabled:
                    continue
                label = text_of(widget)
                if (label == text) if exact else (text in label):
                    return widget
        return None

    def scroll_into_view(widget) -> None:
        node = widget.parent
        while node is not None and node is not Window:
            if isinstance(node, ScrollView) and hasattr(node, "scroll_to"):
                content = node.children[0] if node.children else None
                if content is None or content.height <= node.height:
                    return  # nothing to scroll (scroll_to would overscroll and spring back)
                try:
                    node.scroll_to(widget, padding=40, animate=False)
                except Exception:  # noqa: BLE001 - RecycleView children cannot be scrolled to
                    pass
                return
            node = node.parent

    def touch(widget, then) -> None:
        scroll_into_view(widget)

        def press(_dt):
            x, y = widget.to_window(*widget.center)
            finger = UnitTestTouch(x, y)
            finger.touch_down()
            finger.touch_up()
            Clock.schedule_once(lambda _dt: then(), 0.05)
        Clock.schedule_once(press, 0.1)  # let the scroll and layout settle first

    def by_id(screen, widget_id: str):
        """A kv id, or a widget the screen made in code (its ``inputs`` and ``parts``)."""
        return getattr(screen, "inputs", {}).get(widget_id) or \
            getattr(screen, "parts", {}).get(widget_id) or screen.ids[widget_id]

    def handle(command: dict) -> None:
        cmd = command["cmd"]
        screen = app.root.current_screen if app.root else None
        if cmd == "quit":
            app.stop()
            return
        if cmd == "ping":
            reply({"ready": bool(app.ready), "screen": app.root.current if app.root else None})
        elif cmd == "texts":
            texts = []
            for root in roots():
                for widget in walk(root):
                    label = text_of(widget)
                    if label and shown(widget) and not isinstance(widget, TextInput):
                        texts.append(label)
            reply({"screen": app.root.current, "texts": texts})
        elif cmd == "tap":
            def tap(_dt):
                # looked up a moment later, once lists refilled by the last change are laid out
                widget = find(command["text"], command.get("exact", False))
                if widget is None:
                    reply({"ok": False, "error": f"nothing to tap with {command['text']!r}"})
                else:
                    touch(widget, lambda: reply({"ok": True, "screen": app.root.current}))
            Clock.schedule_once(tap, 0.15)
        elif cmd == "tap_id":
            widget = by_id(screen, command["id"])
            touch(widget, lambda: reply({"ok": True, "screen": app.root.current}))
        elif cmd == "type":
            field = by_id(screen, command["id"])

            def typed():
                field.text = ""
                field.insert_text(command["text"])  # as the keyboard does, one insert
                reply({"ok": True})
            touch(field, typed)
        elif cmd == "field":  # what a text field holds (tests reading a restored form)
            reply({"text": by_id(screen, command["id"]).text})
        elif cmd == "rows":
            reply({"rows": list(app.screen("today").ids.rows.data),
                   "row_widgets": ResidentRow.created})
        elif cmd == "state":
            state = app.autosync.state if app.autosync else None
            reply({"screen": app.root.current, "connection": app.connection_text,
                   "online": state.online if state else None,
                   "syncing": state.syncing if state else False,
                   "unsent": state.unsent if state else None})
        elif cmd == "scroll":
            view = screen.ids[command["id"]]
            view.scroll_y = command["to"]
            Clock.schedule_once(lambda _dt: reply({"ok": True}), 0.1)
        elif cmd == "screenshot":
            target = Path(command["path"])
            written = Window.screenshot(name=str(target.with_name(target.stem + "-tmp.png")))
            os.replace(written, target)
            reply({"ok": True, "path": str(target)})
        elif cmd == "open":  # for the screenshot script; tests tap like a person
            app.open_screen(command["screen"], **command.get("params", {}))
            Clock.schedule_once(lambda _dt: reply({"ok": True}), 0.3)
        elif cmd == "font_scale":  # the text size, for this run only (prefs untouched)
            app.font_scale = float(command["scale"])
            Clock.schedule_once(lambda _dt: reply({"ok": True}), 0.3)
        elif cmd == "back":
            app.go_back()
            reply({"ok": True, "screen": app.root.current})
        elif cmd == "idle":  # as if nobody had touched the tablet for this many minutes
            from datetime import timedelta
            lock = app.service.lock
            if lock.last_activity is not None:
                lock.last_activity -= timedelta(minutes=command["minutes"])
            app._check_gate()
            Clock.schedule_once(lambda _dt: reply({"ok": True}), 0.3)
        else:
            reply({"ok": False, "error": f"unknown command {cmd}"})

    def pump(_dt):
        while True:
            try:
                command = commands.get_nowait()
            except queue.Empty:
                return
            try:
                handle(command)
            except Exception as error:  # noqa: BLE001 - the test reads it
                reply({"ok": False, "error": f"{error.__class__.__name__}: {error}"})

    Clock.schedule_interval(pump, 0.02)
    app.run()


# ---- parent side ---------------------------------------------------------------------------


class DriverError(AssertionError):
    pass


class AppDriver:
    def __init__(self, data_dir: str | Path, lang: str = "zh_CN", env: dict | None = None,
                 log_path: str | Path | None = None, server: str | None = None) -> None:
        """``server``: as ``knockdoor app --server`` (an address or a sign-in code)."""
        self.log = open(log_path, "w") if log_path else subprocess.DEVNULL
        self.process = subprocess.Popen(
            [sys.executable, "-m", "testkit.app_driver", str(data_dir), lang] +
            ([server] if server else []),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log, text=True,
            cwd=ROOT, env={**os.environ, **(env or {})}, bufsize=1)
        self.answers: queue.Queue = queue.Queue()
        #: Touches so far (a button, a chip or a field before typing): tests count a task's taps.
        self.taps = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            if line.startswith(PREFIX):
                self.answers.put(json.loads(line[len(PREFIX):]))
        self.answers.put(None)

    def send(self, timeout: float = 20.0, **command) -> dict:
        self.process.stdin.write(json.dumps(command, ensure_ascii=False) + "\n")
        self.process.stdin.flush()
        try:
            answer = self.answers.get(timeout=timeout)
        except queue.Empty:
            raise DriverError(f"no answer to {command}") from None
        if answer is None:
            raise DriverError(f"the app exited (code {self.process.poll()}) during {command}")
        if answer.get("ok") is False:
            raise DriverError(answer.get("error"))
        return answer

    def wait_until(self, check, timeout: float = 20.0, what: str = "", interval=0.2):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            last = check()
            if last:
                return last
            time.sleep(interval)
        raise DriverError(f"timed out waiting for {what or check}: last {last!r}; "
                          f"screen shows {self.texts()}")

    def wait_ready(self, timeout: float = 30.0) -> None:
        self.wait_until(lambda: self.send(cmd="ping")["ready"], timeout, "the app to start")

    def texts(self) -> list[str]:
        return self.send(cmd="texts")["texts"]

    def screen(self) -> str:
        return self.send(cmd="ping")["screen"]

    def shows(self, text: str) -> bool:
        return any(text in shown for shown in self.texts())

    def wait_for_text(self, text: str, timeout: float = 20.0) -> None:
        self.wait_until(lambda: self.shows(text), timeout, f"text {text!r}")

    def wait_for_screen(self, name: str, timeout: float = 20.0) -> None:
        self.wait_until(lambda: self.screen() == name, timeout, f"screen {name}")

    def tap(self, text: str, exact: bool = False) -> dict:
        self.taps += 1
        return self.send(cmd="tap", text=text, exact=exact)

    def tap_id(self, widget_id: str) -> dict:
        self.taps += 1
        return self.send(cmd="tap_id", id=widget_id)

    def type(self, widget_id: str, text: str) -> dict:
        self.taps += 1  # the field is touched, then typed into
        return self.send(cmd="type", id=widget_id, text=text)

    def back(self) -> dict:
        return self.send(cmd="back")

    def fill_sign_in(self, server_url: str, username: str, password: str, device_name: str,
                     button: str = "登录") -> None:
        """On the sign-in screen: type the four fields and press the sign-in button."""
        self.type("server_url", server_url)
        self.type("username", username)
        self.type("password", password)
        self.type("device_name", device_name)
        self.tap(button, exact=True)

    def choose_pin(self, pin: str = "4821", button: str = "保存解锁密码") -> None:
        """After a first sign-in: choose the unlock code (typed twice), then the Today list."""
        self.wait_for_screen("pin")
        self.type("pin", pin)
        self.type("pin_again", pin)
        self.tap(button)
        self.wait_for_screen("today")

    def unlock(self, pin: str, button: str | None = None) -> None:
        """On the unlock screen a started app asks for: type ``pin``, press the unlock button
        (by its words when given, else by its id), then the Today list."""
        self.wait_for_screen("pin")
        self.type("pin", pin)
        if button is None:
            self.tap_id("submit")
        else:
            self.tap(button, exact=True)
        self.wait_for_screen("today")

    def field(self, widget_id: str) -> str:
        return self.send(cmd="field", id=widget_id)["text"]

    def rows(self) -> dict:
        return self.send(cmd="rows")

    def state(self) -> dict:
        return self.send(cmd="state")

    def screenshot(self, path: str | Path) -> None:
        self.send(cmd="screenshot", path=str(path))

    def close(self) -> None:
        if self.process.poll() is None:
            try:
                self.process.stdin.write(json.dumps({"cmd": "quit"}) + "\n")
                self.process.stdin.flush()
                self.process.wait(10)
            except (OSError, subprocess.TimeoutExpired, ValueError):
                self.process.kill()
                self.process.wait()
        if self.log is not subprocess.DEVNULL:
            self.log.close()


def start_xvfb(width: int = 800, height: int = 1280):
    """A private X server; returns (process, ':N'). The display number is chosen by Xvfb."""
    read, write = os.pipe()
    process = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0",
                                f"{width}x{height}x24", "-nolisten", "tcp"], pass_fds=(write,),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    number = b""
    while not number.endswith(b"\n"):
        chunk = os.read(read, 16)
        if not chunk:
            break
        number += chunk
    os.close(read)
    if not number.strip():
        process.kill()
        raise RuntimeError("Xvfb did not start")
    return process, f":{number.decode().strip()}"


def app_env(display: str, kivy_home: str | Path) -> dict:
    return {"DISPLAY": display, "KIVY_NO_ARGS": "1", "KIVY_HOME": str(kivy_home),
            "KIVY_NO_FILELOG": "1", "KIVY_LOG_MODE": "PYTHON"}


@contextmanager
def tablet_screen(width: int = 800, height: int = 1280) -> Iterator[tuple[dict, Path]]:
    """A private X server the size of a tablet and a scratch folder, for a script that shoots
    the app: yields (the app's environment, the folder); both are gone afterwards."""
    workdir = Path(tempfile.mkdtemp(prefix="knockdoor-shots-"))
    xvfb, display = start_xvfb(width, height)
    try:
        yield app_env(display, workdir / "kivy-home"), workdir
    finally:
        xvfb.terminate()
        xvfb.wait()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    _serve(*sys.argv[1:4])
