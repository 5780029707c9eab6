"""Whatever YAML-ish text a contributor writes, the validator answers with problems, not a crash."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.load import parse_document
from generator.schema_check import case_study_check

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=30),
)
TREES = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(min_size=1, max_size=12), children, max_size=4),
    ),
    max_leaves=30,
)
YAML_BITS = st.lists(
    st.sampled_from(
        [
            "slug:",
            " ",
            "\n",
            "  ",
            "- ",
            "[",
            "]",
            "{",
            "}",
            ",",
            ":",
            "&a ",
            "*a",
            "!!python/name:x ",
            "'",
            '"',
            "#",
            "|",
            ">",
            "---",
            "...",
            "? ",
            "title",
            "2016-01-01",
            "\t",
            "%YAML 1.1",
            "\x85",
        ]
    ),
    max_size=40,
).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=200), YAML_BITS, st.binary(max_size=200)))
def test_any_input_gives_data_or_problems(source: str | bytes) -> None:
    raw = source.encode("utf-8", "surrogatepass") if isinstance(source, str) else source
    document = parse_document(raw, Path("fuzz.yaml"))
    assert document.ok or document.problems
    if document.ok:
        for problem in case_study_check().problems(document):
            assert problem.line >= 1 and problem.column >= 1
            assert problem.message


@settings(max_examples=200, deadline=None)
@given(TREES)
def test_any_mapping_maps_every_schema_error_to_a_line(tree: object) -> None:
    import yaml

    text = yaml.safe_dump({"slug": "fuzz", "extra": tree}, allow_unicode=True)
    document = parse_document(text.encode(), Path("fuzz.yaml"))
    assert document.ok, document.problems
    problems = case_study_check().problems(document)
    assert any("unknown field 'extra'" in problem.message for problem in problems)
    for problem in problems:
        assert 1 <= problem.line <= text.count("\n") + 1
