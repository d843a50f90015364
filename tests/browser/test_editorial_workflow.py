"""The editorial workflow end to end in a real browser: write, submit, send back, publish, read."""

import re
from importlib import import_module

import pytest
from playwright.sync_api import expect

from reviews.models import Review
from tests.browser.conftest import VIEWPORTS, screenshot
from tests.factories import FilmFactory, user_in_group

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"


@pytest.fixture
def editorial_groups():
    """The groups the data migrations make; an earlier transactional test's flush removed them."""
    from django.contrib.auth.models import Group, Permission

    groups = import_module("reviews.migrations.0003_create_editorial_groups").GROUPS
    grants = import_module("reviews.migrations.0006_grant_comment_permissions").GRANTS
    for name, codes in groups.items():
        group, _ = Group.objects.get_or_create(name=name)
        for code in codes:
            app_label, codename = code.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
    for name, codenames in grants.items():
        Group.objects.get(name=name).permissions.add(
            *Permission.objects.filter(content_type__app_label="reviews", codename__in=codenames)
        )


@pytest.fixture
def newsroom(browser, live_server):
    """A desktop browser window per person, each logged in on its own."""
    contexts = []

    def window(username=None):
        context = browser.new_context(
            **VIEWPORTS["desktop"], reduced_motion="reduce", locale="en-GB"
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []

        def on_console(message):
            # The admin has no <link rel="icon">, so chromium asks for /favicon.ico: not ours.
            if message.type == "error" and "favicon.ico" not in message.location.get("url", ""):
                errors.append(f"{message.text} ({message.location.get('url')})")

        page.on("console", on_console)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.console_errors = errors
        if username:
            page.goto(live_server.url + "/admin/login/")
            page.get_by_label("Username").fill(username)
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Log in").click()
            expect(page.get_by_role("heading", name="Newsroom", level=1)).to_be_visible()
        return page

    yield window
    for context in contexts:
        context.close()


def test_write_submit_send_back_resubmit_publish_read(newsroom, live_server, editorial_groups):
    FilmFactory(title="Ballerina")
    user_in_group("Writers", username="wanda", first_name="Wanda", last_name="Writer")
    user_in_group("Editors", username="edie", first_name="Edie", last_name="Editor")

    # The writer writes a review with two sections and watches the live preview.
    writer = newsroom("wanda")
    expect(writer.locator("#newsroom-drafts")).to_contain_text("Your drafts")
    writer.goto(live_server.url + "/admin/reviews/review/add/")
    writer.locator("#id_film").locator("xpath=..").locator(".select2-selection").click()
    writer.locator(".select2-dropdown .select2-search__field").fill("Ball")
    writer.get_by_role("option", name=re.compile("Ballerina")).click()
    writer.get_by_label("Headline").fill("Ballerina pirouettes with a pistol")
    writer.locator("#id_intro").fill("An intro with **bold** moves.")
    expect(
        writer.locator("#id_intro").locator("xpath=..").locator(".markdownx-preview")
    ).to_contain_text("bold moves", timeout=5000)
    expect(writer.locator(".markdownx-preview strong").first).to_have_text("bold")

    writer.locator("#id_sections-0-heading").fill("The plot")
    writer.locator("#id_sections-0-body").fill("Eve trains *hard*.")
    writer.locator("#sections-group .add-row a").click()
    writer.locator("#id_sections-1-heading").fill("The action")
    writer.locator("#id_sections-1-body").fill("Knives, flames and a ballet.")
    expect(
        writer.locator("#id_sections-1-body").locator("xpath=..").locator(".markdownx-preview")
    ).to_contain_text("Knives", timeout=5000)
    screenshot(writer, "workflow-1-writer-writes")
    writer.get_by_role("button", name="Save and continue editing").click()
    expect(writer.locator(".messagelist")).to_contain_text("was added successfully")
    review = Review.objects.get()
    assert [s.heading for s in review.sections.all()] == ["The plot", "The action"]

    writer.get_by_role("button", name="Submit for review").click()
    expect(writer.locator(".messagelist")).to_contain_text("is now in review")
    expect(writer.locator(".workflow-panel")).to_contain_text("In review")
    expect(writer.locator("#id_headline")).to_have_count(0)  # read-only while in review
    screenshot(writer, "workflow-2-writer-submitted")

    # The editor sends it back with a note.
    editor = newsroom("edie")
    expect(editor.locator("#newsroom-awaiting .newsroom__count")).to_have_text("1")
    editor.locator("#newsroom-awaiting").get_by_role(
        "link", name=re.compile("Awaiting your review")
    ).click()
    editor.get_by_role("link", name="Ballerina pirouettes with a pistol").click()
    expect(editor.locator(".workflow-panel")).to_contain_text("In review")
    editor.get_by_text("Request changes…").click()
    editor.get_by_label(re.compile("What should the writer change")).fill(
        "Name the choreographer in the action section."
    )
    screenshot(editor, "workflow-3-editor-requests-changes")
    editor.get_by_role("button", name="Send back to the writer").click()
    expect(editor.locator(".messagelist")).to_contain_text("is now draft")

    # The writer sees the note, edits and resubmits.
    writer.reload()
    expect(writer.locator(".audit-trail")).to_contain_text(
        "Name the choreographer in the action section."
    )
    writer.locator("#id_sections-1-body").fill(
        "Knives, flames and a ballet, choreographed by the stunt team."
    )
    # …and moves the action section above the plot.
    writer.get_by_role("button", name="Move up").nth(1).click()
    expect(writer.locator("#id_sections-1-position")).to_have_value("1")
    expect(writer.locator("#id_sections-0-position")).to_have_value("2")
    writer.get_by_role("button", name="Save and continue editing").click()
    expect(writer.locator(".messagelist")).to_contain_text("was changed successfully")
    assert [s.heading for s in Review.objects.get().sections.all()] == ["The action", "The plot"]
    writer.get_by_role("button", name="Submit for review").click()
    expect(writer.locator(".messagelist")).to_contain_text("is now in review")
    screenshot(writer, "workflow-4-writer-resubmitted")

    # The editor previews, compares the versions, and publishes.
    editor.reload()
    with editor.expect_popup() as popup:
        editor.get_by_role("link", name="Preview").click()
    preview = popup.value
    expect(preview.get_by_text("Preview — not published")).to_be_visible()
    screenshot(preview, "workflow-5-preview")
    preview.close()
    editor.get_by_role("link", name="History").click()
    screenshot(editor, "workflow-6-history")
    editor.get_by_role("radio", name="Compare from this version").last.check()  # the first draft
    editor.get_by_role("button", name="Compare selected versions").click()
    expect(editor.locator(".diff ins").first).to_be_visible()
    screenshot(editor, "workflow-7-compare")
    editor.go_back()
    editor.go_back()
    editor.get_by_role("button", name="Publish now").click()
    expect(editor.locator(".messagelist")).to_contain_text("is now published")
    expect(editor.locator(".audit-trail tbody tr")).to_have_count(4)
    screenshot(editor, "workflow-8-editor-published")

    # A reader without an account sees it on the public page.
    reader = newsroom()
    reader.goto(live_server.url + Review.objects.get().get_absolute_url())
    expect(reader.get_by_role("heading", level=1)).to_have_text(
        "Ballerina pirouettes with a pistol"
    )
    expect(reader.locator("h2#the-plot")).to_have_text("The plot")
    expect(reader.get_by_text("choreographed by the stunt team")).to_be_visible()
    expect(
        reader.get_by_role("navigation", name="In this review").get_by_role("link")
    ).to_have_text(["The action", "The plot"])
    expect(reader.get_by_text("Preview — not published")).to_have_count(0)
    screenshot(reader, "workflow-9-public")

    for page in (writer, editor, reader):
        assert page.console_errors == []
