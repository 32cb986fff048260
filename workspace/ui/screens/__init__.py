"""Screens: the main screen (the modal dialogs it opens are in `workspace.ui.dialogs`)."""
