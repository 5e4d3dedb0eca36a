"""Identifying details never reach the database, the audit trail, the logs or a URL in a readable form.

Clients are registered (through the pages and through the services) with canary values: strings that occur
nowhere else. Then the work staff do is done with them — code maker, duplicate check, searches by name and
national ID, the record, its export, corrections, a consent to share, the recipient's reads, the accounting —
with every SQL statement logged. Afterwards every column of every table is read back with plain SQL and
searched for the canaries in any letter case: only ciphertext and keyed digests may be there. The same
test runs on SQLite and on PostgreSQL (table and column names come from the database's own introspection).
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from cbtc.audit.models import AuditEvent
from cbtc.clients.identity import Identity
from cbtc.clients.models import Client
from cbtc.clients.selectors import ClientQuery, client_get_for_actor, client_search_for_actor
from cbtc.clients.services import Demographics, client_register
from cbtc.clients.uic import active_scheme, parse_uic
from cbtc.consent.models import Consent, ConsentKind, ConsentMethod, Purpose
from cbtc.consent.services import ConsentInput, consent_record
from cbtc.network.models import Organisation, User
from cbtc.network.roles import Role
from tests.conftest import Personas, signed_in_client

pytestmark = pytest.mark.django_db

# What staff type in. Every value holds a fragment found nowhere else in cbtc.
TYPED = {
    "given_name": "Zqxwvname7731",
    "family_name": "Qjxvfamily7731",
    "nickname": "Wvzqnick7731",
    "alias": "Žqxjalias7731",  # a diacritic: the blind index folds it to ASCII, which must not leak either
    "phone": "+00 5550 7731",
    "address": "7731 Zqxwvstreet, Vqjxtown",
    "national_id": "NID-ZQX-7731",
}
SECOND = {key: value.replace("7731", "7742") for key, value in TYPED.items()}
CORRECTED = {key: value.replace("7731", "9911") for key, value in TYPED.items()}
# Answers given to the code maker: only two letters of each go into the code.
ANSWERS = {"q_mother_first_name": "Zqxwvmother", "q_father_first_name": "Zqxwvfather", "q_birth_order": "3"}
# The fragments searched for, lower case; the raw text is case-folded before the search, so upper-case
# (the blind index normalises to upper case), title-case and mixed variants are all caught.
FRAGMENTS = [
    "zqxwvname",
    "qjxvfamily",
    "wvzqnick",
    "qxjalias",
    "5550 7731",
    "55507731",
    "5550 7742",
    "55507742",
    "5550 9911",
    "55509911",
    "zqxwvstreet",
    "vqjxtown",
    "nid-zqx",
    "nidzqx",
    "zqxwvmother",
    "zqxwvfather",
]
TYPED_CODE = "MARE0101011990"
URL_ATTRIBUTE = re.compile(r'(?:href|action|src|hx-get|hx-post|hx-push-url|formaction)="([^"]*)"')


def canaries_in(text: str) -> list[str]:
    folded = text.casefold()
    return [fragment for fragment in FRAGMENTS if fragment in folded]


def as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, memoryview):
        value = value.tobytes()
    if isinstance(value, bytes):
        return value.decode("latin-1")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def raw_database_hits() -> tuple[list[tuple[str, str, list[str]]], int]:
    """Every column of every table, read with plain SQL: (table, column, canaries found), and how many
    values were read."""
    hits: list[tuple[str, str, list[str]]] = []
    read = 0
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            columns = [column.name for column in connection.introspection.get_table_description(cursor, table)]
            cursor.execute(f"SELECT {', '.join(quote(c) for c in columns)} FROM {quote(table)}")
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    read += 1
                    found = canaries_in(as_text(value))
                    if found:
                        hits.append((table, column, found))
    return hits, read


def session_hits() -> list[list[str]]:
    """Session data is signed and compressed: decode it before looking."""
    store = SessionStore()
    return [found for s in Session.objects.all() if (found := canaries_in(json.dumps(store.decode(s.session_data))))]


@contextmanager
def every_sql_statement_logged() -> Iterator[None]:
    previous = connection.force_debug_cursor
    connection.force_debug_cursor = True
    try:
        yield
    finally:
        connection.force_debug_cursor = previous


def urls_of(response: Any) -> list[str]:
    urls = [
        response[header]
        for header in ("Location", "HX-Redirect", "HX-Push-Url", "HX-Location")
        if response.has_header(header)
    ]
    if not getattr(response, "streaming", False) and "html" in response.get("Content-Type", ""):
        urls += URL_ATTRIBUTE.findall(response.content.decode())
    return urls


class Browser:
    """A signed-in session that remembers every URL it was sent to or shown."""

    def __init__(self, user: User) -> None:
        self.http: HttpClient = signed_in_client(user)
        self.urls: list[str] = []

    def get(self, url: str, **extra: Any) -> Any:
        self.urls.append(url)
        response = self.http.get(url, **extra)
        self.urls += urls_of(response)
        return response

    def post(self, url: str, data: dict[str, Any], **extra: Any) -> Any:
        self.urls.append(url)
        response = self.http.post(url, data, **extra)
        self.urls += urls_of(response)
        return response

    def cookies(self) -> str:
        return " ".join(f"{name}={morsel.value}" for name, morsel in self.http.cookies.items())


def all_named_patterns() -> Iterator[tuple[str, list[str]]]:
    def walk(patterns: list[Any], namespace: str) -> Iterator[tuple[str, list[str]]]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield f"{namespace}{pattern.name}", list(pattern.pattern.converters)

    yield from walk(get_resolver().url_patterns, "")


def details_form(values: dict[str, str], **more: Any) -> dict[str, Any]:
    return {"sex_at_birth": "female", "gender_identity": "woman", "birth_year": "1990", **values, **more}


def _register(staff: Browser, worker: User, network: Any) -> tuple[Client, Client]:
    """Through the code maker and the register page (with its duplicate panel), and through the service."""
    org_a = str(network.org_a.pk)
    staff.get("/clients/register/")
    assert staff.post("/clients/register/code/", ANSWERS, HTTP_HX_REQUEST="true").status_code == 200
    # Registered from a typed code, with every identifying detail.
    first = staff.post("/clients/register/", details_form(TYPED, organisation=org_a, uic=TYPED_CODE))
    assert first.status_code == 302, first.content.decode()[:2000]
    client = Client.objects.get()
    # The same code again: the duplicate panel first, then "a different person".
    second_form = details_form(SECOND, organisation=org_a, uic=TYPED_CODE, **ANSWERS)
    assert staff.post("/clients/register/", second_form).status_code == 409
    assert staff.post("/clients/register/", second_form | {"confirmed_new_person": "1"}).status_code == 302
    # Registered by the service too (the path offline devices and imports use).
    third = client_register(
        actor=worker,
        organisation=network.org_a,
        uic=parse_uic(active_scheme(), "JOPA0101011985"),
        demographics=Demographics(birth_year=1985),
        identity=Identity(**{key: value.replace("7731", "5151") for key, value in TYPED.items()}),
        confirmed_new_person=True,
    )
    assert Client.objects.count() == 3
    return client, third


def _search_read_and_correct(staff: Browser, client: Client) -> None:
    # Searches by name, by national ID (as written, and in one piece), by code; the list; the merge search.
    for text in (TYPED["given_name"], f"{TYPED['given_name']} {TYPED['family_name']}", TYPED["alias"]):
        found = staff.post("/clients/", {"text": text, "uic": "", "shared": "False"})
        assert str(client.pk) in found.content.decode(), text
    for text in (TYPED["national_id"], "nidzqx7731"):
        found = staff.post("/clients/", {"text": text}, HTTP_HX_REQUEST="true")
        assert str(client.pk) in found.content.decode(), text
    assert staff.post("/clients/", {"text": TYPED["phone"]}).status_code == 200  # not searchable; not kept
    assert staff.post("/clients/", {"uic": TYPED_CODE}).status_code == 200
    staff.get("/clients/")
    staff.post(f"/clients/{client.pk}/merge/", {"text": SECOND["given_name"], "uic": ""})
    # The record, its timeline, its export, and a correction of every detail.
    for path in ("", "edit/", "export/", "merge/"):
        assert staff.get(f"/clients/{client.pk}/{path}").status_code == 200, path
    corrected = staff.post(f"/clients/{client.pk}/edit/", details_form(CORRECTED))
    assert corrected.status_code == 302, corrected.content.decode()[:2000]
    staff.get(corrected["Location"])


def _share_and_read_elsewhere(staff: Browser, other: Browser, worker: User, network: Any, client: Client) -> None:
    """Shared with organisation B, names included; B finds and reads it; A reads its accounting."""
    consent_record(
        actor=worker,
        client=client,
        organisation=network.org_a,
        data=ConsentInput(
            kind=ConsentKind.DISCLOSURE,
            method=ConsentMethod.WRITTEN,
            given_at=timezone.now() - timedelta(minutes=5),
            witnessed_by=worker,
            recipients=[network.org_b],
            categories=frozenset({"identity", "demographics", "screening"}),
            purpose=Purpose.CARE_COORDINATION,
            expires_on=timezone.localdate() + timedelta(days=30),
        ),
    )
    other.get("/clients/?shared=1")
    shared = other.post("/clients/", {"text": CORRECTED["given_name"], "shared": "True"})
    assert str(client.pk) in shared.content.decode()
    assert other.get(f"/clients/{client.pk}/").status_code == 200
    assert other.get(f"/clients/{client.pk}/export/").status_code == 200
    for path in ("disclosures/", "disclosures/export.csv", "disclosures/export.json"):
        assert staff.get(f"/clients/{client.pk}/{path}").status_code == 200, path


def _assert_no_canary_in_the_audit_trail(codes: set[str]) -> None:
    """No canary, and no code either (a pseudonym is still personal data)."""
    for event in AuditEvent.objects.all():
        fields = {f.attname: as_text(getattr(event, f.attname)) for f in AuditEvent._meta.concrete_fields}
        text = json.dumps(fields, ensure_ascii=False).casefold()
        assert canaries_in(text) == [], event.action
        assert not any(code in text for code in codes), event.action


def _assert_no_canary_in_the_logs(records: list[logging.LogRecord], codes: set[str]) -> None:
    """Every SQL statement with its parameters included: no canary. Outside the SQL log, no code either."""
    assert any(r.name == "django.db.backends" for r in records)  # statements were logged
    for record in records:
        text = " ".join(
            [record.getMessage(), as_text(getattr(record, "sql", "")), as_text(getattr(record, "params", ""))]
        )
        assert canaries_in(text) == [], (record.name, text[:500])
        if record.name != "django.db.backends":
            assert not any(code in text.casefold() for code in codes), (record.name, text[:500])


def _assert_no_canary_in_urls(urls: list[str], ids: dict[str, Any], codes: set[str]) -> None:
    """None of the URLs the pages sent, linked or redirected to, and none that can be made for these records,
    holds a canary or a code."""
    made = [
        reverse(name, kwargs={p: ids[p] for p in parameters})
        for name, parameters in all_named_patterns()
        if set(parameters) <= set(ids)
    ]
    assert any(str(ids["client_id"]) in url for url in made)
    for url in [*urls, *made]:
        assert canaries_in(url) == [], url
        assert not any(code in url.casefold() for code in codes), url


def test_canaries_reach_no_table_log_audit_event_or_url(network, personas: Personas, caplog):
    worker = personas.by_role[Role.CASE_MANAGER]  # organisation A: registers, merges, records consents
    recipient = personas.outsider_manager  # organisation B
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django.db.backends")
    caplog.set_level(logging.DEBUG, logger="django")

    with every_sql_statement_logged():
        staff, other = Browser(worker), Browser(recipient)
        client, third = _register(staff, worker, network)
        _search_read_and_correct(staff, client)
        _share_and_read_elsewhere(staff, other, worker, network, client)
        # And through the selectors directly.
        client_search_for_actor(actor=recipient, query=ClientQuery(text=CORRECTED["family_name"]))
        assert client_get_for_actor(actor=recipient, client_id=client.pk).identity is not None
        client_get_for_actor(actor=worker, client_id=third.pk)

    # 1. The database, read raw: no canary in any column of any table, in any case; nor in a session.
    hits, read = raw_database_hits()
    assert read > 1000  # the scan did read the database
    assert hits == []
    assert session_hits() == []
    # The details are there, encrypted: every registered client has ciphertext and blind-index digests.
    assert all(c.identity_ciphertext and c.search_digests.exists() for c in Client.objects.all())

    codes = {c.uic.casefold() for c in Client.objects.all()}
    _assert_no_canary_in_the_audit_trail(codes)
    _assert_no_canary_in_the_logs(caplog.records, codes)
    ids = {
        "client_id": client.pk,
        "duplicate_id": third.pk,
        "consent_id": Consent.objects.get().pk,
        "merge_id": uuid.uuid4(),
    }
    _assert_no_canary_in_urls([*staff.urls, *other.urls], ids, codes)
    assert canaries_in(staff.cookies() + other.cookies()) == []  # messages travel in a cookie


def test_the_scan_finds_a_canary_wherever_it_is_written(network):
    """The scanner itself: a canary written in plain text, in a text column and in a JSON column, is found
    (otherwise the test above would pass by looking nowhere)."""
    with transaction.atomic():
        Organisation.objects.filter(pk=network.org_a.pk).update(description=f"about {TYPED['given_name'].upper()}")
        AuditEvent.objects.create(
            seq=10_000,
            occurred_at=timezone.now(),
            action="test.canary",
            details={"note": TYPED["national_id"]},
            prev_hash="0" * 64,
            hash="f" * 64,
        )
        hits, _ = raw_database_hits()
        transaction.set_rollback(True)
    tables = {table for table, _, _ in hits}
    assert tables == {Organisation._meta.db_table, AuditEvent._meta.db_table}
    assert {found for _, _, fragments in hits for found in fragments} == {"zqxwvname", "nid-zqx"}
