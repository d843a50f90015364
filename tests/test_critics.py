"""Critics as people: display names on every byline, their pages and feeds; never a username."""

import datetime
import json
import re
import xml.etree.ElementTree as ET
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from reviews.critics import Critic, CriticLink
from reviews.models import Review
from tests.factories import (
    FilmFactory,
    GenreFactory,
    LibraryImageFactory,
    ReviewFactory,
    SectionFactory,
    UserFactory,
    image_upload,
    user_in_group,
)
from tests.forms import page_form
from tests.photos import assert_private_and_upright, phone_photo
from tests.test_pages import attr, find, find_all, links, main_of, page, text

pytestmark = pytest.mark.django_db
MEDIA = "{http://search.yahoo.com/mrss/}"
LOGIN = "zq-login-7"  # a username that must never reach a public page


@pytest.fixture
def critic():
    user = UserFactory(username=LOGIN, first_name="", last_name="", email="z@example.com")
    critic = Critic.objects.for_user(user)
    critic.display_name = "Mara Lind"
    critic.bio = "Mara Lind writes about thrillers.\n\nShe lives by the sea."
    critic.photo = image_upload("mara.png", size=(300, 375))
    critic.save()
    CriticLink.objects.create(critic=critic, label="Website", url="https://mara.example/")
    return critic


def publish_review(critic, **kwargs) -> Review:
    kwargs.setdefault("published_at", timezone.now() - datetime.timedelta(days=1))
    return ReviewFactory(published=True, author=critic.user, **kwargs)


# The rule: nothing is published under a name-less author -------------------------------------


def test_publishing_needs_the_authors_display_name(critic):
    editor = user_in_group("Editors")
    writer = UserFactory(username="nameless", first_name="", last_name="")
    review = ReviewFactory(author=writer, status=Review.Status.IN_REVIEW)

    with pytest.raises(ValidationError) as refused:
        review.publish(by=editor)

    message = " ".join(refused.value.messages)
    assert "display name" in message
    assert reverse("admin:reviews_critic_change", args=[writer.critic.pk]) in message
    assert Review.objects.get(pk=review.pk).status == Review.Status.IN_REVIEW
    writer.critic.display_name = "Nadia Less"
    writer.critic.save()
    review.publish(by=editor)
    assert Review.objects.get(pk=review.pk).status == Review.Status.PUBLISHED
    assert writer.critic.slug == "nadia-less"


def test_a_writer_is_refused_for_permission_before_the_display_name():
    from django.core.exceptions import PermissionDenied

    writer = user_in_group("Writers", first_name="", last_name="")
    review = ReviewFactory(author=writer, status=Review.Status.IN_REVIEW)
    with pytest.raises(PermissionDenied):
        review.publish(by=writer)


def test_an_author_with_a_full_name_gets_it_as_display_name():
    author = UserFactory(username="jdoe", first_name="Jane", last_name="Doe")
    review = ReviewFactory(author=author)

    assert review.author.critic.display_name == "Jane Doe"
    assert review.author.critic.slug == "jane-doe"


def test_the_admin_says_how_to_set_a_display_name(client):
    editor = user_in_group("Editors", first_name="Edie", last_name="Editor")
    writer = UserFactory(username="nameless", first_name="", last_name="")
    review = ReviewFactory(author=writer, status=Review.Status.IN_REVIEW)
    client.force_login(editor)

    response = client.post(
        reverse("admin:reviews_review_transition", args=[review.pk, "publish"]), follow=True
    )

    shown = " ".join(str(m) for m in response.context["messages"])
    assert "display name" in shown
    assert reverse("admin:reviews_critic_change", args=[writer.critic.pk]) in shown
    assert "--display-name" not in shown  # the import command's option, said there
    assert Review.objects.get(pk=review.pk).status == Review.Status.IN_REVIEW
    page = client.get(reverse("admin:reviews_critic_change", args=[writer.critic.pk]))
    assert page.status_code == 200
    assert b"Required before any of their reviews can be published" in page.content


