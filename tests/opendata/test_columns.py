"""One column specification (opendata.columns), and every place a reuser or an editor
meets a column made from it: the downloads' headers, the 項目定義書, the Data Package,
the API's document and the editors' spreadsheet (issue 22, part 1)."""

import csv
import io
import json

import pytest
from django.urls import reverse

from indicators.resources import OLD_HEADERS, ResultResource
from opendata.columns import AREAS, BOUNDARIES, MUNICIPALITIES, RESULTS, TYPE_WORDS

pytestmark = pytest.mark.django_db

DATASETS = {"results": RESULTS, "municipalities": MUNICIPALITIES, "areas": AREAS}


def read_csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_each_dataset_names_a_column_once_in_each_language():
    for columns in (RESULTS, MUNICIPALITIES, AREAS, BOUNDARIES):
        for attribute in ("key", "label", "label_en"):
            names = [getattr(c, attribute) for c in columns]
            assert len(names) == len(set(names)), attribute
        assert all(c.type in TYPE_WORDS or c.type == "array" for c in columns)
        assert all(c.label_en.isascii() and c.label_en for c in columns)


def test_the_downloads_headers_are_the_specifications(client):
    files = {
        "results": client.get(reverse("indicators:results_csv")).content,
        "municipalities": client.get(reverse("opendata:municipalities_csv")).content,
        "areas": client.get(reverse("opendata:areas_csv")).content,
    }
    for name, columns in DATASETS.items():
        assert read_csv(files[name])[0] == [c.label for c in columns], name
    data = client.get(reverse("indicators:results_json")).json()
    assert data["columns"] == {c.key: c.label for c in RESULTS}
    assert list(data["results"][0]) == [c.key for c in RESULTS]


def test_the_dictionary_and_the_data_package_say_what_the_specification_says(client):
    rows = read_csv(client.get(reverse("opendata:dictionary_csv")).content)
    header = rows[0]
    described = [dict(zip(header, row, strict=True)) for row in rows[1:]]
    examples = [row.pop("例") for row in described]  # from the data: the next test
    assert any(examples)
    files = {row["ファイル"] for row in described}
    assert len(files) == 4
    expected = []
    for columns in (RESULTS, MUNICIPALITIES, AREAS, BOUNDARIES):
        file = next(
            r["ファイル"]
            for r in described
            if r["項目（CSVの見出し）"] == columns[0].label and r["意味"] == columns[0].meaning
        )
        expected += [
            {
                "ファイル": file,
                "項目（CSVの見出し）": c.label,
                "キー（JSON・API）": c.key,
                "意味": c.meaning,
                "型": c.type_word,
                "単位": c.unit,
                "pandas の dtype": c.pandas_dtype,
                "英語名": c.label_en,
            }
            for c in columns
        ]
    assert described == expected
    package = client.get(reverse("opendata:datapackage_json")).json()
    for resource in package["resources"]:
        columns = DATASETS[resource["name"]]
        fields = resource["schema"]["fields"]
        assert fields == [
            c.table_schema_field(f.get("example", "")) for c, f in zip(columns, fields, strict=True)
        ]


def first_filled(table: list[list[str]]) -> dict[str, str]:
    """Each header → the first non-empty cell below it."""
    header, *rows = table
    return {
        label: next((row[i] for row in rows if row[i] != ""), "") for i, label in enumerate(header)
    }


def test_each_columns_example_is_the_first_value_published(client):
    """The 項目定義書's 例 and the Table Schemas' example are read from the published
    files themselves; a column nothing fills yet has none rather than an invented one."""
    downloads = {
        "results": client.get(reverse("indicators:results_csv")).content,
        "municipalities": client.get(reverse("opendata:municipalities_csv")).content,
        "areas": client.get(reverse("opendata:areas_csv")).content,
    }
    expected = {name: first_filled(read_csv(content)) for name, content in downloads.items()}
    assert expected["municipalities"]["団体コード"] == "011002"
    assert expected["municipalities"]["名称"] == "札幌市"
    assert "" in expected["results"].values()  # the seed publishes no targets

    package = client.get(reverse("opendata:datapackage_json")).json()
    for resource in package["resources"]:
        shown = {f["name"]: f.get("example", "") for f in resource["schema"]["fields"]}
        assert shown == expected[resource["name"]], resource["name"]

    rows = read_csv(client.get(reverse("opendata:dictionary_csv")).content)
    header = rows[0]
    described = [dict(zip(header, row, strict=True)) for row in rows[1:]]
    by_file = {
        "results": "results.csv",
        "municipalities": "municipalities.csv",
        "areas": "areas.csv",
    }
    for name, file in by_file.items():
        shown = {
            r["項目（CSVの見出し）"]: r["例"] for r in described if r["ファイル"].startswith(file)
        }
        assert shown == expected[name], name
    boundaries = {
        r["キー（JSON・API）"]: r["例"]
        for r in described
        if r["ファイル"].endswith("features の各項目）")
    }
    features = json.loads(client.get(reverse("opendata:boundaries_json")).content)["features"]
    assert boundaries["code"] == json.dumps(features[0]["code"])
    assert boundaries["rings"].endswith("…")
    assert json.dumps(features[0]["rings"]).startswith(boundaries["rings"].removesuffix("…"))


def test_the_api_describes_each_result_field_from_the_specification(client):
    document = json.loads(client.get(reverse("api:openapi-json")).content)
    properties = document["components"]["schemas"]["Result"]["properties"]
    for column in RESULTS:
        described = properties[column.key]["description"]
        assert described == (
            f"{column.label}。{column.description}" if column.description else column.label
        )


def test_the_editors_spreadsheet_spells_shared_columns_as_the_open_data():
    fields = ResultResource().fields
    by_key = {c.key: c for c in RESULTS}
    shared = {name: f.column_name for name, f in fields.items() if name in by_key}
    # 期間 (the period shown as text) is the CSV's; 期間種別 (its kind) the editors' own.
    assert shared.pop("period") == "期間種別"
    assert shared == {name: by_key[name].label for name in shared}
    assert len(shared) >= 15
    assert set(OLD_HEADERS.values()) <= {f.column_name for f in fields.values()}


def test_the_open_data_page_shows_each_columns_type_in_japanese(client):
    page = client.get(reverse("opendata:catalog")).content.decode()
    code = next(c for c in MUNICIPALITIES if c.code)
    assert f"<td>{code.type_word}</td>" in page
    assert "<td>string</td>" not in page and "<td>number</td>" not in page
