"""The UIC engine: shipped schemes, fillers, fallbacks, normalisation, check characters, similarity and the
definition loader. No database.

Known examples are from shared/reference/notes/instruments-oat-uic-indicators.md, section 4.2.
"""

from __future__ import annotations

import datetime
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from cbtc.clients.uic import (
    UicDefinitionError,
    UicError,
    UicScheme,
    active_scheme,
    available_schemes,
    build_uic,
    clear_scheme_cache,
    get_scheme,
    normalise_code,
    normalise_name,
    parse_uic,
    uic_similarity,
)
from cbtc.clients.uic.checkchar import ALPHABET, check_character, has_valid_check
from cbtc.clients.uic.definitions import BUILTIN_DIR

TODAY = datetime.date(2025, 6, 1)
PH = get_scheme("ph-doh")
PASMO = get_scheme("pasmo")
PH_CHECK = get_scheme("ph-doh-check")
SHIPPED = [PH, PASMO, PH_CHECK]
MARIA = {
    "mother_first_name": "Maria",
    "father_first_name": "Renato",
    "birth_order": 1,
    "date_of_birth": datetime.date(1970, 1, 1),
}
CHECK_MISMATCH = "The check character does not match; a character may have been mistyped."
slow_ok = hypothesis_settings(deadline=None, max_examples=150)


def full_width(text: str) -> str:
    """The full-width forms some phone keyboards type (U+FF01 to U+FF5E), spaces as ideographic spaces."""
    return "".join("\u3000" if char == " " else chr(ord(char) + 0xFEE0) for char in text)


def build(scheme: UicScheme, answers: dict[str, Any]) -> Any:
    return build_uic(scheme, answers, today=TODAY)


def parse(scheme: UicScheme, text: str) -> Any:
    return parse_uic(scheme, text, today=TODAY)


# ---- shipped schemes -----------------------------------------------------------------------------------


def test_shipped_schemes_load():
    assert {"ph-doh", "pasmo", "ph-doh-check"} <= set(available_schemes())
    assert (PH.length, PASMO.length, PH_CHECK.length) == (14, 7, 15)
    assert [question.key for question in PASMO.questions] == ["surname", "sex", "date_of_birth"]
    assert PASMO.question("sex").choices == ("male", "female", "transgender")
    assert {question.kind for question in PH.questions} == {"name", "number", "date"}


def test_ph_doh_example_from_the_note():
    result = build(PH, MARIA)
    assert result.code == "MARE0101011970"
    assert (result.scheme, result.version, result.low_confidence) == ("ph-doh", 1, False)
    assert result.parts == {"mother": "MA", "father": "RE", "birth_order": "01", "date_of_birth": "01011970"}


def test_pasmo_example_from_the_note():
    result = build(PASMO, {"surname": "Pulido", "sex": "male", "date_of_birth": "1981-01-31"})
    assert result.code == "PUM3181"
    assert result.parts == {"surname": "PU", "sex": "M", "birth_day": "31", "birth_year": "81"}
    assert not result.low_confidence


def test_unknown_parents_take_the_clients_initials_as_in_the_note():
    result = build(PH, {"first_name": "Ana", "last_name": "Estrada"})
    assert result.code == "AEAE9999999999"
    assert result.low_confidence
    assert result.low_confidence_parts == ("mother", "father", "birth_order", "date_of_birth")


def test_one_unknown_parent_takes_initials_the_other_keeps_the_name():
    result = build(PH, {**MARIA, "father_first_name": "", "first_name": "Ana", "last_name": "Estrada"})
    assert result.code == "MAAE0101011970"
    assert result.low_confidence_parts == ("father",)


def test_initials_need_both_names_otherwise_the_filler():
    result = build(PH, {**MARIA, "mother_first_name": None, "first_name": "Ana"})
    assert result.code == "XXRE0101011970"
    assert result.low_confidence


def test_everything_unknown_gives_fillers_and_low_confidence():
    assert build(PH, {}).code == "XXXX9999999999"
    result = build(PASMO, {"surname": "  ", "sex": None, "date_of_birth": ""})
    assert result.code == "XXX99XX"
    assert result.low_confidence


