# PLACEHOLDER: replaced by the audit-page work.
from django.http import HttpResponse


def audit_list(request):
    return HttpResponse("audit")


def audit_export(request):
    return HttpResponse("export")
