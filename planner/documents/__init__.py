"""
Documents: everything a person reads. A plan as html, md, pdf, csv or json (``formats`` picks
one; ``templates`` renders the printable ones through Jinja, from what ``context`` and
``sheets`` prepare, with every number formatted by ``filters``; ``export`` writes csv and
json), the terminal reports of the commands (``dose_report``, ``knowledge_report``), and
writing files atomically, never over an existing one (``output``).

A new output format is a branch in ``formats.render`` and a module (or a template) here.
"""
