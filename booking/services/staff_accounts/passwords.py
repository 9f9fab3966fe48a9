"""Staff passwords: argon2id hashes (argon2-cffi), at least 12 characters, none easy to guess.

"Easy to guess" is zxcvbn's estimate below "safely unguessable" (score 3 of 4):
it knows common passwords, names and words, and sees through the usual
disguises (a common password padded with digits or symbols, keyboard runs,
repeats, dates, l33t spelling), as well as the account's own email.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections.abc import Iterable
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
MAX_LENGTH = 128
# zxcvbn's scores run 0 to 4; 3 is "safely unguessable: moderate protection from offline slow-hash scenario".
MIN_STRENGTH = 3

_hasher = PasswordHasher()
# zxcvbn keeps the words it is given about the account in a module-level dictionary: one estimate at a time.
_estimating = threading.Lock()


@cache
def dummy_hash() -> str:
    """A hash no password matches, to verify against when no account has the email typed (the same work)."""
    return hash_password(secrets.token_urlsafe(32))


def _words_of(text: str) -> list[str]:
    """What a password might be made of in an email or name: it whole, its parts, its parts run together."""
    parts = re.split(r"[^a-z0-9]+", text.lower())
    local = re.split(r"[^a-z0-9]+", text.lower().partition("@")[0])
    return [text, *parts, "".join(local)]


def password_problem(password: str, about: Iterable[str] = ()) -> str | None:
    """Why a new password is refused, in plain words; None when it is fine.

    ``about`` holds what is known of the account (its email): a password made of it is easy to guess.
    """
    if len(password) < MIN_LENGTH:
        return f"Choose a password of at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Choose a password of at most {MAX_LENGTH} characters."
    from zxcvbn import zxcvbn  # here, not at the top: its word lists are 12 MiB, in every web worker otherwise

    words = [word for text in about for word in _words_of(text)]
    with _estimating:
        estimate = zxcvbn(password, user_inputs=words, max_length=MAX_LENGTH)
    if estimate["score"] >= MIN_STRENGTH:
        return None
    warning = estimate["feedback"]["warning"]
    return ("That password is too common or too easy to guess." + (f" {warning}" if warning else "")
            + " Choose another, such as three or four unrelated words.")


def hash_password(password: str) -> str:
    """The argon2id hash to store."""
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """Whether the password matches the stored hash (in constant time)."""
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """Whether the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(stored_hash)