def test_the_slug_help_shows_the_address_it_makes(client, critic):
    """Django's admin writes help text as HTML: a placeholder in angle brackets was read as a
    tag, and the editor saw '/critics//'."""
    client.force_login(user_in_group("Editors"))
    change = client.get(reverse("admin:reviews_critic_change", args=[critic.pk]))

    help_text = text(find(page(change), "div", id="id_slug_helptext"))

    assert help_text == (
        "The last part of the critic page’s address, /critics/…/; made from the display name "
        "when empty."
    )


def test_import_review_publishes_only_under_a_display_name(seed_review_path, seed_film_path):
    call_command("import_film", str(seed_film_path), verbosity=0)
    UserFactory(username="admin", first_name="", last_name="", is_superuser=True, is_staff=True)

    with pytest.raises(CommandError, match="--display-name") as refused:
        call_command(
            "import_review",
            str(seed_review_path),
            "--film",
            "ballerina",
            "--author",
            "admin",
            "--publish",
            stdout=StringIO(),
        )
    assert not Review.objects.exists()
    # The profile it points to is theirs, and there: not one the refusal rolled back, whose
    # number the next profile made would take.
    profile = Critic.objects.get(user__username="admin")
    assert f"/admin/reviews/critic/{profile.pk}/change/" in str(refused.value)

    out = StringIO()
    call_command(
        "import_review",
        str(seed_review_path),
        "--film",
        "ballerina",
        "--author",
        "admin",
        "--publish",
        "--display-name",
        "Ada Critic",
        stdout=out,
    )
    review = Review.objects.get()
    assert review.is_public
    assert review.author.critic.display_name == "Ada Critic"
    assert "now publishes as “Ada Critic”" in out.getvalue()


def test_a_refused_import_renames_no_one(seeded_review, seed_review_path):
    """The same file again is refused (its slug is taken): the display name stays, and the
    command does not claim to have changed it."""
    out = StringIO()
    with pytest.raises(CommandError, match="already exists"):
        call_command(
            "import_review",
            str(seed_review_path),
            "--film",
            "ballerina",
            "--author",
            "critic",
            "--display-name",
            "Someone Else",
            stdout=out,
        )
    assert "now publishes" not in out.getvalue()
    assert Critic.objects.get(user__username="critic").display_name == "Mara Lind"


# Bylines, the critic filter, JSON-LD --------------------------------------------------------


def test_bylines_link_to_the_critic_page(client, critic):
    review = publish_review(critic)

    main = main_of(client.get(review.get_absolute_url()))
    assert links(find(main, cls="byline")) == [("Mara Lind", "/critics/mara-lind/")]
    card = find(main_of(client.get("/reviews/")), cls="review-card")
    assert ("Mara Lind", "/critics/mara-lind/") in links(card)


def test_the_critic_filter_offers_display_names(client, critic):
    review = publish_review(critic)
    publish_review(Critic.objects.for_user(UserFactory(first_name="Other", last_name="One")))

    form = find(main_of(client.get("/reviews/")), "form", cls="filters")
    options = [
        (attr(o, "value"), text(o))
        for o in find_all(form, "option")
        if attr(o, "value") and find_all(form, "select", name="critic")
    ]
    assert ("mara-lind", "Mara Lind") in options
    listed = main_of(client.get("/reviews/?critic=mara-lind"))
    assert [text(a) for a in find_all(listed, "a", cls="card__link")] == [review.headline]


# The critic's page ---------------------------------------------------------------------------


