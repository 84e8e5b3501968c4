"""Charts and the dashboard (reads only the tidy results)."""
