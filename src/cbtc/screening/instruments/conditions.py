"""Skip and flag rules as data. A condition is one of:

{"answer": "q1", "in": ["never"]}         the answer is one of these (an unasked item is in no list)
{"answer": "q2", "not_in": ["never"]}     the item was answered, with none of these
{"sum": ["q2", "q3"], "at_least": 1}      points (or, for a count item, the number) added up
{"sum": ["q2", "q3"], "at_most": 0}
{"all": [...]}, {"any": [...]}            every / some condition holds
{"any_substance": {...}}                  ASSIST: the condition holds for some substance's row
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .model import COUNT, Answer, Condition, Item
from .reader import Reader

Row = Mapping[str, Answer | None]


def read_condition(reader: Reader, raw: object, where: str, known: set[str]) -> Condition:
    data = reader.mapping(raw, where)
    if "answer" in data:
        op = "in" if "in" in data else "not_in"
        reader.fields(data, where, {"answer", op})
        key = reader.text(data["answer"], f"{where}.answer")
        if key not in known:
            reader.fail(f"{where}.answer", f"names {key!r}, which is not an earlier item")
        values = reader.items(data[op], f"{where}.{op}")
        if not all(isinstance(value, str | bool) for value in values):
            reader.fail(f"{where}.{op}", "must list answers (strings or true/false)")
        return Condition(op, items=(key,), values=tuple(v for v in values if isinstance(v, str | bool)))
    if "sum" in data:
        op = "at_least" if "at_least" in data else "at_most"
        reader.fields(data, where, {"sum", op})
        keys = reader.keys(data["sum"], f"{where}.sum")
        for key in keys:
            if key not in known:
                reader.fail(f"{where}.sum", f"names {key!r}, which is not an earlier item")
        return Condition(f"sum_{op}", items=keys, bound=reader.integer(data[op], f"{where}.{op}", 0, 10_000))
    for op in ("all", "any"):
        if op in data:
            reader.fields(data, where, {op})
            parts = reader.items(data[op], f"{where}.{op}")
            return Condition(
                op, parts=tuple(read_condition(reader, p, f"{where}.{op}[{i}]", known) for i, p in enumerate(parts))
            )
    if "any_substance" in data:
        reader.fields(data, where, {"any_substance"})
        return Condition("any_substance", parts=(read_condition(reader, data["any_substance"], where, known),))
    reader.fail(where, "must be a condition: answer/in, answer/not_in, sum/at_least, sum/at_most, all, any")


def _total(row: Row, items: Mapping[str, Item], keys: Sequence[str]) -> int:
    total = 0
    for key in keys:
        answer = row.get(key)
        if answer is None:
            continue  # not asked: scores nothing
        item = items[key]
        total += answer if item.kind == COUNT and isinstance(answer, int) else item.points(answer)
    return total


def holds(condition: Condition, row: Row, items: Mapping[str, Item], rows: Sequence[Row] = ()) -> bool:
    """Whether the condition holds for this row of answers (``rows``: every substance's row, for ASSIST)."""
    op = condition.op
    if op in ("in", "not_in"):
        answer = row.get(condition.items[0])
        if answer is None:
            return False
        # `True in (1,)` is true in Python; answers are compared with their type.
        found = any(type(answer) is type(value) and answer == value for value in condition.values)
        return found if op == "in" else not found
    if op == "sum_at_least":
        return _total(row, items, condition.items) >= condition.bound
    if op == "sum_at_most":
        return _total(row, items, condition.items) <= condition.bound
    if op == "all":
        return all(holds(part, row, items, rows) for part in condition.parts)
    if op == "any":
        return any(holds(part, row, items, rows) for part in condition.parts)
    if op == "any_substance":
        return any(holds(condition.parts[0], other, items, rows) for other in rows)
    raise AssertionError(op)  # read_condition makes no other