def test_the_critic_page_shows_bio_photo_links_feed_and_paginated_reviews(client, critic):
    for n in range(14):
        publish_review(
            critic,
            headline=f"Review number {n:02}",
            published_at=timezone.now() - datetime.timedelta(days=n + 1),
        )
    ReviewFactory(author=critic.user, headline="Still a draft")

    response = client.get("/critics/mara-lind/")
    main = main_of(response)
    assert text(find(main, "h1")) == "Mara Lind"
    assert "She lives by the sea." in text(main)
    assert attr(find(main, "img"), "alt") == "Portrait of Mara Lind"
    assert ("Website", "https://mara.example/") in links(main)
    assert any(href == "/critics/mara-lind/feed/" for _, href in links(main))
    headlines = [text(a) for a in find_all(main, "a", cls="card__link")]
    assert headlines == [f"Review number {n:02}" for n in range(12)]
    second = main_of(client.get("/critics/mara-lind/?page=2"))
    assert [text(a) for a in find_all(second, "a", cls="card__link")] == [
        "Review number 12",
        "Review number 13",
    ]
    html = response.content.decode()
    assert "Still a draft" not in html
    assert re.search(r'<meta property="og:image" content="http://testserver/media/critics/', html)


def test_a_portrait_from_a_phone_is_stored_upright_without_its_location(client, critic):
    publish_review(critic)
    client.force_login(user_in_group("Editors"))
    change = reverse("admin:reviews_critic_change", args=[critic.pk])
    action, fields = page_form(client.get(change).content.decode(), id="critic_form")
    response = client.post(action or change, {**fields, "photo": phone_photo()})
    assert response.status_code == 302, response.content.decode()[:3000]
    critic.refresh_from_db()
    with critic.photo.open("rb") as stored:
        assert_private_and_upright(stored.read())
    assert (critic.photo_width, critic.photo_height) == (400, 600)
    client.logout()
    portrait = find(main_of(client.get("/critics/mara-lind/")), "img")
    assert (attr(portrait, "width"), attr(portrait, "height")) == ("400", "600")


def test_a_writer_keeps_their_own_profile_and_no_one_elses(client, critic):
    """A new writer sets the name their byline shows from "Your profile": no editor needed
    before their first review can go out. Other writers' profiles stay out of reach."""
    writer = user_in_group("Writers", username="newbie", first_name="", last_name="")
    client.force_login(writer)
    newsroom = client.get(reverse("admin:index")).content.decode()
    mine = reverse("admin:reviews_critic_mine")
    assert f'href="{mine}">Your profile</a>' in newsroom

    opened = client.get(mine)  # made on first need
    own = Critic.objects.get(user=writer)
    change = reverse("admin:reviews_critic_change", args=[own.pk])
    assert opened["Location"] == change
    action, fields = page_form(client.get(change).content.decode(), id="critic_form")
    assert "user" not in fields  # whose profile it is, is not theirs to change
    fields |= {"display_name": "Nia Okoye", "slug": "", "bio": "Nia writes about horror."}
    assert client.post(action or change, fields).status_code == 302
    own.refresh_from_db()
    assert (own.display_name, own.bio) == ("Nia Okoye", "Nia writes about horror.")

    assert list(
        client.get(reverse("admin:reviews_critic_changelist")).context["cl"].result_list
    ) == [own]
    others = reverse("admin:reviews_critic_change", args=[critic.pk])
    assert client.get(others).status_code in (302, 403)
    action, fields = page_form(client.get(change).content.decode(), id="critic_form")
    refused = client.post(others, {**fields, "display_name": "Hijacked"})
    assert refused.status_code in (302, 403)
    critic.refresh_from_db()
    assert critic.display_name == "Mara Lind"
    assert client.get(reverse("admin:reviews_critic_add")).status_code == 403
    # A moderator writes no reviews: no profile of their own to keep here.
    client.force_login(user_in_group("Moderators", username="mo"))
    assert "Your profile" not in client.get(reverse("admin:index")).content.decode()


def account_shown(response):
    """The read-only "User" of a critic's profile page, as shown beside its label."""
    [row] = [
        row
        for row in find_all(main_of(response), "div", cls="flex-container")
        if [text(label) for label in find_all(row, "label")] == ["User:"]
    ]
    return find(row, "div", cls="readonly")


