"""The dataset wizard: a screen, one module per step, the draft they all edit.

`screen` holds the WizardScreen (steps, workers, saving); `steps` the small
protocol each step widget follows; `basic`, `tables`, `columns`, `filters`
the four steps; `draft` the model; `messages` what workers post back;
`join_dialog` and `conflict_dialog` the wizard's dialogs.
"""
