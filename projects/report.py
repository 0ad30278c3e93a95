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


def print_pdf(url: str, path) -> None:
    """Open `url`, wait until every chart is drawn, print it as the page's CSS says (A4 landscape)."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            response = page.goto(url, wait_until="networkidle")
            if response is None or response.status != 200:
                raise ReportError(f"{url} answered {response.status if response else 'nothing'}")
            page.emulate_media(media="print")
            page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
            page.wait_for_function(
                "[...document.querySelectorAll('[data-chart]')].every(c => c.querySelector('.main-svg'))",
                timeout=60_000,
            )
            page.pdf(path=str(path), prefer_css_page_size=True, print_background=True)
        finally:
            browser.close()