def test_a_writer_keeps_the_links_on_their_own_profile(client, critic):
    """The profile's links are the writer's to keep, as their biography and portrait are."""
    writer = user_in_group("Writers", username="linked", first_name="Nia", last_name="Okoye")
    own = Critic.objects.for_user(writer)
    CriticLink.objects.create(critic=own, label="Website", url="https://old.example/")
    client.force_login(writer)
    change = reverse("admin:reviews_critic_change", args=[own.pk])

    action, fields = page_form(client.get(change).content.decode(), id="critic_form")
    prefix = next(name.removesuffix("-TOTAL_FORMS") for name in fields if "TOTAL_FORMS" in name)
    fields[f"{prefix}-0-url"] = "https://nia.example/"
    fields |= {f"{prefix}-1-label": "Newsletter", f"{prefix}-1-url": "https://news.example/"}
    saved = client.post(action or change, fields)

    assert saved.status_code == 302, saved.context and saved.context["errors"]
    assert list(own.links.values_list("label", "url")) == [
        ("Website", "https://nia.example/"),
        ("Newsletter", "https://news.example/"),
    ]
    others = reverse("admin:reviews_critic_change", args=[critic.pk])
    assert client.get(others).status_code in (302, 403)  # and no one else's


def test_a_writer_sees_their_account_on_their_profile_as_a_name_not_a_dead_link(client, critic):
    """The account is read-only on the profile page; a link to its page in the user admin
    would answer a writer 403. Whoever may open that page keeps the link."""
    writer = user_in_group("Writers", username="newbie", first_name="Nia", last_name="Okoye")
    client.force_login(writer)
    opened = client.get(reverse("admin:reviews_critic_mine"), follow=True)
    users = reverse("admin:auth_user_changelist")

    assert text(account_shown(opened)) == "newbie"
    assert not [href for _, href in links(main_of(opened)) if href.startswith(users)]
    assert client.get(reverse("admin:auth_user_change", args=[writer.pk])).status_code == 403

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    opened = client.get(reverse("admin:reviews_critic_change", args=[writer.critic.pk]))
    assert links(account_shown(opened)) == [
        ("newbie", reverse("admin:auth_user_change", args=[writer.pk]))
    ]


def test_a_portrait_over_the_size_cap_is_refused_and_the_stored_one_kept(client, critic, settings):
    client.force_login(user_in_group("Editors"))
    change = reverse("admin:reviews_critic_change", args=[critic.pk])
    action, fields = page_form(client.get(change).content.decode(), id="critic_form")
    assert client.post(action or change, {**fields, "photo": phone_photo()}).status_code == 302
    critic.refresh_from_db()
    stored = critic.photo.name

    settings.MARQUEE_MAX_IMAGE_BYTES = 1024
    html = client.get(change).content.decode()
    # The browser is told the cap too (upload-limit.js refuses the file before sending it).
    assert 'data-max-bytes="1024"' in html
    action, fields = page_form(html, id="critic_form")
    response = client.post(action or change, {**fields, "photo": phone_photo()})
    assert response.status_code == 200
    assert "the limit is 1.0\xa0KB" in response.content.decode()
    critic.refresh_from_db()
    assert critic.photo.name == stored


def test_a_critic_without_published_reviews_has_no_page(client, critic):
    ReviewFactory(author=critic.user)  # a draft

    assert client.get("/critics/mara-lind/").status_code == 404
    assert client.get("/critics/mara-lind/feed/").status_code == 404
    assert client.get("/critics/no-such-critic/").status_code == 404


# The list of critics --------------------------------------------------------------------------


