"""The news aggregator: fetch the movement's feeds into a durable archive, render its pages.

    feeds.py → fetch.py → clean.py → tagging.py → archive.py (run.py drives them, report.py
    tells how it went); pages.py renders the archive for the site.

Import from the submodules: this package re-exports nothing, so that importing one part
(the site build's pages) does not load the others (an HTTP client, a feed parser).
"""
