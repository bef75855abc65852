// Studies module — see README.md Design notes.
