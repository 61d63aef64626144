"""colead.privacy: disclosure control for every figure about people that colead publishes.

Plain computation (numpy only): no Django, no database. Every module that shows, exports or
serves a figure computed from people (survey results, response rates, and the incident, 360,
network and programme figures to come) decides what may be shown here, so that one set of
rules, one set of property tests and one attacker stand behind all of them
(docs/privacy.md, "Disclosure control of results").

``colead.privacy.disclosure`` holds the rules (R1-R6, comments); its module docstring
describes the model and the API.
"""
