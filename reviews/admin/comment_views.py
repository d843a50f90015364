"""The comment admin's own pages: one decision per comment (delete asks first), a staff reply,
edit or redact, trust or block the sender, and the confirmation pages of the bulk actions that
destroy.

Each view takes the CommentAdmin and goes through `reviews.moderation`, which checks the
`reviews.moderate_comment` permission (moderators and editors have it, writers do not).
"""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme

from reviews import moderation
from reviews.commenters import CommentBlock
from reviews.models import Comment

DECISIONS = {
    "approve": (moderation.approve, "Approved"),
    "reject": (moderation.reject, "Rejected"),
    "spam": (moderation.mark_spam, "Marked as spam"),
    "delete": (moderation.delete, "Deleted"),
}


class ReplyForm(forms.Form):
    body = forms.CharField(
        label="Your reply",
        max_length=Comment.MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 80}),
        help_text="Plain text, shown on the review page marked as a staff reply.",
    )


class EditForm(forms.Form):
    body = forms.CharField(
        label="Text",
        max_length=Comment.MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 80}),
        help_text="Fix a typo or rewrite a passage. The original stays readable to staff.",
    )
    phrase = forms.CharField(
        label="Or remove these words",
        max_length=500,
        required=False,
        help_text=f"Every occurrence becomes “{moderation.REDACTED}”.",
    )
    note = forms.CharField(label="Why (shown to staff)", max_length=200, required=False)


def comment_or_404(model_admin, request, object_id) -> Comment:
    if not model_admin.has_moderate_permission(request):
        raise PermissionDenied
    try:
        pk = Comment._meta.pk.to_python(unquote(object_id))
    except ValidationError:
        raise Http404("No such comment.") from None  # "abc" is no comment, not a 500
    return get_object_or_404(Comment.objects.select_related("review", "parent"), pk=pk)


def _own(request, target: str) -> str:
    """`target` if it is a page of this site, else ""."""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def back(model_admin, request) -> HttpResponseRedirect:
    """Back where the moderator came from (the queue with its filters), else the queue."""
    target = request.POST.get("next") or request.META.get("HTTP_REFERER", "")
    return HttpResponseRedirect(_own(request, target) or model_admin.url("changelist"))


def context(model_admin, request, **extra) -> dict:
    return {
        **model_admin.admin_site.each_context(request),
        "opts": Comment._meta,
        "has_view_permission": True,
        **extra,
    }


def confirm(
    model_admin,
    request,
    *,
    title: str,
    question: str,
    comments,
    fields: dict,
    button: str,
    action_url: str = "",
) -> TemplateResponse:
    """A page asking the moderator to confirm a destructive step, re-posting `fields` (a value
    may be a list: one hidden input each)."""
    pairs = [
        (name, value)
        for name, values in fields.items()
        for value in (values if isinstance(values, list) else [values])
    ]
    return TemplateResponse(
        request,
        "admin/reviews/comment/confirm.html",
        context(
            model_admin,
            request,
            title=title,
            question=question,
            comments=comments,
            fields=pairs,
            button=button,
            action_url=action_url,
            next=request.POST.get("next") or request.META.get("HTTP_REFERER", ""),
        ),
    )


def decide(model_admin, request, object_id, decision):
    if decision not in DECISIONS:
        raise Http404("No such decision.")
    comment = comment_or_404(model_admin, request, object_id)
    if request.method != "POST":
        return HttpResponseRedirect(model_admin.url("change", comment.pk))
    if decision == "delete" and request.POST.get("post") != "yes":
        return confirm_delete(model_admin, request, [comment], bulk=False)
    function, done = DECISIONS[decision]
    function(comment, by=request.user)
    messages.success(request, f"{done}: the comment by {comment.name} on “{comment.review}”.")
    if decision == "delete" and model_admin.url("change", comment.pk) in request.POST.get(
        "next", model_admin.url("change", comment.pk)
    ):  # its page is gone
        return HttpResponseRedirect(model_admin.url("changelist"))
    return back(model_admin, request)


