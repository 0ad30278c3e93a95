"""The open-data catalogue: every dataset, its formats, licence, credit, date and dictionary.

One list of datasets (`datasets()`) feeds the 「オープンデータ」 page, the DCAT-AP
JSON-LD document (/catalog.jsonld) and the bulk ZIP (/data/all.zip). Only
published figures are ever listed or packed, whoever asks.
"""

import csv
import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import date

from django.contrib.staticfiles import finders
from django.db.models import Max, Prefetch
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from indicators import exports
from indicators.models import Indicator, Result, Target
from municipalities.maps import BOUNDARIES_STATIC
from municipalities.models import CollaborationArea, Municipality
from opendata import licence
from opendata.columns import AREAS, BOUNDARIES, MUNICIPALITIES, RESULTS, Column, examples
from projects import credits
from projects.models import Edition, Project, Strategy
from strategy_portal import share

BOUNDARIES_AS_OF = "2021-01-01"  # 国土数値情報 N03 2021: boundaries as of 1 January 2021


@dataclass
class Distribution:
    title: str
    url: str
    format: str  # CSV, JSON, ZIP
    media_type: str
    description: str = ""
    api: bool = False  # the API: an accessURL through the DataService, no downloadURL


@dataclass
class Dataset:
    slug: str
    title: str
    description: str
    distributions: list[Distribution]
    columns: list[Column]
    modified: str | None  # ISO date of the newest row, where the data has one
    credit: str
    terms: dict | None = None  # a source's own terms, where it is not the prefecture
    keywords: list[str] = field(default_factory=list)
    dictionary: str = "results"  # which 項目定義書 describes its columns
    landing_page: str | None = None  # the page about it; the catalogue page when None
    temporal: tuple[date, date] | None = None  # the period its figures cover
    frequency: str = "ANNUAL"  # EU frequency authority table: the report is yearly
    themes: tuple[str, ...] = ("GOVE", "REGI")  # EU data-theme authority table


def _csv(url, title="CSV（UTF-8 BOM 付き、Excel対応）"):
    return Distribution(
        title,
        url,
        "CSV",
        "text/csv",
        "CSV（UTF-8、BOM 付き、改行は CRLF）。各列の意味・型・単位は項目定義書（dictionary.csv）にあります。",
    )


def _json(
    url,
    title="JSON",
    description="JSON。ライセンス（license）と出典の記載（attribution）を含みます。",
):
    return Distribution(title, url, "JSON", "application/json", description)


def _api(
    url,
    title="API（JSON、ページ分割）",
    description="API（JSON、OpenAPI 3.1）の一覧。page と per_page（最大200）でページ分割され、"
    "next で次のページをたどります。",
):
    return Distribution(title, url, "JSON", "application/json", description, api=True)


def _xlsx(url):
    return Distribution(
        "XLSX（全データを1ファイルに、表ごとのシート）",
        url,
        "XLSX",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "実績・市町村・連携地域を表ごとのシートに、ライセンスと項目定義書を添えた XLSX。",
    )


def _zip(url):
    return Distribution(
        "ZIP（一括ダウンロード）",
        url,
        "ZIP",
        "application/zip",
        "すべての CSV（実績はすべて・プロジェクト別・指標別）、項目定義書（dictionary.csv）、"
        "市町村界（JSON）、ライセンスと出典を書いた README.md を1つにまとめた ZIP。",
    )


def _date(value) -> str | None:
    return timezone.localtime(value).date().isoformat() if value else None


def published_results():
    """Every published figure with its published targets, in a stable order."""
    return (
        Result.objects.public()
        .select_related(
            "indicator__measure__category__section__theme__project__strategy", "edition"
        )
        .prefetch_related(
            Prefetch("indicator__targets", queryset=Target.objects.public().in_order())
        )
        .in_order()
    )


