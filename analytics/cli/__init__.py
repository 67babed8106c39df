"""TODO"""
from analytics.cli.main import main  # noqa: F401
