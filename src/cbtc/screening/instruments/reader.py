"""Reading one definition or wording file; every complaint names the file and the field at fault."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import NoReturn

from .model import InstrumentDefinitionError

CODE = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")
KEY = re.compile(r"[a-z][a-z0-9_]{0,59}")


class Reader:
    def __init__(self, path: Path, kind: str = "Instrument definition") -> None:
        self.path = path
        self.kind = kind

    def fail(self, where: str, problem: str) -> NoReturn:
        raise InstrumentDefinitionError(f"{self.kind} {self.path}, field {where}: {problem}")

    def load(self) -> dict[str, object]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as error:
            raise InstrumentDefinitionError(f"{self.kind} {self.path} cannot be read: {error}") from None
        except json.JSONDecodeError as error:
            raise InstrumentDefinitionError(
                f"{self.kind} {self.path} is not valid JSON (line {error.lineno}, column {error.colno})"
            ) from None
        return self.mapping(data, "(top level)")

    def mapping(self, value: object, where: str) -> dict[str, object]:
        if not isinstance(value, dict):
            self.fail(where, "must be a JSON object")
        return {str(name): item for name, item in value.items()}

    def fields(self, data: dict[str, object], where: str, required: set[str], optional: set[str] | None = None) -> None:
        optional = optional or set()
        prefix = f"{where}." if where else ""
        for name in sorted(required - data.keys()):
            self.fail(prefix + name, "is missing")
        for name in sorted(data.keys() - required - optional):
            self.fail(prefix + name, "is not a known field (check the spelling)")

    def text(self, value: object, where: str, *, pattern: re.Pattern[str] | None = None) -> str:
        if not isinstance(value, str) or not value.strip():
            self.fail(where, "must be a non-empty string")
        if pattern is not None and not pattern.fullmatch(value):
            self.fail(where, f"must match {pattern.pattern}")
        return value

    def integer(self, value: object, where: str, low: int, high: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.fail(where, f"must be a whole number from {low} to {high}")
        return value

    def items(self, value: object, where: str) -> list[object]:
        if not isinstance(value, list) or not value:
            self.fail(where, "must be a non-empty list")
        return value

    def keys(self, value: object, where: str) -> tuple[str, ...]:
        return tuple(
            self.text(key, f"{where}[{index}]", pattern=KEY) for index, key in enumerate(self.items(value, where))
        )
