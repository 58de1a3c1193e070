"""The training report: HTML page, plots and history coaching checks over LogDB sessions."""
