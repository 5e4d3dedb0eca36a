from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "cbtc.audit"
    label = "audit"
    verbose_name = "Audit trail"