def datasets(request) -> list[Dataset]:
    absolute = request.build_absolute_uri
    credit = credits.attribution()
    results = Result.objects.public()
    newest = results.aggregate(latest=Max("updated_at"))["latest"]
    columns = RESULTS
    strategy_period = _strategy_period()
    by_indicator, by_project = _coverage(results)
    everything = _union(by_indicator.values()) or strategy_period
    items = [
        Dataset(
            "results",
            "実績（すべて）",
            "北海道創生総合戦略の報告書に掲載された、すべての公開済みの実績（数値）。目標と進捗率を含みます。",
            [
                _csv(absolute(reverse("indicators:results_csv"))),
                _json(absolute(reverse("indicators:results_json"))),
                _api(absolute(reverse("api:results"))),
                _xlsx(absolute(reverse("opendata:all_xlsx"))),
            ],
            columns,
            _date(newest),
            credit,
            keywords=["北海道創生総合戦略", "地方創生", "実績"],
            landing_page=absolute(reverse("indicators:list")),
            temporal=everything,
        )
    ]
    for project in Project.objects.in_order():
        in_project = results.filter(indicator__measure__category__section__theme__project=project)
        query = f"?project={project.pk}"
        items.append(
            Dataset(
                f"project-{project.slug}",
                f"実績：{project.name}",
                f"重点戦略プロジェクト{project.number}「{project.name}」の公開済みの実績。",
                [
                    _csv(absolute(reverse("indicators:results_csv") + query)),
                    _json(absolute(reverse("indicators:results_json") + query)),
                    _api(absolute(reverse("api:results") + f"?project={project.slug}")),
                ],
                columns,
                _date(in_project.aggregate(latest=Max("updated_at"))["latest"]),
                credit,
                keywords=[project.short_name, "北海道創生総合戦略", "実績"],
                landing_page=absolute(project.get_absolute_url()),
                temporal=by_project.get(project.pk) or strategy_period,
            )
        )
    indicator_dates = dict(
        results.values("indicator")
        .annotate(latest=Max("updated_at"))
        .values_list("indicator", "latest")
    )
    for indicator in (
        Indicator.objects.filter(pk__in=indicator_dates)
        .select_related("measure__category__section__theme__project")
        .order_by("measure__category__section__theme__project__number", "measure", "order", "pk")
    ):
        items.append(
            Dataset(
                f"indicator-{indicator.slug}",
                f"指標：{indicator}",
                indicator.description or f"指標「{indicator.name}」の年度ごとの実績。",
                [
                    _csv(absolute(reverse("indicators:detail_csv", args=[indicator.slug]))),
                    _json(absolute(reverse("indicators:detail_json", args=[indicator.slug]))),
                    _api(
                        absolute(reverse("api:indicator", args=[indicator.slug])),
                        "API（JSON）",
                        "API（JSON、OpenAPI 3.1）。指標の実績・目標・進捗を1つの JSON で返します。",
                    ),
                ],
                columns,
                _date(indicator_dates[indicator.pk]),
                credit,
                keywords=[
                    *([indicator.measure.project.short_name] if indicator.measure else []),
                    "北海道創生総合戦略",
                    "指標",
                ],
                landing_page=absolute(indicator.get_absolute_url()),
                temporal=by_indicator.get(indicator.pk) or strategy_period,
            )
        )
    latest_edition = Edition.objects.public().latest_first().first()
    items += [
        Dataset(
            "municipalities",
            "北海道の市町村（179市町村と14振興局）",
            "179市町村の団体コード・名称・よみ・種別・振興局・役場の位置・参加している連携地域。",
            [
                _csv(absolute(reverse("opendata:municipalities_csv"))),
                _api(absolute(reverse("api:municipalities")), "API（JSON）"),
                _xlsx(absolute(reverse("opendata:all_xlsx"))),
            ],
            MUNICIPALITIES,
            None,
            licence.CODE_TABLE_TERMS["credit"],
            terms=licence.CODE_TABLE_TERMS,
            keywords=["市町村", "団体コード", "振興局"],
            dictionary="municipalities",
            landing_page=absolute(reverse("municipalities:list")),
            temporal=strategy_period,
            frequency="IRREG",  # when municipalities merge or are renamed
            themes=("REGI", "GOVE"),
        ),
        Dataset(
            "areas",
            "連携地域（市町村連携地域モデル事業・定住自立圏・連携中枢都市圏）",
            "報告書に掲載された連携地域と、その構成市町村（1行に1市町村）。",
            [
                _csv(absolute(reverse("opendata:areas_csv"))),
                _api(absolute(reverse("api:areas")), "API（JSON）"),
                _xlsx(absolute(reverse("opendata:all_xlsx"))),
            ],
            AREAS,
            latest_edition.published_on.isoformat() if latest_edition else None,
            credit,
            keywords=["連携地域", "定住自立圏", "連携中枢都市圏"],
            dictionary="areas",
            landing_page=absolute(reverse("municipalities:areas")),
            temporal=strategy_period,
            themes=("REGI", "GOVE"),
        ),
        Dataset(
            "boundaries",
            "北海道の市町村界（地図用、簡略化）",
            "地図を描くための市町村の境界（179市町村と北方領土の6村）。札幌市は10区を統合しています。",
            [
                # The address stays put; the maps load the static file under its
                # content-hashed name, which changes with every build.
                _json(
                    absolute(reverse("opendata:boundaries_json")),
                    "JSON（独自の軽量形式、形式は本文に記載）",
                    "市町村界の JSON（独自の軽量形式）。各項目の意味は項目定義書（dictionary.csv）にあります。",
                )
            ],
            BOUNDARIES,
            BOUNDARIES_AS_OF,
            licence.BOUNDARY_CREDIT,
            terms=licence.BOUNDARY_TERMS,
            keywords=["行政区域", "境界", "地図"],
            dictionary="boundaries",
            landing_page=absolute(reverse("municipalities:list")),
            temporal=(date.fromisoformat(BOUNDARIES_AS_OF),) * 2,  # one day: as of
            frequency="IRREG",
            themes=("REGI",),
        ),
    ]
    return items


