from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "cbtc.care"
    label = "care"
    verbose_name = "Care pathway"
