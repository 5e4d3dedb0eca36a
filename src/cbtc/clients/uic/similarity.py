"""How alike two codes are, part by part, for ranking duplicate candidates at registration."""

from __future__ import annotations

import math

from rapidfuzz.distance import OSA, JaroWinkler

from .scheme import DATE, DIGITS, UicPart, UicScheme, normalise_code

# The check character carries no information of its own; it only breaks ties between otherwise equal codes.
_CHECK_WEIGHT = 0.25
# A part unknown on either side is no evidence either way: it counts at half weight and half score, so it
# neither makes two codes look alike nor pushes them apart.
_UNKNOWN_SCORE = 0.5
_UNKNOWN_WEIGHT = 0.5


def _part_score(part: UicPart, left: str, right: str) -> float:
    # Numbers are mistyped digit by digit, and two digits swapped (1970 -> 1907) count as one slip (OSA);
    # names are compared with Jaro-Winkler, which favours a shared beginning.
    if part.kind in {DIGITS, DATE}:
        return OSA.normalized_similarity(left, right)
    return JaroWinkler.normalized_similarity(left, right)


def _weighted(scheme: UicScheme, left: str, right: str) -> float:
    total = weights = 0.0
    for part in scheme.parts:
        a, b = left[part.start : part.end], right[part.start : part.end]
        if part.filler in (a, b):
            score, weight = _UNKNOWN_SCORE, part.weight * _UNKNOWN_WEIGHT
        else:
            score, weight = _part_score(part, a, b), part.weight
        total += score * weight
        weights += weight
    if scheme.check_character:
        total += _CHECK_WEIGHT * (left[-1] == right[-1])
        weights += _CHECK_WEIGHT
    return total / weights


def uic_similarity(scheme: UicScheme, a: str, b: str) -> float:
    """0.0 to 1.0, and 1.0 only for the same code (after normalising case, spaces, dashes and dots).

    Codes that do not both have the scheme's length (another scheme, a typing slip) are compared as whole
    strings.
    """
    left, right = normalise_code(a), normalise_code(b)
    if left == right:
        return 1.0
    if len(left) == len(right) == scheme.length:
        score = _weighted(scheme, left, right)
    else:
        score = OSA.normalized_similarity(left, right)
    # Different codes must never score as the same one, whatever the rounding.
    return min(max(score, 0.0), math.nextafter(1.0, 0.0))
