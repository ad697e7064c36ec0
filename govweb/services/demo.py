"""Demo catalogue: 40+ guides across the demo units, with generated sample forms and figures."""

import datetime as dt
import hashlib

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from wagtail.documents import get_document_model

from govweb.interaction.workdays import add_working_days

from . import demo_data
from .models import (
    ApplicationCount,
    FollowUpStatus,
    RatingFollowUp,
    ServiceItem,
    ServiceMaterial,
    ServiceQuestion,
    ServiceRating,
    ServiceStep,
    ServiceTopic,
    missing_key_elements,
)
from .pdf import simple_pdf
from .permissions import grant_unit_permissions


def item_code(profile, kind, seq):
    """An implementation code in GB/T 39554.1 style: unit credit code + kind + item number."""
    org = (profile.org_code or "115201000000000000").upper()
    return f"{org}{kind}{seq}000000"[:30]


def _topics():
    topics = {}
    for kind, names in demo_data.TOPICS.items():
        for position, name in enumerate(names):
            topic = ServiceTopic.objects.create(kind=kind, name=name, position=position,
                                                slug=ServiceTopic.slug_for(kind, name))
            topics[f"{kind}:{name}"] = topic
    return topics


def _documents(profile, form_name, item_name):
    """Blank form, filling instructions and filled sample for an item's application form."""
    Document = get_document_model()
    applicant = demo_data.SAMPLE_APPLICANT
    files = {
        "blank_form": (form_name, simple_pdf(form_name, [
            f"事项：{item_name}", "申请人姓名：＿＿＿＿＿＿＿＿  身份证号码：＿＿＿＿＿＿＿＿＿＿＿＿",
            "联系电话：＿＿＿＿＿＿＿＿  联系地址：＿＿＿＿＿＿＿＿＿＿＿＿＿＿",
            "申请事项说明：", "", "", "申请人（签字）：＿＿＿＿＿＿    日期：＿＿＿＿年＿＿月＿＿日",
        ])),
        "instructions": (f"{form_name}填写说明", simple_pdf(f"{form_name}填写说明", [
            "1. 请使用黑色签字笔或钢笔填写，字迹清楚，不得涂改。",
            "2. 姓名、身份证号码须与居民身份证一致。",
            "3. 联系电话请填写本人常用手机号码，以便办理机构联系。",
            "4. 申请事项说明应写明申请理由和具体诉求。",
            "5. 申请人须本人签字；委托他人办理的，另附授权委托书。",
        ])),
        "sample": (f"{form_name}（示例样表）", simple_pdf(f"{form_name}（示例样表）", [
            f"事项：{item_name}",
            f"申请人姓名：{applicant['name']}  身份证号码：{applicant['id']}",
            f"联系电话：{applicant['phone']}  联系地址：贵阳市观山湖区长岭北路××号",
            "申请事项说明：本人符合申请条件，现申请办理该事项，所附材料真实有效。",
            "申请人（签字）：张三    日期：2025年3月12日",
        ])),
    }
    documents = {}
    for slot, (title, data) in files.items():
        slug = hashlib.sha1(f"{profile.pk}:{item_name}:{slot}".encode()).hexdigest()[:10]  # noqa: S324
        name = default_storage.save(f"documents/services-{slug}.pdf", ContentFile(data))
        documents[slot] = Document(
            title=title, collection=profile.collection, file=name, file_size=len(data),
            file_hash=hashlib.sha1(data).hexdigest(),  # noqa: S324
        )
    # Bulk insert: the demo's forms need no admin search index entries (saves seconds).
    Document.objects.bulk_create(documents.values())
    return documents