def test_short_name_is_padded_from_the_filler():
    assert build(PASMO, {"surname": "O", "sex": "F", "date_of_birth": "1990-02-03"}).code == "OXF0390"
    # A one-letter name "X" pads to the filler: on a card it reads as "not known", so it is low confidence.
    assert build(PH, {**MARIA, "father_first_name": "X"}).low_confidence_parts == ("father",)


@pytest.mark.parametrize("answer", ["male", "Male", " MALE ", "M", "m"])
def test_sex_accepts_the_answer_or_its_letter(answer):
    assert build(PASMO, {"surname": "Pulido", "sex": answer, "date_of_birth": "1981-01-31"}).code == "PUM3181"


def test_answers_accept_datetimes_digit_strings_and_ignore_other_keys():
    answers = {
        **MARIA,
        "birth_order": " 01 ",
        "date_of_birth": datetime.datetime(1970, 1, 1, 8, 0, tzinfo=datetime.UTC),
    }
    assert build(PH, {**answers, "nickname": "ignored"}).code == "MARE0101011970"


def test_check_character_scheme_appends_one_character():
    result = build(PH_CHECK, MARIA)
    assert result.code[:14] == "MARE0101011970"
    assert result.code[14] == check_character("MARE0101011970")
    assert parse(PH_CHECK, result.code).code == result.code


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"birth_order": 0}, "birth_order"),
        ({"birth_order": 99}, "birth_order"),
        ({"birth_order": "first"}, "birth_order"),
        ({"birth_order": True}, "birth_order"),
        ({"birth_order": 1.5}, "birth_order"),
        ({"date_of_birth": datetime.date(2025, 6, 2)}, "date_of_birth"),
        ({"date_of_birth": "1970-13-01"}, "date_of_birth"),
        ({"date_of_birth": "01/01/1970"}, "date_of_birth"),
        ({"date_of_birth": datetime.date(1899, 12, 31)}, "date_of_birth"),
        ({"date_of_birth": 1970}, "date_of_birth"),
        ({"mother_first_name": "12345 -"}, "mother_first_name"),
        ({"mother_first_name": 7}, "mother_first_name"),
        ({"mother_first_name": "", "first_name": "Ana", "last_name": "123"}, "last_name"),
    ],
)
def test_invalid_answers_name_the_question(changes, field):
    with pytest.raises(UicError) as caught:
        build(PH, {**MARIA, **changes})
    assert caught.value.field == field
    assert caught.value.message == str(caught.value)
    for value in changes.values():  # the answer itself never appears in the message
        if isinstance(value, str) and value.strip():
            assert value.strip() not in caught.value.message


def test_unknown_sex_answer_lists_the_choices():
    with pytest.raises(UicError) as caught:
        build(PASMO, {"surname": "Pulido", "sex": "Q"})
    assert (caught.value.field, caught.value.message) == ("sex", "Choose one of: male, female, transgender.")


def test_a_date_of_birth_today_is_accepted_in_local_time():
    assert build_uic(PASMO, {"date_of_birth": timezone.localdate()}).parts["birth_day"] != "99"


# ---- parsing -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["MARE0101011970", "mare 0101 011970", "MA-RE-01-01-01-1970", "m.a.r.e.0101011970"])
def test_parse_ignores_case_spaces_dashes_and_dots(typed):
    result = parse(PH, typed)
    assert result.code == "MARE0101011970"
    assert result.parts == build(PH, MARIA).parts
    assert not result.low_confidence


def test_parse_accepts_full_width_characters_from_phone_keyboards():
    assert parse(PH, full_width("MARE 0101 011970")).code == "MARE0101011970"


def test_parse_flags_fillers_as_low_confidence():
    result = parse(PH, "XXRE9901011970")
    assert result.low_confidence
    assert result.low_confidence_parts == ("mother", "birth_order")
    assert parse(PASMO, "xxx99xx").low_confidence_parts == ("surname", "sex", "birth_day", "birth_year")


