"""The audit log in plain words: what each action code and object type means to a reader.

The codes stay in the database, the filter's values and the CSV (scripts and auditors
search them); the page shows these labels. An action missing from the table is still
readable: its code is turned into words ("survey.wave_launch" -> "Survey: wave launch"),
and a test lists every code the source records so that each gets a proper label.
"""

from django.apps import apps

ACTIONS = {
    "accounts.role_granted": "Role given",
    "accounts.user_created": "User account created",
    "admin.add": "Added in administration",
    "admin.change": "Changed in administration",
    "admin.delete": "Deleted in administration",
    "api.refused": "API request refused",
    "api_token.create": "API token created",
    "api_token.revoke": "API token revoked",
    "audit.export": "Audit log downloaded",
    "audit.view": "Audit log viewed",
    "auth.password_reset_requested": "Password reset requested",
    "auth.password_set": "Password set",
    "auth.sign_in": "Signed in",
    "demo.build": "Demo trust built",
    "demo.check_ins": "Demo check-ins recorded",
    "import.cancel": "Import cancelled",
    "import.check_queued": "Import check queued",
    "import.objectives": "Objectives imported",
    "import.preview": "Import previewed",
    "import.responses": "Survey responses imported",
    "import.units": "Units imported",
    "import.upload": "Import file uploaded",
    "import.upload_rejected": "Import file rejected",
    "import.workforce": "Workforce imported",
    "insights.drivers_view": "Drivers of engagement viewed",
    "insights.heatmap_export": "Results heatmap downloaded",
    "insights.headline_view": "The organisation's headline results viewed",
    "insights.heatmap_view": "Results heatmap viewed",
    "insights.reliability_view": "Reliability of results viewed",
    "insights.unit_view": "A unit's results viewed",
    "insights.wave_score": "Survey wave scored",
    "insights.weighted_export": "Weighted organisation scores downloaded",
    "objective.agreed": "Objective agreed",
    "objective.changes_requested": "Changes asked for on an objective",
    "objective.check_in": "Objective checked in",
    "objective.create": "Objective created",
    "objective.proposed": "Objective proposed for agreement",
    "objective.status": "Objective status changed",
    "objective.update": "Objective changed",
    "objectives.coverage_snapshot": "Objectives coverage recorded",
    "objectives.export": "Objectives downloaded",
    "objectives.quality_settings": "Objectives quality rules changed",
    "organisation.create": "Organisation created",
    "people.list": "List of people viewed",
    "person.view": "Person's record viewed",
    "person.view_protected": "Person's protected characteristics viewed",
    "survey.device_link_create": "Shared-device link created",
    "survey.device_poster_download": "Shared-device poster downloaded",
    "survey.forms_record": "Paper survey forms recorded",
    "survey.instrument_import": "Survey questionnaire imported",
    "survey.invitations_queue": "Survey invitations queued",
    "survey.reminders_queue": "Survey reminders queued",
    "survey.responses_import": "Survey responses imported",
    "survey.wave_close": "Survey wave closed",
    "survey.wave_create": "Survey wave created",
    "survey.wave_extend": "Survey wave extended",
    "survey.wave_generalise": "Survey wave's small groups merged",
    "survey.wave_launch": "Survey wave launched",
    "vision.approve": "Vision approved",
    "vision.draft": "Vision drafted",
    "vision.update": "Vision draft changed",
}

# Object types are models' labels (``obj._meta.label_lower``) or a name a service gives.
# Models not listed here read as their own verbose name ("org.pendingupload" ->
# "Pending upload").
OBJECT_TYPES = {
    "accounts.apitoken": "API token",
    "accounts.roleassignment": "Role",
    "accounts.user": "User account",
    "api": "API",
    "direction.coveragesnapshot": "Objectives coverage record",
    "direction.objective": "Objective",
    "direction.qualitypolicy": "Objectives quality rules",
    "direction.vision": "Vision",
    "insights.wavescores": "Survey wave scores",
    "org.importrun": "Import",
    "org.organisation": "Organisation",
    "org.pendingupload": "Pending upload",
    "org.person": "Person",
    "surveys.responseimport": "Survey responses import",
    "surveys.wave": "Survey wave",
}


def _words(code: str) -> str:
    text = code.replace("_", " ").replace(".", ": ", 1).strip()
    return text[:1].upper() + text[1:]


def action_label(code: str) -> str:
    """An audit action in plain words."""
    return ACTIONS.get(code) or _words(code)


def object_type_label(code: str) -> str:
    """An audit event's object type in plain words ("" for none)."""
    if not code:
        return ""
    if code in OBJECT_TYPES:
        return OBJECT_TYPES[code]
    try:
        name = str(apps.get_model(code)._meta.verbose_name)
    except (LookupError, ValueError):
        return _words(code)
    return name[:1].upper() + name[1:]
