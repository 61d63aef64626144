"""The results pages: ``results`` (closed waves, the heatmap and its download, a unit's
page) and ``analysis`` (the drivers and reliability pages); ``common`` holds what both
share."""
