"""The one Jinja2 environment: our templates first, then the NHS.UK frontend macros."""

from django.contrib.messages import get_messages
from django.templatetags.static import static
from django.urls import reverse
from jinja2 import ChoiceLoader, Environment, PackageLoader

from colead.lib import formatting


def url(name: str, *args, **kwargs) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def environment(**options) -> Environment:
    app_loader = options.pop("loader", None)
    loaders = [app_loader] if app_loader else []
    loaders.append(PackageLoader("nhsuk_frontend_jinja"))
    env = Environment(loader=ChoiceLoader(loaders), **options)
    env.globals.update(
        {
            "static": static,
            "url": url,
            "get_messages": get_messages,
        }
    )
    env.filters.update(
        {
            "uk_date": formatting.uk_date,
            "uk_datetime": formatting.uk_datetime,
            "thousands": formatting.thousands,
            "percent": formatting.percent,
        }
    )
    return env
