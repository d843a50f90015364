"""Reviews' background tasks: mail, and the moderators' daily digest.

Every mail Marquee sends goes through `send_mail` (a task on the "mail" queue), so a slow or
unreachable mail server never holds up a request: the request only enqueues. Call
`mail_on_commit()` where the mail belongs to a change being saved; the message is composed
in the request (cheap) and sent by the worker once the change has committed.
"""

from django.core.mail import EmailMessage

from tasks.base import durable_task


@durable_task(queue_name="mail", once=True)
def send_mail(
    subject: str,
    body: str,
    recipients: list[str],
    reply_to: list[str] | None = None,
    headers: dict[str, str] | None = None,
):
    """Send one plain-text message from DEFAULT_FROM_EMAIL; retried on failure, sent once.

    `headers` are extra ones (e.g. List-Unsubscribe on a commenter's notification)."""
    message = EmailMessage(
        subject, body, to=list(recipients), reply_to=reply_to or None, headers=headers or None
    )
    message.send()
    return {"sent_to": len(recipients)}


def mail_on_commit(subject: str, body: str, recipients, *, reply_to=None, headers=None) -> None:
    """Send a message once the current transaction commits (now, outside one); no recipients,
    no mail."""
    recipients = sorted(set(recipients))
    if recipients:
        send_mail.enqueue_on_commit(subject, body, recipients, reply_to=reply_to, headers=headers)


@durable_task
def send_comment_digest() -> dict:
    """Mail the moderators who chose the daily digest what came to the queue; run daily by the
    worker (TASKS_DAILY) or `manage.py send_comment_digest` from cron."""
    # comment_mail imports this module (it sends through send_mail above), and the models do
    from reviews.comment_mail import send_daily_digests

    return {"digests": send_daily_digests()}
