"""Who may do what with reviews: every "may this user …" question is answered here.

The admin, the workflow's model methods, the editor endpoints, previews, share links,
revisions, pending versions, autosave and the newsroom counts all ask these functions, so one
rule never has two answers. Each takes the user first and never raises; callers turn a False
into a PermissionDenied (or a 403 page) with their own message.

Roles, as the data migrations grant them (DESIGN.md):

- Editors (`reviews.publish_review`): every step on every review.
- Writers (`reviews.change_review` without publish): their own reviews while draft, and a
  pending version of their own published review; submit, withdraw, delete their own drafts.
- Moderators (`reviews.moderate_comment`): comments only.
"""

from __future__ import annotations

from reviews.status import Status

PUBLISH_PERMISSION = "reviews.publish_review"
CHANGE_PERMISSION = "reviews.change_review"
ADD_PERMISSION = "reviews.add_review"
VIEW_PERMISSION = "reviews.view_review"
MODERATE_PERMISSION = "reviews.moderate_comment"
ADD_IMAGE_PERMISSION = "images.add_image"
CHANGE_IMAGE_PERMISSION = "images.change_image"


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_editor(user) -> bool:
    """Editors take every workflow step on every review."""
    return _active(user) and user.has_perm(PUBLISH_PERMISSION)


def may_write(user) -> bool:
    """The right to write reviews at all: the editor's preview and upload endpoints need it."""
    return (
        _active(user)
        and user.is_staff
        and (user.has_perm(ADD_PERMISSION) or user.has_perm(CHANGE_PERMISSION))
    )


def may_add_images(user) -> bool:
    """Add images to the library (`images.add_image`, as the library's admin asks): the
    editor's drop-and-paste upload stores into it."""
    return may_write(user) and user.has_perm(ADD_IMAGE_PERMISSION)


def may_change_image(user, image) -> bool:
    """Change a library image (its file, description, focal point).

    Editors change any. A writer changes one they uploaded while it is shown only in their own
    reviews that they may still edit and readers do not see (or in their pending version of a
    live review): a new file or alt text on a page readers see would reach them at once, past
    the editor who publishes, and a poster or photo is the catalogue's, which writers only view.
    """
    if not _active(user) or not user.has_perm(CHANGE_IMAGE_PERMISSION):
        return False
    if is_editor(user):
        return True
    if image.uploaded_by_id is None or image.uploaded_by_id != user.pk:
        return False
    from images.models import edited_on
    from reviews.models import Review
    from reviews.pending import PendingImage

    for use in image.uses():
        review = edited_on(use)
        if not isinstance(review, Review) or not may_edit(user, review):
            return False
        if review.is_public and not isinstance(use, PendingImage):
            return False
    return True


def may_moderate(user) -> bool:
    return _active(user) and user.has_perm(MODERATE_PERMISSION)


def _is_author(user, review) -> bool:
    return review.author_id is not None and review.author_id == user.pk


def may_see(user, review) -> bool:
    """See a review in the admin (its page, history, preview): editors all, writers their own."""
    if not _active(user):
        return False
    if is_editor(user):
        return True
    return _is_author(user, review) and (
        user.has_perm(VIEW_PERMISSION) or user.has_perm(CHANGE_PERMISSION)
    )


def may_edit(user, review) -> bool:
    """Change the review's text.

    Editors edit any review. Writers edit their own while it is a draft, and their own live
    review (the edit waits as a pending version until an editor publishes it), but not while
    those pending changes are submitted for review. A draft as readers see it: one past its
    unpublish time is a draft from that moment, before anything records it (reviews/clock.py;
    its save records the expiry first).
    """
    if not _active(user) or not user.has_perm(CHANGE_PERMISSION):
        return False
    if is_editor(user):
        return True
    if not _is_author(user, review):
        return False
    if review.effective_status == Status.DRAFT:
        return True
    if review.is_public:
        pending = review.pending
        return pending is None or not pending.submitted_at
    return False


def may_switch_comments(user, review) -> bool:
    """Open or close readers' comments on the review: whoever may change it, the writer of a
    live review too (the switch is applied at once, where their text waits for an editor)."""
    return may_edit(user, review)


def may_delete(user, review) -> bool:
    """Editors delete any review they may delete; writers their own drafts (as readers see
    them, an expired review included: `may_edit`)."""
    if not _active(user):
        return False
    if is_editor(user):
        return user.has_perm("reviews.delete_review")
    return (
        _is_author(user, review)
        and review.effective_status == Status.DRAFT
        and user.has_perm(CHANGE_PERMISSION)
    )


def may_take(user, action, review) -> bool:
    """The right to take a workflow `action` (a workflow.Action) on `review`, state aside."""
    if not _active(user):
        return False
    if is_editor(user):
        return True
    if action.editor_only:
        return False
    return _is_author(user, review) and user.has_perm(CHANGE_PERMISSION)


def may_preview(user, review) -> bool:
    """Preview any state on the public template: editors any review, writers their own."""
    return may_see(user, review)


def may_share(user) -> bool:
    """Make, show and regenerate share links for readers without an account."""
    return is_editor(user)


def may_restore(user) -> bool:
    """Restore an old version of a review."""
    return is_editor(user) and user.has_perm(CHANGE_PERMISSION)


def may_feature(user) -> bool:
    """Put a review in the front page's featured slot."""
    return is_editor(user)


def may_publish_changes(user, review) -> bool:
    """Publish or discard a live review's pending version."""
    return is_editor(user) and user.has_perm(CHANGE_PERMISSION)


def may_submit_changes(user, review) -> bool:
    """Ask the editors to publish the pending version of one's own live review."""
    return _active(user) and _is_author(user, review) and user.has_perm(CHANGE_PERMISSION)


def may_set_expiry(user) -> bool:
    """Set or clear the time a review is unpublished by itself (its expiry)."""
    return is_editor(user) and user.has_perm(PUBLISH_PERMISSION)
