"""The Makefile's demo targets and the README lines that document them."""

import re
import subprocess
from pathlib import Path

import pytest

HAS_MAKE = subprocess.run(["which", "make"], capture_output=True).returncode == 0
ROOT = Path(__file__).resolve().parent.parent


def _recipe(target: str) -> str:
    text = (ROOT / "Makefile").read_text()
    match = re.search(rf"^{re.escape(target)}:.*\n((?:\t.*\n)+)", text, re.MULTILINE)
    assert match, f"no {target} target"
    return match.group(1)


def test_demo_reset_removes_the_demo_database_and_media_then_seeds():
    text = (ROOT / "Makefile").read_text()
    phony = re.search(r"^\.PHONY:(.*)$", text, re.MULTILINE).group(1).split()
    assert "demo-reset" in phony
    recipe = _recipe("demo-reset")
    assert "$(VAR_DIR)/lectern.sqlite3" in recipe
    assert "rm -rf $(VAR_DIR)/media $(VAR_DIR)/private" in recipe
    assert "$(MAKE) seed" in recipe
    assert "DATABASE_URL" in recipe  # refuses to touch a configured database


@pytest.mark.skipif(not HAS_MAKE, reason="needs make")
def test_demo_reset_refuses_when_a_database_url_is_set(tmp_path):
    (tmp_path / "lectern.sqlite3").write_text("keep")
    result = subprocess.run(
        ["make", "-C", str(ROOT), "demo-reset", f"VAR_DIR={tmp_path}"],
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": "postgres://x/y"},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "unset DATABASE_URL" in result.stderr
    assert (tmp_path / "lectern.sqlite3").read_text() == "keep"


def test_the_readme_documents_port_and_demo_reset():
    readme = (ROOT / "README.md").read_text()
    assert "make demo PORT=8080" in readme
    step_7 = readme[readme.index("7. **Live room**") : readme.index("8. **Recording**")]
    assert "make demo-reset" in step_7
    assert "../shared" not in readme
