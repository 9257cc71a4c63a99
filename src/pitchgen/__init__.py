"""pitchgen: evidence-cited ICT cooperation pitches from Japanese policy documents.

Importing the package has no side effects: no environment is read, no model is
loaded and no logging is configured. Start from :mod:`pitchgen.cli` or build a
:class:`pitchgen.config.Config` and call the stages directly.
"""

__version__ = "0.1.0"
