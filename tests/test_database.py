"""The suite runs on the database CI asks for (PostgreSQL in the second pass)."""

import os

import pytest
from django.db import connection


@pytest.mark.django_db
def test_runs_on_the_configured_database():
    url = os.environ.get("DATABASE_URL", "sqlite")
    expected = "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"
    assert connection.vendor == expected
