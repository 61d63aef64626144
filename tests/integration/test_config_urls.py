"""The site's URLs: OpenID Connect sign-in is routed only when it is switched on. Here the
URL module is loaded again, apart from the one the site uses, with the setting on; the
subprocess test in test_settings_and_health.py covers the whole switched-on process."""

import importlib.util

import pytest
from django.urls import NoReverseMatch, reverse

import colead.config.urls


def loaded_urls(name):
    """colead.config.urls loaded afresh as module ``name`` (the site's own is left as is)."""
    spec = importlib.util.spec_from_file_location(name, colead.config.urls.__file__)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_switched_on_openid_connect_routes_its_sign_in_under_oidc(settings):
    settings.OIDC_ENABLED = True
    urls = loaded_urls("colead_urls_with_oidc")
    assert reverse("oidc_authentication_init", urlconf=urls) == "/oidc/authenticate/"
    assert reverse("oidc_authentication_callback", urlconf=urls) == "/oidc/callback/"
    assert reverse("home:healthz", urlconf=urls) == reverse("home:healthz")  # the rest as before


def test_switched_off_openid_connect_has_no_route(settings):
    settings.OIDC_ENABLED = False
    urls = loaded_urls("colead_urls_without_oidc")
    with pytest.raises(NoReverseMatch):
        reverse("oidc_authentication_init", urlconf=urls)
    assert not any(str(pattern.pattern) == "oidc/" for pattern in urls.urlpatterns)
