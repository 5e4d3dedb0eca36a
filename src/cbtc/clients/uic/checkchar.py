"""Check characters from ISO/IEC 7064.

MOD 37,36 (the default) is the hybrid system over 0-9A-Z: the check character is itself a letter or digit.
It detects every single substitution, and all but a few adjacent transpositions (72 of the 45,360
combinations of running state and swapped pair, about 1 in 630; tests/clients/test_uic.py counts them).
MOD 37-2 is the pure system: it detects every single substitution and every adjacent transposition, at the
price of a 37th check character, "*".
"""

from __future__ import annotations

from .scheme import MOD_37_2, MOD_37_36

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_MOD_37_2_CHECKS = ALPHABET + "*"
_HYBRID_MODULUS = 36
_PURE_MODULUS = 37


def _hybrid_state(text: str) -> int:
    state = _HYBRID_MODULUS
    for char in text:
        state = ((state + ALPHABET.index(char)) % _HYBRID_MODULUS or _HYBRID_MODULUS) * 2 % (_HYBRID_MODULUS + 1)
    return state


def _pure_sum(text: str) -> int:
    total = 0
    for char in text:
        total = (total + _MOD_37_2_CHECKS.index(char)) * 2 % _PURE_MODULUS
    return total


def check_character(text: str, algorithm: str = MOD_37_36) -> str:
    """The check character for ``text`` (characters 0-9A-Z)."""
    if algorithm == MOD_37_36:
        return ALPHABET[(_HYBRID_MODULUS + 1 - _hybrid_state(text)) % _HYBRID_MODULUS]
    if algorithm == MOD_37_2:
        return _MOD_37_2_CHECKS[(_PURE_MODULUS + 1 - _pure_sum(text)) % _PURE_MODULUS]
    raise ValueError(f"unknown check character algorithm {algorithm!r}")


def check_alphabet(algorithm: str) -> str:
    return _MOD_37_2_CHECKS if algorithm == MOD_37_2 else ALPHABET


def has_valid_check(text: str, algorithm: str = MOD_37_36) -> bool:
    """Whether the last character of ``text`` is the check character of the rest."""
    if not text or any(char not in ALPHABET for char in text[:-1]) or text[-1] not in check_alphabet(algorithm):
        return False
    return check_character(text[:-1], algorithm) == text[-1]
