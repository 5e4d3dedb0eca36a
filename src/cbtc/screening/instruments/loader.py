"""Loading instrument definitions (JSON) and checking them, so a mistake is reported with a clear message.

Built-in instruments live in src/cbtc/screening/definitions/instruments/. A deployment adds its own (another
AUDIT-C cut-off, a local revision) with the setting CBTC_SCREENING_DEFINITIONS_DIR; a deployment file may not
reuse a built-in code. docs/scoring-contract.md describes what the engine reads.
"""

from __future__ import annotations

import functools
from pathlib import Path

from django.conf import settings

from .conditions import read_condition
from .model import (
    BOOLEAN,
    CHOICE,
    COUNT,
    Answer,
    Band,
    Condition,
    Flag,
    Injecting,
    Instrument,
    InstrumentDefinitionError,
    Item,
    ScreeningError,
    Substance,
)
from .reader import CODE, KEY, Reader

BUILTIN_DIR = Path(__file__).resolve().parent.parent / "definitions" / "instruments"
ENGINES = {"sum", "assist"}
_TOP = {"code", "version", "revision", "name", "engine", "source", "licence", "items"}
_SUM_OPTIONAL = {"bands", "step_up", "positive_at", "cutoffs", "flags", "screen_interventions"}
_ASSIST = {"substances", "band_sets", "injecting"}
_ITEM = {"key", "kind"}
_ITEM_OPTIONAL = {"options", "points", "min", "max", "asked_if", "not_for"}
_INJECTING_ACTIONS = {"never", "not_past_3_months", "pattern_unknown", "at_most_threshold", "above_threshold"}


def _read_options(reader: Reader, data: dict[str, object], kind: str, where: str) -> tuple[tuple[Answer, int], ...]:
    if kind == BOOLEAN:  # {"yes": 1, "no": 0}; a reversed item gives "no" the point
        points = reader.mapping(data.get("points"), f"{where}.points")
        reader.fields(points, f"{where}.points", {"yes", "no"})
        return (
            (True, reader.integer(points["yes"], f"{where}.points.yes", 0, 100)),
            (False, reader.integer(points["no"], f"{where}.points.no", 0, 100)),
        )
    options: list[tuple[Answer, int]] = []
    for index, raw in enumerate(reader.items(data.get("options"), f"{where}.options")):
        at = f"{where}.options[{index}]"
        option = reader.mapping(raw, at)
        reader.fields(option, at, {"answer", "points"})
        answer = reader.text(option["answer"], f"{at}.answer", pattern=KEY)
        if any(answer == known for known, _ in options):
            reader.fail(f"{at}.answer", f"{answer!r} is listed twice")
        options.append((answer, reader.integer(option["points"], f"{at}.points", 0, 100)))
    if options[0][1] != 0:
        reader.fail(f"{where}.options[0].points", "must be 0: the first option is what an unasked item counts as")
    return tuple(options)


def _read_item(reader: Reader, raw: object, where: str, earlier: set[str], substances: set[str]) -> Item:
    data = reader.mapping(raw, where)
    reader.fields(data, where, _ITEM, _ITEM_OPTIONAL)
    key = reader.text(data["key"], f"{where}.key", pattern=KEY)
    if key in earlier:
        reader.fail(f"{where}.key", f"{key!r} is used twice")
    kind = reader.text(data["kind"], f"{where}.kind")
    if kind not in {CHOICE, BOOLEAN, COUNT}:
        reader.fail(f"{where}.kind", f"must be one of {CHOICE}, {BOOLEAN}, {COUNT}")
    allowed = {CHOICE: {"options"}, BOOLEAN: {"points"}, COUNT: {"min", "max"}}[kind] | {"asked_if", "not_for"}
    for name in sorted(set(data) - _ITEM - allowed):
        reader.fail(f"{where}.{name}", f"does not apply to a {kind} item")
    minimum = maximum = 0
    if kind == COUNT:
        minimum = reader.integer(data.get("min"), f"{where}.min", 0, 10_000)
        maximum = reader.integer(data.get("max"), f"{where}.max", minimum, 10_000)
    not_for = reader.keys(data["not_for"], f"{where}.not_for") if "not_for" in data else ()
    if not set(not_for) <= substances:
        reader.fail(f"{where}.not_for", "must name substances of the instrument")
    asked_if = data.get("asked_if")
    return Item(
        key=key,
        kind=kind,
        options=() if kind == COUNT else _read_options(reader, data, kind, where),
        minimum=minimum,
        maximum=maximum,
        asked_if=None if asked_if is None else read_condition(reader, asked_if, f"{where}.asked_if", earlier),
        not_for=not_for,
    )


