"""The value types of the UIC engine: errors, questions, parts, schemes and results.

A scheme separates the *questions* (what an outreach worker asks the client, one answer each) from the
*parts* (segments of the code). Several parts may read the same answer: PASMO takes both the birth day and
the last two digits of the birth year from one date of birth.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured

# Part kinds and the kind of answer each one reads. The question kind follows from the parts that use it.
NAME_LETTERS = "name_letters"
DIGITS = "digits"
DATE = "date"
SEX = "sex"
QUESTION_KIND_OF_PART = {NAME_LETTERS: "name", DIGITS: "number", DATE: "date", SEX: "choice"}

MOD_37_36 = "iso7064-mod-37-36"
MOD_37_2 = "iso7064-mod-37-2"


class UicError(ValueError):
    """An answer or a typed code cannot make a valid UIC.

    ``field`` is the question key, ``"uic"`` for a typed code or ``"scheme"`` for an unknown scheme.
    ``message`` is plain words for the form. It never repeats what the client said: messages end up in
    logs and error reports, and the answers identify a person.
    """

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class UicDefinitionError(ImproperlyConfigured):
    """A scheme definition file is malformed. The message names the file and the field."""


@dataclass(frozen=True)
class UicQuestion:
    """One question a registration form asks. ``kind`` is name, number, date or choice."""

    key: str
    label: str
    kind: str
    help: str
    required: bool = False
    choices: tuple[str, ...] = ()  # accepted answers of a choice question, as written in the definition


@dataclass(frozen=True)
class UicPart:
    """One segment of the code, rendered from one answer (or from its fallback answers)."""

    key: str
    label: str  # a short noun phrase used inside messages, e.g. "mother's first name letters"
    kind: str
    answer: str
    start: int  # offset of the segment in the code
    length: int
    filler: str
    fallback: tuple[str, ...] = ()
    weight: float = 1.0
    minimum: int = 0  # digits
    maximum: int = 0  # digits
    date_format: str = ""  # date, e.g. "MMDDYYYY"
    mapping: tuple[tuple[str, str], ...] = ()  # sex: (answer, letter) pairs

    @property
    def end(self) -> int:
        return self.start + self.length

    def position(self) -> str:
        """Where the segment sits, in the words a form shows: "Characters 1-2" or "Character 3"."""
        if self.length == 1:
            return f"Character {self.start + 1}"
        return f"Characters {self.start + 1}-{self.end}"


@dataclass(frozen=True)
class UicScheme:
    code: str
    version: int
    name: str
    description: str
    source: str
    check_character: bool
    parts: tuple[UicPart, ...]
    questions: tuple[UicQuestion, ...]
    length: int  # whole code, including the check character
    block_groups: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())
    check_algorithm: str = MOD_37_36

    def question(self, key: str) -> UicQuestion:
        return next(question for question in self.questions if question.key == key)

    def split(self, code: str) -> dict[str, str]:
        """Part key -> segment of an already normalised code of the right length."""
        return {part.key: code[part.start : part.end] for part in self.parts}

    def block_keys(self, code: str) -> tuple[str, str]:
        """Two blocking keys for the duplicate-candidate search, e.g. "MARE" and "01011970".

        A group made only of fillers gives "" so callers skip it: every client with an unknown date of
        birth would otherwise be a candidate for every other one.
        """
        normalised = normalise_code(code)
        if len(normalised) != self.length:
            raise UicError(length_message(self.length, len(normalised)), field="uic")
        segments = self.split(normalised)
        fillers = {part.key: part.filler for part in self.parts}
        first, second = (
            "" if all(segments[key] == fillers[key] for key in group) else "".join(segments[key] for key in group)
            for group in self.block_groups
        )
        return first, second


@dataclass(frozen=True)
class UicResult:
    code: str
    scheme: str
    version: int
    low_confidence: bool
    parts: dict[str, str]  # part key -> rendered segment (the check character is not a part)
    low_confidence_parts: tuple[str, ...] = field(default=())  # parts made from a filler or a fallback


_DROPPED_IN_CODES = {".", " "}


def normalise_code(text: str) -> str:
    """A code as typed from a card: upper case, without spaces, dashes or dots (full-width forms included)."""
    folded = unicodedata.normalize("NFKC", text).upper()
    return "".join(
        char
        for char in folded
        if not char.isspace() and char not in _DROPPED_IN_CODES and unicodedata.category(char) != "Pd"
    )


def length_message(expected: int, actual: int) -> str:
    return f"The code should have {expected} characters; it has {actual}."
