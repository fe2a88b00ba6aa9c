"""The three lists (三单制): requests, their tasks and the departments' responsibilities.

The rule is shared (shared/requests.py); this package stores requests, applies moves from
tablets (pushed ops) and from the web view, and logs each request for the tablets of its grid.
"""
