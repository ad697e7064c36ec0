"""The import endpoint (数据接口): an outside site POSTs its items in the unified format."""

from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .actions import token_for
from .importing import Importer, read_records
from .models import ImportRun

MAX_LINES = 200_000


def _limited(records, limit):
    for n, pair in enumerate(records):
        if n >= limit:
            break
        yield pair


@csrf_exempt  # machine-to-machine: authenticated by a bearer token, not a session cookie
@require_POST
def import_items(request):
    """POST /api/library/import/  Authorization: Bearer <token>

    Body: JSON Lines (Content-Type application/x-ndjson, the default) or CSV (text/csv).
    Answers 200 with {"created", "updated", "unchanged", "failed", "errors": [{line, field,
    reason, external_id}]}; 401 without a valid token.
    """
    header = request.headers.get("Authorization", "")
    token = token_for(header[7:].strip() if header.lower().startswith("bearer ") else "")
    if token is None:
        return JsonResponse({"error": "缺少或无效的接口令牌（Authorization: Bearer …）。"}, status=401)
    content_type = request.content_type or ""
    fmt = "csv" if "csv" in content_type else "jsonl"
    stream = (line.decode("utf-8-sig", errors="replace") for line in request)
    started = timezone.now()
    result = Importer(default_site=token.site, now=started).run(
        _limited(read_records(stream, fmt), MAX_LINES))
    ImportRun.objects.create(
        started_at=started, finished_at=timezone.now(), channel="api", token=token,
        source_name=token.name[:300], created=result.created, updated=result.updated,
        unchanged=result.unchanged, failed=result.failed,
        errors=[e.as_dict() for e in result.errors[:1000]],
    )
    token.last_used_at = timezone.now()
    token.save(update_fields=["last_used_at"])
    return JsonResponse(result.as_dict(), json_dumps_params={"ensure_ascii": False})
