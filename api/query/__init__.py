"""What the API asks Elasticsearch: ``q`` and the parameters read, the bodies built, the calls made.

* ``q`` -> syntax tree -> query: ``syntax`` (the language), ``build`` (the tree compiled),
  ``params`` (the filters every endpoint shares, ``compile_search``), ``term_stats`` (the
  common words of ``q``), ``entities`` (the API's one door to the knowledge base and the
  recognizer).
* Parameters: ``dates`` (the accepted range), ``period`` (zones and ``[start, end)``
  periods), ``zone`` (``tz`` of search and export), ``choices`` (comma-separated
  allowlists), ``schema`` (their OpenAPI types).
* ``/v1/search``: ``search_request`` (the body), ``sort`` (sorts and the relevance blend),
  ``paging`` (page or cursor), ``pit`` (point-in-time snapshots, also for exports).
* Other endpoints: ``export_scan``, ``lookup`` (one post), ``related``, ``tags``,
  ``entity_stats``.

Responses are ``api.present``'s; ``warm_up`` loads the analysis models before the first query.
"""


def warm_up() -> None:
    """Load the tokenizers and the entity knowledge base now rather than on the first query."""
    from api.query.build import compile_q

    compile_q('Anthropic "Opus 4.8" モデル福祉 models')
