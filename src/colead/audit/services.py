"""Writing audit events. Services call ``record`` inside their own transaction."""

from colead.audit.models import AuditEvent
from colead.core.actor import Actor


def client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record(
    *,
    action: str,
    actor: Actor | None = None,
    organisation=None,
    obj=None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    request=None,
    detail: dict | None = None,
) -> AuditEvent:
    """Write one audit event by ``actor``, naming it by its label and its client address.

    Transitional: until every service takes an ``Actor``, ``actor`` may still be a user
    (or None, written as "system") with the address taken from ``request=``. New code
    passes an ``Actor`` and no request."""
    if isinstance(actor, Actor):
        user, label, address = actor.user, actor.label, actor.address
    else:
        user = actor if actor is not None and actor.is_authenticated else None
        label = user.email if user is not None else "system"
        address = None
    if address is None:
        address = client_ip(request)
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:255]
    return AuditEvent.objects.create(
        organisation=organisation,
        actor=user,
        actor_label=label,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:255],
        ip_address=address,
        detail=detail or {},
    )
