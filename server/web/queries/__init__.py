"""Every database read behind the web pages, one module per resource (beside
:mod:`server.web.pages`). Views stay thin; nothing here commits.

All functions take the :class:`~server.web.access.Scope` of the signed-in person (or grid ids
worked out from it by :func:`.filters.grid_filter`) and never return a row outside it.
"""
