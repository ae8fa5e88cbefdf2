//! term (being written).
