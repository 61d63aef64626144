# PLACEHOLDER: replaced by the respondent-journey work.
from django.http import HttpResponse


def start(request, token):
    return HttpResponse("start")
