"""``cbtc referrals_expire``: close referrals that waited too long (run daily, e.g. from cron or a systemd timer)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from cbtc.referrals.services import referrals_expire


class Command(BaseCommand):
    help = (
        "Expire referrals still waiting for an answer or for the client to attend CBTC_REFERRAL_EXPIRE_DAYS days "
        "after that step fell due. Both services see the referral as expired; a consent that ends with the referral "
        "ends too. Safe to run any number of times."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        expired = referrals_expire()
        self.stdout.write(
            f"{expired} referral{'s' if expired != 1 else ''} expired "
            f"(open and due more than {settings.REFERRAL_EXPIRE_DAYS} days ago)."
        )
