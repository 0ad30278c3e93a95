from django.apps import AppConfig


class PagesConfig(AppConfig):
    """The site's own pages: home, project pages, search, about, accessibility and the
    printable report. The top layer: it puts projects, indicators and places together."""

    name = "pages"
    verbose_name = "サイトのページ"
