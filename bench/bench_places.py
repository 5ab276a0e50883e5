"""Places pages at state scale."""

from bench.harness import report


def run(bench) -> None:
    client = bench.client("state")
    for name, path in (
        ("places_state_districts_ms", "/places/"),
        ("places_state_parts_search_ms", "/places/parts?q=school+100"),
        ("home_state_ms", "/"),
    ):

        def get(path=path):
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)

        report(name, bench.median_ms(get), "ms")
