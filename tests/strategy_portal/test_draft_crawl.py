"""The draft-marker crawl: nothing of a draft reaches anyone who is not signed in.

A report editor starts the 2019 edition and writes a unique marker into every text
field of every object in it; a draft measure gets an indicator of its own, with a
published figure and a target (public only once the edition is); editors enter
draft figures and targets for published indicators. Then, as an anonymous
visitor: every public URL the URLconf can make (every pattern, every object, every
query parameter a page declares with @reads, every value), every API endpoint
with every documented filter and every page of every list, every download, every
member of the ZIP, every sheet of the workbook and the catalogue's every
distribution. No marker, no draft figure and no link to a draft object anywhere.
Signed-in staff see them.

A new URL pattern, API endpoint, query parameter, download or model joins the
crawl by itself: patterns come from the URLconf, parameters from @reads and the
OpenAPI document, files from the catalogue, text fields from each model's _meta.
"""

import csv
import io
import json
import re
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver

from indicators import grading
from indicators.models import Heading, Indicator, Result, SelfAssessment, Target
from projects import services
from projects.models import (
    Category,
    CommitteeComment,
    CommitteeMeeting,
    Edition,
    Erratum,
    Measure,
    Project,
    Section,
    SourceCorrection,
)
from strategy_portal.checks import PORTAL_APPS

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

MARK = "ZQXDRAFT"
DRAFT_YEAR = 2019
# Figures no published record carries: a draft result, a draft target, and a
# published result of the draft indicator (private until its edition is published).
DRAFT_VALUES = (Decimal("97531864"), Decimal("86420975"), Decimal("75319864"))
SKIP_PREFIXES = ("admin", "accounts", "api/v1/docs")


def _mark_text_fields(obj, n):
    """A unique marker in every text field of obj (choices and slugs keep their form)."""
    changed = []
    for field in obj._meta.concrete_fields:
        if field.choices or isinstance(field, models.SlugField) or field.primary_key:
            continue
        label = f"{MARK}{obj._meta.model_name}{n}{field.name}"
        if isinstance(field, (models.CharField, models.TextField)):
            limit = field.max_length or 10_000
            setattr(obj, field.attname, label[:limit])
            changed.append(field.name)
        elif isinstance(field, models.JSONField):
            setattr(obj, field.attname, [label])
            changed.append(field.name)
    obj.save()
    return changed


@pytest.fixture
def draft_world():
    draft = services.start_next_edition(Edition.objects.get(year=2018))
    objects = [draft]
    objects += list(Section.objects.filter(edition=draft))
    objects += list(Category.objects.filter(section__edition=draft))
    objects += list(Measure.objects.filter(category__section__edition=draft))
    objects += list(Heading.objects.filter(edition=draft))  # copied from 2018's
    objects.append(
        SourceCorrection.objects.create(edition=draft, location="x", printed="x", corrected="x")
    )
    category = Category.objects.filter(section__edition=draft).order_by("pk").first()
    measure = Measure.objects.create(category=category, order=999, title="new")
    objects.append(  # a correction of a draft is never recorded; were one, it stays private
        Erratum.objects.create(
            edition=draft,
            content_type=ContentType.objects.get_for_model(Measure),
            object_id=measure.pk,
            subject="x",
            field="x",
            before="x",
            after="x",
            reason="x",
        )
    )
    indicator = Indicator.objects.create(slug="zqxdraft-indicator", measure=measure, name="n")
    objects += [measure, indicator]
    public_indicator = Indicator.objects.order_by("pk").first()
    objects.append(
        Result.objects.create(
            indicator=public_indicator,
            edition=draft,
            fiscal_year=2018,
            value=DRAFT_VALUES[0],
            version=1,
        )
    )
    objects.append(
        Target.objects.create(indicator=public_indicator, fiscal_year=2020, value=DRAFT_VALUES[1])
    )
    objects.append(
        Result.objects.create(
            indicator=indicator,
            edition=Edition.objects.get(year=2018),
            fiscal_year=2018,
            value=DRAFT_VALUES[2],
            status=Result.Status.PUBLISHED,
            version=1,
        )
    )
    objects.append(
        Target.objects.create(
            indicator=indicator,
            fiscal_year=2020,
            value=DRAFT_VALUES[1],
            status=Target.Status.PUBLISHED,
        )
    )
    # The committee's meeting on the draft edition, and its comment on a project.
    meeting = CommitteeMeeting.objects.create(edition=draft, held_on="2019-04-20", members="x")
    objects += [
        meeting,
        CommitteeComment.objects.create(
            meeting=meeting, project=Project.objects.order_by("number").first(), text="x"
        ),
    ]
    # A department's draft self-assessment of a published measure (its text, its
    # override's reason): private until the office publishes it.
    objects.append(
        SelfAssessment.objects.create(
            measure=public_indicator.measure,
            fiscal_year=2017,
            rule=grading.current_rule(),
            override_grade="A",
        )
    )
    for n, obj in enumerate(objects):
        _mark_text_fields(obj, n)
    models_marked = {type(obj) for obj in objects}
    return {"draft": draft, "objects": objects, "models": models_marked, "indicator": indicator}


