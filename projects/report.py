"""The printed report: Chromium prints the edition's 「報告書（印刷用）」 page to PDF."""

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class ReportError(Exception):
    pass


def print_pdf(url: str, path) -> list[float]:
    """Open `url` in Chromium and print it to `path` as the page's CSS says (A4 landscape);
    returns each theme's zoom."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            return print_page(page, url, path)
        finally:
            browser.close()


# The page box of report.css (A4 landscape, 9 mm margins) in CSS pixels: the width the
# printed layout has, so the page is laid out and measured as it will be printed.
PAGE_WIDTH_PX = round((297 - 2 * 9) / 25.4 * 96)
PAGE_HEIGHT_PX = round((210 - 2 * 9) / 25.4 * 96)


# Every chart shows: its picture drawn on the server, loaded (no chart script needed),
# or, where none is drawn yet, the chart plotly.js drew.
PRINTABLE = """() => [...document.querySelectorAll('[data-chart]')].every(chart =>
  chart.querySelector('.main-svg') || [...chart.querySelectorAll('img.chart-svg')].some(img =>
    getComputedStyle(img).display !== 'none' && img.complete && img.naturalWidth > 0))"""


def print_page(page, url: str, path) -> list[float]:
    """In an open browser page: load, show every chart (as printing does), fit each
    theme to its page (zoomed to 85% at the least, else on two pages), print to PDF.
    Returns each theme's zoom (1 = as designed)."""
    page.set_viewport_size({"width": PAGE_WIDTH_PX, "height": PAGE_HEIGHT_PX})
    response = page.goto(url, wait_until="networkidle")
    if response is None or response.status != 200:
        raise ReportError(f"{url} answered {response.status if response else 'nothing'}")
    page.emulate_media(media="print")
    page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
    page.wait_for_function(PRINTABLE, timeout=60_000)
    zooms = page.evaluate("() => window.fitReportPages()")
    page.pdf(path=str(path), prefer_css_page_size=True, print_background=True)
    return zooms
