"""Reading what users drop in: files of every supported format, newspaper pages, feeds and URLs, into `Article` records."""
