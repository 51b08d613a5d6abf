"""The command layer: the only place that puts the stages together.

Stages import only downward: data -> training -> scoring -> reporting (and lecture), over the
shared helpers below them (errors, files, images, precision, settings, runs, records). Each
command module here takes the parsed arguments, runs its stages in order and returns the
exit status: 0, or 2 when it met damaged run files (their one-line reports were printed).
"""
