"""Staff passwords: argon2id hashes (argon2-cffi), at least 12 characters, none of the common ones.

The common ones are in ``common_passwords.txt`` (its first line names its source and licence).
"""

from __future__ import annotations

import secrets
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
MAX_LENGTH = 128
COMMON_PASSWORDS = Path(__file__).with_name("common_passwords.txt")

_hasher = PasswordHasher()


@cache
def _common() -> frozenset[str]:
    """The common passwords refused, lower-cased."""
    lines = COMMON_PASSWORDS.read_text().splitlines()[1:]  # the first line says where the list comes from
    return frozenset(line.strip().lower() for line in lines if line.strip())


@cache
def dummy_hash() -> str:
    """A hash no password matches, to verify against when no account has the email typed (the same work)."""
    return hash_password(secrets.token_urlsafe(32))


def password_problem(password: str) -> str | None:
    """Why a new password is refused, in plain words; None when it is fine."""
    if len(password) < MIN_LENGTH:
        return f"Choose a password of at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Choose a password of at most {MAX_LENGTH} characters."
    if password.lower() in _common() or len(set(password)) < 4:
        return "That password is too common or too easy to guess. Choose another, such as a few unrelated words."
    return None


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
