"""Values stated in text: quantities, dates, places, and their comparison."""
