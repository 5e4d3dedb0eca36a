"""The main-substance reference list. Wording follows the substances UNODC/WHO treatment data name."""

from django.db import migrations

SUBSTANCES = [
    ("heroin", "Heroin"),
    ("opium", "Opium"),
    ("other_opioids", "Other opioids (non-prescribed)"),
    ("methamphetamine", "Methamphetamine"),
    ("other_stimulants", "Other amphetamine-type stimulants"),
    ("cocaine", "Cocaine"),
    ("cannabis", "Cannabis"),
    ("alcohol", "Alcohol"),
    ("sedatives", "Sedatives and benzodiazepines (non-prescribed)"),
    ("kratom", "Kratom"),
    ("inhalants", "Inhalants and solvents"),
    ("nps", "New psychoactive substances"),
    ("other", "Another substance"),
]


def seed(apps, schema_editor):
    Substance = apps.get_model("clients", "Substance")
    for order, (code, label) in enumerate(SUBSTANCES, start=1):
        Substance.objects.update_or_create(code=code, defaults={"label": label, "sort_order": order * 10})


class Migration(migrations.Migration):
    dependencies = [("clients", "0001_client_registry")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
