"""Memory and its ownership: buffers, allocators, reference counting. Knows nothing of pytest or channels."""
