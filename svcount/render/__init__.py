"""Every way a count is shown: tables, CSV, markdown, the page, the declaration, reports."""
