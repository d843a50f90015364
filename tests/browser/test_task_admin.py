"""Failed background tasks in the admin, at desktop and phone widths: find one, read its
error, retry it."""

import pytest
from django.core.management import call_command

from tests.browser.conftest import horizontal_overflow, screenshot
from tests.factories import SuperuserFactory
from tests.tasks_support import database_task_backend, flaky

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_superuser_finds_a_failed_task_reads_its_error_and_retries_it(
    page, live_server, settings, tmp_path
):
    settings.TASKS_RETRY_DELAY = 0
    with database_task_backend():
        flaky.enqueue(str(tmp_path / "runs"), 3)  # fails all three attempts
        call_command("run_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    root = SuperuserFactory(username="root")
    page.set_default_timeout(15_000)  # the admin's pages, on a busy machine

    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", root.username)
    page.fill("#id_password", "correct-horse-battery")
    page.click("input[type=submit]")
    page.goto(live_server.url + "/admin/")
    page.locator("a[href$='/admin/tasks/taskrecord/']").first.click()
    page.get_by_role("link", name="Failed, not retried").click()
    page.wait_for_url("**attention=yes")
    rows = page.locator("#result_list tbody tr")
    rows.first.wait_for()  # count() does not wait for the filtered list to load
    assert rows.count() == 1
    assert "RuntimeError: failure 3 of 3" in rows.first.inner_text()
    assert horizontal_overflow(page) == 0
    screenshot(page, "admin-failed-tasks")

    rows.first.locator("th a, td a").first.click()
    page.wait_for_selector("pre")
    assert "Traceback (most recent call last)" in page.locator("body").inner_text()
    screenshot(page, "admin-failed-task")

    page.go_back()
    page.locator("#result_list tbody input[type=checkbox]").first.check()
    page.select_option("select[name=action]", "retry")
    page.get_by_role("button", name="Run").click()
    assert "Queued 1 task(s) again." in page.locator(".messagelist").inner_text()
    assert page.locator("#result_list tbody tr").count() == 0
    assert page.console_errors == []
