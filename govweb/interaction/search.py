"""Published message replies in the cluster search (互动回复): an index source.

A reply becomes findable once it is signed off and the writer agreed to publication; the text
goes into the index masked exactly as the public message page shows it (no names, phone
numbers or ID numbers). Registered from AppConfig.ready() when the search app is installed.
"""

from django.db import transaction

SOURCE = "message"


def _public():
    from .models import Message
    from .queries import PUBLIC_STATES

    return (Message.objects.filter(state__in=PUBLIC_STATES, may_publish=True, held=False)
            .select_related("unit", "site__site__root_page"))


def _document(message):
    from govweb.search.documents import build_document

    from .queries import public_message_dict

    shown = public_message_dict(message)
    site = message.site.site
    return build_document(
        key=f"{SOURCE}:{message.pk}",
        url=f"{site.root_url}/hudong/liuyan/{message.tracking_number}/",
        title=shown["title"], body=f"{shown['content']}\n{shown['reply']}",
        type="message", site=site.root_page.slug, date=message.replied_at,
        summary=f"{message.get_kind_display()} · {shown['unit']}" if shown["unit"]
        else message.get_kind_display(),
    )


def all_documents():
    for message in _public().iterator(chunk_size=500):
        yield _document(message)


def get_document(pk):
    message = _public().filter(pk=pk).first()
    return _document(message) if message is not None else None


def message_saved(sender, instance, created=False, update_fields=None, **kwargs):
    """Queue (re)indexing when a message may have entered or left the public record.

    A citizen's new submission is never public, so submissions queue nothing (they must stay
    one short transaction); sign-off, closing, rating and publication changes do.
    """
    from .queries import PUBLIC_STATES

    if created:
        return
    fields = set(update_fields or ())
    if instance.state not in PUBLIC_STATES and not fields & {"state", "may_publish", "held"}:
        return
    from govweb.search.tasks import index_item

    pk = instance.pk
    transaction.on_commit(lambda: index_item.enqueue(SOURCE, pk))


def register():
    try:
        from govweb.search import documents
    except ImportError:  # search app not installed
        return
    from django.db.models.signals import post_save

    from .models import Message

    documents.register_source(SOURCE, all_documents, get_document)
    post_save.connect(message_saved, sender=Message, dispatch_uid="govweb.interaction.search")
