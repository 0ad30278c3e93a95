"""A page not found reads in Japanese under `make run` (DEBUG on) too (issue 19, part 13)."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("debug", [True, False])
@pytest.mark.parametrize("path", ["/no-such-page/", "/projects/no-such-project/"])
def test_a_missing_page_is_the_sites_japanese_404(client, settings, debug, path):
    settings.DEBUG = debug
    response = client.get(path)
    page = response.content.decode()
    assert response.status_code == 404
    assert "ページが見つかりません" in page and "ホームへ戻る" in page
    assert "Page not found" not in page and "URLconf" not in page


def test_a_page_that_answers_404_itself_keeps_its_answer(client, settings):
    settings.DEBUG = True
    response = client.get("/projects/sumairu/?edition=1999")
    assert response.status_code == 404
    assert "「1999」年版" in response.content.decode()
