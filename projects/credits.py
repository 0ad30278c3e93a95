"""The open data's credit lines with the reports the site carries, read from the data.

opendata.licence states the terms and imports no app; this adds the
published editions' citations (latest first) to them.
"""

from opendata import licence

from .models import Edition


def citations() -> list[str]:
    """The credit line of every published report, latest first."""
    return [edition.citation for edition in Edition.objects.public().latest_first()]


def attribution() -> str:
    return licence.attribution(citations())


def license_fields(*other_credits: str) -> dict:
    return licence.license_fields(citations(), *other_credits)
