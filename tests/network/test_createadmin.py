from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from cbtc.network.models import Membership, Organisation, User
from cbtc.network.roles import Role

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    call_command("createadmin", *args, stdout=out)
    return out.getvalue()


def test_the_first_administrator_is_created_with_a_one_time_password():
    output = run(
        "--username",
        "root.admin",
        "--organisation",
        "National programme",
        "--country-code",
        "xx",
        "--country-name",
        "Exampleland",
    )
    password = output.rsplit(": ", 1)[1].strip()
    admin = User.objects.get(username="root.admin")
    assert admin.must_change_password
    assert Membership.objects.get(user=admin).role == Role.SYSTEM_ADMINISTRATOR
    client = Client()
    client.post("/login/", {"username": "root.admin", "password": password})
    assert client.get("/").url == "/account/password/"
    assert "nothing changed" in run("--username", "root.admin", "--organisation", "National programme")
    assert Organisation.objects.count() == 1


def test_missing_country_is_a_clear_error():
    with pytest.raises(CommandError, match="country-code"):
        run("--username", "x.admin", "--organisation", "New body")
    with pytest.raises(CommandError, match="country-name"):
        run("--username", "x.admin", "--organisation", "New body", "--country-code", "zz")
    assert not User.objects.exists()
