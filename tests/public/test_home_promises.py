"""The home page promises only what the routing does, and the contact form's thank-you is in view."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from booking.routing import recommend
from tests.public.test_home import GOOD_MESSAGE


def card(page: str, title: str) -> str:
    """The text of the home page card with this title."""
    return re.search(rf"<h3>{re.escape(title)}</h3>\s*<p>(.*?)</p>", page, re.S).group(1)


def test_the_combined_care_card_promises_only_what_the_routing_recommends(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    both = card(page, "Both, in one care plan")
    assert recommend({"concerns": ["post_surgery"], "weeks_since_surgery": 10}).pathway == "physiotherapy"
    assert recommend({"concerns": ["chronic_pain"]}).pathway == "physiotherapy"
    assert "surgery" not in both and "chronic pain and athletic" not in both
    assert recommend({"concerns": ["athletic_performance"]}).pathway == "combined"
    assert recommend({"concerns": ["chronic_pain", "muscle_tension"]}).pathway == "combined"
    assert "athletic performance" in both and "chronic pain\n        together with muscle tension" in both
    assert "surgery" in card(page, "Physiotherapy")


def test_the_thank_you_is_in_view_after_sending_a_message(client: FlaskClient) -> None:
    response = client.post("/", data=GOOD_MESSAGE)
    assert response.status_code == 302 and response.location == "/#notice"
    page = client.get("/").get_data(as_text=True)
    assert re.search(r'<div class="notice" role="status" id="notice" tabindex="-1">\s*<p>Thank you, your message was sent', page)
