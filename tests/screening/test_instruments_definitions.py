"""Instrument definitions and wording files are checked on load; a mistake names the file and the field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cbtc.screening.instruments import (
    InstrumentDefinitionError,
    available_instruments,
    clear_instrument_cache,
    get_instrument,
    load_definition,
    load_wording,
)
from cbtc.screening.instruments.loader import BUILTIN_DIR
from cbtc.screening.instruments.wording import read_wording

WORDING_DIR = BUILTIN_DIR.parent / "wording" / "en"


def _broken(tmp_path: Path, code: str, change) -> Path:
    data = json.loads((BUILTIN_DIR / f"{code}.json").read_text())
    change(data)
    path = tmp_path / f"{code}.json"
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize(
    ("code", "change", "field"),
    [
        ("audit", lambda d: d.pop("revision"), "field revision: is missing"),
        ("audit", lambda d: d.update(colour="red"), "field colour: is not a known field"),
        ("audit", lambda d: d["items"][0]["options"][1].update(points="4"), "field items[0].options[1].points"),
        ("audit", lambda d: d["bands"][1].update(min=9), "field bands[1].min: must be 8"),
        ("audit", lambda d: d["bands"][3].update(max=30), "field bands: end at 30, but scores reach 40"),
        ("audit", lambda d: d["items"][3]["asked_if"].update(sum=["q2", "q9"]), "field items[3].asked_if.sum"),
        ("audit", lambda d: d["items"][1].update(kind="scale"), "field items[1].kind"),
        ("audit", lambda d: d["items"][1]["options"].reverse(), "field items[1].options[0].points: must be 0"),
        ("dast-10", lambda d: d["items"][2]["points"].pop("no"), "field items[2].points.no: is missing"),
        ("crafft", lambda d: d["items"][0].update(options=[]), "field items[0].options: does not apply"),
        ("assist", lambda d: d["substances"][1].update(bands="beer"), "field substances[1].bands"),
        ("assist", lambda d: d["items"][4].update(not_for=["z"]), "field items[4].not_for"),
        ("assist", lambda d: d["injecting"]["actions"].pop("above_threshold"), "injecting.actions.above_threshold"),
        ("audit-c", lambda d: d.update(positive_at=3), "field cutoffs"),
    ],
)
def test_a_broken_definition_is_refused_naming_the_file_and_field(tmp_path, code, change, field):
    path = _broken(tmp_path, code, change)
    with pytest.raises(InstrumentDefinitionError) as error:
        load_definition(path)
    assert str(path) in str(error.value)
    assert field in str(error.value)


def test_invalid_json_names_the_line(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"code": "x",\n  oops}')
    with pytest.raises(InstrumentDefinitionError, match=r"bad.json is not valid JSON \(line 2"):
        load_definition(path)


def test_a_deployment_adds_instruments_but_cannot_reuse_a_built_in_code(tmp_path, settings):
    _broken(tmp_path, "audit-c", lambda d: d.update(code="audit-c-uk", cutoffs={"everyone": 5}))
    settings.CBTC_SCREENING_DEFINITIONS_DIR = str(tmp_path)
    clear_instrument_cache()
    try:
        assert get_instrument("audit-c-uk").cutoffs == {"everyone": 5}
        assert "audit" in available_instruments()
        _broken(tmp_path, "audit", lambda d: None)
        clear_instrument_cache()
        with pytest.raises(InstrumentDefinitionError, match="'audit' is already defined"):
            available_instruments()
    finally:
        settings.CBTC_SCREENING_DEFINITIONS_DIR = None
        clear_instrument_cache()


def test_wording_must_cover_every_item_option_band_and_intervention(tmp_path):
    data = json.loads((WORDING_DIR / "audit.json").read_text())
    data["items"]["q3"]["options"].pop("weekly")
    path = tmp_path / "audit.json"
    path.write_text(json.dumps(data))
    with pytest.raises(InstrumentDefinitionError, match=r"field items.q3.options.weekly: is missing"):
        read_wording(path, get_instrument("audit"))


def test_wording_is_separate_and_a_deployment_can_swap_it(tmp_path, settings):
    data = json.loads((WORDING_DIR / "crafft.json").read_text())
    assert data["verbatim"] is False  # CRAFFT text must not be modified: ours is a marked summary
    data.update(verbatim=True, source="Official CRAFFT 2.1 text, licensed")
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "crafft.json").write_text(json.dumps(data))
    settings.CBTC_SCREENING_WORDING_DIR = str(tmp_path)
    assert load_wording(get_instrument("crafft"))["verbatim"] is True
    assert load_wording(get_instrument("audit"))["verbatim"] is False  # not swapped: the built-in file


def test_our_own_wording_avoids_stigmatising_words():
    for path in WORDING_DIR.glob("*.json"):
        text = json.loads(path.read_text())
        words = json.dumps({k: v for k, v in text.items() if k != "title"}).lower()
        for word in ("addict", "abuser", "substance abuse", "junkie"):
            assert word not in words, (path.name, word)
