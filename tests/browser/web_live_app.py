"""The WSGI app the browser tests (and the screenshot script) run in a real server process.

    gunicorn tests.browser.web_live_app:app   with KNOCKDOOR_DATABASE_URL and KNOCKDOOR_SECRET_KEY set
"""
from server import create_app

app = create_app()
