"""The W3C Nu HTML validator (vnu.jar from npm, run with Java) finds no error on
any page type, for anonymous readers and signed-in staff alike."""

import json
import shutil
import subprocess

import pytest
from django.conf import settings

from harness.page_types import page_types

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

VNU = settings.BASE_DIR / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def validate(files) -> list[str]:
    """vnu's errors for the files, as 'file:line: message'."""
    if not VNU.exists() or shutil.which("java") is None:
        pytest.fail("vnu.jar or Java is missing: run `make test`, which installs them")
    run = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(run.stderr or run.stdout)["messages"]
    return [
        f"{m.get('url', '').rsplit('/', 1)[-1]}:{m.get('lastLine', '?')}: {m['message']}"
        for m in messages
        if m["type"] in ("error", "non-document-error")
    ]


@pytest.mark.a11y_check("vnu")
def test_vnu_finds_no_error_on_any_page_type(client, staff_client, tmp_path):
    files = []
    for who, browser in (("public", client), ("staff", staff_client)):
        for number, page in enumerate(page_types()):
            response = browser.get(page.path)
            assert response.status_code == page.status, (who, page.path)
            file = tmp_path / f"{who}-{number:02d}.html"
            file.write_bytes(response.content)
            files.append(file)
    errors = validate(files)
    assert errors == [], "\n".join(errors)


def test_the_validator_does_report_invalid_html(tmp_path):
    """The check itself works: a <script> inside <figure> and a bad datetime are errors."""
    page = tmp_path / "bad.html"
    page.write_text(
        '<!DOCTYPE html><html lang="ja"><head><title>t</title></head><body>'
        '<figure><div></div><script type="application/json">{}</script></figure>'
        '<time datetime="2018-05-01T10:00:00.123456+09:00">x</time></body></html>',
        encoding="utf-8",
    )
    assert len(validate([page])) >= 1
