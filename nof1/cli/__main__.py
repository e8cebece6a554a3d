"""``python -m nof1.cli``."""

from . import run

run()
