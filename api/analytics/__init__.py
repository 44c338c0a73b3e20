"""Trend analytics over the index: counts per calendar bucket of a time zone, cacheable
JSON/CSV answers and the models the ``/v1/trends/*`` and ``/v1/digest`` endpoints return.

Every figure is a document count from Elasticsearch aggregations (``date_histogram``,
``terms``, ``filter``/``filters``) with core features only; shares and scores are computed
here, from those counts.

One module per endpoint builds its Elasticsearch bodies, runs them and turns the replies into
its response model (and its CSV table): ``timeline``, ``top``, ``rising``, ``cooccurrence``
and ``digest``. They share ``common`` (the search call, histograms, shares, labels, flags),
``ask`` (q, the filters and the period of a request, its echo, and ``analyze``: the run and
answer of any endpoint), ``terms`` (what is counted), ``period`` (calendar buckets; zones and
periods are ``api.query.period``'s), ``respond`` (ETag'd JSON/CSV answers) and ``models``.
The routes in ``api.routes`` only read parameters.
"""
