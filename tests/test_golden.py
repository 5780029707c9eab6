"""The generated pages, exports and news pages of the sample corpus match tests/golden/.

Regenerate with `make golden` after an intended change, then review the diff.
"""

from __future__ import annotations

import pytest

from tests.golden import GOLDEN, export_sample, news_sample, render_sample

RENDERED = {**render_sample(), **export_sample(), **news_sample()}


def test_same_set_of_files() -> None:
    on_disk = {path.relative_to(GOLDEN).as_posix() for path in GOLDEN.rglob("*") if path.is_file()}
    assert on_disk == set(RENDERED)


@pytest.mark.parametrize("name", sorted(RENDERED))
def test_file_matches_golden(name: str) -> None:
    expected = (GOLDEN / name).read_text("utf-8")
    assert RENDERED[name] == expected, f"{name} changed: run `make golden` and review the diff"
