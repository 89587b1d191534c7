"""The ``cocrea`` command line: an adapter like the web app (parse, call an action or a read, print)."""
from .main import main

__all__ = ["main"]