def _strategy_period() -> tuple[date, date] | None:
    """The strategy's fiscal years, April of the first to March after the last."""
    strategy = Strategy.objects.first()
    if strategy is None:
        return None
    return date(strategy.start_year, 4, 1), date(strategy.end_year + 1, 3, 31)


def _result_period(period, year, start, end) -> tuple[date, date]:
    """The days one figure covers: a fiscal year runs April to March, a calendar year
    January to December; a span, a month or a point in time has its own dates."""
    if period == "span" and start and end:
        return start, end
    if period == "month" and end:
        return end.replace(day=1), end
    if period == "as_of" and end:
        return end, end
    if period == "cy":
        return date(year, 1, 1), date(year, 12, 31)
    return date(year, 4, 1), date(year + 1, 3, 31)


def _union(periods) -> tuple[date, date] | None:
    """From the first start to the last end; None for no period."""
    periods = list(periods)
    if not periods:
        return None
    return min(p[0] for p in periods), max(p[1] for p in periods)


def _coverage(results) -> tuple[dict, dict]:
    """The period the published figures cover, by indicator and by project."""
    by_indicator: dict = {}
    by_project: dict = {}
    rows = results.values_list(
        "indicator_id",
        "indicator__measure__category__section__theme__project_id",
        "period",
        "fiscal_year",
        "period_start",
        "period_end",
    )
    for indicator, project, *when in rows:
        span = _result_period(*when)
        by_indicator.setdefault(indicator, []).append(span)
        if project is not None:
            by_project.setdefault(project, []).append(span)
    return (
        {key: _union(spans) for key, spans in by_indicator.items()},
        {key: _union(spans) for key, spans in by_project.items()},
    )


# --- the page ---------------------------------------------------------------------------


@require_safe
def catalog(request):
    items = datasets(request)
    context = {
        "datasets": items,
        "license": licence,
        "attribution": credits.attribution(),
        "zip_url": reverse("opendata:all_zip"),
        "jsonld_url": reverse("opendata:catalog_jsonld"),
        "indicator_count": sum(1 for d in items if d.slug.startswith("indicator-")),
        "share": share.card(
            "オープンデータ",
            f"{licence.SITE_CREDIT}のデータセット{len(items)}件の一覧：CSV・JSON・API、"
            + licence.LICENSE_NAME,
        ),
    }
    return render(request, "api/catalog.html", context)


