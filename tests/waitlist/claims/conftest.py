"""Fixtures of the claim tests: a small clinic on an empty database."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.factories import Clinic, small_clinic


@pytest.fixture
def clinic(app: Flask) -> Clinic:
    """A service and two therapists of each kind, and a screening of each kind."""
    return small_clinic()
