"""The accessibility policy and results pages claim only what the committed run shows."""

import json

import pytest
from django.urls import reverse

from harness.page_types import page_types
from strategy_portal import a11y

from ..test_pages import page_text

pytestmark = pytest.mark.django_db


def a_run(**failed):
    """A run where every check passed except those given as id=message."""
    checks = {
        check_id: {
            "automated": check.automated,
            "passed": check_id not in failed,
            "tests": 1,
            "source": "tests/…",
            "failures": [failed[check_id]] if check_id in failed else [],
            "checked_on": None if check.automated else "2026-12-01",
            "checked_by": "" if check.automated else "確認者",
            "procedure": "手順",
        }
        for check_id, check in a11y.CHECKS.items()
    }
    return {
        "date": "2026-12-01",
        "technologies": ["HTML", "CSS"],
        "environment": ["Chromium"],
        "page_selection": "全てのページ種別",
        "pages": [{"name": "ホーム", "path": "/"}],
        "checks": checks,
    }


@pytest.fixture
def results_file(tmp_path, monkeypatch):
    path = tmp_path / "results.json"
    monkeypatch.setattr(a11y, "RESULTS_FILE", path)
    monkeypatch.setattr(a11y.load_results, "__defaults__", (path,))
    return path


def test_there_are_38_level_a_and_aa_criteria():
    assert len(a11y.CRITERIA) == 38
    assert sum(c.level == "A" for c in a11y.CRITERIA) == 25
    assert len({c.number for c in a11y.CRITERIA}) == 38
    for criterion in a11y.CRITERIA:
        assert bool(criterion.checks) != bool(criterion.not_applicable), criterion.number
        assert set(criterion.checks) <= set(a11y.CHECKS), criterion.number


def test_all_checks_passed_claims_conformance(client, results_file):
    results_file.write_text(json.dumps(a_run()), encoding="utf-8")
    text = page_text(client.get(reverse("projects:accessibility")))
    assert "JIS X 8341-3:2016の適合レベルAAに準拠しています" in text
    assert "一部準拠" not in text


def test_a_failed_check_claims_partial_conformance_and_names_the_criteria(client, results_file):
    results_file.write_text(json.dumps(a_run(keyboard="ログイン: no visible focus")), "utf-8")
    policy = page_text(client.get(reverse("projects:accessibility")))
    assert "適合レベルAAに一部準拠しています" in policy
    for number in ("2.1.1", "2.1.2", "2.4.3", "2.4.7", "3.2.1"):
        assert number in policy
    results = page_text(client.get(reverse("projects:accessibility_results")))
    assert "不適合" in results and "ログイン: no visible focus" in results


def test_a_manual_check_never_done_is_not_claimed(client, results_file):
    run = a_run()
    run["checks"]["manual_sensory"].update(passed=None, checked_on=None)
    results_file.write_text(json.dumps(run), encoding="utf-8")
    policy = page_text(client.get(reverse("projects:accessibility")))
    assert "一部準拠" in policy and "1.3.3 感覚的な特徴" in policy


def test_without_a_run_the_site_only_claims_consideration(client, results_file):
    text = page_text(client.get(reverse("projects:accessibility")))
    assert "適合レベルAAに配慮しています" in text


def test_the_committed_run_covers_every_check_criterion_and_page_type(client):
    run = a11y.load_results()
    assert run is not None, "run `make a11y` and commit a11y/results.json"
    assert set(run["checks"]) == set(a11y.CHECKS)
    assert [p["path"] for p in run["pages"]] == [p.path for p in page_types()]
    html = client.get(reverse("projects:accessibility_results")).content.decode()
    assert html.count('<th scope="row">') >= 38 + len(page_types())
    for criterion in a11y.CRITERIA:
        assert f'<th scope="row">{criterion.number}</th>' in html


def test_every_footer_links_both_pages(client):
    html = client.get(reverse("indicators:list")).content.decode()
    assert f'href="{reverse("projects:accessibility")}"' in html
    assert f'href="{reverse("projects:accessibility_results")}"' in html
