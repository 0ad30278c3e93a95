"""Send the update rounds' reminder mails that are due today (indicators.reminders).

Run daily by a scheduler (README: a cron line and a systemd timer). Idempotent:
each mail is recorded when sent, so a second run the same day sends nothing."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from indicators import reminders
from indicators.models import Notice


class Command(BaseCommand):
    help = (
        "調査の通知メール（開始・期限前・期限切れ・提出・差戻し）のうち、今日送るものを送ります。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--today", help="この日として送る（YYYY-MM-DD。試験や送り直しに）", default=None
        )

    def handle(self, *args, today=None, **options):
        if today is not None:
            try:
                today = datetime.date.fromisoformat(today)
            except ValueError:
                raise CommandError("--today は 2019-06-30 のように書いてください。") from None
        sender = reminders.send_due(today)
        parts = "・".join(
            f"{Notice.Kind(kind).label} {count}" for kind, count in sender.sent.items() if count
        )
        total = sum(sender.sent.values())
        self.stdout.write(
            f"通知メール：{total}通を送りました"
            + (f"（{parts}）" if parts else "")
            + (
                f"。送れなかったもの {sender.failed}通（次の実行で送り直します）"
                if sender.failed
                else ""
            )
            + (
                f"。宛先のない部局・総合政策部 {sender.without_address}件"
                if sender.without_address
                else ""
            )
            + "。"
        )
