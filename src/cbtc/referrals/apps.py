from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "cbtc.referrals"
    label = "referrals"
    verbose_name = "Referrals"
