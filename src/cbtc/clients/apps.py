from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "cbtc.clients"
    label = "clients"
    verbose_name = "Client registry"

    def ready(self) -> None:
        from cbtc.clients import checks  # noqa: F401, PLC0415  # registers the deploy check
