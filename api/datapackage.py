"""The open data as a Frictionless Data Package: one Table Schema per CSV.

Made from the column specification (opendata.columns) that also makes the CSVs'
headers and the 項目定義書. Served at /data/datapackage.json (paths are the site's
download addresses) and packed in the bulk ZIP (paths are the files beside it).
"""

import json

from django.http import JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from opendata import licence
from opendata.columns import AREAS, MUNICIPALITIES, RESULTS, Column
from projects import credits

from . import catalog

# The CSVs are written by Python's csv module with a BOM and CRLF (indicators/exports.py).
DIALECT = {"delimiter": ",", "lineTerminator": "\r\n", "quoteChar": '"', "doubleQuote": True}
ENCODING = "utf-8-sig"


def table_schema(columns: list[Column], examples: dict[str, str]) -> dict:
    """`examples`: key → an example from the published data (api.catalog.tables)."""
    fields = [c.table_schema_field(examples.get(c.key, "")) for c in columns]
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


def descriptor(files: dict[str, str], *, examples, homepage: str, results_files=()) -> dict:
    """`files`: each table's name → its path; `examples`: each table's name → its
    columns' examples; `results_files`: more paths of results CSVs (the ZIP's per
    project and per indicator files), in the order given."""
    results = table_schema(RESULTS, examples["results"])
    resources = [
        _resource("results", files["results"], "実績（すべて）", results),
        _resource(
            "municipalities",
            files["municipalities"],
            "北海道の市町村",
            table_schema(MUNICIPALITIES, examples["municipalities"]),
        ),
        _resource("areas", files["areas"], "連携地域", table_schema(AREAS, examples["areas"])),
    ]
    for path in results_files:
        name = path.removesuffix(".csv").replace("/", "-").lower()
        resources.append(_resource(name, path, f"実績（{path}）", results))
    return {
        "profile": "tabular-data-package",
        "name": "hokkaido-sousei-opendata",
        "title": f"{licence.SITE_CREDIT} オープンデータ",
        "description": licence.LICENSE_NOTE,
        "homepage": homepage,
        "licenses": [
            {"name": licence.LICENSE_ID, "path": licence.LICENSE_URL, "title": "CC BY 4.0"}
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
        examples={t.name: t.examples for t in catalog.tables()},
        homepage=absolute(reverse("opendata:catalog")),
    )
    response = JsonResponse(document, json_dumps_params={"ensure_ascii": False, "indent": 1})
    return licence.add_license_link(response)
