"""Telling people when something needs them (docs/notifications.md).

`events` says which audited changes are worth an email and who gets each (pure); `outbox` writes the
messages in the caller's transaction; `reminders` queues the deadline and overdue reminders;
`sending` sends the outbox after the commit (claimed, retried with backoff, never twice) through a
`Transport` (`smtp`); `letters` renders each email from its templates; `calendar` is the feed of a
person's statutory deadlines; `service` is what a person changes about their own notifications.
"""
