"""What is left to do this year: the editors' checklist (admin index and 未入力の指標)."""

from dataclasses import dataclass

from django.urls import reverse

from projects.models import Edition, ToConfirm
from projects.services import Gap

from .models import INDICATOR_REPORT_ORDER, Indicator, Result, Target


@dataclass
class Checklist:
    fiscal_year: int | None
    edition: object
    indicators: int
    entered: int
    missing: list  # indicators with no figure for the fiscal year
    draft_results: int
    draft_targets: int
    to_confirm: int  # year-specific texts copied into the edition, not yet rewritten (要確認)

    @property
    def missing_count(self):
        return len(self.missing)


def current_results_year():
    """The results year of the edition being prepared: the newest edition, drafts included."""
    edition = Edition.objects.latest_first().first()
    return (edition.results_fiscal_year if edition else None), edition


def checklist(*, fiscal_year=None) -> Checklist:
    year, edition = current_results_year()
    if fiscal_year is not None:
        year = fiscal_year
    entered = Indicator.objects.filter(results__fiscal_year=year).distinct()
    missing = list(
        Indicator.objects.exclude(pk__in=entered.values("pk"))
        .select_related("measure__category__section__theme__project")
        .order_by(*INDICATOR_REPORT_ORDER, "pk")  # as the report prints them, on any database
    )
    return Checklist(
        fiscal_year=year,
        edition=edition,
        indicators=Indicator.objects.count(),
        entered=entered.count(),
        missing=missing,
        draft_results=Result.objects.filter(status=Result.Status.DRAFT).count(),
        draft_targets=Target.objects.filter(status=Target.Status.DRAFT).count(),
        to_confirm=ToConfirm.objects.filter(edition=edition).count() if edition else 0,
    )


def publication_gaps(edition) -> list:
    """Before `edition` is published: its results year's missing figures, and the
    figures and targets still drafts (projects.services.PUBLICATION_CHECKS)."""
    year = edition.results_fiscal_year
    gaps = []
    current = checklist(fiscal_year=year)  # the checklist's own count of what is missing
    if current.missing_count:
        url = reverse("admin:indicators_result_missing") + f"?fiscal_year={year}"
        gaps.append(
            Gap(
                f"{current.indicators}件の指標のうち{current.missing_count}件に"
                f"{year}年度の実績がありません",
                url,
            )
        )
    drafts = Result.objects.filter(status=Result.Status.DRAFT, edition=edition).count()
    if drafts:
        url = reverse("admin:indicators_result_changelist") + "?status__exact=draft"
        gaps.append(Gap(f"この版の実績のうち{drafts}件が下書きのままです（公開されません）", url))
    targets = Target.objects.filter(status=Target.Status.DRAFT, edition=edition).count()
    if targets:
        url = reverse("admin:indicators_target_changelist") + "?status__exact=draft"
        gaps.append(Gap(f"この版の目標のうち{targets}件が下書きのままです（公開されません）", url))
    return gaps
