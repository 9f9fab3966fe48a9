"""Delivery channels: one small interface, SMTP and a folder of .eml files behind it.

A channel takes an ``Outgoing`` message and either delivers it or raises
``DeliveryError``, saying whether trying again later may help. To add SMS,
write a class with the same ``send`` (an SMS provider's client turns
``Outgoing.text`` into a text message for ``Outgoing.to``), give the
notification kinds that should use it a phone number as recipient (their
entries in ``booking.notifications.kinds``, their makers in ``drafts``), and
return it from ``channel_for`` for them; nothing else changes (see
docs/notifications.md).
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
import random
import smtplib
import ssl
import threading
from dataclasses import dataclass, field
from email import policy
from email.headerregistry import BaseHeader, HeaderRegistry
from email.message import EmailMessage
from email.utils import formatdate, quote
from pathlib import Path
from typing import Any, Protocol

from flask import current_app

logger = logging.getLogger(__name__)

SMTP_TIMEOUT_SECONDS = 10
# Messages sent on one connection before it is replaced (servers limit a session's messages).
SMTP_MESSAGES_PER_CONNECTION = 100
# A mail file's mode: read and written by the app's own user only.
PRIVATE_FILE = 0o600


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message."""

    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class Outgoing:
    """A rendered message: to whom, what, and the stable id a re-send is recognised by."""

    to: str
    subject: str
    text: str
    html: str
    message_id: str
    attachments: tuple[Attachment, ...] = field(default=())
    reply_to: str | None = None
    # The link that stops this kind of message with one click (RFC 8058): a reminder's "Stop reminders".
    list_unsubscribe: str | None = None


