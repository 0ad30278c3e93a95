"""The absolute URLs a page prints (og:url, the indicator's 固定URL, the print line)
are built from the path and the parameters the page cache keys on: a made-up
parameter on the request that renders a page must not reach every later reader."""

import re

import pytest
from django.test import Client

from strategy_portal import pagecache as page_cache

pytestmark = pytest.mark.django_db

INDICATOR = "/indicators/p1-medical-wing-flights/"
PROJECT = "/projects/sumairu/"


def printed_urls(html: str) -> dict:
    og = re.search(r'<meta property="og:url" content="([^"]*)"', html)
    permalink = re.search(r'この指標の固定URL：<a href="([^"]*)"', html)
    line = re.search(r"このページ：(\S+)　", html)
    return {
        "og:url": og and og.group(1),
        "permalink": permalink and permalink.group(1),
        "print line": line and line.group(1),
    }


def poison_then_read(client, path, keyed=""):
    """After an edit, the first request carries ?utm=ZZPOISON; the page it renders
    is the one stored for everybody."""
    client.get(path + (keyed + "&" if keyed else "?") + "utm=ZZPOISON")  # warm
    page_cache.invalidate()  # an edit: the next request renders afresh
    poisoned = client.get(path + (keyed + "&" if keyed else "?") + "utm=ZZPOISON")
    assert poisoned.status_code == 200
    assert poisoned.get("X-Page-Cache") == "miss"
    return [client.get(path + keyed) for _ in range(3)]


def test_a_made_up_parameter_never_reaches_later_readers_of_an_indicator_page(client):
    for response in poison_then_read(client, INDICATOR):
        html = response.content.decode()
        assert response.status_code == 200
        assert "ZZPOISON" not in html
        assert printed_urls(html) == {
            "og:url": f"http://testserver{INDICATOR}",
            "permalink": f"http://testserver{INDICATOR}",
            "print line": f"http://testserver{INDICATOR}",
        }


def test_the_parameters_the_page_is_keyed_on_stay_in_its_printed_url(client):
    for response in poison_then_read(client, PROJECT, "?edition=2018"):
        html = response.content.decode()
        assert "ZZPOISON" not in html
        assert printed_urls(html)["print line"] == f"http://testserver{PROJECT}?edition=2018"


def test_a_signed_in_reader_sees_the_same_printed_urls(staff_client):
    """Not cached, but a printed or shared address is the page's, not the request's."""
    html = staff_client.get(INDICATOR + "?utm=ZZPOISON&x=%22%3E").content.decode()
    assert "ZZPOISON" not in html
    assert printed_urls(html)["og:url"] == f"http://testserver{INDICATOR}"


def test_a_page_with_a_bad_host_still_renders_its_error_page(client):
    response = Client().get(INDICATOR + "?utm=ZZPOISON", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "ZZPOISON" not in response.content.decode()
