"""Year-specific text copied into the next edition is 要確認 (issue 19, part 4): the
copied 標語 put 「2018年は北海道150年」 on the 2019 home page, and nothing said so."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from harness.forms import browser_form
from projects import services
from projects.models import Section, ToConfirm

pytestmark = pytest.mark.django_db


def flagged(draft):
    return {
        (item.content_type.model, item.field): item
        for item in ToConfirm.objects.filter(edition=draft).select_related("content_type")
    }


def test_the_copied_tagline_title_and_year_naming_texts_are_to_confirm(draft):
    items = flagged(draft)
    assert "2018年は北海道150年" in items["edition", "tagline"].text
    assert ("edition", "title") in items
    assert ("heading", "text") in items  # 平成30年度実績: copied with its years moved on
    leads = ToConfirm.objects.filter(
        edition=draft, content_type=ContentType.objects.get_for_model(Section)
    )
    for item in leads:
        assert services.NAMES_A_YEAR.search(item.text)
    # Texts that name no year are not flagged: the list is worth reading.
    quiet = Section.objects.filter(edition=draft).exclude(lead="")
    assert leads.count() == sum(1 for s in quiet if services.NAMES_A_YEAR.search(s.lead))
    assert not ToConfirm.objects.filter(edition__year=2018).exists()


def test_the_checklist_lists_them_until_rewritten_or_confirmed(report_editor, draft):
    total = ToConfirm.objects.filter(edition=draft).count()
    index = report_editor.get(reverse("admin:index")).content.decode()
    assert "要確認の文" in index and f"<td>{total}</td>" in index

    url = reverse("admin:projects_edition_change", args=[draft.pk])
    data = browser_form(report_editor.get(url))
    data["tagline"] = "その先の、道へ。北海道 / Hokkaido.Expanding Horizons."
    assert report_editor.post(url, data).status_code == 302
    assert ("edition", "tagline") not in flagged(draft)
    assert ToConfirm.objects.filter(edition=draft).count() == total - 1

    title = flagged(draft)["edition", "title"]
    listing = reverse("admin:projects_toconfirm_changelist")
    page = report_editor.get(listing + f"?edition__id__exact={draft.pk}").content.decode()
    assert "開いて書き直す" in page and title.text in page
    response = report_editor.post(
        listing, {"action": "confirm", "_selected_action": [title.pk], "index": 0}
    )
    assert response.status_code == 302
    assert ("edition", "title") not in flagged(draft)
    draft.refresh_from_db()
    assert draft.title == title.text  # confirmed: the text stays as it is
