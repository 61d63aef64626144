"""Plain Python shared by the apps: no Django here (checked by the contracts in .importlinter).

- ``table``: reading an uploaded CSV or Excel file into rows of strings, with ``problems``
  saying what is wrong with a file in words its author can act on;
- ``charts``: Vega-Lite chart specs drawn as SVG, each with its data table;
- ``formatting``: dates, thousands and percentages as the NHS style guide writes them;
- ``text``: control characters found and described;
- ``spreadsheet``: cells made safe for spreadsheets (formula injection) and read back;
- ``memory``: small bounded in-process caches, cleared together through one registry.
- ``tree``: unit trees by their materialised paths (inside, overlapping, outermost).
"""
