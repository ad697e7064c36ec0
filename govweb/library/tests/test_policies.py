"""Policy documents: index numbers, the interpretation rule, validity, bad input."""

import re
import threading
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone

from govweb.cluster.models import SiteProfile
from govweb.disclosure.actions import do_issue_index_numbers
from govweb.disclosure.models import Genre, IndexNumberCounter, IssuedIndexNumber, TopicCategory
from govweb.library.models import ColumnPage, InterpretationPage, PolicyDocumentPage, Validity

pytestmark = pytest.mark.django_db
ADMIN_HOST = "127.0.0.1:8001"


@pytest.fixture
def jyj():
    return SiteProfile.objects.select_related("site__root_page").get(domain="jyj.guiyang.gov.cn")


def policy_column(profile):
    return ColumnPage.objects.child_of(profile.site.root_page).get(slug="zcwj")


def new_policy(column, **extra):
    fields = dict(
        title="贵阳市中小学校园安全管理办法", slug="campus-safety", issuing_body="贵阳市教育局",
        document_number="筑教发〔2026〕15号", written_on=timezone.localdate() - timedelta(days=3),
        pub_date=timezone.now() - timedelta(hours=1),
        topic=TopicCategory.objects.get(code="1002"), genre=Genre.objects.get(code="19"),
    )
    fields.update(extra)
    page = PolicyDocumentPage(**fields)
    column.add_child(instance=page)
    return page


def test_index_number_is_issued_at_publication_in_the_national_format(jyj):
    page = new_policy(policy_column(jyj))
    year = timezone.localtime(page.pub_date).year
    assert re.fullmatch(rf"{jyj.org_code}/{year}-\d{{5}}", page.index_number)
    assert IssuedIndexNumber.objects.get(number=page.index_number).page_id == page.pk
    draft = new_policy(policy_column(jyj), slug="draft-policy", live=False)
    assert draft.index_number == ""


def test_index_numbers_are_consecutive_and_unique_per_org_and_year(jyj):
    column = policy_column(jyj)
    first = new_policy(column, slug="p1")
    second = new_policy(column, slug="p2")
    seq = [int(p.index_number[-5:]) for p in (first, second)]
    assert seq[1] == seq[0] + 1
    with pytest.raises(IntegrityError), transaction.atomic():
        IssuedIndexNumber.objects.create(number=first.index_number, org_code=jyj.org_code,
                                         year=2026, seq=999)


def test_index_number_never_changes_after_publication(jyj, client, admin_role):
    page = new_policy(policy_column(jyj))
    number = page.index_number
    page.index_number = f"{jyj.org_code}/2000-00001"
    with pytest.raises(ValidationError) as error:
        page.save()
    assert "index_number" in error.value.message_dict
    # Editing, republishing and restoring an old revision keep the number.
    page.refresh_from_db()
    page.title = "贵阳市中小学校园安全管理办法（修订）"
    page.save_revision().publish()
    page.refresh_from_db()
    assert page.index_number == number
    first_revision = page.revisions.order_by("created_at").first()
    first_revision.publish()
    assert PolicyDocumentPage.objects.get(pk=page.pk).index_number == number


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="threads need separate connections to a server database; SQLite "
                           "serialises writers with IMMEDIATE transactions")
@pytest.mark.django_db(transaction=False)
def test_two_concurrent_transactions_never_share_an_index_number():
    org, year, results, barrier = "CONCURTEST1", 2031, [], threading.Barrier(2)

    def issue():
        try:
            barrier.wait()
            for _ in range(5):
                with transaction.atomic():
                    results.extend(do_issue_index_numbers(org, year, 2))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue) for _ in range(2)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(results) == 20 and len(set(results)) == 20
        assert sorted(int(n[-5:]) for n in results) == list(range(1, 21))
    finally:
        def cleanup():
            IssuedIndexNumber.objects.filter(org_code=org).delete()
            IndexNumberCounter.objects.filter(org_code=org).delete()
            connections.close_all()
        t = threading.Thread(target=cleanup)
        t.start()
        t.join()


@pytest.mark.parametrize("field, value, message", [
    ("document_number", "筑教发[2026]15号", "发文字号格式"),
    ("written_on", timezone.localdate() + timedelta(days=5), "成文日期不能晚于"),
    ("issuing_body", "", "issuing_body"),
    ("topic", None, "主题分类"),
])
def test_bad_metadata_is_refused_naming_the_field(jyj, field, value, message):
    column = policy_column(jyj)
    before = PolicyDocumentPage.objects.count()
    with pytest.raises(ValidationError) as error:
        new_policy(column, **{field: value})
    assert field in error.value.message_dict
    assert message in str(error.value) or message == field
    assert PolicyDocumentPage.objects.count() == before


