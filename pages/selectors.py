"""Reads for the project pages: a whole page's tree in a fixed number of queries."""

from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, Subquery, Value, Window
from django.db.models.functions import Coalesce, NullIf, RowNumber

from indicators import freshness, grading, progress
from indicators.cards import card_for, measure_comparisons
from indicators.models import (
    INDICATOR_REPORT_ORDER,
    Grade,
    Heading,
    Indicator,
    Result,
    SelfAssessment,
    Target,
)
from projects.models import (
    Category,
    CommitteeComment,
    Edition,
    Erratum,
    Measure,
    Project,
    Section,
)

# A page's sections: by theme, then これまでの主な取組 before 推進方向 ("achievements" < "direction").
SECTION_ORDER = ("theme__order", "kind")


def sections_by_edition(*, project: Project, user) -> dict[Edition, list[Section]]:
    """The project's sections in each edition the visitor may see, newest edition
    first: the page's edition menu and its chosen edition's sections in one query."""
    sections = (
        Section.objects.filter(theme__project=project, edition__in=Edition.objects.visible_to(user))
        .select_related("edition")
        .order_by("-edition__year", *SECTION_ORDER)  # Edition.latest_first
    )
    by_edition: dict[Edition, list[Section]] = {}
    for section in sections:
        by_edition.setdefault(section.edition, []).append(section)
    return by_edition


def project_page(*, project: Project, edition: Edition, user, sections=None) -> list:
    """The project's themes, each with .page_sections → .top_categories → .measure_list.

    Categories and measures are read flat and assembled here, so the page costs
    the same number of queries however many headings and measures it has.
    `sections`: the edition's sections, if already read (sections_by_edition).
    """
    themes = list(project.themes.all())
    if sections is None:
        sections = list(
            Section.objects.filter(theme__project=project, edition=edition)
            .select_related("edition")
            .order_by(*SECTION_ORDER)
        )
    categories = list(Category.objects.filter(section__in=sections).order_by("order"))
    # An edition's page shows the figures known when it was published: none from later
    # reports (figures from other sources carry no edition and always show).
    results = (
        Result.objects.visible_to(user)
        .filter(Q(edition__isnull=True) | Q(edition__year__lte=edition.year))
        .select_related("edition")
    )
    measures = list(
        Measure.objects.filter(category__in=categories)
        .select_related("department")
        .prefetch_related("municipalities")
        .order_by("order")
    )
    # A measure carried into a later edition shows the indicators of the first
    # measure of its line, with all their years.
    indicators = freshness.annotate(
        Indicator.objects.filter(measure__in={m.lineage_id for m in measures})
        .select_related("department", "measure__department")
        .order_by("order", "pk")
        .prefetch_related(
            Prefetch("results", queryset=results),
            Prefetch("targets", queryset=Target.objects.visible_to(user).shown_in(edition)),
            Prefetch("headings", queryset=Heading.objects.visible_to(user).shown_in(edition)),
        )
    )
    errata = errata_by_object(edition=edition, user=user)
    indicators_by_measure = defaultdict(list)
    for indicator in indicators:
        indicators_by_measure[indicator.measure_id].append(indicator)

    measures_by_category = defaultdict(list)
    plan_start_year = project.strategy.start_year
    for measure in measures:
        cards = (
            card_for(indicator, plan_start_year=plan_start_year, preview=edition.is_draft)
            for indicator in indicators_by_measure[measure.lineage_id]
        )
        measure.cards = [card for card in cards if card.results]
        for card in measure.cards:
            card.freshness = freshness.of(card.indicator, card.indicator.results.all())
            card.heading = next(iter(card.indicator.headings.all()), None)
            card.errata = [
                *errata.get((Indicator, card.indicator.pk), ()),
                *(e for r in card.results for e in errata.get((Result, r.pk), ())),
                *(e for t in card.indicator.targets.all() for e in errata.get((Target, t.pk), ())),
                *errata.get((Heading, getattr(card.heading, "pk", None)), ()),
            ]
        measure.errata = errata.get((Measure, measure.pk), [])
        measure.comparisons = measure_comparisons(
            measure.title, measure.cards, key_prefix=f"m{measure.pk}"
        )
        measures_by_category[measure.category_id].append(measure)
    children_by_parent = defaultdict(list)
    categories_by_section = defaultdict(list)
    for category in categories:
        category.errata = errata.get((Category, category.pk), [])
        category.measure_list = measures_by_category[category.pk]
        if category.parent_id:
            children_by_parent[category.parent_id].append(category)
        else:
            categories_by_section[category.section_id].append(category)
    for category in categories:
        category.child_list = children_by_parent[category.pk]
    sections_by_theme = defaultdict(list)
    for section in sections:
        section.errata = errata.get((Section, section.pk), [])
        section.top_categories = categories_by_section[section.pk]
        sections_by_theme[section.theme_id].append(section)
    for theme in themes:
        # これまでの主な取組 first, then the direction, as in the report.
        theme.page_sections = sorted(
            sections_by_theme[theme.pk], key=lambda s: s.kind != Section.Kind.ACHIEVEMENTS
        )
    return [theme for theme in themes if theme.page_sections]


