"""The public intake form: a separate application, process and database from the staff application."""
