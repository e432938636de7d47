"""Signals the news models send, for modules that the models must not import (their
receivers import the models)."""

from django.dispatch import Signal

# An image got a new file or a new focal point: its renditions are to be made (sent with
# ``instance``; articles.tasks enqueues the work, in the same transaction as the save).
renditions_wanted = Signal()
