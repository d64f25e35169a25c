"""The cloud list: one kind's live rows, with chips, toolbar, pages and row menus."""
