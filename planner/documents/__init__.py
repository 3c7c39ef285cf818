"""
Documents: everything a person reads. A plan as html, md, pdf, csv or json (``formats`` picks
one; ``templates`` and ``context`` and ``filters`` render the printable ones through Jinja;
``export`` writes csv and json), the terminal reports of the commands (``dose_report``,
``knowledge_report``), and writing files atomically, never over an existing one (``output``).

A new output format is a branch in ``formats.render`` and a module (or a template) here.
"""
