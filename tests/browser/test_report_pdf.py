"""The edition as a printed report: Chromium's PDF holds every measure title of the edition,
each theme starting a page and read at 85% of its size or more (issue 19, part 12)."""

import re
import subprocess

from django.urls import reverse

from projects.models import Measure, Theme
from projects.report import print_page


def squashed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_the_printed_report_holds_every_measure_of_the_edition(site, page, tmp_path):
    path = tmp_path / "edition-2018.pdf"
    zooms = print_page(page, site.url + reverse("projects:edition_report", args=[2018]), path)
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

    # Each theme starts a page, after the cover, in the report's order, and reads at 85% of
    # its designed size or more: a long theme takes a second page rather than shrinking.
    themes = list(
        Theme.objects.filter(sections__edition__year=2018)
        .distinct()
        .select_related("project")
        .order_by("project__number", "order")
    )
    assert len(themes) == 7 and len(zooms) == len(themes)
    assert min(zooms) >= 0.85, f"a theme was shrunk to fit its page: {zooms}"
    pages = int(re.search(r"Pages:\s*(\d+)", info.stdout).group(1))
    print(f"report: {pages} pages, theme zooms {[round(z, 2) for z in zooms]}")
    assert 1 + len(themes) <= pages <= 1 + 2 * len(themes)
    texts = [
        squashed(
            subprocess.run(
                ["pdftotext", "-raw", "-f", str(n), "-l", str(n), str(path), "-"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )
        for n in range(2, pages + 1)
    ]
    starts = [text for text in texts if text.startswith("重点戦略プロジェクト")]
    assert len(starts) == len(themes), "each theme starts its own page"
    for theme, page_text in zip(themes, starts, strict=True):
        assert page_text.startswith(f"重点戦略プロジェクト{theme.project.number}")
        assert squashed(theme.project.name) in page_text and squashed(theme.title) in page_text
