"""The read-only API, /api/v1/: contract per endpoint, drafts, pages, filters, caching, errors."""

from decimal import Decimal

import pytest
from django.test import override_settings
from django.urls import reverse

from api.api import api
from indicators.exports import COLUMNS
from indicators.models import Indicator, Result, Target
from municipalities.models import CollaborationArea, Municipality, Subprefecture
from projects.models import Category, Edition, Measure, Project, Section, Theme
from strategy_portal import pagecache as page_cache
from strategy_portal.pagecache import generations

pytestmark = pytest.mark.django_db

DRAFTED = "p1-marriage-support-consultations"


def get(client, name, *args, headers=None, **query):
    return client.get(reverse(f"api:{name}", args=args), query, **(headers or {}))


def every_item(client, name, **query):
    """All pages of a list, followed through `next` as a client would."""
    items, url = [], reverse(f"api:{name}")
    response = client.get(url, {**query, "per_page": 200})
    while True:
        assert response.status_code == 200, response.content
        data = response.json()
        items += data["results"]
        if not data["next"]:
            return items
        response = client.get(data["next"])


def test_each_list_holds_every_object_with_its_own_working_url(client):
    expected = {
        "editions": Edition.objects.count(),
        "projects": Project.objects.count(),
        "themes": Theme.objects.count(),
        "sections": Section.objects.count(),
        "categories": Category.objects.count(),
        "measures": Measure.objects.count(),
        "indicators": Indicator.objects.count(),
        "results": Result.objects.published().count(),
        "targets": Target.objects.published().count(),
        "subprefectures": Subprefecture.objects.count(),
        "municipalities": 179,
        "areas": CollaborationArea.objects.count(),
    }
    for name, count in expected.items():
        items = every_item(client, name)
        assert len(items) == count, name
        for item in items[:3]:
            detail = client.get(item["url"])
            assert detail.status_code == 200, item["url"]
            data = detail.json()["data"]
            assert {key: data[key] for key in item} == item, name


def test_results_use_the_download_field_names_and_figures(client):
    result = Result.objects.published().get(indicator__slug=DRAFTED)
    (item,) = get(client, "results", indicator=DRAFTED).json()["results"]
    assert {key for key, _ in COLUMNS} <= set(item)
    download = client.get(reverse("indicators:detail_json", args=[DRAFTED])).json()["results"][0]
    assert {key: item[key] for key in download} == download
    assert item["value"] == int(result.value) and item["unit"] == result.indicator.unit


def test_objects_link_to_related_objects(client):
    project = get(client, "project", "sumairu").json()["data"]
    theme = client.get(project["themes"][0]["url"]).json()["data"]
    section = client.get(theme["sections"][0]["url"]).json()["data"]
    categories = [client.get(c["url"]).json()["data"] for c in section["categories"]]
    category = next(c for c in categories if c["measures"])
    measure = client.get(category["measures"][0]["url"]).json()["data"]
    assert measure["category"]["url"] == category["url"]
    assert measure["project"]["id"] == "sumairu"
    sapporo = get(client, "municipality", "011002").json()["data"]
    assert sapporo["name"] == "札幌市" and sapporo["subprefecture"]["id"] == "ishikari"
    sub = client.get(sapporo["subprefecture"]["url"]).json()["data"]
    assert {"id": "011002", "name": "札幌市", "url": sapporo["url"]} in sub["municipalities"]


def test_every_document_states_the_licence_and_credit(client):
    edition = Edition.objects.get(year=2018)
    for response in [get(client, "results"), get(client, "municipality", "011002")]:
        data = response.json()
        assert data["license"] == "https://creativecommons.org/licenses/by/4.0/"
        assert edition.citation in data["attribution"]


def test_drafts_never_reach_anonymous_clients(client, staff_client):
    Result.objects.filter(indicator__slug=DRAFTED).update(status="draft")
    draft = Result.objects.get(indicator__slug=DRAFTED)
    indicator = Indicator.objects.get(slug=DRAFTED)
    target = Target.objects.create(
        indicator=indicator, fiscal_year=2019, value=Decimal(2000), status="draft"
    )
    assert all(r["indicator"] != DRAFTED for r in every_item(client, "results"))
    assert get(client, "result", draft.pk).status_code == 404
    assert get(client, "indicator", DRAFTED).json()["data"]["series"] == []
    assert get(client, "indicator", DRAFTED).json()["data"]["targets"] == []
    assert get(client, "target", target.pk).status_code == 404
    assert all(t["id"] != target.pk for t in every_item(client, "targets"))
    # Signed-in staff see them, marked as drafts, as on the site.
    assert get(staff_client, "result", draft.pk).json()["data"]["status"] == "draft"
    assert get(staff_client, "target", target.pk).json()["data"]["status"] == "draft"


