"""The web application (public pages, workspace, JSON API): ``create_app(engine)``."""
from .app import create_app

__all__ = ["create_app"]
