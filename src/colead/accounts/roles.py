"""Roles and the permissions each grants. Roles are persisted by these stable names."""

from enum import StrEnum

from django.db import models


class Permission(StrEnum):
    """Everything a user can be allowed to do, named NOUN_VERB. Deny by default."""

    ORG_VIEW = "org_view"  # see the organisation's structure (units, headcounts)
    PERSON_VIEW = "person_view"  # see people's work details in a subtree
    PERSON_VIEW_PROTECTED = "person_view_protected"  # see protected characteristics
    WORKFORCE_IMPORT = "workforce_import"  # import units and workforce files
    LEADERSHIP_POST_VIEW = "leadership_post_view"
    AUDIT_VIEW = "audit_view"  # read and export the audit log
    ADMIN_ACCESS = "admin_access"  # the organisation-scoped Django admin
    ROLE_MANAGE = "role_manage"  # give and remove roles
    API_TOKEN_CREATE = "api_token_create"
    SURVEY_MANAGE = "survey_manage"  # create, launch, extend and close survey waves
    SURVEY_RATES_VIEW = "survey_rates_view"  # live response rates (for a subtree)
    RESULTS_VIEW = "results_view"  # survey results of closed waves (for a subtree)
    # the published results every member of staff sees: the organisation's and their own
    # unit's and its ancestors' (not the units beside or below them, no downloads)
    RESULTS_VIEW_OWN = "results_view_own"
    RESULTS_ANALYSE = "results_analyse"  # reliability and agreement of results (analysts)
    OBJECTIVES_VIEW = "objectives_view"  # objectives and their quality (for a subtree)
    OBJECTIVES_MANAGE = "objectives_manage"  # create and edit objectives, check in, propose
    OBJECTIVES_AGREE = "objectives_agree"  # agree objectives or ask for changes
    VISION_MANAGE = "vision_manage"  # draft the vision, mission and values
    VISION_APPROVE = "vision_approve"  # approve a vision for the board


class Role(models.TextChoices):
    ORG_ADMIN = "org_admin", "Organisation admin"
    BOARD = "board", "Board member"
    OD_LEAD = "od_lead", "OD and people lead"
    CHANGE_TEAM = "change_team", "Change team member"
    MANAGER = "manager", "Manager"
    STAFF = "staff", "Staff"
    SAFETY_REVIEWER = "safety_reviewer", "Safety reviewer"


P = Permission
ROLE_DESCRIPTIONS = {
    Role.ORG_ADMIN: "Runs colead for the organisation: structure, imports, roles, audit log.",
    Role.BOARD: "Sees the whole organisation's structure, leaders and results.",
    Role.OD_LEAD: "Organisational development and people team: runs diagnostics and the programme.",
    Role.CHANGE_TEAM: "Staff who help run the culture and leadership programme.",
    Role.MANAGER: "Leads a unit; sees the people and results of their own subtree.",
    Role.STAFF: (
        "Everyone: their own profile, objectives and reports, and the survey results of the "
        "organisation and of their own units."
    ),
    Role.SAFETY_REVIEWER: "Reviews incidents and learning responses.",
}
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ORG_ADMIN: frozenset(Permission),
    Role.BOARD: frozenset(
        {
            P.ORG_VIEW,
            P.RESULTS_VIEW,
            P.PERSON_VIEW,
            P.LEADERSHIP_POST_VIEW,
            P.SURVEY_RATES_VIEW,
            P.OBJECTIVES_VIEW,
            P.OBJECTIVES_AGREE,
            P.VISION_MANAGE,
            P.VISION_APPROVE,
        }
    ),
    Role.OD_LEAD: frozenset(
        {
            P.ORG_VIEW,
            P.RESULTS_VIEW,
            P.RESULTS_ANALYSE,
            P.PERSON_VIEW,
            P.LEADERSHIP_POST_VIEW,
            P.SURVEY_MANAGE,
            P.SURVEY_RATES_VIEW,
            P.OBJECTIVES_VIEW,
            P.OBJECTIVES_MANAGE,
            P.VISION_MANAGE,
        }
    ),
    Role.CHANGE_TEAM: frozenset({P.ORG_VIEW, P.SURVEY_RATES_VIEW}),
    Role.MANAGER: frozenset(
        {
            P.ORG_VIEW,
            P.RESULTS_VIEW,
            P.PERSON_VIEW,
            P.LEADERSHIP_POST_VIEW,
            P.SURVEY_RATES_VIEW,
            P.OBJECTIVES_VIEW,
            P.OBJECTIVES_MANAGE,
            P.OBJECTIVES_AGREE,
        }
    ),
    Role.STAFF: frozenset({P.ORG_VIEW, P.RESULTS_VIEW_OWN}),
    Role.SAFETY_REVIEWER: frozenset({P.ORG_VIEW}),
}
