"""File-name slugs from client and person names, Cyrillic transliterated to ASCII."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

SLUG_PATTERN = r"^[a-z0-9-]+$"

# Bulgarian's official streamlined system (2009), with the Russian letters Bulgarian lacks.
_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p",
    "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "ts", "ч": "ch",
    "ш": "sh", "щ": "sht", "ъ": "a", "ь": "y", "ю": "yu", "я": "ya",
    "ё": "yo", "ы": "y", "э": "e", "є": "ye", "і": "i", "ї": "yi", "ґ": "g", "ў": "u",
    "ђ": "dj", "ј": "j", "љ": "lj", "њ": "nj", "ћ": "c", "џ": "dz", "ѓ": "gj", "ќ": "kj",
    "ѕ": "dz",
}  # fmt: skip
_TABLE = str.maketrans(_CYRILLIC | {"ß": "ss", "æ": "ae", "ø": "o", "đ": "d", "ł": "l", "œ": "oe"})


@lru_cache(maxsize=256)  # the names of one dossier, asked for again and again
def slugify(text: str) -> str:
    """``Балкан Транс ЕООД`` -> ``balkan-trans-eood``; empty when nothing is left."""
    text = unicodedata.normalize("NFKC", text).lower().translate(_TABLE)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")
