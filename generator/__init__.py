"""Community Wealth Building knowledge base: YAML case studies into a searchable static site."""

__version__ = "0.1.0"
# Where the project lives: named in User-Agents, feed ids and the site's links to its code.
PROJECT_URL = "https://github.com/community-wealth-building/knowledge-base"
