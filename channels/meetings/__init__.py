"""Joint meetings that prepare themselves: series, agendas, invitations, decisions."""
