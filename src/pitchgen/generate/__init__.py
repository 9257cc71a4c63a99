"""Generation: evidence to a deck plan (statements, cases, phrases, planner)."""
