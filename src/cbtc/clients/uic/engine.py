"""Building a UIC from a client's answers, and reading one typed in from a card."""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from .checkchar import ALPHABET, check_alphabet, check_character, has_valid_check
from .dates import EARLIEST_YEAR, date_segment_problem, local_today, render_date
from .names import normalise_name
from .scheme import (
    DATE,
    DIGITS,
    NAME_LETTERS,
    SEX,
    UicError,
    UicPart,
    UicQuestion,
    UicResult,
    UicScheme,
    length_message,
    normalise_code,
)

Value = str | int | datetime.date  # an answer after checking: letters, a number, a date or a choice

CHECK_MISMATCH = "The check character does not match; a character may have been mistyped."
_DATE_PROBLEMS = {
    "digits": "should be a date written as {format}, or {filler} if not known",
    "real": "should be a real date written as {format}, or {filler} if not known",
    "early": "should be a date from " + str(EARLIEST_YEAR) + " onwards",
    "future": "should not be a date in the future",
}


# ---- answers -------------------------------------------------------------------------------------------


def _is_unknown(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _read_name(question: UicQuestion, raw: object) -> str:
    if not isinstance(raw, str):
        raise UicError("Enter the name as text.", field=question.key)
    letters = normalise_name(raw)
    if not letters:
        raise UicError("This name has no letters that can be used for the code.", field=question.key)
    return letters


def _read_number(scheme: UicScheme, question: UicQuestion, raw: object) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        raise UicError("Enter a whole number.", field=question.key)
    if isinstance(raw, str):
        text = raw.strip()
        if not (text.isascii() and text.isdecimal()):
            raise UicError("Enter a whole number.", field=question.key)
        raw = int(text)
    for part in scheme.parts:
        reads_it = part.kind == DIGITS and question.key in (part.answer, *part.fallback)
        if reads_it and not part.minimum <= raw <= part.maximum:
            raise UicError(f"Enter a number from {part.minimum} to {part.maximum}.", field=question.key)
    return raw


def _read_date(question: UicQuestion, raw: object, today: datetime.date) -> datetime.date:
    if isinstance(raw, datetime.datetime):
        raw = raw.date()
    if isinstance(raw, str):
        try:
            raw = datetime.date.fromisoformat(raw.strip())
        except ValueError:
            raise UicError("Enter a real date.", field=question.key) from None
    if not isinstance(raw, datetime.date):
        raise UicError("Enter a date.", field=question.key)
    if raw > today:
        raise UicError("The date cannot be in the future.", field=question.key)
    if raw.year < EARLIEST_YEAR:
        raise UicError(f"Enter a date from {EARLIEST_YEAR} onwards.", field=question.key)
    return raw


def _read_choice(scheme: UicScheme, question: UicQuestion, raw: object) -> str:
    # A form may send the answer ("male") or the letter it stands for ("M"); both mean the same.
    if isinstance(raw, str):
        wanted = raw.strip().casefold()
        for part in scheme.parts:
            if part.kind == SEX and question.key in (part.answer, *part.fallback):
                for answer, letter in part.mapping:
                    if wanted in (answer.casefold(), letter.casefold()):
                        return answer
    raise UicError(f"Choose one of: {', '.join(question.choices)}.", field=question.key)


def _read_answer(scheme: UicScheme, question: UicQuestion, raw: object, today: datetime.date) -> Value:
    if question.kind == "name":
        return _read_name(question, raw)
    if question.kind == "number":
        return _read_number(scheme, question, raw)
    if question.kind == "date":
        return _read_date(question, raw, today)
    return _read_choice(scheme, question, raw)


def _read_answers(scheme: UicScheme, answers: Mapping[str, object], today: datetime.date) -> dict[str, Value | None]:
    values: dict[str, Value | None] = {}
    for question in scheme.questions:
        raw = answers.get(question.key)
        if _is_unknown(raw):
            if question.required:
                raise UicError("This answer is needed for the code.", field=question.key)
            values[question.key] = None
        else:
            values[question.key] = _read_answer(scheme, question, raw, today)
    return values


# ---- rendering -----------------------------------------------------------------------------------------


def _letters(value: str, length: int, filler: str) -> str:
    # A name shorter than the part (rare, e.g. one letter) is padded from the filler so the code keeps its
    # length and the padding reads as "not known" rather than as a letter of the name.
    return value[:length] + filler[len(value[:length]) :]


def _render_value(part: UicPart, value: Value) -> str:
    if part.kind == NAME_LETTERS:
        return _letters(str(value), part.length, part.filler)
    if part.kind == DIGITS:
        return f"{value:0{part.length}d}"
    if part.kind == DATE and isinstance(value, datetime.date):
        return render_date(value, part.date_format)
    return dict(part.mapping)[str(value)]


def _render_fallback(part: UicPart, values: list[Value]) -> str:
    if part.kind != NAME_LETTERS:
        return _render_value(part, values[0])
    # Several fallback names share the part equally: two names in two letters are the client's initials.
    share = part.length // len(values)
    return "".join(
        _letters(str(value), share, part.filler[index * share : (index + 1) * share])
        for index, value in enumerate(values)
    )


def _render_part(part: UicPart, values: Mapping[str, Value | None]) -> tuple[str, bool]:
    """The segment, and whether it stands in for the answer the scheme asked for."""
    value = values[part.answer]
    if value is not None:
        return _render_value(part, value), False
    fallback_values = [values[key] for key in part.fallback]
    if fallback_values and all(fallback is not None for fallback in fallback_values):
        return _render_fallback(part, [fallback for fallback in fallback_values if fallback is not None]), True
    return part.filler, True


def build_uic(scheme: UicScheme, answers: Mapping[str, object], *, today: datetime.date | None = None) -> UicResult:
    """The UIC for a client's answers. "" or None means "not known": the filler is used and the result is
    marked low confidence, as it is when a fallback answer stood in."""
    values = _read_answers(scheme, answers, today or local_today())
    segments: dict[str, str] = {}
    substituted: list[str] = []
    for part in scheme.parts:
        segments[part.key], stood_in = _render_part(part, values)
        # A real answer that renders as the filler (a name "X", padded to "XX") reads as "not known" on a
        # card, so it is low confidence here too: building and parsing the code must agree.
        if stood_in or segments[part.key] == part.filler:
            substituted.append(part.key)
    body = "".join(segments.values())
    code = body + check_character(body, scheme.check_algorithm) if scheme.check_character else body
    return UicResult(
        code=code,
        scheme=scheme.code,
        version=scheme.version,
        low_confidence=bool(substituted),
        parts=segments,
        low_confidence_parts=tuple(substituted),
    )


# ---- parsing -------------------------------------------------------------------------------------------


def _segment_problem(part: UicPart, segment: str, today: datetime.date) -> str | None:
    unknown = f", or {part.filler} if not known"
    if segment == part.filler:
        return None
    if part.kind == NAME_LETTERS:
        return None if segment.isalpha() else "should be letters"
    if part.kind == DIGITS:
        if segment.isdecimal() and part.minimum <= int(segment) <= part.maximum:
            return None
        width = part.length
        return f"should be a number from {part.minimum:0{width}d} to {part.maximum:0{width}d}{unknown}"
    if part.kind == DATE:
        problem = date_segment_problem(segment, part.date_format, today)
        return None if problem is None else _DATE_PROBLEMS[problem].format(format=part.date_format, filler=part.filler)
    letters = [letter for _, letter in part.mapping]
    return None if segment in letters else f"should be one of {', '.join(letters)}{unknown}"


def _check_characters(scheme: UicScheme, code: str) -> None:
    body_length = scheme.length - 1 if scheme.check_character else scheme.length
    body_ok = all(char in ALPHABET for char in code[:body_length])
    check_ok = all(char in check_alphabet(scheme.check_algorithm) for char in code[body_length:])
    if not (body_ok and check_ok):
        raise UicError("The code can only contain the letters A to Z and the digits 0 to 9.", field="uic")


def parse_uic(scheme: UicScheme, text: str, *, today: datetime.date | None = None) -> UicResult:
    """A code typed in from a card, checked part by part. Spaces, dashes, dots and case do not matter."""
    code = normalise_code(text)
    if not code:
        raise UicError("Enter the code.", field="uic")
    if len(code) != scheme.length:
        raise UicError(length_message(scheme.length, len(code)), field="uic")
    _check_characters(scheme, code)
    segments = scheme.split(code)
    for part in scheme.parts:
        problem = _segment_problem(part, segments[part.key], today or local_today())
        if problem is not None:
            raise UicError(f"{part.position()} ({part.label}) {problem}.", field="uic")
    if scheme.check_character and not has_valid_check(code, scheme.check_algorithm):
        raise UicError(CHECK_MISMATCH, field="uic")
    unknown = tuple(part.key for part in scheme.parts if segments[part.key] == part.filler)
    return UicResult(
        code=code,
        scheme=scheme.code,
        version=scheme.version,
        low_confidence=bool(unknown),
        parts=segments,
        low_confidence_parts=unknown,
    )
