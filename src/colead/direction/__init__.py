"""Direction: the vision, mission and values, and the golden thread of clear,
aligned, agreed and challenging objectives from the board to every team and person.

Pure modules (no Django imports): ``reference`` (vocabularies), ``quality`` (the checks on
each objective), ``coverage`` (the board's coverage figures) and ``imports`` (validating an
objectives file). ``facts`` loads an organisation's objectives into them in a fixed number
of queries; ``services`` holds every write; ``access`` decides who may see, edit and agree.
"""
