from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "cbtc.consent"
    label = "consent"
    verbose_name = "Consent and disclosures"
