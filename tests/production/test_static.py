"""Static files in production: hashed, compressed, cached for good; plotly.js matches plotly.py."""

import re

import brotli
import plotly.offline
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db


def test_the_vendored_plotly_js_is_the_version_plotly_py_emits():
    bundle = settings.BASE_DIR / "static" / "vendor" / "plotly"
    version = plotly.offline.get_plotlyjs_version()
    head = (bundle / f"plotly-basic-{version}.min.js").read_text(encoding="utf-8")[:200]
    assert f"plotly.js (basic - minified) v{version}" in head
    assert (bundle / f"plotly-styles-{version}.css").exists()


MANIFEST_STORAGES = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


@pytest.fixture(scope="module")
def collected_static(tmp_path_factory):
    """The static files as production collects them (hashed, gzip, brotli): once."""
    root = tmp_path_factory.mktemp("static")
    with override_settings(STATIC_ROOT=root, STORAGES=MANIFEST_STORAGES):
        call_command("collectstatic", interactive=False, verbosity=0)
    return root


@pytest.fixture
def production_static(settings, collected_static):
    settings.STATIC_ROOT = collected_static
    settings.STORAGES = MANIFEST_STORAGES
    return Client()  # a new handler: whitenoise scans the new STATIC_ROOT


def plotly_url(html):
    """plotly.js as the page names it for charts.js to fetch when a chart is needed."""
    return re.search(r'data-plotly="(/static/vendor/plotly/plotly-basic-[^"]+\.js)"', html).group(1)


def test_pages_link_hashed_files_served_compressed_and_immutable(production_static):
    html = production_static.get("/projects/kitanomegumi/").content.decode()
    script = plotly_url(html)
    assert re.search(r"\.[0-9a-f]{12}\.js$", script), script
    assert f'src="{script}"' not in html  # not loaded with the page
    response = production_static.get(script, HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "immutable" in response["Cache-Control"]
    size = int(response["Content-Length"])
    assert size < 450_000, size  # 1.19 MB on disk, ~0.4 MB on the wire


def test_brotli_is_served_to_a_browser_that_accepts_it(production_static):
    html = production_static.get("/projects/kitanomegumi/").content.decode()
    script = plotly_url(html)
    gzipped = production_static.get(script, HTTP_ACCEPT_ENCODING="gzip")
    br = production_static.get(script, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert br.status_code == 200
    assert br["Content-Encoding"] == "br"
    assert "Accept-Encoding" in br["Vary"]
    assert int(br["Content-Length"]) < 0.9 * int(gzipped["Content-Length"])
    body = b"".join(br.streaming_content)
    assert brotli.decompress(body).startswith(b"/**")  # plotly.js's banner
    stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', html).group(1)
    assert production_static.get(stylesheet, HTTP_ACCEPT_ENCODING="br")["Content-Encoding"] == "br"


def test_favicon_redirects_to_the_hashed_icon(production_static):
    response = production_static.get("/favicon.ico")
    assert response.status_code == 301
    assert re.search(r"^/static/favicon\.[0-9a-f]{12}\.svg$", response["Location"])
