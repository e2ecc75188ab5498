"""One module per course checkpoint: ``RECIPE`` (what decides the run) and ``build`` (the run)."""
