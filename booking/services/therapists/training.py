"""Who may give a visit with cautions: the training it needs, in words, and the patient's words when nobody
trained has a time (booking.scheduling.qualifications holds the rule itself)."""

from __future__ import annotations

from collections.abc import Collection

from booking.clinic.settings import clinic_settings
from booking.models import Service
from booking.scheduling import qualifications


def training_needed(service: Service, cautions: Collection[str]) -> str | None:
    """What a therapist giving this service needs to be trained in for these cautions, in words; None if nothing."""
    return qualifications.in_words(service.therapy_type, cautions)


def none_trained_free(service: Service, cautions: Collection[str]) -> str | None:
    """What to tell a patient when no trained therapist has a time to offer: call the clinic. None when no training
    is needed."""
    training = training_needed(service, cautions)
    return None if training is None else call_us_untrained(training)


def call_us_untrained(training: str) -> str:
    """The patient's words when no therapist trained in ``training`` has a time to offer: call the clinic."""
    return (f"This visit needs a therapist trained in {training}, and none of them has an open time we can offer "
            f"online. Please call us at {clinic_settings().phone} and we will find you a time.")
