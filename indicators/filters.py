import django_filters

from projects.models import Project

from .models import Indicator, Result


def fiscal_year_choices(results):
    """Only the years of the results the visitor may see: a year whose only
    figure is a draft is not listed for the public."""
    years = results.order_by("fiscal_year").values_list("fiscal_year", flat=True).distinct()
    return [(str(year), f"{year}年度") for year in years]


def unit_choices():
    units = Indicator.objects.exclude(unit="").order_by("unit").values_list("unit", flat=True)
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

    class Meta:
        model = Result
        fields = ["project", "fiscal_year", "unit"]

    def __init__(self, data=None, queryset=None, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.filters["fiscal_year"].extra["choices"] = fiscal_year_choices(self.queryset)
