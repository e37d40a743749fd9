"""Sentence structure for the coder: a small dependency parser trained on UD English EWT (``parse``)
and the rules that read an event's doer and done-to from it (``roles``)."""
