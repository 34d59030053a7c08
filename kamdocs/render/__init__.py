"""Rendering: the content template, then Markdown, HTML and DOCX views of it."""
