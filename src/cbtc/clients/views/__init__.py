"""HTTP views of the client registry: search, registration, the client page, corrections and merges."""
