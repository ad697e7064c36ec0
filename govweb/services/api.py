"""The catalogue exchange API for the provincial hall (R5.1), authenticated by token.

    GET  /banshi/api/v1/schema.json                       the JSON Schema (public)
    GET  /banshi/api/v1/catalogue.json[?attachments=embed] the whole catalogue (token)
    POST /banshi/api/v1/catalogue.json[?check_only=1]      import; answers the diff report (token
                                                           allowed to import)
Token: `Authorization: Bearer <token>` (created with `manage services_token`).
"""

import io
import tempfile

from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from . import actions, exchange
from .exchange_file import CatalogueFile, NotACatalogue
from .models import ExchangeToken

MAX_IMPORT_BYTES = 200 * 1024 * 1024
SPOOL_BYTES = 8 * 1024 * 1024
CHUNK_BYTES = 1024 * 1024


def _token(request):
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not header.startswith("Bearer "):
        return None
    digest = actions.token_digest(header[7:].strip())
    token = ExchangeToken.objects.filter(token_hash=digest, active=True).first()
    if token is not None:
        ExchangeToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token


def _error(status, message):
    response = JsonResponse({"error": message}, status=status, json_dumps_params={"ensure_ascii": False})
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="govweb-services"'
    return response


@require_GET
def schema(request):
    return JsonResponse(exchange.json_schema(), json_dumps_params={"ensure_ascii": False, "indent": 1})


@csrf_exempt  # token-authenticated machine endpoint: no cookies, no session
@require_http_methods(["GET", "POST"])
def catalogue(request):
    token = _token(request)
    if token is None:
        return _error(401, "缺少或无效的访问令牌。")
    if request.method == "GET":
        mode = "embed" if request.GET.get("attachments") == "embed" else "reference"
        buffer = io.StringIO()
        exchange.write_export(buffer, attachments=mode)
        return HttpResponse(buffer.getvalue(), content_type="application/json; charset=utf-8")
    if not token.can_import:
        return _error(403, "该令牌无导入权限。")
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_IMPORT_BYTES:
        return _error(413, "导入文件过大。")
    # The body goes to a temporary file (memory up to a few MB) and is imported a batch at a
    # time: the whole document as objects would take several times its size.
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as body:
        size = 0
        while chunk := request.read(CHUNK_BYTES):
            size += len(chunk)
            if size > MAX_IMPORT_BYTES:
                return _error(413, "导入文件过大。")
            body.write(chunk)
        try:
            records = CatalogueFile.open(body)
        except NotACatalogue:
            return _error(400, f"格式应为 {exchange.FORMAT_NAME}，且包含 items 数组。")
        except (ValueError, UnicodeDecodeError):
            return _error(400, "请求体不是有效的 JSON。")
        report = actions.do_import_catalogue(
            records, source=f"API:{token.name}", channel="api",
            check_only=request.GET.get("check_only") == "1",
        )
    return JsonResponse(report.as_dict(limit=5000), json_dumps_params={"ensure_ascii": False})
