"""The volunteers' routes in the authorization matrix: each part of the feature lists its own in
tests/volunteers/matrix_<part>.py (ENTRIES, and ids(app) for the objects its URLs need)."""

from tests.matrix_parts import gather

ENTRIES, ids = gather(__file__)
