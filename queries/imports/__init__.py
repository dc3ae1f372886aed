"""The spreadsheet import: templates, reading, validation rules, dry run, commit and export.

`pipeline.dry_run` and `pipeline.commit` are the entry points; `tables.TABLES` lists the
sheets; `rules.RULES` the validation rules with their stable codes; `templates` writes the
template, the export and the rejected rows.
"""
