//! timespec (being written).