@pytest.mark.parametrize(
    ("scheme", "typed", "message"),
    [
        (PH, "", "Enter the code."),
        (PH, "MARE01011970", "The code should have 14 characters; it has 12."),
        (PH, "MARE#101011970", "The code can only contain the letters A to Z and the digits 0 to 9."),
        (PH, "M4RE0101011970", "Characters 1-2 (mother's first name letters) should be letters."),
        (PH, "MARE0001011970", "Characters 5-6 (birth order) should be a number from 01 to 98, or 99 if not known."),
        (
            PH,
            "MARE0113011970",
            "Characters 7-14 (date of birth) should be a real date written as MMDDYYYY, or 99999999 if not known.",
        ),
        (
            PH,
            "MARE0102301970",
            "Characters 7-14 (date of birth) should be a real date written as MMDDYYYY, or 99999999 if not known.",
        ),
        (PH, "MARE0101011870", "Characters 7-14 (date of birth) should be a date from 1900 onwards."),
        (PH, "MARE0101012970", "Characters 7-14 (date of birth) should not be a date in the future."),
        (PASMO, "PUQ3181", "Character 3 (sex) should be one of M, F, T, or X if not known."),
        (PASMO, "PUM3281", "Characters 4-5 (day of birth) should be a real date written as DD, or 99 if not known."),
        (PASMO, "PUM318X", "Characters 6-7 (year of birth) should be a date written as YY, or XX if not known."),
        (PH_CHECK, "MARE01010119700", CHECK_MISMATCH),
    ],
)
def test_parse_says_what_is_wrong(scheme, typed, message):
    with pytest.raises(UicError) as caught:
        parse(scheme, typed)
    assert (caught.value.field, caught.value.message) == ("uic", message)


def test_parse_accepts_29_february_only_in_a_leap_year():
    assert parse(PH, "MARE0102292000").code == "MARE0102292000"
    with pytest.raises(UicError):
        parse(PH, "MARE0102291999")
    assert parse(PASMO, "PUF2900").parts["birth_day"] == "29"  # no month: the day alone can be the 29th


# ---- blocking keys -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scheme", "code", "keys"),
    [
        (PH, "MARE0101011970", ("MARE", "01011970")),
        (PH, "mare-0101-011970", ("MARE", "01011970")),
        (PH, "MAXX9999999999", ("MAXX", "")),
        (PH, "XXXX9901011970", ("", "01011970")),
        (PASMO, "PUM3181", ("PUM", "3181")),
        (PASMO, "XXX9999", ("", "9999")),
        (PASMO, "PUX99XX", ("PUX", "")),
        (PH_CHECK, build_uic(PH_CHECK, MARIA, today=TODAY).code, ("MARE", "01011970")),
    ],
)
def test_block_keys(scheme, code, keys):
    assert scheme.block_keys(code) == keys


def test_block_keys_of_a_code_of_the_wrong_length():
    with pytest.raises(UicError) as caught:
        PH.block_keys("MARE")
    assert caught.value.field == "uic"


# ---- names ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "letters"),
    [
        ("Nguyễn", "NGUYEN"),
        ("Đức", "DUC"),
        ("José", "JOSE"),
        ("Jose\u0301", "JOSE"),  # the same name with a combining accent
        ("M" + "ария", "MARIYA"),  # a Latin M typed among Cyrillic letters
        ("Мария", "MARIYA"),
        ("สมชาย", "SMCHAY"),
        ("王小明", "WANGXIAOMING"),
        ("김민준", "GIMMINJUN"),
        ("Straße", "STRASSE"),
        ("Jean-Luc O'Brien", "JEANLUCOBRIEN"),
        ("Anne  Marie", "ANNEMARIE"),
        ("R2-D2", "RD"),
        (full_width("MARIA"), "MARIA"),
        ("Maria \N{GRINNING FACE}", "MARIA"),  # symbols are dropped, not spelt out
        ("①②③", ""),
        ("", ""),
    ],
)
def test_normalise_name(name, letters):
    assert normalise_name(name) == letters


def test_same_name_in_any_case_or_accent_gives_the_same_code():
    codes = {build(PH, {**MARIA, "mother_first_name": name}).code for name in ["MARÍA", "maria", "Ma-ria", "María"]}
    assert codes == {"MARE0101011970"}


@given(st.text())
def test_normalise_name_is_plain_ascii_letters_deterministic_and_idempotent(text):
    letters = normalise_name(text)
    assert re.fullmatch("[A-Z]*", letters)
    assert normalise_name(text) == letters
    assert normalise_name(letters) == letters


