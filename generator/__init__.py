"""Community Wealth Building knowledge base: YAML case studies into a searchable static site."""

__version__ = "0.1.0"
