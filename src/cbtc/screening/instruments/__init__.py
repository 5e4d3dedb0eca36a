"""The screening instrument engine: definitions as versioned data, scoring as pure functions.

from cbtc.screening.instruments import get_instrument, score
score(get_instrument("assist"), {"q1": {...}, ...})  # a JSON-ready dict, or ScreeningError
"""

from .loader import available_instruments, clear_instrument_cache, get_instrument, load_definition
from .model import Instrument, InstrumentDefinitionError, ScreeningError
from .scoring import score
from .wording import load_wording

__all__ = [
    "Instrument",
    "InstrumentDefinitionError",
    "ScreeningError",
    "available_instruments",
    "clear_instrument_cache",
    "get_instrument",
    "load_definition",
    "load_wording",
    "score",
]
