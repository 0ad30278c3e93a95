"""Shared fixtures: the whole seed loaded once per test session, users by role."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.test import Client


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test database starts with the 2018 report and all municipalities."""
    with django_db_blocker.unblock():
        call_command("load_seed", stdout=open("/dev/null", "w"))


@pytest.fixture
def seed_dir():
    return settings.SEED_DIR


@pytest.fixture
def staff_client(django_user_model):
    """Prefectural staff: signed in, may read drafts. A client of its own."""
    user = django_user_model.objects.create_user("staff", password="pw-staff-123")
    user.user_permissions.add(Permission.objects.get(codename="view_result"))
    staff = Client()
    staff.force_login(user)
    return staff


@pytest.fixture
def admin_client_(django_user_model):
    user = django_user_model.objects.create_superuser("admin", password="pw-admin-123")
    superuser = Client()
    superuser.force_login(user)
    return superuser
