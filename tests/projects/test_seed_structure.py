"""The 2018 report's structure: five projects, their themes, sections and measures."""

import pytest

from projects.models import Category, Edition, Measure, Project, Section, SourceCorrection, Strategy

pytestmark = pytest.mark.django_db


def test_the_strategy_its_phases_and_vision():
    strategy = Strategy.objects.get()
    assert (strategy.start_year, strategy.end_year) == (2015, 2019)
    assert (
        strategy.vision_target_year,
        strategy.vision_population_high,
        strategy.vision_population_low,
    ) == (2040, 4_600_000, 4_500_000)
    assert strategy.pillars == ["重点戦略プロジェクト", "基本戦略", "地域戦略"]
    phases = list(strategy.phases.order_by("year"))
    assert [p.year for p in phases] == [2015, 2016, 2017, 2018, 2019]
    assert "策定" in phases[0].headlines[0]
    assert "総仕上げ" in phases[-1].headlines[0]


def test_five_projects_in_the_report_order():
    assert list(Project.objects.in_order().values_list("name", flat=True)) == [
        "安心のまち・暮らし「住まいる北海道」プロジェクト",
        "北のめぐみ「資源・ひと・経済好循環」創出プロジェクト",
        "未来を拓く「攻めの農・林・水産業」確立プロジェクト",
        "輝く「アジアのHOKKAIDO」創造プロジェクト",
        "多様な交流・連携と「北海道型地域自律圏」形成プロジェクト",
    ]
    assert [p.themes.count() for p in Project.objects.in_order()] == [2, 1, 1, 2, 1]


def test_every_theme_has_both_sections_in_the_2018_edition():
    edition = Edition.objects.get(year=2018)
    assert edition.direction_heading == "2018年度の推進方向"
    for project in Project.objects.all():
        for theme in project.themes.all():
            kinds = set(theme.sections.filter(edition=edition).values_list("kind", flat=True))
            assert kinds == {"achievements", "direction"}, theme


def test_measures_keep_text_bullets_and_funding_notes():
    marriage = Measure.objects.get(title="結婚サポートセンターの運営")
    assert marriage.body == "結婚や婚活を希望する方や市町村等への相談対応や婚活イベント情報の提供"
    assert marriage.category.title == "【結婚期】"
    assert marriage.category.section.kind == "achievements"

    subsidy = Measure.objects.get(title="多子世帯の保育料軽減支援の拡充")
    assert subsidy.bullets == ["第2子以降（3歳未満）の保育料無償化を実施する市町村の拡大"]

    wing = Measure.objects.get(title__contains="メディカルウイング")
    assert wing.indicators.get().results.get().value == 21

    funded = Measure.objects.exclude(funding_note="")
    assert funded.count() == 5  # every 〔…〕 note in the seed
    assert all(m.funding_note.startswith("〔") for m in funded)

    herbs = Measure.objects.get(title="薬用作物の地域生産モデルの構築")
    assert list(herbs.municipalities.values_list("name", flat=True)) == [
        "当別町",
        "八雲町",
        "下川町",
    ]


def test_nested_bullets_are_kept():
    program = Measure.objects.get(
        title="北海道と札幌市の連携による人口減少対策共同プログラムの推進"
    )
    headings = [item["text"] for item in program.bullets if isinstance(item, dict)]
    assert headings[0].startswith("I.")
    assert len(headings) == 3


def test_headings_and_counts():
    assert Category.objects.filter(title="【結婚期】").count() == 1
    assert Category.objects.filter(parent__isnull=False).exists()
    assert Section.objects.count() == 14
    assert Measure.objects.count() == 78


def test_corrections_are_recorded_and_slips_are_nowhere_in_the_text():
    assert SourceCorrection.objects.filter(
        printed__contains="蒲河町", corrected__contains="浦河町"
    ).exists()
    assert SourceCorrection.objects.filter(printed__contains="とちかち").exists()
    for measure in Measure.objects.all():
        assert "蒲河町" not in str(measure.bullets) + measure.body
        assert "とちかち" not in str(measure.bullets) + measure.body
