"""Reads for the project pages: a whole page's tree in a fixed number of queries."""

from collections import defaultdict

from django.db.models import Exists, F, OuterRef, Prefetch, Subquery, Window
from django.db.models.functions import RowNumber

from indicators.cards import card_for
from indicators.models import REPORT_ORDER, Indicator, Result

from .models import Category, Edition, Measure, Project, Section


def editions_of(*, project: Project) -> list[Edition]:
    """Editions that have content for this project, newest first."""
    return list(Edition.objects.filter(sections__theme__project=project).distinct().latest_first())


def project_page(*, project: Project, edition: Edition, user) -> list:
    """The project's themes, each with .page_sections → .top_categories → .measure_list.

    Categories and measures are read flat and assembled here, so the page costs
    the same number of queries however many headings and measures it has.
    """
    themes = list(project.themes.all())
    sections = list(
        Section.objects.filter(theme__project=project, edition=edition)
        .select_related("edition")
        .order_by("theme__order", "kind")
    )
    categories = list(Category.objects.filter(section__in=sections).order_by("order"))
    results = Result.objects.visible_to(user).order_by("fiscal_year", "order", "breakdown")
    measures = list(
        Measure.objects.filter(category__in=categories)
        .prefetch_related(
            "municipalities",
            Prefetch(
                "indicators",
                queryset=Indicator.objects.order_by("order").prefetch_related(
                    Prefetch("results", queryset=results)
                ),
            ),
        )
        .order_by("order")
    )

    measures_by_category = defaultdict(list)
    for measure in measures:
        cards = (card_for(indicator) for indicator in measure.indicators.all())
        measure.cards = [card for card in cards if card.results]
        measures_by_category[measure.category_id].append(measure)
    children_by_parent = defaultdict(list)
    categories_by_section = defaultdict(list)
    for category in categories:
        category.measure_list = measures_by_category[category.pk]
        if category.parent_id:
            children_by_parent[category.parent_id].append(category)
        else:
            categories_by_section[category.section_id].append(category)
    for category in categories:
        category.child_list = children_by_parent[category.pk]
    sections_by_theme = defaultdict(list)
    for section in sections:
        section.top_categories = categories_by_section[section.pk]
        sections_by_theme[section.theme_id].append(section)
    for theme in themes:
        # これまでの主な取組 first, then the direction, as in the report.
        theme.page_sections = sorted(
            sections_by_theme[theme.pk], key=lambda s: s.kind != Section.Kind.ACHIEVEMENTS
        )
    return [theme for theme in themes if theme.page_sections]


def measures_on_page(themes):
    """Every measure of a page built by project_page, in page order."""
    for theme in themes:
        for section in theme.page_sections:
            for category in section.top_categories:
                yield from category.measure_list
                for child in category.child_list:
                    yield from child.measure_list


def headline_cards(*, results, per_project: int) -> dict:
    """The first figures of each project, in the report's order, as cards by project id.

    One bounded query, however many fiscal years there are: the first
    `per_project` indicators of each project that have a visible result (a
    window function ranks them in SQL), and of those only the latest fiscal
    year's results, which is all a home card shows (its number and period).
    """
    project = "measure__category__section__theme__project"
    indicator_order = [
        field.removeprefix("indicator__")
        for field in REPORT_ORDER
        if field.startswith("indicator__")
    ]
    first_indicators = (
        Indicator.objects.filter(measure__isnull=False)
        .filter(Exists(results.filter(indicator=OuterRef("pk"))))
        .annotate(
            rank=Window(RowNumber(), partition_by=F(project), order_by=[*indicator_order, "pk"])
        )
        .filter(rank__lte=per_project)
        .values("pk")
    )
    latest_year = (
        results.filter(indicator=OuterRef("indicator"))
        .order_by("-fiscal_year")
        .values("fiscal_year")[:1]
    )
    shown = (
        results.filter(indicator__in=first_indicators, fiscal_year=Subquery(latest_year))
        .select_related("indicator__measure__category__section__theme")
        .in_report_order()
    )
    by_indicator = defaultdict(list)
    for result in shown:
        by_indicator[result.indicator].append(result)
    cards = defaultdict(list)
    for indicator, indicator_results in by_indicator.items():
        project_id = indicator.measure.category.section.theme.project_id
        cards[project_id].append(card_for(indicator, indicator_results, with_chart=False))
    return cards
