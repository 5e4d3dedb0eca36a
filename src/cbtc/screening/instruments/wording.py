"""Item wording, kept apart from scoring: one file per instrument and language, definitions/wording/<lang>/.

Some wording is licensed (ASSIST, CRAFFT): the files shipped here are marked with "verbatim": false where
they summarise rather than quote the form, and a deployment puts the licensed text in its own directory
(setting CBTC_SCREENING_WORDING_DIR, same layout), which wins over the built-in files. A wording file must
name every item, option, band, intervention and flag of the instrument, and nothing else.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings

from .model import BOOLEAN, CHOICE, Instrument, InstrumentDefinitionError
from .reader import KEY, Reader

BUILTIN_DIR = Path(__file__).resolve().parent.parent / "definitions" / "wording"
_TOP = {"instrument", "version", "language", "verbatim", "source", "title", "instructions", "items", "bands"}
_TOP_OPTIONAL = {"substances", "interventions", "flags"}


def _expect_keys(reader: Reader, data: dict[str, object], where: str, expected: set[str]) -> dict[str, str]:
    reader.fields(data, where, expected)
    return {key: reader.text(value, f"{where}.{key}") for key, value in data.items()}


def _option_names(instrument: Instrument, key: str) -> set[str]:
    items = [*instrument.items, *([instrument.injecting.item] if instrument.injecting else [])]
    item = next(item for item in items if item.key == key)
    if item.kind == BOOLEAN:
        return {"yes", "no"}
    return {str(answer) for answer, _ in item.options} if item.kind == CHOICE else set()


def _interventions(instrument: Instrument) -> set[str]:
    bands = [*instrument.bands, *(band for bands in instrument.band_sets.values() for band in bands)]
    codes = {band.intervention for band in bands} | set(instrument.screen_interventions.values())
    return codes | (set(instrument.injecting.actions.values()) if instrument.injecting else set())


def read_wording(path: Path, instrument: Instrument) -> dict[str, Any]:
    reader = Reader(path, "Instrument wording")
    data = reader.load()
    reader.fields(data, "", _TOP, _TOP_OPTIONAL)
    if data["instrument"] != instrument.code or data["version"] != instrument.version:
        reader.fail("instrument", f"must be {instrument.code!r} with version {instrument.version!r}")
    reader.text(data["language"], "language", pattern=KEY)
    if not isinstance(data["verbatim"], bool):
        reader.fail("verbatim", "must be true or false")
    keys = [item.key for item in instrument.items] + ([instrument.injecting.item.key] if instrument.injecting else [])
    items = reader.mapping(data["items"], "items")
    reader.fields(items, "items", set(keys))
    for key in keys:
        entry = reader.mapping(items[key], f"items.{key}")
        options = _option_names(instrument, key)
        reader.fields(entry, f"items.{key}", {"text", "options"} if options else {"text"})
        reader.text(entry["text"], f"items.{key}.text")
        if options:
            _expect_keys(
                reader, reader.mapping(entry["options"], f"items.{key}.options"), f"items.{key}.options", options
            )
    bands = {band.code for band in instrument.bands} | {b.code for bs in instrument.band_sets.values() for b in bs}
    expected = {
        "bands": bands,
        "interventions": _interventions(instrument),
        "flags": {flag.code for flag in instrument.flags},
        "substances": {substance.code for substance in instrument.substances},
    }
    for name, codes in expected.items():
        if codes or name in data:
            _expect_keys(reader, reader.mapping(data.get(name), name), name, codes)
    return data


def load_wording(instrument: Instrument, language: str = "en") -> dict[str, Any]:
    """The wording of the instrument in this language: the deployment's file if it has one, else ours."""
    extra = getattr(settings, "CBTC_SCREENING_WORDING_DIR", None) if settings.configured else None
    for directory in [Path(extra)] if extra else []:
        path = directory / language / f"{instrument.code}.json"
        if path.is_file():
            return read_wording(path, instrument)
    path = BUILTIN_DIR / language / f"{instrument.code}.json"
    if not path.is_file():
        raise InstrumentDefinitionError(f"Instrument wording {path} does not exist")
    return read_wording(path, instrument)