# ---- properties: build and parse -----------------------------------------------------------------------

named = st.one_of(
    st.sampled_from(["Maria", "Renato", "Nguyễn Thị", "Đức", "Мария", "สมชาย", "王小明", "O'Brien", "Jean-Luc"]),
    st.text(st.characters(categories=("L", "M", "Zs", "Pd")), min_size=1, max_size=12),
).filter(lambda text: normalise_name(text) != "")
unknown = st.sampled_from([None, "", "  "])


def answer_strategy(scheme: UicScheme, key: str) -> st.SearchStrategy[Any]:
    question = scheme.question(key)
    if question.kind == "name":
        known: st.SearchStrategy[Any] = named
    elif question.kind == "number":
        part = next(part for part in scheme.parts if part.answer == key)
        known = st.integers(part.minimum, part.maximum)
    elif question.kind == "date":
        known = st.dates(datetime.date(1900, 1, 1), TODAY)
    else:
        known = st.sampled_from(question.choices)
    return st.one_of(unknown, known)


@st.composite
def scheme_and_answers(
    draw: st.DrawFn, schemes: tuple[UicScheme, ...] = tuple(SHIPPED)
) -> tuple[UicScheme, dict[str, Any]]:
    scheme = draw(st.sampled_from(schemes))
    return scheme, {question.key: draw(answer_strategy(scheme, question.key)) for question in scheme.questions}


@slow_ok
@given(scheme_and_answers())
def test_build_then_parse_gives_the_same_code(case):
    scheme, answers = case
    built = build(scheme, answers)
    parsed = parse(scheme, built.code)
    assert len(built.code) == scheme.length
    assert (parsed.code, parsed.parts, parsed.scheme, parsed.version) == (
        built.code,
        built.parts,
        built.scheme,
        built.version,
    )
    # A typed code cannot show that initials stood in for a parent's name; it can show every filler.
    fillers = tuple(part.key for part in scheme.parts if built.parts[part.key] == part.filler)
    assert parsed.low_confidence_parts == fillers
    assert set(fillers) <= set(built.low_confidence_parts)
    assert parsed.low_confidence <= built.low_confidence


def scatter(draw: st.DrawFn, code: str) -> str:
    pieces = []
    for char in code:
        pieces.append(draw(st.sampled_from(["", " ", "-", ".", "\t"])))
        pieces.append(char.lower() if draw(st.booleans()) else char)
    return "".join(pieces) + draw(st.sampled_from(["", " ", "\n"]))


@slow_ok
@given(scheme_and_answers(), st.data())
def test_parse_is_idempotent_under_case_space_and_dash_variations(case, data):
    scheme, answers = case
    code = build(scheme, answers).code
    variant = scatter(data.draw, code)
    parsed = parse(scheme, variant)
    assert parsed == parse(scheme, code)
    assert parse(scheme, parsed.code) == parsed
    assert normalise_code(variant) == code


@slow_ok
@given(st.data())
def test_every_single_character_change_of_a_check_code_is_refused(data):
    scheme, answers = data.draw(scheme_and_answers((PH_CHECK,)))
    code = build(scheme, answers).code
    position = data.draw(st.integers(0, len(code) - 1))
    replacement = data.draw(st.sampled_from(ALPHABET).filter(lambda char: char != code[position]))
    with pytest.raises(UicError) as caught:
        parse(scheme, code[:position] + replacement + code[position + 1 :])
    assert caught.value.field == "uic"


# ---- check characters ----------------------------------------------------------------------------------


def test_check_characters_match_published_examples():
    # Worked examples of ISO/IEC 7064 MOD 37,36 and MOD 37-2 as used by the python-stdnum library.
    assert check_character("A12425GABC1234002") == "M"
    assert check_character("G123489654321", "iso7064-mod-37-2") == "Y"


alphanumeric = st.text(alphabet=ALPHABET, min_size=1, max_size=30)
algorithms = st.sampled_from(["iso7064-mod-37-36", "iso7064-mod-37-2"])