# --- DCAT-AP -------------------------------------------------------------------------
# DCAT-AP 3.0.1, checked by tests/api/test_catalog.py against its SHACL shapes and
# the EU controlled vocabularies they name. Every value the document names is typed
# with the class DCAT-AP gives its property (dct:LicenseDocument, dct:MediaType, …);
# the concepts of the EU authority tables (themes, frequency, file type, language,
# availability) and of ADMS (publisher and licence types) are described by the tables.

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "dcatap": "http://data.europa.eu/r5r/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "adms": "http://www.w3.org/ns/adms#",
    "dct:modified": {"@type": "xsd:date"},
    "dct:issued": {"@type": "xsd:date"},
    "dcat:startDate": {"@type": "xsd:date"},
    "dcat:endDate": {"@type": "xsd:date"},
}
AUTHORITY = "http://publications.europa.eu/resource/authority/"
LANGUAGE_JA = f"{AUTHORITY}language/JPN"
FORMATS = {
    "CSV": f"{AUTHORITY}file-type/CSV",
    "JSON": f"{AUTHORITY}file-type/JSON",
    "ZIP": f"{AUTHORITY}file-type/ZIP",
    "XLSX": f"{AUTHORITY}file-type/XLSX",
}
DATA_THEMES = f"{AUTHORITY}data-theme"
FREQUENCIES = f"{AUTHORITY}frequency/"
STABLE = f"{AUTHORITY}planned-availability/STABLE"
HOKKAIDO = "https://sws.geonames.org/2130037/"  # GeoNames: Hokkaidō (first-order division)
REGIONAL_AUTHORITY = "http://purl.org/adms/publishertype/RegionalAuthority"
ATTRIBUTION_LICENCE = "http://purl.org/adms/licencetype/Attribution"  # credit required
MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"


def _text(value: str) -> dict:
    return {"@value": value, "@language": "ja"}


def _typed(iri: str, kind: str) -> dict:
    return {"@id": iri, "@type": kind}


def _licence(url: str) -> dict:
    return {**_typed(url, "dct:LicenseDocument"), "dct:type": {"@id": ATTRIBUTION_LICENCE}}


def _period(period: tuple[date, date]) -> dict:
    return {
        "@type": "dct:PeriodOfTime",
        "dcat:startDate": period[0].isoformat(),
        "dcat:endDate": period[1].isoformat(),
    }


def bulk_dataset(request, items: list[Dataset]) -> Dataset:
    """The ZIP and the workbook: every table at once, as a dataset of its own."""
    absolute = request.build_absolute_uri
    modified = [d.modified for d in items if d.modified]
    return Dataset(
        "all",
        "すべてのデータ（一括ダウンロード）",
        "このサイトのすべてのオープンデータ（実績・市町村・連携地域・市町村界・項目定義書）を"
        "1つのファイルにまとめたもの。公開済みの数値だけを収録しています。",
        [
            _zip(absolute(reverse("opendata:all_zip"))),
            _xlsx(absolute(reverse("opendata:all_xlsx"))),
        ],
        [],
        max(modified) if modified else None,
        "／".join(
            [
                credits.attribution(),
                licence.CODE_TABLE_TERMS["credit"],
                licence.BOUNDARY_CREDIT,
            ]
        ),
        keywords=["北海道創生総合戦略", "オープンデータ", "一括ダウンロード"],
        temporal=_union(d.temporal for d in items if d.temporal),
    )


