"""The files the app serves under /assets (CSS, clientside JavaScript).

A package only so that the wheel ships them inside `dashboard` (as `dashboard.assets`, see
pyproject.toml) and the app finds them with importlib.resources wherever it is installed.
"""
