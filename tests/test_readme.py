"""The README is a front door: short, the two commands near the top, and every link
in it and in docs/ leads to a page or file that exists (with its heading, for a
link to a section)."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
PAGES = [README, *sorted((ROOT / "docs").rglob("*.md"))]

LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
FENCE = re.compile(r"^```.*?^```", re.S | re.M)
CODE = re.compile(r"`[^`\n]*`")


def prose(text: str) -> str:
    """The text without code: fenced blocks and inline code hold no links."""
    return CODE.sub("", FENCE.sub("", text))


def anchors(text: str) -> set[str]:
    """The section anchors GitHub makes of a page's headings."""
    found = set()
    for heading in re.findall(r"^#{1,6}\s+(.+?)\s*$", FENCE.sub("", text), re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        found.add(slug)
    return found


def relative_links(page: Path) -> list[str]:
    return [
        target
        for target in LINK.findall(prose(page.read_text(encoding="utf-8")))
        if not re.match(r"[a-z][a-z0-9+.-]*:", target)  # http:, https:, mailto:
    ]


def test_the_readme_is_at_most_150_lines():
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 150, f"README.md has {len(lines)} lines: move the detail to docs/"


def test_the_readme_gives_the_two_commands_within_its_first_40_lines():
    head = README.read_text(encoding="utf-8").splitlines()[:40]
    start = next(i for i, line in enumerate(head) if line.startswith("```sh"))
    block = head[start + 1 : start + 3]
    assert [line.split()[:2] for line in block] == [["make", "run"], ["make", "test"]]


def test_the_docs_exist_and_the_readme_links_to_each():
    links = {Path(target.split("#")[0]) for target in relative_links(README)}
    docs = {page.relative_to(ROOT) for page in (ROOT / "docs").glob("*.md")}
    assert docs, "docs/ has no pages"
    assert docs <= links, f"not linked from README.md: {sorted(map(str, docs - links))}"


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_every_relative_link_points_to_a_file_that_exists(page):
    broken = []
    for target in relative_links(page):
        path, _, anchor = target.partition("#")
        destination = (page.parent / path).resolve() if path else page
        if not destination.exists():
            broken.append(target)
        elif anchor and destination.suffix == ".md":
            if anchor not in anchors(destination.read_text(encoding="utf-8")):
                broken.append(target)
    assert not broken, f"{page.relative_to(ROOT)}: broken links {broken}"
