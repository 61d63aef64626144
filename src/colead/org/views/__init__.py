"""The organisation pages: ``structure`` (the tree, a unit, a person) and ``imports``
(uploading units and workforce files: check, preview, confirm)."""
