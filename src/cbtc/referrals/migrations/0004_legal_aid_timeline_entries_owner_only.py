"""Timeline entries of legal-aid referrals made before they became owner-only get the owner-only kind
("referral.legal_aid.<state>", cbtc.clients.selectors.OWNER_ONLY_EVENT_PREFIXES), so an organisation whose consent
covers referrals no longer sees them either. Reversible."""

from django.db import migrations
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr

PLAIN = "referral."
PRIVATE = "referral.legal_aid."


BATCH = 500  # ids per statement: well under SQLite's limit on query parameters


def _legal_aid_batches(apps):  # type: ignore[no-untyped-def]
    """The timeline entries of legal-aid referrals, a batch of referrals at a time. Entries name their referral
    by its id as text (str(uuid)), so the ids are matched as such, not by a join."""
    referral_model = apps.get_model("referrals", "Referral")
    event_model = apps.get_model("clients", "ClientEvent")
    ids = [str(pk) for pk in referral_model.objects.filter(reason="legal_aid").values_list("pk", flat=True)]
    for start in range(0, len(ids), BATCH):
        yield event_model.objects.filter(object_type="referral", object_id__in=ids[start : start + BATCH])


def make_owner_only(apps, schema_editor):  # type: ignore[no-untyped-def]
    for entries in _legal_aid_batches(apps):
        plain = entries.filter(kind__startswith=PLAIN).exclude(kind__startswith=PRIVATE)
        plain.update(kind=Concat(Value(PRIVATE), Substr(F("kind"), len(PLAIN) + 1)))


def make_plain(apps, schema_editor):  # type: ignore[no-untyped-def]
    for entries in _legal_aid_batches(apps):
        entries.filter(kind__startswith=PRIVATE).update(kind=Concat(Value(PLAIN), Substr(F("kind"), len(PRIVATE) + 1)))


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0003_box_order_and_figures_indexes"),
        ("clients", "0007_harm_reduction_information_category"),
    ]

    operations = [migrations.RunPython(make_owner_only, make_plain)]