@given(alphanumeric, algorithms, st.data())
def test_check_character_detects_every_single_substitution(body, algorithm, data):
    code = body + check_character(body, algorithm)
    assert has_valid_check(code, algorithm)
    position = data.draw(st.integers(0, len(code) - 1))
    alphabet = ALPHABET + ("*" if algorithm == "iso7064-mod-37-2" else "")
    replacement = data.draw(st.sampled_from(alphabet).filter(lambda char: char != code[position]))
    assert not has_valid_check(code[:position] + replacement + code[position + 1 :], algorithm)


@given(alphanumeric, st.data())
def test_mod_37_2_detects_every_adjacent_transposition(body, data):
    code = body + check_character(body, "iso7064-mod-37-2")
    position = data.draw(st.integers(0, len(code) - 2))
    swapped = code[:position] + code[position + 1] + code[position] + code[position + 2 :]
    assert swapped == code or not has_valid_check(swapped, "iso7064-mod-37-2")


def test_mod_37_36_misses_only_a_few_adjacent_transpositions():
    """The hybrid system is not perfect on swaps: count the misses exactly, over every running state."""
    # The check character of a prefix tells its running state apart, so one prefix per check character
    # stands for every state the system can be in.
    states: dict[str, str] = {}
    for prefix in ["", *ALPHABET, *(a + b for a in ALPHABET for b in ALPHABET)]:
        states.setdefault(check_character(prefix), prefix)
    missed = total = 0
    for prefix in states.values():
        for first in ALPHABET:
            for second in ALPHABET.replace(first, ""):
                total += 1
                body = prefix + first + second
                missed += has_valid_check(prefix + second + first + check_character(body), "iso7064-mod-37-36")
    assert len(states) == 36
    assert (missed, total) == (72, 45_360)  # about 1 swap in 630 goes unnoticed


# ---- similarity ----------------------------------------------------------------------------------------


def test_similarity_ranks_a_slip_above_a_stranger():
    same = uic_similarity(PH, "MARE0101011970", "mare-0101-011970")
    slip = uic_similarity(PH, "MARE0101011970", "MARE0101011907")
    stranger = uic_similarity(PH, "MARE0101011970", "JOSI0612121985")
    assert same == 1.0
    assert 0.9 < slip < 1.0
    assert stranger < 0.5


def test_similarity_does_not_count_an_unknown_part_as_a_match():
    known = uic_similarity(PH, "MARE0101011970", "MARE0201011970")
    unknown = uic_similarity(PH, "MARE0101011970", "MARE9901011970")
    both_unknown = uic_similarity(PH, "MARE9901011970", "MARE9901011971")
    assert unknown < 1.0
    assert uic_similarity(PH, "XXXX9999999999", "MARE0101011970") < 0.6
    assert 0.0 < known < 1.0
    assert 0.0 < both_unknown < 1.0


def test_similarity_of_codes_of_another_length_compares_whole_strings():
    score = uic_similarity(PH, "MARE0101011970", "PUM3181")
    assert 0.0 <= score < 1.0
    assert uic_similarity(PASMO, "PUM3181", "PUM318") > uic_similarity(PASMO, "PUM3181", "ABC")


codes_or_text = st.one_of(
    scheme_and_answers().map(lambda case: build(case[0], case[1]).code),
    st.text(max_size=16),
    st.text(alphabet="ABMX019 -", max_size=16),
)


@slow_ok
@given(st.sampled_from(SHIPPED), codes_or_text, codes_or_text)
def test_similarity_is_symmetric_bounded_and_one_only_for_the_same_code(scheme, a, b):
    score = uic_similarity(scheme, a, b)
    assert score == uic_similarity(scheme, b, a)
    assert 0.0 <= score <= 1.0
    assert (score == 1.0) == (normalise_code(a) == normalise_code(b))
    assert uic_similarity(scheme, a, a) == 1.0


@slow_ok
@given(scheme_and_answers(), st.data())
def test_similarity_of_codes_of_one_scheme_that_differ_in_one_place(case, data):
    scheme, answers = case
    code = build(scheme, answers).code
    position = data.draw(st.integers(0, len(code) - 1))
    other = code[:position] + data.draw(st.sampled_from(ALPHABET).filter(lambda c: c != code[position]))
    other += code[position + 1 :]
    assert 0.0 < uic_similarity(scheme, code, other) < 1.0


# ---- definitions ---------------------------------------------------------------------------------------


