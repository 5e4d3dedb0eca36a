"""``cbtc score <instrument> <answers.json|->``: score one set of answers and print the result as JSON.

Exit status 0 with the result on stdout; 2 when the answers (or the instrument name, or the file) are
refused, with the reason on stderr and nothing on stdout; 1 when an instrument definition is broken.
The answers are never echoed: messages name the item at fault, not what was answered.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cbtc.screening.instruments import InstrumentDefinitionError, ScreeningError, get_instrument, score

INVALID = 2


class Command(BaseCommand):
    help = "Score answers to a screening instrument (assist, audit, audit-c, dast-10, crafft); prints JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("instrument", help="The instrument's code, e.g. assist.")
        parser.add_argument("answers", help="A JSON file of answers (docs/scoring-contract.md), or - for stdin.")

    def _read(self, name: str) -> Any:
        try:
            text = sys.stdin.read() if name == "-" else open(name, encoding="utf-8").read()  # noqa: SIM115
            return json.loads(text)
        except (OSError, UnicodeDecodeError) as error:
            raise ScreeningError(f"The answers file cannot be read: {error.__class__.__name__}.") from None
        except json.JSONDecodeError as error:
            raise ScreeningError(
                f"The answers are not valid JSON (line {error.lineno}, column {error.colno})."
            ) from None

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            instrument = get_instrument(options["instrument"])
            result = score(instrument, self._read(options["answers"]))
        except ScreeningError as error:
            where = f" (field {error.field})" if error.field else ""
            self.stderr.write(f"Not scored{where}: {error.message}")
            sys.exit(INVALID)
        except InstrumentDefinitionError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(json.dumps(result, indent=2, sort_keys=False))
