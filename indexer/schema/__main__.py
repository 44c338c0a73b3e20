"""``python -m indexer.schema``: rewrite post.schema.json from the models."""

from indexer.schema import write_schema

print(write_schema())
