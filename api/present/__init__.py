"""What the API answers: Elasticsearch replies turned into the response models of ``api.models``.

* ``/v1/search``: ``search_response`` (the page), ``hits`` (one hit, and the ``_source``
  fields hits and post references read), ``highlight`` (snippets of the original text),
  ``facets`` (their aggregations and buckets), ``cursor`` (the signed ``next_cursor`` token).
* ``/v1/export``: ``export_rows`` (the columns and their NDJSON or CSV rows),
  ``export_stream`` (the streamed download).
* Posts and entities: ``post``, ``related``, ``entity`` (an entity's name, type and reference
  wherever a response names one), ``entity_profile`` (the lookup and the profile).

The searches behind them are ``api.query``'s.
"""
