"""``python -m trainer`` is the ``trainer`` command (used to start the worker beside the server)."""

from trainer.cli import main

main()
