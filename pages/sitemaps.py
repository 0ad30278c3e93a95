"""sitemap.xml (django.contrib.sitemaps): every public page, with its last change where
the data says it. Only what the public may see: each list asks `public()`."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse

from indicators.models import Indicator, Result
from municipalities.models import CollaborationArea, Municipality, Subprefecture
from projects.models import Edition, Project
from strategy_portal.permissions import published


def _figures_changed():
    return Result.objects.public().aggregate(last=Max("updated_at"))["last"]


class PagesSitemap(Sitemap):
    """The pages that are not one object's: home, lists, the data and help pages."""

    NAMES = (
        "projects:home",
        "projects:about",
        "projects:accessibility",
        "projects:accessibility_results",
        "indicators:list",
        "indicators:progress_rule",
        "indicators:grading_rule",
        "municipalities:list",
        "municipalities:areas",
        "opendata:catalog",
        "api_docs",
    )
    CHANGES_WITH_FIGURES = {"projects:home", "indicators:list", "opendata:catalog"}

    def items(self):
        return list(self.NAMES)

    def location(self, item):
        return reverse(item)

    def lastmod(self, item):
        return _figures_changed() if item in self.CHANGES_WITH_FIGURES else None


class ProjectSitemap(Sitemap):
    def items(self):
        return Project.objects.in_order()

    def lastmod(self, project):
        key = "indicator__measure__category__section__theme__project"
        return (
            Result.objects.public()
            .filter(**{key: project})
            .aggregate(last=Max("updated_at"))["last"]
        )


class EvaluationSitemap(Sitemap):
    """Each project's 評価と検証 page."""

    def items(self):
        return Project.objects.in_order()

    def location(self, project):
        return reverse("projects:evaluation", args=[project.slug])


class EditionSitemap(Sitemap):
    """Each published edition's printable report and its 正誤表."""

    def items(self):
        return [
            (edition, name)
            for edition in Edition.objects.public().latest_first()
            for name in ("projects:edition_report", "projects:errata")
        ]

    def location(self, item):
        edition, name = item
        return reverse(name, args=[edition.year])


class IndicatorSitemap(Sitemap):
    def items(self):
        published_figures = published("results__")
        return (
            Indicator.objects.public()
            .annotate(last=Max("results__updated_at", filter=published_figures))
            .order_by("slug")
        )

    def lastmod(self, indicator):
        return indicator.last


class PlaceSitemap(Sitemap):
    """振興局, 市町村 and 連携地域: reference data, public as a whole."""

    def items(self):
        return [
            *Subprefecture.objects.order_by("order"),
            *Municipality.objects.order_by("code"),
            *CollaborationArea.objects.order_by("pk"),
        ]


SITEMAPS = {
    "pages": PagesSitemap,
    "projects": ProjectSitemap,
    "evaluations": EvaluationSitemap,
    "editions": EditionSitemap,
    "indicators": IndicatorSitemap,
    "places": PlaceSitemap,
}
