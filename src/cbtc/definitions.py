"""Reading a definition file (UIC schemes, screening instruments, level-of-care rules): JSON data checked
field by field, where every complaint names the file and the field at fault."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import NoReturn


class DefinitionReader:
    """Subclasses say what kind of file they read and which error to raise (an ImproperlyConfigured)."""

    kind = "Definition"
    error: type[Exception] = ValueError

    def __init__(self, path: Path, kind: str | None = None) -> None:
        self.path = path
        if kind is not None:
            self.kind = kind

    def fail(self, where: str, problem: str) -> NoReturn:
        raise self.error(f"{self.kind} {self.path}, field {where}: {problem}")

    def load(self) -> dict[str, object]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as error:
            raise self.error(f"{self.kind} {self.path} cannot be read: {error}") from None
        except json.JSONDecodeError as error:
            raise self.error(
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

    def text(self, value: object, where: str, *, pattern: re.Pattern[str] | None = None, empty: bool = False) -> str:
        if not isinstance(value, str) or (not empty and not value.strip()):
            self.fail(where, "must be a non-empty string" if not empty else "must be a string")
        if pattern is not None and not pattern.fullmatch(value):
            self.fail(where, f"must match {pattern.pattern}")
        return value

    def integer(self, value: object, where: str, low: int, high: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.fail(where, f"must be a whole number from {low} to {high}")
        return value

    def boolean(self, value: object, where: str) -> bool:
        if not isinstance(value, bool):
            self.fail(where, "must be true or false")
        return value

    def items(self, value: object, where: str, *, empty: bool = False) -> list[object]:
        if not isinstance(value, list) or (not empty and not value):
            self.fail(where, "must be a list" if empty else "must be a non-empty list")
        return value
