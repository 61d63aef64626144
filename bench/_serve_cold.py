"""For bench/results_pages.py: serves colead as ``colead runserver`` does, but without
warming the results caches at the start (``colead.insights.warm``), to measure what the
first results page cost before it. Not for any other use.

    python bench/_serve_cold.py PORT
"""

import sys

import django
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import run
from django.urls import get_resolver

if __name__ == "__main__":
    django.setup()
    get_resolver().url_patterns  # noqa: B018 - as colead.config.wsgi does: import the views
    run("127.0.0.1", int(sys.argv[1]), WSGIHandler(), threading=True)
