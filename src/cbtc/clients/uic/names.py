"""Name normalisation: the same spelling always gives the same letters, whatever the script."""

from __future__ import annotations

import unicodedata

from anyascii import anyascii

_ASCII_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def normalise_name(text: str) -> str:
    """Upper-case A-Z only.

    NFKC first, so compatibility forms (full-width letters, ligatures) become ordinary letters. Only letters
    and combining marks go on to transliteration: anyascii spells symbols as words (an emoji would become
    letters of its English name) and digits are not part of a name. anyascii's table is fixed, so a name
    written the same way always gives the same letters; a different romanisation of the same name does not.
    """
    composed = unicodedata.normalize("NFKC", text)
    letters = "".join(char for char in composed if unicodedata.category(char)[0] in {"L", "M"})
    return "".join(char for char in anyascii(letters).upper() if char in _ASCII_LETTERS)
