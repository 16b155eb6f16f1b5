"""OpenSearch: the search engine for production (the one package importing `opensearchpy`)."""
