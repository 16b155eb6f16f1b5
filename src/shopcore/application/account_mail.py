"""Account mail, sent by an event handler after commit: reset links and e-mail-change notices.

It runs wherever handlers run: in the relay with the in-process bus, in `consume-events`
with Kafka (whose retry policy then applies). A failure the next try may cure raises, so the
event is delivered again; a permanent one (a refused address) is logged and dropped.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from shopcore.domain.events import EmailChanged, PasswordResetRequested
from shopcore.ports.clock import Clock
from shopcore.ports.mail import Mailer, MailFailed, Message
from shopcore.ports.security import ResetClaim, ResetTokenService

log = logging.getLogger("shopcore.mail")


def occurred_at(message: dict[str, Any]) -> datetime | None:
    try:
        return datetime.fromisoformat(str(message["occurred_at"]).replace("Z", "+00:00"))
    except (KeyError, ValueError):
        return None


@dataclass
class SendAccountMail:
    """The handler of `password_reset.requested` and `user.email_changed`."""

    resets: ResetTokenService
    mailer: Mailer
    clock: Clock
    link_template: str
    max_age: timedelta
    notice_max_age: timedelta = timedelta(days=1)

    def __call__(self, message: dict[str, Any]) -> None:
        payload = message.get("payload") or {}
        if message.get("type") == PasswordResetRequested.type:
            mail = self.reset_link(payload, occurred_at(message))
        elif message.get("type") == EmailChanged.type:
            mail = self.email_notice(payload, occurred_at(message))
        else:
            return
        if mail is None:
            return
        try:
            self.mailer.send(mail)
        except MailFailed as exc:
            if not exc.permanent:
                raise
            log.warning("mail for event %s refused for good: %s", message.get("event_id"), exc)

    def reset_link(self, payload: dict[str, Any], asked: datetime | None) -> Message | None:
        """The link, signed now; none for a request older than a link's life (a replay)."""
        if asked is None or self.clock.now() - asked > self.max_age:
            log.info("dropped a stale password reset request (asked at %s)", asked)
            return None
        token = self.resets.make(ResetClaim(int(payload["user_id"]),
                                            str(payload["fingerprint"])))
        link = self.link_template.format(token=token)
        return Message(
            to=str(payload["email"]), subject="Reset your shopcore password",
            body=f"Hello {payload['username']},\n\nSet a new password here:\n{link}\n\n"
                 "If you did not ask for this, ignore this message.\n")

    def email_notice(self, payload: dict[str, Any], changed: datetime | None) -> Message | None:
        """The notice to the old address; none for a change long past (a replay, a new group)."""
        if changed is None or self.clock.now() - changed > self.notice_max_age:
            log.info("dropped a stale e-mail change notice (changed at %s)", changed)
            return None
        return Message(
            to=str(payload["old_email"]), subject="Your shopcore e-mail address was changed",
            body=f"Hello {payload['username']},\n\nThe e-mail address of your shopcore account "
                 f"was changed to {payload['new_email']}.\n\nIf you did not make this change, "
                 "reply to this message at once: whoever made it knows your password.\n")
