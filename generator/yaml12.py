"""What plain YAML values mean: the YAML 1.2 core schema, as editors and pre-commit read it.

PyYAML resolves scalars with YAML 1.1's rules (`NO` is false, `yes` is true, `4.45e1` is text);
the contributor's editor (the YAML language server) and check-jsonschema read YAML 1.2. The
loader asks this module instead, so that one file gets one meaning everywhere (issue 10).
"""

from __future__ import annotations

import math
import re
from typing import Any


class Unagreed(ValueError):
    """A plain value that YAML tools read differently, or refuse: the contributor must quote it."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


# The YAML 1.2 core schema (yaml.org/spec/1.2.2, section 10.3) as check-jsonschema reads it:
# its reader, ruamel.yaml, also takes `_` between digits, `0b` binary and a sign before
# `0x`/`0o`, and reads `.5e3` (no sign after the e) as text. We follow it there, so that the
# pre-commit check and `cwb validate` never disagree; the editor reads those few forms as the
# core schema does. Dates stay the text that was written (check-jsonschema does the same).
_WORDS: dict[str, Any] = {
    **dict.fromkeys(("", "~", "null", "Null", "NULL")),
    **dict.fromkeys(("true", "True", "TRUE"), True),
    **dict.fromkeys(("false", "False", "FALSE"), False),
}
_NUMBER_STARTS = frozenset("-+0123456789.")
_FLOAT = re.compile(
    r"""[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+]?[0-9]+)?
      | [-+]?[0-9][0-9_]*[eE][-+]?[0-9]+
      | [-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?
      | [-+]?\.(?:inf|Inf|INF)
      | \.(?:nan|NaN|NAN)""",
    re.VERBOSE,
).fullmatch
_INT = re.compile(r"[-+]?(?:0b[01_]+|0o?[0-7_]+|[0-9_]+|0x[0-9a-fA-F_]+)").fullmatch
# ruamel.yaml gives these YAML 1.1 types (merge, value) and then fails to load the file.
_SPECIAL = frozenset(("<<", "="))


def resolve_plain(text: str) -> Any:
    """Return what a plain (unquoted) scalar means in YAML 1.2, as check-jsonschema reads it.

    Raise Unagreed for the few forms that YAML tools read differently or refuse.
    """
    value = _WORDS.get(text, _MISSING)
    if value is not _MISSING:
        return value
    if text[0] not in _NUMBER_STARTS:
        if text in _SPECIAL:
            raise Unagreed(
                f"a bare `{text}` has a special meaning in YAML",
                f"put it in quotes: '{text}'",
            )
        return text
    try:
        if _FLOAT(text):
            return _float(text)
        if _INT(text):
            return _int(text)
    except ValueError:  # e.g. `+_`, or more digits than Python reads; check-jsonschema fails too
        raise Unagreed(
            f"`{text[:40]}` is neither a number nor text that YAML tools agree on",
            "write the number with digits only, or put the text in quotes",
        ) from None
    return text


_MISSING = object()
_BASES = {"0b": 2, "0o": 8, "0x": 16}


# Numbers are built as ruamel.yaml's constructor builds them, so both read the same value.
def _float(text: str) -> float:
    digits = text.replace("_", "").lower()
    sign = -1.0 if digits[0] == "-" else 1.0
    digits = digits.lstrip("+-")
    if digits == ".inf":
        return sign * math.inf
    if digits == ".nan":
        return math.nan
    return sign * float(digits)


def _int(text: str) -> int:
    digits = text.replace("_", "")
    sign = -1 if digits[0] == "-" else 1
    digits = digits.lstrip("+-")
    base = _BASES.get(digits[:2])
    return sign * (int(digits[2:], base) if base else int(digits))
