"""The report's text in the admin: measures with bullets typed one per line, and a reason."""

from django import forms

from strategy_portal.editing import (
    PUBLISHED_TEXT_HELP_TEXT,
    ChangeReasonField,
    ChangeReasonMixin,
    missing_reason_message,
)
from strategy_portal.permissions import placement_refusal, reason_required

from .models import (
    Category,
    CommitteeComment,
    CommitteeMeeting,
    Edition,
    Measure,
    Section,
    SourceCorrection,
)

SUB_ITEM_INDENT = (" ", "\t", "\u3000")  # an indented line is an item of the line above


def bullets_to_text(bullets) -> str:
    lines = []
    for item in bullets or []:
        if isinstance(item, dict):
            lines.append(item.get("text", ""))
            lines += [f"　{sub}" for sub in item.get("items", [])]
        else:
            lines.append(str(item))
    return "\n".join(lines)


def text_to_bullets(text: str) -> list:
    """One item per line; an indented line (space or full-width space) belongs to the one above."""
    bullets = []
    for raw in (text or "").splitlines():
        line = raw.strip()
        if not line:
            continue
        if raw.startswith(SUB_ITEM_INDENT) and bullets:
            last = bullets[-1]
            if not isinstance(last, dict):
                last = bullets[-1] = {"text": last, "items": []}
            last["items"].append(line)
        else:
            bullets.append(line)
    return bullets


class LinesField(forms.CharField):
    """A JSON list of lines (図・写真の説明) typed one per line: never a raw 「[]」."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 4, "cols": 80}))
        kwargs.setdefault("help_text", "1行に1つ。")
        super().__init__(required=False, **kwargs)

    def prepare_value(self, value):
        return "\n".join(str(line) for line in value) if isinstance(value, list) else value

    def to_python(self, value):
        text = super().to_python(value)
        return [line.strip() for line in text.splitlines() if line.strip()]


def name_categories(field):
    """A picker of headings that says, for each, its edition and section (two editions
    hold headings of the same name): newest edition first."""
    field.queryset = field.queryset.select_related(
        "section__edition", "section__theme__project"
    ).order_by(
        "-section__edition__year",
        "section__theme__project__number",
        "section__theme__order",
        "section__kind",
        "order",
    )
    field.label_from_instance = lambda category: category.label_with_context


class ReportTextForm(ChangeReasonMixin, forms.ModelForm):
    """A 変更理由 is required when the text of a published edition changes (history keeps it)."""

    change_reason = ChangeReasonField(required=False, help_text=PUBLISHED_TEXT_HELP_TEXT)
    reason_on_every_change = False

    def edition(self):
        """The edition the text is in after this change: by default its own `edition`."""
        return self.cleaned_data.get("edition") or (
            self.instance.edition if self.instance.edition_id else None
        )

    def stored_edition(self):
        """The edition the stored text is in (before this change)."""
        return self.instance.edition if self.instance.edition_id else None

    def clean(self):
        cleaned = super().clean()
        refused = placement_refusal(
            self.instance, into=self.edition(), out_of=self.stored_edition()
        )
        if refused:
            raise forms.ValidationError(refused)
        if self.instance.pk and self.has_changed() and not cleaned.get("change_reason"):
            edition = self.edition()
            # Public now (the permission home), or moved into a published edition.
            if reason_required(self.instance) or (edition is not None and not edition.is_draft):
                year = f"{edition.year}年版" if edition is not None else "この内容"
                self.add_error("change_reason", missing_reason_message(year))
        return cleaned


class MeasureForm(ReportTextForm):
    bullets_text = forms.CharField(
        label="箇条書き",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 80}),
        help_text="1行に1項目。行頭を字下げ（スペースまたは全角スペース）すると、上の項目の小項目になります。",
    )

    class Meta:
        model = Measure
        fields = [
            "category",
            "order",
            "title",
            "body",
            "funding_note",
            "municipalities",
            "department",
            "related_departments",
            "note",
        ]
        widgets = {"body": forms.Textarea(attrs={"rows": 5, "cols": 80})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bullets_text"].initial = bullets_to_text(self.instance.bullets)
        if "category" in self.fields:  # not on a view-only page
            name_categories(self.fields["category"])

    def edition(self):
        category = self.cleaned_data.get("category") or (
            self.instance.category if self.instance.category_id else None
        )
        return category.section.edition if category else None

    def stored_edition(self):
        return self.instance.category.section.edition if self.instance.category_id else None

    def save(self, commit=True):
        self.instance.bullets = text_to_bullets(self.cleaned_data.get("bullets_text"))
        return super().save(commit)


class CategoryForm(ReportTextForm):
    class Meta:
        model = Category
        fields = ["section", "parent", "order", "title", "lead", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        section = self.fields.get("section")
        if section is not None:  # two editions hold sections of the same names
            section.queryset = section.queryset.select_related(
                "edition", "theme__project"
            ).order_by("-edition__year", "theme__project__number", "theme__order", "kind")
            section.label_from_instance = lambda s: (
                f"{s.edition.year}年版{'（下書き）' if s.edition.is_draft else ''}・{s.heading}"
                f"／{s.theme.project.short_name} {s.theme.title}".rstrip()
            )
        parent = self.fields.get("parent")
        if parent is None:  # a view-only page
            return
        if self.instance.section_id:  # a heading's parent is in its own section
            parent.queryset = parent.queryset.filter(
                section_id=self.instance.section_id, parent__isnull=True
            ).exclude(pk=self.instance.pk)
        name_categories(parent)

    def edition(self):
        section = self.cleaned_data.get("section") or (
            self.instance.section if self.instance.section_id else None
        )
        return section.edition if section else None

    def stored_edition(self):
        return self.instance.section.edition if self.instance.section_id else None


class SectionForm(ReportTextForm):
    captions = LinesField(label="図・写真の説明")

    class Meta:
        model = Section
        fields = ["theme", "edition", "kind", "lead", "captions", "note"]


class SourceCorrectionForm(ReportTextForm):
    class Meta:
        model = SourceCorrection
        fields = ["edition", "location", "printed", "corrected", "reason"]


class EditionForm(ReportTextForm):
    """An edition's own fields (its title is in every citation): a reason once published."""

    class Meta:
        model = Edition
        fields = [
            "strategy",
            "year",
            "title",
            "document_number",
            "published_on",
            "publisher",
            "direction_fiscal_year",
            "results_fiscal_year",
            "tagline",
        ]

    def edition(self):
        return self.instance if self.instance.pk else None

    def stored_edition(self):
        return self.edition()


class CommitteeMeetingForm(ReportTextForm):
    class Meta:
        model = CommitteeMeeting
        fields = ["edition", "held_on", "name", "members", "note"]
        widgets = {
            "members": forms.Textarea(attrs={"rows": 6, "cols": 60}),
            "note": forms.Textarea(attrs={"rows": 3, "cols": 60}),
        }


class CommitteeCommentForm(ReportTextForm):
    """A comment is in its meeting's edition: added to a draft, corrected with a reason."""

    class Meta:
        model = CommitteeComment
        fields = ["meeting", "project", "measure", "text", "order"]
        widgets = {"text": forms.Textarea(attrs={"rows": 4, "cols": 70})}

    def edition(self):
        meeting = self.cleaned_data.get("meeting") or (
            self.instance.meeting if self.instance.meeting_id else None
        )
        return meeting.edition if meeting is not None else None

    def stored_edition(self):
        return self.instance.meeting.edition if self.instance.meeting_id else None
