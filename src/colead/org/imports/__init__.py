"""Reading and validating import files (units, workforce). Pure Python: no Django imports,
so that every rule is tested directly and fast. The services in colead.org.services load
the current state, call these, and apply the resulting plan."""

from colead.lib.problems import ImportProblem, ImportRejected
from colead.lib.table import Row, Table, read_table

__all__ = ["ImportProblem", "ImportRejected", "Row", "Table", "read_table"]
