"""The comment queue in a real browser: decide from each row, delete with a confirmation, and a
comment's page with its sender's history, trust and block buttons, and a recorded edit."""

import datetime
import itertools

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from reviews.models import Comment
from tests.browser.conftest import VIEWPORTS, horizontal_overflow, screenshot, viewport_name
from tests.factories import ReviewFactory, user_in_group

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def _moderators_group():
    """The groups a data migration makes; a transactional test before this one flushed them."""
    from django.contrib.auth.models import Group, Permission

    for name in ["Moderators", "Editors"]:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="reviews",
                codename__in=[
                    "moderate_comment",
                    "view_comment",
                    "change_comment",
                    "delete_comment",
                ],
            )
        )


@pytest.fixture
def comments():
    review = ReviewFactory(published=True, headline="Ballerina pirouettes with a pistol")
    question = Comment.objects.create(
        review=review,
        name="Bea",
        email="bea@example.com",
        body="Where was the opera house scene shot?",
        status="approved",
    )
    reply = Comment.objects.create(
        review=review,
        parent=question,
        name="Ada",
        email="ada@example.com",
        ip_address="203.0.113.7",
        body="In Prague, I think. Teh best scene.",
    )
    spammy = Comment.objects.create(
        review=review,
        name="Cheap Pills",
        email="pills@example.com",
        body="Buy now at pills.example",
        ip_address="198.51.100.9",
    )
    Comment.objects.create(
        review=ReviewFactory(published=True),
        name="Ada",
        email="ada@example.com",
        body="An earlier one",
        status="approved",
    )
    return question, reply, spammy


@pytest.fixture(params=list(VIEWPORTS))
def staff_page(request, browser, live_server):
    user_in_group("Moderators", username="mo", first_name="Mo", last_name="Derator")
    context = browser.new_context(
        **VIEWPORTS[request.param], reduced_motion="reduce", locale="en-GB"
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors = []
    # Chromium asks for /favicon.ico, which the admin does not have: not this page's error.
    page.on(
        "console",
        lambda m: (
            errors.append(f"{m.text} {m.location.get('url')}")
            if m.type == "error" and not m.location.get("url", "").endswith("/favicon.ico")
            else None
        ),
    )
    page.console_errors = errors
    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Username").fill("mo")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Newsroom", level=1)).to_be_visible()
    yield page
    context.close()


def test_the_queue_decides_from_each_row_and_delete_confirms(staff_page, live_server, comments):
    page = staff_page
    _, reply, spammy = comments
    page.goto(live_server.url + "/admin/reviews/comment/")
    row = page.locator("#result_list tbody tr", has_text="In Prague")
    expect(row).to_contain_text("↳ to Bea: “Where was the opera house scene shot?”")
    expect(row).to_contain_text("1 approved, 1 pending")
    expect(row).to_contain_text("Ballerina pirouettes with a pistol")
    screenshot(page, "moderation-1-queue")

    row.get_by_role("button", name="Approve the comment by Ada").click()
    expect(page.locator(".messagelist")).to_contain_text("Approved: the comment by Ada")
    assert Comment.objects.get(pk=reply.pk).status == Comment.Status.APPROVED
    expect(page.locator("#result_list tbody tr", has_text="In Prague")).to_have_count(0)

    spam_row = page.locator("#result_list tbody tr", has_text="Buy now")
    spam_row.get_by_role("button", name="Delete the comment by Cheap Pills").click()
    expect(page.get_by_role("heading", name="Delete 1 comment?")).to_be_visible()
    screenshot(page, "moderation-2-confirm-delete")
    assert Comment.objects.filter(pk=spammy.pk).exists()  # nothing yet
    page.get_by_role("button", name="Yes, delete").click()
    expect(page.locator(".messagelist")).to_contain_text("Deleted: the comment by Cheap Pills")
    assert not Comment.objects.filter(pk=spammy.pk).exists()
    assert page.console_errors == []


def test_a_comments_page_trusts_blocks_and_records_an_edit(staff_page, live_server, comments):
    page = staff_page
    _, reply, _ = comments
    page.goto(live_server.url + f"/admin/reviews/comment/{reply.pk}/change/")
    expect(page.locator(".comment-sender")).to_contain_text("1 approved, 1 pending")
    page.get_by_role("button", name="Trust this commenter (publish at once)").click()
    expect(page.locator(".messagelist")).to_contain_text("example.com is trusted")
    page.get_by_role("button", name="Block the network 203.0.113.0/24").click()
    expect(page.locator(".messagelist")).to_contain_text("203.0.113.0/24 are refused")

    page.get_by_role("link", name="Edit or redact").click()
    page.get_by_label("Text").fill("In Prague, I think. The best scene.")
    page.get_by_label("Why (shown to staff)").fill("typo")
    page.get_by_role("button", name="Save the change").click()
    expect(page.locator(".messagelist")).to_contain_text("the change is recorded")
    edits = page.locator(".comment-edits")
    expect(edits).to_contain_text("typo")
    expect(edits).to_contain_text("Teh best scene.")  # the original, for staff
    screenshot(page, "moderation-3-comment-page")
    assert Comment.objects.get(pk=reply.pk).body == "In Prague, I think. The best scene."
    assert page.console_errors == []


def tab_to(page, button, presses: int = 200) -> None:
    """Press Tab, as a keyboard user does, until `button` has the focus."""
    for _ in range(presses):
        if button.evaluate("b => b === document.activeElement"):
            break
        page.keyboard.press("Tab")
    expect(button).to_be_focused()


