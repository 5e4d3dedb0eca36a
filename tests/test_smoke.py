import pytest

from tests.conftest import signed_in_client


@pytest.mark.django_db
def test_home_for_each_role(personas):
    for role, user in personas.by_role.items():
        response = signed_in_client(user).get("/")
        assert response.status_code == 200, role
        assert role.label.encode() in response.content