def _patterns(resolvers, prefix=""):
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def _candidates():
    """Values for each path parameter and query parameter, drafts included."""
    slugs = set()
    for model in apps.get_models():
        if model._meta.app_label in PORTAL_APPS and any(
            f.name == "slug" for f in model._meta.fields
        ):
            slugs |= set(model._default_manager.values_list("slug", flat=True))
    ids = set()
    for model in (Section, Category, Measure, Result, Target):
        ids |= set(model._default_manager.values_list("pk", flat=True))
    from municipalities.models import Municipality, Subprefecture

    codes = set(Municipality.objects.values_list("code", flat=True))
    years = set(Edition.objects.values_list("year", flat=True))
    return {
        "slug": sorted(slugs),
        "id": sorted(ids),
        "year": sorted(years),
        "code": sorted(codes),
        "query": {
            "edition": [str(y) for y in sorted(years)],
            # Words of the marked text (not the marker itself, which search echoes).
            "q": [MARK[1:], f"{MARK[2:]}measure", "new"],
            "project": [str(p) for p in Project.objects.values_list("pk", flat=True)]
            + list(Project.objects.values_list("slug", flat=True)),
            "fiscal_year": [str(y) for y in range(2014, 2021)],
            "unit": sorted(set(Indicator.objects.values_list("unit", flat=True)) - {""}),
            "progress": ["achieved", "on_track", "behind", "no_target"],
            "indicator": sorted(Indicator.objects.values_list("slug", flat=True)),
            "municipality": sorted(codes)[:3],
            "subprefecture": sorted(Subprefecture.objects.values_list("slug", flat=True)),
            "status": ["draft", "published"],
            "per_page": ["200"],
            "page": ["1"],
            "sort": ["fiscal_year", "-fiscal_year"],
        },
    }


PARAMETER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>|\(\?P<(?P<regex>\w+)>[^)]*\)")


def _fill(route, values):
    """Every URL of `route` with its parameters taken from `values`."""
    route = route.lstrip("^").rstrip("$")
    match = PARAMETER.search(route)
    if match is None:
        return [route]
    name = match.group("name") or match.group("regex")
    urls = []
    for value in values.get(name, values.get("id" if name == "pk" else name, [])):
        urls += _fill(route[: match.start()] + str(value) + route[match.end() :], values)
    return urls


