"""Reading one definition or wording file; every complaint names the file and the field at fault."""

from __future__ import annotations

import re

from cbtc.definitions import DefinitionReader

from .model import InstrumentDefinitionError

CODE = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")
KEY = re.compile(r"[a-z][a-z0-9_]{0,59}")


class Reader(DefinitionReader):
    kind = "Instrument definition"
    error = InstrumentDefinitionError

    def keys(self, value: object, where: str) -> tuple[str, ...]:
        return tuple(
            self.text(key, f"{where}[{index}]", pattern=KEY) for index, key in enumerate(self.items(value, where))
        )