def test_interpretation_without_policy_is_refused(jyj):
    column = policy_column(jyj)
    with pytest.raises(ValidationError) as error:
        column.add_child(instance=InterpretationPage(title="政策解读", slug="orphan"))
    assert "policy" in error.value.message_dict


def _policy_form(page, **extra):
    data = {
        "title": page.title, "slug": page.slug, "issuing_body": page.issuing_body,
        "document_number": page.document_number, "written_on": page.written_on.isoformat(),
        "pub_date": timezone.localtime(page.pub_date).strftime("%Y-%m-%d %H:%M"),
        "topic": page.topic_id, "genre": page.genre_id, "validity": "in_force",
        "is_important": "on", "body-count": "0", "attachments-TOTAL_FORMS": "0",
        "attachments-INITIAL_FORMS": "0", "attachments-MIN_NUM_FORMS": "0",
        "attachments-MAX_NUM_FORMS": "1000", "action-publish": "publish",
    }
    data.update(extra)
    return data


def test_important_policy_needs_an_interpretation_or_exemption_to_publish(client, admin_role, jyj):
    client.force_login(get_user_model().objects.get(username="admin"))
    page = new_policy(policy_column(jyj), live=False, is_important=True)
    url = f"/admin/pages/{page.pk}/edit/"
    response = client.post(url, _policy_form(page), HTTP_HOST=ADMIN_HOST)
    assert response.status_code == 200
    assert "免于解读理由" in response.content.decode() and "解读材料" in response.content.decode()
    page.refresh_from_db()
    assert not page.live and not page.index_number
    response = client.post(url, _policy_form(page, interpretation_exemption_reason="属于内部工作安排，无需解读"),
                           HTTP_HOST=ADMIN_HOST)
    assert response.status_code == 302, response.content.decode()[:3000]
    page.refresh_from_db()
    assert page.live and page.index_number and page.exemption_recorded_at


def test_important_policy_publishes_with_an_interpretation(client, admin_role, jyj):
    client.force_login(get_user_model().objects.get(username="admin"))
    column = policy_column(jyj)
    page = new_policy(column, live=False, is_important=True)
    column.add_child(instance=InterpretationPage(title="图解：校园安全管理办法", slug="tj", policy=page,
                                                 kind="graphic"))
    response = client.post(f"/admin/pages/{page.pk}/edit/", _policy_form(page), HTTP_HOST=ADMIN_HOST)
    assert response.status_code == 302
    assert PolicyDocumentPage.objects.get(pk=page.pk).live


def test_policy_and_interpretation_link_both_ways(client, jyj, site_host):
    policy = PolicyDocumentPage.objects.descendant_of(jyj.site.root_page).filter(is_important=True).first()
    interpretation = InterpretationPage.objects.filter(policy=policy).first()
    html = client.get(policy.url_path.replace(jyj.site.root_page.url_path, "/"),
                      HTTP_HOST=site_host("jyj")).content.decode()
    assert interpretation.title in html and policy.index_number in html
    html = client.get(interpretation.url_path.replace(jyj.site.root_page.url_path, "/"),
                      HTTP_HOST=site_host("jyj")).content.decode()
    assert policy.title in html


def test_repealed_policy_page_says_so_and_links_the_replacement(client, jyj, site_host):
    column = policy_column(jyj)
    current = new_policy(column, slug="current")
    old = new_policy(column, slug="old", title="贵阳市中小学校园安全管理暂行办法",
                     validity=Validity.REPEALED, validity_changed_on=timezone.localdate(),
                     replaced_by=current)
    response = client.get(f"/zcwj/{old.slug}/", HTTP_HOST=site_host("jyj"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "本文件已废止" in html and f'href="/zcwj/{current.slug}/"' in html
    assert html.index("本文件已废止") < html.index("<h1>")
    assert "本文件已废止" not in client.get(f"/zcwj/{current.slug}/", HTTP_HOST=site_host("jyj")).content.decode()


def test_amended_policy_requires_a_replacement(jyj):
    with pytest.raises(ValidationError) as error:
        new_policy(policy_column(jyj), validity=Validity.AMENDED, validity_changed_on=timezone.localdate())
    assert "replaced_by" in error.value.message_dict
