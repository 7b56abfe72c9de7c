//! CEL expressions over claims: compiled, type-checked against a schema, evaluated.
