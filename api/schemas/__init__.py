"""Wire schemas of the JSON API (request bodies and answers), apart from the ORM models."""
