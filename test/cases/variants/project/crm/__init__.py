"""Sample multi-tenant CRM used by fixturegen's own tests and demo."""
