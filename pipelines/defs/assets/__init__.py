"""Assets: one module per source family, plus dbt and the publish step."""
