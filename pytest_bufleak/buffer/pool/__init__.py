"""The pooled allocator's parts, one job per module (private: the public face is ``buffer.pooled``)."""
