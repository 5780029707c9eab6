"""CSV cells that a spreadsheet shows as text: the one rule for every CSV the site publishes."""

from __future__ import annotations

# A spreadsheet reads a cell that starts with one of these as a formula (OWASP, "CSV
# Injection"), the full-width forms included; whitespace before them does not stop some.
FORMULA_STARTS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")
FORMULA_NOTE = (
    "A text that a spreadsheet would read as a formula (one that starts with =, +, -, @, a tab"
    " or a line break, or their full-width forms) begins with a single quote (') in the CSV,"
    " so that it shows as text; case-studies.json holds every text exactly."
)


def spreadsheet_cell(value: object) -> object:
    """Return a CSV cell that no spreadsheet runs as a formula: text that would start one gets
    a leading single quote (OWASP's advice); numbers are left as they are."""
    if isinstance(value, str) and (
        value[:1] in FORMULA_STARTS or value.lstrip()[:1] in FORMULA_STARTS
    ):
        return "'" + value
    return value
