"""Writing audit events. Services call ``record`` inside their own transaction."""

from colead.audit.models import AuditEvent
from colead.core.actor import Actor


def record(
    *,
    action: str,
    actor: Actor,
    organisation=None,
    obj=None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    detail: dict | None = None,
) -> AuditEvent:
    """Write one audit event by ``actor``, naming it by its label (the email, or
    "system (reason)") and its client address."""
    if not isinstance(actor, Actor):
        raise TypeError(f"record() takes an Actor, not {type(actor).__name__}: see core/actor.py")
    user, label, address = actor.user, actor.label, actor.address
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
