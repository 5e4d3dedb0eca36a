"""Property: no query string, however odd, makes the directory or its API fail with a server error."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cbtc.network.roles import Role
from tests.conftest import bearer, signed_in_client

PARAMETERS = [
    "type",
    "level",
    "region",
    "org_type",
    "q",
    "page",
    "limit",
    "offset",
    # directory search (issue 5)
    "near",
    "distance",
    "open_now",
    "age",
    "gender",
    "population",
    "language",
    "cost",
    "max_wait",
]
VALUES = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["methadone", "7", "0", "-1", "99999999999999999999", "tl-n", "\x00", "1e9", "%", "'"]),
    st.sampled_from(["on", "true", "25", "100", "0.5", "nan", "inf", "women", "trans_nonbinary", "free", "en"]),
    st.uuids().map(str),
)
QUERIES = st.dictionaries(st.sampled_from(PARAMETERS), VALUES, max_size=5)


@pytest.fixture
def clients(personas):
    user = personas.by_role[Role.OUTREACH_WORKER]
    return signed_in_client(user), Client(**bearer(user, name="fuzz"))


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=QUERIES)
def test_any_directory_query_is_answered_or_refused_never_a_server_error(clients, query):
    # The clients are made once per test function; hypothesis's examples only read through them.
    web, api = clients
    for path in ("/directory/", "/find/"):
        page = (web if path == "/directory/" else Client()).get(f"{path}?{urlencode(query)}")
        assert page.status_code in (200, 400), (path, query, page.status_code)
    for path in ("/api/v1/services", "/api/v1/organisations"):
        response = api.get(f"{path}?{urlencode(query)}")
        assert response.status_code in (200, 422), (path, query, response.status_code)
        if response.status_code == 422:
            assert response.json()["error"]["message"]
