"""Languages of sources, named from their BCP 47 tags (pycountry's ISO 639 tables)."""

from __future__ import annotations

import pycountry


def language_name(tag: str) -> str | None:
    """Return a language's English name for a BCP 47 tag (its primary subtag), or None."""
    code = tag.split("-")[0]
    found = (
        pycountry.languages.get(alpha_2=code)
        if len(code) == 2
        else pycountry.languages.get(alpha_3=code)
    )
    return None if found is None else str(found.name)
