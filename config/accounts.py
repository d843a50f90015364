"""Staff password reset by mail, sent by the task worker.

The request only queues the user's id and where the link should point; the worker makes the
one-time link and renders the mail, so no reset token ever sits in the task table (whose rows
the admin shows), and a slow mail server never holds up the reset page.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tasks.base import durable_task


class QueuedPasswordResetForm(PasswordResetForm):
    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        send_password_reset.enqueue(
            context["user"].pk,
            to_email,
            context["domain"],
            context["site_name"],
            context["protocol"],
            subject_template_name,
            email_template_name,
            html_email_template_name,
            from_email,
        )


@durable_task(queue_name="mail", once=True)
def send_password_reset(
    user_pk,
    to_email,
    domain,
    site_name,
    protocol,
    subject_template_name,
    email_template_name,
    html_email_template_name=None,
    from_email=None,
):
    user = get_user_model()._default_manager.filter(pk=user_pk, is_active=True).first()
    if user is None:
        return {"skipped": "no such active user"}
    context = {
        "email": to_email,
        "domain": domain,
        "site_name": site_name,
        "protocol": protocol,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "user": user,
        "token": default_token_generator.make_token(user),
    }
    PasswordResetForm().send_mail(
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name,
    )
    return {"sent_to": 1}
