"""Login lockout behind the proxy: strangers cannot lock an account, nor spray one
password over many names from one address."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PROXY = "127.0.0.1"  # nginx on the same machine


@pytest.fixture
def taro(django_user_model):
    return django_user_model.objects.create_superuser("taro", password="correct-horse-battery")


def attempt(client, username, password, address, forged=None):
    """A login through one proxy, which appends the address it saw to X-Forwarded-For."""
    forwarded = ", ".join([*(forged or []), address])
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def signed_in(response):
    return response.status_code == 302


@pytest.fixture
def one_proxy(settings):
    settings.PROXY_COUNT = 1


def test_failures_from_five_addresses_do_not_lock_the_owner_out(client, taro, one_proxy):
    for n in range(5):
        assert attempt(client, "taro", "wrong", f"203.0.113.{n}").status_code == 200
    assert signed_in(attempt(client, "taro", "correct-horse-battery", "198.51.100.6"))


def test_a_forged_forwarded_for_does_not_change_the_address(client, taro, one_proxy):
    for n in range(5):
        attempt(client, "taro", "wrong", "203.0.113.9", forged=[f"10.9.9.{n}"])
    locked = attempt(client, "taro", "correct-horse-battery", "203.0.113.9", forged=["10.1.1.1"])
    assert locked.status_code == 429
    assert "ログインが一時的に制限されています" in locked.content.decode()
    # The owner, elsewhere, still signs in.
    assert signed_in(attempt(client, "taro", "correct-horse-battery", "198.51.100.7"))


def test_without_a_proxy_the_header_is_not_trusted(client, taro, settings):
    settings.PROXY_COUNT = 0
    for n in range(5):
        client.post(
            reverse("admin:login"),
            {"username": "taro", "password": "wrong"},
            REMOTE_ADDR="203.0.113.20",
            HTTP_X_FORWARDED_FOR=f"10.0.0.{n}",
        )
    locked = client.post(
        reverse("admin:login"),
        {"username": "taro", "password": "correct-horse-battery"},
        REMOTE_ADDR="203.0.113.20",
    )
    assert locked.status_code == 429


def test_one_address_cannot_spray_a_password_over_many_names(
    client, taro, one_proxy, django_user_model, settings
):
    names = [f"user{n:02d}" for n in range(30)]
    answers = [attempt(client, name, "Summer2024!", "203.0.113.50").status_code for name in names]
    limit = settings.AXES_ADDRESS_FAILURE_LIMIT
    assert answers[: limit - 1] == [200] * (limit - 1)
    assert set(answers[limit:]) == {429}, answers
    # The sprayer's address is refused even with a right password; the owner elsewhere is not.
    assert attempt(client, "taro", "correct-horse-battery", "203.0.113.50").status_code == 429
    assert signed_in(attempt(client, "taro", "correct-horse-battery", "198.51.100.8"))


def test_signing_in_to_ones_own_account_does_not_reset_the_address_count(
    client, taro, one_proxy, settings
):
    limit = settings.AXES_ADDRESS_FAILURE_LIMIT
    for n in range(limit - 1):
        attempt(client, f"name{n}", "guess", "203.0.113.60")
    assert signed_in(attempt(client, "taro", "correct-horse-battery", "203.0.113.60"))
    client.logout()
    attempt(client, "another", "guess", "203.0.113.60")
    assert attempt(client, "taro", "correct-horse-battery", "203.0.113.60").status_code == 429
