"""Column types every feature's tables share."""

from sqlalchemy import Enum


def value_enum(cls, length: int) -> Enum:
    """A string enum stored by its values (not its names) in a VARCHAR(length), no native type."""
    return Enum(cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])
