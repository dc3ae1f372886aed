"""Views: the data of a view and the figure built from it (pure functions, no Dash callbacks).

Used by dashboard.pages (layout, callbacks) and dashboard.exports (files); imports neither."""
