"""``q`` -> syntax tree -> Elasticsearch query (see ``syntax``, ``build``, ``params``)."""


def warm_up() -> None:
    """Load the tokenizers and the entity knowledge base now rather than on the first query."""
    from api.query.build import compile_q

    compile_q('Anthropic "Opus 4.8" モデル福祉 models')
