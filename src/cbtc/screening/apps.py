from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "cbtc.screening"
    label = "screening"
    verbose_name = "Screening"
