"""The open-data catalogue: every dataset, its formats, licence, credit, date and dictionary.

One list of datasets (`datasets()`) feeds the 「オープンデータ」 page, the DCAT-AP
JSON-LD document (/catalog.jsonld) and the bulk ZIP (/data/all.zip). Only
published figures are ever listed or packed, whoever asks.
"""

import csv
import io
import zipfile
from dataclasses import dataclass, field

from django.contrib.staticfiles import finders
from django.db.models import Max, Prefetch
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from indicators import exports
from indicators.models import Indicator, Result, Target
from municipalities.models import CollaborationArea, Municipality
from projects import credits
from projects.models import Edition, Project, Strategy
from strategy_portal import opendata, share

from .schemas import RESULT_TYPES

BOUNDARIES_STATIC = "maps/hokkaido-municipalities.json"
BOUNDARIES_AS_OF = "2021-01-01"  # 国土数値情報 N03 2021: boundaries as of 1 January 2021

TYPE_WORDS = {str: "文字列", int: "整数", float: "数値", bool: "真偽値（1/0）"}


def _type_word(kind) -> str:
    text = str(kind)
    for python_type, word in TYPE_WORDS.items():
        if kind is python_type:
            return word
    if "int | float" in text or "float | int" in text:
        return "数値"
    if "Literal" in text:
        return "文字列（区分）"
    if "int" in text:
        return "整数"
    if "bool" in text:
        return "真偽値（1/0）"
    return "文字列"


UNITS = {
    "value": "unit 列の単位",
    "denominator": "unit 列の単位",
    "target": "unit 列の単位",
    "baseline": "unit 列の単位",
    "progress_rate": "%",
    "fiscal_year": "年度（西暦）",
    "target_fiscal_year": "年度（西暦）",
    "baseline_fiscal_year": "年度（西暦）",
    "edition": "年",
}


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    meaning: str
    type: str
    unit: str = ""


def result_columns() -> list[Column]:
    """The results CSV's 項目定義書: the download's own columns (exports.COLUMNS)."""
    columns = []
    for key, label in exports.COLUMNS:
        kind, note = RESULT_TYPES[key]
        columns.append(Column(key, label, note or label, _type_word(kind), UNITS.get(key, "")))
    return columns


MUNICIPALITY_COLUMNS = [
    Column(
        "code",
        "団体コード",
        "全国地方公共団体コード（JIS X 0402、検査数字つき6桁）",
        "文字列（6桁の数字）",
    ),
    Column("name", "名称", "市町村の名称", "文字列"),
    Column("kana", "よみ", "名称のよみ（ひらがな）", "文字列"),
    Column("kind", "種別", "市・町・村", "文字列（区分）"),
    Column("subprefecture", "振興局", "所管する（総合）振興局", "文字列"),
    Column(
        "subprefecture_slug",
        "振興局ID",
        "振興局の識別子（API の subprefectures の slug）",
        "文字列",
    ),
    Column("latitude", "緯度", "役場の位置（WGS84）", "数値", "度"),
    Column("longitude", "経度", "役場の位置（WGS84）", "数値", "度"),
    Column("areas", "連携地域", "参加している連携地域の名称（「・」区切り）", "文字列"),
]
AREA_COLUMNS = [
    Column("area", "連携地域ID", "連携地域の識別子（API の areas の slug）", "文字列"),
    Column("area_name", "連携地域", "連携地域の名称", "文字列"),
    Column(
        "kind", "種別", "市町村連携地域モデル事業・定住自立圏・連携中枢都市圏", "文字列（区分）"
    ),
    Column("start_fiscal_year", "開始年度", "取組を始めた年度", "整数", "年度（西暦）"),
    Column("status", "状況", "報告書に書かれた状況", "文字列"),
    Column("code", "団体コード", "構成市町村の団体コード（6桁）", "文字列（6桁の数字）"),
    Column("name", "構成市町村", "構成市町村の名称", "文字列"),
]
BOUNDARY_COLUMNS = [
    Column("code", "団体コード", "全国地方公共団体コード（6桁）", "文字列"),
    Column("name", "名称", "市町村の名称", "文字列"),
    Column("subprefecture", "振興局", "国土数値情報 N03_002 の振興局名", "文字列"),
    Column("counted", "179市町村", "179市町村に数えるとき true（北方領土の6村は false）", "真偽値"),
    Column("label", "ラベル位置", "[経度, 緯度]", "数値の配列", "度"),
    Column(
        "rings",
        "外周",
        "[x0, y0, dx1, dy1, …]（最初の点は絶対値、以降は差）",
        "整数の配列",
        "1/1000度",
    ),
]


