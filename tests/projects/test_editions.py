"""A new report edition is data: a folder of YAML, no code change."""

import textwrap

import pytest
from django.core.management import call_command
from django.urls import reverse

from indicators.models import Indicator, Result
from projects.models import Edition, Measure, Section

pytestmark = pytest.mark.django_db

EDITION_2019 = """
edition:
  year: 2019
  title: 北海道創生総合戦略に基づく これまでの主な取組と 2019年度の推進方向
  published: 2019-05-01
  publisher: 北海道総合政策部
  direction_fiscal_year: 2019
  results_fiscal_year: 2018
"""
PROJECT_1 = """
project:
  number: 1
  slug: sumairu
  name: 安心のまち・暮らし「住まいる北海道」プロジェクト
  short_name: 住まいる北海道
  themes:
    - title: 安心して子どもを生み育てることができる環境づくり
      sections:
        - kind: achievements
          categories:
            - title: "【結婚期】"
              measures:
                - title: 結婚サポートセンターの運営
                  body: 相談対応を継続
                  indicators:
                    - slug: p1-marriage-support-consultations
                      name: 相談件数
                      unit: 件
                      results:
                        - {fiscal_year: 2018, value: 902}
                        - {fiscal_year: 2017, value: 813}
        - kind: direction
          categories:
            - title: 子育て支援の充実
              measures:
                - title: 新しい施策2019
"""


@pytest.fixture
def edition_2019(tmp_path):
    folder = tmp_path / "2019"
    folder.mkdir()
    (folder / "edition.yaml").write_text(textwrap.dedent(EDITION_2019), encoding="utf-8")
    (folder / "project_1.yaml").write_text(textwrap.dedent(PROJECT_1), encoding="utf-8")
    call_command("load_seed", edition=folder, stdout=open("/dev/null", "w"))
    return folder


def test_a_2019_edition_adds_its_direction_and_fy2018_results(edition_2019, client):
    edition = Edition.objects.get(year=2019)
    assert edition.direction_heading == "2019年度の推進方向"
    indicator = Indicator.objects.get(slug="p1-marriage-support-consultations")
    assert list(indicator.results.order_by("fiscal_year").values_list("fiscal_year", "value")) == [
        (2017, 813),
        (2018, 902),
    ]
    # The FY2017 figure stays the one the 2018 report published.
    assert indicator.results.get(fiscal_year=2017).edition.year == 2018
    assert indicator.measure.category.section.edition == edition

    page = client.get(reverse("projects:detail", args=["sumairu"])).content.decode()
    assert "2019年度の推進方向" in page
    assert "新しい施策2019" in page
    assert "902件" in page
    older = client.get(
        reverse("projects:detail", args=["sumairu"]) + "?edition=2018"
    ).content.decode()
    assert "2018年度の推進方向" in older
    assert "新しい施策2019" not in older


def test_loading_an_edition_twice_duplicates_nothing(edition_2019):
    counts = (Section.objects.count(), Measure.objects.count(), Result.objects.count())
    call_command("load_seed", edition=edition_2019, stdout=open("/dev/null", "w"))
    call_command("load_seed", stdout=open("/dev/null", "w"))
    assert (Section.objects.count(), Measure.objects.count(), Result.objects.count()) == counts


def test_replace_reloads_an_edition_without_duplicates(edition_2019):
    counts = (Section.objects.count(), Measure.objects.count(), Result.objects.count())
    call_command("load_seed", edition=edition_2019, replace=True, stdout=open("/dev/null", "w"))
    assert (Section.objects.count(), Measure.objects.count(), Result.objects.count()) == counts
