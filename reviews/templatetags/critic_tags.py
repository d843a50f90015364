"""Bylines: a review's critic by display name, linked to their page; never the username."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from reviews.critics import byline_name, critic_of

register = template.Library()


@register.simple_tag
def byline(user, css_class: str = "byline__author") -> SafeString:
    """The critic's display name, linked to their page (plain text when they have none)."""
    critic = critic_of(user)
    if critic is None or not critic.is_named:
        return format_html('<span class="{}">{}</span>', css_class, byline_name(user))
    return format_html(
        '<a class="{}" href="{}" rel="author">{}</a>',
        css_class,
        critic.get_absolute_url(),
        critic.display_name,
    )


@register.filter
def critic_name(user) -> str:
    """The name a review by `user` is published under."""
    return byline_name(user)
