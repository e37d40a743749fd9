"""Options, graph assembly and the ``newsbeam`` command line."""
