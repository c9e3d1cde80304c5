"""Where an index lives: the storage protocol, the versioned index folder (SQLite + FAISS + bm25s) and Milvus."""
