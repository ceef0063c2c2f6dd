"""Qt front end: widgets, item models, delegates, charts, dialogs. Only here is Qt imported."""
