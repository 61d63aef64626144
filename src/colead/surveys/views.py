# PLACEHOLDER: replaced by the wave-management work.
from django.http import HttpResponse


def wave_list(request):
    return HttpResponse("waves")
