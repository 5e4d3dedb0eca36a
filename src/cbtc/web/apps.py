from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "cbtc.web"
    label = "web"
    verbose_name = "Web interface"
