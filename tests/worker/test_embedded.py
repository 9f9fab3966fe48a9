"""The embedded default, as `make run` has it on a fresh clone: SQLite, no Redis, no mail server."""

from __future__ import annotations

from email import message_from_bytes, policy
from pathlib import Path

from booking.clinic.times import local_time
from tests.conftest import make_app, migrate
from tests.factories import small_clinic
from tests.notifications.test_delivery import calendar_of
from tests.worker.conftest import RUN
from tests.worker.journeys import PATIENT, book, text_of, visit_at
from tests.worker.processes import Launcher, Stack, eventually


def test_with_no_server_at_all_a_real_worker_writes_the_confirmation_under_the_instance_folder(
        tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'booking.sqlite3'}"
    migrate(url)
    stack = Stack(None, f"embedded-{RUN}", None, url, tmp_path)
    app = make_app(url, **stack.settings(), INSTANCE_PATH=str(tmp_path))
    launcher = Launcher(stack)
    mail = tmp_path / "mail"
    try:
        worker = launcher.worker()
        assert "broker: the embedded filesystem broker" in worker.output()
        with app.app_context():
            starts_at = visit_at(days=3, hour=10)
            book(app.test_client(), small_clinic(), starts_at)
            eventually(lambda: len(list(mail.glob("*.eml"))) == 2, 30, "the confirmation and the therapist's notice")
            emails = [message_from_bytes(path.read_bytes(), policy=policy.default) for path in mail.glob("*.eml")]
            [confirmation] = [email for email in emails if email["To"] == PATIENT]
            assert confirmation["Subject"].startswith("Your visit is booked")
            assert "WARNING" not in worker.output(), "a fresh clone's worker should start and send without a warning"
            assert local_time(starts_at) in text_of(confirmation)
            assert calendar_of(confirmation).walk("VEVENT")[0].decoded("DTSTART") == starts_at
    finally:
        launcher.stop_all()
