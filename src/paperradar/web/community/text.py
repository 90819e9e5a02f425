"""Comment Markdown now lives in ``paperradar.community.text``; these names stay importable
from here for the templates' and tests' older imports."""

from paperradar.community.text import (MAX_BRACKETS, MAX_COMMENT_CHARS, MAX_DELIMITERS,  # noqa: F401
                                       RENDERER_VERSION, clean_body, render_comment,
                                       render_stored)
