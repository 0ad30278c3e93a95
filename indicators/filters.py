import django_filters

from projects.models import Project
from strategy_portal import fiscal_years

from . import progress
from .models import Indicator, Result, Target


def fiscal_year_choices(results):
    """Only the years of the results the visitor may see: a year whose only
    figure is a draft is not listed for the public."""
    years = results.order_by("fiscal_year").values_list("fiscal_year", flat=True).distinct()
    return [(str(year), fiscal_years.short(year)) for year in years]


def unit_choices():
    # The choices are the same for every visitor: the public indicators' units.
    units = (
        Indicator.objects.public().exclude(unit="").order_by("unit").values_list("unit", flat=True)
    )
    return [(unit, unit) for unit in units.distinct()]


class ResultFilter(django_filters.FilterSet):
    """Filters of the indicator table and its downloads (same query string)."""

    project = django_filters.ModelChoiceFilter(
        label="プロジェクト",
        field_name="indicator__measure__category__section__theme__project",
        queryset=Project.objects.in_order(),
        empty_label="すべて",
    )
    fiscal_year = django_filters.ChoiceFilter(label="年度", choices=(), empty_label="すべて")
    unit = django_filters.ChoiceFilter(
        label="単位", field_name="indicator__unit", choices=unit_choices, empty_label="すべて"
    )

    progress = django_filters.ChoiceFilter(
        label="進捗状況",
        choices=progress.Status.choices,
        empty_label="すべて",
        method="filter_progress",
    )

    class Meta:
        model = Result
        fields = ["project", "fiscal_year", "unit", "progress"]

    def filter_progress(self, queryset, name, value):
        """Figures whose own progress towards their target has this status.

        Progress is computed, not stored: only results of indicators that have a
        visible target are read (a bounded set), then narrowed by id in SQL.
        """
        user = self.request.user if self.request else None
        targets = Target.objects.visible_to(user) if user else Target.objects.public()
        candidates = queryset.filter(indicator__in=targets.values("indicator"))
        matching = []
        for result in candidates:
            figure = progress.of_result(result)
            if figure is not None and figure.status == value:
                matching.append(result.pk)
        return queryset.filter(pk__in=matching)

    def __init__(self, data=None, queryset=None, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.filters["fiscal_year"].extra["choices"] = fiscal_year_choices(self.queryset)
