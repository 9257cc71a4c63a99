"""Case records: schema checks, karte drafts, selection for decks."""
