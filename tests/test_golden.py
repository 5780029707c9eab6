"""The generated Markdown of the sample corpus matches tests/golden/ (regenerate: make golden)."""

from __future__ import annotations

import pytest

from tests.golden import GOLDEN, render_sample

RENDERED = render_sample()


def test_same_set_of_files() -> None:
    on_disk = {path.relative_to(GOLDEN).as_posix() for path in GOLDEN.rglob("*.md")}
    assert on_disk == set(RENDERED)


@pytest.mark.parametrize("name", sorted(RENDERED))
def test_page_matches_golden(name: str) -> None:
    expected = (GOLDEN / name).read_text("utf-8")
    assert RENDERED[name] == expected, f"{name} changed: run `make golden` and review the diff"
