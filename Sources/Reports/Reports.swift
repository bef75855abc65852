// Reports module — see README.md Design notes.
