"""Password hashing with the method the configuration names: scrypt in production, and a cheap
one that only the test configuration may choose (a sign-in costs 1 ms instead of 0.2 s)."""

from __future__ import annotations

from functools import cache

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

PRODUCTION_METHOD = "scrypt"


def method() -> str:
    return current_app.config.get("PASSWORD_HASH_METHOD", PRODUCTION_METHOD)


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=method())


def check_password(password_hash: str, password: str) -> bool:
    """The hash names its own method, so an account keeps signing in after the method changes."""
    return check_password_hash(password_hash, password)


@cache
def _hash_of(password: str, hash_method: str) -> str:
    return generate_password_hash(password, method=hash_method)


def cached_hash(password: str) -> str:
    """One hash of a fixed password (the demo accounts', the unknown login's), made once per method."""
    return _hash_of(password, method())


def check_against_nothing(password: str) -> None:
    """Spend what a real check spends, so an unknown login answers in the same time as a known one."""
    check_password_hash(cached_hash("not-a-real-password"), password)