def reply(model_admin, request, object_id):
    comment = comment_or_404(model_admin, request, object_id)
    form = ReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            staff_reply = moderation.reply(comment, by=request.user, body=form.cleaned_data["body"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                format_html(
                    'Your reply is published: <a href="{}">see it on the review page</a>.',
                    staff_reply.get_absolute_url(),
                ),
            )
            return HttpResponseRedirect(model_admin.url("changelist"))
    return TemplateResponse(
        request,
        "admin/reviews/comment/reply.html",
        context(
            model_admin,
            request,
            title=f"Reply to {comment.name}",
            comment=comment,
            form=form,
            original=comment,
        ),
    )


def edit(model_admin, request, object_id):
    comment = comment_or_404(model_admin, request, object_id)
    form = EditForm(request.POST or None, initial={"body": comment.body})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["phrase"]:
                moderation.redact(comment, request.user, data["phrase"], note=data["note"])
            else:
                moderation.edit(comment, request.user, data["body"], note=data["note"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "The comment is changed; the change is recorded.")
            return HttpResponseRedirect(model_admin.url("change", comment.pk))
    return TemplateResponse(
        request,
        "admin/reviews/comment/edit.html",
        context(
            model_admin,
            request,
            title=f"Edit the comment by {comment.name}",
            comment=comment,
            original=comment,
            form=form,
            edits=comment.edits.select_related("edited_by"),
        ),
    )


SENDER_ACTIONS = ("trust", "distrust", "block-email", "block-ip", "block-network")


def sender(model_admin, request, object_id, operation):
    """Trust or block the sender of a comment (its e-mail address, IP address or network)."""
    if operation not in SENDER_ACTIONS:
        raise Http404("No such action.")
    comment = comment_or_404(model_admin, request, object_id)
    if request.method != "POST":
        return HttpResponseRedirect(model_admin.url("change", comment.pk))
    note = f"From the comment {comment.pk} on “{comment.review}”"
    try:
        if operation == "trust":
            moderation.trust(comment.email, request.user)
            done = f"{comment.email} is trusted: their comments are published at once."
        elif operation == "distrust":
            moderation.distrust(comment.email, request.user)
            done = f"{comment.email} is no longer trusted."
        elif operation == "block-email":
            moderation.block(CommentBlock.Kind.EMAIL, comment.email, request.user, note)
            done = f"Comments from {comment.email} are refused from now on."
        else:
            if not comment.ip_address:
                raise ValidationError("This comment's IP address was purged.")
            value = (
                comment.ip_address
                if operation == "block-ip"
                else moderation.network_of(comment.ip_address)
            )
            moderation.block(CommentBlock.Kind.NETWORK, value, request.user, note)
            done = f"Comments from {value} are refused from now on."
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return HttpResponseRedirect(model_admin.url("change", comment.pk))


# The bulk actions that destroy or hand data out.


def selected_fields(request, action: str, queryset) -> dict:
    return {
        "action": action,
        "_selected_action": [str(pk) for pk in queryset.values_list("pk", flat=True)],
        "post": "yes",
    }


def confirm_delete(model_admin, request, comments, *, bulk: bool) -> TemplateResponse:
    """Deleting cannot be undone (and takes the replies with it): ask first."""
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(
        request,
        "admin/reviews/comment/delete_confirm.html",
        context(
            model_admin,
            request,
            title=f"Delete {len(comments)} comment{'s' if len(comments) != 1 else ''}?",
            subtitle=None,
            comments=comments,
            bulk=bulk,
            action_checkbox_name=ACTION_CHECKBOX_NAME,
            next=request.POST.get("next") or request.META.get("HTTP_REFERER", ""),
            # Where they were: the queue at the button pressed (comment-queue.js), else the
            # page that asked.
            back=(
                _own(request, request.POST.get("back", ""))
                or _own(request, request.META.get("HTTP_REFERER", ""))
                or (
                    model_admin.url("changelist")
                    if bulk
                    else model_admin.url("change", comments[0].pk)
                )
            ),
        ),
    )


def delete_selected(model_admin, request, queryset):
    if request.POST.get("post") != "yes":
        return confirm_delete(
            model_admin, request, list(queryset.select_related("review")), bulk=True
        )
    count = moderation.delete(queryset, by=request.user)
    messages.success(request, f"Deleted: {count} comment{'s' if count != 1 else ''}.")
    return None


def purge_ips(model_admin, request, queryset):
    count = moderation.purge_ips(queryset, by=request.user)
    messages.success(
        request,
        f"IP addresses and browsers forgotten for {count} comment{'s' if count != 1 else ''}.",
    )


def addresses(queryset) -> list[str]:
    return sorted(
        {
            email.strip().lower()
            for email in queryset.order_by().values_list("email", flat=True)
            if email
        }
    )


def export(model_admin, request, queryset) -> HttpResponse:
    data = moderation.export(addresses(queryset), by=request.user)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="comments-export-{stamp}.json"'
    return response


def erase(model_admin, request, queryset):
    emails = addresses(queryset)
    if request.POST.get("post") != "yes":
        everything = moderation.export(emails, by=request.user)["comments"]
        return confirm(
            model_admin,
            request,
            title="Erase everything from these addresses?",
            question=format_html(
                "Delete all {} comments from {} (on every review, in every status) and "
                "forget that they were trusted? Other people's replies stay. Export them "
                "first if the request asks for a copy. This cannot be undone.",
                len(everything),
                ", ".join(emails),
            ),
            comments=queryset,
            button="Yes, erase everything",
            fields=selected_fields(request, "erase_addresses", queryset),
            action_url=request.get_full_path(),
        )
    count = moderation.erase(emails, by=request.user)
    messages.success(
        request, f"Erased {count} comment{'s' if count != 1 else ''} from {', '.join(emails)}."
    )
    return None
