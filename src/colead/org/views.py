# PLACEHOLDER: replaced by the structure-browser work.
from django.http import HttpResponse


def tree(request):
    return HttpResponse("tree")


def unit_detail(request, code):
    return HttpResponse("unit")


def person_detail(request, employee_number):
    return HttpResponse("person")


