"""Print an edition's 「報告書（印刷用）」 to PDF with Chromium, as a reader's browser would."""

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.test.testcases import LiveServerThread
from django.urls import reverse

from projects.models import Edition


class Command(BaseCommand):
    help = "Write reports/edition-YEAR.pdf: the edition's printable report in A4 landscape."

    def add_arguments(self, parser):
        parser.add_argument("--edition", type=int, required=True, help="the edition's year")
        parser.add_argument("--output", help="default: reports/edition-YEAR.pdf")

    def handle(self, *args, edition, output=None, **options):
        published = Edition.objects.public()
        if not published.filter(year=edition).exists():
            years = "・".join(str(y) for y in published.values_list("year", flat=True))
            raise CommandError(
                f"公開されている{edition}年版はありません（公開済みの版：{years or 'なし'}）。"
            )
        try:
            from projects.report import ReportError, print_pdf
        except ImportError as error:  # Playwright is a test dependency: `make report` has it
            raise CommandError(
                "Playwright がありません。`make report` で実行してください。"
            ) from error
        report = reverse("projects:edition_report", args=[edition])
        # Its charts print as their pictures, drawn now if they are not yet (no chart
        # script runs then); without a browser to draw them, plotly.js draws them.
        call_command("render_charts", "--page", report, stdout=self.stderr)
        path = Path(output or Path(settings.BASE_DIR) / "reports" / f"edition-{edition}.pdf")
        path.parent.mkdir(parents=True, exist_ok=True)
        server = LiveServerThread("127.0.0.1", StaticFilesHandler, port=0)
        server.daemon = True
        server.start()
        server.is_ready.wait()
        if server.error:
            raise CommandError(f"could not start the local server: {server.error}")
        try:
            zooms = print_pdf(f"http://127.0.0.1:{server.port}{report}", path)
        except ReportError as error:
            raise CommandError(str(error)) from error
        finally:
            server.terminate()
        self.stdout.write(str(path))
        if zooms:
            self.stderr.write(
                f"{len(zooms)} themes, one page each; printed at "
                + "・".join(f"{round(zoom * 100)}%" for zoom in zooms)
            )