def _read_items(reader: Reader, raw: object, substances: set[str]) -> tuple[Item, ...]:
    items: list[Item] = []
    for index, entry in enumerate(reader.items(raw, "items")):
        items.append(_read_item(reader, entry, f"items[{index}]", {item.key for item in items}, substances))
    return tuple(items)


def _read_bands(reader: Reader, raw: object, where: str, top: int) -> tuple[Band, ...]:
    """Bands must cover every score from 0 to the maximum, in order, without gaps or overlaps."""
    bands: list[Band] = []
    for index, entry in enumerate(reader.items(raw, where)):
        at = f"{where}[{index}]"
        data = reader.mapping(entry, at)
        reader.fields(data, at, {"code", "min", "intervention"}, {"max"})
        expected = 0 if not bands else (bands[-1].maximum or 0) + 1
        minimum = reader.integer(data["min"], f"{at}.min", 0, 10_000)
        if minimum != expected or (bands and bands[-1].maximum is None):
            reader.fail(f"{at}.min", f"must be {expected}: bands cover every score in order, without gaps")
        maximum = reader.integer(data["max"], f"{at}.max", minimum, 10_000) if "max" in data else None
        code = reader.text(data["code"], f"{at}.code", pattern=KEY)
        if any(band.code == code for band in bands):
            reader.fail(f"{at}.code", f"{code!r} is used twice")
        bands.append(Band(code, minimum, maximum, reader.text(data["intervention"], f"{at}.intervention", pattern=KEY)))
    last = bands[-1].maximum
    if last is not None and last < top:
        reader.fail(where, f"end at {last}, but scores reach {top}")
    return tuple(bands)


def _read_screen(reader: Reader, data: dict[str, object]) -> dict[str, str]:
    if "screen_interventions" not in data:
        return {}
    if "positive_at" not in data and "cutoffs" not in data:
        reader.fail("screen_interventions", "needs positive_at or cutoffs to tell positive from negative")
    raw = reader.mapping(data["screen_interventions"], "screen_interventions")
    reader.fields(raw, "screen_interventions", {"positive", "negative"})
    return {name: reader.text(value, f"screen_interventions.{name}", pattern=KEY) for name, value in raw.items()}


def _read_sum(reader: Reader, data: dict[str, object], base: dict[str, object]) -> Instrument:
    reader.fields(data, "", _TOP, _SUM_OPTIONAL)
    if ("bands" in data) == ("screen_interventions" in data):
        reader.fail("bands", "give either bands, or screen_interventions with a positive cut-off")
    items = _read_items(reader, data["items"], set())
    keys = {item.key for item in items}
    top = sum(item.max_points for item in items)
    step_up: Condition | None = None
    if "step_up" in data:
        step_up = read_condition(reader, data["step_up"], "step_up", keys)
    cutoffs: dict[str, int] = {}
    if "cutoffs" in data:
        raw = reader.mapping(data["cutoffs"], "cutoffs")
        cutoffs = {
            reader.text(k, "cutoffs", pattern=KEY): reader.integer(v, f"cutoffs.{k}", 0, top) for k, v in raw.items()
        }
        if not cutoffs or "positive_at" in data:
            reader.fail("cutoffs", "must name at least one group, and cannot go with positive_at")
    flags: list[Flag] = []
    for index, entry in enumerate(reader.items(data["flags"], "flags") if "flags" in data else []):
        flag = reader.mapping(entry, f"flags[{index}]")
        reader.fields(flag, f"flags[{index}]", {"code", "when"})
        flags.append(
            Flag(
                reader.text(flag["code"], f"flags[{index}].code", pattern=KEY),
                read_condition(reader, flag["when"], f"flags[{index}].when", keys),
            )
        )
    return Instrument(
        items=items,
        bands=_read_bands(reader, data["bands"], "bands", top) if "bands" in data else (),
        screen_interventions=_read_screen(reader, data),
        step_up=step_up,
        positive_at=reader.integer(data["positive_at"], "positive_at", 0, top) if "positive_at" in data else None,
        cutoffs=cutoffs,
        flags=tuple(flags),
        **base,  # type: ignore[arg-type]
    )