@dataclass
class Distribution:
    title: str
    url: str
    format: str  # CSV, JSON, ZIP
    media_type: str


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


def _csv(url, title="CSV（UTF-8 BOM 付き、Excel対応）"):
    return Distribution(title, url, "CSV", "text/csv")


def _json(url, title="JSON"):
    return Distribution(title, url, "JSON", "application/json")


def _xlsx(url):
    return Distribution(
        "XLSX（全データを1ファイルに、表ごとのシート）",
        url,
        "XLSX",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
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
    columns = result_columns()
    items = [
        Dataset(
            "results",
            "実績（すべて）",
            "北海道創生総合戦略の報告書に掲載された、すべての公開済みの実績（数値）。目標と進捗率を含みます。",
            [
                _csv(absolute(reverse("indicators:results_csv"))),
                _json(absolute(reverse("indicators:results_json"))),
                _json(absolute(reverse("api:results")), "API（JSON、ページ分割）"),
                _xlsx(absolute(reverse("opendata:all_xlsx"))),
            ],
            columns,
            _date(newest),
            credit,
            keywords=["北海道創生総合戦略", "地方創生", "実績"],
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
                    _json(
                        absolute(reverse("api:results") + f"?project={project.slug}"),
                        "API（JSON、ページ分割）",
                    ),
                ],
                columns,
                _date(in_project.aggregate(latest=Max("updated_at"))["latest"]),
                credit,
                keywords=[project.short_name],
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
                    _json(
                        absolute(reverse("api:indicator", args=[indicator.slug])),
                        "API（JSON）",
                    ),
                ],
                columns,
                _date(indicator_dates[indicator.pk]),
                credit,
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
                _json(absolute(reverse("api:municipalities")), "API（JSON）"),
                _xlsx(absolute(reverse("opendata:all_xlsx"))),
            ],
            MUNICIPALITY_COLUMNS,
            None,
            opendata.CODE_TABLE_TERMS["credit"],
            terms=opendata.CODE_TABLE_TERMS,
            keywords=["市町村", "団体コード", "振興局"],
            dictionary="municipalities",
        ),
        Dataset(
            "areas",
            "連携地域（市町村連携地域モデル事業・定住自立圏・連携中枢都市圏）",
            "報告書に掲載された連携地域と、その構成市町村（1行に1市町村）。",
            [
                _csv(absolute(reverse("opendata:areas_csv"))),
                _json(absolute(reverse("api:areas")), "API（JSON）"),
                _xlsx(absolute(reverse("opendata:all_xlsx"))),
            ],
            AREA_COLUMNS,
            latest_edition.published_on.isoformat() if latest_edition else None,
            credit,
            keywords=["連携地域", "定住自立圏", "連携中枢都市圏"],
            dictionary="areas",
        ),
        Dataset(
            "boundaries",
            "北海道の市町村界（地図用、簡略化）",
            "地図を描くための市町村の境界（179市町村と北方領土の6村）。札幌市は10区を統合しています。",
            [
                _json(
                    absolute(static(BOUNDARIES_STATIC)), "JSON（独自の軽量形式、形式は本文に記載）"
                )
            ],
            BOUNDARY_COLUMNS,
            BOUNDARIES_AS_OF,
            opendata.BOUNDARY_CREDIT,
            terms=opendata.BOUNDARY_TERMS,
            keywords=["行政区域", "境界", "地図"],
            dictionary="boundaries",
        ),
    ]
    return items


# --- the page ---------------------------------------------------------------------------


