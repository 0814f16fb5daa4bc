"""Test-suite settings shared by every folder under tests/."""


def pytest_configure(config):
    # pytest-xdist registers this marker itself; registered here too so that a
    # run without pytest-xdist does not warn about it
    config.addinivalue_line(
        "markers",
        "xdist_group(name): with pytest-xdist's --dist loadgroup, tests of one group share a worker "
        "(the Ray tests: one of them stops every Ray process on the machine)",
    )
