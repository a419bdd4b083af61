"""Reports and charts drawn on the server: SVG for pages, PNG inside PDF, HTML and PDF (WeasyPrint) files."""
