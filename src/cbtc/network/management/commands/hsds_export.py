"""``cbtc hsds_export``: the whole public service directory as Open Referral HSDS 3.0 (docs/hsds.md).

Writes one fully nested HSDS service per line (NDJSON, what the HSDS API's ``format=ndjson`` streams), or
with ``--format json`` one JSON array of the same objects. Services are read in chunks, so memory stays
bounded at national scale. A file is written beside its destination and moved into place when complete:
a reader never sees half an export.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cbtc.network.hsds import EXPORT_CHUNK_SIZE, HsdsObject, hsds_services_for_export

FORMATS = ("ndjson", "json")


def hsds_lines(services: Iterable[HsdsObject], output_format: str) -> Iterator[str]:
    """The export, a line at a time, each ending in a newline: one service per line in both formats."""
    if output_format == "ndjson":
        for service in services:
            yield json.dumps(service, ensure_ascii=False) + "\n"
        return
    yield "[\n"
    previous = None
    for service in services:
        # A service is written once the next one is read: only the last one goes without a comma.
        if previous is not None:
            yield previous + ",\n"
        previous = json.dumps(service, ensure_ascii=False)
    if previous is not None:
        yield previous + "\n"
    yield "]\n"


def write_services(services: Iterable[HsdsObject], write: Callable[[str], object], output_format: str) -> int:
    """Write the services one at a time and return how many were written."""
    count = 0

    def counted() -> Iterator[HsdsObject]:
        nonlocal count
        for service in services:
            count += 1
            yield service

    for line in hsds_lines(counted(), output_format):
        write(line)
    return count


class Command(BaseCommand):
    help = "Export active services of active organisations as HSDS 3.0 JSON (NDJSON by default) to a file or stdout."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", "-o", help="File to write; standard output when left out.")
        parser.add_argument("--format", choices=FORMATS, default="ndjson", dest="output_format")
        parser.add_argument("--chunk-size", type=int, default=EXPORT_CHUNK_SIZE, help="Services read per query.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["chunk_size"] < 1:
            raise CommandError("--chunk-size must be at least 1.")
        services = hsds_services_for_export(options["chunk_size"])
        if not options["output"]:
            write_services(services, self.stdout.write, options["output_format"])
            return
        destination = Path(options["output"])
        if not destination.parent.is_dir():
            raise CommandError(f"There is no folder {destination.parent} to write into.")
        handle, temporary = tempfile.mkstemp(dir=destination.parent, prefix=f".{destination.name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                count = write_services(services, out.write, options["output_format"])
            os.replace(temporary, destination)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        self.stderr.write(f"{count} services written to {destination}.")
