"""gunicorn settings for colead: `gunicorn colead.config.wsgi` picks this file up from the
working directory (or pass `-c gunicorn.conf.py`).

Survey links carry a personal token in their first request, /take/<token>/. gunicorn's
access and error logs pass every value through colead.surveys.logging.redact, so the token
is written as [token] (docs/privacy.md). The survey cookie's value is redacted too, should
anyone add the Cookie header to the format.
"""

import multiprocessing

from gunicorn.glogging import Logger

from colead.surveys.logging import RedactSurveyTokens, redact

# gunicorn's default format, spelled out: client, time, request line, status, size,
# referrer, user agent. The request line and referrer are redacted by the logger below.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"'


class RedactingLogger(Logger):
    """gunicorn's logger, with survey tokens taken out of every access-log atom (request
    line, path, referrer, headers) and out of error-log records."""

    def setup(self, cfg):
        super().setup(cfg)
        self.error_log.addFilter(RedactSurveyTokens())

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: redact(v) if isinstance(v, str) else v for key, v in atoms.items()}


logger_class = RedactingLogger

# Two processes per core, each with a few threads (gunicorn's gthread worker): a thread
# waiting for the database to commit lets another use the core, and clients can keep their
# connection open between requests. Measured in bench/survey_load.py (docs/benchmarks.md).
workers = 2 * multiprocessing.cpu_count()
threads = 4
# Load the application (Django, every URL module, the views) once in the master and fork
# the workers from it: a worker started after one dies serves at once, instead of importing
# everything while requests queue behind it. No database connection is opened before the
# fork. The price: `kill -HUP` no longer loads new code; restart the master to deploy.
preload_app = True
# Seconds an idle keep-alive connection is held open. Above gunicorn's default of 2: a
# client that reuses a connection just as the server closes it gets an error rather than
# a reply, and respondents' phones and kiosks pause for more than 2 s often. Behind a
# proxy, set this above the proxy's own idle timeout.
keepalive = 5


def post_fork(server, worker):
    """Build the results caches of the latest waves in each worker, in the background: the
    master loaded the libraries and templates before the fork, but opens no database
    connection (colead.insights.warm)."""
    from colead.insights import warm

    warm.start()
