"""The one Jinja2 environment: our templates first, then the NHS.UK frontend macros."""

from collections.abc import Sequence

from django.contrib.messages import get_messages
from django.templatetags.static import static
from django.urls import reverse
from jinja2 import ChoiceLoader, Environment, PackageLoader

from colead.lib import formatting


def url(name: str, *args, **kwargs) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def with_error(params: dict, errors=None, error=None) -> dict:
    """An NHS.UK component's params with its ``errorMessage`` set from the page's errors
    (see core/jinja2/macros/fields.jinja): ``error`` if given, else ``errors`` looked up by
    the field's name. A Django form's errors are lists: the first message is shown."""
    message = error
    if not message and errors:
        key = params.get("name") or params.get("namePrefix") or params.get("id")
        message = errors.get(key)
    if isinstance(message, Sequence) and not isinstance(message, str):
        message = message[0] if message else None  # a Django ErrorList
    if not message:
        return params
    return {**params, "errorMessage": {"text": str(message)}}


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
            "with_error": with_error,
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
