"""Use cases. Each public function is one transaction on a :class:`app.db.Database`. No Qt."""
