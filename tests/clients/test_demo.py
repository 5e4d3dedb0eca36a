"""The demo clients (``cbtc demo``): about 500 fictional people with consents, loaded through the services,
deterministic and idempotent, and no more revealing in the database than a real client."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import TestCase
from django.utils import timezone

from cbtc.audit.models import AuditEvent
from cbtc.audit.services import audit_verify
from cbtc.clients import demo, demo_data, demo_plan
from cbtc.clients.duplicates import find_duplicates
from cbtc.clients.identity import decrypt_identity
from cbtc.clients.models import Client, ClientEvent, ClientSearchDigest, GenderIdentity
from cbtc.clients.uic import active_scheme
from cbtc.consent.models import AgeBasis, Consent, ConsentKind, Disclosure, Purpose
from cbtc.errors import ServiceError
from cbtc.network import demo_data as network_data
from cbtc.network.access import user_organisation_ids_with
from cbtc.network.demo import load_demo
from cbtc.network.models import Membership, User
from cbtc.network.roles import Permission, Role

STIGMATISING = ("addict", "abuser", "junkie", "drug abuse", "substance abuse", "user")
SMALL = 120  # enough for one of each kind of client (near-duplicates, research, minors) and quick

REGISTERING_ROLES = {Role.OUTREACH_WORKER, Role.CLINICIAN, Role.CASE_MANAGER}


def load(count: int = SMALL) -> demo.DemoClientsResult:
    load_demo()
    return demo.load_demo_clients(count=count)


def plans(count: int = SMALL) -> list[demo_plan.ClientPlan]:
    return demo_plan.plan_clients(
        demo_plan.organisations_of_the_network(), active_scheme(), count, timezone.localdate()
    )


def snapshot() -> list[int]:
    models = (Client, ClientEvent, ClientSearchDigest, Consent, Consent.recipients.through, Disclosure, AuditEvent)
    return [model.objects.count() for model in models]


# --- The word lists (no database) --------------------------------------------------------------------


def test_demo_words_are_not_stigmatising():
    texts = list(demo_data.all_text())
    assert len(texts) > 200
    assert [t for t in texts for word in STIGMATISING if word in t.lower()] == []


def test_recipients_are_organisations_of_the_demo_network():
    names = {spec.name for spec in network_data.ORGANISATIONS}
    wanted = {*demo_plan.CARE_COORDINATION_RECIPIENTS, *demo_plan.TREATMENT_RECIPIENTS, demo_plan.RESEARCH_RECIPIENT}
    assert wanted <= names


def test_ids_are_fixed_per_index():
    assert demo_plan.client_uuid(7) == demo_plan.client_uuid(7)
    assert len({demo_plan.client_uuid(i) for i in range(1000)}) == 1000


# --- Loading -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_full_load_through_the_command_is_idempotent():
    out = io.StringIO()
    call_command("demo", stdout=out)
    match = re.search(r"Demo clients: (\d+) \((\d+) anonymous.*?\), (\d+) consents .*?, (\d+) shared", out.getvalue())
    assert match is not None, out.getvalue()
    total, anonymous, consents, shared = (int(group) for group in match.groups())
    assert total == demo_plan.DEFAULT_COUNT == Client.objects.count()
    assert total * 0.45 < anonymous < total * 0.8
    assert Consent.objects.filter(kind=ConsentKind.TREATMENT).count() > total * 0.85
    # The clients' consents; the demo adds two consents to court reports after it (care/demo_justice.py).
    assert consents == Consent.objects.exclude(kind=ConsentKind.COURT_REPORT).count()
    assert total * 0.25 < shared < total * 0.45
    assert "added this run" in out.getvalue()

    before = snapshot()
    again = io.StringIO()
    call_command("demo", stdout=again)
    assert snapshot() == before
    assert f"Demo clients: {total} ({anonymous} anonymous" in again.getvalue()
    assert "added this run" not in again.getvalue()
    assert audit_verify().first_break is None

    # A realistic mix across the network.
    clients = Client.objects.all()
    registering = {spec.organisation for spec in network_data.STAFF if spec.role in REGISTERING_ROLES}
    assert set(clients.values_list("organisation__name", flat=True)) == registering
    assert len(registering) >= 4  # spread across the network, not one service
    peer = clients.filter(organisation__name=network_data.PEER_NETWORK).count()
    centre = clients.filter(organisation__name=network_data.TREATMENT_CENTRE).count()
    assert peer > centre  # more at the community-led service
    genders = set(clients.values_list("gender_identity", flat=True))
    assert {GenderIdentity.TRANSGENDER_WOMAN, GenderIdentity.NON_BINARY, GenderIdentity.WOMAN} <= genders
    substances = set(Client.main_substances.through.objects.values_list("substance_id", flat=True))
    assert {"heroin", "methamphetamine", "kratom", "cannabis", "alcohol"} <= substances
    assert clients.filter(kp_injects_drugs=True).exists() and clients.filter(kp_transgender=True).exists()
    assert 0 < clients.filter(uic_low_confidence=True).count() < total / 3
    assert clients.filter(birth_year__isnull=True).exists()
    assert Consent.objects.filter(revoked_at__isnull=False).count() >= 3
    research = Consent.objects.filter(purpose=Purpose.RESEARCH)
    assert 1 <= research.count() <= 2
    assert set(research.values_list("ethics_approval_reference", flat=True)) == {demo_data.RESEARCH_ETHICS_REFERENCE}


@pytest.mark.django_db
def test_a_larger_count_adds_only_the_missing_clients():
    load(40)
    first_ids = set(Client.objects.values_list("pk", flat=True))
    result = demo.load_demo_clients(count=60)
    assert result.created == 20 and result.clients == 60
    assert first_ids <= set(Client.objects.values_list("pk", flat=True))


class TestLoadedOnce(TestCase):
    """One load of SMALL clients shared by the tests of this class (rolled back after the class)."""

    result: demo.DemoClientsResult
    plans: list[demo_plan.ClientPlan]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.result = load()
        cls.plans = plans()

    def test_a_second_call_writes_nothing(self):
        first = self.result
        assert first.created == first.clients == SMALL
        before = snapshot()
        second = demo.load_demo_clients(count=SMALL)
        assert second.created == 0
        assert snapshot() == before
        assert second.clients == first.clients and second.consents == first.consents

    def test_clients_are_registered_by_a_demo_account_that_may_register_there(self):
        demo_users = {spec.username for spec in network_data.STAFF}
        for client in Client.objects.select_related("registered_by"):
            user = client.registered_by
            assert user is not None and user.username in demo_users
            assert str(client.organisation_id) in user_organisation_ids_with(user, Permission.CLIENT_REGISTER)

    def test_every_identity_decrypts_and_no_name_is_stored_in_plain_text(self):
        by_id = {plan.id: plan for plan in self.plans}
        named = []
        for client in Client.objects.all():
            plan = by_id[client.pk]
            assert decrypt_identity(client.identity_ciphertext) == plan.identity
            if plan.identity.family_name:
                named.append(plan.identity)
        assert named, "some clients give their names"
        # Spot check: long names and phone numbers appear in no column of the client tables, as stored.
        secrets = {n.family_name for n in named if len(n.family_name) >= 6} | {n.phone for n in named if n.phone}
        assert secrets
        with connection.cursor() as cursor:
            for table in ("clients_client", "clients_clientsearchdigest", "clients_clientevent", "audit_auditevent"):
                cursor.execute(f"SELECT * FROM {table}")  # table names are the literals above
                dump = "\n".join(repr(row) for row in cursor.fetchall())
                assert [secret for secret in secrets if secret in dump] == [], table

    def test_near_duplicates_are_found_by_the_duplicate_check(self):
        duplicates = [plan for plan in self.plans if plan.duplicate_of is not None]
        assert duplicates
        found_near = 0
        for plan in duplicates:
            client = Client.objects.get(pk=plan.id)
            original = Client.objects.get(pk=demo_plan.client_uuid(plan.duplicate_of))
            registrar = User.objects.get(username=plan.registrar)
            report = find_duplicates(
                actor=registrar,
                uic=plan.uic,
                birth_year=client.birth_year,
                sex_at_birth=client.sex_at_birth,
                exclude_id=client.pk,
            )
            if original.organisation_id == client.organisation_id:
                match = next(c for c in report.candidates if c.client.pk == original.pk)
                found_near += not match.exact and client.uic != original.uic
            else:  # registered elsewhere: shown only if shared with the registrar's organisation by consent
                assert report.known_elsewhere or any(c.client.pk == original.pk for c in report.candidates)
        assert found_near >= 1

    def test_consents_follow_the_rules(self):
        now = timezone.now()
        consents = Consent.objects.select_related("client").prefetch_related("recipients")
        assert consents.exists()
        witnesses_ok = set(Membership.objects.filter(user__is_active=True).values_list("user_id", "organisation_id"))
        for consent in consents:
            assert now - timedelta(days=30) <= consent.given_at <= now
            assert consent.client.registered_at <= consent.given_at
            assert (consent.witnessed_by_id, consent.organisation_id) in witnesses_ok
            assert consent.organisation_id == consent.client.organisation_id
            if consent.kind == ConsentKind.DISCLOSURE:
                recipients = list(consent.recipients.all())
                assert 1 <= len(recipients) <= 2
                assert consent.organisation not in recipients
                assert consent.expiry_event or consent.expires_on is not None
                if consent.expires_on is not None:
                    assert 90 <= (consent.expires_on - now.date()).days <= 366
        bases = set(consents.values_list("age_basis", flat=True))
        assert {AgeBasis.ADULT, AgeBasis.MINOR_WITH_GUARDIAN, AgeBasis.STATED_ADULT} <= bases
        minors = consents.filter(age_basis=AgeBasis.MINOR_WITH_GUARDIAN)
        assert not minors.filter(guardian_relationship="").exists()
        assert not consents.filter(age_basis=AgeBasis.STATED_ADULT, client__birth_year__isnull=False).exists()

    def test_recipients_have_opened_a_few_shared_records(self):
        disclosures = Disclosure.objects.select_related("recipient_user", "consent")
        assert disclosures.count() >= 1
        views = {row.consent_id for row in disclosures}
        assert len(views) <= demo_plan.DISCLOSURE_VIEWS
        for row in disclosures:
            assert row.recipient_user.username in {spec.username for spec in network_data.STAFF}
            assert row.recipient_organisation_id != row.disclosing_organisation_id
            assert row.recipient_organisation in row.consent.recipients.all()
        assert AuditEvent.objects.filter(action="client.disclose").count() == disclosures.count()

    def test_the_plan_is_deterministic(self):
        # 90 ends between the two registrations of a near-duplicate (88 and 99): a client never depends on
        # how many are loaded.
        first, second = plans(90), plans(90)
        assert first == second == self.plans[:90]


@pytest.mark.django_db
def test_nothing_is_registered_without_the_demo_accounts():
    assert demo.load_demo_clients(count=10).clients == 0
    assert not Client.objects.exists()


@pytest.mark.django_db
def test_refused_in_production(settings):
    load_demo()
    settings.MODE = "production"
    with pytest.raises(ServiceError, match="CBTC_MODE"):
        demo.load_demo_clients(count=5)
    assert not Client.objects.exists()
