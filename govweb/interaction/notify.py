"""Notifications: to citizens through a pluggable sender, to officials by email and in the admin.

Citizen notifications go through the `Outbox` table: the row is written in the transaction of
the desk action (or, for the receipt of a new message, of the periodic job) that causes it, so
it is as durable as that change, and the periodic job `interaction_outbox` (every minute,
`deliver_pending()`) hands pending rows to the sender. No gateway call runs inside a citizen's
request or while a database transaction is open.

The embedded default sender (`OutboxSender`) only logs; a production sender subclasses it and
delivers through an SMS gateway or mail server in `deliver()`, keeping the outbox row as the
record.
"""

import logging

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

from . import conf
from .models import Outbox

logger = logging.getLogger("govweb.interaction")


class OutboxSender:
    def deliver(self, row):
        """Deliver one notification; the default only logs it (the outbox is the channel)."""
        logger.info("notification %s #%s: %s", row.channel, row.pk, row.subject)
        return True

    def send(self, channel, recipient, subject, body, message=None):
        """Record a notification; `deliver_pending()` delivers it after the commit."""
        return Outbox.objects.create(channel=channel, recipient=recipient, subject=subject,
                                     body=body, message=message)

    def deliver_row(self, row):
        try:
            if self.deliver(row):
                row.sent_at = timezone.now()
        except Exception as error:  # a failed gateway must not lose the record
            logger.exception("notification %s failed", row.pk)
            row.error = str(error)[:300] or type(error).__name__
        row.save(update_fields=["sent_at", "error"])
        return row


def deliver_pending(limit=500):
    """Deliver pending citizen notifications, oldest first (periodic job, one scheduler).

    A row the sender refuses (returns False) stays pending and is tried again next time; a row
    whose delivery raised keeps its error and is left for the general office to look at.
    Returns the number delivered.
    """
    current = sender()
    delivered = 0
    pending = Outbox.objects.filter(sent_at__isnull=True, error="").order_by("created_at", "pk")
    for row in pending[:limit]:
        if current.deliver_row(row).sent_at:
            delivered += 1
    return delivered


def sender():
    return import_string(conf.sender_path())()


def notify_citizen(message, subject, body):
    """Email if the citizen gave one, SMS to the phone otherwise."""
    if message.email:
        return sender().send(Outbox.Channel.EMAIL, message.email, subject, body, message)
    if message.phone:
        return sender().send(Outbox.Channel.SMS, message.phone, subject, body, message)
    return None


def officials_of(unit, leaders_only=False):
    """Users of a unit: reviewers are its leaders (分管领导); None = the general office."""
    User = get_user_model()
    if unit is None:
        return User.objects.filter(is_superuser=True, is_active=True)
    groups = [unit.reviewers_group_id] if leaders_only else [unit.editors_group_id,
                                                             unit.reviewers_group_id]
    return User.objects.filter(groups__in=[g for g in groups if g], is_active=True).distinct()


def general_office():
    return get_user_model().objects.filter(Q(is_superuser=True), is_active=True)


def notify_officials(users, subject, body):
    recipients = sorted({u.email for u in users if u.email})
    if recipients:
        send_mail(f"【互动交流】{subject}", body, None, recipients, fail_silently=True)
    return recipients