def test_pages_are_stable_and_complete(client):
    first = get(client, "results", per_page=7).json()
    assert first["count"] == Result.objects.published().count()
    assert first["pages"] == -(-first["count"] // 7) and first["previous"] is None
    ids = [r["id"] for r in every_item(client, "results")]
    paged = []
    url = reverse("api:results") + "?per_page=7"
    while url:
        data = client.get(url).json()
        paged += [r["id"] for r in data["results"]]
        url = data["next"]
    assert paged == ids and len(set(ids)) == len(ids)
    beyond = get(client, "results", page=first["pages"] + 1, per_page=7).json()
    assert beyond["results"] == [] and beyond["count"] == first["count"]


def test_filters_narrow_the_lists(client):
    project = Project.objects.get(slug="sumairu")
    by_project = every_item(client, "results", project="sumairu")
    assert by_project and all(r["project"] == project.name for r in by_project)
    assert (
        len(by_project)
        == Result.objects.published()
        .filter(indicator__measure__category__section__theme__project=project)
        .count()
    )
    assert all(r["fiscal_year"] == 2017 for r in every_item(client, "results", fiscal_year=2017))
    assert all(r["unit"] == "件" for r in every_item(client, "results", unit="件"))
    kamikawa = every_item(client, "municipalities", subprefecture="kamikawa")
    assert len(kamikawa) == Municipality.objects.filter(subprefecture__slug="kamikawa").count()
    model = every_item(client, "areas", kind="model")
    assert len(model) == 11
    assert every_item(client, "results", fiscal_year=1990) == []


def test_progress_status_filter_matches_each_results_own_status(client):
    indicator = Indicator.objects.get(slug=DRAFTED)
    Target.objects.create(
        indicator=indicator, fiscal_year=2019, value=Decimal(100), status="published"
    )
    achieved = every_item(client, "results", progress_status="achieved")
    assert achieved and all(r["progress_status"] == "achieved" for r in achieved)
    assert DRAFTED in {r["indicator"] for r in achieved}
    assert every_item(client, "results", progress_status="behind") == []


def test_etag_and_last_modified_revalidate_to_304(client):
    url = reverse("api:indicator", args=[DRAFTED])
    response = client.get(url)
    assert response.status_code == 200 and response["ETag"] and response["Last-Modified"]
    assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    again = client.get(url, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
    assert again.status_code == 304
    result = Result.objects.get(indicator__slug=DRAFTED)
    result.value = 814
    result.save()
    changed = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert changed.status_code == 200 and changed.json()["data"]["series"][0]["value"] == 814


def test_head_answers_like_get_without_a_body(client):
    url = reverse("api:municipality", args=["011002"])
    got, head = client.get(url), client.head(url)
    assert head.status_code == 200 and head.content == b""
    assert head["ETag"] == got["ETag"] and int(head["Content-Length"]) == len(got.content)


def test_head_revalidates_like_get_and_is_not_a_documented_operation(client):
    url = reverse("api:results")
    etag = client.get(url)["ETag"]
    assert client.head(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    document = client.get(reverse("api:openapi-json")).json()
    assert all(set(methods) == {"get"} for methods in document["paths"].values())
    refused = client.post(url)
    assert refused.status_code == 405 and refused["Allow"] == "GET, HEAD"


def test_municipal_data_carries_the_code_tables_own_credit(client):
    data = get(client, "municipalities").json()
    assert "出典：総務省「全国地方公共団体コード」" in data["attribution"]


def test_cors_is_open_for_get(client):
    response = get(client, "projects", headers={"HTTP_ORIGIN": "https://example.org"})
    assert response["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(
        reverse("api:projects"),
        HTTP_ORIGIN="https://example.org",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
    )
    assert preflight.status_code == 200
    assert "GET" in preflight["Access-Control-Allow-Methods"]
    assert "POST" not in preflight["Access-Control-Allow-Methods"]
    # The site's pages are not opened to other origins.
    page = client.get(reverse("projects:home"), HTTP_ORIGIN="https://example.org")
    assert not page.has_header("Access-Control-Allow-Origin")


def assert_json_error(response, status):
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["status"] == status and error["message"] and error["message_en"]
    assert any("\u3040" <= ch <= "\u30ff" for ch in error["message"])  # kana: Japanese
    return error


def test_errors_are_json_in_japanese_and_english(client):
    assert_json_error(get(client, "municipality", "019999"), 404)
    assert_json_error(client.get("/api/v1/no-such-thing"), 404)
    error = assert_json_error(get(client, "results", page=0), 400)
    assert error["details"][0]["parameter"] == "page"
    assert_json_error(get(client, "results", fiscal_year="二〇一七"), 400)
    assert_json_error(get(client, "results", progress_status="great"), 400)
    assert_json_error(get(client, "results", unit="\x00"), 400)
    assert_json_error(client.get("/api/v1/results/99999999999999"), 400)
    assert_json_error(get(client, "results", unit="件", extra="x" * 5000), 414)
    response = client.post(reverse("api:projects"), {})
    assert_json_error(response, 405)
    assert "GET" in response["Allow"]


@override_settings(API_THROTTLE_RATE="3/m")
def test_throttling_per_client_address(client):
    for _ in range(3):
        assert get(client, "projects", headers={"REMOTE_ADDR": "192.0.2.1"}).status_code == 200
    limited = get(client, "projects", headers={"REMOTE_ADDR": "192.0.2.1"})
    assert_json_error(limited, 429)
    assert int(limited["Retry-After"]) >= 1
    assert get(client, "projects", headers={"REMOTE_ADDR": "192.0.2.2"}).status_code == 200


def test_openapi_document_is_3_1_and_documents_every_operation(client):
    document = client.get(reverse("api:openapi-json")).json()
    assert document["openapi"].startswith("3.1")
    operations = [(path, op) for path, ops in document["paths"].items() for op in ops.values()]
    assert len(operations) >= 25
    for path, operation in operations:
        assert operation["summary"], path
        assert {"200", "414", "429"} <= set(operation["responses"]), path
        if operation.get("parameters"):
            assert "400" in operation["responses"], path
    for name, schema in document["components"]["schemas"].items():
        for field, prop in schema.get("properties", {}).items():
            assert prop.get("description"), f"{name}.{field} is not described"
    for path, operation in operations:
        for parameter in operation.get("parameters", []):
            assert parameter.get("description"), (path, parameter["name"])
    result = document["components"]["schemas"]["Result"]["properties"]
    for key, label in COLUMNS:
        assert label in result[key]["description"], key


def test_the_served_document_names_the_requests_site_as_its_server(client):
    url = reverse("api:openapi-json")
    served = client.get(url, HTTP_HOST="127.0.0.1:8000").json()
    assert served["servers"] == [{"url": "http://127.0.0.1:8000", "description": "このサイト"}]
    # Another host gets its own (the cached document is kept per host).
    assert client.get(url, HTTP_HOST="localhost").json()["servers"][0]["url"] == "http://localhost"
    assert client.head(url, HTTP_HOST="localhost").status_code == 200
    # The document built without a request (the committed one) names it relatively.
    assert api.get_openapi_schema()["servers"] == [{"url": "/", "description": "このサイト"}]


def test_documentation_page_lists_every_endpoint_and_field_in_japanese(client):
    document = client.get(reverse("api:openapi-json")).json()
    page = client.get(reverse("api_docs"))
    assert page.status_code == 200
    html = page.content.decode()
    for path, ops in document["paths"].items():
        for method in ops:
            assert f"{method.upper()} {path}" in html
    assert "進捗率（%）" in html and "値の単位" in html and "1分あたり120リクエスト" in html
    assert "例 <code>011002</code>" in html
    # each parameter's example is a real object
    assert get(client, "municipality", "011002").status_code == 200
    assert "<script" not in html.split("</head>")[1]  # no third-party viewer


def add_nineteen_more_years():
    """Every series again for 19 earlier fiscal years: 20 times the rows."""
    firsts = {}
    for result in Result.objects.order_by("fiscal_year"):
        firsts.setdefault((result.indicator_id, result.breakdown), result)
    Result.objects.bulk_create(
        Result(
            indicator_id=r.indicator_id,
            edition_id=r.edition_id,
            fiscal_year=year,
            value=r.value,
            breakdown=r.breakdown,
            status="published",
            order=r.order,
        )
        for r in firsts.values()
        for year in range(1995, 2014)
    )


@pytest.mark.parametrize(
    "name, args, query",
    [
        ("results", [], {}),
        ("results", [], {"progress_status": "achieved"}),
        ("indicators", [], {}),
        ("indicator", ["p2-mirai-challenge-budget"], {}),
        ("measures", [], {}),
        ("municipalities", [], {}),
        ("targets", [], {}),
    ],
)
def test_queries_do_not_grow_with_20_times_the_data(client, name, args, query):
    """A page of the API costs the same queries however many years are stored."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse(f"api:{name}", args=args)
    with CaptureQueriesContext(connection) as before:
        assert client.get(url, query).status_code == 200
    add_nineteen_more_years()
    with CaptureQueriesContext(connection) as after:
        assert client.get(url, query).status_code == 200
    assert len(after) == len(before), [q["sql"][:120] for q in after]


def test_many_client_addresses_do_not_crowd_the_page_generation_out(client, settings, tmp_path):
    """A full file cache deletes a third of its entries at random: the API's counts
    per address must not take the page generation with them (every page rebuilt)."""
    small = {
        "BACKEND": "strategy_portal.pagecache.filecache.FileCache",
        "OPTIONS": {"MAX_ENTRIES": 20},
    }
    settings.CACHES = {
        **settings.CACHES,
        "default": {**small, "LOCATION": str(tmp_path / "default")},
        "throttle": {**small, "LOCATION": str(tmp_path / "throttle")},
    }
    generations._memo.clear()
    before = page_cache.generation()
    for n in range(100):
        address = f"198.51.100.{n}"
        assert get(client, "projects", headers={"REMOTE_ADDR": address}).status_code == 200
    generations._memo.clear()
    assert page_cache.generation() == before
