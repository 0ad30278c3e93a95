import unicodedata

from django.db.models import Count, Max, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from indicators.models import Indicator, Result
from municipalities.models import Municipality
from opendata import licence
from projects.models import Edition, Erratum, Measure, Project, SourceCorrection, Strategy
from strategy_portal import a11y, share
from strategy_portal.pagecache import reads

from . import selectors, sharing


@require_safe
def home(request):
    # The newest public edition with its strategy and phases (one query and a prefetch).
    edition = (
        Edition.objects.public()
        .latest_first()
        .select_related("strategy")
        .prefetch_related("strategy__phases")
        .first()
    )
    strategy = edition.strategy if edition else Strategy.objects.prefetch_related("phases").first()
    results = Result.objects.visible_to(request.user)
    projects = list(Project.objects.in_order().prefetch_related("themes"))
    headlines = selectors.headline_cards(results=results, per_project=2)
    summaries, overall = selectors.progress_by_project(
        user=request.user, plan_start_year=strategy.start_year if strategy else None
    )
    for project in projects:
        project.headlines = headlines.get(project.pk, [])
        project.progress_summary = summaries.get(project.pk)
    description = share.SITE_DESCRIPTION
    if strategy:
        description = (
            f"{sharing.strategy_title(strategy)}の重点戦略プロジェクト（"
            + "、".join(p.short_name for p in projects)
            + "）の取組と、指標の実績・目標値"
        )
    context = {
        "share": share.card("", description),
        "strategy": strategy,
        "edition": edition,
        "grades": selectors.grade_distribution(edition),
        "projects": projects,
        "progress_summary": overall,
        "figures": results.aggregate(
            results=Count("pk"),
            indicators=Count("indicator", distinct=True),
            last=Max("updated_at"),
        ),
        "places": Municipality.objects.aggregate(
            municipalities=Count("pk", distinct=True),
            areas=Count("collaboration_areas", distinct=True),
        ),
    }
    return render(request, "projects/home.html", context)


@require_safe
def project_list(request):
    """/projects/, as a reader trims a project's address: the five are listed on the home page."""
    return redirect(reverse("projects:home") + "#projects-title")


def chosen_edition(request, project, editions, *, missing=False):
    """The edition a project's pages show: `?edition=YEAR`, else the newest published
    one (for staff too; drafts are opened by year). Returns (edition, None), or
    (None, the 「指定の版なし」 404 page) for a year not among `editions` (or when
    `missing`: the project has no edition the reader may see)."""
    edition = next((e for e in editions if not e.is_draft), editions[0] if editions else None)
    requested = request.GET.get("edition", "")
    if requested:
        edition = next((e for e in editions if str(e.year) == requested), None)
    if missing or (requested and edition is None):
        page = render(
            request,
            "projects/edition_not_found.html",
            {"project": project, "editions": editions, "requested": requested[:20]},
            status=404,
        )
        return None, page
    return edition, None


@require_safe
@reads("edition")
def project_detail(request, slug):
    project = get_object_or_404(Project.objects.select_related("strategy"), slug=slug)
    sections_by_edition = selectors.sections_by_edition(project=project, user=request.user)
    editions = list(sections_by_edition)
    edition, not_found = chosen_edition(request, project, editions)
    if not_found:
        return not_found
    themes = (
        selectors.project_page(
            project=project,
            edition=edition,
            user=request.user,
            sections=sections_by_edition[edition],
        )
        if edition
        else []
    )
    measures = list(selectors.measures_on_page(themes))
    cards = [card for measure in measures for card in measure.cards]
    context = {
        "project": project,
        "edition": edition,
        "editions": editions,
        "themes": themes,
        "charts": any(card.chart for card in cards) or any(m.comparisons for m in measures),
        "progress_summary": selectors.progress_summary(cards),
        "share": sharing.project_card(project, themes, measures),
    }
    return render(request, "projects/project_detail.html", context)


@require_safe
@reads("edition")
def project_evaluation(request, slug):
    """「評価と検証」: a project's self-assessments and the committee's comments for an
    edition's results year (the newest published edition unless ?edition= says)."""
    project = get_object_or_404(Project.objects.select_related("strategy"), slug=slug)
    editions = list(
        Edition.objects.visible_to(request.user)
        .filter(sections__theme__project=project)
        .distinct()
        .latest_first()
    )
    edition, not_found = chosen_edition(request, project, editions, missing=not editions)
    if not_found:
        return not_found
    evaluation = selectors.project_evaluation(project=project, edition=edition, user=request.user)
    context = {
        "project": project,
        "edition": edition,
        "editions": editions,
        **evaluation,
        "share": share.card(
            f"{project.short_name}の評価と検証",
            f"{project.name}の施策の自己評価（{edition.year}年版）と外部有識者の意見",
        ),
    }
    return render(request, "projects/project_evaluation.html", context)


SEARCH_MAX_LENGTH = 100
SEARCH_LIMIT = 50


