"""Times in the editor's own time zone (#22 item 4): a per-user setting, activated on admin
pages, the site's zone named beside the fields; times typed there are stored as the moment
meant. The site runs on Europe/London here; the editor works from Kiritimati (UTC+14)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reviews.timezones import DeskSetting
from tests.factories import ReviewFactory, SectionFactory, user_in_group
from tests.forms import page_form

pytestmark = pytest.mark.django_db

FAR = "Pacific/Kiritimati"
NOTE = f"Times in {FAR} (your setting); the site runs on Europe/London."


@pytest.fixture(autouse=True)
def site_zone(settings):
    settings.TIME_ZONE = "Europe/London"


@pytest.fixture
def editor():
    return user_in_group("Editors", username="edie", first_name="Edie")


@pytest.fixture
def far_editor(client, editor):
    """The editor, signed in, who chose Kiritimati on the time zone page."""
    client.force_login(editor)
    page = client.get(reverse("admin_time_zone"))
    action, fields = page_form(page.content.decode(), id="time_zone_form")
    assert fields["time_zone"] == ""  # the site's, until chosen
    fields["time_zone"] = FAR
    response = client.post(action or reverse("admin_time_zone"), fields, follow=True)
    assert f"Times are now shown in {FAR} (your setting)." in response.content.decode()
    return editor


def live_review(**kwargs):
    review = ReviewFactory(
        published=True,
        headline="Far away",
        published_at=datetime.datetime(2030, 6, 1, 12, 0, tzinfo=datetime.UTC),
        **kwargs,
    )
    SectionFactory(review=review, heading="Plot", body="It happens.")
    return review


def change_form(client, review) -> tuple[str, str, dict]:
    url = reverse("admin:reviews_review_change", args=[review.pk])
    html = client.get(url).content.decode()
    action, fields = page_form(html, id="review_form")
    return html, action or url, fields


def test_a_staff_user_chooses_their_zone_from_zoneinfos_list(client, far_editor):
    assert DeskSetting.objects.get(user=far_editor).time_zone == FAR
    html = client.get(reverse("admin:index")).content.decode()
    assert f'href="{reverse("admin_time_zone")}"' in html  # beside the account links
    refused = client.post(reverse("admin_time_zone"), {"time_zone": "Mars/Olympus_Mons"})
    assert "Select a valid choice" in refused.content.decode()
    assert DeskSetting.objects.get(user=far_editor).time_zone == FAR
    client.post(reverse("admin_time_zone"), {"time_zone": ""})
    assert DeskSetting.objects.get(user=far_editor).time_zone == ""


def test_the_time_zone_page_is_for_staff_only(client):
    assert client.get(reverse("admin_time_zone")).status_code == 302
    assert not DeskSetting.objects.exists()


def test_unpublish_at_typed_in_the_editors_zone_is_stored_as_that_moment(
    client, far_editor, editor
):
    review = live_review()
    html, action, fields = change_form(client, review)
    assert NOTE in html
    # Shown in the editor's zone: 12:00 UTC is 02:00 the next day in Kiritimati.
    assert "2 Jun 2030, 02:00</time> (Pacific/Kiritimati)" in html
    fields.update({"unpublish_at_0": "2031-03-10", "unpublish_at_1": "09:30:00"})
    response = client.post(action, fields)
    assert response.status_code == 302
    review.refresh_from_db()
    meant = datetime.datetime(2031, 3, 10, 9, 30, tzinfo=ZoneInfo(FAR))
    assert review.unpublish_at == meant
    assert review.unpublish_at == datetime.datetime(2031, 3, 9, 19, 30, tzinfo=datetime.UTC)
    # Read back in the editor's zone; another editor sees the site's.
    _, _, fields = change_form(client, review)
    assert (fields["unpublish_at_0"], fields["unpublish_at_1"]) == ("10/03/2031", "09:30:00")
    other = Client()
    other.force_login(user_in_group("Editors", username="ed"))
    html, _, fields = change_form(other, review)
    assert (fields["unpublish_at_0"], fields["unpublish_at_1"]) == ("09/03/2031", "19:30:00")
    assert "Times in the site's time zone, Europe/London." in html


def test_a_schedule_typed_in_the_editors_zone_goes_live_at_that_moment(client, far_editor):
    review = ReviewFactory(headline="Soon", rating=4)
    SectionFactory(review=review, heading="Plot", body="It happens.")
    review.author.critic.display_name = "A Critic"
    review.author.critic.save()
    _, action, fields = change_form(client, review)
    fields.update({"_workflow": "schedule", "at": "2031-04-01T08:00"})
    response = client.post(action, fields, follow=True)
    page = response.content.decode()
    assert "is scheduled for 1 Apr 2031, 08:00 (Pacific/Kiritimati)" in page
    # The message and the workflow panel under it write the time alike.
    assert 'datetime="2031-04-01T08:00:00+14:00">1 Apr 2031, 08:00</time>' in page
    review.refresh_from_db()
    assert review.status == review.Status.SCHEDULED
    assert review.published_at == datetime.datetime(2031, 4, 1, 8, 0, tzinfo=ZoneInfo(FAR))
    assert review.published_at == datetime.datetime(2031, 3, 31, 18, 0, tzinfo=datetime.UTC)


def test_public_pages_keep_the_sites_zone_for_everyone(client, far_editor):
    review = live_review()
    html = client.get(review.get_absolute_url()).content.decode()
    assert "1 June 2030" in html  # London's date, not Kiritimati's 2 June
    assert "2 June 2030" not in html
    assert timezone.get_current_timezone_name() == "Europe/London"  # nothing left active


def test_mail_names_the_recipients_zone_not_the_acting_editors(
    client, far_editor, mailoutbox, committed
):
    """Kiritimati schedules; the writer in New York reads New York time, a writer who chose no
    zone reads the site's (London), and the going-live mail (sent by the worker, which has no
    editor) does the same."""
    new_york = user_in_group("Writers", username="nyw", email="nyw@example.com")
    DeskSetting.objects.create(user=new_york, time_zone="America/New_York")
    plain = user_in_group("Writers", username="plain", email="plain@example.com")
    moment = "2031-04-01T08:00"  # Kiritimati: 31 March 18:00 UTC, 14:00 New York, 19:00 London
    reviews = {}
    for writer in (new_york, plain):
        reviews[writer] = review = ReviewFactory(author=writer, headline=writer.username, rating=4)
        SectionFactory(review=review, heading="Plot", body="It happens.")
        _, action, fields = change_form(client, review)
        fields.update({"_workflow": "schedule", "at": moment})
        with committed():
            assert client.post(action, fields).status_code == 302
    mails = {m.to[0]: m.body for m in mailoutbox}
    assert "is scheduled for 31 Mar 2031, 14:00 (America/New_York)" in mails["nyw@example.com"]
    assert "is scheduled for 31 Mar 2031, 19:00 (Europe/London)" in mails["plain@example.com"]
    assert "Kiritimati" not in "".join(mails.values())

    mailoutbox.clear()
    with time_machine.travel(datetime.datetime(2031, 4, 1, tzinfo=datetime.UTC)), committed():
        call_command("publish_scheduled")
    mails = {m.to[0]: m.body for m in mailoutbox}
    assert (
        "went live as scheduled, at 31 Mar 2031, 14:00 (America/New_York)"
        in mails["nyw@example.com"]
    )
    assert "at 31 Mar 2031, 19:00 (Europe/London)" in mails["plain@example.com"]


def test_the_feature_form_names_the_zone_its_start_is_read_in(client, far_editor):
    html = client.get(reverse("admin:reviews_feature_add")).content.decode()
    assert NOTE in html
    assert "In the site's time zone" not in html
