from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "cbtc.network"
    label = "network"
    verbose_name = "Service network"
