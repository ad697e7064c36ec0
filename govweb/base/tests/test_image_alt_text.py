"""Images cannot be uploaded without a text alternative (accessibility, issue 4)."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage
from wagtail.images import get_image_model
from wagtail.models import Collection

pytestmark = pytest.mark.django_db


def png():
    buffer = io.BytesIO()
    PILImage.new("RGB", (8, 8), "red").save(buffer, "PNG")
    return SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")


def upload(client, **fields):
    client.force_login(get_user_model().objects.get(username="admin"))
    return client.post("/admin/images/add/", {"title": "市长调研", "file": png(),
                       "collection": Collection.get_first_root_node().pk, **fields},
                       HTTP_HOST="127.0.0.1")


def test_upload_without_alt_text_is_refused_and_nothing_saved(client, admin_role):
    Image = get_image_model()
    before = Image.objects.count()
    response = upload(client, description="  ")
    assert response.status_code == 200
    assert "请填写替代文本" in response.content.decode()
    assert Image.objects.count() == before


def test_upload_with_alt_text_is_saved_and_used_as_the_alt(client, admin_role):
    response = upload(client, description="市长在观山湖区调研")
    assert response.status_code == 302, response.context["form"].errors
    image = get_image_model().objects.get(title="市长调研")
    assert image.default_alt_text == "市长在观山湖区调研"