@require_safe
def catalog(request):
    items = datasets(request)
    context = {
        "datasets": items,
        "license": opendata,
        "attribution": credits.attribution(),
        "zip_url": reverse("opendata:all_zip"),
        "jsonld_url": reverse("opendata:catalog_jsonld"),
        "indicator_count": sum(1 for d in items if d.slug.startswith("indicator-")),
        "share": share.card(
            "オープンデータ",
            f"{opendata.SITE_CREDIT}のデータセット{len(items)}件の一覧：CSV・JSON・API、"
            + opendata.LICENSE_NAME,
        ),
    }
    return render(request, "api/catalog.html", context)


# --- DCAT-AP -------------------------------------------------------------------------

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "adms": "http://www.w3.org/ns/adms#",
    "dct:modified": {"@type": "xsd:date"},
    "dct:issued": {"@type": "xsd:date"},
}
LANGUAGE_JA = "http://publications.europa.eu/resource/authority/language/JPN"
FORMATS = {
    "CSV": "http://publications.europa.eu/resource/authority/file-type/CSV",
    "JSON": "http://publications.europa.eu/resource/authority/file-type/JSON",
    "ZIP": "http://publications.europa.eu/resource/authority/file-type/ZIP",
    "XLSX": "http://publications.europa.eu/resource/authority/file-type/XLSX",
}


def _text(value: str) -> dict:
    return {"@value": value, "@language": "ja"}


