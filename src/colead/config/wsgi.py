import os
import sys

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "colead.config.settings")
application = get_wsgi_application()

from colead.insights import warm  # noqa: E402 - the apps must be loaded first

# Import every URL module (and with them the views and the API's schemas) now, not during
# the first request: under load that first request waited seconds behind the imports.
# With gunicorn's preload_app this happens once, in the master, before the workers fork.
get_resolver().url_patterns  # noqa: B018 - the access imports them
# The first results page would otherwise wait seconds for libraries, templates and each
# wave's tables: load the libraries and templates now (no database: before gunicorn forks),
# then build the rest; runserver (the demo) serves once that is done, while gunicorn's
# workers do it in a background thread after the fork (post_fork in gunicorn.conf.py), as
# no connection may be opened before it.
warm.prepare()
if "gunicorn" not in sys.modules:
    warm.run()
