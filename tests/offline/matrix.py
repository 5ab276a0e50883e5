"""The offline routes in the authorization matrix, gathered from matrix_<part>.py."""

from tests.matrix_parts import gather

ENTRIES, ids = gather(__file__)