class Crawl:
    def __init__(self, client, world):
        self.client, self.world = client, world
        self.seen, self.requests, self.files, self.found = set(), 0, 0, []
        draft = world["draft"]
        ids = {
            "measures": [o.pk for o in world["objects"] if isinstance(o, Measure)],
            "categories": [o.pk for o in world["objects"] if isinstance(o, Category)],
            "sections": [o.pk for o in world["objects"] if isinstance(o, Section)],
            "results": [o.pk for o in world["objects"] if isinstance(o, Result)],
            "targets": [o.pk for o in world["objects"] if isinstance(o, Target)],
        }
        # Links to draft objects: API URLs, anchors and the draft edition's pages.
        self.links = [rf"/api/v1/{kind}/{pk}\b" for kind, pks in ids.items() for pk in pks]
        self.links += [rf"#measure-{pk}\b" for pk in ids["measures"]]
        self.links += [
            rf"edition={draft.year}\b",
            f"/editions/{draft.year}/",
            f"{draft.year}年版",
            re.escape(world["indicator"].slug),
        ]
        self.link_pattern = re.compile("|".join(self.links))
        self.figures = [f"{v:,.0f}" for v in DRAFT_VALUES] + [str(int(v)) for v in DRAFT_VALUES]

    def check_text(self, where, text):
        # What the visitor typed is shown back (「…」の検索結果, the filters): not a leak.
        for value in re.findall(r"=([^&!\[]+)", where.partition("?")[2]):
            text = text.replace(value, "")
        if MARK in text:
            at = text.index(MARK)
            self.found.append(f"{where}: marker …{text[max(0, at - 40) : at + 40]}…")
        for figure in self.figures:
            if figure in text:
                self.found.append(f"{where}: draft figure {figure}")
        link = self.link_pattern.search(text)
        if link:
            self.found.append(f"{where}: link to a draft object {link.group(0)}")

    def get(self, url, follow_pages=False):
        if url in self.seen:
            return None
        self.seen.add(url)
        response = self.client.get(url)
        self.requests += 1
        assert response.status_code < 500, f"{url}: {response.status_code}"
        if response.status_code != 200:
            return response
        self.inspect(url, response)
        if follow_pages and response["Content-Type"].startswith("application/json"):
            data = response.json()
            following = data.get("next") if isinstance(data, dict) else None
            if following:
                self.get(following.replace("http://testserver", ""), follow_pages=True)
        return response

    def inspect(self, url, response):
        kind = response["Content-Type"]
        body = b"".join(response) if response.streaming else response.content
        if kind.startswith("image/"):
            self.files += 1
            return  # a draft's image is refused before it is drawn (404 above)
        if "zip" in kind:
            with zipfile.ZipFile(io.BytesIO(body)) as archive:
                for member in archive.namelist():
                    self.files += 1
                    data = archive.read(member)
                    if member.endswith(".xlsx"):
                        self.check_workbook(f"{url}!{member}", data)
                    else:
                        self.check_text(f"{url}!{member}", data.decode("utf-8-sig", "replace"))
            return
        if "spreadsheet" in kind:
            self.files += 1
            self.check_workbook(url, body)
            return
        if "csv" in kind:
            self.files += 1
            text = body.decode("utf-8-sig")
            list(csv.reader(io.StringIO(text)))  # a real CSV
            self.check_text(url, text)
            return
        text = body.decode("utf-8", "replace")
        if kind.startswith("application/") and "json" in kind:
            text = json.dumps(json.loads(text), ensure_ascii=False)
        self.check_text(url, text)

    def check_workbook(self, where, data):
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
        for sheet in book.worksheets:
            cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c]
            self.check_text(f"{where}[{sheet.title}]", "\n".join(cells))


def _crawl(client, world):
    crawl = Crawl(client, world)
    values = _candidates()
    for route, pattern in _patterns(get_resolver().url_patterns):
        if route.startswith(SKIP_PREFIXES) or "openapi" in route:
            continue
        declared = getattr(pattern.callback, "page_parameters", frozenset())
        for url in _fill(route, values):
            url = "/" + url
            crawl.get(url, follow_pages=url.startswith("/api/"))
            for name in sorted(declared):
                for value in values["query"].get(name, []):
                    crawl.get(f"{url}?{name}={value}")
    # The API: every documented query parameter of every path, every page of every list.
    document = client.get("/api/v1/openapi.json").json()
    for path, operations in document["paths"].items():
        if "{" in path:
            continue  # filled above from the URLconf
        for parameter in operations["get"].get("parameters", []):
            if parameter["in"] != "query":
                continue
            for value in values["query"].get(parameter["name"], []):
                crawl.get(f"{path}?{parameter['name']}={value}&per_page=200", follow_pages=True)
    # The catalogue's every distribution (downloads and the ZIP's members).
    catalog = client.get("/catalog.jsonld").json()
    for url in re.findall(r'"(http://testserver/[^"]+)"', json.dumps(catalog)):
        crawl.get(url.replace("http://testserver", ""))
    return crawl


def test_an_anonymous_visitor_finds_no_draft_anywhere(client, draft_world):
    crawl = _crawl(client, draft_world)
    print(
        f"crawl: {crawl.requests} requests over {len(crawl.seen)} URLs, {crawl.files} files opened"
    )
    assert crawl.requests > 1000 and crawl.files > 5
    assert not crawl.found, "\n".join(crawl.found[:40])


def test_every_model_of_a_draft_edition_was_given_markers(draft_world):
    """The crawl means something only if each model the public can reach was marked."""
    publishable = {
        model
        for model in apps.get_models()
        if model._meta.app_label in PORTAL_APPS
        and hasattr(model._default_manager.all(), "visible_to")
    }
    assert publishable <= draft_world["models"], publishable - draft_world["models"]


def test_signed_in_staff_see_the_draft(staff_client, draft_world):
    draft = draft_world["draft"]
    project = Project.objects.order_by("number").first()
    page = staff_client.get(f"/projects/{project.slug}/?edition={draft.year}")
    assert MARK in page.content.decode()
    indicator_page = staff_client.get(f"/indicators/{draft_world['indicator'].slug}/")
    assert indicator_page.status_code == 200
    assert MARK in indicator_page.content.decode()
    api = staff_client.get(f"/api/v1/indicators/{draft_world['indicator'].slug}")
    assert api.status_code == 200 and MARK in api.content.decode()
