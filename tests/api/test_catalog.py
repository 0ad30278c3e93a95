"""The open-data catalogue: page, DCAT-AP JSON-LD, bulk ZIP, licence on every download."""

import csv
import io
import json
import re
import warnings
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import timezone
from pyld import jsonld
from pyshacl import validate
from rdflib import RDF, Graph, Namespace, URIRef

from indicators.exports import COLUMNS
from indicators.models import Indicator, Result
from municipalities.models import Municipality
from projects.models import Edition, Project

pytestmark = pytest.mark.django_db

DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
DRAFTED = "p1-marriage-support-consultations"


def unzip(response) -> dict[str, bytes]:
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert archive.testzip() is None
    return {name.split("/", 1)[1]: archive.read(name) for name in archive.namelist()}


def read_csv(content: bytes) -> list[dict]:
    text = content.decode("utf-8")
    assert text.startswith("\ufeff")  # Excel on Japanese Windows reads it as UTF-8
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_catalogue_page_lists_every_dataset_with_licence_credit_date_and_dictionary(client):
    response = client.get(reverse("opendata:catalog"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "CC BY 4.0" in html and "政府標準利用規約（第2.0版）" in html
    assert Edition.objects.get(year=2018).citation in html
    for project in Project.objects.all():
        assert f"実績：{project.name}" in html
    for indicator in Indicator.objects.filter(results__status="published").distinct():
        assert reverse("indicators:detail_csv", args=[indicator.slug]) in html
    assert "出典：国土数値情報（行政区域データ）（国土交通省）を加工して作成" in html
    assert "出典：総務省「全国地方公共団体コード」" in html
    newest = Result.objects.published().latest("updated_at").updated_at
    newest = timezone.localtime(newest).date().isoformat()  # 年月日 in Japan
    assert f'<time datetime="{newest}">' in html
    for _, label in COLUMNS:  # the 項目定義書 has every column of the results CSV
        assert f'<th scope="row">{label}</th>' in html


def test_dcat_catalogue_expands_as_json_ld_with_the_required_properties(client):
    response = client.get(reverse("opendata:catalog_jsonld"))
    assert response["Content-Type"] == "application/ld+json"
    document = response.json()
    assert jsonld.expand(document)  # offline: the context is inline
    by_type = {}
    for node in jsonld.flatten(document):  # every node, properties as full IRIs
        for kind in node.get("@type", []):
            by_type.setdefault(kind, []).append(node)
    (catalog,) = by_type[DCAT + "Catalog"]
    for prop in ("title", "description", "publisher", "license"):
        assert catalog.get(DCT + prop), prop
    datasets = by_type[DCAT + "Dataset"]
    assert len(catalog[DCAT + "dataset"]) == len(datasets)
    assert len(datasets) == 1 + Project.objects.count() + 3 + 1 + (  # 1: the ZIP and XLSX
        Indicator.objects.filter(results__status="published").distinct().count()
    )
    for dataset in datasets:
        assert dataset[DCT + "title"] and dataset[DCT + "description"]
        assert dataset[DCAT + "distribution"]
    distributions = by_type[DCAT + "Distribution"]
    for distribution in distributions:
        assert distribution[DCAT + "accessURL"][0]["@id"].startswith("http")
        assert distribution[DCT + "license"][0]["@id"]
    licences = {d[DCT + "license"][0]["@id"] for d in distributions}
    assert LICENSE in licences


def test_bulk_zip_has_every_csv_the_dictionary_and_a_readme(client):
    response = client.get(reverse("opendata:all_zip"))
    assert response["Content-Type"] == "application/zip"
    assert response["Link"] == f'<{LICENSE}>; rel="license"'
    files = unzip(response)
    readme = files["README.md"].decode()
    assert "CC BY 4.0" in readme and Edition.objects.get(year=2018).citation in readme
    assert "出典：国土数値情報（行政区域データ）（国土交通省）を加工して作成" in readme
    rows = read_csv(files["results.csv"])
    assert len(rows) == Result.objects.published().count()
    for project in Project.objects.all():
        assert f"projects/{project.slug}.csv" in files
        assert f"- projects/{project.slug}.csv" in readme
    municipalities = read_csv(files["municipalities.csv"])
    assert len(municipalities) == 179
    assert (
        municipalities[0]["団体コード"] == "011002" and municipalities[0]["振興局"] == "石狩振興局"
    )
    dictionary = read_csv(files["dictionary.csv"])
    assert {row["項目（CSVの見出し）"] for row in dictionary} >= {label for _, label in COLUMNS}
    boundaries = json.loads(files["hokkaido-municipalities.json"])
    assert sum(f["counted"] for f in boundaries["features"]) == 179


def test_xlsx_workbook_has_every_published_figure_as_numbers(client):
    from openpyxl import load_workbook

    response = client.get(reverse("opendata:all_xlsx"))
    assert response["Link"] == f'<{LICENSE}>; rel="license"'
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    # The data first: pd.read_excel('all.xlsx') read the licence (issue 22, part 3).
    assert book.sheetnames == ["実績", "市町村", "連携地域", "ライセンス", "項目定義書"]
    rows = list(book["実績"].iter_rows(values_only=True))
    assert rows[0] == tuple(label for _, label in COLUMNS)
    assert len(rows) - 1 == Result.objects.published().count()
    values = [row[[k for k, _ in COLUMNS].index("value")] for row in rows[1:]]
    assert all(isinstance(v, int | float) for v in values) and 813 in values
    assert len(list(book["市町村"].iter_rows())) == 180
    assert "CC BY 4.0" in str(next(book["ライセンス"].iter_rows(min_row=2, values_only=True)))


def test_drafts_never_reach_the_zip_or_the_catalogue(client):
    Result.objects.filter(indicator__slug=DRAFTED).update(status="draft")
    files = unzip(client.get(reverse("opendata:all_zip")))
    assert f"indicators/{DRAFTED}.csv" not in files
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(client.get(reverse("opendata:all_xlsx")).content))
    slugs = [row[0] for row in book["実績"].iter_rows(min_row=2, values_only=True)]
    assert slugs and DRAFTED not in slugs
    assert all(DRAFTED not in content.decode("utf-8", "replace") for content in files.values())
    assert DRAFTED not in client.get(reverse("opendata:catalog")).content.decode()
    assert DRAFTED not in client.get(reverse("opendata:catalog_jsonld")).content.decode()


def test_every_download_carries_the_licence(client):
    urls = [
        reverse("indicators:results_csv"),
        reverse("indicators:results_json"),
        reverse("indicators:detail_csv", args=[DRAFTED]),
        reverse("indicators:detail_json", args=[DRAFTED]),
        reverse("opendata:municipalities_csv"),
        reverse("opendata:areas_csv"),
        reverse("opendata:dictionary_csv"),
        reverse("opendata:boundaries_json"),
        reverse("opendata:catalog_jsonld"),
    ]
    for url in urls:
        response = client.get(url, HTTP_ORIGIN="https://example.org")
        assert response.status_code == 200, url
        assert response["Link"] == f'<{LICENSE}>; rel="license"', url
        assert response["Access-Control-Allow-Origin"] == "*", url
    data = client.get(reverse("indicators:detail_json", args=[DRAFTED])).json()
    assert data["license"] == LICENSE
    assert Edition.objects.get(year=2018).citation in data["attribution"]


def test_area_csv_has_one_row_per_member(client):
    rows = read_csv(client.get(reverse("opendata:areas_csv")).content)
    nemuro = [r for r in rows if r["連携地域ID"] == "nemuro"]
    assert [r["構成市町村"] for r in nemuro] == list(
        Municipality.objects.filter(collaboration_areas__slug="nemuro")
        .order_by("code")
        .values_list("name", flat=True)
    )


# --- DCAT-AP 3.0.1 -------------------------------------------------------------------
# The SHACL shapes of DCAT-AP 3.0.1 and an extract of the controlled vocabularies they
# check, vendored with their licences: tests/api/dcat_ap_3_0_1/README.md.

DCAT_AP = Path(__file__).parent / "dcat_ap_3_0_1"
SHAPES = ("shapes.ttl", "range.ttl", "mdr-vocabularies.shape.ttl")
SH = Namespace("http://www.w3.org/ns/shacl#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
NS_DCAT = Namespace(DCAT)
NS_DCT = Namespace(DCT)
XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")
HASHED = re.compile(r"\.[0-9a-f]{12}\.\w+$")  # ManifestStaticFilesStorage's names


def catalogue_graph(client) -> Graph:
    response = client.get(reverse("opendata:catalog_jsonld"))
    with warnings.catch_warnings():  # rdflib's JSON-LD parser uses its own deprecated class
        warnings.filterwarnings("ignore", "ConjunctiveGraph is deprecated", DeprecationWarning)
        return Graph().parse(data=response.content, format="json-ld")


def test_dcat_catalogue_conforms_to_dcat_ap_3_0_1(client):
    shapes = Graph()
    for name in SHAPES:
        shapes.parse(DCAT_AP / name)
    # The codelists' concepts go into the data graph, as DCAT-AP's own validator imports
    # them (mdr_imports.ttl): pyshacl's ont_graph copies only RDFS/OWL axioms, not SKOS.
    data = catalogue_graph(client) + Graph().parse(DCAT_AP / "vocabularies.ttl")
    _, report, text = validate(data, shacl_graph=shapes, allow_warnings=True)
    results = list(report.objects(None, SH.result))  # the top-level results, not details
    severities = Counter(str(report.value(r, SH.resultSeverity)) for r in results)
    violations = severities[str(SH.Violation)]
    print(f"DCAT-AP 3.0.1: {violations} violations, {severities[str(SH.Warning)]} warnings")
    # The warnings left: the publisher (北海道総合政策部) is in no EU corporate-body list.
    assert violations == 0, text[:4000]
    warned = {report.value(r, SH.resultPath) for r in results}
    assert warned <= {NS_DCT.publisher}, warned


def test_every_dataset_and_distribution_has_the_recommended_properties(client):
    graph = catalogue_graph(client)
    datasets = set(graph.subjects(RDF.type, NS_DCAT.Dataset))
    assert len(datasets) > 40
    for dataset in datasets:
        for prop in (NS_DCAT.theme, NS_DCT.spatial, NS_DCAT.keyword, NS_DCT.description):
            assert graph.value(dataset, prop) is not None, (dataset, prop)
        period = graph.value(dataset, NS_DCT.temporal)
        start = graph.value(period, NS_DCAT.startDate)
        end = graph.value(period, NS_DCAT.endDate)
        assert start.datatype == end.datatype == XSD_DATE, dataset
        assert start.toPython() <= end.toPython(), dataset
        assert graph.value(dataset, NS_DCT.accrualPeriodicity) is not None, dataset
    for distribution in graph.subjects(RDF.type, NS_DCAT.Distribution):
        assert graph.value(distribution, NS_DCT.description) is not None, distribution
        assert graph.value(distribution, DCATAP.availability) is not None, distribution
        rights = graph.value(distribution, NS_DCT.rights)
        assert (rights, RDF.type, NS_DCT.RightsStatement) in graph
    # The period comes from the figures: FY2014 (April 2014) is the first in the seed.
    results = URIRef("http://testserver" + reverse("opendata:catalog") + "#results")
    first_year = Result.objects.published().order_by("fiscal_year").first().fiscal_year
    start = graph.value(graph.value(results, NS_DCT.temporal), NS_DCAT.startDate).toPython()
    assert start.year == first_year


def test_every_download_url_is_stable_and_answers(client):
    graph = catalogue_graph(client)
    urls = {str(url) for url in graph.objects(None, NS_DCAT.downloadURL)}
    assert urls
    for url in urls:
        path = url.removeprefix("http://testserver")
        assert path != url and not path.startswith(settings.STATIC_URL), url
        assert not HASHED.search(path.partition("?")[0]), url
        assert client.get(path).status_code == 200, url
    boundaries = client.get(reverse("opendata:boundaries_json"))
    assert "http://testserver" + reverse("opendata:boundaries_json") in urls
    assert boundaries["Content-Type"] == "application/json"
    with open(finders.find("maps/hokkaido-municipalities.json"), "rb") as fh:
        assert boundaries.content == fh.read()


def test_bulk_zip_is_in_the_catalogue(client):
    graph = catalogue_graph(client)
    url = URIRef("http://testserver" + reverse("opendata:all_zip"))
    (distribution,) = graph.subjects(NS_DCAT.downloadURL, url)
    zip_type = URIRef("http://publications.europa.eu/resource/authority/file-type/ZIP")
    assert graph.value(distribution, NS_DCT["format"]) == zip_type
    (dataset,) = graph.subjects(NS_DCAT.distribution, distribution)
    assert (None, NS_DCAT.dataset, dataset) in graph


def test_api_distributions_are_reached_through_the_data_service(client):
    graph = catalogue_graph(client)
    api_root = "http://testserver" + reverse("api:openapi-json").removesuffix("openapi.json")
    through_api = [
        d
        for d in graph.subjects(RDF.type, NS_DCAT.Distribution)
        if str(graph.value(d, NS_DCAT.accessURL)).startswith(api_root)
    ]
    assert len(through_api) > 40
    (service,) = graph.subjects(RDF.type, NS_DCAT.DataService)
    assert str(graph.value(service, NS_DCAT.endpointURL)) == api_root
    description = str(graph.value(service, NS_DCAT.endpointDescription))
    assert client.get(description.removeprefix("http://testserver")).json()["openapi"]
    served = set(graph.objects(service, NS_DCAT.servesDataset))
    for distribution in through_api:
        assert graph.value(distribution, NS_DCAT.downloadURL) is None, distribution
        assert graph.value(distribution, NS_DCAT.accessService) == service, distribution
        (dataset,) = graph.subjects(NS_DCAT.distribution, distribution)
        assert dataset in served
