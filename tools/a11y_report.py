"""`make a11y`: turn a run of the accessibility checks into a11y/results.json.

Usage: python tools/a11y_report.py RUN.json

RUN.json is what the test run wrote (tests/conftest.py, A11Y_RUN_FILE): one
outcome per test marked `a11y_check`. The checks that need a person come from
a11y/manual.yaml (procedure, date, who, result). The output is committed; the
「ウェブアクセシビリティ試験結果」 page reads it (strategy_portal/a11y.py).
"""

import json
import os
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "strategy_portal.settings")

import django  # noqa: E402

django.setup()

import yaml  # noqa: E402

from harness.page_types import page_types  # noqa: E402
from strategy_portal import a11y  # noqa: E402

MANUAL = ROOT / "a11y" / "manual.yaml"


def versions() -> list[str]:
    chromium = subprocess.run(
        ["/usr/bin/chromium", "--version"], capture_output=True, text=True
    ).stdout.strip()
    import axe_playwright_python

    axe_js = Path(axe_playwright_python.__file__).parent / "axe.min.js"
    axe = re.search(r"axe v([\d.]+)", axe_js.read_text(encoding="utf-8")[:200]).group(1)
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    vnu = lock["packages"]["node_modules/vnu-jar"]["version"]
    ibm = lock["packages"]["node_modules/accessibility-checker-engine"]["version"]
    version = re.search(r"[\d.]+", chromium).group(0)
    return [
        f"Chromium {version}（Debian）",
        f"axe-core {axe}",
        f"IBM Equal Access Accessibility Checker（エンジン {ibm}）",
        f"Nu Html Checker（vnu-jar {vnu}）",
        "画面幅1280px・640px・412px・320px",
    ]


def problems(longrepr: str) -> list[str]:
    """The problems a failed check listed: its assertion message, one per line."""
    lines, inside = [], False
    for line in longrepr.splitlines():
        text = re.sub(r"^E\s+", "", line).strip() if line.startswith("E ") else None
        if text is None:
            continue
        if text.startswith("AssertionError:"):
            inside, text = True, text.removeprefix("AssertionError:").strip()
        elif text.startswith("assert ") or text.startswith("Left contains"):
            inside = False
        if inside and text:
            lines.append(text)
    return lines or [longrepr.strip().splitlines()[-1] if longrepr.strip() else "failed"]


def automated(outcomes: list[dict]) -> dict:
    checks = {}
    for check_id, check in a11y.CHECKS.items():
        if not check.automated:
            continue
        runs = [o for o in outcomes if o["check"] == check_id]
        failures = []
        for run in runs:
            if not run["passed"]:
                failures += problems(run["message"])
        checks[check_id] = {
            "automated": True,
            "passed": bool(runs) and all(r["passed"] for r in runs),
            "tests": len(runs),
            "source": ", ".join(sorted({r["test"].split("[")[0] for r in runs})),
            "failures": failures[:20],
        }
    return checks


def manual() -> dict:
    entries = yaml.safe_load(MANUAL.read_text(encoding="utf-8"))
    checks = {}
    for check_id, check in a11y.CHECKS.items():
        if check.automated:
            continue
        entry = entries.get(check_id, {})
        checked_on = entry.get("checked_on")
        checks[check_id] = {
            "automated": False,
            "passed": entry.get("passed") if checked_on else None,
            "procedure": entry.get("procedure", check.method),
            "checked_on": str(checked_on) if checked_on else None,
            "checked_by": entry.get("checked_by", ""),
            "findings": entry.get("findings", ""),
            "failures": entry.get("failures", []),
        }
    return checks


def main(run_file: str) -> None:
    outcomes = json.loads(Path(run_file).read_text(encoding="utf-8"))
    if not outcomes:
        raise SystemExit(f"{run_file} holds no accessibility check: did the tests run?")
    pages = page_types()
    results = {
        "date": datetime.now(ZoneInfo("Asia/Tokyo")).date().isoformat(),
        "standard": a11y.STANDARD,
        "target_level": a11y.TARGET_LEVEL,
        "technologies": ["HTML", "CSS", "JavaScript", "WAI-ARIA", "SVG"],
        "environment": versions(),
        "page_selection": (
            f"ウェブページ一式ではなく、公開ページの全てのページ種別（{len(pages)}種別）から"
            "代表的なページを1ページずつ選択しました。同じ種別のページは同じテンプレートから"
            "作られ、構造・部品・操作が共通です。グラフを含むページは、グラフを全て描画した状態でも"
            "試験しました。HTMLの検証は、未ログインと職員のログイン時（未公開の数値を含む表示）の両方で行いました。"
        ),
        "pages": [{"name": p.name, "path": p.path} for p in pages],
        "checks": {**automated(outcomes), **manual()},
    }
    out = a11y.RESULTS_FILE
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    evaluation = a11y.evaluate(a11y.load_results())
    print(
        f"{out.relative_to(ROOT)}: {evaluation['claim']} — "
        f"{evaluation['passed']}/{evaluation['applicable']} applicable criteria met"
        + (
            "; not met: " + ", ".join(c.number for c in evaluation["failing"])
            if evaluation["failing"]
            else ""
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
