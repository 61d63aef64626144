import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "colead.config.settings")
application = get_wsgi_application()
# Import every URL module (and with them the views and the API's schemas) now, not during
# the first request: under load that first request waited seconds behind the imports.
# With gunicorn's preload_app this happens once, in the master, before the workers fork.
get_resolver().url_patterns  # noqa: B018 - the access imports them
