"""What one message costs the worker and the database, and the MIME body written without the email package."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from booking.models import NotificationStatus
from booking.notifications import delivery
from booking.notifications.channels import Attachment, FolderChannel, Outgoing, email_message
from tests.factories import Clinic
from tests.notifications.conftest import book_visit, notifications
from tests.smtp import SmtpServer
from tests.staff.therapist_pages import counted_queries

SENDER = "Clinic Zoë <clinic@example.com>"
CALENDAR = b"BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\n" + b"DESCRIPTION:" + b"x" * 200 + b"\r\nEND:VCALENDAR\r\n"
OUTGOING = Outgoing(
    to="alex@example.com", subject="Your visit is booked – Wed 2 Dec at 10:00 a.m. – Clinic Zoë",
    text="Hello Zoë,\n\nA = sign, a line with trailing spaces   \n" + "a long line " * 20 + "\n.\nThe end",
    html="<p>Hello Zoë</p>\r\n<p>" + "a long line " * 20 + "</p>",
    message_id="<0123abcd@book.example>", reply_to="Zoë Lee <zoe@example.com>",
    attachments=(Attachment("visit.ics", "text/calendar; method=REQUEST", CALENDAR),))


def by_the_email_package(message: Outgoing) -> EmailMessage:
    """The same message as the email package builds it (the way it was built before)."""
    email = EmailMessage(policy=policy.default)
    email["From"], email["To"], email["Reply-To"] = SENDER, message.to, message.reply_to
    email["Subject"], email["Message-ID"] = message.subject, message.message_id
    email.set_content(message.text)
    email.add_alternative(message.html, subtype="html")
    for attachment in message.attachments:
        email.add_attachment(attachment.content, maintype="text", subtype="calendar", filename=attachment.filename,
                             params={"method": "REQUEST"})
    return email


def as_received(email: EmailMessage) -> EmailMessage:
    """The message as a mail server receives it and a mail program reads it."""
    return message_from_bytes(email.as_bytes(policy=policy.SMTP), policy=policy.default)


def test_a_message_reads_as_the_email_package_would_make_it() -> None:
    ours, theirs = as_received(email_message(OUTGOING, SENDER)), as_received(by_the_email_package(OUTGOING))
    for header in ("From", "To", "Reply-To", "Subject", "Message-ID"):
        assert str(ours[header]) == str(theirs[header])
    for kind in ("plain", "html"):
        assert ours.get_body((kind,)).get_content() == theirs.get_body((kind,)).get_content()
    [attachment] = ours.iter_attachments()
    assert (attachment.get_content_type(), attachment.get_filename(), attachment.get_param("method")) == (
        "text/calendar", "visit.ics", "REQUEST")
    assert attachment.get_payload(decode=True) == CALENDAR
    assert ours.get_content_type() == "multipart/mixed" and not ours.defects
    assert all(len(line) <= 78 for line in email_message(OUTGOING, SENDER).as_bytes().splitlines())


def test_a_mail_file_is_whole_mime_with_one_kind_of_line_end(tmp_path: Path) -> None:
    FolderChannel(tmp_path, SENDER).send(OUTGOING)
    [path] = tmp_path.glob("*.eml")
    content = path.read_bytes()
    assert content.count(b"\n") == content.count(b"\r\n")
    mail = message_from_bytes(content, policy=policy.default)
    assert mail.get_body(("plain",)).get_content().startswith("Hello Zoë")


def test_a_message_costs_one_read_and_two_writes_of_its_row(clinic: Clinic, smtp: SmtpServer) -> None:
    """The claim reads the row with what the message is made from and writes it; the mark writes it once more."""
    book_visit(clinic)
    confirmation = notifications(kind="confirmation")[0]
    with counted_queries() as statements:
        assert delivery.deliver(confirmation.id) == NotificationStatus.SENT
    of_the_outbox = [statement.split()[0] for statement in statements if "notifications" in statement.split("WHERE")[0]]
    assert of_the_outbox == ["SELECT", "UPDATE", "UPDATE"]
    [row] = notifications(kind="confirmation")
    assert (row.status, row.attempts, row.claimed_until, row.last_error) == (NotificationStatus.SENT, 1, None, None)
    assert row.sent_at is not None
    assert len(smtp.sink.to("alex@example.com")) == 1
