"""The ASSIST form's compact layout on a phone: one row per substance, its answers as a segmented control.

The layout must stay accessible while it gets shorter: every radio keeps a real <label> tied to it, every
substance's answers are a fieldset named by a legend, each question's full text is shown once above its
block, and the radios keep their identity across the htmx swaps of the skip logic (hx-preserve).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

from cbtc.clients.models import Client
from cbtc.network.models import User
from tests.conftest import signed_in_client
from tests.screening.test_pages import HTMX, OPIOIDS_DAILY, TOBACCO_WEEKLY, assist_post, form_url

pytestmark = pytest.mark.django_db

CSS = Path(__file__).resolve().parents[2] / "src" / "cbtc" / "web" / "static" / "cbtc" / "cbtc.css"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
WORDING = {
    "q2": "In the past three months, how often have you used the substances you mentioned?",
    "q6": "Has a friend or relative or anyone else ever expressed concern about your use?",
}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    parent: Node | None = None
    children: list[Node] = field(default_factory=list)
    text: str = ""

    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def ancestors(self) -> list[Node]:
        found, node = [], self.parent
        while node is not None:
            found.append(node)
            node = node.parent
        return found

    def walk(self) -> list[Node]:
        return [self, *(n for child in self.children for n in child.walk())]

    def all_text(self) -> str:
        return self.text + "".join(child.all_text() for child in self.children)


class Tree(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__()
        self.root = Node("#root", {})
        self.open = self.root
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {name: value or "" for name, value in attrs}, parent=self.open)
        self.open.children.append(node)
        if tag not in VOID:
            self.open = node

    def handle_endtag(self, tag: str) -> None:
        node: Node | None = self.open
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.open = node.parent

    def handle_data(self, data: str) -> None:
        self.open.text += data


def fragment(client: Client, user: User) -> Node:
    data = assist_post({"a": TOBACCO_WEEKLY, "i": OPIOIDS_DAILY}, q8="past_3_months")
    response = signed_in_client(user).post(f"{form_url(client)}items/", data, **HTMX)
    assert response.status_code == 200
    return Tree(response.content.decode()).root


def test_every_answer_is_a_labelled_radio_in_a_named_fieldset(client_a: Client, clinician: User) -> None:
    nodes = fragment(client_a, clinician).walk()
    radios = [n for n in nodes if n.tag == "input" and n.attrs.get("type") == "radio"]
    assert len(radios) > 40
    labels = {n.attrs.get("for"): n for n in nodes if n.tag == "label"}
    for radio in radios:
        label = labels[radio.attrs["id"]]
        assert radio.parent is label  # the label wraps its radio, so the whole segment is the tap target
        assert label.all_text().strip()
        fieldset = next(a for a in radio.ancestors() if a.tag == "fieldset")
        legend = next(child for child in fieldset.children if child.tag == "legend")
        assert legend.all_text().strip()
        assert "hx-preserve" in radio.attrs  # the same element before and after each skip-logic swap
        options = radio.parent.parent if radio.parent else None
        assert options is not None and {"pills", f"of-{len(options.children)}"} <= options.classes()


def test_each_question_is_asked_once_above_one_row_per_substance(client_a: Client, clinician: User) -> None:
    root = fragment(client_a, clinician)
    items = next(n for n in root.walk() if n.attrs.get("id") == "items")
    assert {"screening-items", "compact"} <= items.classes()
    html = "".join(n.all_text() for n in root.children)
    for key, text in WORDING.items():
        assert html.count(text) == 1, key
        section = next(n for n in root.walk() if n.tag == "section" and n.attrs.get("aria-labelledby") == f"h-{key}")
        rows = [n for n in section.walk() if n.tag == "fieldset"]
        substances = [re.sub(r"\s+", " ", row.children[0].all_text()).strip() for row in rows]
        assert substances == ["Tobacco products", "Opioids"]
        assert all("segmented" in row.classes() for row in rows)


def test_other_instruments_keep_their_layout(client_a: Client, clinician: User) -> None:
    html = signed_in_client(clinician).get(form_url(client_a, "dast-10")).content.decode()
    items = next(n for n in Tree(html).root.walk() if n.attrs.get("id") == "items")
    assert "compact" not in items.classes()
    assert 'class="options columns short"' in html


def test_segments_stay_large_enough_to_tap() -> None:
    css = CSS.read_text()
    rule = re.search(r"\.compact \.pills \.choice \{([^}]*)\}", css)
    assert rule is not None and "min-height: 44px" in rule.group(1)