def clean_query(text: str) -> str:
    """Printable text only (no NUL, which PostgreSQL refuses), at most 100 characters."""
    printable = "".join(
        ch if unicodedata.category(ch)[0] != "C" and ch != "\ufffd" else " " for ch in text
    )
    return printable[:SEARCH_MAX_LENGTH].strip()


@require_safe
@reads("q")
def search(request):
    """Measures and indicators whose names or text contain every word of q."""
    query = clean_query(request.GET.get("q", ""))
    words = query.split()
    measures = indicators = municipalities = []
    if words:
        measure_filter, indicator_filter = Q(), Q()
        for word in words:
            measure_filter &= Q(title__icontains=word) | Q(body__icontains=word)
            indicator_filter &= Q(name__icontains=word) | Q(description__icontains=word)
        measures = list(
            Measure.objects.visible_to(request.user)
            .filter(measure_filter)
            .select_related("category__section__theme__project", "category__section__edition")
            .order_by(
                "category__section__theme__project__number", "-category__section__edition__year"
            )[:SEARCH_LIMIT]
        )
        indicators = list(
            Indicator.objects.visible_to(request.user)
            .filter(indicator_filter)
            .select_related("measure__category__section__theme__project")
            .order_by("measure__category__section__theme__project__number", "order")[:SEARCH_LIMIT]
        )
        municipalities = list(
            Municipality.objects.filter(Q(name__icontains=query) | Q(kana__icontains=query))[
                :SEARCH_LIMIT
            ]
        )
    context = {
        "query": query,
        "measures": measures,
        "indicators": indicators,
        "municipalities": municipalities,
        "limit": SEARCH_LIMIT,
    }
    return render(request, "projects/search.html", context)


@require_safe
def about(request):
    corrections = SourceCorrection.objects.public().select_related("edition")
    editions = list(Edition.objects.public().latest_first())
    description = (
        f"{licence.SITE_CREDIT}について：収録している報告書（"
        + "、".join(f"{e.year}年版" for e in editions)
        + "）、データの出典、原資料の訂正"
    )
    context = {
        "corrections": corrections,
        "editions": editions,
        "share": share.card("このサイトについて", description),
    }
    return render(request, "projects/about.html", context)


@require_safe
def edition_report(request, year):
    """「報告書（印刷用）」: the whole edition in the report's order, one theme per A4 page."""
    edition = get_object_or_404(Edition.objects.visible_to(request.user), year=year)
    projects = list(Project.objects.in_order().select_related("strategy"))
    charts = False
    for project in projects:
        project.page_themes = selectors.project_page(
            project=project, edition=edition, user=request.user
        )
        for measure in selectors.measures_on_page(project.page_themes):
            charts = charts or bool(measure.comparisons) or any(c.chart for c in measure.cards)
        project.evaluation = selectors.project_evaluation(
            project=project, edition=edition, user=request.user
        )
    title = f"{edition.title}（{edition.year}年版・報告書（印刷用））"
    description = (
        f"{edition.publisher}「{edition.title}」（{edition.year}年版）の全文："
        + "、".join(p.name for p in projects)
    )
    context = {
        "edition": edition,
        "projects": projects,
        "charts": charts,
        "eager_pictures": True,  # printed: every chart's picture loaded, none waits for a scroll
        "share": share.card(title, description, type="article"),
    }
    return render(request, "projects/edition_report.html", context)


@require_safe
def edition_errata(request, year):
    """正誤表: every correction of the edition since it was published, oldest first."""
    edition = get_object_or_404(Edition.objects.visible_to(request.user), year=year)
    errata = Erratum.objects.visible_to(request.user).filter(edition=edition).in_order()
    context = {
        "edition": edition,
        "errata": errata,
        "editions": Edition.objects.public().latest_first(),
        "source_corrections": SourceCorrection.objects.public().filter(edition=edition).count(),
        "share": share.card(
            f"正誤表（{edition.year}年版）",
            f"{edition.publisher}「{edition.title}」（{edition.year}年版）の公開後の訂正",
        ),
    }
    return render(request, "projects/errata.html", context)


def _a11y_context():
    run = a11y.load_results()
    return {
        "standard": a11y.STANDARD,
        "target_level": a11y.TARGET_LEVEL,
        "run": run,
        "evaluation": a11y.evaluate(run) if run else None,
    }


@require_safe
def accessibility(request):
    """ウェブアクセシビリティ方針: scope, target, and the claim the last test run allows."""
    context = _a11y_context()
    context["share"] = share.card(
        "ウェブアクセシビリティ方針",
        f"{licence.SITE_CREDIT}のウェブアクセシビリティ方針：{a11y.STANDARD}の"
        f"適合レベル{a11y.TARGET_LEVEL}を目標とする対象範囲と対応度",
    )
    return render(request, "projects/accessibility.html", context)


@require_safe
def accessibility_results(request):
    """ウェブアクセシビリティ試験結果, from the committed run (`make a11y`)."""
    context = _a11y_context()
    context["share"] = share.card(
        "ウェブアクセシビリティ試験結果",
        f"{licence.SITE_CREDIT}の{a11y.STANDARD}に基づく試験結果と達成基準チェックリスト",
    )
    return render(request, "projects/accessibility_results.html", context)