def dcat_document(request) -> dict:
    absolute = request.build_absolute_uri
    strategy = Strategy.objects.first()
    latest_edition = Edition.objects.public().latest_first().first()
    publisher = {
        "@id": absolute(reverse("projects:about")) + "#publisher",
        "@type": "foaf:Agent",
        "foaf:name": _text(latest_edition.publisher if latest_edition else licence.SITE_CREDIT),
        "dct:type": {"@id": REGIONAL_AUTHORITY},
    }
    contact = {
        "@type": ["vcard:Organization", "vcard:Kind"],
        "vcard:fn": _text(licence.SITE_CREDIT),
        "vcard:hasURL": {"@id": absolute(reverse("projects:about"))},
    }
    items = datasets(request)
    items.append(bulk_dataset(request, items))
    catalog_url = absolute(reverse("opendata:catalog"))
    service_id = f"{catalog_url}#api"
    dictionary = {
        **_typed(absolute(reverse("opendata:dictionary_csv")), "dct:Standard"),
        "dct:title": _text("項目定義書（dictionary.csv）"),
        "dct:description": _text("各ファイルの列（項目）の意味・型・単位。"),
    }
    language = _typed(LANGUAGE_JA, "dct:LinguisticSystem")
    hokkaido = _typed(HOKKAIDO, "dct:Location")

    def licence_of(dataset):
        return _licence(
            licence.LICENSE_URL if dataset.terms is None else dataset.terms["terms_url"]
        )

    def distribution(dataset, dist, n):
        node = {
            "@id": f"{catalog_url}#{dataset.slug}-{n}",
            "@type": "dcat:Distribution",
            "dct:title": _text(dist.title),
            "dct:description": _text(dist.description or dist.title),
            "dcat:accessURL": {"@id": dist.url},
            "dct:format": _typed(FORMATS[dist.format], "dct:MediaTypeOrExtent"),
            "dcat:mediaType": _typed(MEDIA_TYPES + dist.media_type, "dct:MediaType"),
            "dct:license": licence_of(dataset),
            "dct:rights": {"@type": "dct:RightsStatement", "rdfs:label": _text(dataset.credit)},
            "dcatap:availability": {"@id": STABLE},
        }
        if dist.api:  # a paged list is no file to download: reached through the service
            node["dcat:accessService"] = {"@id": service_id}
        else:
            node["dcat:downloadURL"] = {"@id": dist.url}
        return node

    def dataset_node(dataset):
        temporal = dataset.temporal or _strategy_period()
        node = {
            "@id": f"{catalog_url}#{dataset.slug}",
            "@type": "dcat:Dataset",
            "dct:identifier": dataset.slug,
            "dct:title": _text(dataset.title),
            "dct:description": _text(dataset.description),
            "dct:publisher": publisher,
            "dcat:contactPoint": contact,
            "dct:language": language,
            "dcat:keyword": [_text(k) for k in dataset.keywords],
            "dcat:theme": [{"@id": f"{DATA_THEMES}/{code}"} for code in dataset.themes],
            "dct:spatial": hokkaido,
            "dct:accrualPeriodicity": _typed(FREQUENCIES + dataset.frequency, "dct:Frequency"),
            "dcat:landingPage": _typed(dataset.landing_page or catalog_url, "foaf:Document"),
            "dct:conformsTo": dictionary,
            "dct:rightsHolder": publisher
            if dataset.terms is None
            else {
                "@type": "foaf:Agent",
                "foaf:name": _text(dataset.terms["publisher"]),
            },
            "dcat:distribution": [
                distribution(dataset, dist, n) for n, dist in enumerate(dataset.distributions, 1)
            ],
        }
        if temporal:
            node["dct:temporal"] = _period(temporal)
        if dataset.modified:
            node["dct:modified"] = dataset.modified
        return node

    openapi = absolute(reverse("api:openapi-json"))
    service = {
        "@id": service_id,
        "@type": "dcat:DataService",
        "dct:title": _text(f"{licence.SITE_CREDIT} API"),
        "dct:description": _text(
            "読み取り専用の JSON API（OpenAPI 3.1）。実績・目標・進捗、総合戦略の構成、"
            "市町村・振興局・連携地域を、ページ分割した一覧と個別の項目で返します。"
        ),
        "dcat:endpointURL": {"@id": openapi.removesuffix("openapi.json")},
        "dcat:endpointDescription": {"@id": openapi},
        "dcat:landingPage": _typed(absolute(reverse("api_docs")), "foaf:Document"),
        "dct:format": _typed(FORMATS["JSON"], "dct:MediaTypeOrExtent"),
        "dct:license": _licence(licence.LICENSE_URL),
        "dct:publisher": publisher,
        "dcat:contactPoint": contact,
        "dcat:theme": [{"@id": f"{DATA_THEMES}/{code}"} for code in ("GOVE", "REGI")],
        "dcat:keyword": [_text(k) for k in ("API", "オープンデータ", "北海道創生総合戦略")],
        "dcat:servesDataset": [
            {"@id": f"{catalog_url}#{d.slug}"}
            for d in items
            if any(dist.api for dist in d.distributions)
        ],
    }
    document = {
        "@context": CONTEXT,
        "@id": catalog_url,
        "@type": "dcat:Catalog",
        "dct:title": _text(f"{licence.SITE_CREDIT} オープンデータ"),
        "dct:description": _text(
            f"{strategy.name if strategy else '北海道創生総合戦略'}の実績・目標・進捗、"
            "北海道の市町村・振興局・連携地域のデータ。" + licence.LICENSE_NOTE
        ),
        "dct:publisher": publisher,
        "dct:language": language,
        "dct:license": _licence(licence.LICENSE_URL),
        "dct:spatial": hokkaido,
        "foaf:homepage": _typed(absolute(reverse("projects:home")), "foaf:Document"),
        "dcat:themeTaxonomy": {"@id": DATA_THEMES},
        "dcat:dataset": [dataset_node(d) for d in items],
        "dcat:service": [service],
    }
    modified = [d.modified for d in items if d.modified]
    if modified:
        document["dct:modified"] = max(modified)
    return document


