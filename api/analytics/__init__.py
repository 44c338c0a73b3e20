"""Trend analytics over the index: periods in a time zone, cacheable JSON/CSV answers and
the models the ``/v1/trends/*`` and ``/v1/digest`` endpoints return.

Every figure is a document count from Elasticsearch aggregations (``date_histogram``,
``terms``, ``filter``/``filters``) with core features only; shares and scores are computed
here, from those counts.
"""
