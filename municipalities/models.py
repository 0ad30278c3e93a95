from django.db import models
from django.urls import reverse

from .validators import validate_local_government_code


class Subprefecture(models.Model):
    """One of Hokkaido's 14 (総合)振興局."""

    class Kind(models.TextChoices):
        GENERAL = "総合振興局", "総合振興局"
        REGULAR = "振興局", "振興局"

    slug = models.SlugField("スラッグ", unique=True)
    name = models.CharField("名称", max_length=40, unique=True)
    short_name = models.CharField("略称", max_length=20)
    kind = models.CharField("種別", max_length=10, choices=Kind.choices)
    seat = models.CharField("所在地", max_length=20)
    order = models.PositiveSmallIntegerField("表示順", default=0)

    class Meta:
        verbose_name = "振興局"
        verbose_name_plural = "振興局"
        ordering = ["order"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("municipalities:subprefecture", args=[self.slug])


class MunicipalityQuerySet(models.QuerySet):
    def by_name(self, names):
        """Municipalities named in `names`; raises if a name is unknown."""
        found = {m.name: m for m in self.filter(name__in=names)}
        missing = [name for name in names if name not in found]
        if missing:
            raise Municipality.DoesNotExist(f"Unknown municipality: {', '.join(missing)}")
        return [found[name] for name in names]


class Municipality(models.Model):
    """A 市町村 with its 全国地方公共団体コード."""

    class Kind(models.TextChoices):
        CITY = "市", "市"
        TOWN = "町", "町"
        VILLAGE = "村", "村"

    code = models.CharField(
        "団体コード", max_length=6, unique=True, validators=[validate_local_government_code]
    )
    name = models.CharField("名称", max_length=20, unique=True)
    kana = models.CharField("よみ", max_length=40)
    kind = models.CharField("種別", max_length=1, choices=Kind.choices)
    subprefecture = models.ForeignKey(
        Subprefecture,
        verbose_name="振興局",
        on_delete=models.PROTECT,
        related_name="municipalities",
    )
    latitude = models.DecimalField("緯度", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("経度", max_digits=9, decimal_places=6, null=True, blank=True)

    objects = MunicipalityQuerySet.as_manager()

    class Meta:
        verbose_name = "市町村"
        verbose_name_plural = "市町村"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[0-9]{6}$"), name="municipality_code_six_digits"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("municipalities:detail", args=[self.code])


class CollaborationArea(models.Model):
    """Municipalities working together: モデル事業 areas, 定住自立圏, 連携中枢都市圏."""

    class Kind(models.TextChoices):
        MODEL = "model", "市町村連携地域モデル事業"
        TEIJU = "teiju", "定住自立圏"
        CHUSU = "chusu", "連携中枢都市圏"

    slug = models.SlugField("スラッグ", unique=True)
    name = models.CharField("名称", max_length=80)
    kind = models.CharField("種別", max_length=10, choices=Kind.choices)
    status = models.CharField("状況", max_length=80, blank=True)
    start_fiscal_year = models.PositiveSmallIntegerField("開始年度", null=True, blank=True)
    description = models.TextField("説明", blank=True)
    members = models.ManyToManyField(
        Municipality, verbose_name="構成市町村", related_name="collaboration_areas"
    )
    member_note = models.CharField(
        "構成市町村の補足",
        max_length=80,
        blank=True,
        help_text="原資料が名前を挙げていない構成団体など",
    )
    order = models.PositiveSmallIntegerField("表示順", default=0)

    class Meta:
        verbose_name = "連携地域"
        verbose_name_plural = "連携地域"
        ordering = ["order"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("municipalities:area", args=[self.slug])


class DMO(models.Model):
    """A 日本版DMO registered in Hokkaido."""

    class Kind(models.TextChoices):
        WIDE = "広域連携DMO", "広域連携DMO"
        REGIONAL = "地域連携DMO", "地域連携DMO"
        LOCAL = "地域DMO", "地域DMO"

    name = models.CharField("名称", max_length=80)
    legal_form = models.CharField("法人格", max_length=10, blank=True)
    kind = models.CharField("区分", max_length=20, choices=Kind.choices)
    as_of = models.DateField("登録状況の時点")
    order = models.PositiveSmallIntegerField("表示順", default=0)

    class Meta:
        verbose_name = "日本版DMO"
        verbose_name_plural = "日本版DMO"
        ordering = ["order"]
        constraints = [
            models.UniqueConstraint(fields=["name", "as_of"], name="dmo_unique_per_date"),
        ]

    def __str__(self):
        return f"{self.legal_form} {self.name}".strip()
