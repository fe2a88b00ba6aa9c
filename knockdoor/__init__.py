"""The ``knockdoor`` command (:mod:`knockdoor.cli`): the one place that imports both the server
and the client, so that neither has to import the other."""