def test_the_critics_page_lists_who_has_a_public_review_with_their_latest(client, critic):
    day = datetime.timedelta(days=1)
    publish_review(critic, headline="An older review", published_at=timezone.now() - 5 * day)
    latest = publish_review(
        critic, headline="The latest public one", published_at=timezone.now() - day
    )
    ReviewFactory(author=critic.user, headline="A newer draft")
    ReviewFactory(
        author=critic.user,
        headline="Scheduled for next week",
        status=Review.Status.SCHEDULED,
        published_at=timezone.now() + 7 * day,
    )
    drafts_only = Critic.objects.for_user(UserFactory(first_name="Dora", last_name="Draft"))
    ReviewFactory(author=drafts_only.user, headline="Dora's draft")
    other = Critic.objects.for_user(UserFactory(first_name="Helen", last_name="Marsh"))
    publish_review(other, headline="Helen on noir")

    response = client.get("/critics/")
    assert response.status_code == 200
    main = main_of(response)
    assert text(find(main, "h1")) == "Critics"
    cards = find_all(main, cls="critic-card")
    names = [text(find(card, cls="critic-card__name")) for card in cards]
    assert names == ["Helen Marsh", "Mara Lind"]
    mara = cards[1]
    assert ("Mara Lind", "/critics/mara-lind/") in links(mara)
    assert attr(find(mara, "img"), "alt") == "Portrait of Mara Lind"
    assert "Mara Lind writes about thrillers." in text(mara)
    assert "2 reviews" in text(mara)
    assert ("The latest public one", latest.get_absolute_url()) in links(mara)
    assert "1 review" in text(cards[0])
    html = response.content.decode()
    for unpublished in ("Dora", "A newer draft", "Scheduled for next week", LOGIN):
        assert unpublished not in html


def test_every_page_links_to_the_critics(client, critic):
    publish_review(critic)
    for url in ("/", "/reviews/", "/critics/mara-lind/"):
        html = client.get(url).content.decode()
        header = html.split('<nav class="site-nav"', 1)[1].split("</nav>", 1)[0]
        footer = html.split('<footer class="site-footer">', 1)[1]
        assert 'href="/critics/"' in header, url
        assert 'href="/critics/"' in footer, url


def test_with_no_public_review_the_critics_page_says_so(client, critic):
    ReviewFactory(author=critic.user)  # a draft

    main = main_of(client.get("/critics/"))
    assert find_all(main, cls="critic-card") == []
    assert "No critics yet" in text(main)


# Feeds ----------------------------------------------------------------------------------------


def feed_items(client, url: str) -> list[ET.Element]:
    response = client.get(url)
    assert response.status_code == 200, url
    root = ET.fromstring(response.content)  # noqa: S314 (our own output)
    return root.findall("./channel/item") or root.findall("{http://www.w3.org/2005/Atom}entry")


def test_the_critic_and_genre_feeds_hold_their_own_reviews(client, critic):
    noir, comedy = GenreFactory(name="Noir"), GenreFactory(name="Comedy")
    mine = publish_review(critic, film=FilmFactory(genres=[noir]), headline="Mine")
    other = ReviewFactory(published=True, film=FilmFactory(genres=[comedy]), headline="Theirs")
    ReviewFactory(author=critic.user, film=FilmFactory(genres=[noir]), headline="Draft")

    by_critic = feed_items(client, "/critics/mara-lind/feed/")
    assert [item.findtext("title") for item in by_critic] == ["Mine"]
    assert [item.findtext("title") for item in feed_items(client, "/genres/noir/feed/")] == ["Mine"]
    assert [item.findtext("title") for item in feed_items(client, "/genres/comedy/feed/")] == [
        "Theirs"
    ]
    assert {item.findtext("title") for item in feed_items(client, "/feed/")} == {
        mine.headline,
        other.headline,
    }
    assert client.get("/genres/no-such/feed/").status_code == 404


