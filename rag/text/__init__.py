"""Chinese text for the index: passages cut on sentence boundaries, and keyword tokens (jieba)."""
