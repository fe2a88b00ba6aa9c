"""The UI suite runs the real app in a real Kivy window on a private Xvfb display."""
from __future__ import annotations

import shutil

import pytest

from testkit.app_driver import app_env, start_xvfb


@pytest.fixture(scope="session")
def display():
    if shutil.which("Xvfb") is None:
        # A failure, not a skip: `make test` installs Xvfb, so its absence is a broken setup,
        # and a skipped UI suite would look green.
        pytest.fail("Xvfb is not installed, so the UI tests cannot run. Install it "
                    "(sudo apt-get install -y xvfb, or run `make test`, which does) and run "
                    "them again.", pytrace=False)
    process, name = start_xvfb(800, 1280)
    yield name
    process.terminate()
    process.wait(10)


@pytest.fixture(scope="session")
def kivy_env(display, tmp_path_factory):
    return app_env(display, tmp_path_factory.mktemp("kivy-home"))