def test_feed_items_carry_headline_rating_image_intro_and_critic(client, critic, settings):
    review = publish_review(
        critic,
        headline="A Comedy of Manners",
        rating="4.5",
        dek="<b>bold</b> & brave",
        intro="The *intro* itself.",
    )
    review.hero = LibraryImageFactory(file=image_upload("hero.png", size=(800, 450)))
    review.save()
    SectionFactory(review=review, heading="The ending", body="Section text here.")

    item = feed_items(client, "/feed/")[0]
    assert item.findtext("title") == "A Comedy of Manners"
    assert item.find(f"{MEDIA}community/{MEDIA}starRating").get("average") == "4.5"
    enclosure = item.find("enclosure")
    assert enclosure.get("url").startswith("http://testserver/media/library/")
    assert enclosure.get("type") == "image/png"
    assert int(enclosure.get("length")) > 0
    media = item.find(f"{MEDIA}content")
    assert (media.get("url"), media.get("width"), media.get("medium")) == (
        enclosure.get("url"),
        "800",
        "image",
    )
    description = item.findtext("description")
    assert "<em>intro</em>" in description
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; brave" in description  # the dek is text, escaped
    assert "Rating: 4½ out of 5 stars" in description
    assert "Section text here." not in description
    assert item.findtext("{http://purl.org/dc/elements/1.1/}creator") == "Mara Lind"

    settings.MARQUEE_FEED_FULL_TEXT = True
    cache.clear()
    description = feed_items(client, "/feed/")[0].findtext("description")
    assert "<h2>The ending</h2>" in description
    assert "Section text here." in description


def test_the_atom_feed_names_the_critic_with_a_link(client, critic):
    publish_review(critic)
    entry = feed_items(client, "/feed/atom/")[0]
    atom = "{http://www.w3.org/2005/Atom}"
    assert entry.findtext(f"{atom}author/{atom}name") == "Mara Lind"
    assert entry.findtext(f"{atom}author/{atom}uri") == "http://testserver/critics/mara-lind/"


def test_feeds_name_a_stylesheet_that_browsers_apply(client, critic):
    publish_review(critic)
    response = client.get("/feed/")
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    assert b'<?xml-stylesheet href="/feed/style.xsl" media="screen" type="text/xsl"?>' in (
        response.content
    )
    style = client.get("/feed/style.xsl")
    assert style["Content-Type"] == "text/xsl; charset=utf-8"
    ET.fromstring(style.content)  # noqa: S314 (well-formed XSLT)


# The promise: a username is never published --------------------------------------------------


def test_no_username_on_any_public_page_feed_or_json_ld(client, critic):
    genre = GenreFactory(name="Noir")
    review = publish_review(critic, film=FilmFactory(title="Dark Water", genres=[genre]))
    SectionFactory(review=review, heading="Plot", body="Dark water everywhere.")

    urls = [
        "/",
        "/reviews/",
        "/reviews/?critic=mara-lind",
        review.get_absolute_url(),
        review.film.get_absolute_url(),
        "/films/",
        genre.get_absolute_url(),
        "/critics/mara-lind/",
        "/critics/mara-lind/feed/",
        "/feed/",
        "/feed/atom/",
        "/genres/noir/feed/",
        "/search/?q=dark",
        "/sitemap.xml",
        "/sitemap-reviews.xml",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert LOGIN not in response.content.decode(), url
    html = client.get(review.get_absolute_url()).content.decode()
    data = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)[1]
    )
    assert data["author"]["name"] == "Mara Lind"
    assert data["author"]["url"] == "http://testserver/critics/mara-lind/"


def test_a_staff_reply_is_signed_with_the_display_name(client, critic):
    from reviews import moderation
    from reviews.models import Comment

    review = publish_review(critic)
    moderator = user_in_group("Moderators", username="zq-mod-login", first_name="", last_name="")
    Critic.objects.for_user(moderator)  # no display name, no full name
    parent = Comment.objects.create(
        review=review,
        name="Ada",
        email="a@example.com",
        body="Great review",
        status=Comment.Status.APPROVED,
    )

    editor = user_in_group("Editors", username="zq-ed-login", first_name="Edie", last_name="Editor")
    profile = Critic.objects.for_user(editor)
    profile.display_name = "E. M. Editor"
    profile.save()

    reply = moderation.reply(parent, moderator, "Thank you!")
    editor_reply = moderation.reply(parent, editor, "Glad you liked it.")

    assert reply.name == "Marquee staff"
    assert editor_reply.name == "E. M. Editor"
    html = client.get(review.get_absolute_url()).content.decode()
    assert "zq-mod-login" not in html
    assert "zq-ed-login" not in html
    assert LOGIN not in html