@require_safe
def catalog_jsonld(request):
    response = JsonResponse(
        dcat_document(request),
        content_type="application/ld+json",
        json_dumps_params={"ensure_ascii": False, "indent": 1},
    )
    return licence.add_license_link(response)


# --- CSVs of the reference data and the bulk ZIP ------------------------------------------


def _csv_text(columns: list[Column], rows) -> str:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.label for c in columns])
    for row in rows:
        writer.writerow([exports._cell(row[c.key]) for c in columns])
    return buffer.getvalue()


def municipality_rows():
    municipalities = Municipality.objects.select_related("subprefecture").prefetch_related(
        Prefetch("collaboration_areas", queryset=CollaborationArea.objects.order_by("order"))
    )
    for m in municipalities.order_by("code"):
        yield {
            "code": m.code,
            "name": m.name,
            "kana": m.kana,
            "kind": m.kind,
            "subprefecture": m.subprefecture.name,
            "subprefecture_slug": m.subprefecture.slug,
            "latitude": m.latitude,
            "longitude": m.longitude,
            "areas": "・".join(a.name for a in m.collaboration_areas.all()),
        }


def area_rows():
    areas = CollaborationArea.objects.prefetch_related(
        Prefetch("members", queryset=Municipality.objects.order_by("code"))
    )
    for area in areas.order_by("order", "pk"):
        for member in area.members.all():
            yield {
                "area": area.slug,
                "area_name": area.name,
                "kind": area.get_kind_display(),
                "start_fiscal_year": area.start_fiscal_year,
                "status": area.status,
                "code": member.code,
                "name": member.name,
            }


