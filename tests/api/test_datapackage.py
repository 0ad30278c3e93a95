"""The open data as a Frictionless Data Package, read by the tools reusers use:
`frictionless validate` with its default settings, and pandas (issue 22, part 3)."""

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from django.core.management import call_command
from django.urls import reverse

from indicators.exports import COLUMNS
from indicators.models import Result

pytestmark = pytest.mark.django_db


def unpack(client, into: Path) -> Path:
    response = client.get(reverse("opendata:all_zip"))
    zipfile.ZipFile(io.BytesIO(response.content)).extractall(into)
    return into / "hokkaido-sousei-opendata"


def frictionless_validate(folder: Path) -> dict:
    """The command line a reuser runs, with no option but a machine-readable report."""
    command = Path(sys.executable).with_name("frictionless")
    run = subprocess.run(
        [command, "validate", "datapackage.json", "--json"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = json.loads(run.stdout)
    problems = [
        (task["name"], error["type"], error.get("note", ""))
        for task in report["tasks"]
        for error in task["errors"]
    ]
    assert run.returncode == 0 and report["valid"], problems[:10]
    return report


def test_the_zips_data_package_is_valid_with_demo_years(client, tmp_path):
    # Twenty years of figures, targets and progress: every column has values to check.
    call_command("demo_years", "--force", stdout=io.StringIO())
    folder = unpack(client, tmp_path)
    package = json.loads((folder / "datapackage.json").read_text())
    names = [r["path"] for r in package["resources"]]
    assert names[:3] == ["results.csv", "municipalities.csv", "areas.csv"]
    assert {n for n in names[3:]} == {
        p.relative_to(folder).as_posix() for p in folder.glob("*/*.csv")
    }
    report = frictionless_validate(folder)
    rows = {task["name"]: task["stats"]["rows"] for task in report["tasks"]}
    print(f"Data Package: {len(rows)} resources, {sum(rows.values())} rows, valid")
    assert rows["results"] == Result.objects.published().count() > 200
    assert rows["municipalities"] == 179
    results = package["resources"][0]["schema"]["fields"]
    assert [f["name"] for f in results] == [label for _, label in COLUMNS]
    types = {f["name"]: f["type"] for f in results}
    assert types["値"] == "number" and types["年度"] == "integer"
    assert types["概数"] == "boolean" and types["期間終了・時点"] == "date"
    titles = {f["name"]: f["title"] for f in package["resources"][1]["schema"]["fields"]}
    assert titles["団体コード"] == "Local government code"


def test_a_wrong_value_is_caught_by_the_schema(client, tmp_path):
    """The check can fail: a code that lost its leading zero breaks the schema."""
    folder = unpack(client, tmp_path)
    path = folder / "municipalities.csv"
    path.write_text(path.read_text(encoding="utf-8-sig").replace("011002", "11002", 1), "utf-8-sig")
    with pytest.raises(AssertionError, match="constraint-error"):
        frictionless_validate(folder)


def test_pandas_keeps_codes_as_text_with_the_documented_dtype(client, tmp_path):
    folder = unpack(client, tmp_path)
    dictionary = pd.read_csv(folder / "dictionary.csv", dtype=str, keep_default_na=False)
    documented = dictionary[
        dictionary["ファイル"].eq("municipalities.csv") & dictionary["pandas の dtype"].ne("")
    ]
    dtype = dict(zip(documented["項目（CSVの見出し）"], documented["pandas の dtype"], strict=True))
    assert dtype == {"団体コード": "str"}
    assert dictionary["英語名"].ne("").all()
    assert "dtype={'団体コード': str}" in (folder / "README.md").read_text()
    # Without it pandas loses the leading zero; with it the code stays as published.
    assert pd.read_csv(folder / "municipalities.csv")["団体コード"][0] == 11002
    municipalities = pd.read_csv(folder / "municipalities.csv", dtype=dtype)
    assert municipalities["団体コード"][0] == "011002"
    assert municipalities["団体コード"].str.fullmatch(r"\d{6}").all()
    # The workbook's first sheet is the data, with its header row.
    workbook = pd.read_excel(io.BytesIO(client.get(reverse("opendata:all_xlsx")).content))
    assert list(workbook.columns) == [label for _, label in COLUMNS]
    assert len(workbook) == Result.objects.published().count()


def test_the_site_serves_the_same_package_with_its_download_addresses(client, tmp_path):
    served = client.get(reverse("opendata:datapackage_json"))
    assert served["Content-Type"] == "application/json"
    assert served["Link"] == '<https://creativecommons.org/licenses/by/4.0/>; rel="license"'
    site = served.json()
    packed = json.loads((unpack(client, tmp_path) / "datapackage.json").read_text())
    assert [r["name"] for r in site["resources"]] == ["results", "municipalities", "areas"]
    for on_site, in_zip in zip(site["resources"], packed["resources"], strict=False):
        assert on_site["schema"] == in_zip["schema"]
        assert client.get(on_site["path"].removeprefix("http://testserver")).status_code == 200
    assert site["licenses"] == packed["licenses"] and site["licenses"][0]["name"] == "CC-BY-4.0"
