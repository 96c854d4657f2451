"""Every write of the notifications app. Other apps call notify() and notify_staff()."""

from notifications.services.outbox import messages_retry, notify, notify_staff

__all__ = ["messages_retry", "notify", "notify_staff"]
