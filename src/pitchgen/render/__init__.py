"""Renderers: turn a :class:`~pitchgen.records.DeckPlan` into files (PPTX deck, DOCX brief)."""
