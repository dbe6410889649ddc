"""One module per form. Each offers ``context(...)`` (the records turned into printable values) and
one function per format (``pdf(ctx)``, ``docx(ctx)``, for the summary also ``xlsx(ctx)``)."""
