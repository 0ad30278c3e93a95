"""Names that come from the data are plain text to Plotly, in every chart and map.

Plotly renders a whitelist of HTML tags (<a href>, <b>, <br> …) in trace names,
hover templates, bar texts, tick labels and annotations, and fills `%{…}` in
hover templates. A breakdown, an indicator, a unit or a place named with markup
must reach the reader as the same characters, never as a link or a placeholder.
"""

import html
import re

import pytest
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.urls import reverse

from indicators.models import Indicator, Result, Target
from municipalities.models import CollaborationArea, Municipality
from projects.models import Edition

from ..test_dashboard import json_scripts

pytestmark = pytest.mark.django_db

LINK = '<a href="javascript:alert(1)">x</a>'
BREAKDOWN = LINK + "%{y}"  # 38 characters: fits 内訳 (60)
UNIT = "<b>件</b>%{x}"  # fits 単位 (20)
GRANTS = "p2-mirai-challenge-grants"  # 助成実績 by コース, one fiscal year

# What the site's own hover templates may hold: line breaks, the <extra> box, and
# placeholders that Plotly fills from the trace, never from text put into the template.
TEMPLATE_TAGS = {"<br>", "<extra>", "</extra>"}
TEMPLATE_FIELDS = {"%{x}", "%{y}", "%{text}", "%{customdata}", "%{fullData.name}"}
TRACE_TEXT = ("name", "text", "customdata", "hovertext", "x", "y", "legendgrouptitle")


def flat(value):
    if isinstance(value, list):
        for item in value:
            yield from flat(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from flat(item)
    elif isinstance(value, str):
        yield value


def plotly_strings(traces, layout):
    """(where, string, is_template) for every string Plotly draws as text."""
    for n, trace in enumerate(traces):
        for key in TRACE_TEXT:
            for string in flat(trace.get(key)):
                yield f"data[{n}].{key}", string, False
        for key in ("hovertemplate", "texttemplate"):
            for string in flat(trace.get(key)):
                yield f"data[{n}].{key}", string, True
    for n, note in enumerate(layout.get("annotations", [])):
        yield f"annotations[{n}]", note.get("text", ""), False
    for axis in ("xaxis", "yaxis"):
        for key in ("ticktext", "categoryarray"):
            for string in flat(layout.get(axis, {}).get(key)):
                yield f"{axis}.{key}", string, False


def assert_plain_text(traces, layout):
    seen = []
    for where, string, template in plotly_strings(traces, layout):
        rest = string
        if template:
            tags = set(re.findall(r"<[^>]*>", rest))
            assert tags <= TEMPLATE_TAGS, (where, string)
            fields = set(re.findall(r"%\{[^}]*\}", rest))
            assert fields <= TEMPLATE_FIELDS, (where, string)
            for token in TEMPLATE_TAGS | TEMPLATE_FIELDS:
                rest = rest.replace(token, "")
        assert "<" not in rest and ">" not in rest, f"raw markup in {where}: {string!r}"
        assert "%{" not in rest, f"a placeholder from the data in {where}: {string!r}"
        # Plotly decodes character references for display: the reader sees the name.
        seen.append(html.unescape(string))
    return seen


def indicator_figure(client, indicator):
    figures = json_scripts(client.get(indicator.get_absolute_url()).content.decode())
    return figures[f"chart-{indicator.pk}"]


def test_a_breakdown_named_with_markup_is_text_in_the_breakdown_chart(client):
    grants = Indicator.objects.get(slug=GRANTS)
    Indicator.objects.filter(pk=grants.pk).update(unit=UNIT)
    Result.objects.filter(indicator=grants, breakdown="学生留学コース").update(breakdown=BREAKDOWN)
    figure = indicator_figure(client, grants)
    assert figure["data"][0]["orientation"] == "h"  # the breakdown chart
    seen = assert_plain_text(figure["data"], figure["layout"])
    assert BREAKDOWN in seen  # its label above its bar reads as entered
    assert any(UNIT in text for text in seen)


def test_a_breakdown_named_with_markup_is_text_in_the_lines_and_its_target(client):
    grants = Indicator.objects.get(slug=GRANTS)
    Indicator.objects.filter(pk=grants.pk).update(unit=UNIT)
    Result.objects.filter(indicator=grants, breakdown="学生留学コース").update(breakdown=BREAKDOWN)
    newest = Result.objects.filter(indicator=grants, breakdown=BREAKDOWN).get()
    Result.objects.create(
        indicator=grants,
        edition=Edition.objects.get(year=2018),
        fiscal_year=newest.fiscal_year - 1,
        breakdown=BREAKDOWN,
        value=3,
        status="published",
    )
    Target.objects.create(
        indicator=grants, breakdown=BREAKDOWN, fiscal_year=2020, value=10, status="published"
    )
    figure = indicator_figure(client, grants)
    names = [trace.get("name") for trace in figure["data"]]
    assert figure["layout"]["showlegend"] and len(names) > 2  # one line per breakdown
    seen = assert_plain_text(figure["data"], figure["layout"])
    assert BREAKDOWN in seen and f"目標（{BREAKDOWN}）" in seen  # the legend reads right


def test_a_unit_and_a_denominator_named_with_markup_are_text_in_the_share_chart(client):
    indicator = Indicator.objects.get(slug="p1-safe-childbirth-support-municipalities")
    Indicator.objects.filter(pk=indicator.pk).update(unit=UNIT)
    Result.objects.filter(indicator=indicator).update(denominator_label="<i>対象</i>%{y}")
    figure = indicator_figure(client, indicator)
    assert figure["layout"]["barmode"] == "stack"  # the share chart
    seen = assert_plain_text(figure["data"], figure["layout"])
    assert any("<i>対象</i>%{y}" in text and UNIT in text for text in seen)


def test_indicator_names_with_markup_are_text_in_a_measures_activities_chart(client):
    Indicator.objects.filter(measure__category__section__theme__project__slug="sumairu").update(
        name=Concat(Value(LINK), F("name"))
    )
    html_ = client.get(reverse("projects:detail", args=["sumairu"])).content.decode()
    activities = {k: v for k, v in json_scripts(html_).items() if k.startswith("activities-")}
    assert activities
    for figure in activities.values():
        seen = assert_plain_text(figure["data"], figure["layout"])
        assert any(text.startswith(LINK) for text in seen)


def map_spec(client, url):
    specs = [
        spec
        for key, spec in json_scripts(client.get(url).content.decode()).items()
        if key.endswith("-map-spec")
    ]
    assert len(specs) == 1
    spec = specs[0]
    # maps.js makes a trace of each layer, named by its legend (or its name).
    traces = [{"name": layer["legend"] or layer["name"]} for layer in spec["layers"]]
    return traces, spec["layout"]


def test_place_names_with_markup_are_text_on_the_maps(client):
    area = CollaborationArea.objects.filter(kind="model").order_by("pk").first()
    CollaborationArea.objects.filter(pk=area.pk).update(name=LINK + "%{x}連携地域")
    town = Municipality.objects.select_related("subprefecture").order_by("code").first()
    Municipality.objects.filter(pk=town.pk).update(name="<b>町</b>%{y}")
    for url, name in (
        (reverse("municipalities:areas"), LINK + "%{x}"),
        (area.get_absolute_url(), LINK + "%{x}連携地域"),
        (reverse("municipalities:detail", args=[town.code]), "<b>町</b>%{y}"),
    ):
        traces, layout = map_spec(client, url)
        seen = assert_plain_text(traces, layout)
        assert any(name in text for text in seen), url
