"""更新情報 as an Atom feed (django.contrib.syndication): published editions, the
corrections of published editions (正誤表), and newly published figures. Only what the
public may see: each list asks `public()`."""

import datetime

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed

from indicators.models import Result
from projects.models import Edition, Erratum

FIGURES = 50  # the newest published figures in the feed
SITE_NAME = "北海道創生総合戦略ポータル"


class UpdatesFeed(Feed):
    feed_type = Atom1Feed
    title = f"{SITE_NAME} 更新情報"
    subtitle = "公開した報告書の版、公開後の訂正（正誤表）、新しく公開した数値"
    language = "ja"
    author_name = SITE_NAME  # RFC 4287: a feed names its author when its entries do not

    def link(self):
        return reverse("projects:home")

    def feed_url(self):
        return reverse("projects:feed")

    def items(self):
        editions = list(Edition.objects.public())
        errata = list(Erratum.objects.public().select_related("edition"))
        figures = list(
            Result.objects.public()
            .select_related("indicator", "edition")
            .order_by("-updated_at")[:FIGURES]
        )
        items = [*editions, *errata, *figures]
        return sorted(items, key=self.item_updateddate, reverse=True)

    def item_title(self, item):
        if isinstance(item, Edition):
            return f"{item.year}年版「{item.title}」を公開"
        if isinstance(item, Erratum):
            return f"{item.edition.year}年版の訂正：{item.subject}の{item.field}"
        return f"{item.indicator.name} {item.period_display}：{item.value_display}"

    def item_description(self, item):
        if isinstance(item, Edition):
            return item.citation
        if isinstance(item, Erratum):
            return f"{item.before} → {item.after}（理由：{item.reason}）"
        return f"出典：{item.source_display}"

    def item_link(self, item):
        if isinstance(item, Edition):
            return reverse("projects:edition_report", args=[item.year])
        if isinstance(item, Erratum):
            return f"{reverse('projects:errata', args=[item.edition.year])}#erratum-{item.pk}"
        return item.indicator.get_absolute_url()

    def item_guid(self, item):
        kind = type(item).__name__.lower()
        return f"tag:strategy-portal,2018:{kind}/{item.pk}"

    item_guid_is_permalink = False

    def item_updateddate(self, item):
        if isinstance(item, Edition):
            return _at_noon(item.published_on)
        if isinstance(item, Erratum):
            return item.corrected_at
        return item.updated_at

    def item_pubdate(self, item):
        return self.item_updateddate(item)

    def item_categories(self, item):
        if isinstance(item, Edition):
            return ["報告書"]
        if isinstance(item, Erratum):
            return ["訂正"]
        return ["数値"]


def _at_noon(day: datetime.date) -> datetime.datetime:
    """An edition's date of issue as a moment (Atom wants one): noon, Japan time."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
