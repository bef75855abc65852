import WorkbenchCLI

Workbench.mainWithExitCodes()
