"""The admin's password login is rate limited: guessing stops after a few tries."""

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user():
    return get_user_model().objects.create_superuser("ops", password="the-right-long-password")


def attempt(client, password):
    return client.post("/admin/login/?next=/admin/", {"username": "ops", "password": password})


def test_the_admin_logs_in_with_the_right_password(client, admin_user):
    response = attempt(client, "the-right-long-password")

    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_after_five_wrong_passwords_even_the_right_one_is_refused_for_a_while(client, admin_user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, "a-guess").status_code == 200  # the form again, with an error
    assert attempt(client, "a-guess").status_code == 429

    locked = attempt(client, "the-right-long-password")

    assert locked.status_code == 429
    assert "一小时" in locked.content.decode()
    assert client.get("/admin/").status_code == 302  # still not logged in


def test_a_lockout_names_neither_the_password_nor_hints_it_exists(client, admin_user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        response = attempt(client, "a-guess")

    assert "the-right-long-password" not in response.content.decode()
