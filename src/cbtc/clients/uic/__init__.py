"""Unique Identifier Codes (UIC): a code built from facts a client can recall, so the same person gets the
same code again without a card. Pure Python, no database.

Schemes are data (definitions/uic/*.json, plus the directory in the setting CBTC_UIC_DEFINITIONS_DIR).
docs/uic-schemes.md describes them for service managers and operators; the constructions come from
shared/reference/notes/instruments-oat-uic-indicators.md, section 4.
"""

from .definitions import active_scheme, available_schemes, clear_scheme_cache, get_scheme, load_definition
from .engine import build_uic, parse_uic
from .names import normalise_name
from .scheme import UicDefinitionError, UicError, UicPart, UicQuestion, UicResult, UicScheme, normalise_code
from .similarity import uic_similarity

__all__ = [
    "UicDefinitionError",
    "UicError",
    "UicPart",
    "UicQuestion",
    "UicResult",
    "UicScheme",
    "active_scheme",
    "available_schemes",
    "build_uic",
    "clear_scheme_cache",
    "get_scheme",
    "load_definition",
    "normalise_code",
    "normalise_name",
    "parse_uic",
    "uic_similarity",
]
