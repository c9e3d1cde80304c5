"""The `newsrag` command line: one module per command group."""