def errata_by_object(*, edition: Edition, user) -> dict:
    """The edition's corrections (訂正) by (model, pk) of what each changed: one query.
    The count is left on the edition for the page's link to its 正誤表."""
    errata = list(Erratum.objects.visible_to(user).filter(edition=edition).in_order())
    edition.errata_count = len(errata)
    by_object = defaultdict(list)
    if not errata:
        return by_object
    models = ContentType.objects.get_for_models(
        Section, Category, Measure, Indicator, Result, Target
    )
    by_type = {content_type.pk: model for model, content_type in models.items()}
    for erratum in errata:
        model = by_type.get(erratum.content_type_id)
        if model is not None:
            erratum.edition = edition
            by_object[model, erratum.object_id].append(erratum)
    return by_object


def progress_summary(cards) -> list:
    """(status, label, count) of the indicators with targets among these cards."""
    return progress.count_by_status(card.main_progress for card in cards)


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
    first_indicators = (
        Indicator.objects.filter(measure__isnull=False)
        .filter(Exists(results.filter(indicator=OuterRef("pk"))))
        .annotate(
            rank=Window(
                RowNumber(), partition_by=F(project), order_by=[*INDICATOR_REPORT_ORDER, "pk"]
            )
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
        .select_related("indicator__measure__category__section__theme", "edition")
        .in_report_order()
    )
    by_indicator = defaultdict(list)
    for result in shown:
        by_indicator[result.indicator].append(result)
    cards = defaultdict(list)
    for indicator, indicator_results in by_indicator.items():
        project_id = indicator.measure.category.section.theme.project_id
        cards[project_id].append(
            card_for(indicator, indicator_results, targets=(), with_chart=False)
        )
    return cards


def progress_by_project(*, user, plan_start_year) -> tuple[dict, progress.Summary]:
    """Each project's count of indicators at each status, and the count over all projects.

    One query whatever the number of years: the visible targets, each with its
    series' newest figure (published first) read by a subquery.
    """
    newest = (
        Result.objects.visible_to(user)
        .filter(indicator=OuterRef("indicator"), breakdown=OuterRef("breakdown"))
        .order_by("-status", "-fiscal_year", "-period_end")
    )
    targets = (
        Target.objects.visible_to(user)
        .select_related("indicator__measure__category__section__theme")
        .annotate(
            newest_value=Subquery(newest.values("value")[:1]),
            newest_year=Subquery(newest.values("fiscal_year")[:1]),
        )
    )
    goals = sorted(
        progress.goals_from(targets).values(), key=lambda g: (g.indicator_id, g.breakdown != "")
    )
    main = {}
    for goal in goals:  # an indicator counts once, by its main goal (no breakdown first)
        main.setdefault(goal.indicator_id, goal)
    by_project = defaultdict(list)
    assessed = []
    for goal in main.values():
        figure = progress.assess(
            goal,
            goal.target.newest_value,
            goal.target.newest_year,
            plan_start_year=plan_start_year,
        )
        assessed.append(figure)
        measure = goal.target.indicator.measure
        if measure is not None:
            by_project[measure.category.section.theme.project_id].append(figure)
    summaries = {pk: progress.count_by_status(items) for pk, items in by_project.items()}
    return summaries, progress.count_by_status(assessed)


def project_evaluation(*, project: Project, edition: Edition, user) -> dict:
    """The evaluation of a project for an edition's results year (効果検証): the
    measures' self-assessments (the published ones, drafts too for staff), their KPIs
    by grade, and the external committee's comments. Three queries."""
    year = edition.results_fiscal_year
    measures = list(
        Measure.objects.filter(
            category__section__theme__project=project, category__section__edition=edition
        )
        .select_related("department")
        .order_by("category__section__theme__order", "category__order", "order")
    )
    lineage = {m.lineage_id: m for m in measures}
    assessments = list(
        SelfAssessment.objects.visible_to(user)
        .filter(measure_id__in=lineage, fiscal_year=year)
        .select_related("rule")
    )
    for assessment in assessments:
        assessment.shown_measure = lineage[assessment.measure_id]
    order = {m.lineage_id: n for n, m in enumerate(measures)}
    assessments.sort(key=lambda a: order[a.measure_id])
    comments = list(
        CommitteeComment.objects.visible_to(user)
        .filter(meeting__edition=edition)
        .filter(Q(project=project) | Q(measure__in=measures))
        .select_related("meeting", "measure")
        .order_by("meeting__held_on", "order", "pk")
    )
    return {
        "year": year,
        "assessments": assessments,
        "kpis": grading.kpi_grade_counts(assessments),
        "chart_height": grading.CHART_HEIGHT,
        "comments": comments,
        "meetings": sorted({c.meeting for c in comments}, key=lambda m: m.held_on),
    }


def grade_distribution(edition: Edition | None) -> dict | None:
    """The strategy's measures by grade (the published self-assessments of the newest
    edition's results year), for the home page; None when none is published. One query."""
    if edition is None:
        return None
    year = edition.results_fiscal_year
    counted = (
        SelfAssessment.objects.public()
        .filter(fiscal_year=year)
        .annotate(final=Coalesce(NullIf("override_grade", Value("")), "computed_grade"))
        .aggregate(**{grade: Count("pk", filter=Q(final=grade)) for grade in Grade.values})
    )
    total = sum(counted.values())
    if not total:
        return None
    rows = grading.bars([(grade, counted[grade]) for grade in Grade.values])
    return {"year": year, "total": total, "rows": rows, "chart_height": grading.CHART_HEIGHT}
