"""Dates as readers of a British English site expect them, whatever the machine's locale."""

from __future__ import annotations

import datetime as dt

# Spelt out here rather than taken from `calendar`, whose names follow the locale.
MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def long_date(iso: str) -> str:
    """Return an ISO date or UTC timestamp (2026-11-23T10:00Z) as '23 November 2026'."""
    day = dt.date.fromisoformat(iso[:10])
    return f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


def month_title(key: str) -> str:
    """Return 'YYYY-MM' as 'November 2026'."""
    year, month = key.split("-")
    return f"{MONTH_NAMES[int(month) - 1]} {year}"
