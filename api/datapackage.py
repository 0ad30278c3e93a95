"""The open data as a Frictionless Data Package: one Table Schema per CSV.

Made from the same column lists as the CSVs and the 項目定義書 (api/catalog.py,
indicators/exports.py, api/schemas.RESULT_TYPES), so a column is described once.
Served at /data/datapackage.json (paths are the site's download addresses) and
packed in the bulk ZIP (paths are the files beside it).
"""

import json
import typing
from decimal import Decimal

from django.http import JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from indicators import exports
from projects import credits
from strategy_portal import opendata

from .catalog import AREA_COLUMNS, MUNICIPALITY_COLUMNS, is_code, result_columns
from .schemas import RESULT_TYPES

# The CSVs are written by Python's csv module with a BOM and CRLF (indicators/exports.py).
DIALECT = {"delimiter": ",", "lineTerminator": "\r\n", "quoteChar": '"', "doubleQuote": True}
ENCODING = "utf-8-sig"
BOOLEAN = {"type": "boolean", "trueValues": ["1"], "falseValues": ["0"]}
CODE = {"type": "string", "constraints": {"pattern": "^[0-9]{6}$"}}
RESULT_FORMATS = {
    "period_start": {"type": "date"},
    "period_end": {"type": "date"},
    "updated_at": {"type": "datetime"},
}


def _result_type(key: str) -> dict:
    if key in RESULT_FORMATS:
        return RESULT_FORMATS[key]
    kind = RESULT_TYPES[key][0]
    members = {a for a in typing.get_args(kind) if a is not type(None)} or {kind}
    if members == {bool}:
        return BOOLEAN
    if members == {int}:
        return {"type": "integer"}
    if all(m in (int, float, Decimal) for m in members) or "Number" in str(kind):
        return {"type": "number"}
    return {"type": "string"}


def _column_type(column) -> dict:
    """A reference table's column (api.catalog.Column) by its 型."""
    if is_code(column):
        return CODE
    if column.type.startswith("整数"):
        return {"type": "integer"}
    if column.type.startswith("数値"):
        return {"type": "number"}
    return {"type": "string"}


def result_schema() -> dict:
    meanings = {c.key: c for c in result_columns()}
    fields = []
    for key, label in exports.COLUMNS:
        column = meanings[key]
        field = {"name": label, "title": column.label_en, "description": column.meaning}
        field.update(_result_type(key))
        fields.append(field)
    return {"fields": fields, "missingValues": [""]}


def table_schema(columns) -> dict:
    fields = []
    for c in columns:
        field = {"name": c.label, "title": c.label_en, "description": c.meaning}
        field.update(_column_type(c))
        fields.append(field)
    return {"fields": fields, "missingValues": [""]}


def _resource(name: str, path: str, title: str, schema: dict) -> dict:
    return {
        "name": name,
        "path": path,
        "title": title,
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": ENCODING,
        "dialect": DIALECT,
        "schema": schema,
    }


def descriptor(files: dict[str, str], *, homepage: str, results_files=()) -> dict:
    """`files`: each table's name → its path; `results_files`: more paths of results
    CSVs (the ZIP's per project and per indicator files), in the order given."""
    results = result_schema()
    resources = [
        _resource("results", files["results"], "実績（すべて）", results),
        _resource(
            "municipalities",
            files["municipalities"],
            "北海道の市町村",
            table_schema(MUNICIPALITY_COLUMNS),
        ),
        _resource("areas", files["areas"], "連携地域", table_schema(AREA_COLUMNS)),
    ]
    for path in results_files:
        name = path.removesuffix(".csv").replace("/", "-").lower()
        resources.append(_resource(name, path, f"実績（{path}）", results))
    return {
        "profile": "tabular-data-package",
        "name": "hokkaido-sousei-opendata",
        "title": f"{opendata.SITE_CREDIT} オープンデータ",
        "description": opendata.LICENSE_NOTE,
        "homepage": homepage,
        "licenses": [
            {"name": opendata.LICENSE_ID, "path": opendata.LICENSE_URL, "title": "CC BY 4.0"}
        ],
        "sources": [{"title": citation} for citation in credits.citations()],
        "resources": resources,
    }


def json_text(document: dict) -> str:
    return json.dumps(document, ensure_ascii=False, indent=1)


@require_safe
def datapackage_json(request):
    absolute = request.build_absolute_uri
    document = descriptor(
        {
            "results": absolute(reverse("indicators:results_csv")),
            "municipalities": absolute(reverse("opendata:municipalities_csv")),
            "areas": absolute(reverse("opendata:areas_csv")),
        },
        homepage=absolute(reverse("opendata:catalog")),
    )
    response = JsonResponse(document, json_dumps_params={"ensure_ascii": False, "indent": 1})
    return opendata.add_license_link(response)