def pending_comments_by(*names: str) -> None:
    """A pending comment by each of `names` on one review, oldest first."""
    review = ReviewFactory(published=True, headline="Ballerina pirouettes with a pistol")
    for n, name in enumerate(names):
        Comment.objects.create(
            review=review,
            name=name,
            email=f"{name.lower()}@example.com",
            body=f"Comment {n} from {name}",
            submitted_at=timezone.now() - datetime.timedelta(minutes=10 - n),
        )


def test_a_rows_decision_keeps_the_keyboard_at_its_place_in_the_queue(staff_page, live_server):
    """Approve or Reject from a row, by keyboard alone: the page that comes back puts the focus
    on the next row's first button (where the decided row was, in the pending queue), not at
    the top of the page; the last row's decision goes to the row before it."""
    page = staff_page
    pending_comments_by("Ada", "Bea", "Cy", "Dee")
    page.goto(live_server.url + "/admin/reviews/comment/")  # newest first: Dee, Cy, Bea, Ada
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(4)
    tab_to(page, page.get_by_role("button", name="Approve the comment by Dee"))

    page.keyboard.press("Enter")
    expect(page.locator(".messagelist")).to_contain_text("Approved: the comment by Dee")
    expect(rows).to_have_count(3)
    expect(page.get_by_role("button", name="Approve the comment by Cy")).to_be_focused()

    page.keyboard.press("Tab")  # Reject, the row's second button
    expect(page.get_by_role("button", name="Reject the comment by Cy")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".messagelist")).to_contain_text("Rejected: the comment by Cy")
    expect(rows).to_have_count(2)
    expect(page.get_by_role("button", name="Approve the comment by Bea")).to_be_focused()
    screenshot(page, "moderation-4-focus-kept-after-a-decision")

    # The last row's decision: the focus goes to the row before it, now the last.
    tab_to(page, page.get_by_role("button", name="Approve the comment by Ada"), presses=20)
    page.keyboard.press("Enter")
    expect(page.locator(".messagelist")).to_contain_text("Approved: the comment by Ada")
    expect(rows).to_have_count(1)
    expect(page.get_by_role("button", name="Approve the comment by Bea")).to_be_focused()
    assert dict(Comment.objects.values_list("name", "status")) == {
        "Ada": "approved",
        "Bea": "pending",
        "Cy": "rejected",
        "Dee": "approved",
    }
    assert page.console_errors == []


def test_taking_back_a_delete_returns_the_keyboard_to_its_delete_button(staff_page, live_server):
    """Delete from a row, by keyboard, then "No, take me back" on the confirmation: the queue
    comes back with the focus on the Delete button pressed, not on the next row (which is
    where it goes after a decision taken)."""
    page = staff_page
    pending_comments_by("Ada", "Bea", "Cy")
    queue = live_server.url + "/admin/reviews/comment/?status=pending"
    page.goto(queue)  # newest first: Cy, Bea, Ada
    tab_to(page, page.get_by_role("button", name="Delete the comment by Bea"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Delete 1 comment?")).to_be_visible()

    tab_to(page, page.get_by_role("link", name="No, take me back"), presses=40)
    page.keyboard.press("Enter")
    expect(page.locator("#result_list tbody tr")).to_have_count(3)
    assert page.url.split("#")[0] == queue  # the queue, with its filter
    expect(page.get_by_role("button", name="Delete the comment by Bea")).to_be_focused()
    screenshot(page, "moderation-5-focus-back-on-delete")
    assert Comment.objects.count() == 3
    assert page.console_errors == []


def test_the_queues_decisions_and_status_show_without_scrolling_sideways(
    staff_page, live_server, comments
):
    """At 1280 and 390 px: the row's buttons and its status within the screen and within the
    list's box (the table does not run under its edge), with a long comment, a long address and
    a long headline."""
    page = staff_page
    Comment.objects.create(
        review=ReviewFactory(
            published=True,
            headline="Everything Everywhere All at Once is a multiverse of laundry and tax returns",
        ),
        name="Persephone Wolfeschlegelsteinhausen",
        email="persephone.wolfeschlegelsteinhausen@university-of-example.example.com",
        body="Longwindedcommentwithoutspaces" * 3 + " and then a lot of words " * 8,
    )
    page.goto(live_server.url + "/admin/reviews/comment/")
    screenshot(page, "moderation-5-queue-fits")
    results = page.locator(".results")
    assert results.evaluate("box => box.scrollWidth - box.clientWidth") <= 0
    edge = results.bounding_box()
    right = min(page.viewport_size["width"], edge["x"] + edge["width"])
    for row in page.locator("#result_list tbody tr").all():
        shown = [*row.locator(".comment-row-action").all(), row.locator(".field-submitted")]
        for element in shown:
            box = element.bounding_box()
            assert box["x"] >= 0, box
            assert box["x"] + box["width"] <= right, (box, right)
        if viewport_name(page) == "phone":  # finger-sized, and apart: no tap lands on two
            buttons = [b.bounding_box() for b in row.locator(".comment-row-action").all()]
            assert all(b["height"] >= 44 for b in buttons), buttons
            for left, following in itertools.pairwise(buttons):
                if following["y"] == left["y"]:
                    assert following["x"] - (left["x"] + left["width"]) >= 8, buttons
    assert horizontal_overflow(page) <= 0
