"""Share cards: the Open Graph / Twitter metadata of every public page, and the
helpers that draw and serve their 1200×630 PNG images.

One mechanism for every page (issue 22, part 6): a view puts `share` in its
context with `card(...)`: the page's title and description (from its data),
and the image drawn from its subject (an indicator's figures, a municipality
on the map, or the site's image); templates/_share_meta.html, included once
by base.html, prints it. A page that sets no card (login, search, the error
pages) gets the site's card from the context processor: it names no query,
so it costs none.

The images are the only responses other sites may load
(`Cross-Origin-Resource-Policy: cross-origin`, `png_response`); pages keep
same-origin (strategy_portal/security.py). They are cached like pages: the
page cache keeps a public 200 with an ETag until the data changes.
"""

import io
from dataclasses import dataclass
from pathlib import Path

from django.http import HttpResponse
from django.urls import reverse
from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1200, 630
INK = "#1a1a1a"
MUTED = "#4a5560"
# Debian's IPA Gothic (fonts-ipafont-gothic, installed by `make install` as root).
FONT_FILES = (
    "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf",
    "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
)
# What the site is, for a page with no subject of its own (no figures: they would go stale).
SITE_DESCRIPTION = "北海道創生総合戦略の重点戦略プロジェクトの取組と、指標の実績・目標値"


@dataclass(frozen=True)
class Card:
    """What a page shows when shared: `image` is a path on this site (made absolute
    with the page's host by the template)."""

    title: str
    description: str
    image: str
    image_alt: str
    type: str = "website"  # "article" for a page about one subject
    width: int = WIDTH
    height: int = HEIGHT


def card(title, description, *, image=None, image_alt=None, type="website") -> Card:
    """A page's card; without an image of its own, the site's."""
    if image is None:
        image = reverse("projects:og_image")
        image_alt = image_alt or "北海道の地図とサイト名"
    return Card(title, description, image, image_alt or title, type)


def site_card() -> Card:
    """The card of a page with no subject of its own (the context processor's default)."""
    return card("", SITE_DESCRIPTION)


def font(size: int):
    for path in FONT_FILES:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size)  # no Japanese glyphs: install the font


def fit(draw, text: str, font, width: int) -> str:
    """The text, cut with … so it fits `width` pixels."""
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text + "…"


def wrap(draw, text: str, font, width: int, lines: int) -> list[str]:
    """The text broken (between any two characters: Japanese has no spaces) into at most
    `lines` lines of `width` pixels; the last one cut with … if it must be."""
    out = []
    while text and len(out) < lines - 1:
        n = len(text)
        while n > 1 and draw.textlength(text[:n], font=font) > width:
            n -= 1
        out.append(text[:n])
        text = text[n:]
    if text:
        out.append(fit(draw, text, font, width))
    if len(out) > 1 and len(out[-1]) == 1 and not out[-1].endswith("…"):
        out[-2:] = [out[-2][:-1], out[-2][-1] + out[-1]]  # no line of one character
    return out


def heading(draw, text: str, width: int, sizes=(88, 72, 60, 48), lines: int = 2):
    """The largest font of `sizes` that shows all of `text` on one line, else in up to
    `lines` lines (else the smallest, cut), and those lines."""
    for most in range(1, lines + 1):
        for size in sizes:
            chosen = font(size)
            broken = wrap(draw, text, chosen, width, most)
            if "".join(broken) == text:
                return chosen, size, broken
    return chosen, size, broken


def credit_line(draw, text: str, size: int = 18, bottom: int = 44) -> None:
    """The source credit along the image's foot, cut with … to its width."""
    small = font(size)
    draw.text((60, HEIGHT - bottom), fit(draw, text, small, 1080), font=small, fill=MUTED)


def canvas():
    image = Image.new("RGB", (WIDTH, HEIGHT), "#ffffff")
    return image, ImageDraw.Draw(image)


def png(image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def png_response(content: bytes) -> HttpResponse:
    """A share image: shown by other sites (SNS, chat), so loadable cross-origin,
    unlike every other response (strategy_portal.security)."""
    response = HttpResponse(content, content_type="image/png")
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response
