"""Test helpers: users of the demo cluster and the admin form's POST data for a guide."""

from django.contrib.auth import get_user_model

ADMIN_HOST = "127.0.0.1:8001"


def user(username):
    return get_user_model().objects.get(username=username)


def guide_post_data(department, *, code, name="测试事项", phone="0851-87987301",
                    place="贵阳市政务服务中心教育窗口", materials=1, steps=1, action=None):
    """What the guide editor posts (all tabs, with the materials/steps/questions formsets)."""
    data = {
        "code": code, "name": name, "kind": "20", "audience": "individual",
        "department": str(department.pk), "agency": "",
        "legal_basis": "《中华人民共和国义务教育法》第十二条。", "conditions": "适龄儿童。",
        "statutory_limit_days": "", "promised_limit_days": "5", "fee_standard": "不收费",
        "fee_basis": "", "place": place, "hours": "周一至周五 9:00—17:00", "phone": phone,
        "complaint_phone": "12345", "visits_required": "1", "online_url": "",
        "online_depth": "1", "notes": "", "version": "1", "last_verified": "",
    }
    for prefix, count in (("materials", materials), ("steps", steps), ("questions", 0)):
        data.update({f"{prefix}-TOTAL_FORMS": str(count), f"{prefix}-INITIAL_FORMS": "0",
                     f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"})
    for i in range(materials):
        data.update({f"materials-{i}-name": f"申请材料{i + 1}", f"materials-{i}-form": "original",
                     f"materials-{i}-medium": "paper", f"materials-{i}-copies": "1",
                     f"materials-{i}-seal": "none", f"materials-{i}-source": "applicant",
                     f"materials-{i}-required": "on", f"materials-{i}-basis": "",
                     f"materials-{i}-notes": "", f"materials-{i}-ORDER": str(i + 1)})
    for i in range(steps):
        data.update({f"steps-{i}-name": f"环节{i + 1}", f"steps-{i}-time_limit_days": "1",
                     f"steps-{i}-counted_in_limit": "on", f"steps-{i}-fee": "",
                     f"steps-{i}-basis": "", f"steps-{i}-ORDER": str(i + 1)})
    if action:
        data[f"action-{action}"] = "1"
    return data
