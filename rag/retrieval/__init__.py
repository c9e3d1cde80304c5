"""A loaded index and hybrid search: the keyword and dense legs fused."""