class DeliveryError(Exception):
    """A message not delivered; ``transient`` when trying again later may succeed.

    ``reason`` is short and holds no personal data (no address, no server text).
    """

    def __init__(self, reason: str, *, transient: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.transient = transient


class Channel(Protocol):
    """Something that delivers an Outgoing message or raises DeliveryError."""

    def send(self, message: Outgoing) -> None:
        """Deliver the message."""


class _HeaderClasses(HeaderRegistry):
    """email's header registry, but making each header's class once: the standard one makes a new class
    for every header it parses, which was half the cost of making a message."""

    def __init__(self) -> None:
        super().__init__()
        self._made: dict[str, type[BaseHeader]] = {}

    def __getitem__(self, name: str) -> type[BaseHeader]:
        made = self._made.get(name.lower())
        if made is None:
            made = self._made[name.lower()] = super().__getitem__(name)
        return made


# email's default policy (the same headers, folding and checks) with the header classes made once.
POLICY = policy.default.clone(header_factory=_HeaderClasses())
CRLF = "\r\n"


def email_message(message: Outgoing, sender: str) -> EmailMessage:
    """The message's headers as email (From, To, Reply-To, Subject, Date, Message-ID, List-Unsubscribe) with the
    MIME body made by ``mime_body``: plain text and HTML alternatives, attachments.

    A message with a one-click link gets ``List-Unsubscribe`` and, when the link is https (RFC 8058 asks for
    one HTTPS URI), ``List-Unsubscribe-Post: List-Unsubscribe=One-Click``: a mail client then offers the
    stop and POSTs it without opening a page.

    The headers go through the email package: it encodes what is not ASCII (names, the subject's dash), folds
    long lines and refuses a line break. The body is written here: its parts' headers are fixed text, and
    building and flattening them with the email package cost more worker time than anything else in a message.
    Raises DeliveryError (permanent) when the message cannot be made, e.g. a header with a line break in it:
    trying again would make the same message.
    """
    try:
        email = EmailMessage(policy=POLICY)
        email["From"] = sender
        email["To"] = message.to
        if message.reply_to:
            email["Reply-To"] = message.reply_to
        email["Subject"] = message.subject
        email["Date"] = formatdate(localtime=False)
        email["Message-ID"] = message.message_id
        if message.list_unsubscribe:
            email["List-Unsubscribe"] = f"<{message.list_unsubscribe}>"
            if message.list_unsubscribe.startswith("https://"):
                email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    except (ValueError, TypeError) as exc:
        raise DeliveryError(f"the message could not be made ({type(exc).__name__})", transient=False) from None
    email["MIME-Version"] = "1.0"
    content_type, body = mime_body(message)
    email["Content-Type"] = content_type
    email.set_payload(body)  # already encoded (ASCII, CRLF lines): written out as it is
    return email


def mime_body(message: Outgoing) -> tuple[str, str]:
    """The message's Content-Type and body: multipart/alternative of the text and the HTML (UTF-8,
    quoted-printable), inside multipart/mixed with each attachment (base64) when it has any. The body is
    ASCII with CRLF line ends, as SMTP sends it."""
    alternative = _multipart("alternative", [_text_part("plain", message.text), _text_part("html", message.html)])
    if not message.attachments:
        return alternative
    attachments = [_part([f"Content-Type: {attachment.content_type}", "Content-Transfer-Encoding: base64",
                          f'Content-Disposition: attachment; filename="{quote(attachment.filename)}"'],
                         base64.encodebytes(attachment.content).decode("ascii").replace("\n", CRLF))
                   for attachment in message.attachments]
    content_type, body = alternative
    # Its boundary on a line of its own: a line should hold at most 78 characters.
    return _multipart("mixed", [_part([f"Content-Type: {content_type}".replace("; ", f";{CRLF} ")], body),
                                *attachments])


def _text_part(subtype: str, text: str) -> str:
    """A text part: UTF-8, quoted-printable (readable where it is ASCII, and no line too long), ending with a
    line end as the email package's would."""
    lines = text.encode().splitlines()
    encoded = binascii.b2a_qp(CRLF.encode().join([*lines, b""]), istext=True).decode("ascii")
    return _part([f'Content-Type: text/{subtype}; charset="utf-8"', "Content-Transfer-Encoding: quoted-printable"],
                 encoded)


def _part(headers: list[str], body: str) -> str:
    """A MIME part: its headers, a blank line, its body."""
    return CRLF.join([*headers, "", body])


def _multipart(subtype: str, parts: list[str]) -> tuple[str, str]:
    """The Content-Type and body of a multipart of these parts. The boundary is as the email package makes
    them; no part can hold it: quoted-printable writes "=" as "=3D", and base64 has at most two at its end."""
    boundary = f"{'=' * 15}{random.randrange(10 ** 19):019d}=="
    body = "".join(f"--{boundary}{CRLF}{part}{CRLF}" for part in parts) + f"--{boundary}--{CRLF}"
    return f'multipart/{subtype}; boundary="{boundary}"', body


class SmtpChannel:
    """Email through an SMTP server (MAIL_SERVER, MAIL_PORT, MAIL_USE_TLS, MAIL_USE_SSL, MAIL_USERNAME...).

    Each worker thread keeps its connection open between messages (``_sessions``), as mail
    clients do: connecting, greeting and logging in again for every message cost more than
    sending it. A kept connection is checked with NOOP before it is used, replaced after
    SMTP_MESSAGES_PER_CONNECTION messages, and dropped after any error.
    """

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config

    def send(self, message: Outgoing) -> None:
        """Hand the message to the server; 4xx and connection trouble are transient, 5xx permanent."""
        email = email_message(message, str(self.config["MAIL_DEFAULT_SENDER"]))
        try:
            smtp = self._session()
            smtp.send_message(email)
            _sessions.sent += 1
        except smtplib.SMTPRecipientsRefused as exc:
            _close_session()
            codes = [code for code, _ in exc.recipients.values()]
            raise DeliveryError(f"SMTP {codes[0]} for the recipient",
                                transient=all(400 <= code < 500 for code in codes)) from None
        except smtplib.SMTPResponseException as exc:
            _close_session()
            raise DeliveryError(f"SMTP {exc.smtp_code}", transient=400 <= exc.smtp_code < 500) from None
        except smtplib.SMTPNotSupportedError:  # an address with non-ASCII letters: trying again will not help
            _close_session()
            raise DeliveryError("the mail server cannot take this address (no SMTPUTF8)", transient=False) from None
        except (smtplib.SMTPException, OSError) as exc:
            _close_session()
            raise DeliveryError(f"mail server not reachable ({type(exc).__name__})", transient=True) from None

    def _session(self) -> smtplib.SMTP:
        """This thread's open connection to the configured server, if it still answers; else a new one."""
        config = self.config
        server = tuple(config[name] for name in ("MAIL_SERVER", "MAIL_PORT", "MAIL_USE_SSL", "MAIL_USE_TLS",
                                                 "MAIL_USERNAME", "MAIL_PASSWORD"))
        smtp = getattr(_sessions, "smtp", None)
        if smtp is not None and _sessions.server == server and _sessions.sent < SMTP_MESSAGES_PER_CONNECTION:
            try:
                if smtp.noop()[0] == 250:
                    return smtp
            except (smtplib.SMTPException, OSError):
                _close_session()
        _close_session(politely=True)
        smtp = self._connect()
        _sessions.smtp, _sessions.server, _sessions.sent = smtp, server, 0
        if config["MAIL_USE_TLS"]:
            smtp.starttls(context=ssl.create_default_context())
        if config["MAIL_USERNAME"]:
            smtp.login(str(config["MAIL_USERNAME"]), str(config["MAIL_PASSWORD"] or ""))
        return smtp

    def _connect(self) -> smtplib.SMTP:
        """A connection to the configured server."""
        config = self.config
        kind = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
        return kind(str(config["MAIL_SERVER"]), int(config["MAIL_PORT"]), timeout=SMTP_TIMEOUT_SECONDS)


# Each thread's open SMTP connection (smtp), the settings it was opened with (server), messages sent on it.
_sessions = threading.local()


def _close_session(*, politely: bool = False) -> None:
    """Forget this thread's SMTP connection, if it has one: say QUIT first (``politely``, a connection
    in good order) or just close it (after an error: a server that failed may not answer QUIT)."""
    smtp = getattr(_sessions, "smtp", None)
    _sessions.smtp = None
    if smtp is None:
        return
    try:
        if politely:
            smtp.quit()
    except (smtplib.SMTPException, OSError):
        pass
    smtp.close()


class FolderChannel:
    """Email written as .eml files under INSTANCE_PATH/mail/, for a machine with no mail server.

    The files hold manage and password-reset links, so only the app's own user may read
    them: each file is made 0600 and the folder 0700.
    """

    def __init__(self, folder: Path, sender: str) -> None:
        self.folder = folder
        self.sender = sender

    def send(self, message: Outgoing) -> None:
        """Write the message to a file named by its Message-ID (a re-send overwrites it) and log the name.

        The file is written under a temporary name and renamed, so a reader of
        the folder sees a whole message or none, never a half-written one.
        """
        content = email_message(message, self.sender).as_bytes(policy=POLICY.clone(linesep=CRLF))
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        name = message.message_id.strip("<>").split("@")[0] + ".eml"
        path = self.folder / name
        partial = path.with_suffix(".eml.partial")
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
        os.fchmod(descriptor, PRIVATE_FILE)  # a partial file left by an older version keeps its mode otherwise
        with os.fdopen(descriptor, "wb") as file:
            file.write(content)
        os.replace(partial, path)
        logger.info("mail written to %s", path)


def channel_for(message: Outgoing) -> Channel:
    """The channel a message goes out on: SMTP when MAIL_SERVER is set, else the mail folder."""
    config = current_app.config
    if config["MAIL_SERVER"]:
        return SmtpChannel(dict(config))
    return FolderChannel(Path(current_app.instance_path) / "mail", str(config["MAIL_DEFAULT_SENDER"]))
