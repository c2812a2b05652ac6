"""The wizard lives in its own package (`dataset_tui.tui.wizard`); this keeps the old import path."""

from dataset_tui.tui.wizard.screen import WizardScreen

__all__ = ["WizardScreen"]
