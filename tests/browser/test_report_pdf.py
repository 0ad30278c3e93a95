"""The edition as a printed report: Chromium's PDF holds every measure title of the edition."""

import re
import subprocess

import pytest
from django.urls import reverse

from projects.models import Measure
from projects.report import print_pdf

pytestmark = pytest.mark.django_db(transaction=True)


def squashed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_the_printed_report_holds_every_measure_of_the_edition(site, tmp_path):
    path = tmp_path / "edition-2018.pdf"
    print_pdf(site.url + reverse("projects:edition_report", args=[2018]), path)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    assert "841.92 x 594.96" in info.stdout  # A4 landscape
    # -raw: the text in the order Chromium wrote it (the page order), not columns interleaved
    text = squashed(
        subprocess.run(
            ["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
    )
    titles = list(
        Measure.objects.filter(category__section__edition__year=2018).values_list(
            "title", flat=True
        )
    )
    assert len(titles) == 78
    missing = [title for title in titles if squashed(title) not in text]
    assert missing == []
