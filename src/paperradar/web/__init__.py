"""Web: the ASGI app (server-rendered pages, JSON APIs, feeds). ``create_app(settings)``."""
