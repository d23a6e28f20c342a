"""Fixtures every test folder may use."""
from tests.netns import netns  # noqa: F401  (the private network namespace fixture)