def dcat_document(request) -> dict:
    strategy = Strategy.objects.first()
    publisher = {
        "@type": "foaf:Agent",
        "foaf:name": _text(Edition.objects.public().latest_first().first().publisher)
        if Edition.objects.public().exists()
        else _text(opendata.SITE_CREDIT),
    }
    contact = {
        "@type": "vcard:Organization",
        "vcard:fn": _text(opendata.SITE_CREDIT),
        "vcard:hasURL": {"@id": request.build_absolute_uri(reverse("projects:about"))},
    }
    items = datasets(request)
    catalog_url = request.build_absolute_uri(reverse("opendata:catalog"))

    def distribution(dataset, dist, n):
        return {
            "@id": f"{catalog_url}#{dataset.slug}-{n}",
            "@type": "dcat:Distribution",
            "dct:title": _text(dist.title),
            "dcat:accessURL": {"@id": dist.url},
            "dcat:downloadURL": {"@id": dist.url},
            "dct:format": {"@id": FORMATS[dist.format]},
            "dcat:mediaType": {
                "@id": f"https://www.iana.org/assignments/media-types/{dist.media_type}"
            },
            "dct:license": {"@id": opendata.LICENSE_URL}
            if dataset.terms is None
            else {"@id": dataset.terms["terms_url"]},
            "dct:rights": _text(dataset.credit),
        }

    def dataset_node(dataset):
        node = {
            "@id": f"{catalog_url}#{dataset.slug}",
            "@type": "dcat:Dataset",
            "dct:identifier": dataset.slug,
            "dct:title": _text(dataset.title),
            "dct:description": _text(dataset.description),
            "dct:publisher": publisher,
            "dcat:contactPoint": contact,
            "dct:language": {"@id": LANGUAGE_JA},
            "dcat:keyword": [_text(k) for k in dataset.keywords],
            "dcat:landingPage": {"@id": f"{catalog_url}#{dataset.slug}"},
            "dct:conformsTo": {"@id": f"{catalog_url}#dictionary-{dataset.dictionary}"},
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
        if dataset.modified:
            node["dct:modified"] = dataset.modified
        return node

    document = {
        "@context": CONTEXT,
        "@id": catalog_url,
        "@type": "dcat:Catalog",
        "dct:title": _text(f"{opendata.SITE_CREDIT} オープンデータ"),
        "dct:description": _text(
            f"{strategy.name if strategy else '北海道創生総合戦略'}の実績・目標・進捗、"
            "北海道の市町村・振興局・連携地域のデータ。" + opendata.LICENSE_NOTE
        ),
        "dct:publisher": publisher,
        "dct:language": {"@id": LANGUAGE_JA},
        "dct:license": {"@id": opendata.LICENSE_URL},
        "foaf:homepage": {"@id": request.build_absolute_uri(reverse("projects:home"))},
        "dcat:dataset": [dataset_node(d) for d in items],
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
    return opendata.add_license_link(response)


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
    return opendata.add_license_link(response)


@require_safe
def municipalities_csv(request):
    return _csv_response(_csv_text(MUNICIPALITY_COLUMNS, municipality_rows()), "municipalities.csv")


@require_safe
def areas_csv(request):
    return _csv_response(_csv_text(AREA_COLUMNS, area_rows()), "areas.csv")


DICTIONARY_COLUMNS = ["ファイル", "項目（CSVの見出し）", "キー（JSON・API）", "意味", "型", "単位"]


def dictionary_text(files: dict[str, list[Column]]) -> str:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(DICTIONARY_COLUMNS)
    for filename, columns in files.items():
        for c in columns:
            writer.writerow([filename, c.label, c.key, c.meaning, c.type, c.unit])
    return buffer.getvalue()


def readme_text(request, files: list[str]) -> str:
    lines = [
        f"# {opendata.SITE_CREDIT} オープンデータ（一括ダウンロード）",
        "",
        f"作成日時：{timezone.localtime().isoformat(timespec='seconds')}",
        f"入手先：{request.build_absolute_uri(reverse('opendata:catalog'))}",
        "",
        "## ライセンス",
        "",
        f"{opendata.LICENSE_NAME} {opendata.LICENSE_URL_JA}",
        "",
        opendata.LICENSE_NOTE,
        "",
        "出典の記載例：",
        "",
        f"  {credits.attribution()}",
        "",
        "## 出典が別にあるデータ",
        "",
    ]
    for terms in (opendata.CODE_TABLE_TERMS, opendata.BOUNDARY_TERMS):
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
        "公開済みの数値だけを収録しています（下書きは含みません）。",
        "",
        *[f"- {name}" for name in files],
        "",
    ]
    return "\n".join(lines)


def dictionaries() -> dict[str, list[Column]]:
    return {
        "results.csv ほか実績の CSV（projects/・indicators/）": result_columns(),
        "municipalities.csv": MUNICIPALITY_COLUMNS,
        "areas.csv": AREA_COLUMNS,
        "hokkaido-municipalities.json（features の各項目）": BOUNDARY_COLUMNS,
    }


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
        ("市町村", MUNICIPALITY_COLUMNS, municipality_rows()),
        ("連携地域", AREA_COLUMNS, area_rows()),
    ):
        sheet = book.create_sheet(title)
        sheet.append([c.label for c in columns])
        for row in rows:
            sheet.append([_xlsx_cell(row[c.key]) for c in columns])
    sheet = book.create_sheet("ライセンス")
    for line in (
        f"{opendata.SITE_CREDIT} オープンデータ",
        f"{opendata.LICENSE_NAME} {opendata.LICENSE_URL_JA}",
        opendata.LICENSE_NOTE,
        f"出典の記載例：{credits.attribution()}",
        f"市町村・連携地域のコード表：{opendata.CODE_TABLE_TERMS['credit']}",
        "公開済みの数値だけを収録しています。",
    ):
        sheet.append([line])
    sheet = book.create_sheet("項目定義書")
    sheet.append(DICTIONARY_COLUMNS)
    for filename, columns in dictionaries().items():
        for c in columns:
            sheet.append([filename, c.label, c.key, c.meaning, c.type, c.unit])
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="hokkaido-sousei-opendata.xlsx"'
    return opendata.add_license_link(response)


def _xlsx_cell(value):
    """Numbers stay numbers; text Excel would run as a formula is escaped as in the CSV."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if hasattr(value, "is_finite"):  # Decimal
        return float(value)
    return exports._cell(value)


@require_safe
def dictionary_csv(request):
    return _csv_response(dictionary_text(dictionaries()), "dictionary.csv")


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
    files["municipalities.csv"] = _csv_text(MUNICIPALITY_COLUMNS, municipality_rows()).encode()
    files["areas.csv"] = _csv_text(AREA_COLUMNS, area_rows()).encode()
    boundaries = finders.find(BOUNDARIES_STATIC)
    if boundaries:
        with open(boundaries, "rb") as fh:
            files["hokkaido-municipalities.json"] = fh.read()
    files["dictionary.csv"] = dictionary_text(dictionaries()).encode()
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
    response["Content-Disposition"] = 'attachment; filename="hokkaido-sousei-opendata.zip"'
    return opendata.add_license_link(response)
