"""NHS.UK form fields that show their own error (core/jinja2/macros/fields.jinja)."""

from django import forms
from django.template import engines
from django.urls import reverse

from colead.config.jinja2 import with_error


def render(source: str, **context) -> str:
    return engines["jinja2"].from_string(source).render(context)


FIELD = {"label": {"text": "Title"}, "id": "title", "name": "title"}
IMPORT = '{% from "macros/fields.jinja" import input, dateInput, radios %}'


def test_a_field_with_an_error_shows_it_against_the_field():
    html = render(
        IMPORT + "{{ input(field, errors) }}", field=FIELD, errors={"title": "Enter a title"}
    )
    assert 'id="title-error"' in html
    assert "Enter a title" in html
    assert "nhsuk-form-group--error" in html
    assert 'aria-describedby="title-error"' in html


def test_a_field_without_an_error_renders_as_the_plain_component():
    plain = render(
        '{% from "nhsuk/components/input/macro.jinja" import input %}{{ input(field) }}',
        field=FIELD,
    )
    assert (
        render(IMPORT + "{{ input(field, errors) }}", field=FIELD, errors={"other": "x"}) == plain
    )
    assert render(IMPORT + "{{ input(field, missing) }}", field=FIELD) == plain


def test_an_explicit_error_wins_and_a_false_condition_shows_none():
    source = IMPORT + '{{ input(field, error="Enter a title" if bad) }}'
    assert "Enter a title" in render(source, field=FIELD, bad=True)
    assert "nhsuk-error-message" not in render(source, field=FIELD, bad=False)


def test_radios_and_date_inputs_find_their_error_by_name_or_prefix():
    radios = {"name": "status", "items": [{"value": "a", "text": "A"}]}
    html = render(IMPORT + "{{ radios(p, errors) }}", p=radios, errors={"status": "Choose one"})
    assert "Choose one" in html
    date = {"id": "due", "namePrefix": "due", "items": []}
    html = render(IMPORT + "{{ dateInput(p, errors) }}", p=date, errors={"due": "Enter a date"})
    assert "Enter a date" in html


def test_a_django_form_shows_the_first_message_of_the_field():
    class Form(forms.Form):
        title = forms.CharField()

    form = Form(data={})
    assert not form.is_valid()
    assert with_error(FIELD, form.errors)["errorMessage"] == {"text": "This field is required."}
    assert with_error(FIELD, Form(data={"title": "x"}).errors) == FIELD


def test_the_sign_in_page_shows_its_error_against_the_email_field(client, persona_users):
    response = client.post(
        reverse("accounts:login"), {"username": "manager@test.test", "password": "wrong"}
    )
    page = response.content.decode()
    assert 'id="id_username-error"' in page
    assert "Enter your email address and password" in page
    assert 'id="id_password-error"' not in page