@pytest.fixture
def definitions_dir(tmp_path, settings):
    """An extra definitions directory in the settings, with a fresh cache before and after."""
    clear_scheme_cache()
    settings.CBTC_UIC_DEFINITIONS_DIR = str(tmp_path)
    yield tmp_path
    clear_scheme_cache()


def pasmo_definition() -> dict[str, Any]:
    definition: dict[str, Any] = json.loads((BUILTIN_DIR / "pasmo.json").read_text(encoding="utf-8"))
    definition["code"] = "pasmo-local"
    return definition


def write(directory: Path, definition: object, name: str = "local.json") -> Path:
    path = directory / name
    path.write_text(definition if isinstance(definition, str) else json.dumps(definition), encoding="utf-8")
    return path


def test_a_deployment_adds_its_own_scheme_and_chooses_it(definitions_dir, settings):
    write(definitions_dir, pasmo_definition())
    settings.CBTC_UIC_SCHEME = "pasmo-local"
    assert active_scheme().code == "pasmo-local"
    assert build(active_scheme(), {"surname": "Pulido", "sex": "T", "date_of_birth": "1981-01-31"}).code == "PUT3181"
    assert "ph-doh" in available_schemes()


def test_active_scheme_defaults_to_ph_doh(settings):
    del settings.CBTC_UIC_SCHEME
    assert active_scheme().code == "ph-doh"


def test_unknown_scheme():
    with pytest.raises(UicError) as caught:
        get_scheme("nowhere")
    assert caught.value.field == "scheme"


def test_definitions_without_block_keys_split_the_parts_in_two(definitions_dir):
    definition = pasmo_definition()
    del definition["block_keys"]
    write(definitions_dir, definition)
    assert get_scheme("pasmo-local").block_keys("PUM3181") == ("PUM", "3181")


def test_a_required_question_must_be_answered(definitions_dir):
    definition = pasmo_definition()
    definition["questions"][2]["required"] = True
    write(definitions_dir, definition)
    with pytest.raises(UicError) as caught:
        build(get_scheme("pasmo-local"), {"surname": "Pulido"})
    assert caught.value.field == "date_of_birth"


