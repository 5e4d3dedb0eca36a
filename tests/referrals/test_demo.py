"""Demo referrals: made through the real services between demo organisations, some shared under a consent and
some anonymous, in every kind of state; loaded once; refused outside demo and test modes."""

from __future__ import annotations

from collections import Counter

import pytest

from cbtc.clients.demo import load_demo_clients
from cbtc.clients.models import ClientEvent
from cbtc.errors import ServiceError
from cbtc.network.demo import load_demo
from cbtc.referrals.demo import load_demo_referrals
from cbtc.referrals.models import Referral

pytestmark = pytest.mark.django_db


def test_demo_referrals_cover_the_states_and_both_kinds_and_load_once() -> None:
    load_demo()
    load_demo_clients(count=120)
    result = load_demo_referrals(count=30)
    assert result.created == Referral.objects.count() > 20
    states = Counter(Referral.objects.values_list("state", flat=True))
    assert {"sent", "accepted", "completed", "declined"} <= set(states), states
    shared = Referral.objects.exclude(shared_categories="")
    assert shared.exists() and Referral.objects.filter(shared_categories="").exists()
    for referral in shared:
        assert referral.consent is not None
        assert referral.consent.recipients.filter(pk=referral.receiving_organisation_id).exists()
        assert referral.category_set <= referral.consent.category_set
    assert all(r.sending_organisation_id != r.receiving_organisation_id for r in Referral.objects.all())
    assert ClientEvent.objects.filter(category="referrals").count() >= result.created
    again = load_demo_referrals(count=30)
    assert again.created == 0 and Referral.objects.count() == result.created


def test_refused_in_production(settings) -> None:  # type: ignore[no-untyped-def]
    settings.MODE = "production"
    with pytest.raises(ServiceError, match="demo or test mode"):
        load_demo_referrals()
