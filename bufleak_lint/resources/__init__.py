"""What the analysis tracks, one module per kind of resource (see :mod:`.buffers`)."""
