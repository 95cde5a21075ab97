"""`dlqa serve`: a local web page over the library (search, answer pages, `/api/search`).

`backend` is the one place that reaches the search engine; `views` turns its results into
what templates show (pure functions); `server` answers HTTP on loopback.
"""