def _csv_response(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return licence.add_license_link(response)


@require_safe
def municipalities_csv(request):
    return _csv_response(_csv_text(MUNICIPALITIES, municipality_rows()), "municipalities.csv")


@require_safe
def areas_csv(request):
    return _csv_response(_csv_text(AREAS, area_rows()), "areas.csv")


DICTIONARY_COLUMNS = [
    "ファイル",
    "項目（CSVの見出し）",
    "キー（JSON・API）",
    "意味",
    "型",
    "単位",
    "pandas の dtype",
    "英語名",
    "例",
]
EXAMPLE_LENGTH = 40  # a boundary's rings run to thousands of numbers: the example shows the start


@dataclass
class Table:
    """One file of the open data as the 項目定義書 and the Data Package describe it."""

    name: str  # the Data Package's resource name
    file: str  # the 項目定義書's ファイル column
    columns: list[Column]
    examples: dict[str, str]  # key → an example from the published data


def _json_example(value) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= EXAMPLE_LENGTH else text[:EXAMPLE_LENGTH] + "…"


def _boundary_features() -> list[dict]:
    path = finders.find(BOUNDARIES_STATIC)
    if not path:
        return []
    with open(path, "rb") as fh:
        return json.load(fh)["features"]


def tables(results=None) -> list[Table]:
    """The open data's files, each column with an example taken from what is published
    (`results`: the published results when the caller has them already)."""
    results = published_results() if results is None else results
    return [
        Table(
            "results",
            "results.csv ほか実績の CSV（projects/・indicators/）",
            RESULTS,
            examples(RESULTS, exports.rows(results), exports._cell),
        ),
        Table(
            "municipalities",
            "municipalities.csv",
            MUNICIPALITIES,
            examples(MUNICIPALITIES, municipality_rows(), exports._cell),
        ),
        Table("areas", "areas.csv", AREAS, examples(AREAS, area_rows(), exports._cell)),
        Table(
            "boundaries",
            "hokkaido-municipalities.json（features の各項目）",
            BOUNDARIES,
            examples(BOUNDARIES, _boundary_features(), _json_example),
        ),
    ]


def dictionary_rows(files: list[Table]):
    """The 項目定義書's lines; codes say the dtype pandas needs (str)."""
    yield DICTIONARY_COLUMNS
    for table in files:
        for c in table.columns:
            yield [
                table.file,
                c.label,
                c.key,
                c.meaning,
                c.type_word,
                c.unit,
                c.pandas_dtype,
                c.label_en,
                table.examples.get(c.key, ""),
            ]


def dictionary_text(files: list[Table]) -> str:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(dictionary_rows(files))
    return buffer.getvalue()


def readme_text(request, files: list[str]) -> str:
    lines = [
        f"# {licence.SITE_CREDIT} オープンデータ（一括ダウンロード）",
        "",
        f"作成日時：{timezone.localtime().isoformat(timespec='seconds')}",
        f"入手先：{request.build_absolute_uri(reverse('opendata:catalog'))}",
        "",
        "## ライセンス",
        "",
        f"{licence.LICENSE_NAME} {licence.LICENSE_URL_JA}",
        "",
        licence.LICENSE_NOTE,
        "",
        "出典の記載例：",
        "",
        f"  {credits.attribution()}",
        "",
        "## 出典が別にあるデータ",
        "",
    ]
    for terms in (licence.CODE_TABLE_TERMS, licence.BOUNDARY_TERMS):
        lines += [
            f"- {terms['name']}（{terms['publisher']}）：{terms['terms']} {terms['terms_url']}",
            f"  記載する出典：{terms['credit']}",
            f"  {terms['note']}",
        ]
    lines += [
        "",
        "## ファイル",
        "",
        "CSV はすべて UTF-8（BOM 付き、Excel でそのまま開けます）、改行は CRLF です。",
        "各列の意味・型・単位は dictionary.csv（項目定義書）にあります。",
        "同じ定義を機械が読める形（Frictionless Data Package、Table Schema）で"
        " datapackage.json に収録しています（`frictionless validate datapackage.json`）。",
        "団体コード（011002 など）は先頭の0を保つため文字列として読んでください。pandas では：",
        "",
        "  pd.read_csv('municipalities.csv', dtype={'団体コード': str})",
        "",
        "公開済みの数値だけを収録しています（下書きは含みません）。",
        "",
        *[f"- {name}" for name in files],
        "",
    ]
    return "\n".join(lines)


@require_safe
def all_xlsx(request):
    """Everything in one workbook: a sheet per table first (pd.read_excel reads the
    first), then the licence and the 項目定義書."""
    from openpyxl import Workbook  # only this view needs it

    book = Workbook(write_only=True)
    # The data first: a reader (pd.read_excel, Excel) opens the first sheet.
    keys = [key for key, _ in exports.COLUMNS]
    sheet = book.create_sheet("実績")
    sheet.append([label for _, label in exports.COLUMNS])
    for row in exports.rows(published_results()):
        sheet.append([_xlsx_cell(row[key]) for key in keys])
    for title, columns, rows in (
        ("市町村", MUNICIPALITIES, municipality_rows()),
        ("連携地域", AREAS, area_rows()),
    ):
        sheet = book.create_sheet(title)
        sheet.append([c.label for c in columns])
        for row in rows:
            sheet.append([_xlsx_cell(row[c.key]) for c in columns])
    sheet = book.create_sheet("ライセンス")
    for line in (
        f"{licence.SITE_CREDIT} オープンデータ",
        f"{licence.LICENSE_NAME} {licence.LICENSE_URL_JA}",
        licence.LICENSE_NOTE,
        f"出典の記載例：{credits.attribution()}",
        f"市町村・連携地域のコード表：{licence.CODE_TABLE_TERMS['credit']}",
        "公開済みの数値だけを収録しています。",
    ):
        sheet.append([line])
    sheet = book.create_sheet("項目定義書")
    for line in dictionary_rows(tables()):
        sheet.append(line)
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="hokkaido-sousei-licence.xlsx"'
    return licence.add_license_link(response)


def _xlsx_cell(value):
    """Numbers stay numbers; text Excel would run as a formula is escaped as in the CSV."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if hasattr(value, "is_finite"):  # Decimal
        return float(value)
    return exports._cell(value)


@require_safe
def boundaries_json(request):
    """The municipality boundaries at an address that stays put (the catalogue's
    download): the maps load the same static file under its content-hashed name,
    which changes with every build."""
    path = finders.find(BOUNDARIES_STATIC)
    if not path:
        raise Http404("境界データがありません")
    with open(path, "rb") as fh:
        response = HttpResponse(fh.read(), content_type="application/json")
    return licence.add_license_link(response)


@require_safe
def dictionary_csv(request):
    return _csv_response(dictionary_text(tables()), "dictionary.csv")


@require_safe
def all_zip(request):
    results = list(published_results())
    by_project: dict = {}
    by_indicator: dict = {}
    for r in results:
        measure = r.indicator.measure
        if measure is not None:
            by_project.setdefault(measure.project.slug, []).append(r)
        by_indicator.setdefault(r.indicator.slug, []).append(r)
    files: dict[str, bytes] = {}

    def results_csv(rows):
        return exports.csv_response(rows, "x.csv").content

    files["results.csv"] = results_csv(results)
    for slug, rows in by_project.items():
        files[f"projects/{slug}.csv"] = results_csv(rows)
    for slug, rows in by_indicator.items():
        files[f"indicators/{slug}.csv"] = results_csv(rows)
    files["municipalities.csv"] = _csv_text(MUNICIPALITIES, municipality_rows()).encode()
    files["areas.csv"] = _csv_text(AREAS, area_rows()).encode()
    boundaries = finders.find(BOUNDARIES_STATIC)
    if boundaries:
        with open(boundaries, "rb") as fh:
            files["hokkaido-municipalities.json"] = fh.read()
    described = tables(results)
    files["dictionary.csv"] = dictionary_text(described).encode()
    from . import datapackage  # it reads this module's column lists

    package = datapackage.descriptor(
        {"results": "results.csv", "municipalities": "municipalities.csv", "areas": "areas.csv"},
        examples={t.name: t.examples for t in described},
        homepage=request.build_absolute_uri(reverse("opendata:catalog")),
        results_files=[name for name in files if name.startswith(("projects/", "indicators/"))],
    )
    files["datapackage.json"] = datapackage.json_text(package).encode()
    names = ["README.md", *files]
    files = {"README.md": readme_text(request, names).encode(), **files}

    buffer = io.BytesIO()
    stamp = timezone.localtime().timetuple()[:6]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            info = zipfile.ZipInfo(f"hokkaido-sousei-opendata/{name}", date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.flag_bits |= 0x800  # names are UTF-8
            archive.writestr(info, content)
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="hokkaido-sousei-licence.zip"'
    return licence.add_license_link(response)