def _create(spec, profile, topics, now, live):
    codes = demo_data.MATERIAL_CODES
    values = {
        "name": spec["name"], "legal_basis": spec["basis"], "conditions": spec["conditions"],
        "place": spec["place"], "hours": spec.get("hours", demo_data.HOURS), "phone": spec["phone"],
    }
    missing = missing_key_elements(values, len(spec["materials"]), len(spec["steps"]))
    item = ServiceItem(
        code=item_code(profile, spec["kind"], spec["seq"]), kind=spec["kind"], department=profile,
        agency=spec["agency"], audience=spec["audience"],
        statutory_limit_days=spec["statutory"], promised_limit_days=spec["promised"],
        fee_standard=spec["fee"], fee_basis="" if spec["fee"].startswith("不收费") else "按国家和省规定标准收取。",
        complaint_phone="12345", visits_required=spec["visits"], online_url=spec["url"],
        online_depth=spec["depth"],
        notes="办理前可拨打咨询电话确认材料；可通过贵州政务服务网预约或在线办理。",
        version=1 + int(spec["seq"]) % 3,
        last_verified=(now - dt.timedelta(days=30 + 11 * int(spec["seq"]))).date(),
        missing_elements=missing, live=live and not missing, has_unpublished_changes=not live,
        first_published_at=now if live else None, last_published_at=now if live else None,
        view_count=(int(hashlib.md5(spec["name"].encode()).hexdigest()[:4], 16) % 900) + 20,  # noqa: S324
        **values,
    )
    item.save(check_completeness=False)
    materials = []
    for position, (name, form, medium, copies, seal, source) in enumerate(spec["materials"]):
        docs = {}
        if name.startswith("*"):
            name = name[1:]
            docs = _documents(profile, name, spec["name"])
        materials.append(ServiceMaterial(
            item=item, sort_order=position, name=name, form=codes["form"][form],
            medium=codes["medium"][medium], copies=copies, seal=codes["seal"][seal],
            source=codes["source"][source], basis=spec["basis"].split("；")[0] if position == 0 else "",
            **docs,
        ))
    ServiceMaterial.objects.bulk_create(materials)
    ServiceStep.objects.bulk_create([
        ServiceStep(item=item, sort_order=i, name=name, time_limit_days=days, counted_in_limit=counted,
                    fee=fee, basis="")
        for i, (name, days, counted, fee) in enumerate(spec["steps"])
    ])
    ServiceQuestion.objects.bulk_create([
        ServiceQuestion(item=item, sort_order=i, question=q, answer=a) for i, (q, a) in enumerate(spec["faq"])
    ])
    item.topics.set([topics[key] for key in spec["topics"]])
    item.topics.commit()
    return item


def load(profiles, now):
    for profile in profiles.values():
        grant_unit_permissions(profile)
    topics = _topics()
    items = [_create(spec, profiles[spec["site"]], topics, now, live=True) for spec in demo_data.ITEMS]
    for spec in demo_data.DRAFTS:
        _create(spec, profiles[spec["site"]], topics, now, live=False)

    # The hall already has a newer version of one guide: the consistency check shows it.
    behind = items[2]
    ServiceItem.objects.filter(pk=behind.pk).update(hall_version=behind.version + 1,
                                                    hall_checked_at=now)

    # Applications handled per month over the last year (as imported from the hall).
    this_month = timezone.localtime(now).date().replace(day=1)
    counts = []
    for index, item in enumerate(items):
        month = this_month
        for back in range(12):
            month = (month - dt.timedelta(days=1)).replace(day=1) if back else month
            total = 20 + (index * 37 + back * 13) % 180
            legal = total // 3 if item.audience != "individual" else 0
            counts.append(ApplicationCount(item=item, month=month, total=total,
                                           natural_persons=total - legal, legal_persons=legal))
    ApplicationCount.objects.bulk_create(counts)

    # A few ratings; one bad one with its open follow-up task.
    ratings = []
    for index, item in enumerate(items[:12]):
        for n in range(3):
            ratings.append(ServiceRating(
                item=item, department=item.department, score=5 - (index + n) % 3,
                comment="", visitor_hash=hashlib.sha256(f"demo-{index}-{n}".encode()).hexdigest(),
                address_hash=hashlib.sha256(f"demo-address-{index}-{n}".encode()).hexdigest(),
                day=(now - dt.timedelta(days=n + index)).date(), created_at=now - dt.timedelta(days=n + index),
            ))
    ServiceRating.objects.bulk_create(ratings)
    bad = ServiceRating.objects.create(
        item=items[14], department=items[14].department, score=1,
        comment="窗口排队时间太长，材料清单与现场要求不一致。",
        visitor_hash=hashlib.sha256(b"demo-bad").hexdigest(),
        address_hash=hashlib.sha256(b"demo-bad-address").hexdigest(),
        day=(now - dt.timedelta(days=1)).date(), created_at=now - dt.timedelta(days=1),
    )
    RatingFollowUp.objects.create(rating=bad, department=bad.department, status=FollowUpStatus.OPEN,
                                  due_date=add_working_days(bad.created_at, 5), created_at=bad.created_at)
