"""The direction pages, one module per area: ``thread`` (the golden thread, my objectives,
a unit's and one objective), ``objective_forms`` (write, edit, change status, agree),
``vision`` (the vision and its approval), ``coverage`` (the coverage dashboard),
``export`` (the objectives download) and ``quality_settings`` (the organisation's rules).
``common`` holds what several of them share."""
