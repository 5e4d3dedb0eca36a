"""Loading scheme definitions (JSON) and checking them, so a mistake is reported with a clear message.

Built-in schemes live in src/cbtc/clients/definitions/uic/. A deployment adds its own with the setting
CBTC_UIC_DEFINITIONS_DIR; the setting CBTC_UIC_SCHEME chooses the one new clients get. docs/uic-schemes.md
explains the format to operators.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from pathlib import Path
from typing import TypedDict

from django.conf import settings

from cbtc.definitions import DefinitionReader

from .dates import date_segment_problem, format_tokens, local_today
from .scheme import (
    DATE,
    DIGITS,
    MOD_37_2,
    MOD_37_36,
    NAME_LETTERS,
    QUESTION_KIND_OF_PART,
    SEX,
    UicDefinitionError,
    UicError,
    UicPart,
    UicQuestion,
    UicScheme,
)

BUILTIN_DIR = Path(__file__).resolve().parent.parent / "definitions" / "uic"
DEFAULT_SCHEME = "ph-doh"
MAX_CODE_LENGTH = 40  # the width of Client.uic
MAX_PART_LENGTH = 20

_CODE = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")
_KEY = re.compile(r"[a-z][a-z0-9_]{0,39}")
_RESERVED_KEYS = {"uic", "scheme"}  # UicError.field values of their own
_CODE_CHARACTERS = re.compile(r"[A-Z0-9]+")
_TOP_FIELDS = {"code", "version", "name", "description", "source", "check_character", "questions", "parts"}
_TOP_OPTIONAL = {"check_algorithm", "block_keys"}
_QUESTION_FIELDS = {"key", "label"}
_QUESTION_OPTIONAL = {"help", "required"}
_PART_FIELDS = {"key", "label", "kind", "answer", "length", "filler"}
_PART_OPTIONAL = {"fallback", "weight"}
_KIND_FIELDS = {NAME_LETTERS: set(), DIGITS: {"min", "max"}, DATE: {"format"}, SEX: {"mapping"}}


class _KindFields(TypedDict, total=False):
    minimum: int
    maximum: int
    date_format: str
    mapping: tuple[tuple[str, str], ...]


class _Reader(DefinitionReader):
    kind = "UIC scheme definition"
    error = UicDefinitionError


# ---- questions and parts -------------------------------------------------------------------------------


def _read_question(reader: _Reader, raw: object, where: str) -> UicQuestion:
    """The question as written; its kind and choices follow from the parts (see _read_questions)."""
    data = reader.mapping(raw, where)
    reader.fields(data, where, _QUESTION_FIELDS, _QUESTION_OPTIONAL)
    key = reader.text(data["key"], f"{where}.key", pattern=_KEY)
    if key in _RESERVED_KEYS:
        reader.fail(f"{where}.key", f"{key!r} is reserved")
    return UicQuestion(
        key=key,
        label=reader.text(data["label"], f"{where}.label"),
        kind="",
        help=reader.text(data.get("help", ""), f"{where}.help", empty=True),
        required=reader.boolean(data.get("required", False), f"{where}.required"),
    )


def _read_fallback(reader: _Reader, value: object, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    keys = [value] if isinstance(value, str) else reader.items(value, where)
    return tuple(reader.text(key, where, pattern=_KEY) for key in keys)


def _check_filler(reader: _Reader, part: UicPart, where: str) -> None:
    if len(part.filler) != part.length or not _CODE_CHARACTERS.fullmatch(part.filler):
        reader.fail(f"{where}.filler", f"must be {part.length} characters from A-Z and 0-9")
    # A filler the part could also produce would make "not known" look like a real answer.
    if part.kind == NAME_LETTERS and not part.filler.isalpha():
        reader.fail(f"{where}.filler", "must be letters for a name_letters part")
    if part.kind == DIGITS and part.filler.isdecimal() and part.minimum <= int(part.filler) <= part.maximum:
        reader.fail(f"{where}.filler", "must not be a number between min and max")
    # A year still to come (9999) cannot be a date of birth, so it is a usable filler.
    if part.kind == DATE and date_segment_problem(part.filler, part.date_format, local_today()) is None:
        reader.fail(f"{where}.filler", "must not be a possible date (use letters, or e.g. 99 for a month or day)")
    if part.kind == SEX and part.filler in {letter for _, letter in part.mapping}:
        reader.fail(f"{where}.filler", "must not be one of the mapping's letters")


def _read_kind_fields(reader: _Reader, kind: str, data: dict[str, object], length: int, where: str) -> _KindFields:
    if kind == DIGITS:
        top = 10**length - 1
        minimum = reader.integer(data["min"], f"{where}.min", 0, top)
        return {"minimum": minimum, "maximum": reader.integer(data["max"], f"{where}.max", minimum, top)}
    if kind == DATE:
        date_format = reader.text(data["format"], f"{where}.format")
        if format_tokens(date_format) is None or len(date_format) != length:
            reader.fail(f"{where}.format", f"must be {length} characters of YYYY, YY, MM and DD, each at most once")
        return {"date_format": date_format}
    if kind == SEX:
        mapping = reader.mapping(data["mapping"], f"{where}.mapping")
        if not mapping:
            reader.fail(f"{where}.mapping", "must map at least one answer to a letter")
        pairs = tuple((answer, reader.text(letter, f"{where}.mapping.{answer}")) for answer, letter in mapping.items())
        for answer, letter in pairs:
            if not answer.strip():
                reader.fail(f"{where}.mapping", "must not have an empty answer")
            if len(letter) != length or not _CODE_CHARACTERS.fullmatch(letter):
                reader.fail(f"{where}.mapping.{answer}", f"must be {length} characters from A-Z and 0-9")
        if len({answer.casefold() for answer, _ in pairs}) != len(pairs):
            reader.fail(f"{where}.mapping", "has the same answer twice")
        return {"mapping": pairs}
    return _KindFields()


def _read_weight(reader: _Reader, value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 100:  # noqa: PLR2004
        reader.fail(where, "must be a number above 0 and at most 100")
    return float(value)


def _read_part(reader: _Reader, raw: object, where: str, start: int) -> UicPart:
    data = reader.mapping(raw, where)
    if "kind" not in data:
        reader.fail(f"{where}.kind", "is missing")
    kind = reader.text(data["kind"], f"{where}.kind")
    if kind not in _KIND_FIELDS:
        reader.fail(f"{where}.kind", f"must be one of {', '.join(sorted(_KIND_FIELDS))}")
    reader.fields(data, where, _PART_FIELDS | _KIND_FIELDS[kind], _PART_OPTIONAL)
    key = reader.text(data["key"], f"{where}.key", pattern=_KEY)
    length = reader.integer(data["length"], f"{where}.length", 1, MAX_PART_LENGTH)
    part = UicPart(
        key=key,
        label=reader.text(data["label"], f"{where}.label"),
        kind=kind,
        answer=reader.text(data["answer"], f"{where}.answer", pattern=_KEY),
        start=start,
        length=length,
        filler=reader.text(data["filler"], f"{where}.filler"),
        fallback=_read_fallback(reader, data.get("fallback"), f"{where}.fallback"),
        weight=_read_weight(reader, data.get("weight", 1), f"{where}.weight"),
        **_read_kind_fields(reader, kind, data, length, where),
    )
    _check_filler(reader, part, where)
    return part


def _check_fallback(reader: _Reader, part: UicPart, where: str) -> None:
    if part.answer in part.fallback:
        reader.fail(f"{where}.fallback", "must name other questions than the part's own answer")
    if len(part.fallback) > 1 and part.kind != NAME_LETTERS:
        reader.fail(f"{where}.fallback", "may name several questions only for a name_letters part")
    if part.fallback and part.length % len(part.fallback):
        reader.fail(f"{where}.fallback", f"{len(part.fallback)} names cannot share {part.length} letters equally")


def _question_kinds(reader: _Reader, parts: tuple[UicPart, ...], declared: set[str]) -> dict[str, str]:
    """The kind of each question follows from the parts that read it; one question has one kind."""
    kinds: dict[str, str] = {}
    # Answers first, then fallbacks: a wrong fallback is then reported at the fallback, not at the answer.
    uses = [(index, part.answer, "answer", part) for index, part in enumerate(parts)]
    uses += [(index, key, "fallback", part) for index, part in enumerate(parts) for key in part.fallback]
    for index, part in enumerate(parts):
        _check_fallback(reader, part, f"parts[{index}]")
    for index, key, where, part in uses:
        if key not in declared:
            reader.fail(f"parts[{index}].{where}", f"names {key!r}, which is not in questions")
        kind = QUESTION_KIND_OF_PART[part.kind]
        if kinds.setdefault(key, kind) != kind:
            reader.fail(f"parts[{index}].{where}", f"question {key!r} is read as {kinds[key]} by another part")
    return kinds


def _choices(reader: _Reader, parts: tuple[UicPart, ...]) -> dict[str, tuple[str, ...]]:
    choices: dict[str, tuple[str, ...]] = {}
    for index, part in enumerate(parts):
        answers = tuple(answer for answer, _ in part.mapping)
        for key in (part.answer, *part.fallback) if part.kind == SEX else ():
            if choices.setdefault(key, answers) != answers:
                reader.fail(f"parts[{index}].mapping", f"must list the same answers as other parts reading {key!r}")
    return choices


def _read_questions(reader: _Reader, raw: object, parts: tuple[UicPart, ...]) -> tuple[UicQuestion, ...]:
    written = [
        _read_question(reader, item, f"questions[{index}]") for index, item in enumerate(reader.items(raw, "questions"))
    ]
    keys = [question.key for question in written]
    kinds = _question_kinds(reader, parts, set(keys))
    choices = _choices(reader, parts)
    for index, key in enumerate(keys):
        if keys.index(key) != index:
            reader.fail(f"questions[{index}].key", f"{key!r} is used twice")
        if key not in kinds:
            reader.fail(f"questions[{index}].key", f"{key!r} is not read by any part")
    return tuple(
        dataclasses.replace(question, kind=kinds[question.key], choices=choices.get(question.key, ()))
        for question in written
    )


def _read_parts(reader: _Reader, raw: object) -> tuple[UicPart, ...]:
    parts: list[UicPart] = []
    start = 0
    for index, item in enumerate(reader.items(raw, "parts")):
        part = _read_part(reader, item, f"parts[{index}]", start)
        if any(other.key == part.key for other in parts):
            reader.fail(f"parts[{index}].key", f"{part.key!r} is used twice")
        parts.append(part)
        start += part.length
    return tuple(parts)


def _read_blocks(reader: _Reader, raw: object, parts: tuple[UicPart, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if raw is None:  # by default: the first half of the parts, and the rest
        middle = max(1, len(parts) // 2)
        return tuple(part.key for part in parts[:middle]), tuple(part.key for part in parts[middle:])
    groups = reader.items(raw, "block_keys")
    if len(groups) != 2:  # noqa: PLR2004  # the Client table has two blocking columns
        reader.fail("block_keys", "must be a list of two lists of part keys")
    part_keys = {part.key for part in parts}
    read: list[tuple[str, ...]] = []
    for index, group in enumerate(groups):
        keys = tuple(reader.text(key, f"block_keys[{index}]") for key in reader.items(group, f"block_keys[{index}]"))
        if not set(keys) <= part_keys or len(set(keys)) != len(keys):
            reader.fail(f"block_keys[{index}]", "must name parts, each at most once")
        read.append(keys)
    return read[0], read[1]


def load_definition(path: Path) -> UicScheme:
    """One scheme from one JSON file. Raises UicDefinitionError naming the file and the field."""
    reader = _Reader(path)
    data = reader.load()
    reader.fields(data, "", _TOP_FIELDS, _TOP_OPTIONAL)
    parts = _read_parts(reader, data["parts"])
    check = reader.boolean(data["check_character"], "check_character")
    algorithm = reader.text(data.get("check_algorithm", MOD_37_36), "check_algorithm")
    if algorithm not in {MOD_37_36, MOD_37_2}:
        reader.fail("check_algorithm", f"must be {MOD_37_36} or {MOD_37_2}")
    length = sum(part.length for part in parts) + int(check)
    if length > MAX_CODE_LENGTH:
        reader.fail("parts", f"make a code of {length} characters; at most {MAX_CODE_LENGTH} fit")
    return UicScheme(
        code=reader.text(data["code"], "code", pattern=_CODE),
        version=reader.integer(data["version"], "version", 1, 32767),
        name=reader.text(data["name"], "name"),
        description=reader.text(data["description"], "description"),
        source=reader.text(data["source"], "source"),
        check_character=check,
        parts=parts,
        questions=_read_questions(reader, data["questions"], parts),
        length=length,
        block_groups=_read_blocks(reader, data.get("block_keys"), parts),
        check_algorithm=algorithm,
    )


# ---- the registry --------------------------------------------------------------------------------------


def _definition_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        raise UicDefinitionError(f"UIC scheme definitions directory {directory} does not exist or is not a directory")
    return sorted(directory.glob("*.json"))


@functools.cache
def _load_all(extra_dir: str | None) -> dict[str, UicScheme]:
    # Keyed by the extra directory, so a changed setting (override_settings in tests) reads afresh.
    schemes: dict[str, UicScheme] = {}
    origins: dict[str, Path] = {}
    directories = [BUILTIN_DIR] + ([Path(extra_dir)] if extra_dir else [])
    for path in (path for directory in directories for path in _definition_files(directory)):
        scheme = load_definition(path)
        if scheme.code in schemes:
            raise UicDefinitionError(
                f"UIC scheme definition {path}, field code: {scheme.code!r} is already defined in "
                f"{origins[scheme.code]}; give a new or changed scheme its own code"
            )
        schemes[scheme.code] = scheme
        origins[scheme.code] = path
    return schemes


def _extra_dir() -> str | None:
    if not settings.configured:  # the engine also works outside Django, with the built-in schemes only
        return None
    value = getattr(settings, "CBTC_UIC_DEFINITIONS_DIR", None)
    return str(value) if value else None


def clear_scheme_cache() -> None:
    """Forget loaded definitions, e.g. after a test rewrote a definitions directory."""
    _load_all.cache_clear()


def available_schemes() -> dict[str, UicScheme]:
    """Every scheme by code: the built-in ones and those in CBTC_UIC_DEFINITIONS_DIR. Loaded once."""
    return dict(_load_all(_extra_dir()))  # a copy: callers must not change the cached registry


def get_scheme(code: str) -> UicScheme:
    scheme = available_schemes().get(code)
    if scheme is None:
        raise UicError(f"There is no UIC scheme called {code!r}.", field="scheme")
    return scheme


def active_scheme() -> UicScheme:
    """The scheme new clients get: the setting CBTC_UIC_SCHEME, "ph-doh" when it is not set."""
    return get_scheme(getattr(settings, "CBTC_UIC_SCHEME", DEFAULT_SCHEME))