def set_path(definition: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    target: Any = definition
    for name in parents:
        target = target[int(name)] if name.isdigit() else target[name]
    if value is DELETE:
        del target[int(last) if last.isdigit() else last]
    else:
        target[int(last) if last.isdigit() else last] = value


DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ("parts", DELETE, "field parts: is missing"),
        ("code", "Pasmo Local", "field code:"),
        ("version", "1", "field version:"),
        ("version", True, "field version:"),
        ("check_character", "no", "field check_character:"),
        ("check_algorithm", "luhn", "field check_algorithm:"),
        ("colour", "blue", "field colour: is not a known field"),
        ("questions", [], "field questions: must be a non-empty list"),
        ("questions.0.key", "Surname", "field questions[0].key:"),
        ("questions.0.key", "uic", "field questions[0].key: 'uic' is reserved"),
        ("questions.1.key", "surname", "field parts[1].answer: names 'sex'"),
        ("questions.1.lable", "x", "field questions[1].lable: is not a known field"),
        ("parts.0.kind", "initials", "field parts[0].kind: must be one of"),
        ("parts.0.kind", DELETE, "field parts[0].kind: is missing"),
        ("parts.0.lenght", 2, "field parts[0].lenght: is not a known field"),
        ("parts.0.length", "2", "field parts[0].length:"),
        ("parts.0.length", 0, "field parts[0].length:"),
        ("parts.0.filler", "XXX", "field parts[0].filler: must be 2 characters"),
        ("parts.0.filler", "99", "field parts[0].filler: must be letters"),
        ("parts.0.answer", "mother", "field parts[0].answer: names 'mother', which is not in questions"),
        ("parts.0.fallback", ["surname"], "field parts[0].fallback: must name other questions"),
        ("parts.0.fallback", ["sex"], "field parts[0].fallback: question 'sex' is read as choice"),
        ("parts.0.weight", 0, "field parts[0].weight:"),
        ("parts.1.mapping", {}, "field parts[1].mapping:"),
        ("parts.1.mapping", {"male": "MM"}, "field parts[1].mapping.male:"),
        ("parts.1.filler", "M", "field parts[1].filler: must not be one of the mapping's letters"),
        ("parts.1.min", 1, "field parts[1].min: is not a known field"),
        ("parts.2.filler", "12", "field parts[2].filler: must not be a possible date"),
        ("parts.2.format", "QQ", "field parts[2].format:"),
        ("parts.2.format", "DDD", "field parts[2].format:"),
        ("parts.2.kind", "digits", "field parts[2].max: is missing"),
        ("parts.3.filler", "99", "field parts[3].filler: must not be a possible date"),
        ("parts.3.answer", "surname", "field parts[3].answer: question 'surname' is read as name"),
        ("parts.3.key", "surname", "field parts[3].key: 'surname' is used twice"),
        ("block_keys", [["surname"]], "field block_keys: must be a list of two lists"),
        ("block_keys.1", ["birth_month"], "field block_keys[1]: must name parts"),
    ],
)
def test_malformed_definitions_name_the_file_and_the_field(definitions_dir, path, value, field):
    definition = pasmo_definition()
    set_path(definition, path, value)
    written = write(definitions_dir, definition)
    with pytest.raises(UicDefinitionError) as caught:
        available_schemes()
    assert str(written) in str(caught.value)
    assert field in str(caught.value)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d["questions"].append({"key": "age", "label": "How old are you?"}), "'age' is not read by any part"),
        (lambda d: d["questions"].append(dict(d["questions"][0])), "'surname' is used twice"),
        (lambda d: d.update(code="ph-doh"), "field code: 'ph-doh' is already defined in"),
        (
            lambda d: d["parts"].extend(
                [dict(d["parts"][0], key=f"p{n}", length=20, filler="X" * 20) for n in range(2)]
            ),
            "at most 40",
        ),
        (lambda d: d["parts"][1].update(fallback=["surname", "date_of_birth"]), "only for a name_letters part"),
        (lambda d: d["parts"][0].update(fallback=["first", "middle", "last"]), "cannot share 2 letters"),
    ],
)
def test_more_malformed_definitions(definitions_dir, change, field):
    definition = pasmo_definition()
    change(definition)
    write(definitions_dir, definition)
    with pytest.raises(UicDefinitionError, match=re.escape(field)):
        available_schemes()


def test_digits_filler_must_be_outside_the_range(definitions_dir):
    definition = json.loads((BUILTIN_DIR / "ph-doh.json").read_text(encoding="utf-8"))
    definition["code"] = "ph-local"
    definition["parts"][2]["max"] = 99
    write(definitions_dir, definition)
    with pytest.raises(UicDefinitionError, match=re.escape("field parts[2].filler: must not be a number")):
        available_schemes()


@pytest.mark.parametrize(("content", "problem"), [("{", "is not valid JSON (line 1"), ("[]", "must be a JSON object")])
def test_definition_files_that_are_not_json_objects(definitions_dir, content, problem):
    written = write(definitions_dir, content)
    with pytest.raises(UicDefinitionError, match=re.escape(problem)) as caught:
        available_schemes()
    assert str(written) in str(caught.value)


def test_a_missing_definitions_directory_is_reported(definitions_dir, settings):
    settings.CBTC_UIC_DEFINITIONS_DIR = str(definitions_dir / "missing")
    with pytest.raises(UicDefinitionError, match="does not exist"):
        available_schemes()


def test_the_registry_is_cached_and_not_shared_for_writing():
    first = available_schemes()
    first.pop("ph-doh")
    assert "ph-doh" in available_schemes()
    assert available_schemes()["pasmo"] == PASMO


def test_the_example_in_the_operators_guide_loads_and_works(definitions_dir):
    guide = (Path(__file__).resolve().parents[2] / "docs" / "uic-schemes.md").read_text(encoding="utf-8")
    example = re.search(r"```json\n(.*?)```", guide, re.DOTALL)
    assert example is not None
    write(definitions_dir, example.group(1), "kp-local.json")
    scheme = get_scheme("kp-local")
    result = build(
        scheme, {"mother_first_name": "Maria", "father_first_name": "Renato", "sex": "F", "date_of_birth": "1985-03-04"}
    )
    assert (scheme.length, result.code[:9]) == (10, "MAREF1985")
    assert parse(scheme, result.code) == result
