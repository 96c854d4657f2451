"""Local backends: write SMS and push notifications to the log instead of sending them."""

import logging
import uuid

from notifications.backends.base import PushBackend, SmsBackend

logger = logging.getLogger("notifications.console")


class ConsoleSmsBackend(SmsBackend):
    def send(self, *, to: str, body: str, promotional: bool, reference: str) -> str:
        logger.info("SMS to %s (%s): %s", to, "promotional" if promotional else "transactional", body)
        return f"console-{uuid.uuid4()}"


class ConsolePushBackend(PushBackend):
    def send(
        self, *, token: str, platform: str, sandbox: bool, title: str, body: str, data: dict[str, str], reference: str
    ) -> str:
        logger.info("Push to %s device …%s: %s — %s %s", platform, token[-8:], title, body, data)
        return f"console-{uuid.uuid4()}"
