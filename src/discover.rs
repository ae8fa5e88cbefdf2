//! discover (being written).
