"""The weekly-meeting workbook: text table, SQL and streaming sheet writer. No Qt."""
