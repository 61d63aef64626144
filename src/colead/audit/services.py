"""Writing audit events. Services call ``record`` inside their own transaction."""

from colead.audit.models import AuditEvent


def client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record(
    *,
    action: str,
    actor=None,
    organisation=None,
    obj=None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    request=None,
    detail: dict | None = None,
) -> AuditEvent:
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:255]
    if actor is not None and not actor.is_authenticated:
        actor = None
    return AuditEvent.objects.create(
        organisation=organisation,
        actor=actor,
        actor_label=actor.email if actor is not None else "system",
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:255],
        ip_address=client_ip(request),
        detail=detail or {},
    )
