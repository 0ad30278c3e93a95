"""A client generated from the OpenAPI document reads every list (issue 22, part 7).

openapi-python-client (the test extra; offline: it reads the document from a file)
generates a Python package from the document the live API serves; the package is
imported and every list operation (`list_*`) is paged through against the production
stack (gunicorn, DEBUG off, harness.live) over the seed, following each page's `next`.
Nothing may be rejected: every answer is a 200 parsed into the generated page model,
every field of every object lands in a typed attribute (none left over, the object
written back equals the JSON read), and the objects read are as many as `count`.
"""

import datetime
import importlib
import json
import subprocess
import sys
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from harness.live import Server, build_site, manage, production_env

pytestmark = pytest.mark.live

PACKAGE = "portal_api_client"
GENERATOR = [sys.executable, "-m", "openapi_python_client"]
PER_PAGE = 20  # small pages: most lists take several


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("generated-client")
    # One client reading everything at once: the throttle is tested on its own
    # (tests/api/test_api.py). Plain HTTP, as behind the proxy, with the site's own
    # address in the document: no redirect to HTTPS here.
    env = production_env(
        folder / "portal.sqlite3",
        folder / "cache",
        DJANGO_API_THROTTLE_RATE="1000000/m",
        DJANGO_SECURE_SSL_REDIRECT=0,
        DJANGO_HSTS_SECONDS=0,
        WEB_CONCURRENCY=1,
    )
    build_site(env)
    # The seed publishes no targets: the demo figures (FY2018–2022, a target for every
    # indicator) give every list objects, and the results their progress.
    manage(env, "demo_years", "--force")
    running = Server(env, log=folder / "gunicorn.log").start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def client_package(server, tmp_path_factory):
    """The package generated from the served document, imported; and the document."""
    folder = tmp_path_factory.mktemp("client")
    # Fetched as anyone would, with the HTTP client the generated code uses.
    answer = httpx.get(f"http://127.0.0.1:{server.port}/api/v1/openapi.json", timeout=30)
    assert answer.status_code == 200
    document = folder / "openapi.json"
    document.write_bytes(answer.content)
    config = folder / "config.yaml"
    config.write_text("post_hooks: []\n")  # no formatter run on the generated code
    subprocess.run(
        [
            *GENERATOR,
            "generate",
            "--path",
            str(document),
            "--output-path",
            str(folder / PACKAGE),
            "--meta",
            "none",
            "--config",
            str(config),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(PACKAGE), answer.json()
    finally:
        sys.path.remove(str(folder))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def list_operations(document):
    """(tag, operation id, page model) of each list: `list_*`, answering a page."""
    for methods in document["paths"].values():
        for operation in methods.values():
            if operation["operationId"].startswith("list_"):
                schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
                yield operation["tags"][0], operation["operationId"], schema["$ref"].split("/")[-1]


def leftover_fields(model) -> list[str]:
    """Fields the generated models did not know, at any depth."""
    found = list(getattr(model, "additional_properties", {}))
    for value in getattr(model, "__dict__", {}).values():
        for item in value if isinstance(value, list) else [value]:
            if hasattr(item, "additional_properties"):
                found += leftover_fields(item)
    return found


def test_a_generated_client_pages_through_every_list_with_no_rejection(server, client_package):
    package, document = client_package
    # The served document names the live site as its server: the client's base URL.
    base_url = document["servers"][0]["url"]
    assert base_url == f"http://127.0.0.1:{server.port}"
    client = package.Client(base_url=base_url, raise_on_unexpected_status=True, timeout=30)
    lists = list(list_operations(document))
    assert len(lists) == 12
    read, rejected, requests = {}, [], 0
    for tag, operation_id, model in lists:
        operation = importlib.import_module(f"{PACKAGE}.api.{tag}.{operation_id}")
        page_model = getattr(package.models, model)  # ResultPage …
        urls, count, query = [], None, {"per_page": PER_PAGE}
        while True:
            response = operation.sync_detailed(client=client, **query)
            requests += 1
            page = response.parsed
            if response.status_code != 200 or not isinstance(page, page_model):
                rejected.append((operation_id, query, response.status_code, page))
                break
            leftovers = leftover_fields(page)
            if leftovers or page.to_dict() != json.loads(response.content):
                rejected.append((operation_id, query, "not read whole", leftovers))
            count = page.count if count is None else count
            assert page.count == count, operation_id  # the seed does not change meanwhile
            urls += [item.url for item in page.results]
            if not page.next_:  # `next`, renamed by the generator (a builtin)
                break
            # Follow `next`: the same list, the following page.
            following = urlsplit(page.next_)
            assert f"{following.scheme}://{following.netloc}" == base_url
            query = {key: int(values[0]) for key, values in parse_qs(following.query).items()}
            assert query["page"] == page.page + 1
        assert len(urls) == count and len(set(urls)) == count, operation_id
        read[operation_id] = count
    print(f"{len(lists)} lists, {requests} requests, {sum(read.values())} objects: {read}")
    assert not rejected, rejected
    assert all(read.values()), read  # the seed has something in every list


def test_dates_are_read_as_dates_and_errors_as_errors(client_package):
    """`format: date` where the generator sees it: optional dates become dates. An
    error is the document's ErrorOut, not a page: what the paging test counts as a
    rejection."""
    package, document = client_package
    client = package.Client(base_url=document["servers"][0]["url"])
    results = importlib.import_module(f"{PACKAGE}.api.indicators.list_results")
    page = results.sync(client=client, per_page=200)
    assert any(isinstance(r.period_end, datetime.date) for r in page.results)
    assert all(isinstance(r.updated_at, datetime.datetime) for r in page.results)
    editions = importlib.import_module(f"{PACKAGE}.api.strategy.list_editions")
    assert isinstance(editions.sync(client=client).results[0].published_on, datetime.date)
    refused = results.sync_detailed(client=client, page=0)
    assert refused.status_code == 400 and isinstance(refused.parsed, package.models.ErrorOut)
    assert refused.parsed.error.details[0]["parameter"] == "page"
