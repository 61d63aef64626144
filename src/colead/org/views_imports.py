# PLACEHOLDER: replaced by the imports work.
from django.http import HttpResponse


def import_index(request):
    return HttpResponse("imports")
