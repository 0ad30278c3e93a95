"""Vendor plotly.js (basic bundle) and its stylesheet into static/vendor/plotly/.

Usage: python tools/vendor_plotly.py PATH/TO/plotly-basic.min.js

plotly.js injects a <style> element with its CSS rules unless the page has an
element with id "plotly.js-style-global" and class "no-inline-styles"; the
page links this stylesheet with that id, so no inline style is needed (CSP).
The rules are read out of the bundle itself, so they match its version.
"""

import json
import re
import shutil
import sys
from pathlib import Path

DEST = Path(__file__).resolve().parent.parent / "static" / "vendor" / "plotly"


def css_rules(bundle: str) -> str:
    start = bundle.index('{"X,X div":')
    depth = 0
    for end in range(start, len(bundle)):
        depth += {"{": 1, "}": -1}.get(bundle[end], 0)
        if depth == 0:
            break
    # The object literal uses JS string quotes; normalise to JSON.
    literal = bundle[start : end + 1]
    pairs = re.findall(r'"((?:[^"\\]|\\.)*)":(\'(?:[^\'\\]|\\.)*\'|"(?:[^"\\]|\\.)*")', literal)
    lines = []
    for selector, body in pairs:
        body = (
            json.loads('"' + body[1:-1].replace('"', '\\"') + '"')
            if body[0] == "'"
            else json.loads(body)
        )
        selector = re.sub(r"^,", " ,", selector)
        selector = selector.replace("X", ".js-plotly-plot .plotly").replace("Y", ".plotly-notifier")
        lines.append(f"{selector}{{{body}}}")
    return "\n".join(lines) + "\n"


def main(bundle_path: str) -> None:
    bundle_file = Path(bundle_path)
    text = bundle_file.read_text(encoding="utf-8")
    version = re.search(r"plotly\.js \(basic - minified\) v(\d+\.\d+\.\d+)", text).group(1)
    DEST.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(bundle_file, DEST / f"plotly-basic-{version}.min.js")
    (DEST / f"plotly-styles-{version}.css").write_text(
        f"/* plotly.js {version} rules, extracted by tools/vendor_plotly.py */\n" + css_rules(text),
        encoding="utf-8",
    )
    print(f"plotly.js basic {version} → {DEST}")


if __name__ == "__main__":
    main(sys.argv[1])