def _read_injecting(reader: Reader, raw: object, known: set[str]) -> Injecting:
    data = reader.mapping(raw, "injecting")
    reader.fields(data, "injecting", {"item", "threshold_days", "actions"})
    item = _read_item(reader, data["item"], "injecting.item", known, set())
    if item.kind != CHOICE or {a for a, _ in item.options} != {"never", "past_3_months", "not_past_3_months"}:
        reader.fail("injecting.item.options", "must be never, past_3_months and not_past_3_months")
    actions = reader.mapping(data["actions"], "injecting.actions")
    reader.fields(actions, "injecting.actions", _INJECTING_ACTIONS)
    return Injecting(
        item=item,
        threshold_days=reader.integer(data["threshold_days"], "injecting.threshold_days", 0, 31),
        actions={name: reader.text(value, f"injecting.actions.{name}", pattern=KEY) for name, value in actions.items()},
    )


def _read_assist(reader: Reader, data: dict[str, object], base: dict[str, object]) -> Instrument:
    reader.fields(data, "", _TOP | _ASSIST)
    sets_raw = reader.mapping(data["band_sets"], "band_sets")
    substances: list[Substance] = []
    for index, entry in enumerate(reader.items(data["substances"], "substances")):
        at = f"substances[{index}]"
        row = reader.mapping(entry, at)
        reader.fields(row, at, {"code", "bands"})
        code = reader.text(row["code"], f"{at}.code", pattern=KEY)
        band_set = reader.text(row["bands"], f"{at}.bands")
        if band_set not in sets_raw:
            reader.fail(f"{at}.bands", f"names {band_set!r}, which is not in band_sets")
        substances.append(Substance(code, band_set))
    items = _read_items(reader, data["items"], {s.code for s in substances})
    top = max(sum(item.max_points for item in items if s.code not in item.not_for) for s in substances)
    return Instrument(
        items=items,
        substances=tuple(substances),
        band_sets={name: _read_bands(reader, raw, f"band_sets.{name}", top) for name, raw in sets_raw.items()},
        injecting=_read_injecting(reader, data["injecting"], {item.key for item in items}),
        **base,  # type: ignore[arg-type]
    )


def load_definition(path: Path) -> Instrument:
    """One instrument from one JSON file. Raises InstrumentDefinitionError naming the file and the field."""
    reader = Reader(path)
    data = reader.load()
    for name in sorted(_TOP - data.keys()):
        reader.fail(name, "is missing")
    engine = reader.text(data["engine"], "engine")
    if engine not in ENGINES:
        reader.fail("engine", f"must be one of {', '.join(sorted(ENGINES))}")
    base: dict[str, object] = {
        "code": reader.text(data["code"], "code", pattern=CODE),
        "version": reader.text(data["version"], "version"),
        "revision": reader.integer(data["revision"], "revision", 1, 32767),
        "name": reader.text(data["name"], "name"),
        "engine": engine,
        "source": reader.text(data["source"], "source"),
        "licence": reader.text(data["licence"], "licence"),
    }
    return _read_assist(reader, data, base) if engine == "assist" else _read_sum(reader, data, base)


@functools.cache
def _load_all(extra_dir: str | None) -> dict[str, Instrument]:
    instruments: dict[str, Instrument] = {}
    origins: dict[str, Path] = {}
    directories = [BUILTIN_DIR] + ([Path(extra_dir)] if extra_dir else [])
    for directory in directories:
        if not directory.is_dir():
            raise InstrumentDefinitionError(f"Instrument definitions directory {directory} does not exist")
        for path in sorted(directory.glob("*.json")):
            instrument = load_definition(path)
            if instrument.code in instruments:
                raise InstrumentDefinitionError(
                    f"Instrument definition {path}, field code: {instrument.code!r} is already defined in "
                    f"{origins[instrument.code]}; give a changed instrument its own code"
                )
            instruments[instrument.code] = instrument
            origins[instrument.code] = path
    return instruments


def _extra_dir() -> str | None:
    if not settings.configured:  # the engine also works outside Django, with the built-in instruments only
        return None
    value = getattr(settings, "CBTC_SCREENING_DEFINITIONS_DIR", None)
    return str(value) if value else None


def clear_instrument_cache() -> None:
    _load_all.cache_clear()


def available_instruments() -> dict[str, Instrument]:
    return dict(_load_all(_extra_dir()))


def get_instrument(code: str) -> Instrument:
    instrument = available_instruments().get(code)
    if instrument is None:
        raise ScreeningError(f"There is no instrument called {code!r}.", field="instrument")
    return instrument
