"""From a question to a checked, cited answer: the pipeline, its engines (extractive reader, LLM), citation checking, follow-ups, dates and comparisons."""
