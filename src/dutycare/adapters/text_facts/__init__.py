"""Suggested facts from Russian free text, with natasha (dates, names) and pymorphy3 (lemmas)."""
