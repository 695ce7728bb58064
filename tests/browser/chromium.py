"""Shared by the browser tests: Debian's Chromium (never downloaded), its flags, and the artefact folder."""

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = REPO_ROOT / "tests" / "artifacts"

# A skip mark, not a skip inside a fixture: marks are evaluated before any fixture is set up, so a
# machine without Chromium does not build the session's warehouse for nothing.
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"{CHROMIUM} is not installed: run `make browser-deps` (Debian chromium) to enable the browser tests",
)
