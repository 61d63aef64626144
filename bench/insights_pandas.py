"""The pandas reference implementation of the insights benchmark now lives in the package,
``colead.insights.bench_pandas``, so that ``colead bench insights`` works from an installed
colead; this module is kept so that ``from bench import insights_pandas`` still works."""

from colead.insights.bench_pandas import (  # noqa: F401
    ancestors_by_level,
    item_maps,
    respondent_frame,
    run,
    to_engine_layout,
)
