"""Public forms of the reviews app."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef

from films.forms import ListFilters, choice
from films.models import CastCredit, Person
from reviews import comments
from reviews.critics import Critic
from reviews.models import RATING_CHOICES, Comment, Review
from reviews.templatetags.review_tags import half_stars

# A rating the scale has, written as the filter form does ("3", "4.5") or "3.0": each other
# way to write it ("3.00", "3e0") names nothing, and makes no new copy in the page cache.
RATINGS = {text: rating for rating, label in RATING_CHOICES for text in (str(rating), label)}


def stars_or_more(rating) -> str:
    """A rating as a floor: "½ star or more", "1 star or more", "4½ stars or more"."""
    return f"{half_stars(rating)} star{'' if rating <= 1 else 's'} or more"


class CommentForm(forms.Form):
    """A reader's comment. Logged-in users are not asked for a name or an email address.

    Besides the fields a reader sees, the form carries a signed timestamp (`form_token`) and a
    honeypot (`website`) that people never fill in. Their findings end up in `spam_signals`.
    """

    name = forms.CharField(label="Name", max_length=100)
    email = forms.EmailField(
        label="Email", max_length=254, help_text="Never shown; only moderators see it."
    )
    body = forms.CharField(
        label="Comment",
        max_length=Comment.MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    notify = forms.BooleanField(
        label="E-mail me when my comment is published or answered",
        required=False,
        help_text="One mail each time; every mail has a link to stop them.",
    )
    parent = forms.IntegerField(
        required=False, widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1
    )
    form_token = forms.CharField(required=False, widget=forms.HiddenInput)
    form_shown = forms.CharField(required=False, widget=forms.HiddenInput)
    website = forms.CharField(label="Leave this field empty", required=False)

    def __init__(self, *args, review: Review, user=None, replies_to: dict | None = None, **kwargs):
        """`replies_to` maps ids to the approved comments one may reply to (no query)."""
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.review = review
        self.user = user if user is not None and user.is_authenticated else None
        self.replies_to = replies_to
        self.spam_signals: list[str] = []
        self.token: comments.FormToken | None = None
        self.fields["body"].help_text = comments.rules_text()
        if self.user is not None:
            del self.fields["name"]
            del self.fields["email"]
        else:
            self.fields["name"].widget.attrs.update(autocomplete="name")
            self.fields["email"].widget.attrs.update(autocomplete="email")
        self.fields["website"].widget.attrs.update(tabindex="-1", autocomplete="off")

    def clean_form_token(self):
        """A forged token is a bot signal (kept as spam, silently); an expired one is said."""
        token = self.cleaned_data.get("form_token") or ""
        try:
            self.token = comments.check_form_token(token, self.review)
        except comments.ForgedToken:
            self.spam_signals.append("forged_token")
        else:
            if self.token.too_fast():
                self.spam_signals.append("too_fast")
        return token

    def clean_name(self):
        name = comments.without_direction_controls(self.cleaned_data.get("name", "")).strip()
        if not name:
            raise ValidationError("Enter the name to show with your comment.", code="required")
        return name

    def clean_body(self):
        body = comments.without_direction_controls(self.cleaned_data.get("body", ""))
        if not body.strip():
            raise ValidationError("Write a comment before posting it.", code="required")
        comments.check_links(body)
        return body

    def clean_website(self):
        value = self.cleaned_data.get("website")
        if value:
            self.spam_signals.append("honeypot")
        return value

    def clean_parent(self):
        parent_id = self.cleaned_data.get("parent")
        if parent_id is None:
            return None
        if self.replies_to is not None:
            parent = self.replies_to.get(parent_id)
        else:
            parent = (
                Comment.objects.approved()
                .filter(review=self.review, pk=parent_id)
                .select_related("parent")
                .first()
            )
        if parent is None:
            raise ValidationError(
                "The comment you are replying to is not available.", code="parent"
            )
        return parent


class ReviewFilters(ListFilters):
    """The review list's filters: the catalogue's genre and year, a rating and a critic; and a
    person, whom their page's link names (too many people for a select: kept in a hidden field
    while the other filters change)."""

    year = choice("Film year")
    rating = choice("Rating")
    critic = choice("Critic")
    person = forms.Field(required=False, widget=forms.HiddenInput)

    listing = "reviews"

    def __init__(self, request):
        super().__init__(request)
        self.offer(rating=[(label, stars_or_more(rating)) for rating, label in RATING_CHOICES])
        # "3.0" is the form's own "3": shown chosen.
        if rating := self.cleaned_data["rating"]:
            self.data["rating"] = dict(RATING_CHOICES)[rating]
        # The hidden field carries on a person found, never a value naming nobody (a NUL).
        person = self.cleaned_data["person"]
        self.data["person"] = person.slug if person is not None else ""

    def clean_rating(self):
        return RATINGS.get(self.cleaned_data["rating"])

    def clean_critic(self):
        return self.found(Critic.objects.named(), "critic")

    def clean_person(self):
        # `acts`: the heading says films *with* an actor, and *by* one who is crew alone.
        acting = CastCredit.objects.filter(person=OuterRef("pk"))
        return self.found(Person.objects.annotate(acts=Exists(acting)), "person")

    def name_of(self, name: str, value) -> str:
        return stars_or_more(value) if name == "rating" else str(value)
