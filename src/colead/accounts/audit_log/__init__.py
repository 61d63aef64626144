"""The organisation's audit log page and its CSV export. The events themselves are written
by ``colead.audit`` (below every app, so that each can record inside its own transaction);
reading them needs a role checked here, so the page lives with the roles."""
