"""Exports: the files a view can be downloaded as, and the routes that serve them.

tables (CSV/XLSX of a view), images (map images, ScopedContext), charts (chart images), deck
(PPTX), pdf (reports), jobs (the background job runner), routes (the /export routes). Builds
from dashboard.views, never from a page; pages never import exports (their menus are UI from
dashboard.components.export_menu)."""
